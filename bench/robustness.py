"""The figures behind the README's promises: crawls of the saved site through the fault-injecting
server, for several seeds, two runs each (the second one is the scheduled retry).

    python bench/robustness.py [--seeds 5]

Prints, per seed: requests made, faults injected by kind, failures recorded, and articles lost
(archived articles missing or different from the site's truth after the two runs).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import SAVED, archived_articles, expected_items, query, scrapy_crawl  # noqa: E402
from tests.faultserver import FaultPlan, serve_faulty  # noqa: E402
from tests.test_article_pages import FIELDS  # noqa: E402

FAULTY = ["-s", "DOWNLOAD_TIMEOUT=1", "-s", "RETRY_TIMES=2"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    truth = expected_items()
    totals: Counter[str] = Counter()
    print(f"{'seed':>4} {'requests':>9} {'faults':>7}  {'by kind':<70} {'failures':>8} {'lost':>5}")
    for seed in range(1, args.seeds + 1):
        plan = FaultPlan(seed)
        with tempfile.TemporaryDirectory() as folder:
            db = Path(folder) / "a.db"
            with serve_faulty(SAVED / "www", plan) as url:
                scrapy_crawl(url, db, *FAULTY)
                scrapy_crawl(url, db, *FAULTY)
            archived = archived_articles(db)
            lost = sum(1 for site_id, item in truth.items()
                       if site_id not in archived or any(archived[site_id][k] != item[k] for k in FIELDS))
            requests = sum(json.loads(s)["downloader/request_count"] for (s,) in query(db, "SELECT stats FROM runs"))
            failures = query(db, "SELECT COUNT(*) FROM failures")[0][0]
        injected = sum(plan.injected.values())
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(plan.injected.items()))
        print(f"{seed:>4} {requests:>9} {injected:>7}  {kinds:<70} {failures:>8} {lost:>5}")
        totals.update(requests=requests, faults=injected, failures=failures, lost=lost)
    print(f"{'all':>4} {totals['requests']:>9} {totals['faults']:>7}  {'':<70} {totals['failures']:>8} {totals['lost']:>5}")


if __name__ == "__main__":
    main()
