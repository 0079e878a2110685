"""Listings and the home page: entries, full titles, the pager script, the channels."""

from __future__ import annotations

import pytest

from crawler.parsing.listing import parse_home, parse_listing
from tests.conftest import SAVED
from tests.sitebuilder.content import all_channels

pytestmark = pytest.mark.unit

LIVE = "http://www.chinasei.com.cn"
WWW = SAVED / "www"


def listing(path: str):
    return parse_listing(f"{LIVE}/{path}", (WWW / path).read_text(encoding="utf-8"))


def test_a_listing_page():
    page = listing("lpz/index.html")
    assert (page.channel, page.page_index, page.page_count) == ("领跑者", 0, 2)
    assert page.folder_url == f"{LIVE}/lpz/"
    assert page.extraction == {"channel": "site:breadcrumb", "entries": "site:list-markers", "page_count": "site:pager-script"}
    first = page.entries[0]
    assert (first.url, first.date, first.is_article, first.on_site) == (
        f"{LIVE}/lpz/202309/t20230912_42655.html", "2023-09-12", True, True)


def test_a_truncated_link_text_gives_the_full_title_from_the_attribute():
    page = listing("lpz/index_1.html")
    assert page.page_index == 1
    seed = next(e for e in page.entries if e.url.endswith("t20201124_40123.html"))
    assert seed.title == "天津北辰区:2020年携手奔小康 助力四个受援地区全部实现脱贫摘帽"
    assert "助力四个受援..." in (WWW / "lpz/index_1.html").read_text(encoding="utf-8")


def test_the_side_block_outside_the_markers_is_not_listed():
    urls = {e.url for e in listing("zcjd/index.html").entries}
    assert urls == {f"{LIVE}/zcjd/201903/t20190305_38012.html"}


def test_cross_listed_and_off_site_links():
    entries = [e for name in ("index.html", "index_1.html", "index_2.html") for e in listing(f"cyzx/{name}").entries]
    assert f"{LIVE}/lpz/202011/t20201124_40123.html" in {e.url for e in entries}
    offsite = [e for e in entries if not e.on_site]
    assert [e.url for e in offsite] == ["https://www.miit.gov.cn/xwdt/gxdt/art/2022/art_1.html"]


@pytest.mark.parametrize(("script", "count", "prefix", "ext"), [
    ('createPageHTML(5, 0, "index", "html");', 5, "index", "html"),
    ("createPageHTML('page_div', 7, 2, 'index', 'shtml', 130);", 7, "index", "shtml"),
    ("var countPage = 12; var currentPage = 0; createPageHTML(countPage, currentPage, \"index\", \"html\");", 12, "index", "html"),
    ("function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){}\ncreatePageHTML(3, 0, 'index', 'htm');", 3, "index", "htm"),
])
def test_pager_script_forms(script, count, prefix, ext):
    page = parse_listing(f"{LIVE}/zcjd/", f"<html><body><script>{script}</script></body></html>")
    assert (page.page_count, page.page_prefix, page.page_ext) == (count, prefix, ext)


def test_the_pager_definition_alone_is_not_a_count():
    html = "<html><body><script>function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){}</script></body></html>"
    page = parse_listing(f"{LIVE}/zcjd/", html)
    assert page.page_count is None
    assert page.problems == ["no list markers: article links read from the whole page", "no pager script: the page count is unknown"]


def test_page_links_give_the_count_when_there_is_no_script():
    html = '<html><body><a href="index_1.html">2</a> <a href="index_4.html">末页</a></body></html>'
    assert parse_listing(f"{LIVE}/zcjd/index.html", html).page_count == 5


def test_without_markers_article_links_are_read_from_the_page():
    html = ('<html><body><ul><li><a href="./202101/t20210101_1.html">甲</a></li>'
            '<li><a href="/about/">关于</a></li></ul></body></html>')
    page = parse_listing(f"{LIVE}/zcjd/", html)
    assert [e.url for e in page.entries] == [f"{LIVE}/zcjd/202101/t20210101_1.html"]
    assert page.extraction["entries"] == "generic:article-links"


def test_the_home_page_names_every_channel_including_the_block_only_ones():
    channels = parse_home(f"{LIVE}/", (WWW / "index.html").read_text(encoding="utf-8"))
    by_name = {c.name: c for c in channels}
    assert by_name["领跑者"].url == f"{LIVE}/lpz/" and by_name["领跑者"].via == "more"
    assert by_name["政策解读"].url == f"{LIVE}/zcjd/"
    for name in ("新一代信息技术", "人工智能", "生物医药", "资源循环利用", "设计创新", "产业资讯", "地方亮点及地方发改委动态", "独家内容"):
        assert name in by_name, name
    for not_a_channel in ("杂志订阅", "投稿", "✍️ 投稿", "关于我们", "首页"):
        assert not_a_channel not in by_name
    assert sorted(c.url for c in channels) == sorted(f"{LIVE}{c.folder}" for c in all_channels())


def test_the_other_layout_home_page(modern_copy):
    channels = parse_home(f"{LIVE}/", (modern_copy / "www" / "index.html").read_text(encoding="utf-8"))
    assert {"领跑者", "政策解读", "人工智能"} <= {c.name for c in channels}


# Links a channel's own link may stand among: skipped before any folder is read, or leading elsewhere.
OTHER_LINKS = ['<a href="javascript:void(0)">打印</a>', '<a href="#top">顶部</a>', '<a href="">空</a>',
               '<a href="mailto:web@chinasei.com.cn">来信</a>', '<a>无地址</a>', '<a href="/xdxx/202401/t20240101_1.html">文章</a>',
               '<a href="https://example.org/news/">外站</a>', '<a href="/zcjd/">政策解读</a>']


@pytest.mark.parametrize("before", range(len(OTHER_LINKS) + 1))
@pytest.mark.parametrize("known", [(), (f"{LIVE}/zcjd/",)])
def test_a_channel_link_is_named_by_its_own_text_wherever_it_stands_among_other_links(before, known):
    """Links are sorted out by their addresses alone, and only a channel's is then read as an
    element: the name must be its own link's, whatever links stand before it."""
    links = OTHER_LINKS[:before] + ['<a href="/swcy/swyy/index.html"> 生物医药 </a>'] + OTHER_LINKS[before:]
    page = f"<html><body><div>{''.join(links)}</div><p><a href='../cyzx/'>产业资讯</a></p></body></html>"
    found = parse_listing(f"{LIVE}/lpz/index_2.html", page, known_channels=known).channel_links
    expected = [("生物医药", f"{LIVE}/swcy/swyy/")]
    if not known:
        expected.insert(0 if before == len(OTHER_LINKS) else 1, ("政策解读", f"{LIVE}/zcjd/"))
    assert [(link.name, link.url) for link in found] == [*expected, ("产业资讯", f"{LIVE}/cyzx/")]
