"""Running a crawl from Python (the CLI and the tests use this), the way ``scrapy crawl`` does.

    from crawler.run import crawl
    run = crawl(db="archive.db")                                   # the live portal, politely
    run = crawl(base_url="http://127.0.0.1:8000", db="copy.db", settings=LOCAL_COPY)
"""

from __future__ import annotations

import os
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

    Runs Scrapy's reactor, so it can be called once per process.
    """
    process = CrawlerProcess(project_settings(db, settings))
    crawler = process.create_crawler(ChinaseiSpider)
    process.crawl(crawler, base_url=base_url)
    process.start()
    locked = crawler.stats.get_value("chinasei/archive_locked")
    if locked:
        return {"status": "archive_locked", "message": locked}
    run_id = getattr(crawler.spider, "archive_run_id", None)
    if run_id is None:
        raise RuntimeError("the crawl did not open the archive; see the log above")
    archive = Archive(db)
    try:
        return {**archive.run(run_id), "failure_list": archive.failures(run_id)}
    finally:
        archive.close()
