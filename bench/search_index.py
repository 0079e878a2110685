"""What the search index costs the writer, and what other FTS5 options of it would cost instead.

    python bench/search_index.py                      # 10,000 articles, 3 rounds
    python bench/search_index.py --articles 50000 --rounds 5

The crawl's writer indexes each batch's articles at the batch's commit (:mod:`archive.search`).
This indexes generated articles (tests/sitebuilder/corpus.py) the same way, their bigrams laid out
beforehand so only FTS5's own work is timed, committed ``--batch`` at a time as a crawl commits,
into a file of its own for each variant of the index's options: the archive's own
(:data:`archive.search.INDEX_COLUMNS`, :data:`archive.search.AUTOMERGE`), and each change one might
make to it. Variants take turns, round by round, in a rotating order, so whatever else the machine
does falls on all alike. Prints each one's median CPU per article, its ratio to the archive's own,
the index's size, and the time queries of 2 and 6 characters take on the index each variant left
at the end (every match counted, and the top 20 by bm25): a variant that merges less leaves more
segments for a query to read. Those are the index's own times; ``python bench/search.py`` times
the archive's search, snippets and all, on an index built in one pass.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.search import AUTOMERGE, INDEX_COLUMNS, Query, grams  # noqa: E402
from archive.store import TEMP_STORE  # noqa: E402
from bench.search import p95, substrings  # noqa: E402
from tests.sitebuilder import corpus  # noqa: E402


def without(options: str, option: str) -> str:
    """The index's options less one of them, which they must hold: a variant that silently equals
    the archive's own would time nothing."""
    if option not in options:
        raise SystemExit(f"the index's options ({options}) no longer hold {option}: mend bench/search_index.py")
    return options.replace(option, "")


#: The query lengths timed: the shortest phrase and the longest ``bench/search.py`` times.
LENGTHS = (2, 6)

#: name: (the index's columns and options, automerge, merged whole at the end)
VARIANTS = {
    "the archive's": (INDEX_COLUMNS, AUTOMERGE, False),
    "no prefix index": (without(INDEX_COLUMNS, ", prefix='1'"), AUTOMERGE, False),
    "automerge 4": (INDEX_COLUMNS, 4, False),
    "automerge 8": (INDEX_COLUMNS, 8, False),
    "no merging, optimize at end": (INDEX_COLUMNS, 0, True),
    "columnsize=0": (INDEX_COLUMNS + ", columnsize=0", AUTOMERGE, False),
}


#: What a query asks of the index: every match counted, and the 20 best by bm25.
QUERIES = ("SELECT count(*) FROM search WHERE search MATCH ?",
           "SELECT rowid FROM search WHERE search MATCH ? ORDER BY rank LIMIT 20")


def index(rows: list[tuple[int, str, str]], columns: str, automerge: int, optimize: bool, batch: int,
          queries: dict[int, list[str]]) -> tuple[float, int, dict[int, list[float]]]:
    """CPU seconds to index ``rows`` into a new file, the file's size in bytes, and the times in ms
    of ``queries`` (FTS5 expressions by length) on the index it left."""
    with tempfile.TemporaryDirectory(prefix="chinasei-index-") as folder:
        path = Path(folder) / "index.db"
        conn = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", f"temp_store={TEMP_STORE}"):  # as the writer's
            conn.execute(f"PRAGMA {pragma}")
        conn.execute(f"CREATE VIRTUAL TABLE search USING fts5({columns})")
        conn.execute(f"INSERT INTO search (search, rank) VALUES ('automerge', {automerge})")
        started = time.process_time()
        for start in range(0, len(rows), batch):
            conn.execute("BEGIN")
            conn.executemany("INSERT INTO search (rowid, title, body) VALUES (?, ?, ?)", rows[start:start + batch])
            conn.execute("COMMIT")
        if optimize:
            conn.execute("INSERT INTO search (search) VALUES ('optimize')")
        cpu = time.process_time() - started
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        times = {length: timed(conn, expressions) for length, expressions in queries.items()}
        conn.close()
        size = path.stat().st_size
    return cpu, size, times


def timed(conn: sqlite3.Connection, expressions: list[str]) -> list[float]:
    """Each expression's time in ms, both of :data:`QUERIES` run."""
    times = []
    for expression in expressions:
        started = time.perf_counter()
        for sql in QUERIES:
            conn.execute(sql, [expression]).fetchall()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=470, help="articles a commit (a 20,000-article crawl's, about)")
    parser.add_argument("--queries", type=int, default=100, help="queries of each length, on each variant's index")
    args = parser.parse_args()
    articles = list(corpus.articles(args.articles))
    rows = [(a.site_id, grams(a.title), grams(a.body)) for a in articles]
    rng = random.Random(20201124)
    texts = [f"{a.title}。{a.body}" for a in articles[::101]]
    queries = {length: [Query.parse(text).fts() for text in substrings(texts, length, args.queries, rng)]
               for length in LENGTHS}
    print(f"{args.articles:,} generated articles, {args.batch} a commit, {args.rounds} rounds; "
          f"{args.queries} queries of each length, each counted and ranked", flush=True)
    names = list(VARIANTS)
    cpu: dict[str, list[float]] = {name: [] for name in names}
    sizes: dict[str, int] = {}
    times: dict[str, dict[int, list[float]]] = {name: {length: [] for length in LENGTHS} for name in names}
    for round_ in range(args.rounds):
        for name in names[round_ % len(names):] + names[:round_ % len(names)]:
            seconds, sizes[name], taken = index(rows, *VARIANTS[name], args.batch, queries)
            cpu[name].append(seconds)
            for length in LENGTHS:
                times[name][length].extend(taken[length])
    own = statistics.median(cpu[names[0]])
    heads = " ".join(f"{f'{n} chars ms (med/p95)':>22}" for n in LENGTHS)
    print(f"{'index':<28} {'CPU ms/article':>14} {'× own':>6} {'size MB':>8} {heads}")
    for name in names:
        median = statistics.median(cpu[name])
        cells = " ".join(f"{statistics.median(t):>13.2f} / {p95(sorted(t)):<6.2f}"
                         for t in (times[name][n] for n in LENGTHS))
        print(f"{name:<28} {1000 * median / args.articles:>14.3f} {median / own:>6.2f} {sizes[name] / 1e6:>8.1f} {cells}")


if __name__ == "__main__":
    main()
