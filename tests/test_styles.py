"""A page's look (crawler/parsing/styles.py): what pages and stylesheets name, and stylesheets made
safe to serve, for classes of input with their spellings varied (quotes, case, escapes, comments,
nesting, encodings), not only the saved site's own stylesheet."""

from __future__ import annotations

import pytest
from lxml import html

from crawler.parsing.items import Asset
from crawler.parsing.styles import (
    FONT,
    LAYOUT_IMAGE,
    STYLESHEET,
    decode_stylesheet,
    page_assets,
    rewrite_style_attribute,
    rewrite_stylesheet,
    style_attribute_refs,
    stylesheet_refs,
)
from tests.conftest import SAVED

pytestmark = pytest.mark.unit

SITE = "http://www.chinasei.com.cn"
CSS_URL = SITE + "/css/style.css"


@pytest.mark.parametrize(("css", "expected"), [
    ("a{background:url(../images/bg.png)}", [(SITE + "/images/bg.png", LAYOUT_IMAGE)]),
    ("a{background:url('../images/bg.png')}", [(SITE + "/images/bg.png", LAYOUT_IMAGE)]),
    ('a{background:URL( "../images/bg.png" ) no-repeat}', [(SITE + "/images/bg.png", LAYOUT_IMAGE)]),
    ("a{background:url(  ../images/bg.png  )}", [(SITE + "/images/bg.png", LAYOUT_IMAGE)]),
    (r"a{background:url(../images/b\67 .png)}", [(SITE + "/images/bg.png", LAYOUT_IMAGE)]),  # an escape
    ("a{background-image:url(/images/横幅.png)}", [(SITE + "/images/横幅.png", LAYOUT_IMAGE)]),
    ("a{background:url(//www.chinasei.com.cn/i/x.gif)}", [(SITE + "/i/x.gif", LAYOUT_IMAGE)]),
    ("a{background:url(https://cdn.example.com/x.gif)}", [("https://cdn.example.com/x.gif", LAYOUT_IMAGE)]),
    ("a{list-style:url(dot.gif) inside}", [(SITE + "/css/dot.gif", LAYOUT_IMAGE)]),
    ("a{cursor:url(hand.cur),pointer}", [(SITE + "/css/hand.cur", LAYOUT_IMAGE)]),
    ('a{background-image:image-set("a.png" 1x, url(b.png) 2x)}', [(SITE + "/css/a.png", LAYOUT_IMAGE), (SITE + "/css/b.png", LAYOUT_IMAGE)]),
    ("@media screen and (max-width:800px){.x{background:url(small.png)}}", [(SITE + "/css/small.png", LAYOUT_IMAGE)]),
    ("@font-face{font-family:sei;src:url(fonts/sei.woff2) format('woff2'),url(fonts/sei.ttf)}",
     [(SITE + "/css/fonts/sei.woff2", FONT), (SITE + "/css/fonts/sei.ttf", FONT)]),
    ('@import "common.css";', [(SITE + "/css/common.css", STYLESHEET)]),
    ("@import url(common.css) screen;", [(SITE + "/css/common.css", STYLESHEET)]),
    ("@IMPORT url('/css/print.css') print;", [(SITE + "/css/print.css", STYLESHEET)]),
    ("a{background:url(x.png)} b{background:url(x.png)}", [(SITE + "/css/x.png", LAYOUT_IMAGE)]),  # once
])
def test_what_a_stylesheet_names(css, expected):
    assert stylesheet_refs(css, CSS_URL) == expected


@pytest.mark.parametrize("css", [
    "/* a{background:url(commented.png)} */ p{color:red}",
    'a::before{content:"url(in-a-string.png)"}',
    "a{background:url(data:image/png;base64,iVBORw0KGgo=)}",
    "a{background:url(javascript:alert(1))}",
    "a{background:url()}",
    'a{background:url("")}',
    "a{behavior:expression(alert(1))}",
    "@import ;",
    "a{background:url(",  # cut short
    "}}}{{{",
])
def test_what_is_no_request_is_not_named(css):
    assert stylesheet_refs(css, CSS_URL) == []


@pytest.mark.parametrize(("css", "expected"), [
    (r"a{background:\75 rl(x.png)}", [(SITE + "/css/x.png", LAYOUT_IMAGE)]),  # url( spelt with an escape
    (r"a{background:U\52 L('x.png')}", [(SITE + "/css/x.png", LAYOUT_IMAGE)]),
    (r'@\69mport "common.css";', [(SITE + "/css/common.css", STYLESHEET)]),
    (r'a{background:-webkit-image-s\65 t("a.png" 1x)}', [(SITE + "/css/a.png", LAYOUT_IMAGE)]),
    ('A{BACKGROUND:URL(X.PNG)}', [(SITE + "/css/X.PNG", LAYOUT_IMAGE)]),
    ('a{background:-WEBKIT-IMAGE-SET("a.png" 1x)}', [(SITE + "/css/a.png", LAYOUT_IMAGE)]),
])
def test_addresses_spelt_with_escapes_or_in_capitals_are_still_named(css, expected):
    """The quick test that leaves most CSS unread (no ``url(``, ``image-set(`` or ``@import`` in
    it) must not skip CSS that spells one of them another way."""
    assert stylesheet_refs(css, CSS_URL) == expected


@pytest.mark.parametrize(("style", "expected"), [
    ("width:100px;height:20px", []),
    ("font-family:'宋体';color:#333", []),
    ("background:#fff", []),
    ("background:url(/images/nav.gif) no-repeat", [(SITE + "/images/nav.gif", LAYOUT_IMAGE)]),
    ("BACKGROUND-IMAGE:URL( '/images/nav.gif' )", [(SITE + "/images/nav.gif", LAYOUT_IMAGE)]),
    (r"background:\75 rl(/images/nav.gif)", [(SITE + "/images/nav.gif", LAYOUT_IMAGE)]),
    ('background-image:image-set("/a.png" 1x, "/b.png" 2x)', [(SITE + "/a.png", LAYOUT_IMAGE), (SITE + "/b.png", LAYOUT_IMAGE)]),
])
def test_what_a_style_attribute_names(style, expected):
    assert style_attribute_refs(style, SITE + "/cyzx/202409/t1.html") == expected


def test_a_pages_stylesheets_chrome_and_inline_styles_are_its_assets():
    page = html.document_fromstring(
        '<html><head><link rel="stylesheet" href="/css/style.css"><LINK REL="Stylesheet" href="../css/print.css" media="print">'
        '<link rel="alternate stylesheet" href="/css/wide.css"><link rel="icon" href="/favicon.ico">'
        '<link rel="stylesheet"><style>@import url(/css/common.css); .b{background:url(/images/b.png)}</style></head>'
        '<body><div class="logo"><img src="/images/logo.png"></div><div style="background:url(\'/images/nav.gif\')">菜单</div>'
        '<p style="text-indent:2em">正文</p><p STYLE="BACKGROUND:URL(/images/caps.gif)">甲</p>'
        '<p style="background:\\75 rl(/images/escaped.gif)">乙</p>'
        '<div id="zoom"><img src="./W1.jpg"></div><img src="data:image/gif;base64,R0lGOD=="><img src="/images/logo.png"></body></html>')
    assets = page_assets(page, SITE + "/cyzx/202409/t1.html", shown=[SITE + "/cyzx/202409/W1.jpg"])
    assert assets == [
        Asset(SITE + "/css/style.css", STYLESHEET), Asset(SITE + "/cyzx/css/print.css", STYLESHEET),
        Asset(SITE + "/css/wide.css", STYLESHEET), Asset(SITE + "/css/common.css", STYLESHEET),
        Asset(SITE + "/images/b.png", LAYOUT_IMAGE), Asset(SITE + "/images/logo.png", LAYOUT_IMAGE),
        Asset(SITE + "/images/nav.gif", LAYOUT_IMAGE), Asset(SITE + "/images/caps.gif", LAYOUT_IMAGE),
        Asset(SITE + "/images/escaped.gif", LAYOUT_IMAGE),
    ]


def test_the_saved_sites_article_pages_name_their_look():
    page = html.document_fromstring((SAVED / "www/cyzx/202409/t20240912_44300.html").read_bytes())
    assets = page_assets(page, SITE + "/cyzx/202409/t20240912_44300.html",
                         shown=[SITE + "/cyzx/202409/W020240912301234567890.jpg", SITE + "/cyzx/202203/W020220318512245623810.jpg"])
    assert assets == [Asset(CSS_URL, STYLESHEET), Asset(SITE + "/images/logo.png", LAYOUT_IMAGE),
                      Asset(SITE + "/images/wx.jpg", LAYOUT_IMAGE)]


def test_the_saved_sites_stylesheet_imports_one_and_names_its_backgrounds():
    css = decode_stylesheet((SAVED / "www/css/style.css").read_bytes(), "text/css")
    assert stylesheet_refs(css, CSS_URL) == [
        (SITE + "/css/common.css", STYLESHEET), (SITE + "/images/banner.png", LAYOUT_IMAGE),
        ("http://bdimg.share.baidu.com/static/api/img/share_icon.png", LAYOUT_IMAGE),
    ]


@pytest.mark.parametrize(("body", "content_type", "text"), [
    ("a{font-family:'宋体'}".encode(), "text/css", "a{font-family:'宋体'}"),
    ("a{font-family:'宋体'}".encode("gbk"), "text/css", "a{font-family:'宋体'}"),  # the CMS's GBK, declared nowhere
    ("a{font-family:'宋体'}".encode("gbk"), "text/css; charset=GB2312", "a{font-family:'宋体'}"),
    ('@charset "gbk";a{font-family:"黑体"}'.encode("gbk"), None, 'a{font-family:"黑体"}'),
    (b"\xef\xbb\xbfa{color:red}", "text/css; charset=iso-8859-1", "a{color:red}"),  # a BOM wins over the header
    ("a{content:'中'}".encode(), "text/css; charset=utf-8", "a{content:'中'}"),
])
def test_a_stylesheet_is_read_in_its_encoding(body, content_type, text):
    assert decode_stylesheet(body, content_type).endswith(text)


def test_the_saved_sites_gbk_stylesheet_reads_as_chinese_and_names_a_background():
    css = decode_stylesheet((SAVED / "www/css/common.css").read_bytes(), "text/css")
    assert '"宋体"' in css
    assert stylesheet_refs(css, SITE + "/css/common.css") == [(SITE + "/images/header-bg.png", LAYOUT_IMAGE)]


HELD = {SITE + "/css/common.css": "/m/common", SITE + "/images/bg.png": "/m/bg", SITE + "/css/fonts/sei.woff": "/m/font"}


@pytest.mark.parametrize(("css", "kept", "gone"), [
    ("@import url(common.css);", ["@import url(/m/common);"], []),
    ('@import "common.css" screen and (min-width: 800px);', ["@import url(/m/common) screen and (min-width: 800px);"], []),
    ("@import url(other.css); p{color:red}", ["p{color:red}"], ["other.css", "@import"]),
    ("@import url(https://evil.example/a.css);", [], ["evil", "@import"]),
    ("a{background:url(../images/bg.png) no-repeat}", ["url(/m/bg) no-repeat"], []),
    ("a{background:url(https://evil.example/x.png) no-repeat}", ["none no-repeat"], ["evil"]),
    ("a{background:url(data:image/png;base64,AAAA)}", ["none"], ["data:"]),
    ('a{background:image-set("https://evil.example/a.png" 1x)}', [], ["evil"]),
    ("@media print{a{background:url(//evil.example/p.png)}}", ["@media print"], ["evil"]),
    ("@font-face{src:url(fonts/sei.woff) format('woff'),url(https://evil.example/f.ttf)}", ["url(/m/font)"], ["evil"]),
    ('@charset "gbk"; a{color:red}', ["a{color:red}"], ["@charset"]),
    (r"a{background:u\72l(https://evil.example/esc.png)}", [], ["evil"]),  # an escaped function name
    ("a{background:url(https://evil.example/a.png)/*x*/}", [], ["evil"]),
])
def test_a_rewritten_stylesheet_names_only_the_archives_copies(css, kept, gone):
    out = rewrite_stylesheet(css, CSS_URL, HELD.get)
    for part in kept:
        assert part in out, out
    for part in gone:
        assert part not in out, out
    # whatever is left asks for the archive's copies alone
    assert all(url.startswith("http://127.0.0.1:8001/m/") for url, _ in stylesheet_refs(out, "http://127.0.0.1:8001/x"))


def test_a_style_attribute_is_rewritten_the_same_way():
    assert rewrite_style_attribute("background:url('/images/bg.png') no-repeat;color:red", SITE + "/a/t.html", HELD.get) \
        == "background:url(/m/bg) no-repeat;color:red"
    assert "evil" not in rewrite_style_attribute("background:URL(https://evil.example/x.png)", SITE + "/a/t.html", HELD.get)
