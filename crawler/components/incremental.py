"""Incremental crawls: read listings newest first and stop where the archive already is.

A spider middleware, so the spider only navigates and the policy lives here. With
``ARCHIVE_INCREMENTAL`` on (the default), the spider asks for a listing's pages one at a time, and
this middleware, loaded with the ids the archive knows:

- drops requests for articles already archived (or known to answer 404), unless one is due for a
  re-check: published within ``ARCHIVE_RECHECK_DAYS`` and not fetched for ``ARCHIVE_RECHECK_HOURS``.
  A re-check is a conditional request (``If-None-Match``/``If-Modified-Since`` from the stored
  response), so an unchanged page costs a 304;
- retries, at the start, every article and listing page that failed in an earlier run and has not
  been read since, since stopping early in a listing would never reach one that sits deep in it;
- drops the request for a listing's next page once a page shows nothing new and, after the last
  new article, at least ``ARCHIVE_INCREMENTAL_OVERLAP`` known ones — but only in a channel some
  crawl has read to its end. A channel never walked to the end (a first crawl that was killed) is
  walked again, so an interrupted crawl resumes where it stopped, paying only for listing pages.

The high-water mark is per channel and by document id, not by URLs that gave items (the mistake of
scrapy-deltafetch, which never reads a listing again once it gave items).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from archive.store import Archive, NotAnArchive
from crawler.components.archive_run import ArchiveRun
from crawler.config import setting
from crawler.parsing import site
from crawler.parsing.dates import date_from_url
from crawler.parsing.items import ListingPage

logger = logging.getLogger(__name__)


class IncrementalMiddleware:
    """Skip what the archive holds; stop paging where it starts."""

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        if not setting(settings, "ARCHIVE_INCREMENTAL"):
            raise NotConfigured("full crawl")
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = setting(settings, "ARCHIVE_DB")
        self.overlap = setting(settings, "ARCHIVE_INCREMENTAL_OVERLAP")
        self.recheck_age = timedelta(days=setting(settings, "ARCHIVE_RECHECK_DAYS"))
        self.recheck_every = timedelta(hours=setting(settings, "ARCHIVE_RECHECK_HOURS"))
        self.known: dict[int, tuple[str | None, str | None]] = {}
        self.walked: set[str] = set()
        self.archive: Archive | None = None
        self.keep_paging: dict[str, bool] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        if not ArchiveRun.of(self.crawler).active:  # refused (locked, foreign, unusable): touch nothing
            return
        try:
            self.archive = Archive(self.path)
            self.known = self.archive.known_articles()
            self.walked = self.archive.walked_channels()
        except (sqlite3.Error, NotAnArchive):  # ArchiveRun says why in one line, and the crawl does not start
            self.archive = None
            return
        logger.info("Incremental crawl: %d articles known, %d channels read to the end before",
                    len(self.known), len(self.walked))

    def spider_closed(self, spider: Spider) -> None:
        if self.archive is not None:
            self.archive.close()

    # --- the policy ------------------------------------------------------------------------------

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for item in start:
            yield item
        if self.archive is None:
            return
        spider = self.crawler.spider
        for what, urls, request, stat in (
            ("articles", self.archive.failed_article_urls(), spider.article_request, "retried_failures"),
            ("listing pages", self.archive.failed_listing_urls(), spider.listing_request, "retried_listing_pages"),
        ):
            if urls:
                logger.info("Retrying %d %s that failed before", len(urls), what)
            for url in urls:
                self.stats.inc_value(f"chinasei/incremental/{stat}")
                yield request(url)

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        for item in result:
            yield from self._filter(response, item)

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for item in result:
            for kept in self._filter(response, item):
                yield kept

    def _filter(self, response: Response, item: Any) -> Iterator[Any]:
        if isinstance(item, ListingPage):
            self.keep_paging[response.url] = self._keep_paging(item)
        elif isinstance(item, Request) and item.meta.get("kind") == "article":
            item = self._article_request(item)
            if item is None:
                return
        elif isinstance(item, Request) and not self.keep_paging.pop(item.meta.get("next_page_of", ""), True):
            self.stats.inc_value("chinasei/incremental/listings_stopped")
            return
        yield item

    def _keep_paging(self, page: ListingPage) -> bool:
        """Read the next page unless this one shows nothing new and enough known articles after the
        last new one, in a channel already read to its end."""
        if page.folder_url not in self.walked:
            return True
        ids = [site.site_id(e.url) for e in page.entries if e.is_article and e.on_site]
        new_positions = [i for i, site_id in enumerate(ids) if site_id not in self.known]
        if not new_positions:
            return False
        return len(ids) - 1 - new_positions[-1] < self.overlap

    def _article_request(self, request: Request) -> Request | None:
        site_id = site.site_id(request.url)
        if site_id not in self.known:
            return request
        published, checked = self.known[site_id]
        if not self._due(request.url, published, checked):
            self.stats.inc_value("chinasei/incremental/articles_skipped")
            return None
        assert self.archive is not None
        self.stats.inc_value("chinasei/incremental/rechecks")
        canonical = site.to_canonical(request.url, getattr(self.crawler.spider, "fetch_origin", site.CANONICAL_ORIGIN))
        headers = self.archive.conditional_headers(canonical)
        meta = {**request.meta, "handle_httpstatus_list": [304], "recheck": True}
        return request.replace(headers={**request.headers.to_unicode_dict(), **headers}, meta=meta)

    def _due(self, url: str, published: str | None, checked: str | None) -> bool:
        now = datetime.now(timezone.utc)
        day = published or date_from_url(url)
        if day is None or datetime.fromisoformat(day) < now - self.recheck_age:
            return False
        return checked is None or datetime.fromisoformat(checked) < now - self.recheck_every
