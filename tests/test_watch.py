"""Saved searches: ``chinasei watch``, what each crawl reports for them, and their Atom feeds in a
real Datasette, read back with feedparser."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from email.message import Message
from pathlib import Path

import feedparser
import pytest

from archive.store import Archive
from crawler.ops import localsite
from tests.conftest import FAST, REPO, archive_saved_site, chinasei_serve, query, scrapy_crawl
from tests.sitebuilder.build import build
from tests.sitebuilder.content import Spec

pytestmark = pytest.mark.crawl

#: Two articles the portal publishes after the first crawl, both about 氢能, one in 领跑者.
HYDROGEN = [
    Spec(60001, "/lpz/", "氢能重卡示范线路开通", "2025-07-01 09:00", "2025-07-01T09:00:00+08:00",
         [("p", "首条氢能重卡示范线路今日开通，全程加氢站三座。")], lead="（记者 王芳）", people={"reporters": ["王芳"]}),
    Spec(60002, "/cyzx/", "多地出台氢能产业扶持政策", "2025-07-02 10:00", "2025-07-02T10:00:00+08:00",
         [("p", "今年以来，已有八个省份出台氢能产业专项政策。")]),
]


def chinasei(*args: str, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.ops.cli", *args, "--db", str(db)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def site_db(tmp_path) -> Path:
    db = tmp_path / "site.db"
    archive_saved_site(db).close()
    return db


def test_a_saved_search_matches_exactly_what_search_finds(site_db):
    assert chinasei("watch", "add", "储能", "储能", db=site_db).returncode == 0
    assert chinasei("watch", "add", "储能 in 产业资讯", "储能 -抽水", "--category", "产业资讯", db=site_db).returncode == 0
    listed = [json.loads(line) for line in chinasei("watch", "list", "--json", db=site_db).stdout.splitlines()]
    archive = Archive.read_only(site_db)
    everything = archive.search_index.site_ids("储能")
    narrowed = {i for i in archive.search_index.site_ids("储能 -抽水")
                if query(site_db, f"SELECT category FROM articles WHERE site_id = {i}") == [("产业资讯",)]}
    archive.close()
    assert [(w["name"], w["matches"], w["new"]) for w in listed] == [("储能", len(everything), 0),
                                                                     ("储能 in 产业资讯", len(narrowed), 0)]
    shown = [json.loads(line) for line in chinasei("watch", "show", "储能", "--json", db=site_db).stdout.splitlines()]
    assert {row["site_id"] for row in shown} == everything
    assert [row["published_at"] for row in shown] == sorted((row["published_at"] for row in shown), reverse=True)
    assert all("<mark>储能</mark>" in row["snippet"] for row in shown)
    assert chinasei("watch", "remove", "储能", db=site_db).returncode == 0
    assert query(site_db, "SELECT COUNT(*) FROM watch_seen WHERE name = '储能'") == [(0,)]


@pytest.mark.parametrize(("args", "message"), [
    (["add", "", "储能"], "needs a name"),
    (["add", "a/b", "储能"], "cannot name a saved search"),
    (["add", "x" * 65, "储能"], "at most 64 characters"),
    (["add", "空", "   "], "query"),
    (["add", "领跑", "储能", "--category", "没有的频道"], "no category '没有的频道'"),
    (["show", "没有这个"], "no saved search '没有这个'"),
    (["remove", "没有这个"], "no saved search '没有这个'"),
    (["add", "氢能", "\udcff"], "the query is not valid UTF-8 text"),  # a byte the shell passed, not UTF-8
    (["show", "\udcff"], "the name is not valid UTF-8 text"),
])
def test_a_bad_saved_search_is_one_clear_line(site_db, args, message):
    done = chinasei("watch", *args, db=site_db)
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_a_name_taken_is_refused(site_db):
    chinasei("watch", "add", "储能", "储能", db=site_db)
    done = chinasei("watch", "add", "储能", "氢能", db=site_db)
    assert done.returncode == 2 and "exists (its query: 储能)" in done.stderr


def test_saved_searches_survive_a_crawl_and_report_what_it_brought(tmp_path):
    www, db = tmp_path / "www", tmp_path / "a.db"
    build(www)
    with localsite.serve(www) as url:
        scrapy_crawl(url, db)
        for name, q in (("氢能", "氢能"), ("氢能领跑者", "氢能"), ("光伏", "光伏")):
            extra = ["--category", "领跑者"] if name == "氢能领跑者" else []
            assert chinasei("watch", "add", name, q, *extra, db=db).returncode == 0
        before = {row["site_id"] for row in map(json.loads, chinasei("watch", "show", "氢能", "--json", db=db).stdout.splitlines())}
        build(www, extra=HYDROGEN)  # the portal publishes two articles about 氢能
        crawled = subprocess.run([sys.executable, "-m", "crawler.ops.cli", "crawl", "--db", str(db), "--base-url", url,
                                  *FAST],
                                 cwd=REPO, capture_output=True, text=True, timeout=300)
    assert crawled.returncode == 0, crawled.stderr[-2000:]
    assert "Saved searches: 光伏: 0 new, 氢能: 2 new, 氢能领跑者: 1 new" in crawled.stdout
    stats = json.loads(query(db, "SELECT stats FROM runs WHERE id = 2")[0][0])
    assert {k: v for k, v in stats.items() if k.startswith("chinasei/watch/")} == {
        "chinasei/watch/氢能": 2, "chinasei/watch/氢能领跑者": 1, "chinasei/watch/光伏": 0}
    new = [json.loads(line) for line in chinasei("watch", "show", "氢能", "--new", "--json", db=db).stdout.splitlines()]
    assert [row["site_id"] for row in new] == [60002, 60001]  # newest first, and nothing seen before
    assert chinasei("watch", "show", "氢能", "--new", "--json", db=db).stdout == ""  # seen now
    everything = {row["site_id"] for row in map(json.loads, chinasei("watch", "show", "氢能", "--json", db=db).stdout.splitlines())}
    assert everything == before | {60001, 60002}


def test_show_new_with_a_limit_marks_only_what_it_showed(site_db):
    chinasei("watch", "add", "储能", "储能", db=site_db)
    seen = [row[0] for row in query(site_db, "SELECT site_id FROM watch_seen WHERE name = '储能'")]
    conn = sqlite3.connect(site_db)
    with conn:
        conn.execute("DELETE FROM watch_seen")  # as if nothing had been seen
    conn.close()
    first = chinasei("watch", "show", "储能", "--new", "--limit", "1", "--json", db=site_db).stdout.splitlines()
    rest = chinasei("watch", "show", "储能", "--new", "--json", db=site_db).stdout.splitlines()
    assert len(first) == 1 and len(first) + len(rest) == len(seen) > 1


@pytest.fixture(scope="module", params=["chinasei serve", "datasette"])
def watched(request, tmp_path_factory):
    """An archive with two saved searches, in a real Datasette on 127.0.0.1."""
    db = tmp_path_factory.mktemp("feed") / "site.db"
    archive_saved_site(db).close()
    for name, q in (("储能", "储能"), ("无匹配", "没有任何文章包含这句话")):
        assert chinasei("watch", "add", name, q, db=db).returncode == 0
    with chinasei_serve(db, request.param) as base:
        yield base, db


def fetch(url: str) -> tuple[int, bytes, Message]:
    """Status, body and headers (looked up in any case) of a GET."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


def test_a_saved_search_is_a_valid_atom_feed_of_its_matches(watched):
    base, db = watched
    status, body, headers = fetch(f"{base}/-/chinasei/site/watch/{urllib.parse.quote('储能')}.atom")
    assert status == 200 and headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(body)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    archive = Archive.read_only(db)
    expected = archive.search_index.site_ids("储能")
    archive.close()
    linked = [entry.link for entry in feed.entries]
    assert sorted(int(link.rsplit("/", 1)[1]) for link in linked) == sorted(expected)
    times = [entry.published_parsed for entry in feed.entries]
    assert times == sorted(times, reverse=True)  # newest first
    for entry in feed.entries:
        assert entry.title and "储能" in entry.summary and entry.id.startswith("http://www.chinasei.com.cn/")
    status, page, _ = fetch(linked[0])  # each entry opens its archived page
    assert status == 200 and b"<script" not in page
    empty = feedparser.parse(fetch(f"{base}/-/chinasei/site/watch/{urllib.parse.quote('无匹配')}.atom")[1])
    assert empty.bozo == 0 and empty.entries == [] and empty.feed.title.startswith("无匹配")
    assert fetch(f"{base}/-/chinasei/site/watch/{urllib.parse.quote('没有')}.atom")[0] == 404


def test_a_saved_searchs_page_lists_its_matches_and_links_its_feed(watched):
    base, _ = watched
    status, page, headers = fetch(f"{base}/-/chinasei/site/watch/{urllib.parse.quote('储能')}")
    text = page.decode("utf-8")
    assert status == 200 and "default-src 'none'" in headers["content-security-policy"]
    assert 'type="application/atom+xml"' in text and "<mark>储能</mark>" in text
    status, listing, _ = fetch(f"{base}/site/watches")
    assert status == 200 and f"/-/chinasei/site/watch/{urllib.parse.quote('储能', safe='')}.atom" in listing.decode("utf-8")
