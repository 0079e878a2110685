"""Page parsing in a worker process, so the crawl's thread is left to Scrapy.

Scrapy runs callbacks in its reactor's thread, and that thread is what bounds a fast crawl: it does
all of Scrapy's own work, and parsing a page there (half a millisecond) adds half again to it. The
spider hands a response's bytes to :class:`ParseWorker` instead and awaits the item, while Scrapy
goes on fetching; the parsing is the same pure functions
(:func:`crawler.parsing.article.parse_article_page`, :func:`crawler.parsing.listing.parse_listing`).

The crawl's side has no threads of its own (a thread in a busy Python process costs more in
hand-overs of the interpreter lock than it saves): requests go down one pipe, made large enough to
hold every request in flight, and answers come back up another, read when the event loop sees it
readable. ``ARCHIVE_PARSE_WORKER`` False (``ParseWorker(separate=False)``) parses in the crawl's
thread, as does a crawl whose worker died (it says so, once, and goes on).

A page may not take longer than ``time_limit`` seconds (``ARCHIVE_PARSE_TIMEOUT``): the worker
answers in order, so the oldest page waiting is the one it is parsing, timed from when it began on
it (time spent queued does not count, so a busy machine does not fail pages). Past the limit the
worker is killed and a new one started; that page fails with the reason, and the pages queued
behind it are sent to the new worker. (Parsing in the crawl's thread cannot be interrupted.)
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import pickle
import time
from typing import Any

from crawler.parsing.article import ArticlePage
from crawler.parsing.items import ListingPage
from crawler.runtime.helper import HelperGone, HelperProcess
from crawler.runtime.parsing_jobs import FUNCTIONS, KNOWN_CHANNELS, serve

logger = logging.getLogger(__name__)


class ParseWorker:
    """A process that parses pages for the crawl, one at a time, in the order asked."""

    def __init__(self, separate: bool = True, time_limit: float | None = None) -> None:
        """``separate`` False: no process, every page is parsed in the calling thread."""
        self.helper: HelperProcess | None = HelperProcess(serve, "parse-worker") if separate else None
        self._waiting: dict[int, asyncio.Future] = {}
        # each waiting job as sent, with the channels it was sent against, in order: resent if the
        # worker is replaced
        self._sent: dict[int, tuple[bytes, frozenset[str]]] = {}
        self._known: frozenset[str] | None = None  # the channels the worker was last told of
        self._head_since = 0.0  # when the worker began on the oldest waiting job
        self.time_limit = time_limit
        self._watchdog: asyncio.TimerHandle | None = None
        self._ids = itertools.count()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.broken: str | None = None
        self.replaced = 0

    async def article(self, url: str, body: bytes, content_type: str | None, fetched_at: str | None,
                      known_channels: frozenset[str]) -> ArticlePage:
        return await self._run("article", url, body, content_type, fetched_at, known_channels)

    async def listing(self, url: str, body: bytes, content_type: str | None, known_channels: frozenset[str]) -> ListingPage:
        return await self._run("listing", url, body, content_type, known_channels)

    async def _run(self, name: str, *args: Any) -> Any:
        if self.helper is not None and self.broken is None:
            if self._loop is None:
                self._loop = asyncio.get_running_loop()
                self._loop.add_reader(self.helper.answers.fileno(), self._read_answers)
            job = next(self._ids)
            future = self._loop.create_future()
            self._waiting[job] = future
            *page, known = args
            data = pickle.dumps((job, name, tuple(page)), protocol=pickle.HIGHEST_PROTOCOL)
            if not self._sent:
                self._head_since = time.monotonic()
            self._sent[job] = (data, known)
            try:
                self._send(data, known)
            except HelperGone as error:
                self._break(f"cannot reach it: {error}")
            else:
                self._watch()
                return await future
        return FUNCTIONS[name](*args)

    def _send(self, data: bytes, known: frozenset[str]) -> None:
        """Send a job; first the channels it is parsed against, when they are not what the worker
        has: they change a few dozen times a crawl, and sent with every page they were an eighth
        of its bytes."""
        assert self.helper is not None
        if known != self._known:
            self.helper.send(pickle.dumps((None, KNOWN_CHANNELS, known), protocol=pickle.HIGHEST_PROTOCOL))
            self._known = known
        self.helper.send(data)

    def _read_answers(self) -> None:
        try:
            while self.helper.answers.poll():
                job, ok, value = pickle.loads(self.helper.answers.recv_bytes())
                self._sent.pop(job, None)
                self._head_since = time.monotonic()
                future = self._waiting.pop(job)
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)
        except (EOFError, OSError) as error:
            self._break(f"{self.helper.exit_status()} ({error or 'end of pipe'})")

    def _watch(self) -> None:
        """Check, while pages wait, that the one being parsed is within the time limit."""
        if self.time_limit is None or self._watchdog is not None or self._loop is None:
            return
        self._watchdog = self._loop.call_later(min(1.0, self.time_limit / 4), self._check_time)

    def _check_time(self) -> None:
        self._watchdog = None
        if not self._sent or self.broken is not None:
            return
        if time.monotonic() - self._head_since > self.time_limit:
            self._replace(next(iter(self._sent)))
        self._watch()

    def _replace(self, stuck: int) -> None:
        """Kill the worker stuck on ``stuck``, fail that page, and hand the rest to a new worker."""
        assert self._loop is not None and self.helper is not None
        self._loop.remove_reader(self.helper.answers.fileno())
        self.helper.kill()
        self.replaced += 1
        self._sent.pop(stuck)
        why = f"parsing took over {self.time_limit:g} s (ARCHIVE_PARSE_TIMEOUT); the parse worker was replaced"
        logger.error("A page %s", why)
        self._waiting.pop(stuck).set_exception(ParseTimeout(why))
        self.helper = HelperProcess(serve, "parse-worker")
        self._known = None
        self._loop.add_reader(self.helper.answers.fileno(), self._read_answers)
        self._head_since = time.monotonic()
        for data, known in self._sent.values():
            self._send(data, known)

    def _break(self, why: str) -> None:
        """The worker is gone: say so once, and parse what was waiting in this thread."""
        if self.broken is None:
            self.broken = why
            logger.error("The parse worker process is gone (%s): parsing in the crawl's own thread from now on", why)
            if self._loop is not None and self.helper is not None:
                self._loop.remove_reader(self.helper.answers.fileno())
        waiting, self._waiting = self._waiting, {}
        for future in waiting.values():
            if not future.done():
                future.set_exception(WorkerGone(why))

    def close(self) -> None:
        """Stop the worker (the crawl is over)."""
        if self.helper is None:
            return
        if self._loop is not None and self.broken is None:
            self._loop.remove_reader(self.helper.answers.fileno())
        if self._watchdog is not None:
            self._watchdog.cancel()
        self.broken = self.broken or "closed"
        self.helper.close()


class WorkerGone(RuntimeError):
    """The parse worker died with this page in it; the page is recorded as failed, with this reason."""


class ParseTimeout(RuntimeError):
    """A page took longer to parse than the time limit; it is recorded as failed, with this reason."""
