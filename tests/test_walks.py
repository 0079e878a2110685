"""A channel counts as read to its end only when every page was read and every listed article has
an outcome: marked any earlier, a crawl killed in between loses the waiting articles for good."""

from __future__ import annotations

import pytest

from crawler.components.walks import ChannelWalks
from crawler.parsing.items import ListingEnd, ListingEntry, ListingPage

pytestmark = pytest.mark.unit

FOLDER = "http://www.chinasei.com.cn/lpz/"


def page(index: int, *ids: int, count: int | None = 2) -> ListingPage:
    entries = [ListingEntry(f"{FOLDER}202101/t20210101_{i}.html", "标题", "2021-01-01", True, True) for i in ids]
    entries.append(ListingEntry("https://www.miit.gov.cn/a.html", "外链", None, False, False))
    return ListingPage(f"{FOLDER}index_{index}.html", FOLDER, "领跑者", index, count, entries=entries)


def test_the_last_page_read_is_not_the_end_while_its_articles_wait():
    walks = ChannelWalks(settled=[1])
    assert walks.listing(page(0, 1, 2)) == []
    assert walks.listing(page(1, 3)) == []
    assert walks.ended(ListingEnd(FOLDER, 2)) == []  # articles 2 and 3 are still in the queue
    assert walks.settle(3) == []
    assert walks.settle(2) == [FOLDER]
    assert walks.settle(2) == []  # marked once


def test_a_page_never_read_keeps_the_channel_open():
    walks = ChannelWalks()
    walks.listing(page(0, 1, count=3))
    walks.listing(page(2, 2, count=3))  # page 1 failed: its chain went on
    walks.ended(ListingEnd(FOLDER, 3))
    assert walks.settle(1) == [] and walks.settle(2) == []
    assert FOLDER not in walks.done


def test_an_article_in_two_channels_settles_both():
    other = "http://www.chinasei.com.cn/cyzx/"
    walks = ChannelWalks()
    walks.listing(page(0, 7, count=1))
    walks.listing(ListingPage(f"{other}index.html", other, "产业资讯", 0, 1, entries=page(0, 7).entries))
    assert walks.ended(ListingEnd(FOLDER, 1)) == [] and walks.ended(ListingEnd(other, 1)) == []
    assert sorted(walks.settle(7)) == sorted([FOLDER, other])


def test_articles_known_before_the_crawl_are_outcomes_already():
    walks = ChannelWalks(settled=[1, 2])
    walks.listing(page(0, 1, 2, count=1))
    assert walks.ended(ListingEnd(FOLDER, 1)) == [FOLDER]
