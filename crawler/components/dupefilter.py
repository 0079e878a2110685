"""Scrapy's duplicate filter, with articles kept as one bit each, so a crawl's memory does not grow
with the size of the site.

The default filter keeps a 40-character fingerprint for every request it has seen: about 100 bytes
each, 12 MB for a crawl of 100,000 articles, and the one thing in a crawl that grows with every
page. Articles are known by their document id (``t20201124_40123.html``, see
:mod:`crawler.components.fingerprint`), a number below a few million, so here an article is a bit at its id
in a byte array: 100,000 articles take about 12 KB. Every other request (listings, the home page,
an article asked for with a method other than GET) goes through Scrapy's own filter. A redirect
hop is never a duplicate: dropped, it would leave the page that redirected without an outcome (its
callback never runs); ``REDIRECT_MAX_TIMES`` ends loops.
With ``JOBDIR`` set, Scrapy's filter keeps everything, since only it is written to disk.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.dupefilters import RFPDupeFilter

from crawler.components.fingerprint import article_id
from crawler.components.idset import IdSet


class ArticleDupeFilter(RFPDupeFilter):
    """Articles by a bit at their id; everything else as Scrapy does."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.articles = IdSet()

    @property
    def articles_seen(self) -> int:
        return len(self.articles)

    def request_seen(self, request: Request) -> bool:
        if request.meta.get("redirect_urls"):
            return False
        article_id = self._article_id(request)
        if article_id is None:
            return super().request_seen(request)
        return not self.articles.add(article_id)

    def _article_id(self, request: Request) -> int | None:
        if self.file is not None:
            return None
        document = article_id(request)
        return document if IdSet.holds(document) else None
