"""URL facts of the portal, and the fingerprints that fetch an article once."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler

from crawler.components.fingerprint import ArticleFingerprinter
from crawler.parsing import site

pytestmark = pytest.mark.unit

LIVE = "http://www.chinasei.com.cn"


def test_site_id():
    assert site.site_id(f"{LIVE}/lpz/202011/t20201124_40123.html") == 40123
    assert site.site_id(f"{LIVE}/lpz/index_1.html") is None


def test_http_https_and_bare_host_are_one_site():
    for url in ("https://www.chinasei.com.cn/lpz/", "http://chinasei.com.cn/lpz/", "HTTP://WWW.CHINASEI.COM.CN/lpz/#x"):
        assert site.canonical_url(url) == f"{LIVE}/lpz/"


def test_an_article_url_has_no_query_a_listing_keeps_its_own():
    assert site.canonical_url(f"{LIVE}/lpz/202011/t20201124_40123.html?v=0#top") == f"{LIVE}/lpz/202011/t20201124_40123.html"
    assert site.canonical_url("http://127.0.0.1:8000/lpz/202011/t20201124_40123.html?v=0").endswith("40123.html")
    assert site.canonical_url(f"{LIVE}/search/?q=1") == f"{LIVE}/search/?q=1"


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


@pytest.mark.parametrize(("url", "origin", "same"), [
    ("http://127.0.0.1:8000/lpz/index.html", "http://127.0.0.1:8000", True),
    ("http://127.0.0.1:8001/lpz/index.html", "http://127.0.0.1:8000", False),  # another port is another site
    ("https://127.0.0.1:8000/lpz/index.html", "http://127.0.0.1:8000", False),
    ("http://127.0.0.2:8000/", "http://127.0.0.1:8000", False),
    ("http://127.0.0.2\\@127.0.0.1:8000/x.html", "http://127.0.0.1:8000", False),  # readers disagree on its host
    ("http://user@127.0.0.1:8000/x.html", "http://127.0.0.1:8000", False),
    ("http://www.chinasei.com.cn/lpz/", "http://www.chinasei.com.cn", True),
    ("https://chinasei.com.cn/lpz/", "http://www.chinasei.com.cn", True),  # http and https, www or not: one site
    ("http://www.chinasei.com.cn:8080/lpz/", "http://www.chinasei.com.cn", False),
    ("http://www.chinasei.com.cn.evil.example/", "http://www.chinasei.com.cn", False),
    ("http://127.0.0.1:99999/", "http://127.0.0.1:8000", False),  # no such port
])
def test_same_site_is_same_origin(url, origin, same):
    assert site.same_site(url, origin) is same


def test_spiders_that_name_no_origin_keep_scrapys_offsite_filter():
    """The project's settings put SameSiteMiddleware in place of Scrapy's OffsiteMiddleware: a
    spider of ours is held to its origin, any other spider (a benchmark's) filtered as Scrapy does."""
    from scrapy import Spider
    from scrapy.exceptions import IgnoreRequest

    from crawler.components.origin import SameSiteMiddleware

    class Other(Spider):
        name = "other"
        allowed_domains = ["127.0.0.1"]

    class Ours(Other):
        name = "ours"
        fetch_origin = "http://127.0.0.1:8000"

    for spider_class, other_port_allowed in ((Other, True), (Ours, False)):
        crawler = get_crawler(spider_class)
        crawler.spider = spider_class()
        middleware = SameSiteMiddleware.from_crawler(crawler)
        middleware.spider_opened(crawler.spider)
        assert middleware.process_request(Request("http://127.0.0.1:8000/lpz/")) is None
        try:
            middleware.process_request(Request("http://127.0.0.1:8001/lpz/"))
            allowed = True
        except IgnoreRequest:
            allowed = False
        assert allowed is other_port_allowed, spider_class.name
        with pytest.raises(IgnoreRequest):
            middleware.process_request(Request("http://127.0.0.2:8000/lpz/"))


# --- numbers read from a page are bounded where they are read ---------------------------------------

@pytest.mark.parametrize("digits, is_article", [(1, True), (18, True), (19, False), (20, False), (5000, False)])
@pytest.mark.parametrize("name", ["t20210805_{}.html", "t20210805_{}.shtml", "t19991231_{}.htm"])
def test_a_document_id_too_long_for_the_archive_is_no_article_url(digits, is_article, name):
    url = f"http://www.chinasei.com.cn/cyzx/202108/{name.format('9' * digits)}"
    assert site.is_article_url(url) is is_article
    found = site.site_ids_in(f'<a href="{url}">x</a> <a href="/dfld/202410/t20241015_44321.html">y</a>')
    assert found == ({int("9" * digits), 44321} if is_article else {44321})
    if is_article:
        assert site.site_id(url) < 2**63  # fits SQLite's integer


@pytest.mark.parametrize("digits, index", [(1, 9), (9, 999_999_999), (10, 0), (4301, 0)])
def test_a_listing_page_number_too_long_is_no_page_number(digits, index):
    assert site.listing_page_index(f"http://www.chinasei.com.cn/lpz/index_{'9' * digits}.html") == index


@pytest.mark.parametrize("count", ["100000000000000000000", "9" * 200, "1" + "0" * 9])
@pytest.mark.parametrize("form", ['createPageHTML({}, 0, "index", "html");', "var countPage = {};createPageHTML(countPage, 0, 'index', 'html');"])
def test_a_pager_count_too_large_is_a_problem_of_that_page(count, form):
    from crawler.parsing.listing import parse_listing

    html = (f"<html><body><!--文字列表页开始--><ul><li><a href='./202101/t20210105_1.html'>a</a></li></ul>"
            f"<!--文字列表页结束--><script>{form.format(count)}</script></body></html>")
    page = parse_listing("http://www.chinasei.com.cn/lpz/", html)
    assert page.page_count is None and [e.url for e in page.entries] == ["http://www.chinasei.com.cn/lpz/202101/t20210105_1.html"]
    assert page.problems
