"""A crawl keeps to ``CONCURRENT_REQUESTS_PER_DOMAIN`` with the server, also for the media it asks
for all at once (crawler.components.slots): counted by the server, as requests in flight."""

from __future__ import annotations

import threading
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from crawler.ops import localsite
from crawler.ops.localsite import QuietHandler
from tests.conftest import SAVED, query, scrapy_crawl
from tests.sitebuilder.content import FETCHED_FILES

pytestmark = pytest.mark.crawl

LIVE = "http://www.chinasei.com.cn"
#: How long the server holds a medium's request unless more requests than the limit are in flight:
#: long enough for a burst to gather. A crawl that keeps to the limit waits this for every medium.
HOLD = 0.3


class InFlight:
    """Requests in flight at the server, and the most there were at once."""

    def __init__(self, limit: int) -> None:
        self.limit, self.now, self.peak = limit, 0, 0
        self.changed = threading.Condition()

    def enter(self, held: bool) -> None:
        with self.changed:
            self.now += 1
            self.peak = max(self.peak, self.now)
            self.changed.notify_all()
            if held:  # until more than the limit are in flight (a burst shows), or the hold is over
                self.changed.wait_for(lambda: self.now > self.limit, timeout=HOLD)

    def leave(self) -> None:
        with self.changed:
            self.now -= 1
            self.changed.notify_all()


class CountingHandler(QuietHandler):
    flight: InFlight

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        is_medium = any(self.path.endswith(path) for path in FETCHED_FILES)
        self.flight.enter(held=is_medium)
        try:
            super().do_GET()
        finally:
            self.flight.leave()


def serve_counting(directory: Path, flight: InFlight):
    handler = type("Handler", (CountingHandler,), {"flight": flight})
    return localsite.running(ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(directory))))


@pytest.mark.parametrize("limit", [1, 3])
def test_media_asked_for_at_once_keep_to_the_hosts_concurrency(tmp_path, limit):
    """The pages first, media off; then media on, so the crawl starts with every medium of the
    archived articles to fetch at once."""
    db = tmp_path / "a.db"
    flight = InFlight(limit)
    concurrency = ["-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={limit}", "-s", "CONCURRENT_REQUESTS=16"]
    with serve_counting(SAVED / "www", flight) as url:
        scrapy_crawl(url, db, *concurrency, "-s", "ARCHIVE_MEDIA=False")
        scrapy_crawl(url, db, *concurrency)
    fetched = {row[0] for row in query(db, "SELECT url FROM responses WHERE kind = 'media' AND status = 200")}
    assert fetched == {LIVE + path for path in FETCHED_FILES}
    assert flight.peak <= limit
    stats = query(db, "SELECT stats FROM runs WHERE id = 2")[0][0]
    assert "retry/count" not in stats


class FakeDownloader:
    """What the middleware reads of Scrapy's downloader: the slot key and the concurrency settings."""

    per_slot_settings = {"slow.example": {"concurrency": 1}}
    ip_concurrency, domain_concurrency = 0, 2

    def get_slot_key(self, request) -> str:
        return request.meta.get("download_slot") or request.url.split("/")[2]


def test_a_slot_holds_requests_past_its_concurrency_until_one_comes_back():
    import asyncio
    from types import SimpleNamespace

    from scrapy import Request
    from scrapy.http import Response

    from crawler.components.slots import SlotConcurrency

    async def scenario() -> None:
        places = SlotConcurrency(SimpleNamespace(engine=SimpleNamespace(downloader=FakeDownloader())))
        first, second, third = (Request(f"http://site.example/{n}") for n in range(3))
        slow = Request("http://slow.example/a"), Request("http://slow.example/b")
        await places.process_request(first)
        await places.process_request(second)
        await places.process_request(slow[0])
        waiting = [asyncio.ensure_future(places.process_request(r)) for r in (third, slow[1])]
        await asyncio.sleep(0)
        assert not any(task.done() for task in waiting)  # each slot is full: two, and its own one
        unheld = Request("http://site.example/cached")  # answered before it reached this middleware
        places.process_response(unheld, Response(unheld.url))
        await asyncio.sleep(0)
        assert not waiting[0].done()  # a response for a request that held no place frees none
        places.process_exception(first, ConnectionError())
        await asyncio.wait_for(waiting[0], 5)
        assert not waiting[1].done()  # the other slot's place is its own
        places.process_response(slow[0], Response(slow[0].url))
        await asyncio.wait_for(waiting[1], 5)
        places.process_response(first, Response(first.url))  # a second answer to one request frees nothing more
        assert places.places["site.example"].locked()  # second and third hold both places

    asyncio.run(scenario())
