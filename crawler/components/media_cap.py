"""A downloader middleware that keeps a run's media to ``ARCHIVE_MEDIA_RUN_BYTES``.

The cap spreads a large archive's media over runs: past it, the media still to fetch wait for the
next run. It has to be checked as each medium goes out, not as the media pipeline asks for it. The
pipeline asks for the media of an article all at once, and a crawl that starts with the media of
archived articles still to fetch asks for thousands at once, before any byte has come back: checked
there, the whole backlog passed a cap of a few megabytes.

This middleware sits after :class:`~crawler.components.slots.SlotConcurrency`, so it sees a request
only once its slot has a free place, that is, just before it goes on the wire. It counts the bytes of
every medium received, and past the cap it stops each further medium with :class:`MediaDeferred`,
which the media pipeline records as deferred (still pending, not a failure). A run passes the cap by
at most what is in flight when it is reached: the slot's concurrency, each medium at most
``ARCHIVE_MEDIA_MAX_BYTES``.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

from crawler.config import setting


class MediaDeferred(IgnoreRequest):
    """A medium not fetched in this run: the run's media bytes reached ``ARCHIVE_MEDIA_RUN_BYTES``."""


class MediaRunCap:
    """Count the media bytes a run receives; past the cap, stop each further medium."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.cap = setting(crawler.settings, "ARCHIVE_MEDIA_RUN_BYTES")
        self.received = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MediaRunCap:
        if not setting(crawler.settings, "ARCHIVE_MEDIA"):
            raise NotConfigured("ARCHIVE_MEDIA is off")
        return cls(crawler)

    @property
    def reached(self) -> bool:
        """True once the run received its cap's worth of media (never, with no cap)."""
        return bool(self.cap) and self.received >= self.cap

    def process_request(self, request: Request) -> None:
        if request.meta.get("kind") == "media" and self.reached:
            raise MediaDeferred(f"this run's media reached ARCHIVE_MEDIA_RUN_BYTES ({self.cap:,} bytes)")

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("kind") == "media":
            self.received += len(response.body)
            self.stats.inc_value("chinasei/media/bytes", len(response.body))
        return response
