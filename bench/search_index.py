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
and the index's size. Query times are not measured here: a variant that indexes more cheaply must
still pass ``python bench/search.py``.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.search import AUTOMERGE, INDEX_COLUMNS, grams  # noqa: E402
from archive.store import TEMP_STORE  # noqa: E402
from tests.sitebuilder import corpus  # noqa: E402


def without(options: str, option: str) -> str:
    """The index's options less one of them, which they must hold: a variant that silently equals
    the archive's own would time nothing."""
    if option not in options:
        raise SystemExit(f"the index's options ({options}) no longer hold {option}: mend bench/search_index.py")
    return options.replace(option, "")


#: name: (the index's columns and options, automerge, merged whole at the end)
VARIANTS = {
    "the archive's": (INDEX_COLUMNS, AUTOMERGE, False),
    "no prefix index": (without(INDEX_COLUMNS, ", prefix='1'"), AUTOMERGE, False),
    "automerge 4": (INDEX_COLUMNS, 4, False),
    "automerge 16": (INDEX_COLUMNS, 16, False),
    "no merging, optimize at end": (INDEX_COLUMNS, 0, True),
    "columnsize=0": (INDEX_COLUMNS + ", columnsize=0", AUTOMERGE, False),
}


def index(rows: list[tuple[int, str, str]], columns: str, automerge: int, optimize: bool, batch: int) -> tuple[float, int]:
    """CPU seconds to index ``rows`` into a new file, and the file's size in bytes."""
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
        conn.close()
        size = path.stat().st_size
    return cpu, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=470, help="articles a commit (a 20,000-article crawl's, about)")
    args = parser.parse_args()
    rows = [(a.site_id, grams(a.title), grams(a.body)) for a in corpus.articles(args.articles)]
    print(f"{args.articles:,} generated articles, {args.batch} a commit, {args.rounds} rounds", flush=True)
    names = list(VARIANTS)
    cpu: dict[str, list[float]] = {name: [] for name in names}
    sizes: dict[str, int] = {}
    for round_ in range(args.rounds):
        for name in names[round_ % len(names):] + names[:round_ % len(names)]:
            seconds, sizes[name] = index(rows, *VARIANTS[name], args.batch)
            cpu[name].append(seconds)
    own = statistics.median(cpu[names[0]])
    print(f"{'index':<28} {'CPU ms/article':>14} {'× own':>6} {'size MB':>8}")
    for name in names:
        median = statistics.median(cpu[name])
        print(f"{name:<28} {1000 * median / args.articles:>14.3f} {median / own:>6.2f} {sizes[name] / 1e6:>8.1f}")


if __name__ == "__main__":
    main()
