"""Storing what the crawl parsed: articles, listing pages, failures and the channels read to
their end, each handed to the writer through the crawl's :class:`~.archive_run.ArchiveRun`.

A page that gave no article is a failure with its reason, whichever way it failed: the spider's
``PageFailure`` items, an item Scrapy dropped, a callback that raised, a medium the media pipeline
could not fetch (its ``MEDIA_FAILED`` signal). Channels are marked walked here, since the walk
depends on the outcome of every article a channel lists (:mod:`.walks`).
"""

from __future__ import annotations

from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.components.archive_run import ArchiveRun
from crawler.components.ledger import asked_url
from crawler.components.media import MEDIA_FAILED
from crawler.components.walks import ChannelWalks
from crawler.parsing import site
from crawler.parsing.items import Article, ListingEnd, ListingPage, PageFailure, Settled


class StoragePipeline:
    """Hand every item to the archive; record every page that gave none."""

    def __init__(self, crawler: Crawler):
        self.run = ArchiveRun.of(crawler)
        self.stats = crawler.stats
        self._walks: ChannelWalks | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.spider_error, signal=signals.spider_error)
        crawler.signals.connect(pipeline.media_failed, signal=MEDIA_FAILED)
        return pipeline

    @property
    def walks(self) -> ChannelWalks:
        """The walk bookkeeping, starting from the articles the archive had an outcome for."""
        if self._walks is None:
            assert self.run.archive is not None
            self._walks = ChannelWalks(self.run.archive.known_article_ids())
        return self._walks

    def process_item(self, item: Any) -> Any:
        if not self.run.active:
            return item
        if isinstance(item, Article):
            self.run.write("save_article", self.run.run_id, item)
            self._mark_walked(self.walks.settle(item.site_id))
        elif isinstance(item, ListingPage):
            self.run.write("save_listing", self.run.run_id, item)
            self.stats.inc_value("chinasei/listing_pages")
            self._mark_walked(self.walks.listing(item))
        elif isinstance(item, PageFailure):
            self._record_failure(item)
        elif isinstance(item, ListingEnd):
            self._mark_walked(self.walks.ended(item))
        elif isinstance(item, Settled) and item.to is not None:
            self.run.write("record_redirect", self.run.run_id, item)
            if item.kind == "article":
                self._mark_walked(self.walks.settle(site.site_id(item.url)))
        return item

    def _record_failure(self, failure: PageFailure) -> None:
        """A page that gave no article; a failed article is an outcome that may complete a channel."""
        self.run.write("record_failure", self.run.run_id, failure)
        self.stats.inc_value("chinasei/failures")
        if failure.kind == "article":
            self._mark_walked(self.walks.settle(site.site_id(failure.url)))

    def _mark_walked(self, folder_urls: list[str]) -> None:
        """Channels read to their end, every article's outcome sent before: the writer stores the
        mark after them."""
        for url in folder_urls:
            self.run.write("mark_walked", self.run.run_id, url)

    # --- failures Scrapy reports by signal ---------------------------------------------------------

    def media_failed(self, failure: PageFailure) -> None:
        """An image or attachment that could not be fetched: a failure of that medium alone."""
        if self.run.active:
            self._record_failure(failure)

    def item_dropped(self, item: Any, response: Response, exception: BaseException, spider: Spider) -> None:
        if self.run.active and isinstance(item, Article):
            self._record_failure(PageFailure(url=item.url, kind="article", reason=str(exception)))

    def spider_error(self, failure: Failure, response: Response | None, spider: Spider) -> None:
        if not self.run.active or response is None:  # no response: an error in the start requests, logged by Scrapy
            return
        reason = f"parse error: {failure.type.__name__}: {failure.getErrorMessage()}"
        kind = response.meta.get("kind", "page") if response.request else "page"
        url = asked_url(response, self.run.fetch_origin)
        self._record_failure(PageFailure(url=url, kind=kind, reason=reason, status=response.status))
