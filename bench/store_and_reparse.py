"""Storing and re-parsing at scale: articles per second written (raw page, item and search index),
bytes per article, raw pages' compression, media bytes per article, and re-parsing on one core
against all of them.

    python bench/store_and_reparse.py                  # 5,000 articles
    python bench/store_and_reparse.py --articles 100000
    python bench/store_and_reparse.py --images-per-article 0.5 --image-kib 150

Images: each article shows ``--images-per-article`` photographs on average, of ``--image-kib`` each
(incompressible bytes in a JPEG's frame, as a photograph is), each stored as the crawl stores a
medium: its response, and its bytes once in ``media``. The archive's size is reported with and
without them, so the cost of keeping media in the one file shows apart from the media themselves.

Pages are generated articles (tests/sitebuilder/corpus.py) rendered with the saved site's article
template, so they carry the real page chrome.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.store import Archive  # noqa: E402
from crawler.ops.reparse import reparse  # noqa: E402
from crawler.parsing.article import parse_article_response  # noqa: E402
from tests.sitebuilder import corpus, render  # noqa: E402
from tests.sitebuilder.content import Spec  # noqa: E402
from tests.sitebuilder.generated import photograph, photograph_count  # noqa: E402

LISTING = (Path(__file__).resolve().parents[1] / "saved_site/www/lpz/index.html").read_bytes()


def page(article) -> tuple[str, bytes]:
    """The article as the portal would serve it."""
    shown = article.published_at[:16].replace("T", " ")
    spec = Spec(article.site_id, "/lpz/", article.title, shown, article.published_at,
                [("p", p) for p in article.body.split("\n")], lead=f"（记者 {article.reporters[0]}）",
                people={"reporters": article.reporters})
    return render.LIVE + spec.path, render.article_page(spec, "notes", []).encode("utf-8")


def photographs(url: str, count: float, kib: int, rng: random.Random) -> list[tuple[str, bytes]]:
    """The images an article shows: about ``count`` of ``kib`` KiB each, each its own bytes."""
    shown = photograph_count(count, rng)
    folder = url.rsplit("/", 1)[0]
    return [(f"{folder}/W0{rng.getrandbits(60):018d}.jpg", photograph(kib, rng)) for _ in range(shown)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--images-per-article", type=float, default=0.5)
    parser.add_argument("--image-kib", type=int, default=150)
    args = parser.parse_args()
    rng = random.Random(5)
    pages = [page(a) for a in corpus.articles(args.articles)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        archive = Archive(path)
        run = archive.start_run("bench")
        archive.record_response(run, render.LIVE + "/lpz/", "bench", 200, {}, LISTING, "listing")
        started = time.perf_counter()
        archive.begin_batch()  # as the crawl's writer does: a transaction a second, indexed at its commit
        committed = started
        for url, body in pages:
            archive.record_response(run, url, "bench", 200, {"Content-Type": ["text/html"]}, body, "article")
            archive.save_article(run, parse_article_response(url, body, "text/html"))
            for image_url, image in photographs(url, args.images_per_article, args.image_kib, rng):
                archive.record_response(run, image_url, "bench", 200, {"Content-Type": ["image/jpeg"]}, image, "media")
            if time.perf_counter() - committed >= 1.0:
                archive.commit()
                archive.begin_batch()
                committed = time.perf_counter()
        archive.commit()
        written = time.perf_counter() - started
        stats = archive.stats()
        archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the size of the file as it stays, not of the log beside it
        size = path.stat().st_size + sum(p.stat().st_size for p in Path(folder).glob("bench.db-*"))
        media = stats["media"]
        pages_only = size - media["bytes"]
        print(f"{args.articles:,} articles: stored (raw page + parse + item + index + media) at {args.articles / written:,.0f}/s")
        print(f"media: {media['files']:,} images, {media['bytes'] / args.articles / 1024:.1f} KiB per article "
              f"({media['bytes'] / 1e6:.1f} MB)")
        print(f"archive {size / 1e6:.1f} MB, {size / args.articles / 1024:.1f} KiB per article with media, "
              f"{pages_only / args.articles / 1024:.1f} KiB without; raw pages "
              f"{stats['raw_bytes'] / 1e6:.1f} MB kept in {stats['stored_bytes'] / 1e6:.1f} MB "
              f"({stats['stored_bytes'] / stats['raw_bytes']:.1%})")
        times = {}
        for workers in (1, os.cpu_count() or 1):
            started = time.perf_counter()
            report = reparse(archive, dry_run=True, workers=workers)
            times[workers] = time.perf_counter() - started
            print(f"re-parse, {workers} worker(s): {args.articles / times[workers]:,.0f} articles/s "
                  f"({dict(report.outcomes)})")
        print(f"speed-up on {os.cpu_count()} cores: {times[1] / times[max(times)]:.2f}×")
        archive.close()


if __name__ == "__main__":
    main()
