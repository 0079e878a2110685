"""The archive file: schema, idempotent writes, raw responses, failures, listings."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from archive.store import Archive, Saved
from crawler.parsing.items import Article, Image, ListingEntry, ListingPage, PageFailure
from tests.conftest import REPO

pytestmark = pytest.mark.unit

URL = "http://www.chinasei.com.cn/lpz/202011/t20201124_40123.html"


@pytest.fixture
def archive(tmp_path):
    store = Archive(tmp_path / "a.db")
    yield store
    store.close()


def article(**changes) -> Article:
    fields = dict(url=URL, site_id=40123, title="标题", published_at="2020-11-24T15:11:00+08:00",
                  reporters=["王敏"], photographers=["王敏"], correspondents=["杨盛岚", "赵冠壹"], category="领跑者",
                  category_path=["领跑者"], body="正文", body_html="<p>正文</p>",
                  images=[Image("http://www.chinasei.com.cn/lpz/202011/W1.jpg", "图为现场")],
                  extraction={"title": "site:after-breadcrumb"})
    fields.update(changes)
    return Article(**fields)


def test_opening_twice_keeps_one_schema(tmp_path):
    Archive(tmp_path / "a.db").close()
    store = Archive(tmp_path / "a.db")
    assert {"articles", "responses", "runs", "failures", "channels", "channel_articles"} <= set(store.db.table_names())
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()


def test_writes_are_idempotent_and_changes_update(archive):
    run = archive.start_run("http://www.chinasei.com.cn")
    assert archive.save_article(run, article()).outcome == "new"
    assert archive.save_article(run, article()).outcome == "unchanged"
    assert archive.save_article(run, article(extraction={"title": "generic:h1"})).outcome == "unchanged"
    assert archive.save_article(run, article(title="新标题")) == Saved("updated", ("title",))
    assert archive.db["articles"].count == 1
    row = archive.article(40123)
    assert row["title"] == "新标题"
    assert row["images"] == [{"url": "http://www.chinasei.com.cn/lpz/202011/W1.jpg", "caption": "图为现场"}]
    assert row["version"] == 2
    (old,) = archive.versions(40123)
    assert (old["version"], old["content"]["title"], old["changed_fields"], old["reason"]) == (1, "标题", ["title"], "crawl")


def test_list_fields_are_json_arrays_for_any_sqlite_reader(archive):
    archive.save_article(archive.start_run("x"), article())
    conn = sqlite3.connect(archive.path)
    reporters, names = conn.execute(
        "SELECT reporters, (SELECT group_concat(value) FROM json_each(correspondents)) FROM articles").fetchone()
    assert json.loads(reporters) == ["王敏"]
    assert names == "杨盛岚,赵冠壹"


def test_raw_responses_are_kept_once_per_distinct_body(archive):
    run = archive.start_run("x")
    headers = {"Content-Type": ["text/html; charset=gbk"]}
    first = archive.record_response(run, URL, "http://127.0.0.1:1/x", 200, headers, "正文".encode("gbk"), "article")
    again = archive.record_response(run, URL, "http://127.0.0.1:1/x", 200, headers, "正文".encode("gbk"), "article")
    changed = archive.record_response(run, URL, "http://127.0.0.1:1/x", 200, headers, b"new", "article")
    assert first == again != changed
    row = archive.db["responses"].get(first)
    assert (row["fetch_count"], archive.raw_body(row), row["content_type"]) == (2, "正文".encode("gbk"), "text/html; charset=gbk")
    assert archive.latest_response(URL)["id"] in (first, changed)


def test_failures_are_kept_per_run_with_the_first_reason(archive):
    run = archive.start_run("x")
    archive.record_failure(run, PageFailure(url=URL, kind="article", reason="HTTP 404", status=404))
    archive.record_failure(run, PageFailure(url=URL, kind="article", reason="again"))
    assert [(f["url"], f["reason"]) for f in archive.failures(run)] == [(URL, "HTTP 404")]


def test_a_failed_listing_page_is_retried_until_it_is_read(archive):
    page = "http://www.chinasei.com.cn/lpz/index_3.html"
    first = archive.start_run("x")
    archive.record_failure(first, PageFailure(url=page, kind="listing", reason="HTTP 503", status=503))
    archive.record_failure(first, PageFailure(url=URL, kind="article", reason="HTTP 503", status=503))
    assert archive.failed_listing_urls() == [page]
    second = archive.start_run("x")
    archive.record_response(second, page, page, 200, {}, b"<html>listing</html>", "listing")
    assert archive.failed_listing_urls() == []


def test_a_listing_page_failing_run_after_run_is_given_up(archive):
    page = "http://www.chinasei.com.cn/lpz/index_3.html"
    for _ in range(5):
        archive.record_failure(archive.start_run("x"), PageFailure(url=page, kind="listing", reason="HTTP 500"))
    assert archive.failed_listing_urls(give_up_after=5) == []
    assert archive.failed_listing_urls(give_up_after=6) == [page]


def test_listings_record_channels_and_which_articles_they_show(archive):
    run = archive.start_run("x")
    page = ListingPage(url="http://www.chinasei.com.cn/cyzx/", folder_url="http://www.chinasei.com.cn/cyzx/",
                       channel="产业资讯", page_index=0, page_count=2,
                       entries=[ListingEntry(URL, "标题", "2020-11-24", True, True),
                                ListingEntry("https://www.miit.gov.cn/a.html", "外站", None, False, False)])
    archive.save_listing(run, page)
    archive.save_listing(run, page)
    assert archive.db["channels"].get("http://www.chinasei.com.cn/cyzx/")["page_count"] == 2
    rows = list(archive.db["channel_articles"].rows)
    assert [(r["site_id"], r["listed_title"], r["first_run_id"]) for r in rows] == [(40123, "标题", run)]


def test_runs_record_counts(archive):
    run = archive.start_run("http://127.0.0.1:1")
    archive.finish_run(run, "finished", {"articles_new": 3, "failures": 1}, {"x": 1})
    row = archive.run(run)
    assert (row["status"], row["articles_new"], row["failures"], json.loads(row["stats"])) == ("finished", 3, 1, {"x": 1})


def test_raw_responses_are_compressed_with_a_dictionary_of_the_site_and_readable_as_html(archive):
    from tests.conftest import SAVED

    run = archive.start_run("x")
    listing = (SAVED / "www/lpz/index.html").read_bytes()
    pages = sorted((SAVED / "www").rglob("t2*.html"))
    archive.record_response(run, "http://www.chinasei.com.cn/lpz/", "x", 200, {}, listing, "listing")
    for page in pages:
        archive.record_response(run, f"http://www.chinasei.com.cn/{page.name}", "x", 200,
                                {"Content-Type": ["text/html"]}, page.read_bytes(), "article")
    stats = archive.stats()
    assert stats["stored_bytes"] < 0.15 * stats["raw_bytes"]
    assert [r["body"] for r in archive.responses("kind = 'article'")] == [p.read_bytes() for p in pages]
    (html,) = archive.db.execute("SELECT html FROM pages WHERE url LIKE '%t20190305_38012.html'").fetchone()
    assert "解读《关于促进战略性新兴产业高质量发展的指导意见》" in html  # a GBK page, read as text


def test_a_medium_stored_before_the_compression_dictionary_keeps_its_bytes(archive):
    """Pages received before the dictionary exists are compressed again with it; a medium's row
    holds a reference to its ``media`` row, not compressed bytes, and must stay as it is (it was
    recompressed, and read back as its 64-character hash instead of the image)."""
    from tests.conftest import SAVED

    run = archive.start_run("x")
    image = (SAVED / "www/cyzx/202409/W020240912301234567890.jpg").read_bytes()
    url = "http://www.chinasei.com.cn/cyzx/202409/W020240912301234567890.jpg"
    archive.record_response(run, url, url, 200, {"Content-Type": ["image/jpeg"]}, image, "media")
    archive.record_response(run, "http://www.chinasei.com.cn/lpz/", "x", 200, {},
                            (SAVED / "www/lpz/index.html").read_bytes(), "listing")
    archive.record_response(run, URL, "x", 200, {"Content-Type": ["text/html"]},
                            (SAVED / "www/lpz/202011/t20201124_40123.html").read_bytes(), "article")
    assert archive.db.execute("SELECT COUNT(*) FROM compression_dicts").fetchone()[0] == 1
    (medium,) = archive.responses("kind = 'media'")
    assert medium["compression"] == "media" and medium["body"] == image


@pytest.mark.parametrize("title", ['=HYPERLINK("http://evil.example/","点此")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_csv_cell_a_spreadsheet_would_run_is_written_as_text(archive, title):
    import csv
    import io

    from archive.export import export_csv

    archive.save_article(archive.start_run("x"), article(title=title))
    out = io.StringIO()
    export_csv(archive, out)
    (row,) = csv.DictReader(io.StringIO(out.getvalue().removeprefix("\ufeff")))
    assert row["title"] == "'" + title
    assert row["body"] == "正文" and row["reporters"] == '["王敏"]'


def test_a_csv_export_of_an_empty_archive_has_its_header_row(archive):
    import io

    from archive.export import export_csv

    out = io.StringIO()
    assert export_csv(archive, out) == 0
    header = out.getvalue().removeprefix("\ufeff").splitlines()
    assert header[0].startswith("site_id,url,title,") and len(header) == 1


def test_a_write_failing_late_in_a_large_batch_is_undone_whole_and_the_batch_kept(archive, monkeypatch):
    """Each write is a savepoint inside the batch's transaction; its statement journal (kept in
    memory, ``TEMP_STORE``) must restore every page the failed write had changed, however many
    pages the batch had already changed before it."""
    assert archive.db.execute("PRAGMA temp_store").fetchone()[0] == 2  # memory
    run = archive.start_run("http://www.chinasei.com.cn")
    link_media = Archive._link_media

    def failing(self, item):
        if item.site_id == 50100:
            raise sqlite3.OperationalError("disk I/O error")
        link_media(self, item)

    monkeypatch.setattr(Archive, "_link_media", failing)
    body = "新能源汽车产业链的发展" * 400  # pages enough that a savepoint journals far past 64 KiB
    archive.begin_batch()
    for site_id in range(50000, 50200):
        url = f"http://www.chinasei.com.cn/xny/202101/t20210101_{site_id}.html"
        try:
            archive.save_article(run, article(url=url, site_id=site_id, title=f"第{site_id}号", body=f"{site_id}{body}"))
        except sqlite3.OperationalError:
            assert site_id == 50100
    archive.commit()
    stored = {row[0] for row in archive.db.execute("SELECT site_id FROM articles")}
    assert stored == set(range(50000, 50200)) - {50100}
    assert archive.db.execute("SELECT COUNT(*) FROM article_media WHERE site_id = 50100").fetchone()[0] == 0
    assert archive.search_index.site_ids("第50101号") == {50101}
    assert archive.search_index.site_ids("第50100号") == set()
    assert archive.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_indexing_that_fails_at_a_batch_commit_undoes_the_batch_whole(archive, monkeypatch):
    """The search index is written at the batch's commit inside the batch's own transaction, with
    no savepoint of its own: an indexing failure part way must still leave neither the batch's
    articles nor any of their terms, and the same writes must succeed when made again."""
    from archive.search import SearchIndex

    run = archive.start_run("http://www.chinasei.com.cn")
    reindex = SearchIndex._reindex
    site_ids = range(60000, 60040)

    def failing(self, site_id):
        if site_id == 60030:
            raise sqlite3.OperationalError("disk I/O error")
        reindex(self, site_id)

    def store_batch():
        archive.begin_batch()
        for site_id in site_ids:
            url = f"http://www.chinasei.com.cn/cyzx/202102/t20210201_{site_id}.html"
            archive.save_article(run, article(url=url, site_id=site_id, title=f"储能第{site_id}号", body="光伏储能" * 300))
        archive.commit()

    monkeypatch.setattr(SearchIndex, "_reindex", failing)
    with pytest.raises(sqlite3.OperationalError):
        store_batch()
    archive.rollback()
    assert archive.db.execute("SELECT COUNT(*) FROM articles WHERE site_id >= 60000").fetchone()[0] == 0
    assert archive.search_index.site_ids("光伏储能") == set()
    monkeypatch.setattr(SearchIndex, "_reindex", reindex)
    store_batch()
    assert archive.db.execute("SELECT COUNT(*) FROM search_dirty").fetchone()[0] == 0
    assert archive.search_index.site_ids("光伏储能") == set(site_ids)
    assert archive.search_index.site_ids("储能第60030号") == {60030}
    archive.db.execute("INSERT INTO article_search (article_search, rank) VALUES ('integrity-check', 0)")
    assert archive.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.parametrize("opening", ["Archive(path)", "Archive.read_only(path)"])
def test_an_archive_has_its_functions_without_the_machines_sqlite_utils_plugins(tmp_path, opening):
    """Our processes register the archive's SQL functions themselves: the pages view reads raw
    responses as text, and no sqlite-utils plugin (ours included) is looked up or loaded."""
    path = tmp_path / "a.db"
    Archive(path).close()
    code = ("import sys\nfrom archive.store import Archive\n"
            f"path = {str(path)!r}\narchive = {opening}\n"
            "print(archive.db.execute(\"SELECT chinasei_raw(CAST('x' AS BLOB), NULL, NULL)\").fetchone()[0])\n"
            "print(sorted(m for m in sys.modules if m == 'archive.sqlite_utils_plugin' or m.startswith('importlib.metadata')))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["b'x'", "[]"]
