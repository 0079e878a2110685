"""A page's lines around a hole (the body), as :func:`dom.text_lines` writes them: its stylesheet
(the fast path) against the Python walk it stands in for, which is the definition, over classes of
page made at random, and the cases where it must leave the page to the walk."""

from __future__ import annotations

import random

import pytest
from lxml import etree

from crawler.parsing import dom

pytestmark = pytest.mark.unit

#: Tags of each kind the renderer tells apart: blocks, line breaks, cells, skipped, and inline.
TAGS = ["div", "p", "section", "li", "h1", "span", "a", "b", "font", "script", "style", "noscript", "select",
        "td", "th"]
WORDS = ["中国", "战略", "新兴", "产业", "记者 张三", "a b", "  ", "\u3000", "\n", "&amp;", "2021-05-25", "责任编辑：李四"]


def markup(rng: random.Random, depth: int = 0) -> str:
    """A run of text, comments, ``<br>`` and nested elements, as a page's body is made."""
    out = []
    for _ in range(rng.randint(0, 6 if depth < 3 else 2)):
        pick = rng.random()
        if pick < 0.35:
            out.append(rng.choice(WORDS))
        elif pick < 0.45:
            out.append(f"<!--{rng.choice(['TRS', 'end', '正文'])}-->")
        elif pick < 0.55:
            out.append("<br>")
        elif pick < 0.6:
            out.append(f"<table><tr><td>{rng.choice(WORDS)}</td><td>{markup(rng, depth + 2)}</td></tr></table>")
        elif depth < 4:
            tag = rng.choice(TAGS)
            if tag in ("td", "th"):
                continue
            out.append(f"<{tag}>{markup(rng, depth + 1)}</{tag}>")
    return "".join(out)


def pages(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [f"<html><head><title>t</title></head><body>{markup(rng)}</body></html>" for _ in range(count)]


def by_walk(root, hole, after_hole, hole_end, monkeypatch) -> list[str]:
    """The lines as the Python walk writes them: the stylesheet declined."""
    with monkeypatch.context() as patched:
        patched.setattr(dom, "_stylesheet_text", lambda *args: None)
        return dom.text_lines(root, hole=hole, after_hole=after_hole, hole_end=hole_end)


def holes(root, rng: random.Random) -> list[tuple]:
    """Holes of each kind: an element or a comment, alone or with a later sibling as its end."""
    nodes = [node for node in root.iterdescendants() if node.getparent() is not None]
    chosen = []
    for node in rng.sample(nodes, min(len(nodes), 8)):
        later = list(node.itersiblings())
        chosen.append((node, None))
        if later:
            chosen.append((node, rng.choice(later)))
    return chosen


@pytest.mark.parametrize("seed", range(6))
def test_the_stylesheet_writes_what_the_walk_writes(seed, monkeypatch):
    rng = random.Random(seed)
    renders = 0
    for page in pages(60, seed):
        root = dom.parse_html(page)
        body = root.find("body")
        for hole, end in holes(body, rng):
            for after in (None, 0, 1, 3, 16):
                before = etree.tostring(root)
                fast = dom.text_lines(body, hole=hole, after_hole=after, hole_end=end)
                assert etree.tostring(root) == before, "the marks were left on the page"
                assert fast == by_walk(body, hole, after, end, monkeypatch), (page, hole, end, after)
                renders += 1
    assert renders > 1000


@pytest.mark.parametrize(("page", "after", "want"), [
    ("<div>标题<br>记者 张三</div><p id=h>正文</p><p>一</p><p>二</p>", None,
     ["标题", "记者 张三", dom.SENTINEL, "一", "二"]),
    ("<div>标题</div><p id=h>正文</p><p>一</p><p>二</p><p>三</p>", 1, ["标题", dom.SENTINEL, "一"]),
    ("<table><tr><td>来源</td><td>经济日报</td></tr></table><div id=h></div>尾", None,
     ["来源\t经济日报", dom.SENTINEL, "尾"]),
    ("<script>x()</script><noscript>不读</noscript><span>甲</span><span id=h>乙</span>丙", None,
     ["甲", dom.SENTINEL, "丙"]),
])
def test_lines_around_an_element_hole(page, after, want, monkeypatch):
    body = dom.parse_html(f"<html><body>{page}</body></html>").find("body")
    hole = body.get_element_by_id("h")
    assert dom.text_lines(body, hole=hole, after_hole=after) == want
    assert by_walk(body, hole, after, None, monkeypatch) == want


@pytest.mark.parametrize("wrapper", ["div", "td", "span", "li"])
def test_a_hole_between_comments_is_one_line_and_the_end_keeps_its_tail(wrapper):
    page = (f"<html><body><table><tr><td>头</td></tr></table><{wrapper}>前<!--start--><p>正文</p>"
            f"<p>还是正文</p><!--end-->后</{wrapper}><p>脚</p></body></html>")
    body = dom.parse_html(page).find("body")
    start, end = (node for node in body.iter(etree.Comment))
    lines = dom.text_lines(body, hole=start, hole_end=end)
    assert lines == ["头", "前", dom.SENTINEL, "后", "脚"]


@pytest.mark.parametrize("text", ["\ufdd0", "\ufdd1", "正文\ufdd1之中"])
def test_a_page_that_holds_the_stylesheets_own_characters_is_walked(text, monkeypatch):
    """The stylesheet writes two noncharacters for the hole and the breaks; in a page's own text they
    would be read as such, so such a page goes to the walk, and its text is kept as written."""
    body = dom.parse_html(f"<html><body><p>甲{text}</p><p id=h>乙</p><p>丙</p></body></html>").find("body")
    hole = body.get_element_by_id("h")
    assert dom._stylesheet_text(body, hole, None) is None
    lines = dom.text_lines(body, hole=hole, after_hole=0)
    assert lines == by_walk(body, hole, 0, None, monkeypatch) == [f"甲{text}", dom.SENTINEL]


@pytest.mark.parametrize("page", [
    "<p>甲<b>乙</b>\ufdd1丙</p>",  # in a tail
    "<div><span><i>深\ufdd0处</i></span></div>",  # deep in the tree
    "<p>引用&#xFDD1;写法</p>",  # as a character reference, hex
    "<p>引用&#64976;写法</p>",  # and decimal (U+FDD0)
    "<script>var s = '\ufdd0';</script><p>脚本之外</p>",  # in a skipped tag's text: still walked
    "\ufdd1<p>正文之前</p>",  # the body's own text
])
def test_the_stylesheets_own_characters_anywhere_in_the_text_send_the_page_to_the_walk(page, monkeypatch):
    body = dom.parse_html(f"<html><body>{page}<p id=h>乙</p><p>丙</p></body></html>").find("body")
    hole = body.get_element_by_id("h")
    assert dom._stylesheet_text(body, hole, None) is None
    assert dom.text_lines(body, hole=hole, after_hole=1) == by_walk(body, hole, 1, None, monkeypatch)


@pytest.mark.parametrize("place", [
    "<p title='\ufdd0'>属性里</p>",  # an attribute is not text: the stylesheet never writes it
    "<!-- \ufdd1 --><p>注释里</p>",  # nor a comment
    "<p>他处</p>",
])
def test_the_characters_outside_the_text_leave_the_page_to_the_stylesheet(place):
    body = dom.parse_html(f"<html><body>{place}<p id=h>乙</p><p>丙</p></body></html>").find("body")
    hole = body.get_element_by_id("h")
    assert dom._stylesheet_text(body, hole, None) is not None


#: Tags libxml2 makes of broken markup (``<d<p>``) that lxml refuses to set.
UNSETTABLE_TAGS = ["d<p", "di\"v", "x'y", "a&b"]


@pytest.mark.parametrize("tag", UNSETTABLE_TAGS)
def test_a_parent_whose_tag_lxml_would_not_take_back_sends_the_page_to_the_walk(tag, monkeypatch):
    """The stylesheet renames the hole's parent while it runs: it could not name it back."""
    page = f"<html><body><p>头</p><{tag}>前<!--start--><p>正文</p><!--end-->后</{tag}><p>脚</p></body></html>"
    body = dom.parse_html(page).find("body")
    hole, end = (node for node in body.iter(etree.Comment))
    assert hole.getparent().tag == tag
    assert dom._stylesheet_text(body, hole, end) is None
    lines = dom.text_lines(body, hole=hole, hole_end=end, after_hole=1)
    assert lines == by_walk(body, hole, 1, end, monkeypatch)
    assert lines[:2] == ["头", "前"]


@pytest.mark.parametrize("tag", UNSETTABLE_TAGS)
def test_a_hole_whose_tag_lxml_would_not_take_back_sends_the_page_to_the_walk(tag, monkeypatch):
    """The stylesheet renames the hole itself while it runs: it could not name it back."""
    body = dom.parse_html(f"<html><body><p>头</p><{tag} id=h>正文</{tag}><p>脚</p></body></html>").find("body")
    hole = next(e for e in body.iter() if e.get("id") == "h")
    assert hole.tag == tag
    assert dom._stylesheet_text(body, hole, None) is None
    lines = dom.text_lines(body, hole=hole, after_hole=1)
    assert lines == by_walk(body, hole, 1, None, monkeypatch)
    assert lines[:2] == ["头", dom.SENTINEL]


def test_an_end_that_is_not_a_later_sibling_is_walked():
    body = dom.parse_html("<html><body><p id=e>甲</p><div><p id=h>乙</p></div></body></html>").find("body")
    hole, end = body.get_element_by_id("h"), body.get_element_by_id("e")
    assert dom._stylesheet_text(body, hole, end) is None
    assert dom._stylesheet_text(body, end, hole) is None
