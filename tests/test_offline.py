"""Making a stored page safe to show from the archive alone (archive/offline.py), case by case.

Chromium shows the whole thing working (tests/test_article_view.py); these say which markup goes,
which stays and where each address points.
"""

from __future__ import annotations

import re

import pytest
from lxml import html

from archive.offline import banner, offline_page
from tests.conftest import SAVED

pytestmark = pytest.mark.unit

PAGE_URL = "http://www.chinasei.com.cn/cyzx/202409/t20240912_44300.html"
MEDIA = {"http://www.chinasei.com.cn/cyzx/202409/W1.jpg": "/m/1", "http://www.chinasei.com.cn/cyzx/202409/W2.pdf": "/m/2"}
ARTICLES = {"http://www.chinasei.com.cn/lpz/202011/t20201124_40123.html": "/a/40123"}
#: Every attribute that makes a browser fetch something.
FETCHING = ("src", "srcset", "data", "poster", "background", "action", "formaction", "ping", "lowsrc", "codebase")


def shown(body: str, head: str = "") -> html.HtmlElement:
    page = f"<html><head>{head}</head><body>{body}</body></html>"
    return html.document_fromstring(offline_page(page, PAGE_URL, MEDIA, ARTICLES.get, banner(PAGE_URL, "2026-12-01", "/row")))


def addresses(root: html.HtmlElement) -> list[str]:
    """Every address in the page that a browser would fetch without a click."""
    found = [value for element in root.iter() if isinstance(element.tag, str)
             for name, value in element.attrib.items() if name.lower() in FETCHING]
    found += [value for element in root.iter("link") for value in [element.get("href")]]
    return found


def test_archived_images_and_attachments_point_at_the_archive():
    root = shown('<p><img src="./W1.jpg" OLDSRC="W1.jpg"></p><p>附件：<a href="./W2.pdf">清单.pdf</a></p>')
    assert [img.get("src") for img in root.iter("img")] == ["/m/1"]
    assert [a.get("href") for a in root.iter("a") if a.text == "清单.pdf"] == ["/m/2"]


def test_images_not_in_the_archive_lose_their_address_and_keep_a_word():
    root = shown('<img src="https://elsewhere.example/x.jpg"><img src="./gone.jpg" alt="现场">')
    first, second = root.iter("img")
    assert first.get("src") is None and first.get("data-archived-src") == "https://elsewhere.example/x.jpg"
    assert "not in the archive" in first.get("alt")
    assert second.get("src") is None and second.get("alt") == "现场"


@pytest.mark.parametrize("markup", [
    "<script src='https://evil.example/x.js'></script>", "<script>fetch('https://evil.example')</script>",
    "<iframe src='https://evil.example/'></iframe>", "<object data='https://evil.example/x.swf'></object>",
    "<embed src='https://evil.example/x'>", "<video poster='https://evil.example/p.jpg' src='https://evil.example/v.mp4'></video>",
    "<audio><source src='https://evil.example/a.mp3'></audio>", "<img srcset='https://evil.example/2x.jpg 2x'>",
    "<form action='https://evil.example/'><input type='image' src='https://evil.example/b.png'></form>",
    "<div style=\"background:url('https://evil.example/bg.png')\">文字</div>", "<table background='https://evil.example/t.png'></table>",
    "<a href='https://evil.example/' ping='https://evil.example/ping'>链接</a>",
    "<style>@import url(https://evil.example/a.css); p{background:url(https://evil.example/b.png)}</style>",
])
def test_nothing_in_the_page_fetches_from_elsewhere_or_runs(markup):
    root = shown(f"<p>正文</p>{markup}", head="<link rel='stylesheet' href='https://evil.example/s.css'><base href='https://evil.example/'>"
                                              "<meta http-equiv='refresh' content='0;url=https://evil.example/'>")
    assert [a for a in addresses(root) if "evil" in a] == []
    text = html.tostring(root, encoding="unicode")
    assert "<script" not in text and "<iframe" not in text and "<base" not in text and "refresh" not in text
    assert "url(" not in text and "@import" not in text


def test_event_handlers_and_script_links_go_and_ordinary_links_stay():
    root = shown('<p onclick="x()" onmouseover="y()">文</p><a href="javascript:alert(1)">坏</a>'
                 '<a href="../../lpz/202011/t20201124_40123.html">存档</a><a href="http://www.miit.gov.cn/">外站</a>')
    assert not any(name.startswith("on") for element in root.iter() for name in element.attrib)
    links = {a.text: a.get("href") for a in root.iter("a")}
    assert links["坏"] is None
    assert links["存档"] == "/a/40123"  # an archived article opens its archived page
    assert links["外站"] == "http://www.miit.gov.cn/"  # a link, followed only by a reader's click


def test_the_banner_says_what_the_page_is():
    root = shown("<p>正文</p>")
    notice = root.get_element_by_id("chinasei-archived")
    assert PAGE_URL in notice.text_content() and "2026-12-01" in notice.text_content()
    assert root.find("body")[0] is notice


def test_the_saved_sites_pages_keep_their_text():
    path = SAVED / "www/cyzx/202409/t20240912_44300.html"
    page = offline_page(path.read_text(encoding="utf-8"), PAGE_URL, {}, lambda url: None, "<b>archived</b>")
    assert "江苏新型储能电站集中开工" in page and "9月11日，江苏12个新型储能电站项目集中开工" in page
    assert not re.search(r"<script|createPageHTML\(", page)


# --- the page's look, from the archive ---------------------------------------------------------------

LOOK = {"http://www.chinasei.com.cn/css/style.css": "/m/css", "http://www.chinasei.com.cn/images/bg.png": "/m/bg",
        "http://www.chinasei.com.cn/images/logo.png": "/m/logo"}


def styled(body: str, head: str = "") -> html.HtmlElement:
    page = f"<html><head>{head}</head><body>{body}</body></html>"
    return html.document_fromstring(offline_page(page, PAGE_URL, LOOK, ARTICLES.get, "<b>archived</b>"))


@pytest.mark.parametrize("link", [
    '<link rel="stylesheet" href="/css/style.css">', '<link REL="Stylesheet" type="text/css" href="../../css/style.css">',
    '<link rel="alternate stylesheet" href="http://www.chinasei.com.cn/css/style.css" title="宽屏">',
    '<link href="/css/style.css" rel="stylesheet" media="screen" onload="x()" crossorigin="anonymous" integrity="sha384-x">',
])
def test_a_stylesheet_the_archive_holds_is_linked_from_it(link):
    root = styled("<p>正文</p>", head=link)
    (kept,) = root.iter("link")
    assert kept.get("href") == "/m/css" and kept.get("rel") == "stylesheet"
    assert set(kept.attrib) <= {"rel", "href", "media", "title"}


@pytest.mark.parametrize("link", [
    '<link rel="stylesheet" href="/css/other.css">', '<link rel="stylesheet" href="https://evil.example/s.css">',
    '<link rel="icon" href="/css/style.css">', '<link rel="preload" as="style" href="/css/style.css">',
    '<link rel="stylesheet" href="javascript:alert(1)">', '<link rel="stylesheet">',
])
def test_any_other_link_goes(link):
    assert list(styled("<p>正文</p>", head=link).iter("link")) == []


def test_styles_in_the_page_point_at_the_archive_or_nowhere():
    root = styled('<div class="banner" style="background: url(\'/images/bg.png\') no-repeat">文</div>'
                  '<div style="background-image:URL(https://evil.example/x.png)">外</div>',
                  head="<style>@import '/css/style.css'; @import url(https://evil.example/a.css);"
                       ".logo{background:url(../../images/logo.png)} .x{background:url(/images/none.png)}</style>")
    inline = {div.text: div.get("style") for div in root.iter("div") if div.get("style")}
    assert "url(/m/bg)" in inline["文"] and "no-repeat" in inline["文"]
    assert "url(" not in inline["外"] and "evil" not in inline["外"]
    (style,) = root.iter("style")
    assert "@import url(/m/css);" in style.text and "url(/m/logo)" in style.text
    assert "evil" not in style.text and "none.png" not in style.text


def test_a_style_element_cannot_be_closed_from_inside_a_stylesheet_string():
    """``\\3c/style>`` is ``</style>`` once read: written back as read, it would end the element."""
    page = offline_page('<html><head><style>.a::after{content:"\\3c/style><script>alert(1)\\3c/script>"}</style>'
                        "</head><body><p>正文</p></body></html>", PAGE_URL, LOOK, ARTICLES.get, "<b>archived</b>")
    root = html.document_fromstring(page)
    assert list(root.iter("script")) == [] and page.count("</style>") == 1  # the element holds it all
    (style,) = root.iter("style")
    assert "<\\/style>" in style.text
