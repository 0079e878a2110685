"""The crawl's log, made fit for a terminal.

- Records that would print a traceback to the user for an ordinary network failure, made one line:
  Scrapy's robots.txt middleware logs "Error downloading <robots.txt>: Connection refused" with the
  whole traceback of a refused connection — two of them for a crawl with no network. The message
  already names the error; the traceback adds nothing a user can act on.
- Every record's text with its control characters written out (:mod:`crawler.parsing.terminal`):
  links and titles come from the web, and an escape sequence in one would act on the reader's
  terminal (retitle it, clear it) when the log is printed or ``tail``-ed.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler

from crawler.parsing.terminal import CONTROL, printable

ONE_LINE = {"scrapy.downloadermiddlewares.robotstxt": "Error downloading"}


class OneLineFilter(logging.Filter):
    """Drop the traceback of the records that begin with ``prefix``."""

    def __init__(self, prefix: str):
        super().__init__()
        self.prefix = prefix

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith(self.prefix):
            record.exc_info, record.exc_text = None, None
        return True


class PrintableFilter(logging.Filter):
    """Write out the control characters of a record's message (its arguments included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if CONTROL.search(message):
            record.msg, record.args = printable(message), ()
        return True


class OneLineNetworkErrors:
    """A Scrapy extension: installs the filters for the crawl's length — on Scrapy's loggers, and on
    the handlers of the root logger, which every record reaches."""

    def __init__(self) -> None:
        for name, prefix in ONE_LINE.items():
            logger = logging.getLogger(name)
            if not any(isinstance(f, OneLineFilter) for f in logger.filters):  # once per process
                logger.addFilter(OneLineFilter(prefix))
        self.engine_started()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OneLineNetworkErrors:
        extension = cls()
        crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
        return extension

    def engine_started(self) -> None:
        """Scrapy installs its root handler anew when the crawl starts: filter that one too."""
        for handler in logging.getLogger().handlers:
            if not any(isinstance(f, PrintableFilter) for f in handler.filters):
                handler.addFilter(PrintableFilter())
