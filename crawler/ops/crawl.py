"""Running a crawl from Python (the CLI and the tests use this), the way ``scrapy crawl`` does.

    from crawler.ops.crawl import crawl
    run = crawl(db="archive.db")                                   # the live portal, politely
    run = crawl(base_url="http://127.0.0.1:8000", db="copy.db", settings=LOCAL_COPY)
"""

from __future__ import annotations

import os
import signal
import sqlite3
from collections.abc import Mapping
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.utils.project import get_project_settings

from archive.runs import RunStatus
from archive.store import Archive, NotAnArchive, NotFoundError
from crawler.components.archive_run import ArchiveRun
from crawler.runtime import interrupts
from spiders.chinasei import ChinaseiSpider

#: A copy of the site on this machine needs no politeness delays.
LOCAL_COPY: dict[str, Any] = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
}


def project_settings(db: str, overrides: Mapping[str, Any] | None = None) -> Any:
    """The project's Scrapy settings with the archive path and any overrides applied."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    settings.set("ARCHIVE_DB", db, priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def crawl(base_url: str | None = None, db: str = "archive.db", settings: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Crawl the portal (or the copy at ``base_url``) into ``db``; returns the run with its failures.

    Runs Scrapy's reactor, so it can be called once per process. The result's ``status`` is how
    the run ended (a :class:`~archive.runs.RunStatus` value), with a ``message`` when it never began.
    """
    # Ctrl-C and SIGTERM are noted, not raised, while the crawl is set up: Scrapy installs its own
    # handlers (an orderly stop) only once its reactor runs, and a KeyboardInterrupt before then
    # breaks the setup half-way, with a traceback and no run recorded.
    with interrupts.noted(signal.SIGINT, signal.SIGTERM) as held:
        process = CrawlerProcess(project_settings(db, settings))
        crawler = process.create_crawler(ChinaseiSpider)
        process.crawl(crawler, base_url=base_url)
    if held:  # Ctrl-C while the crawl was being set up: sent again once Scrapy's own handlers stop it in order
        from twisted.internet import reactor

        reactor.callWhenRunning(reactor.callLater, 0, os.kill, os.getpid(), held[0])
    process.start()
    return run_result(crawler, db)


def run_result(crawler: Crawler, db: str) -> dict[str, Any]:
    """What a finished crawl did: its ``runs`` row and failures, with how it ended."""
    run = ArchiveRun.of(crawler)
    if run.active:  # stopped (Ctrl-C as it started) before its spider closed: close its run in order now
        run.spider_closed(crawler.spider, "shutdown")
    outcome = run.outcome
    if outcome.run_id is None:
        message = outcome.message or "the crawl did not open the archive; see the log above"
        status = outcome.status if outcome.status in (RunStatus.LOCKED, RunStatus.UNAVAILABLE) else RunStatus.UNAVAILABLE
        return {"status": status.value, "message": message}
    ended = {"status": outcome.status.value, "lost_writes": outcome.writes_lost, "writes_sent": outcome.writes_sent,
             "lost_because": outcome.message}
    archive = None
    try:
        archive = Archive.read_only(db)
        return {**archive.run(outcome.run_id), "failure_list": archive.failures(outcome.run_id), **ended}
    except (sqlite3.Error, NotAnArchive, NotFoundError) as error:
        # the run's row cannot be read back (the file is gone, or another one now): what the crawl knows will do
        return {"id": outcome.run_id, "responses": crawler.stats.get_value("downloader/response_count", 0),
                "failure_list": [], "message": str(error), **ended}
    finally:
        if archive is not None:
            archive.close()
