"""Item pipelines: validate what the spider parsed, and keep everything in the archive.

``ArchivePipeline`` owns the archive for the length of a crawl: it records the run, and hands every
write to a writer process (:mod:`archive.writer`) that stores them beside the crawl, counting what
the writer reports. Besides items it listens to
Scrapy's signals, so that every response received (a 404 and robots.txt included) is stored raw,
and a page whose parsing raised or whose item was dropped is recorded as a failure with its reason.
At the end it writes the run's counts and logs a summary that names every failure.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.http import Request, Response
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.task import LoopingCall
from twisted.python.failure import Failure

from archive.store import Archive
from archive.writer import ArchiveWriter, Report, WriterFailed
from crawler import health, site
from crawler.items import Article, ListingEnd, ListingPage, PageFailure
from crawler.lock import ArchiveLock, ArchiveLocked

logger = logging.getLogger(__name__)

class ValidationPipeline:
    """Drop articles the archive cannot file (no id, title or date); count fallbacks and problems."""

    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidationPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        self._count_fill(item)
        reason = item.unfileable()
        if reason:
            raise DropItem(reason)
        for name in item.fallbacks:
            self.stats.inc_value(f"chinasei/fallback/{name}")
        for problem in item.problems:
            logger.warning("%s: %s", item.url, problem)
            self.stats.inc_value("chinasei/article_problems")
        return item

    def _count_fill(self, item: Article) -> None:
        """Count, before any page is dropped, which watched fields this page had."""
        self.stats.inc_value("chinasei/parsed")
        filled = {
            "title": item.title, "published_at": item.published_at, "body": item.body or item.images,
            "category": item.category, "images": item.images,
            "byline": item.reporters or item.correspondents or item.photographers or item.authors or item.source,
        }
        for name in health.WATCHED:
            if filled[name]:
                self.stats.inc_value(f"chinasei/fill/{name}")


class ArchivePipeline:
    """Store articles, listings, raw responses and failures in the archive given by ``ARCHIVE_DB``."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = crawler.settings.get("ARCHIVE_DB")
        self.store_responses = crawler.settings.getbool("ARCHIVE_STORE_RESPONSES", True)
        self.commit_seconds = crawler.settings.getfloat("ARCHIVE_COMMIT_SECONDS", 1.0)
        self.archive: Archive | None = None
        self.writer: ArchiveWriter | None = None
        self.lock = ArchiveLock(self.path)
        self.reporter = LoopingCall(self._read_reports)
        self.run_id = 0
        self.channels: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.response_received, signal=signals.response_received)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.spider_error, signal=signals.spider_error)
        return pipeline

    # --- the archive's lifetime ------------------------------------------------------------------

    def open_spider(self) -> None:
        try:
            self.lock.acquire()
        except ArchiveLocked as locked:
            logger.warning("Not crawling into %s: %s (lock file %s)", self.path, locked, self.lock.path)
            self.stats.set_value("chinasei/archive_locked", str(locked))
            return
        self.archive = Archive(self.path)
        self.run_id = self.archive.start_run(getattr(self.crawler.spider, "fetch_origin", site.CANONICAL_ORIGIN))
        self.crawler.spider.archive_run_id = self.run_id
        logger.info("Archiving to %s as run %d", self.path, self.run_id)
        self.writer = ArchiveWriter(self.path, self.commit_seconds)
        self.reporter.start(self.commit_seconds, now=False)

    def _write(self, method: str, *args: Any) -> None:
        """Hand a write to the writer process; if it is gone, say so once and stop the crawl."""
        assert self.writer is not None
        try:
            self.writer.submit(method, *args)
        except WriterFailed as failed:
            if not self.stats.get_value("chinasei/writer_failed"):
                logger.error("Stopping the crawl: %s. Nothing more can be stored in %s", failed, self.path)
                self.stats.set_value("chinasei/writer_failed", str(failed))
                deferred_from_coro(self.crawler.engine.close_spider_async(reason="archive_writer_failed"))

    def _read_reports(self, reports: list[Report] | None = None) -> None:
        """Count what the writer stored, and log each write that failed."""
        assert self.writer is not None
        for report in self.writer.reports() if reports is None else reports:
            for outcome, count in report.outcomes.items():
                self.stats.inc_value(f"chinasei/articles/{outcome}", count)
            for error in report.errors:
                logger.error("Could not store %s", error)
                self.stats.inc_value("chinasei/store_errors")

    def close_spider(self) -> None:
        if self.archive is None:
            return
        if self.reporter.running:
            self.reporter.stop()
        if self.writer is not None:
            self._read_reports(self.writer.reports() + self.writer.close())
            if self.writer.failed:
                logger.error("The archive writer failed: %s; the last writes may be lost", self.writer.failed)
        missing = self._check_required_channels()
        stats = self.stats.get_stats()
        counts = {
            "requests": stats.get("downloader/request_count", 0),
            "responses": stats.get("downloader/response_count", 0),
            "listing_pages": stats.get("chinasei/listing_pages", 0),
            "articles_new": stats.get("chinasei/articles/new", 0),
            "articles_updated": stats.get("chinasei/articles/updated", 0),
            "articles_unchanged": stats.get("chinasei/articles/unchanged", 0),
            "failures": len(self.archive.failures(self.run_id)),
        }
        counts.update(self._health(stats, missing))
        reason = stats.get("finish_reason", "finished")
        self.archive.finish_run(self.run_id, reason, counts, {k: _plain(v) for k, v in stats.items()})
        self._log_summary(counts)
        self.archive.close()
        self.lock.release()

    def _health(self, stats: dict[str, Any], missing_channels: list[str]) -> dict[str, Any]:
        """Fill rates, responses by status and the health verdict, judged against recent runs."""
        assert self.archive is not None
        parsed = stats.get("chinasei/parsed", 0)
        rates = health.fill_rates({n: stats.get(f"chinasei/fill/{n}", 0) for n in health.WATCHED}, parsed)
        history = []
        for run in self.archive.recent_runs(self.run_id):
            fill = json.loads(run["field_fill"] or "{}")
            if fill.get("parsed", 0) >= health.MIN_PARSED:
                history.append(fill["rates"])
        warnings = health.assess(rates, parsed, history, stats.get("chinasei/empty_listings", 0))
        warnings += [f"channel {name} was not found" for name in missing_channels]
        for warning in warnings:
            logger.error("Health: %s — has the portal changed its templates? See crawler/site.py", warning)
        by_status = {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("downloader/response_status_count/")}
        return {
            "responses_by_status": json.dumps(by_status),
            "field_fill": json.dumps({"parsed": parsed, "rates": rates}),
            "health": "unhealthy" if warnings else "ok",
            "warnings": json.dumps(warnings, ensure_ascii=False),
        }

    def _check_required_channels(self) -> list[str]:
        """A channel every crawl must find (领跑者) that this one did not is a failure of the run;
        returns the missing ones."""
        assert self.archive is not None
        missing = [name for name in site.REQUIRED_CHANNELS if name not in self.channels]
        for name in missing:
            logger.error("Channel %s was not found from the home page or any page it links to", name)
            self.stats.set_value(f"chinasei/missing_channel/{name}", 1)
            reason = f"channel {name} not found: the home page no longer links it"
            self.archive.record_failure(self.run_id, PageFailure(url=site.HOME_URL, kind="channel", reason=reason))
        return missing

    def _log_summary(self, counts: dict[str, int]) -> None:
        assert self.archive is not None
        total = counts["articles_new"] + counts["articles_updated"] + counts["articles_unchanged"]
        logger.info(
            "Run %d: %d articles (%d new, %d updated, %d unchanged) from %d listing pages; %d failures",
            self.run_id, total, counts["articles_new"], counts["articles_updated"], counts["articles_unchanged"],
            counts["listing_pages"], counts["failures"],
        )
        for failure in self.archive.failures(self.run_id):
            logger.warning("  failed %s [%s] %s", failure["url"], failure["kind"], failure["reason"])
        fallbacks = {k.rsplit("/", 1)[1]: v for k, v in self.stats.get_stats().items() if k.startswith("chinasei/fallback/")}
        if fallbacks:
            logger.warning(
                "Generic fallbacks were needed (field: articles) %s: the portal's templates may have changed; "
                "compare a page with crawler/site.py",
                fallbacks,
            )

    # --- items -----------------------------------------------------------------------------------

    def process_item(self, item: Any) -> Any:
        if self.archive is None:
            return item
        if isinstance(item, Article):
            self._write("save_article", self.run_id, item)
        elif isinstance(item, ListingPage):
            self._write("save_listing", self.run_id, item)
            self.channels.add(item.channel or "")
            self.stats.inc_value("chinasei/listing_pages")
        elif isinstance(item, PageFailure):
            self._write("record_failure", self.run_id, item)
            self.stats.inc_value("chinasei/failures")
        elif isinstance(item, ListingEnd):
            self._write("mark_walked", self.run_id, item.folder_url)
        return item

    # --- signals ---------------------------------------------------------------------------------

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        if self.archive is None or not self.store_responses:
            return
        origin = getattr(spider, "fetch_origin", site.CANONICAL_ORIGIN)
        kind = request.meta.get("kind") or ("robots" if response.url.endswith("/robots.txt") else "other")
        headers = {k.decode("latin-1"): [v.decode("latin-1") for v in vs] for k, vs in response.headers.items()}
        self._write(
            "record_response", self.run_id, site.to_canonical(response.url, origin), response.url, response.status, headers,
            response.body, kind,
        )

    def item_dropped(self, item: Any, response: Response, exception: BaseException, spider: Spider) -> None:
        if self.archive is not None and isinstance(item, Article):
            self._write("record_failure", self.run_id, PageFailure(url=item.url, kind="article", reason=str(exception)))

    def spider_error(self, failure: Failure, response: Response, spider: Spider) -> None:
        if self.archive is None:
            return
        origin = getattr(spider, "fetch_origin", site.CANONICAL_ORIGIN)
        reason = f"parse error: {failure.type.__name__}: {failure.getErrorMessage()}"
        kind = response.meta.get("kind", "page") if response.request else "page"
        url = site.to_canonical(response.url, origin)
        self._write("record_failure", self.run_id, PageFailure(url=url, kind=kind, reason=reason, status=response.status))


def _plain(value: Any) -> Any:
    """A stats value as JSON can hold it."""
    return value if isinstance(value, (int, float, str, bool, type(None))) else str(value)
