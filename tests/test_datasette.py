"""The archive in a real Datasette on 127.0.0.1: exact Chinese search through its JSON API, escaped
HTML, facets, hidden internals."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

from archive.datasette_plugin import safe_snippet
from tests.conftest import archive_saved_site, chinasei_serve

pytestmark = pytest.mark.crawl


@pytest.fixture(scope="module", params=["chinasei serve", "datasette"])
def datasette(tmp_path_factory, request) -> Iterator[tuple[str, Path]]:
    """The archive served by ``chinasei serve``, and by plain ``datasette archive.db``: the
    plugin's hooks give both the same metadata and the same search query."""
    path = tmp_path_factory.mktemp("ds") / "site.db"
    archive_saved_site(path).close()
    with chinasei_serve(path, request.param) as base:
        yield base + "/site", path


def get(url: str, **params: str) -> str:
    query = urllib.parse.urlencode(params)
    with urllib.request.urlopen(f"{url}?{query}" if query else url, timeout=30) as response:
        return response.read().decode("utf-8")


def search_ids(base: str, q: str, **params: str) -> list[int]:
    rows = json.loads(get(base + "/search.json", q=q, _shape="array", **params))
    return [row["site_id"] for row in rows]


@pytest.mark.parametrize("query", ["扶贫", "北辰", "5G", "钠离子电池", "产业 -扶贫", "扶", '"奔小康 助力"', "扶贫 OR 磁浮"])
def test_search_through_the_json_api_equals_ours(datasette, query):
    base, path = datasette
    from archive.store import Archive

    archive = Archive(path)
    try:
        ours = [hit.site_id for hit in archive.search_index.search(query, limit=50)]
    finally:
        archive.close()
    assert search_ids(base, query) == ours
    assert ours


def test_search_filters_through_the_api(datasette):
    base, _ = datasette
    rows = json.loads(get(base + "/search.json", q="产业", category="领跑者", order="newest", _shape="array"))
    assert rows and {r["category"] for r in rows} == {"领跑者"}
    assert [r["published_at"] for r in rows] == sorted((r["published_at"] for r in rows), reverse=True)


def test_the_search_page_highlights_and_links(datasette):
    base, _ = datasette
    page = get(base + "/search", q="扶贫")
    assert "<mark>扶贫</mark>" in page
    assert '<a href="http://www.chinasei.com.cn/lpz/202011/t20201124_40123.html">' in page


def test_stored_html_is_shown_escaped(datasette):
    base, _ = datasette
    page = get(base + "/articles/40123")
    assert "&lt;p&gt;11月24日" in page
    assert "<p>11月24日" not in page


def test_each_article_row_links_to_its_archived_page(datasette):
    base, _ = datasette
    row = get(base + "/articles/40123")
    assert '<a href="/-/chinasei/site/article/40123">archived page</a>' in row
    with urllib.request.urlopen(base.rsplit("/", 1)[0] + "/-/chinasei/site/article/40123", timeout=30) as response:
        policy, page = response.headers["Content-Security-Policy"], response.read().decode("utf-8")
    assert "default-src 'none'" in policy
    # this archive was made from parsed pages, with no raw responses: the page is its title and clean body
    assert "天津北辰区" in page and "11月24日" in page and "<script" not in page
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(base.rsplit("/", 1)[0] + "/-/chinasei/site/article/1", timeout=30)
    assert missing.value.code == 404
    with pytest.raises(urllib.error.HTTPError) as other:
        urllib.request.urlopen(base.rsplit("/", 1)[0] + "/-/chinasei/_internal/article/40123", timeout=30)
    assert other.value.code == 404


def test_only_marks_are_ever_rendered(datasette):
    base, _ = datasette
    page = get(base, sql="select '<script>alert(1)</script><mark>x</mark>' as snippet")
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert safe_snippet("a &lt;b&gt; <mark>c</mark>") == "a &lt;b&gt; <mark>c</mark>"
    assert safe_snippet('<mark onclick="x">c</mark>') is None


def test_facets_and_hidden_internals(datasette):
    base, _ = datasette
    data = json.loads(get(base + "/articles.json", _size="1"))
    assert {"category", "month"} <= set(data["facet_results"])
    tables = {t["name"]: t["hidden"] for t in json.loads(get(base + ".json"))["tables"]}
    assert tables["articles"] is False and tables["search_stale"] is True and tables["article_search"] is True


def test_an_edit_made_while_datasette_runs_is_searchable(datasette):
    base, path = datasette
    db = Database(path)
    db["articles"].update(41207, {"title": "独一无二的新标题甲乙丙"})
    db.close()
    assert search_ids(base, "甲乙丙") == [41207]
