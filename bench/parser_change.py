"""Parsing speed of this checkout's parser beside another revision's, on the same pages, in one run.

    python bench/parser_change.py --base HEAD~3      # any git revision
    python bench/parser_change.py --base main --rounds 9
    python bench/parser_change.py --base main --crawl-pages 1000   # the parse worker's whole job

A parser change must not make parsing much slower. Two versions of the ``crawler`` package cannot
be imported into one process, so each side parses in a process of its own, started from its own
tree (the base revision is exported with ``git archive``); the sides take turns, round by round,
so that whatever else the machine does falls on both alike. Both parse the same decoded pages: the
saved site of this checkout in both layouts. Prints each side's median pages/s and the ratio.

``--crawl-pages N`` times what the crawl's parse worker does instead, on the pages of a site with
N generated articles (the crawl benchmark's site): each article and listing page from its bytes
(decoded, parsed, its channel links read against the channels a crawl has followed by then).
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

#: Run inside each side's process, after a head that loads ``pages`` and defines ``parse(*page)``:
#: pages per second over the pages for about ``seconds`` (``sys.argv[2]``).
TIMING = """
seconds = float(sys.argv[2])
for page in pages[:10]:
    parse(*page)
done, started = 0, time.perf_counter()
while time.perf_counter() - started < seconds:
    for page in pages:
        parse(*page)
    done += len(pages)
print(done / (time.perf_counter() - started))
"""
#: ``parse_article`` over (url, decoded page) pairs.
TIMER = """
import pickle, sys, time
try:
    from crawler.parsing.article import parse_article
except ImportError:  # a revision from before the layered packages
    from crawler.article import parse_article
pages = pickle.load(open(sys.argv[1], "rb"))
parse = parse_article
""" + TIMING
#: The parse worker's job: (kind, url, bytes) pages, decoded and parsed as the crawl does.
CRAWL_TIMER = """
import pickle, sys, time
from crawler.parsing.article import parse_article_page
from crawler.parsing.encoding import decode_html, decode_page
from crawler.parsing.listing import parse_listing
pages, known = pickle.load(open(sys.argv[1], "rb"))
def parse(kind, url, body):
    if kind == "article":
        return parse_article_page(url, decode_page(body, "text/html"), None, known)
    return parse_listing(url, decode_html(body, "text/html"), known_channels=known)
""" + TIMING


def crawl_pages(articles: int, folder: Path) -> tuple[list[tuple[str, str, bytes]], frozenset[str]]:
    """The article and listing pages of a site with ``articles`` generated articles, as a crawl
    fetches them, and the channels it has followed by the time it reads them (all of them)."""
    from crawler.parsing import site
    from tests.sitebuilder.build import build
    from tests.sitebuilder.generated import specs

    www = folder / "www"
    build(www, extra=specs(articles))
    pages, channels = [], set()
    for path in sorted(www.rglob("*.html")):
        relative = path.relative_to(www).as_posix()
        if relative == "index.html":
            continue
        url = f"{site.CANONICAL_ORIGIN}/{relative}"
        kind = "article" if site.is_article_url(url) else "listing"
        if kind == "listing":
            channels.add(site.listing_folder_url(url))
        pages.append((kind, url, path.read_bytes()))
    return pages, frozenset(channels)


def export(revision: str, into: Path) -> Path:
    """The tree of ``revision``, written to a folder."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision], check=True, capture_output=True).stdout
    tar = into / "base.tar"
    tar.write_bytes(archive)
    with tarfile.open(tar) as members:
        members.extractall(into / "base", filter="data")
    return into / "base"


def run_in(tree: Path, timer: str, *args: object) -> float:
    """The number ``timer`` prints last, run with ``args`` in a process that imports from ``tree``
    alone (its folder and ``PYTHONPATH``; no other environment)."""
    out = subprocess.run([sys.executable, "-c", timer, *map(str, args)], cwd=tree, check=True,
                         capture_output=True, text=True, env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"})
    return float(out.stdout.strip().splitlines()[-1])


def alternate(rounds: int, base: Path, measure: Callable[[Path], float]) -> dict[str, list[float]]:
    """``measure`` of each side's tree, ``rounds`` times, the base revision's then this checkout's."""
    runs: dict[str, list[float]] = {"base": [], "this": []}
    for _ in range(rounds):
        runs["base"].append(measure(base))
        runs["this"].append(measure(REPO))
    return runs


def print_sides(runs: dict[str, list[float]], base: str, unit: str, width: int, digits: int) -> dict[str, float]:
    """One line a side: its median and every round's figure, in ``unit``; gives the medians."""
    medians = {side: statistics.median(values) for side, values in runs.items()}
    for side, label in (("base", base), ("this", "this checkout")):
        rounds = ", ".join(f"{value:.{digits}f}" for value in runs[side])
        print(f"{label:<24} median {medians[side]:>{width}.{digits}f} {unit}  (rounds: {rounds})")
    return medians


def rate(tree: Path, pages: Path, seconds: float, timer: str = TIMER) -> float:
    """Pages per second of the parser in ``tree``."""
    return run_in(tree, timer, pages, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="the git revision to compare with")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=2.0, help="timing per side per round")
    parser.add_argument("--crawl-pages", type=int, metavar="N", default=0,
                        help="time the parse worker's job on a site of N generated articles instead")
    args = parser.parse_args()

    from bench.parsing import pages as saved_pages

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base = export(args.base, folder)
        cases = folder / "pages.pickle"
        if args.crawl_pages:
            pages, known = crawl_pages(args.crawl_pages, folder)
            cases.write_bytes(pickle.dumps((pages, known)))
            timer, what = CRAWL_TIMER, (f"{len(pages):,} pages of a site with {args.crawl_pages:,} generated articles, "
                                        "as the parse worker reads them")
        else:
            decoded = [(url, page) for url, page, _ in saved_pages()]
            cases.write_bytes(pickle.dumps(decoded))
            timer, what = TIMER, f"{len(decoded)} article pages (two layouts)"
        runs = alternate(args.rounds, base, lambda tree: rate(tree, cases, args.seconds, timer))
    print(f"{what}, {args.rounds} rounds, sides alternating")
    medians = print_sides(runs, args.base, "pages/s", 7, 0)
    print(f"this checkout parses at {medians['this'] / medians['base']:.1%} of {args.base}'s speed")


if __name__ == "__main__":
    main()
