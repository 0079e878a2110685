"""Every saved article page against its expected item, field by field.

The expected items are written from the site's truth (tests/sitebuilder), not from the parser, so
a wrong parse shows up here as a readable diff of one field of one page.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.ops.page_fixtures import FIXTURE_FIELDS
from crawler.parsing.article import parse_article
from crawler.parsing.encoding import decode_html
from tests.conftest import SAVED

pytestmark = pytest.mark.unit

CASES = sorted((SAVED / "expected").rglob("*.json"))
#: Pages captured with ``chinasei fixture URL``: the raw page and its reviewed expected item.
CAPTURED = sorted((Path(__file__).parent / "pages").rglob("*.json"))
FIELDS = list(FIXTURE_FIELDS)


def parse_saved(root: Path, expected_path: Path) -> tuple[dict, dict]:
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    page = root / "www" / expected_path.relative_to(root / "expected").with_suffix(".html")
    article = parse_article(expected["url"], decode_html(page.read_bytes(), "text/html"))
    return article.to_dict(), expected


@pytest.mark.parametrize("case", CAPTURED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_captured_page(case: Path):
    expected = json.loads(case.read_text(encoding="utf-8"))
    raw = case.with_suffix(".html").read_bytes()
    got = parse_article(expected["url"], decode_html(raw, expected.pop("content_type"))).to_dict()
    assert {k: got[k] for k in expected} == expected


def test_the_saved_site_has_enough_cases():
    assert len(CASES) >= 20


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_saved_page(case: Path, field: str):
    got, expected = parse_saved(SAVED, case)
    assert got[field] == expected[field]


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_saved_page_uses_the_site_rules(case: Path):
    """On pages that follow the notes, no field needs a generic fallback."""
    article = parse_article(*_url_and_text(case))
    assert article.fallbacks == []
    assert article.extraction["body"] == "site:comment-markers"


def _url_and_text(case: Path) -> tuple[str, str]:
    expected = json.loads(case.read_text(encoding="utf-8"))
    page = SAVED / "www" / case.relative_to(SAVED / "expected").with_suffix(".html")
    return expected["url"], decode_html(page.read_bytes(), "text/html")


def test_the_modern_layout_parses_to_the_same_items(modern_copy: Path):
    """Another template for the same truth: every field still right, with the fallbacks said."""
    cases = sorted((modern_copy / "expected").rglob("*.json"))
    assert len(cases) == len(CASES)
    for case in cases:
        got, expected = parse_saved(modern_copy, case)
        assert {k: got[k] for k in FIELDS} == {k: expected[k] for k in FIELDS}, case.stem


def test_fallbacks_are_recorded(modern_copy: Path):
    case = next((modern_copy / "expected").rglob("t20201124_40123.json"))
    expected = json.loads(case.read_text(encoding="utf-8"))
    page = modern_copy / "www" / case.relative_to(modern_copy / "expected").with_suffix(".html")
    article = parse_article(expected["url"], page.read_text(encoding="utf-8"))
    assert article.fallbacks == ["body"]
    assert article.extraction["body"] == "generic:densest-block"


def test_the_gbk_page_is_decoded():
    page = next((SAVED / "www").rglob("t20190305_38012.html"))
    raw = page.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    article = parse_article("http://www.chinasei.com.cn/zcjd/201903/t20190305_38012.html", decode_html(raw, "text/html"))
    assert article.title == "解读《关于促进战略性新兴产业高质量发展的指导意见》"
    assert article.published_at == "2019-03-05T09:30:00+08:00"
