"""Progress of a long crawl: a log line every ``ARCHIVE_PROGRESS_INTERVAL`` seconds (pages done,
articles archived, rate, failures), and on a terminal a status line kept up to date below the log.

The status line is rich's ``Live`` display: while it is up, log records are printed above it by
rich (the logging handlers that wrote to the terminal write through rich's proxy of it), so a log
line is never glued to the status line. It is refreshed from the reactor once a second (no thread
of its own) and removed when the crawl ends. rich is imported only when there is a terminal to draw
on: a scheduled crawl, whose log goes to a file, does not hold it.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import IO, TYPE_CHECKING

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.config import setting

if TYPE_CHECKING:
    from rich.console import Console

logger = logging.getLogger(__name__)


class StatusLine:
    """One line kept at the bottom of a terminal, with log records printed above it."""

    def __init__(self, console: Console | None = None):
        from rich.console import Console
        from rich.live import Live
        from rich.text import Text

        self._text = Text
        self.console = console or Console(stderr=True)
        self.live = Live(Text(""), console=self.console, auto_refresh=False, transient=True,
                         redirect_stdout=False, redirect_stderr=True)
        self._moved: list[tuple[logging.StreamHandler, IO[str]]] = []

    def start(self) -> None:
        terminal = sys.stderr
        self.live.start()
        for handler in logging.getLogger().handlers:  # Scrapy's root handler holds the terminal itself
            if isinstance(handler, logging.StreamHandler) and handler.stream is terminal:
                self._moved.append((handler, handler.setStream(sys.stderr)))

    def show(self, line: str) -> None:
        self.live.update(self._text(line, no_wrap=True, overflow="ellipsis"), refresh=True)

    def stop(self) -> None:
        for handler, stream in self._moved:
            handler.setStream(stream)
        self._moved.clear()
        self.live.stop()


class Progress:
    """Report how far a crawl has got."""

    def __init__(self, crawler: Crawler, interval: float, status: StatusLine | None):
        self.stats = crawler.stats
        self.interval = interval
        self.status = status
        self.started = time.monotonic()
        self.tasks: list[task.LoopingCall] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        interval = setting(crawler.settings, "ARCHIVE_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured
        extension = cls(crawler, interval, StatusLine() if sys.stderr.isatty() else None)
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
        if self.status is not None:
            self.status.start()
            self._every(1.0, lambda: self.status.show(self.line()))

    def _every(self, seconds: float, call: Callable[[], None]) -> None:
        looping = task.LoopingCall(call)
        looping.start(seconds, now=False)
        self.tasks.append(looping)

    def spider_closed(self, spider: Spider) -> None:
        for looping in self.tasks:
            if looping.running:
                looping.stop()
        if self.status is not None:
            self.status.stop()
