"""Every response the crawl receives, kept raw in the archive as it arrived (robots.txt and
404s included), with the request that asked for it: any page can be parsed again later, and the
WARC export writes both."""

from __future__ import annotations

from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response

from crawler.components.archive_run import ArchiveRun
from crawler.config import setting
from crawler.parsing import site


class ResponseRecorder:
    """A Scrapy extension: each response received, handed to the archive's writer."""

    def __init__(self, crawler: Crawler):
        self.run = ArchiveRun.of(crawler)
        self.store_responses = setting(crawler.settings, "ARCHIVE_STORE_RESPONSES")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ResponseRecorder:
        recorder = cls(crawler)
        crawler.signals.connect(recorder.response_received, signal=signals.response_received)
        return recorder

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        """Keep the response as received; a medium's always (it is the archive's copy of it)."""
        kind = request.meta.get("kind") or ("robots" if response.url.endswith("/robots.txt") else "other")
        if not self.run.active or not (self.store_responses or kind == "media"):
            return
        url = site.to_canonical(response.url, self.run.fetch_origin)
        if kind == "media" and response.status == 200:
            url = request.meta.get("media_url", url)  # what the article names, where a redirect led
        self.run.write(
            "record_response", self.run.run_id, url, response.url, response.status, plain_headers(response.headers),
            response.body, kind, (request.method, plain_headers(request.headers)),
        )


def plain_headers(headers: Any) -> dict[str, list[str]]:
    """Scrapy's headers (bytes) as text: name to values."""
    return {k.decode("latin-1"): [v.decode("latin-1") for v in vs] for k, vs in headers.items()}
