"""The run's life: the archive's lock, the run's row, the writer process and the count of its writes.

:class:`ArchiveRun` is a Scrapy extension, one per crawl. When the spider opens it takes the
archive's lock, records the run and starts the writer (:mod:`crawler.runtime.writer`); a crawl that
cannot have the archive is closed before its first request (Scrapy's ``CloseSpider`` from a
``spider_opened`` handler), with the reason as its outcome. The other components write through it
(:meth:`ArchiveRun.write`), so the writes sent are counted in one place, against what the writer
reports stored: a write lost for any reason is counted and fails the run. When the spider closes
it lets the writer store everything sent, decides the run's :class:`~archive.runs.RunStatus`, has
:class:`~crawler.components.run_report.RunReport` record and judge the run, and lets the lock go.

Components find it with ``ArchiveRun.of(crawler)``; the crawl's caller reads :attr:`ArchiveRun.outcome`.
"""

from __future__ import annotations

import logging
import sqlite3
import weakref
from dataclasses import dataclass
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.task import LoopingCall

from archive.runs import RunStatus
from archive.store import Archive, NotAnArchive
from crawler.components.ledger import RequestLedger
from crawler.components.run_report import RunReport
from crawler.config import setting
from crawler.parsing import site
from crawler.runtime.lock import ArchiveLock, ArchiveLocked
from crawler.runtime.writer import ArchiveWriter, Report, WriterFailed

logger = logging.getLogger(__name__)

_RUNS: weakref.WeakKeyDictionary[Crawler, ArchiveRun] = weakref.WeakKeyDictionary()


@dataclass
class Outcome:
    """How a crawl ended, as its caller needs it: the status, the run's id (None when it never
    began), why it never began, and the writes sent and lost."""

    status: RunStatus
    run_id: int | None = None
    message: str | None = None
    writes_sent: int = 0
    writes_lost: int = 0


class ArchiveRun:
    """One crawl's hold on the archive given by ``ARCHIVE_DB``."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = setting(crawler.settings, "ARCHIVE_DB")
        self.commit_seconds = setting(crawler.settings, "ARCHIVE_COMMIT_SECONDS")
        self.busy_timeout = setting(crawler.settings, "ARCHIVE_BUSY_TIMEOUT")
        self.lock = ArchiveLock(self.path)
        self.archive: Archive | None = None
        self.writer: ArchiveWriter | None = None
        self.reporter = LoopingCall(self._read_reports)
        self.run_id = 0
        self.sent = 0  # writes handed to the writer
        self.stored = 0  # writes it reported stored
        self.lost_reasons: list[str] = []
        self.outcome = Outcome(RunStatus.RUNNING)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveRun:
        run = cls(crawler)
        _RUNS[crawler] = run
        crawler.signals.connect(run.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(run.spider_closed, signal=signals.spider_closed)
        return run

    @classmethod
    def of(cls, crawler: Crawler) -> ArchiveRun:
        """The crawl's run (the extension is enabled in ``crawler.settings``)."""
        try:
            return _RUNS[crawler]
        except KeyError:
            raise RuntimeError("the ArchiveRun extension is not enabled (EXTENSIONS in crawler.settings)") from None

    @property
    def active(self) -> bool:
        """True while the archive is open for this crawl's writes."""
        return self.archive is not None

    @property
    def fetch_origin(self) -> str:
        """Where the crawl fetches from (the portal, or a copy of it)."""
        return getattr(self.crawler.spider, "fetch_origin", site.CANONICAL_ORIGIN)

    # --- opening ---------------------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        """Take the lock, record the run, start the writer; or close the crawl saying why not."""
        try:
            self.lock.acquire()
        except ArchiveLocked as locked:
            logger.warning("Not crawling into %s: %s (lock file %s)", self.path, locked, self.lock.path)
            self._refuse(RunStatus.LOCKED, str(locked))
        except OSError as error:  # no such folder, no permission
            self._refuse(RunStatus.UNAVAILABLE,
                         f"cannot use {self.path}: {error.strerror or error} ({error.filename or self.lock.path})")
        try:
            self.archive = Archive(self.path, busy_timeout=self.busy_timeout)
            self.run_id = self.archive.start_run(self.fetch_origin)
        except (sqlite3.Error, NotAnArchive) as error:
            if self.archive is not None:
                self.archive.close()
            self.archive = None
            self.lock.release()
            self._refuse(RunStatus.UNAVAILABLE, unusable_archive(self.path, error, self.busy_timeout))
        self.outcome.run_id = self.run_id
        for item in self.archive.repaired:
            logger.warning("The archive lacked %s: restored", item)
        logger.info("Archiving to %s as run %d", self.path, self.run_id)
        self.writer = ArchiveWriter(self.path, self.commit_seconds, self.busy_timeout, identity=self.archive.identity)
        self.reporter.start(self.commit_seconds, now=False)

    def _refuse(self, status: RunStatus, message: str) -> None:
        """The archive cannot be used: say why in one line; the crawl closes before its first request."""
        if status is RunStatus.UNAVAILABLE:
            logger.error("Not crawling: %s", message)
        self.outcome = Outcome(status, message=message)
        raise CloseSpider(status.value)

    # --- writing ---------------------------------------------------------------------------------

    def write(self, method: str, *args: Any) -> None:
        """Hand a write to the writer process; if it is gone, say so once and stop the crawl."""
        assert self.writer is not None
        self.sent += 1
        try:
            self.writer.submit(method, *args)
        except WriterFailed as failed:
            if self.outcome.status is not RunStatus.FAILED:
                self._read_reports()  # the writer's own word on why it stopped, if it sent one
                why = self.lost_reasons[-1] if self.lost_reasons else str(failed)
                logger.error("Stopping the crawl: %s. Nothing more can be stored in %s", why, self.path)
                self.outcome.status = RunStatus.FAILED
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

    # --- closing ---------------------------------------------------------------------------------

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Store everything sent, decide the status, record and judge the run, let the lock go."""
        if self.archive is None:
            return
        self._settle_ledger(finished=reason == "finished")
        lost = self._close_writer()
        status = RunStatus.from_close_reason(reason, lost)
        why = self.lost_reasons[0] if lost and self.lost_reasons else None
        self.outcome = Outcome(status, self.run_id, message=why, writes_sent=self.sent, writes_lost=lost)
        moved = self.archive.moved_away()
        try:
            if moved is not None:  # the run's row would go into a file nothing names now
                logger.error("Not recording the end of run %d: %s", self.run_id, moved)
                self.outcome.status = RunStatus.FAILED
                self.outcome.message = self.outcome.message or moved
            else:
                RunReport(self.archive, self.run_id, self.stats).finish(status)
        except sqlite3.Error as error:
            logger.error("Could not record the end of run %d in %s: %s", self.run_id, self.path, error)
            self.outcome.status = RunStatus.FAILED
        finally:
            self.archive.close()
            self.archive = None
            self.lock.release()

    def _settle_ledger(self, finished: bool) -> None:
        """Record what only the ledger saw: pipeline errors, and in a finished run every page asked
        for that has no outcome (see :mod:`.ledger`)."""
        ledger = RequestLedger.of(self.crawler)
        failures = ledger.failures(finished) if ledger is not None else []
        if self.outcome.status is RunStatus.FAILED:  # the writer is gone: the run already failed, loudly
            return
        for failure in failures:
            self.write("record_failure", self.run_id, failure)
            self.stats.inc_value("chinasei/failures")

    def _close_writer(self) -> int:
        """Let the writer store everything sent; returns the writes it did not store."""
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
        return lost


def unusable_archive(path: str, error: sqlite3.Error | NotAnArchive, busy_timeout: float) -> str:
    """Why an archive cannot be crawled into, in one line."""
    text = str(error)
    if isinstance(error, NotAnArchive):
        return text
    if "locked" in text or "busy" in text:
        return f"{path} is locked by another program (waited {busy_timeout:g} s: {text})"
    if "not a database" in text or "malformed" in text:
        return f"{path} is not a usable SQLite archive ({text})"
    return f"cannot use {path}: {text}"
