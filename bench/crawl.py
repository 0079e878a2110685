"""Crawling at scale: our spider against a bare Scrapy spider fetching the same URLs, and an
incremental re-crawl of the unchanged site against the full crawl — measured in one run.

    python bench/crawl.py                      # the saved site plus 20,000 generated articles
    python bench/crawl.py --articles 100000

The site copy is the saved site's templates with generated articles of realistic Chinese text
added to its channels (tests/sitebuilder), served on 127.0.0.1 by Twisted's static file server in
its own process. Politeness is off for the loopback server. Peak memory is the crawl process's
maximum resident set size.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.conftest import query  # noqa: E402
from tests.sitebuilder.build import build  # noqa: E402
from tests.sitebuilder.generated import specs  # noqa: E402

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS=32",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=32", "-s", "LOG_LEVEL=WARNING", "-s", "ARCHIVE_PROGRESS_INTERVAL=0"]
BARE = '''
import scrapy

class Bare(scrapy.Spider):
    """Fetch a list of URLs and discard the responses: Scrapy's own floor on this machine."""
    name = "bare"
    custom_settings = {"ROBOTSTXT_OBEY": False}

    async def start(self):
        for url in open(self.urls, encoding="utf-8").read().split():
            yield scrapy.Request(url, callback=self.discard, errback=self.discard, dont_filter=True)

    def discard(self, _):
        return None
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: Runs a command and prints its peak resident memory: a fresh process, so the figure is that run's alone.
PEAK = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, "
        "stderr=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def timed_run(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak resident memory (MiB) of a command run to its end."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PEAK, *command], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                          check=True, capture_output=True, text=True)
    return time.perf_counter() - started, int(done.stdout.split()[-1]) // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=20_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="chinasei-bench-"))
    started = time.perf_counter()
    build(work / "www", extra=specs(args.articles))
    print(f"site with {args.articles:,} generated articles written in {time.perf_counter() - started:.0f} s", flush=True)
    port = free_port()
    server = subprocess.Popen([shutil.which("twistd") or "twistd", "-n", "--pidfile=", "web", "--path", str(work / "www"),
                               "--listen", f"tcp:{port}:interface=127.0.0.1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    time.sleep(2)
    try:
        db = work / "archive.db"
        full_time, full_peak = timed_run([sys.executable, "-m", "scrapy", "crawl", "chinasei", "-a", f"base_url={base}",
                                          "-s", f"ARCHIVE_DB={db}", "-s", "ARCHIVE_INCREMENTAL=False", *FAST])
        urls = [fetched for (fetched,) in query(db, "SELECT fetched_url FROM responses")]
        articles = query(db, "SELECT COUNT(*) FROM articles")[0][0]
        (work / "urls.txt").write_text("\n".join(urls), encoding="utf-8")
        (work / "bare.py").write_text(BARE, encoding="utf-8")
        bare_time, bare_peak = timed_run([sys.executable, "-m", "scrapy", "runspider", str(work / "bare.py"),
                                          "-a", f"urls={work / 'urls.txt'}", *FAST])
        again_time, _ = timed_run([sys.executable, "-m", "scrapy", "crawl", "chinasei", "-a", f"base_url={base}",
                                   "-s", f"ARCHIVE_DB={db}", *FAST])
        full_requests, again_requests = (r for (r,) in query(db, "SELECT requests FROM runs ORDER BY id"))
    finally:
        server.terminate()
        server.wait()
    print(f"full crawl:  {len(urls):,} pages, {articles:,} articles archived, {full_time:.0f} s, "
          f"{len(urls) / full_time:.0f} pages/s, peak {full_peak} MiB")
    print(f"bare spider: {len(urls):,} pages, {bare_time:.0f} s, {len(urls) / bare_time:.0f} pages/s, peak {bare_peak} MiB")
    print(f"our rate is {bare_time / full_time:.0%} of the bare spider's")
    print(f"incremental re-crawl of the unchanged site: {again_requests:,} requests ({again_requests / full_requests:.2%} "
          f"of the full crawl's {full_requests:,}), {again_time:.1f} s")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
