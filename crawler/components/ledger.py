"""The ledger: every page the crawl asks for, under the URL asked for, closed by exactly one outcome.

Outcomes are decided in many places — callbacks, errbacks, pipelines, Scrapy's signals — and a
page that falls between them is lost without a word. So the ledger does not trust them to agree:
it enters every request the scheduler takes (``request_scheduled``), keyed by the canonical URL
first asked for (a redirected request keeps the key of the page that redirected), and closes an
entry when an outcome arrives for it:

- an item leaves the pipelines (``item_scraped``): an article archived, a listing page read, a
  recorded failure, or a :class:`~crawler.parsing.items.Settled` page (not modified, read, moved);
- an item is dropped or a pipeline raises (``item_dropped``, ``item_error``): a failure;
- a callback raises (``spider_error``): a failure;

A page that moved (:class:`~crawler.parsing.items.Settled` with ``to``) opens an entry for where it
moved, so the target's own outcome is owed too. At the end of a finished run, an entry still open
is recorded as a failure ("no outcome"), counted, and makes the run unhealthy
(:mod:`.run_report`); a run that ended early leaves its queue open, counted apart, since the next
run's walk asks again for what it did not reach. Media are not entries: each medium's outcome is
kept per article by the media pipeline.
"""

from __future__ import annotations

import logging
import weakref
from collections import Counter
from dataclasses import dataclass
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from crawler.parsing import site
from crawler.parsing.items import Article, ListingPage, PageFailure, Settled

logger = logging.getLogger(__name__)

_LEDGERS: weakref.WeakKeyDictionary[Crawler, RequestLedger] = weakref.WeakKeyDictionary()

#: The reason an entry left open at the end of a finished run is recorded with.
NO_OUTCOME = "no outcome: the crawl asked for this page and never settled it"


@dataclass
class Entry:
    """One page asked for and not yet settled: its kind, and how many scheduled requests stand for it."""

    kind: str
    asks: int = 0


class Ledger:
    """The bookkeeping alone, pure. Only open entries are kept, by URL; a closed one leaves its
    outcome's count, so the ledger's memory follows the crawl's queue, not the size of the site."""

    def __init__(self) -> None:
        self.open: dict[str, Entry] = {}
        self.entered = 0
        self.outcomes: Counter[str] = Counter()
        self.unmatched = 0  # outcomes that came for no open entry: never asked for, or settled already

    def enter(self, url: str, kind: str) -> None:
        """A request for ``url`` was scheduled (again, for a retry or a redirect)."""
        entry = self.open.get(url)
        if entry is None:
            entry = self.open[url] = Entry(kind)
            self.entered += 1
        entry.asks += 1

    def withdraw(self, url: str) -> None:
        """A scheduled request was dropped unsent (a duplicate): it asked for nothing new."""
        entry = self.open.get(url)
        if entry is not None:
            entry.asks -= 1
            if entry.asks <= 0:
                del self.open[url]
                self.entered -= 1

    def close(self, url: str, outcome: str) -> Entry | None:
        """Close the entry for ``url`` with its outcome; returns it, or None when none was open."""
        entry = self.open.pop(url, None)
        if entry is None:
            self.unmatched += 1
            return None
        self.outcomes[outcome.split(":", 1)[0]] += 1
        return entry

    def still_open(self) -> dict[str, str]:
        """The entries with no outcome, by URL, with their kind."""
        return {url: entry.kind for url, entry in self.open.items()}

    def counts(self) -> dict[str, int]:
        """What the run's stats keep of the ledger."""
        return {"entered": self.entered, "open": len(self.open), "unmatched": self.unmatched,
                **{f"outcome/{name}": n for name, n in self.outcomes.items()}}


def asked_url(message: Request | Response, fetch_origin: str) -> str:
    """The canonical URL a request (or the response to it) stands for: the first one asked, before
    any redirect. Every outcome is filed under it."""
    request = message if isinstance(message, Request) else message.request
    if request is None:  # a response made by hand, tied to no request
        return site.to_canonical(message.url, fetch_origin)
    return site.to_canonical(request.meta.get("redirect_urls", [request.url])[0], fetch_origin)


def outcome_of(item: Any) -> tuple[str, str] | None:
    """(URL, outcome) of an item that settles a page, or None for the items that settle none."""
    if isinstance(item, Article):
        return item.url, "archived"
    if isinstance(item, ListingPage):
        return item.url, "read"
    if isinstance(item, PageFailure) and item.kind != "media":
        return item.url, f"failed: {item.reason}"
    if isinstance(item, Settled):
        return item.url, item.outcome
    return None


class RequestLedger:
    """The Scrapy extension that keeps one crawl's :class:`Ledger` from the engine's signals."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.ledger = Ledger()
        self.errors: list[PageFailure] = []  # outcomes only the ledger saw, to be recorded

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RequestLedger:
        extension = cls(crawler)
        _LEDGERS[crawler] = extension
        for handler, signal in ((extension.request_scheduled, signals.request_scheduled),
                                (extension.request_dropped, signals.request_dropped),
                                (extension.item_scraped, signals.item_scraped),
                                (extension.item_dropped, signals.item_dropped),
                                (extension.item_error, signals.item_error),
                                (extension.spider_error, signals.spider_error)):
            crawler.signals.connect(handler, signal=signal)
        return extension

    @classmethod
    def of(cls, crawler: Crawler) -> RequestLedger | None:
        """The crawl's ledger, if the extension is enabled."""
        return _LEDGERS.get(crawler)

    def asked_url(self, request: Request) -> str:
        return asked_url(request, getattr(self.crawler.spider, "fetch_origin", site.CANONICAL_ORIGIN))

    # --- signals ---------------------------------------------------------------------------------

    def request_scheduled(self, request: Request, spider: Spider) -> None:
        self.ledger.enter(self.asked_url(request), request.meta.get("kind", "page"))

    def request_dropped(self, request: Request, spider: Spider) -> None:
        """A duplicate: nothing new was asked (a redirect hop is never one, see the dupefilter)."""
        self.ledger.withdraw(self.asked_url(request))

    def item_scraped(self, item: Any, response: Response | Failure, spider: Spider) -> None:
        settled = outcome_of(item)
        if settled is not None:
            self._close(*settled)
        if isinstance(item, Settled) and item.to is not None:
            self.ledger.enter(item.to, item.kind)  # where it moved owes an outcome of its own

    def item_dropped(self, item: Any, response: Response | Failure, exception: BaseException, spider: Spider) -> None:
        """A dropped item: its failure is recorded by the storage pipeline."""
        settled = outcome_of(item)
        if settled is not None:
            self._close(settled[0], f"failed: {exception}")

    def item_error(self, item: Any, response: Response | Failure, spider: Spider, failure: Failure) -> None:
        """A pipeline raised on an item: nothing recorded it, so the ledger does, with the error."""
        settled = outcome_of(item)
        if settled is None:
            return
        entry = self._close(settled[0], f"failed: {failure.getErrorMessage()}")
        if entry is not None:
            reason = f"could not be stored: {failure.type.__name__}: {failure.getErrorMessage()}"
            self.errors.append(PageFailure(url=settled[0], kind=entry.kind, reason=reason))

    def spider_error(self, failure: Failure, response: Response, spider: Spider) -> None:
        if response is not None and response.request is not None:
            self._close(self.asked_url(response.request), f"failed: parse error: {failure.getErrorMessage()}")

    def _close(self, url: str, outcome: str) -> Entry | None:
        entry = self.ledger.close(url, outcome)
        if entry is None:
            logger.debug("Ledger: an outcome (%s) for %s, which had no open entry", outcome[:80], url)
        return entry

    # --- the end ---------------------------------------------------------------------------------

    def failures(self, finished: bool) -> list[PageFailure]:
        """What the ledger must record itself at the end: pipeline errors, and (in a finished run)
        each entry still open. Counts go to the run's stats."""
        for name, value in self.ledger.counts().items():
            self.crawler.stats.set_value(f"chinasei/ledger/{name}", value)
        if not finished:
            return self.errors
        unsettled = sorted(self.ledger.still_open().items())
        for url, kind in unsettled:
            logger.error("No outcome for the %s %s: the crawl asked for it and never settled it", kind, url)
        return self.errors + [PageFailure(url=url, kind=kind, reason=NO_OUTCOME) for url, kind in unsettled]
