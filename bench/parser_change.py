"""Parsing speed of this checkout's parser beside another revision's, on the same pages, in one run.

    python bench/parser_change.py --base HEAD~3      # any git revision
    python bench/parser_change.py --base main --rounds 9

A parser change must not make parsing much slower. Two versions of the ``crawler`` package cannot
be imported into one process, so each side parses in a process of its own, started from its own
tree (the base revision is exported with ``git archive``); the sides take turns, round by round,
so that whatever else the machine does falls on both alike. Both parse the same decoded pages: the
saved site of this checkout in both layouts. Prints each side's median pages/s and the ratio.
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

#: Run inside each side's process: times ``parse_article`` over the pages for about ``seconds``.
TIMER = """
import pickle, sys, time
try:
    from crawler.parsing.article import parse_article
except ImportError:  # a revision from before the layered packages
    from crawler.article import parse_article
pages = pickle.load(open(sys.argv[1], "rb"))
seconds = float(sys.argv[2])
for url, page in pages[:10]:
    parse_article(url, page)
done, started = 0, time.perf_counter()
while time.perf_counter() - started < seconds:
    for url, page in pages:
        parse_article(url, page)
    done += len(pages)
print(done / (time.perf_counter() - started))
"""


def export(revision: str, into: Path) -> Path:
    """The tree of ``revision``, written to a folder."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision], check=True, capture_output=True).stdout
    tar = into / "base.tar"
    tar.write_bytes(archive)
    with tarfile.open(tar) as members:
        members.extractall(into / "base", filter="data")
    return into / "base"


def rate(tree: Path, pages: Path, seconds: float) -> float:
    """Pages per second of the parser in ``tree``."""
    out = subprocess.run([sys.executable, "-c", TIMER, str(pages), str(seconds)], cwd=tree, check=True,
                         capture_output=True, text=True, env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"})
    return float(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="the git revision to compare with")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=2.0, help="timing per side per round")
    args = parser.parse_args()

    from bench.parsing import pages as saved_pages

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base = export(args.base, folder)
        cases = folder / "pages.pickle"
        decoded = [(url, page) for url, page, _ in saved_pages()]
        cases.write_bytes(pickle.dumps(decoded))
        runs: dict[str, list[float]] = {"base": [], "this": []}
        for _ in range(args.rounds):
            runs["base"].append(rate(base, cases, args.seconds))
            runs["this"].append(rate(REPO, cases, args.seconds))
    medians = {side: statistics.median(rates) for side, rates in runs.items()}
    print(f"{len(decoded)} article pages (two layouts), {args.rounds} rounds, sides alternating")
    for side, label in (("base", args.base), ("this", "this checkout")):
        print(f"{label:<24} median {medians[side]:>7.0f} pages/s  (rounds: {', '.join(f'{r:.0f}' for r in runs[side])})")
    print(f"this checkout parses at {medians['this'] / medians['base']:.1%} of {args.base}'s speed")


if __name__ == "__main__":
    main()
