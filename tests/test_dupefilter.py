"""The duplicate filter: articles as bits by document id, everything else as Scrapy does."""

from __future__ import annotations

import pytest
from scrapy import Request

from crawler.components.dupefilter import ArticleDupeFilter
from crawler.components.fingerprint import ArticleFingerprinter
from crawler.components.idset import MAX_ID

pytestmark = pytest.mark.unit

ARTICLE = "http://www.chinasei.com.cn/lpz/202011/t20201124_40123.html"


def make(path=None) -> ArticleDupeFilter:
    return ArticleDupeFilter(path, fingerprinter=ArticleFingerprinter())


def test_an_article_is_seen_once_under_any_of_its_urls():
    seen = make()
    assert not seen.request_seen(Request(ARTICLE))
    assert seen.request_seen(Request(ARTICLE.replace("/lpz/", "/cyzx/")))  # cross-listed: one document
    assert not seen.request_seen(Request(ARTICLE.replace("40123", "40124")))
    assert seen.articles_seen == 2 and not seen._fingerprints
    assert len(seen.articles.bits) < 10_000  # bits, not fingerprints


def test_other_requests_go_through_scrapys_filter():
    seen = make()
    listing = Request("http://www.chinasei.com.cn/lpz/index_1.html")
    assert not seen.request_seen(listing) and seen.request_seen(listing.copy())
    post = Request(ARTICLE, method="POST")
    huge = Request(ARTICLE.replace("40123", str(MAX_ID)))
    assert not any(seen.request_seen(r) for r in (post, huge))
    assert len(seen._fingerprints) == 3 and seen.articles_seen == 0


def test_a_redirect_hop_is_never_a_duplicate():
    """Dropped, a hop would leave the page that redirected with no outcome: its callback never runs."""
    seen = make()
    assert not seen.request_seen(Request("http://www.chinasei.com.cn/"))
    hop = Request("http://www.chinasei.com.cn/", meta={"redirect_urls": [ARTICLE], "redirect_times": 1})
    assert not seen.request_seen(hop) and not seen.request_seen(hop.copy())


def test_with_a_job_directory_scrapys_filter_keeps_everything(tmp_path):
    seen = make(str(tmp_path))
    assert not seen.request_seen(Request(ARTICLE))
    seen.close("finished")
    again = make(str(tmp_path))
    assert again.request_seen(Request(ARTICLE.replace("/lpz/", "/cyzx/")))  # a resumed job knows it
    again.close("finished")
