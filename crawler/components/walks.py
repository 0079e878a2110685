"""When a crawl has really read a channel to its end.

An incremental crawl stops paging a channel where the archive already is, but only in a channel
that some crawl has read to its end; a channel never read to its end is walked again, so an
interrupted crawl resumes. "Read to its end" must therefore be true of the archive, not of the
crawl's progress: every page of the listing was read, and every article it lists has an outcome
stored (archived, unchanged, known from before, or a recorded failure). Marked any earlier — when
the last page is parsed while its articles still wait in the queue — a crawl killed in between
leaves a channel that later crawls never walk again, and its waiting articles are lost for good.

:class:`ChannelWalks` is that bookkeeping, pure: the archive pipeline tells it what it hands the
writer and asks which channels are now complete. Since the writer applies writes in order, a
channel's mark is stored after every outcome that earned it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from crawler.components.idset import IdSet
from crawler.parsing import site
from crawler.parsing.items import ListingEnd, ListingPage


@dataclass
class Walk:
    """One channel's listing, as far as this crawl has read it."""

    pages: set[int] = field(default_factory=set)
    waiting: set[int] = field(default_factory=set)  # listed articles with no outcome yet
    page_count: int | None = None  # known once the crawl has seen the last page


class ChannelWalks:
    """Which channels this crawl has read to the end, outcomes of their articles included."""

    def __init__(self, settled: Iterable[int] = ()):
        self.settled = IdSet(settled)
        self.walks: dict[str, Walk] = {}
        self.done: set[str] = set()

    def listing(self, page: ListingPage) -> list[str]:
        """A listing page was read; returns the channels this completes."""
        walk = self.walks.setdefault(page.folder_url, Walk())
        walk.pages.add(page.page_index)
        for entry in page.entries:
            site_id = site.site_id(entry.url) if entry.is_article and entry.on_site else None
            if site_id is not None and site_id not in self.settled:
                walk.waiting.add(site_id)
        return self._complete([page.folder_url])

    def ended(self, end: ListingEnd) -> list[str]:
        """The crawl reached a channel's last page; returns the channels this completes. Where
        several pages end it (listing chains each stopping at a 404), the first one does."""
        walk = self.walks.setdefault(end.folder_url, Walk())
        walk.page_count = end.page_count if walk.page_count is None else min(walk.page_count, end.page_count)
        return self._complete([end.folder_url])

    def settle(self, site_id: int | None) -> list[str]:
        """An article's outcome was stored; returns the channels this completes."""
        if site_id is None or not IdSet.holds(site_id) or not self.settled.add(site_id):
            return []
        waiting = [url for url, walk in self.walks.items() if site_id in walk.waiting]
        for url in waiting:
            self.walks[url].waiting.discard(site_id)
        return self._complete(waiting)

    def _complete(self, urls: list[str]) -> list[str]:
        complete = []
        for url in urls:
            walk = self.walks.get(url)
            if walk is None or url in self.done or walk.page_count is None or walk.waiting:
                continue
            if walk.pages.issuperset(range(walk.page_count)):
                self.done.add(url)
                del self.walks[url]
                complete.append(url)
        return complete
