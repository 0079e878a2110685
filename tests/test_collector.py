"""The crawl process's garbage collector: what the crawl set up is frozen, and the youngest
generation collected every YOUNGEST allocations, from the engine's start."""

from __future__ import annotations

import gc

import pytest
from pydispatch import dispatcher
from scrapy import signals
from scrapy.utils.test import get_crawler

from crawler import settings
from crawler.components.collector import YOUNGEST, CrawlCollector

pytestmark = pytest.mark.unit


@pytest.fixture
def collector_state():
    """The test process's own collector, as it was, afterwards."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_the_crawl_runs_the_collector():
    assert "crawler.components.collector.CrawlCollector" in settings.EXTENSIONS


def started(crawler) -> CrawlCollector:
    """The extension of a crawler, as the engine's start finds it (the signal's receiver, called)."""
    extension = CrawlCollector.from_crawler(crawler)
    receivers = [weak() for weak in dispatcher.getReceivers(crawler.signals.sender, signals.engine_started)]
    assert extension.engine_started in receivers
    extension.engine_started()
    return extension


def test_at_the_engines_start_the_set_up_is_frozen_and_the_youngest_collected_less_often(collector_state):
    before = gc.get_threshold()
    assert before[0] != YOUNGEST
    started(get_crawler())
    assert gc.get_freeze_count() > 1000  # the modules, classes and settings alive at the start
    assert gc.get_threshold() == (YOUNGEST, before[1], before[2])


def test_garbage_in_cycles_is_still_collected(collector_state):
    started(get_crawler())

    class Node:
        pass

    collected = []
    gc.callbacks.append(lambda phase, info: phase == "stop" and collected.append(info["collected"]))
    try:
        for _ in range(3 * YOUNGEST):
            node = Node()
            node.self = node  # a cycle: only the collector frees it
    finally:
        gc.callbacks.pop()
    assert sum(collected) >= YOUNGEST  # collected by the generation's own count, with no gc.collect()
