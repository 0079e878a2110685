"""Search returns exactly the articles that hold the query: proven against a plain substring scan."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from sqlite_utils import Database

from archive.search import Query, SearchError
from archive.store import Archive
from tests.conftest import archive_saved_site
from tests.sitebuilder import corpus

pytestmark = pytest.mark.unit


def norm(text: str | None) -> str:
    """The reference's own folding: compatibility forms and case, nothing else."""
    return unicodedata.normalize("NFKC", text or "").lower()


def scan(rows: list[dict], positive: list[str], negative: list[str] = ()) -> set[int]:
    """The plain substring scan search must agree with."""
    positive, negative = [norm(t) for t in positive], [norm(t) for t in negative]
    return {
        row["site_id"]
        for row in rows
        if all(_holds(t, row["texts"]) for t in positive) and not any(_holds(t, row["texts"]) for t in negative)
    }


def _holds(term: str, texts: tuple[str, str]) -> bool:
    return term in texts[0] or term in texts[1]


def found(archive: Archive, query: str, **filters) -> set[int]:
    """What search returns: ranked results, all of them, for a small archive; the unranked set of
    ids (the same query) for the big one, where snippets for thousands of hits would only be slow."""
    if archive.db["articles"].count > 1000 and not filters:
        return archive.search_index.site_ids(query)
    return {hit.site_id for hit in archive.search_index.search(query, limit=10**6, **filters)}


def filtered(archive: Archive, category: str | None = None, since: str | None = None) -> set[int]:
    """The articles a filter keeps, by plain SQL."""
    return {row[0] for row in archive.db.execute(
        "SELECT site_id FROM articles WHERE (:c IS NULL OR category = :c) AND (:s IS NULL OR published_at >= :s)",
        {"c": category, "s": since})}


def sample_queries(rows: list[dict], rng: random.Random, count: int) -> list[str]:
    """Substrings of 1, 2, 3, 4 and 6 characters of the archive's own titles and bodies (those with
    a space only as quoted phrases, so they are compared as a whole: see :func:`phrase`)."""
    queries = []
    for _ in range(count):
        row = rng.choice(rows)
        text = rng.choice([row["title"], row["body"]])
        length = rng.choice([1, 2, 2, 3, 4, 6])
        start = rng.randrange(0, max(1, len(text) - length))
        query = text[start : start + length]
        if query.strip() and '"' not in query and query.strip() == query and "\n" not in query:
            queries.append(f'"{query}"' if " " in query else query)
    return queries


def phrase(query: str) -> str:
    """The text a sampled query asks for."""
    return query.strip('"')


@pytest.fixture(scope="module")
def site_archive(tmp_path_factory) -> Archive:
    """Every article of the saved site, parsed and archived."""
    archive = archive_saved_site(tmp_path_factory.mktemp("search") / "site.db")
    yield archive
    archive.close()


def rows_of(archive: Archive) -> list[dict]:
    """Every article, with its texts folded once for the reference scan."""
    rows = list(archive.db.query("SELECT site_id, title, body FROM articles"))
    return [row | {"texts": (norm(row["title"]), norm(row["body"]))} for row in rows]


@pytest.mark.parametrize("query", ["扶贫", "北辰", "脱贫", "消费扶贫", "扶", "贫", "5G", "5g", "AI芯片", "2020年", "，", "携手奔小康",
                                   "受援地区", "钠离子电池", "。"])
def test_named_queries_equal_the_scan(site_archive, query):
    assert found(site_archive, query) == scan(rows_of(site_archive), [query])


def test_two_character_queries_find_what_trigram_misses(site_archive):
    assert 40123 in found(site_archive, "扶贫")
    assert found(site_archive, "5G") == scan(rows_of(site_archive), ["5G"]) != set()


def test_many_queries_from_the_saved_site_equal_the_scan(site_archive):
    rows = rows_of(site_archive)
    rng = random.Random(1)
    for query in sample_queries(rows, rng, 400):
        assert found(site_archive, query) == scan(rows, [phrase(query)]), query


def test_several_terms_phrases_not_and_or(site_archive):
    rows = rows_of(site_archive)
    assert found(site_archive, "扶贫 北辰") == scan(rows, ["扶贫", "北辰"])
    assert found(site_archive, '"奔小康 助力"') == scan(rows, ["奔小康 助力"]) == {40123}
    assert found(site_archive, '"携手 奔小康"') == scan(rows, ["携手 奔小康"]) == set()
    assert found(site_archive, "产业 -扶贫") == scan(rows, ["产业"], ["扶贫"])
    assert found(site_archive, "产业 NOT 扶贫") == scan(rows, ["产业"], ["扶贫"])
    assert found(site_archive, "-产业") == scan(rows, [], ["产业"])
    assert found(site_archive, '产业 -"奔小康 助力"') == scan(rows, ["产业"], ["奔小康 助力"]) != scan(rows, ["产业"])
    assert found(site_archive, "扶贫 OR 钠离子") == scan(rows, ["扶贫"]) | scan(rows, ["钠离子"])
    assert found(site_archive, "5G 基站") == scan(rows, ["5G", "基站"])


@pytest.mark.parametrize("query", ["'", "*", "扶贫*", "NEAR(扶贫 北辰)", "OR", "AND", "NOT", "-", "--", "()", "(扶贫",
                                   "扶贫)", "扶贫 OR", "OR 扶贫", "扶贫 AND", "title:扶贫", "^扶贫", "{扶贫}", "'; DROP TABLE articles; --",
                                   "扶\x00贫", "\\", "%", "_", "😀", "扶贫 " * 50, "a" * 500])
def test_hostile_queries_give_literal_results(site_archive, query):
    result = found(site_archive, query)
    assert site_archive.db["articles"].count == len(rows_of(site_archive))
    if query.strip() in ("OR", "AND", "NOT", "-", "--"):
        assert result == scan(rows_of(site_archive), [query.strip()])
    assert isinstance(result, set)


@pytest.mark.parametrize("query", ["", "   ", '""', "\t", '"'])
def test_an_empty_query_is_a_clear_error(site_archive, query):
    with pytest.raises(SearchError, match="empty"):
        site_archive.search_index.search(query)


def test_random_strings_never_error(site_archive):
    rng = random.Random(7)
    alphabet = '扶贫北辰"\'*()-:^{}[]ORNAEandor 5G\\%_，。'
    rows = rows_of(site_archive)
    for _ in range(300):
        query = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        try:
            found(site_archive, query)
        except SearchError:
            assert not query.replace('"', "").strip() or set(query.split()) <= {"OR", "AND", "NOT"}
    assert site_archive.db["articles"].count == len(rows)


def test_filters_and_order(site_archive):
    everything = site_archive.search_index.search("产业", limit=1000)
    lead = site_archive.search_index.search("产业", category="领跑者", limit=1000)
    assert {h.category for h in lead} == {"领跑者"} and len(lead) < len(everything)
    since = site_archive.search_index.search("产业", since="2022-01-01", until="2022-12-31", limit=1000)
    assert since and all("2022-01-01" <= h.published_at < "2023" for h in since)
    newest = site_archive.search_index.search("产业", newest=True, limit=1000)
    assert [h.published_at for h in newest] == sorted((h.published_at for h in newest), reverse=True)
    best = site_archive.search_index.search("扶贫", limit=1)
    assert best[0].site_id == 40123 and "<mark>扶贫</mark>" in best[0].snippet


@pytest.mark.parametrize("query", ["产业", "扶贫", "5G 基站", "储能 OR 光伏", "的", "发展 -北京"])
def test_newest_first_is_every_match_by_time_with_its_score(site_archive, query):
    index, rows = site_archive.search_index, rows_of(site_archive)
    best = {hit.site_id: hit.score for hit in index.search(query, limit=10**6)}  # all ranked: under 1,000 matches
    for filters in ({}, {"category": "领跑者"}, {"since": "2022-01-01"}):
        newest = index.search(query, newest=True, limit=10**6, **filters)
        kept = filtered(site_archive, filters.get("category"), filters.get("since"))
        terms = Query.parse(query)
        assert {hit.site_id for hit in newest} == {r["site_id"] for r in rows if r["site_id"] in kept
                                                   and terms.matches(r["title"], r["body"])}, filters
        assert [(h.published_at, h.site_id) for h in newest] == sorted(((h.published_at, h.site_id) for h in newest), reverse=True)
        assert all(hit.score == pytest.approx(best[hit.site_id], rel=1e-12, abs=1e-15) for hit in newest)
        paged = [hit.site_id for start in range(0, len(newest), 7)
                 for hit in index.search(query, newest=True, limit=7, offset=start, **filters)]
        assert paged == [hit.site_id for hit in newest]


def test_pages_of_results_follow_on(site_archive):
    index = site_archive.search_index
    for query, filters in [("产业", {}), ("的", {"category": "领跑者"}), ("发展", {"since": "2021-01-01"}), ("的", {"until": "2023-12-31"})]:
        whole = [hit.site_id for hit in index.search(query, limit=10**6, **filters)]
        paged = [hit.site_id for start in range(0, len(whole), 2) for hit in index.search(query, limit=2, offset=start, **filters)]
        assert len(whole) > 2 and paged == whole, (query, filters)


def test_the_index_follows_edits_made_with_sqlite_utils(tmp_path):
    path = tmp_path / "edit.db"
    archive = Archive(path)
    run = archive.start_run("test")
    items = list(corpus.articles(50))
    for item in items:
        archive.save_article(run, item)
    retitled, deleted, copied, rewritten = (item.site_id for item in items[3:7])
    other = Database(path)  # another program: no search functions, only the triggers
    other["articles"].update(retitled, {"title": "独一无二的标题词甲乙"})
    other["articles"].delete(deleted)
    row = dict(other["articles"].get(copied))
    row.update(site_id=1, url="http://www.chinasei.com.cn/x/t20200101_1.html", body="新插入的正文丙丁")
    row.pop("month")
    other["articles"].insert(row)
    subprocess.run([sys.executable, "-m", "sqlite_utils", "query", str(path),
                    f"update articles set body = '命令行改写戊己' where site_id = {rewritten}"], check=True, capture_output=True)
    other.close()

    reader = Archive(path)  # search before any refresh: dirty rows are checked directly
    rows = rows_of(reader)
    for query in ("甲乙", "丙丁", "戊己", "的", "产业", "创新"):
        assert found(reader, query) == scan(rows, [query]) == reader.search_index.site_ids(query), query
    assert found(reader, "甲乙") == {retitled} and found(reader, "戊己") == {rewritten}
    assert deleted not in found(reader, "的")
    for query in ("甲乙", "戊己", "的", "产业"):  # the filters hold for dirty rows and clean ones alike
        for category in {row["category"] for row in reader.db.query("SELECT category FROM articles")}:
            expected = scan([r for r in rows if r["site_id"] in filtered(reader, category=category)], [query])
            assert found(reader, query, category=category) == expected, (query, category)
        expected = scan([r for r in rows if r["site_id"] in filtered(reader, since="2022-06-01")], [query])
        assert found(reader, query, since="2022-06-01") == expected, query
        newest = reader.search_index.search(query, newest=True, limit=10**6, since="2022-06-01")
        assert {hit.site_id for hit in newest} == expected, query
    assert reader.search_index.refresh() == 4
    for query in ("甲乙", "丙丁", "戊己", "的", "产业"):
        assert found(reader, query) == scan(rows, [query]), query
    reader.close()
    archive.close()


def test_search_from_the_command_line(site_archive, tmp_path: Path):
    from click.testing import CliRunner

    from crawler.ops.cli import cli

    result = CliRunner().invoke(cli, ["search", "扶贫", "--db", str(site_archive.path), "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert lines[0]["site_id"] == 40123
    assert set(lines[0]) >= {"url", "title", "published_at", "category", "snippet"}
    readable = CliRunner().invoke(cli, ["search", "扶贫", "--db", str(site_archive.path), "--category", "领跑者"])
    assert "【扶贫】" in readable.output
    empty = CliRunner().invoke(cli, ["search", "  ", "--db", str(site_archive.path)])
    assert empty.exit_code == 2 and "the query is empty" in empty.output


def test_a_query_of_too_many_terms_is_a_clear_error(site_archive):
    from archive.search import MAX_TERMS

    many = " ".join(f"词{n}" for n in range(5000))
    with pytest.raises(SearchError, match=f"the query has 5000 terms; at most {MAX_TERMS} are searched"):
        site_archive.search_index.search(many)
    assert found(site_archive, " ".join(["扶贫"] * MAX_TERMS)) == found(site_archive, "扶贫")  # the most allowed still answers


@pytest.mark.parametrize("query, text, marked", [
    ("５Ｇ", "新一代5G网络建设", "新一代<mark>5G</mark>网络建设"),
    ("5g", "新一代５Ｇ网络建设", "新一代<mark>５Ｇ</mark>网络建设"),
    ("ＡＩ芯片", "国产AI芯片量产", "国产<mark>AI芯片</mark>量产"),
    ("5G", "面积100㎡的5G机房", "面积100㎡的<mark>5G</mark>机房"),  # ㎡ folds to two characters
    ("储能 氢能", "储能与氢能", "<mark>储能</mark>与<mark>氢能</mark>"),
    ("<b>", "a <b> b", "a <mark>&lt;b&gt;</mark> b"),
])
def test_a_hit_is_marked_however_it_is_written(query, text, marked):
    """The highlight finds what the search finds: in folded text (NFKC, lower case)."""
    from archive.search import snippet

    assert snippet(None, text, query) == marked
