"""End to end: the real ``scrapy crawl chinasei`` against the saved site on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from archive.store import Archive
from crawler.ops import localsite
from tests.conftest import SAVED, archived_articles, expected_items, query, scrapy_crawl
from tests.sitebuilder.content import FETCHED_FILES
from tests.test_article_pages import FIELDS

pytestmark = pytest.mark.crawl

LIVE = "http://www.chinasei.com.cn"
MISSING = f"{LIVE}/lpz/202103/t20210301_99999.html"


@pytest.fixture(scope="module")
def crawled(saved_site_url: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One crawl of the saved site; the archive and the log."""
    db = tmp_path_factory.mktemp("crawl") / "archive.db"
    result = scrapy_crawl(saved_site_url, db)
    return db, result.stderr


def test_every_article_is_archived_once_with_every_field_as_expected(crawled):
    db, _ = crawled
    expected = expected_items()
    got = archived_articles(db)
    assert sorted(got) == sorted(expected)
    for site_id, item in expected.items():
        assert {k: got[site_id][k] for k in FIELDS} == {k: item[k] for k in FIELDS}, site_id


def test_each_article_was_fetched_once_even_when_two_listings_show_it(crawled):
    db, _ = crawled
    fetched = query(db, "SELECT url, fetch_count FROM responses WHERE kind = 'article' AND status = 200")
    assert len(fetched) == len(expected_items())
    assert {count for _, count in fetched} == {1}
    shown_in = query(db, "SELECT channel_url FROM channel_articles WHERE site_id = 40123 ORDER BY 1")
    assert shown_in == [(f"{LIVE}/cyzx/",), (f"{LIVE}/lpz/",)]


def test_the_404_is_recorded_with_its_reason_and_kept_raw(crawled):
    db, log = crawled
    assert query(db, "SELECT url, kind, status, reason FROM failures ORDER BY kind") == [
        (MISSING, "article", 404, f"HTTP 404 (linked from {LIVE}/lpz/)"),
        (f"{LIVE}/dfld/202410/W020241015300000000404.jpg", "media", 404, "image: HTTP 404")]  # the image alone fails
    assert query(db, f"SELECT status FROM responses WHERE url = '{MISSING}'") == [(404,)]
    assert "failed " + MISSING in log


def test_off_site_links_are_not_fetched(crawled):
    db, _ = crawled
    assert query(db, "SELECT COUNT(*) FROM responses WHERE url LIKE '%miit.gov.cn%' OR fetched_url NOT LIKE 'http://127.0.0.1:%'") == [(0,)]
    stats = json.loads(query(db, "SELECT stats FROM runs")[0][0])
    assert stats["chinasei/offsite_links"] == 1


def test_every_response_is_kept_raw(crawled):
    db, _ = crawled
    stats = json.loads(query(db, "SELECT stats FROM runs")[0][0])
    assert query(db, "SELECT COUNT(*) FROM responses") == [(stats["downloader/response_count"],)]
    kinds = dict(query(db, "SELECT kind, COUNT(*) FROM responses GROUP BY kind"))
    listing_files = [p for p in (SAVED / "www").rglob("index*.html") if p.parent != SAVED / "www" and "zzdy" not in p.parts]
    assert kinds == {"robots": 1, "home": 1, "listing": len(listing_files), "article": len(expected_items()) + 1,
                     "media": len(FETCHED_FILES) + 1}  # and the image that answers 404
    archive = Archive(db)
    try:
        seed = archive.latest_response(f"{LIVE}/lpz/202011/t20201124_40123.html")["body"]
        stored, raw = archive.stats()["stored_bytes"], archive.stats()["raw_bytes"]
    finally:
        archive.close()
    assert seed == (SAVED / "www/lpz/202011/t20201124_40123.html").read_bytes()
    assert stored < 0.08 * raw  # compressed with a dictionary of the site's own pages, early pages included


def test_every_listing_page_was_read_and_both_block_channels_found(crawled):
    db, _ = crawled
    channels = dict(query(db, "SELECT name, page_count FROM channels"))
    assert channels["领跑者"] == 2 and channels["政策解读"] == 1 and channels["产业资讯"] == 3
    pages = query(db, "SELECT COUNT(DISTINCT channel_url || page_index) FROM channel_articles WHERE channel_url LIKE '%/lpz/'")
    assert pages == [(2,)]


def test_the_run_is_recorded(crawled):
    db, log = crawled
    (status, new, failures, requests), = query(db, "SELECT status, articles_new, failures, requests FROM runs")
    assert (status, new, failures) == ("finished", len(expected_items()), 2)  # the 404 article, the 404 image
    assert requests >= new
    assert f"{new} articles ({new} new, 0 updated, 0 unchanged)" in log


def test_sqlite_utils_reads_the_archive_as_it_stands(crawled):
    db, _ = crawled
    out = subprocess.run([sys.executable, "-m", "sqlite_utils", "tables", str(db), "--counts"],
                         capture_output=True, text=True, check=True).stdout
    counts = {t["table"]: t["count"] for t in json.loads(out)}
    assert counts["articles"] == len(expected_items())


def test_a_second_full_crawl_changes_nothing(crawled, saved_site_url, tmp_path):
    db, _ = crawled
    again = tmp_path / "again.db"
    shutil.copy(db, again)
    before = query(again, "SELECT * FROM articles ORDER BY site_id")
    responses = query(again, "SELECT id, body FROM responses ORDER BY id")
    scrapy_crawl(saved_site_url, again, "-s", "ARCHIVE_INCREMENTAL=False")
    assert query(again, "SELECT * FROM articles ORDER BY site_id") == before
    assert query(again, "SELECT id, body FROM responses ORDER BY id") == responses
    (new, updated, unchanged), = query(again, "SELECT articles_new, articles_updated, articles_unchanged FROM runs WHERE id = 2")
    assert (new, updated, unchanged) == (0, 0, len(expected_items()))


def test_an_edited_article_is_updated_in_place(tmp_path):
    site = tmp_path / "www"
    shutil.copytree(SAVED / "www", site)
    db = tmp_path / "a.db"
    page = site / "lpz/202105/t20210525_41207.html"
    with localsite.serve(site) as url:
        scrapy_crawl(url, db)
        page.write_text(page.read_text(encoding="utf-8").replace("率先实现规模化应用", "率先实现大规模应用"), encoding="utf-8")
        scrapy_crawl(url, db, "-s", "ARCHIVE_INCREMENTAL=False")
    assert query(db, "SELECT COUNT(*) FROM articles") == [(len(expected_items()),)]
    (body,), = query(db, "SELECT body FROM articles WHERE site_id = 41207")
    assert "率先实现大规模应用" in body
    assert query(db, "SELECT articles_updated, articles_new FROM runs WHERE id = 2") == [(1, 0)]
    assert query(db, f"SELECT COUNT(*) FROM responses WHERE url = '{LIVE}/lpz/202105/t20210525_41207.html'") == [(2,)]
