"""Progress of a long crawl: a log line every ``ARCHIVE_PROGRESS_INTERVAL`` seconds (pages done,
articles archived, rate, failures), and a status line kept up to date on a terminal."""

from __future__ import annotations

import logging
import sys
import time

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.config import setting

logger = logging.getLogger(__name__)


class Progress:
    """Report how far a crawl has got."""

    def __init__(self, crawler: Crawler, interval: float, tty: bool):
        self.stats = crawler.stats
        self.interval = interval
        self.tty = tty
        self.started = time.monotonic()
        self.tasks: list[task.LoopingCall] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        interval = setting(crawler.settings, "ARCHIVE_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured
        extension = cls(crawler, interval, sys.stderr.isatty())
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def line(self) -> str:
        """Pages done, articles archived by outcome, rate, failures."""
        get = self.stats.get_value
        pages = get("downloader/response_count", 0)
        minutes = max((time.monotonic() - self.started) / 60, 1 / 60)
        new, updated, same = (get(f"chinasei/articles/{k}", 0) for k in ("new", "updated", "unchanged"))
        return (f"{pages} pages ({pages / minutes:.0f}/min), {new + updated + same} articles "
                f"({new} new, {updated} updated, {same} unchanged), {get('chinasei/failures', 0)} failures")

    def spider_opened(self, spider: Spider) -> None:
        self.started = time.monotonic()
        self._every(self.interval, lambda: logger.info("Progress: %s", self.line()))
        if self.tty:
            self._every(1.0, lambda: sys.stderr.write("\r\x1b[K" + self.line()))

    def _every(self, seconds: float, call) -> None:
        looping = task.LoopingCall(call)
        looping.start(seconds, now=False)
        self.tasks.append(looping)

    def spider_closed(self, spider: Spider) -> None:
        for looping in self.tasks:
            if looping.running:
                looping.stop()
        if self.tty:
            sys.stderr.write("\r\x1b[K")
