"""A copy of the site in a layout the parser was never tuned to, crawled end to end.

Built from the same notes by other templates (tests/sitebuilder/render.py, ``modern``): an ``h1``
title, ``当前位置 »`` crumbs, ``发布时间：2019年03月05日`` dates, no body markers, the newer pager
call with named variables. Every article must still be archived with title, time, people and body
right, no page chrome in any body, and the crawl must say that it needed fallbacks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.parsing import site
from tests.conftest import archived_articles, expected_items, scrapy_crawl

pytestmark = pytest.mark.crawl

CHECKED = ("title", "published_at", "reporters", "correspondents", "photographers", "authors", "source",
           "category", "body")


def test_the_other_layout_is_archived_right(modern_copy: Path, modern_site_url: str, tmp_path: Path):
    db = tmp_path / "modern.db"
    log = scrapy_crawl(modern_site_url, db).stderr
    expected = expected_items(modern_copy)
    got = archived_articles(db)
    assert sorted(got) == sorted(expected)
    for site_id, item in expected.items():
        assert {k: got[site_id][k] for k in CHECKED} == {k: item[k] for k in CHECKED}, site_id
        assert not any(marker in got[site_id]["body"] for marker in site.CHROME_MARKERS), site_id
        assert "热点文章" not in got[site_id]["body"]
    assert "Generic fallbacks were needed" in log
