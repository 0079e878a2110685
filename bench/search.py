"""Search latency on a large archive, against a plain LIKE scan, measured side by side in one run.

    python bench/search.py                 # 100,000 generated articles (built once into bench/data/)
    python bench/search.py --articles 20000 --queries 50

For queries of 1, 2, 3 and 6 characters drawn from the archive's own text it prints the median and
95th percentile of: our ranked search (top 20, snippets included), the same search ranked with FTS5's
bm25 (as where archive/_rank.c is not built), our full exact match set, and a LIKE scan over titles
and bodies that finds that same set (fewer queries: each reads every row).
Then searches with a filter (the largest category, the last year) and newest first, for queries of
2 and 6 characters, which rank every match in the filter, not the newest 1,000; and ``chinasei
trend``'s counting (every match, per month) for common terms, the most common first.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.search import RANK  # noqa: E402
from archive.store import Archive, article_record  # noqa: E402
from archive.trends import trend  # noqa: E402
from tests.sitebuilder import corpus  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"


def build(path: Path, count: int) -> float:
    """Write ``count`` generated articles and index them; returns the seconds indexing took."""
    archive = Archive(path)
    batch = []
    for item in corpus.articles(count):
        batch.append(article_record(item) | {"version": 1})
        if len(batch) == 5000:
            archive.db["articles"].insert_all(batch)
            batch = []
    archive.db["articles"].insert_all(batch)
    started = time.perf_counter()
    archive.search_index.refresh()
    archive.close()
    return time.perf_counter() - started


def queries(archive: Archive, length: int, count: int, rng: random.Random) -> list[str]:
    """Substrings of the archive's own bodies and titles, without spaces or newlines."""
    texts = [row[0] for row in archive.db.execute("SELECT title || '。' || body FROM articles WHERE site_id % 101 = 0")]
    return substrings(texts, length, count, rng)


def substrings(texts: list[str], length: int, count: int, rng: random.Random) -> list[str]:
    """``count`` substrings of ``length`` characters of ``texts``, without spaces, newlines or quotes."""
    found: list[str] = []
    while len(found) < count:
        text = rng.choice(texts)
        start = rng.randrange(0, max(1, len(text) - length))
        query = text[start : start + length]
        if len(query) == length and not any(c.isspace() or c == '"' for c in query):
            found.append(query)
    return found


def timed(run, items: list[str]) -> list[float]:
    times = []
    for item in items:
        started = time.perf_counter()
        run(item)
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)


def p95(times: list[float]) -> float:
    return times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=100, help="queries per length for our search")
    parser.add_argument("--scan-queries", type=int, default=10, help="queries per length for the LIKE scan")
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    path = DATA / f"search-{args.articles}.db"
    if not path.exists():
        print(f"building {path} …", flush=True)
        print(f"indexed {args.articles:,} articles in {build(path, args.articles):.1f} s", flush=True)
    archive = Archive(path)
    index = archive.search_index
    like = "SELECT site_id FROM articles WHERE title LIKE :p OR body LIKE :p"
    rng = random.Random(20201124)
    print(f"{archive.db['articles'].count:,} articles, {path.stat().st_size / 1e6:.0f} MB; ranking with {RANK}")
    print(f"{'length':>6} {'search top-20 ms (median/p95)':>30} {'with bm25':>14} {'exact set ms':>16} {'LIKE scan ms':>16} {'scan/search':>12}")
    for length in (1, 2, 3, 6):
        qs = queries(archive, length, args.queries, rng)
        ranked = timed(lambda q: index.search(q, limit=20), qs)
        bm25 = timed(lambda q: index.search(q, limit=20, rank="bm25"), qs)
        exact = timed(index.site_ids, qs)
        scanned = timed(lambda q: archive.db.execute(like, {"p": f"%{q}%"}).fetchall(), qs[: args.scan_queries])
        ratio = statistics.median(scanned) / statistics.median(ranked)
        print(f"{length:>6} {statistics.median(ranked):>17.1f} / {p95(ranked):<10.1f} "
              f"{statistics.median(bm25):>6.1f} / {p95(bm25):<5.1f} {statistics.median(exact):>7.1f} / {p95(exact):<6.1f} {statistics.median(scanned):>7.0f} / {p95(scanned):<6.0f}"
              f" {ratio:>10.0f}x")
    category = archive.db.execute("SELECT category FROM articles GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1").fetchone()[0]
    last = archive.db.execute("SELECT max(published_at) FROM articles").fetchone()[0]
    since = f"{int(last[:4]) - 1}{last[4:10]}"
    print(f"\n{'length':>6} {f'category {category}':>24} {f'since {since}':>20} {'newest first':>20}   (ms, median / p95)")
    for length in (2, 6):
        qs = queries(archive, length, args.queries // 2, rng)
        cells = [timed(lambda q, f=filters: index.search(q, limit=20, **f), qs)
                 for filters in ({"category": category}, {"since": since}, {"newest": True})]
        print(f"{length:>6} " + " ".join(f"{statistics.median(t):>12.1f} / {p95(t):<7.1f}" for t in cells))
    print(f"\n{'trend of':>10} {'matches':>9} {'per month ms (median/max of 5)':>32}")
    for term in ("产业", "发展", "储能", "新能源", "氢能"):
        runs = timed(lambda q: trend(archive.db, [q], "month"), [term] * 5)
        print(f"{term:>10} {len(index.site_ids(term)):>9,} {statistics.median(runs):>19.0f} / {max(runs):<8.0f}")
    archive.close()


if __name__ == "__main__":
    main()
