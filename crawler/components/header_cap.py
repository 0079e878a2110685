"""A cap on a response's header block, as ``DOWNLOAD_MAXSIZE`` caps its body.

Twisted's HTTP client caps each header line (16 KiB) but not their number: a server that sends
header lines without end held the crawl to its pace and its memory to whatever it sent (a 50 MB
block was stored in ``responses.headers``; an endless one took a crawl to 3.6 GB in 30 s). Scrapy's
HTTP/1.1 handler parses responses with its own lenient parser class, set on each new parser
object; this extension puts a subclass of it in its place, once per process, that counts the
bytes of the status line and headers and gives the response up past ``ARCHIVE_MAX_HEADER_BYTES``.
The request fails with :class:`HeaderBlockTooLarge`, recorded as the page's failure like any
other. Should a Scrapy release rename that class, the crawl says so loudly and runs uncapped.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.core.downloader.handlers import http11
from scrapy.crawler import Crawler
from twisted.web import _newclient

from crawler.config import setting

logger = logging.getLogger(__name__)

#: Where Scrapy's handler finds the parser class it gives each response's parser.
PARSER_NAME = "_LenientHTTPClientParser"


class HeaderBlockTooLarge(Exception):
    """The response's status line and headers passed the cap."""


_Base: Any = getattr(http11, PARSER_NAME, _newclient.HTTPClientParser)


class CappedHTTPClientParser(_Base):
    """Scrapy's response parser, counting the header block's bytes."""

    max_header_bytes = 256 * 1024
    header_bytes = 0

    def lineReceived(self, line: bytes) -> Any:  # noqa: N802 - Twisted's name
        if self.state in (_newclient.STATUS, _newclient.HEADER):
            self.header_bytes += len(line) + 2
            if self.header_bytes > self.max_header_bytes:
                raise HeaderBlockTooLarge(f"the response's header block was larger than {self.max_header_bytes:,} bytes "
                                          "(ARCHIVE_MAX_HEADER_BYTES), so it was not read")
        return super().lineReceived(line)


class HeaderCap:
    """A Scrapy extension: puts the capped parser in place for the crawl (its process)."""

    def __init__(self, max_bytes: int):
        CappedHTTPClientParser.max_header_bytes = max_bytes
        if not hasattr(http11, PARSER_NAME):
            logger.warning("Scrapy's HTTP handler has no %s any more: response header blocks are not capped "
                           "(ARCHIVE_MAX_HEADER_BYTES); see crawler/components/header_cap.py", PARSER_NAME)
            return
        setattr(http11, PARSER_NAME, CappedHTTPClientParser)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HeaderCap:
        return cls(setting(crawler.settings, "ARCHIVE_MAX_HEADER_BYTES"))
