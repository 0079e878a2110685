"""Search's ranking function, ``chinasei_rank`` (archive/_rank.c), against FTS5's own bm25.

For a query of one phrase (one term, of any length) it must give each match bm25's score divided
by the phrase's IDF, the one factor it skips, so the order is bm25's; for a query of several
phrases, bm25's scores themselves. Checked on generated news text and on articles written to vary
what a score reads: hits in the title and the body, repeated hits, long and short texts, full-width
and upper-case spellings that search folds.
"""

from __future__ import annotations

import importlib.util
import math
import random
import sqlite3

import pytest
from sqlite_utils import Database

from archive import search
from archive.search import INDEX, RANK, WEIGHTS, Query
from archive.store import Archive, article_record
from tests.sitebuilder import corpus

pytestmark = pytest.mark.unit

#: Articles that vary each input of a score: (title, body).
WRITTEN = [
    ("储能产业再提速", "储能产业规模扩大。储能 电站投运，储能电站并网。"),
    ("氢能与储能", "本报讯 氢能产业链加快布局，储能配套同步推进。" * 12),
    ("光伏组件出口增长", "光伏组件出口同比增长，储能需求带动。"),
    ("５Ｇ基站建设", "全国新建５Ｇ基站超过百万个，5G应用加速落地。"),
    ("AI芯片迎来新机遇", "ai芯片、AI芯片与Ai芯片：写法不一，搜索一样找到。"),
    ("消费扶贫", "消费扶贫带动增收。扶贫扶贫再扶贫。"),
    ("哈哈哈", "哈哈哈哈哈，一个字重复也算命中。"),
    ("新材料", "碳纤维、石墨烯等新材料" + "。" * 400 + "储能"),
]

#: One-phrase queries: one character (a prefix query on bigrams), two, three, six; Chinese, Latin,
#: mixed, full-width, a term that overlaps itself, a phrase with a space.
ONE_PHRASE = ["储", "能", "储能", "储能产业", "产业链加快布局", "5g", "５Ｇ", "5G基站", "ai芯片", "AI", "扶贫",
              "哈哈", "哈哈哈", "新材料", '"储能 电站"', "，", "同比增长"]
#: Queries of several phrases: AND, OR, NOT, several groups, a one-character term among others.
SEVERAL = ["储能 产业", "储能 OR 光伏", "储能 -氢能", "储能 NOT 电站", "扶贫 OR 5G 基站", "储 能", "-储能",
           "新材料 OR 储能 产业 OR 芯片"]


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Archive:
    """400 generated articles of news text and the written ones, indexed."""
    archive = Archive(tmp_path_factory.mktemp("rank") / "rank.db")
    records = [article_record(item) | {"version": 1} for item in corpus.articles(400)]
    template = records[0]
    for n, (title, body) in enumerate(WRITTEN):
        records.append(template | {"site_id": 900_000 + n, "url": template["url"].replace(".html", f"_{n}.html"),
                                   "title": title, "body": body})
    archive.db["articles"].insert_all(records)
    archive.search_index.refresh()
    yield archive
    archive.close()


def scores(archive: Archive, function: str, query: str) -> dict[int, float]:
    rows = archive.db.execute(
        f"SELECT rowid, {function}({INDEX}, {WEIGHTS[0]}, {WEIGHTS[1]}) FROM {INDEX} WHERE {INDEX} MATCH chinasei_fts(?)",
        [query]).fetchall()
    return dict(rows)


def idf(rows: int, hits: int) -> float:
    """bm25's IDF, as FTS5 computes it."""
    return max(math.log((rows - hits + 0.5) / (hits + 0.5)), 1e-6)


def sampled(archive: Archive, count: int) -> list[str]:
    """Substrings of 1 to 6 characters of the generated articles' titles and bodies."""
    rng = random.Random(7)
    texts = [row[0] for row in archive.db.execute("SELECT title || '。' || body FROM articles WHERE site_id < 900000")]
    queries = []
    while len(queries) < count:
        text = rng.choice(texts)
        length = rng.choice([1, 2, 3, 4, 6])
        start = rng.randrange(0, len(text) - length)
        query = text[start : start + length]
        if not any(c.isspace() or c == '"' or c == "-" for c in query):
            queries.append(query)
    return queries


def test_the_compiled_ranking_is_built_and_searched_with():
    built = importlib.util.find_spec("archive._rank") is not None
    assert built, "archive/_rank.c was not built: install a C compiler and SQLite's headers (libsqlite3-dev), then pip install -e ."
    assert RANK == "chinasei_rank" and "chinasei_rank(" in search.SEARCH_SQL


def test_every_connection_opened_later_has_it(tmp_path):
    path = tmp_path / "any.db"
    for connection in (sqlite3.connect(path), Database(path).conn):
        connection.execute("CREATE VIRTUAL TABLE IF NOT EXISTS t USING fts5(a)")
        connection.execute("INSERT INTO t VALUES ('x y x')")
        assert connection.execute("SELECT chinasei_rank(t) < 0 FROM t WHERE t MATCH 'x'").fetchall() == [(1,)]
        connection.close()


@pytest.mark.parametrize("query", ONE_PHRASE)
def test_one_phrase_scores_are_bm25_without_its_idf(archive, query):
    ours, theirs = scores(archive, "chinasei_rank", query), scores(archive, "bm25", query)
    assert ours and ours.keys() == theirs.keys()
    factor = idf(archive.db["articles"].count, len(ours))
    for site_id, score in ours.items():
        assert theirs[site_id] == pytest.approx(factor * score, rel=1e-9, abs=1e-12), site_id


def test_one_phrase_scores_on_generated_text(archive):
    rows = archive.db["articles"].count
    for query in sampled(archive, 60):
        assert len(Query.parse(query).terms) == 1
        ours, theirs = scores(archive, "chinasei_rank", query), scores(archive, "bm25", query)
        factor = idf(rows, len(ours))
        assert ours and all(theirs[i] == pytest.approx(factor * s, rel=1e-9, abs=1e-12) for i, s in ours.items()), query


@pytest.mark.parametrize("query", SEVERAL)
def test_several_phrases_score_as_bm25(archive, query):
    ours, theirs = scores(archive, "chinasei_rank", query), scores(archive, "bm25", query)
    assert ours and ours.keys() == theirs.keys()
    assert all(theirs[i] == pytest.approx(s, rel=1e-9, abs=1e-12) for i, s in ours.items())


def test_a_title_hit_outranks_the_same_hit_in_a_body(archive):
    best = archive.search_index.search("光伏组件", limit=5)
    assert best[0].site_id == 900_002


@pytest.mark.parametrize("query", ONE_PHRASE + SEVERAL + ["产业", "发展", "的"])
def test_search_orders_alike_with_either_function(archive, query):
    """The search where the module is not built (bm25) gives the same results in the same order."""
    ranked = {f: [hit.site_id for hit in archive.search_index.search(query, limit=50, rank=f)] for f in ("chinasei_rank", "bm25")}
    assert ranked["chinasei_rank"] and ranked["chinasei_rank"] == ranked["bm25"]
