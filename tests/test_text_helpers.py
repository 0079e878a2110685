"""The string helpers the parsers run over every text of every page, against the plain rules they
stand for: the regex forms they replaced, written out here as the definition."""

from __future__ import annotations

import random
import re
from urllib.parse import urljoin

import pytest

from crawler.parsing import dom, encoding, site

pytestmark = pytest.mark.unit

#: The definitions: a run of any of these characters is one space (tabs kept within a line).
SPACES = re.compile(r"[ \t\r\f\v\xa0\u3000\u2002\u2003\u2009\u200b\ufeff]+")
LINE_SPACES = re.compile(r"[ \r\f\v\xa0\u3000\u2002\u2003\u2009\u200b\ufeff]+")
ANY_SPACE = re.compile(r"[\s\u200b\ufeff]+")
#: Characters that make the cases: each kind of space, white space the helpers leave alone or
#: treat otherwise, Chinese and Latin-1 letters, and markup.
ALPHABET = [" ", "\t", "\n", "\r", "\f", "\v", "\xa0", "\u3000", "\u2002", "\u2003", "\u2009", "\u200b",
            "\ufeff", "\u2000", "\u202f", "\x85", "\u2028", "\x1f", "中", "国", "网", "a", "Z", "é", "ÿ", "À",
            "\u00bf", "\u0100", "<", ">", "&"]


def texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40))) for _ in range(count)]


@pytest.mark.parametrize("text", ["", " ", "  中国  ", "a\u3000\u3000b", "\t\tx\t", "a \n b", "\u200b\ufeff", " " * 5000 + "x",
                                  "全角\u3000空格\xa0和\u2009窄空格", "\u2000不在其中\u202f"])
def test_normalize_space_is_one_space_for_each_run_then_trimmed(text):
    assert dom.normalize_space(text) == SPACES.sub(" ", text).strip()


def test_normalize_space_on_mixed_texts():
    for text in texts(5000, seed=1):
        assert dom.normalize_space(text) == SPACES.sub(" ", text).strip(), repr(text)


def test_single_spaced_keeps_tabs_and_newlines_when_told_to():
    for text in texts(5000, seed=2):
        assert dom.single_spaced(text, dom._LINE_SPACES) == LINE_SPACES.sub(" ", text), repr(text)


@pytest.mark.parametrize("run", [2, 3, 1000, 2**20 + 1])
def test_a_long_run_of_spaces_becomes_one(run):
    assert dom.single_spaced("前" + " " * run + "后") == "前 后"


def test_squeezed_drops_every_white_space_character():
    for text in texts(5000, seed=3):
        assert dom.squeezed(text) == ANY_SPACE.sub("", text), repr(text)


def test_equal_lines_have_equal_squeezed_texts():
    """The rule elements_reading relies on to pass over an element without reading it as a line."""
    for text in texts(3000, seed=4):
        assert dom.squeezed(dom.normalize_space(text)) == dom.squeezed(text), repr(text)


@pytest.mark.parametrize(("markup", "line", "found"), [
    ("<div><p>（记者 张三）</p><p>正文</p></div>", "（记者 张三）", ["p"]),
    ("<div><p><span>记者</span> 张三</p></div>", "记者 张三", ["p"]),
    ("<div><p>记者\u3000 张三</p></div>", "记者 张三", ["p"]),
    ("<div><p>记者张三</p></div>", "记者 张三", []),
    ("<div><div><p>编辑：李四</p></div></div>", "编辑：李四", ["div", "p"]),
    ("<div><p>来源<br>经济日报</p></div>", "来源 经济日报", ["p"]),
    ("<div><p>来源</p><p>经济日报</p></div>", "来源", ["p"]),
])
def test_elements_reading_finds_each_element_whose_text_is_the_line(markup, line, found):
    root = dom.parse_html(f"<html><body>{markup}</body></html>").find("body/div")
    assert [e.tag for e in dom.elements_reading(root, {line})] == found
    assert list(dom.elements_reading(root, {line})) == [
        e for e in root.iterdescendants() if isinstance(e.tag, str) and dom.element_text(e) == line]


@pytest.mark.parametrize("text", ["", "中文新闻", "Ã¤Ã¶Ã¼" * 30, "café", "À" * 21, "\ud800 lone", "¿" * 50, "ĀāĂ"])
def test_latin1_letters_are_counted_as_the_regex_counts_them(text):
    assert encoding._latin1_letters(text) == len(re.findall("[\u00c0-\u00ff]", text))


PAGES = ["http://www.chinasei.com.cn/lpz/202011/t20201124_40123.html", "http://127.0.0.1:8000/cyzx/index_3.html?x=/a/b",
         "https://www.chinasei.com.cn/", "http://127.0.0.1:8000", "http://user@host:81/a/b;p?q#f"]
HREFS = ["/css/style.css", "/images/../logo.png", "//cdn.example.com/x.js", "http://other.example/y.png",
         "https://www.chinasei.com.cn/lpz/", "./W0201.pdf", "../", "../../img/a.jpg", "a/b.html", "?page=2", "#top",
         ";jsessionid=1", "", "http://[www.bad/", "/", "HTTP://UPPER.example/Z", "http:relative.html"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("href", HREFS)
def test_join_resolves_as_urljoin_from_any_page(page, href):
    try:
        expected = urljoin(page, href)
        site.urlsplit(expected).hostname  # noqa: B018
    except ValueError:
        expected = None
    assert site.join(page, href) == expected
    assert site.join(page, href) == expected  # asked again, answered from the cache
