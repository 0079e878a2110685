"""Scrapy's duplicate filter, with articles kept as one bit each, so a crawl's memory does not grow
with the size of the site.

The default filter keeps a 40-character fingerprint for every request it has seen: about 100 bytes
each, 12 MB for a crawl of 100,000 articles, and the one thing in a crawl that grows with every
page. Articles are known by their document id (``t20201124_40123.html``, see
:mod:`crawler.fingerprint`), a number below a few million, so here an article is a bit at its id
in a byte array: 100,000 articles take about 12 KB. Every other request (listings, the home page,
redirect hops, an article asked for with a method other than GET) goes through Scrapy's own filter.
With ``JOBDIR`` set, Scrapy's filter keeps everything, since only it is written to disk.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.dupefilters import RFPDupeFilter

from crawler.fingerprint import article_id

MAX_ID = 1 << 26  # ids beyond this (8 MiB of bits) are not the portal's; Scrapy's filter takes them


class ArticleDupeFilter(RFPDupeFilter):
    """Articles by a bit at their id; everything else as Scrapy does."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.article_bits = bytearray()
        self.articles_seen = 0

    def request_seen(self, request: Request) -> bool:
        article_id = self._article_id(request)
        if article_id is None:
            return super().request_seen(request)
        byte, bit = divmod(article_id, 8)
        if byte >= len(self.article_bits):
            self.article_bits.extend(bytes(byte + 1 - len(self.article_bits) + 4096))
        if self.article_bits[byte] >> bit & 1:
            return True
        self.article_bits[byte] |= 1 << bit
        self.articles_seen += 1
        return False

    def _article_id(self, request: Request) -> int | None:
        if self.file is not None:
            return None
        document = article_id(request)
        return document if document is not None and 0 <= document < MAX_ID else None
