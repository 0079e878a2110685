"""A downloader middleware that keeps each download slot to its concurrency.

Scrapy's downloader is to have at most ``CONCURRENT_REQUESTS_PER_DOMAIN`` (or the slot's own
``concurrency`` in ``DOWNLOAD_SLOTS``) requests of one host on the wire. Scrapy 2.19 keeps it only
for requests that reach a slot one turn of the event loop apart: it counts a request as transferring
in a task that has not run yet when it looks at the next one, so a slot's whole queue goes out at
once. Requests from the scheduler reach it a few at a time (the engine keeps to
``CONCURRENT_REQUESTS``), but the media pipeline's do not pass the engine's limit: a crawl that
starts with the media of archived articles still to fetch (``ARCHIVE_MEDIA_RUN_BYTES``, media turned
on later) asked for all of them at once, thousands of connections to one server, and a server that
refused the excess had every refused request retried. With a download delay the slot waits between
requests and the limit holds; with none (``DOWNLOAD_DELAY = 0``) it did not.

This middleware, nearest the download, holds each request until its slot has a free place, and
frees the place as the response or the failure comes back through it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

#: The request's meta key naming the slot whose place it holds.
HELD = "chinasei_slot_place"


class SlotConcurrency:
    """Hold requests to their download slot's concurrency."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.places: dict[str, asyncio.Semaphore] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SlotConcurrency:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        key, concurrency = self._slot_of(request)
        if concurrency <= 0:
            return
        places = self.places.get(key)
        if places is None:
            places = self.places[key] = asyncio.Semaphore(concurrency)
        await places.acquire()
        request.meta[HELD] = key

    def process_response(self, request: Request, response: Response) -> Response:
        self._free(request)
        return response

    def process_exception(self, request: Request, exception: BaseException) -> None:
        self._free(request)

    def _free(self, request: Request) -> None:
        key = request.meta.pop(HELD, None)
        if key is not None:
            self.places[key].release()

    def _slot_of(self, request: Request) -> tuple[str, int]:
        """The slot Scrapy's downloader puts the request in, and that slot's concurrency, found as
        the downloader finds them."""
        assert self.crawler.engine is not None
        downloader: Any = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        own = downloader.per_slot_settings.get(key, {})
        return key, int(own.get("concurrency", downloader.ip_concurrency or downloader.domain_concurrency))
