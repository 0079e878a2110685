"""Running a crawl from Python (the CLI and the tests use this), the way ``scrapy crawl`` does.

    from crawler.ops.crawl import crawl
    run = crawl(db="archive.db")                                   # the live portal, politely
    run = crawl(base_url="http://127.0.0.1:8000", db="copy.db", settings=LOCAL_COPY)
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Mapping
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

from archive.store import Archive
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
    the run ended (``finished``, ``interrupted``, ``failed``…; see :mod:`crawler.components.pipelines`), or
    ``archive_locked`` / ``archive_unavailable`` with a ``message`` when it never started.
    """
    process = CrawlerProcess(project_settings(db, settings))
    crawler = process.create_crawler(ChinaseiSpider)
    process.crawl(crawler, base_url=base_url)
    process.start()
    stats = crawler.stats
    for unusable in ("archive_locked", "archive_unavailable"):
        if stats.get_value(f"chinasei/{unusable}"):
            return {"status": unusable, "message": stats.get_value(f"chinasei/{unusable}")}
    run_id = getattr(crawler.spider, "archive_run_id", None)
    if run_id is None:
        return {"status": "archive_unavailable", "message": "the crawl did not open the archive; see the log above"}
    ended = {"status": stats.get_value("chinasei/run_status", "failed"), "lost_writes": stats.get_value("chinasei/writes_lost", 0),
             "writes_sent": stats.get_value("chinasei/writes_sent", 0)}
    try:
        archive = Archive(db)
    except sqlite3.Error as error:  # the run's row cannot be read back: what the crawl knows will do
        return {"id": run_id, "responses": stats.get_value("downloader/response_count", 0), "failure_list": [],
                "message": str(error), **ended}
    try:
        return {**archive.run(run_id), "failure_list": archive.failures(run_id), **ended}
    finally:
        archive.close()
