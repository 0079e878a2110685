"""The crawl process's garbage collector, set for the way a crawl allocates.

CPython runs a collection of its youngest generation every 700 container objects allocated and
not yet freed, and every tenth of those passes over what survived the ones before. Scrapy and
Twisted make and drop thousands of such objects for each response (the request, the response,
deferreds and their callbacks, some of them in cycles), so a crawl collected every few responses:
measured with ``gc.callbacks``, collections were 8–10% of the crawl process's CPU. The helper
processes allocate few such objects (lxml's elements and the archive's rows are not tracked) and
are left as they are.

When the engine starts, everything the crawl imported and built to run is alive for good: it is
collected once and frozen (``gc.freeze``: never scanned again), and the youngest generation is
collected every :data:`YOUNGEST` allocations. The cyclic garbage that waits for it meanwhile is a
few responses' worth.
"""

from __future__ import annotations

import gc

from scrapy import signals
from scrapy.crawler import Crawler

#: Allocations between two collections of the youngest generation (CPython's default is 700);
#: the older generations keep their defaults, counted in those collections.
YOUNGEST = 10_000


class CrawlCollector:
    """Freeze what the crawl set up, and collect the youngest generation less often, from the
    engine's start."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlCollector:
        extension = cls()
        crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
        return extension

    def engine_started(self) -> None:
        gc.collect()
        gc.freeze()
        _, middle, oldest = gc.get_threshold()
        gc.set_threshold(YOUNGEST, middle, oldest)
