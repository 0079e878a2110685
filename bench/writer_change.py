"""The archive writer's CPU with this checkout's archive beside another revision's, on the same writes.

    python bench/writer_change.py --base HEAD~3          # any git revision
    python bench/writer_change.py --base main --articles 5000 --rounds 7

What the crawl's writer process does for every page, timed alone: the messages a crawl sends it
(each response as received, then the article or listing parsed from it), unpickled and applied to
a new archive in batches, each committed (the search index written at the commit) as the writer
commits them, about once a second. Two versions of the ``archive`` package cannot be imported into
one process, so each side runs in a process of its own, from its own tree (the base revision is
exported with ``git archive``), and the sides take turns, round by round, so whatever else the
machine does falls on both alike. Each side parses the pages with its own parser first, untimed:
the writes are those its crawl would send. Prints each side's median CPU per page and the ratio.

The pages are those of a site of ``--articles`` generated articles (the crawl benchmark's site),
as ``bench/parser_change.py --crawl-pages`` reads them.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.parser_change import alternate, crawl_pages, export, print_sides, run_in  # noqa: E402

#: Run in each side's process: the pages (``sys.argv[1]``) parsed and turned into the crawl's
#: messages, untimed; then the messages unpickled and applied in batches of ``sys.argv[3]`` pages
#: into a new archive at ``sys.argv[2]``, timed. Prints CPU milliseconds per page.
TIMER = """
import pickle, sys, time
from archive.store import Archive
from crawler.runtime.parsing_jobs import article_from_bytes, listing_from_bytes
pages, known = pickle.load(open(sys.argv[1], "rb"))
path, batch = sys.argv[2], int(sys.argv[3])
headers = {"Content-Type": ["text/html"], "Server": ["nginx"], "Content-Length": ["0"]}
request = ("GET", {"User-Agent": ["chinasei-archiver"], "Accept-Encoding": ["gzip, deflate"]})
archive = Archive(path)
run_id = archive.start_run("http://www.chinasei.com.cn/")
messages = []
for kind, url, body in pages:
    sent = {**headers, "Content-Length": [str(len(body))]}
    messages.append(pickle.dumps(("record_response", (run_id, url, url, 200, sent, body, kind, request)), protocol=5))
    if kind == "article":
        item = ("save_article", (run_id, article_from_bytes(url, body, "text/html", None, known).article))
    else:
        item = ("save_listing", (run_id, listing_from_bytes(url, body, "text/html", known)))
    messages.append(pickle.dumps(item, protocol=5))
per_batch = 2 * batch
started = time.process_time()
for start in range(0, len(messages), per_batch):
    archive.begin_batch()
    for data in messages[start:start + per_batch]:
        method, args = pickle.loads(data)
        getattr(archive, method)(*args)
    archive.commit()
cpu = time.process_time() - started
archive.close()
print(1000 * cpu / len(pages))
"""


def cpu_per_page(tree: Path, pages: Path, folder: Path, batch: int) -> float:
    """CPU milliseconds a page of the writes, with the archive in ``tree``."""
    database = folder / "writes.db"
    for leftover in folder.glob("writes.db*"):
        leftover.unlink()
    return run_in(tree, TIMER, pages, database, batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="the git revision to compare with")
    parser.add_argument("--articles", type=int, default=2000, help="generated articles in the site")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batch", type=int, default=470, help="pages a commit (a 20,000-article crawl's, about)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base = export(args.base, folder)
        pages, known = crawl_pages(args.articles, folder)
        cases = folder / "pages.pickle"
        cases.write_bytes(pickle.dumps((pages, known)))
        runs = alternate(args.rounds, base, lambda tree: cpu_per_page(tree, cases, folder, args.batch))
    print(f"{len(pages):,} pages of a site with {args.articles:,} generated articles, {args.batch} a commit, "
          f"{args.rounds} rounds, sides alternating")
    medians = print_sides(runs, args.base, "ms of CPU a page", 6, 3)
    print(f"this checkout's writes take {medians['this'] / medians['base']:.1%} of {args.base}'s CPU")


if __name__ == "__main__":
    main()
