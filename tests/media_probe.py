"""A Scrapy extension for the tests: for each medium that reaches the downloader, whether the
article that names it had left the pipelines (been sent to the archive) by then, and what pages
were still to fetch (see test_media.py). One JSON line a medium, in the file the
``MEDIA_PROBE_FILE`` setting names."""

from __future__ import annotations

import json
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler


class MediaProbe:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.out = open(crawler.settings["MEDIA_PROBE_FILE"], "a", encoding="utf-8")  # noqa: SIM115 (closed at spider_closed)
        self.stored: set[str] = set()
        crawler.signals.connect(self.scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.reached, signal=signals.request_reached_downloader)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MediaProbe:
        return cls(crawler)

    def scraped(self, item: Any, spider: Any) -> None:
        url = getattr(item, "url", None)
        if url is not None:
            self.stored.add(url)

    def reached(self, request: Request, spider: Any) -> None:
        if request.meta.get("kind") != "media":
            return
        engine = self.crawler.engine
        on_the_wire = [r.url for r in engine.downloader.active if r.meta.get("kind") != "media"]
        record = {"url": request.url, "article": request.meta["article_url"],
                  "article_stored": request.meta["article_url"] in self.stored,
                  "scheduled": len(engine.scheduler), "pages_on_the_wire": on_the_wire}
        self.out.write(json.dumps(record) + "\n")

    def closed(self, spider: Any) -> None:
        self.out.close()
