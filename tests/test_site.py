"""URL facts of the portal, and the fingerprints that fetch an article once."""

from __future__ import annotations

from scrapy import Request
from scrapy.utils.test import get_crawler

from crawler import site
from crawler.fingerprint import ArticleFingerprinter

LIVE = "http://www.chinasei.com.cn"


def test_site_id():
    assert site.site_id(f"{LIVE}/lpz/202011/t20201124_40123.html") == 40123
    assert site.site_id(f"{LIVE}/lpz/index_1.html") is None


def test_http_https_and_bare_host_are_one_site():
    for url in ("https://www.chinasei.com.cn/lpz/", "http://chinasei.com.cn/lpz/", "HTTP://WWW.CHINASEI.COM.CN/lpz/#x"):
        assert site.canonical_url(url) == f"{LIVE}/lpz/"


def test_a_copy_maps_to_live_urls_and_back():
    copy = "http://127.0.0.1:8765"
    assert site.to_canonical(f"{copy}/lpz/index.html", copy) == f"{LIVE}/lpz/index.html"
    assert site.to_fetch(f"{LIVE}/lpz/index.html", copy) == f"{copy}/lpz/index.html"
    assert site.to_fetch("https://www.miit.gov.cn/a.html", copy) == "https://www.miit.gov.cn/a.html"
    assert site.to_canonical("http://127.0.0.2:8765/a", copy) == "http://127.0.0.2:8765/a"


def test_listing_urls():
    assert site.listing_page_url(f"{LIVE}/swcy/swyy/", 0) == f"{LIVE}/swcy/swyy/index.html"
    assert site.listing_page_url(f"{LIVE}/swcy/swyy/index.html", 2) == f"{LIVE}/swcy/swyy/index_2.html"
    assert site.listing_folder(f"{LIVE}/swcy/swyy/index_3.html") == "/swcy/swyy/"
    assert site.listing_folder(f"{LIVE}/swcy/swyy/202011/t20201124_1.html") is None
    assert site.listing_folder(f"{LIVE}/about.jsp") is None


def test_one_article_under_two_folders_is_one_request():
    fingerprinter = ArticleFingerprinter(get_crawler())
    one = fingerprinter.fingerprint(Request(f"{LIVE}/lpz/202011/t20201124_40123.html"))
    two = fingerprinter.fingerprint(Request(f"{LIVE}/cyzx/202011/t20201124_40123.html"))
    other = fingerprinter.fingerprint(Request(f"{LIVE}/cyzx/202011/t20201124_40124.html"))
    listing = fingerprinter.fingerprint(Request(f"{LIVE}/cyzx/index.html"))
    assert one == two != other
    assert listing not in (one, other)
