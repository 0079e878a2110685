"""Item pipelines: validate what the spider parsed, and keep everything in the archive.

``ArchivePipeline`` owns the archive for the length of a crawl: it records the run, and hands every
write to a writer process (:mod:`crawler.runtime.writer`) that stores them beside the crawl, counting what
the writer reports. Besides items it listens to
Scrapy's signals, so that every response received (a 404 and robots.txt included) is stored raw,
and a page whose parsing raised or whose item was dropped is recorded as a failure with its reason.
At the end it writes the run's counts and logs a summary that names every failure.

How a run ends is its ``status``: ``finished``; ``interrupted`` (stopped by a signal: everything
received was stored, and the next run resumes); ``failed`` (writes were lost: the writer reported
them failed or never stored them, counted against the writes sent); or Scrapy's own close reason
(``closespider_timeout``…). Only a finished run is judged for health and for channels it must find.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.http import Request, Response
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.task import LoopingCall
from twisted.python.failure import Failure

from archive.store import Archive
from crawler.components import health
from crawler.components.media import MEDIA_FAILED
from crawler.components.walks import ChannelWalks
from crawler.config import setting
from crawler.parsing import site
from crawler.parsing.items import Article, ListingEnd, ListingPage, PageFailure
from crawler.runtime.lock import ArchiveLock, ArchiveLocked
from crawler.runtime.writer import ArchiveWriter, Report, WriterFailed

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
        self.path = setting(crawler.settings, "ARCHIVE_DB")
        self.store_responses = setting(crawler.settings, "ARCHIVE_STORE_RESPONSES")
        self.commit_seconds = setting(crawler.settings, "ARCHIVE_COMMIT_SECONDS")
        self.busy_timeout = setting(crawler.settings, "ARCHIVE_BUSY_TIMEOUT")
        self.archive: Archive | None = None
        self.writer: ArchiveWriter | None = None
        self.lock = ArchiveLock(self.path)
        self.reporter = LoopingCall(self._read_reports)
        self.run_id = 0
        self.channels: set[str] = set()
        self.walks = ChannelWalks()
        self.sent = 0  # writes handed to the writer
        self.stored = 0  # writes it reported stored
        self.lost_reasons: list[str] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.response_received, signal=signals.response_received)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.spider_error, signal=signals.spider_error)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.media_failed, signal=MEDIA_FAILED)
        return pipeline

    # --- the archive's lifetime ------------------------------------------------------------------

    def open_spider(self) -> None:
        try:
            self.lock.acquire()
        except ArchiveLocked as locked:
            logger.warning("Not crawling into %s: %s (lock file %s)", self.path, locked, self.lock.path)
            self.stats.set_value("chinasei/archive_locked", str(locked))
            return
        except OSError as error:  # no such folder, no permission
            self._not_crawling(f"cannot use {self.path}: {error.strerror or error} ({error.filename or self.lock.path})")
            return
        try:
            self.archive = Archive(self.path, busy_timeout=self.busy_timeout)
            self.run_id = self.archive.start_run(getattr(self.crawler.spider, "fetch_origin", site.CANONICAL_ORIGIN))
            self.walks = ChannelWalks(self.archive.known_article_ids())
        except sqlite3.Error as error:
            self._not_crawling(unusable_archive(self.path, error, self.busy_timeout))
            if self.archive is not None:
                self.archive.close()
            self.archive = None
            self.lock.release()
            return
        self.crawler.spider.archive_run_id = self.run_id
        logger.info("Archiving to %s as run %d", self.path, self.run_id)
        self.writer = ArchiveWriter(self.path, self.commit_seconds, self.busy_timeout)
        self.reporter.start(self.commit_seconds, now=False)

    def _not_crawling(self, message: str) -> None:
        """The archive cannot be used: say why in one line; the spider stops before its first request."""
        logger.error("Not crawling: %s", message)
        self.stats.set_value("chinasei/archive_unavailable", message)

    def _write(self, method: str, *args: Any) -> None:
        """Hand a write to the writer process; if it is gone, say so once and stop the crawl."""
        assert self.writer is not None
        self.sent += 1
        try:
            self.writer.submit(method, *args)
        except WriterFailed as failed:
            if not self.stats.get_value("chinasei/writer_failed"):
                self._read_reports()  # the writer's own word on why it stopped, if it sent one
                why = self.lost_reasons[-1] if self.lost_reasons else str(failed)
                logger.error("Stopping the crawl: %s. Nothing more can be stored in %s", why, self.path)
                self.stats.set_value("chinasei/writer_failed", why)
                deferred_from_coro(self.crawler.engine.close_spider_async(reason="archive_writer_failed"))

    def _read_reports(self, reports: list[Report] | None = None) -> None:
        """Count what the writer stored, and log each write that failed."""
        assert self.writer is not None
        for report in self.writer.reports() if reports is None else reports:
            self.stored += report.stored
            for outcome, count in report.outcomes.items():
                self.stats.inc_value(f"chinasei/articles/{outcome}", count)
            for error in report.errors:
                logger.error("Could not store %s", error)
                self.stats.inc_value("chinasei/store_errors")
                self.lost_reasons.append(error)
            if report.fatal and report.fatal not in self.lost_reasons:
                logger.error("The archive writer stopped: %s", report.fatal)
                self.lost_reasons.append(report.fatal)
                self.writer.failed = self.writer.failed or report.fatal

    def close_spider(self) -> None:
        """Let the writer store everything sent, and count what it could not."""
        if self.archive is None:
            return
        if self.reporter.running:
            self.reporter.stop()
        if self.writer is not None:
            self._read_reports(self.writer.reports() + self.writer.close())
            if self.writer.failed and self.writer.failed not in self.lost_reasons:
                self.lost_reasons.append(self.writer.failed)
        lost = self.sent - self.stored
        self.stats.set_value("chinasei/writes_sent", self.sent)
        self.stats.set_value("chinasei/writes_lost", lost)
        if lost:
            logger.error("%d of %d writes were not stored in %s: %s", lost, self.sent, self.path,
                         self.lost_reasons[0] if self.lost_reasons else "the archive writer stopped")

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Record how the run ended (Scrapy gives the reason only now, after the pipelines closed)."""
        if self.archive is None:
            return
        status = run_status(reason, self.stats.get_value("chinasei/writes_lost", 0))
        self.stats.set_value("chinasei/run_status", status)
        try:
            self._finish(status)
        except sqlite3.Error as error:
            logger.error("Could not record the end of run %d in %s: %s", self.run_id, self.path, error)
            self.stats.set_value("chinasei/run_status", "failed")
        finally:
            self.archive.close()
            self.lock.release()

    def _finish(self, status: str) -> None:
        assert self.archive is not None
        judged = status == "finished" and self.stats.get_value("downloader/response_count", 0) > 0
        missing = self._check_required_channels() if judged else []
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
        counts.update(self._health(stats, missing, judged))
        self.archive.finish_run(self.run_id, status, counts, {k: _plain(v) for k, v in stats.items()})
        self._log_summary(counts)

    def _health(self, stats: dict[str, Any], missing_channels: list[str], judged: bool) -> dict[str, Any]:
        """Fill rates, responses by status and the health verdict, judged against recent runs (a
        run that did not finish is not judged: its gaps are not the site's)."""
        assert self.archive is not None
        parsed = stats.get("chinasei/parsed", 0)
        rates = health.fill_rates({n: stats.get(f"chinasei/fill/{n}", 0) for n in health.WATCHED}, parsed)
        history = []
        for run in self.archive.recent_runs(self.run_id):
            fill = json.loads(run["field_fill"] or "{}")
            if fill.get("parsed", 0) >= health.MIN_PARSED:
                history.append(fill["rates"])
        warnings = health.assess(rates, parsed, history, stats.get("chinasei/empty_listings", 0)) if judged else []
        if judged:
            warnings += health.media(stats.get("chinasei/media/downloaded", 0), stats.get("chinasei/media/failed", 0))
        warnings += [f"channel {name} was not found" for name in missing_channels]
        for warning in warnings:
            logger.error("Health: %s — has the portal changed its templates? See crawler/parsing/site.py", warning)
        by_status = {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("downloader/response_status_count/")}
        return {
            "responses_by_status": json.dumps(by_status),
            "field_fill": json.dumps({"parsed": parsed, "rates": rates}),
            "health": ("unhealthy" if warnings else "ok") if judged else "not judged",
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
                "compare a page with crawler/parsing/site.py",
                fallbacks,
            )

    # --- items -----------------------------------------------------------------------------------

    def process_item(self, item: Any) -> Any:
        if self.archive is None:
            return item
        if isinstance(item, Article):
            self._write("save_article", self.run_id, item)
            self._mark_walked(self.walks.settle(item.site_id))
        elif isinstance(item, ListingPage):
            self._write("save_listing", self.run_id, item)
            self.channels.add(item.channel or "")
            self.stats.inc_value("chinasei/listing_pages")
            self._mark_walked(self.walks.listing(item))
        elif isinstance(item, PageFailure):
            self._record_failure(item)
        elif isinstance(item, ListingEnd):
            self._mark_walked(self.walks.ended(item))
        return item

    def _record_failure(self, failure: PageFailure) -> None:
        """A page that gave no article; a failed article is an outcome that may complete a channel."""
        self._write("record_failure", self.run_id, failure)
        self.stats.inc_value("chinasei/failures")
        if failure.kind == "article":
            self._mark_walked(self.walks.settle(site.site_id(failure.url)))

    def _mark_walked(self, folder_urls: list[str]) -> None:
        """Channels read to their end, every article's outcome sent before: the writer stores the
        mark after them."""
        for url in folder_urls:
            self._write("mark_walked", self.run_id, url)

    # --- signals ---------------------------------------------------------------------------------

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        """Keep the response as received; a medium's always (it is the archive's copy of it)."""
        kind = request.meta.get("kind") or ("robots" if response.url.endswith("/robots.txt") else "other")
        if self.archive is None or not (self.store_responses or kind == "media"):
            return
        origin = getattr(spider, "fetch_origin", site.CANONICAL_ORIGIN)
        headers, sent = _plain_headers(response.headers), _plain_headers(request.headers)
        url = site.to_canonical(response.url, origin)
        if kind == "media" and response.status == 200:
            url = request.meta.get("media_url", url)  # what the article names, where a redirect led
        self._write(
            "record_response", self.run_id, url, response.url, response.status, headers,
            response.body, kind, (request.method, sent),
        )

    def media_failed(self, failure: PageFailure) -> None:
        """An image or attachment that could not be fetched: a failure of that medium alone."""
        if self.archive is not None:
            self._record_failure(failure)

    def item_dropped(self, item: Any, response: Response, exception: BaseException, spider: Spider) -> None:
        if self.archive is not None and isinstance(item, Article):
            self._record_failure(PageFailure(url=item.url, kind="article", reason=str(exception)))

    def spider_error(self, failure: Failure, response: Response | None, spider: Spider) -> None:
        if self.archive is None or response is None:  # no response: an error in the start requests, logged by Scrapy
            return
        origin = getattr(spider, "fetch_origin", site.CANONICAL_ORIGIN)
        reason = f"parse error: {failure.type.__name__}: {failure.getErrorMessage()}"
        kind = response.meta.get("kind", "page") if response.request else "page"
        first_url = response.meta.get("redirect_urls", [response.url])[0] if response.request else response.url
        url = site.to_canonical(first_url, origin)
        self._record_failure(PageFailure(url=url, kind=kind, reason=reason, status=response.status))


def _plain_headers(headers: Any) -> dict[str, list[str]]:
    """Scrapy's headers (bytes) as text: name to values."""
    return {k.decode("latin-1"): [v.decode("latin-1") for v in vs] for k, vs in headers.items()}


def run_status(reason: str, lost_writes: int) -> str:
    """A run's status from Scrapy's close reason and the writes it lost."""
    if lost_writes or reason == "archive_writer_failed":
        return "failed"
    return {"shutdown": "interrupted"}.get(reason, reason)


def unusable_archive(path: str, error: sqlite3.Error, busy_timeout: float) -> str:
    """Why an archive cannot be crawled into, in one line."""
    text = str(error)
    if "locked" in text or "busy" in text:
        return f"{path} is locked by another program (waited {busy_timeout:g} s: {text})"
    if "not a database" in text or "malformed" in text:
        return f"{path} is not a usable SQLite archive ({text})"
    return f"cannot use {path}: {text}"


def _plain(value: Any) -> Any:
    """A stats value as JSON can hold it."""
    return value if isinstance(value, (int, float, str, bool, type(None))) else str(value)
