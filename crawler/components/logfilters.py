"""Log records that would print a traceback to the user for an ordinary network failure, made one
line: Scrapy's robots.txt middleware logs "Error downloading <robots.txt>: Connection refused" with
the whole traceback of a refused connection — two of them for a crawl with no network. The message
already names the error; the traceback adds nothing a user can act on."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler

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


class OneLineNetworkErrors:
    """A Scrapy extension: installs the filters for the crawl's length."""

    def __init__(self) -> None:
        for name, prefix in ONE_LINE.items():
            logger = logging.getLogger(name)
            if not any(isinstance(f, OneLineFilter) for f in logger.filters):  # once per process
                logger.addFilter(OneLineFilter(prefix))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OneLineNetworkErrors:
        return cls()
