"""End to end on a damaged copy of the site: every fault is recorded with its reason, nothing else
is lost, and the crawl goes on."""

from __future__ import annotations

import asyncio
import random
import re
import shutil
from pathlib import Path

import pytest
from scrapy.http import Response

from archive.store import Archive
from crawler.ops import localsite
from crawler.parsing.items import PageFailure
from spiders.chinasei import LISTING_WINDOW, ChinaseiSpider
from tests.conftest import SAVED, expected_items, query, scrapy_crawl
from tests.sitebuilder.build import build
from tests.sitebuilder.generated import specs

pytestmark = pytest.mark.crawl

LIVE = "http://www.chinasei.com.cn"
NO_TITLE = next((SAVED / "www").glob("lsdt/hbcy/*/t*.html")).relative_to(SAVED / "www").as_posix()
GARBAGE = next((SAVED / "www").glob("gdzz/xcl/*/t*.html")).relative_to(SAVED / "www").as_posix()


def damage(www: Path) -> None:
    """Break the copy the ways a real site breaks."""
    home = www / "index.html"
    text = home.read_text(encoding="utf-8")
    text = re.sub(r'<div class="block"><div class="block-title"><span>领跑者</span>.*?</ul></div>', "", text)
    assert "/lpz/" not in text
    home.write_text(text, encoding="utf-8")

    page = www / NO_TITLE
    text = page.read_text(encoding="utf-8")
    text = re.sub(r'<div class="title">.*?</div>', "", text)
    text = re.sub(r"<title>.*?</title>", "<title></title>", text)
    page.write_text(text, encoding="utf-8")

    (www / GARBAGE).write_bytes(random.Random(5).randbytes(3000))

    pager = www / "zcjd/index.html"
    pager.write_text(pager.read_text(encoding="utf-8").replace("createPageHTML(1, 0,", "createPageHTML(3, 0,"), encoding="utf-8")

    for name in ("index.html", "index_1.html"):
        listing = www / "swcy/swyy" / name
        text = re.sub(r"<script>createPageHTML\(.*?\);</script>", "", listing.read_text(encoding="utf-8"))
        listing.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def damaged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("damaged")
    shutil.copytree(SAVED / "www", root / "www")
    damage(root / "www")
    db = root / "a.db"
    with localsite.serve(root / "www") as url:
        log = scrapy_crawl(url, db).stderr
    return db, log


def test_every_fault_is_recorded_with_its_reason(damaged):
    db, log = damaged
    failures = {url.removeprefix(LIVE + "/"): (kind, reason) for url, kind, reason in query(db, "SELECT url, kind, reason FROM failures")}
    assert failures == {
        "lpz/202103/t20210301_99999.html": ("article", f"HTTP 404 (linked from {LIVE}/lpz/)"),
        NO_TITLE: ("article", "no title (no title found)"),
        GARBAGE: ("article", "no title (no body found; no title found; encoding: not text in any likely encoding "
                             "(binary data, or a damaged page?); read as utf8)"),
        # the pager claims 3 pages, the server has 1: read page by page, the walk ends after two 404s in a row
        "zcjd/index_1.html": ("listing", "HTTP 404"),
        "zcjd/index_2.html": ("listing", "HTTP 404"),
        "dfld/202410/W020241015300000000404.jpg": ("media", "image: HTTP 404"),  # the saved site's missing image
    }
    for url in failures:
        assert f"failed {LIVE}/{url}" in log
    assert f"Listing {LIVE}/zcjd/: pages up to" in log and "answer 404 though the pager counts them" in log


def test_failed_pages_are_still_kept_raw(damaged):
    db, _ = damaged
    archive = Archive(db)
    try:
        assert archive.latest_response(f"{LIVE}/{GARBAGE}")["body"] == random.Random(5).randbytes(3000)
    finally:
        archive.close()
    assert query(db, f"SELECT COUNT(*) FROM responses WHERE url = '{LIVE}/{NO_TITLE}'") == [(1,)]


def test_everything_else_is_archived(damaged):
    db, _ = damaged
    archived = {site_id for (site_id,) in query(db, "SELECT site_id FROM articles")}
    lost = {int(re.search(r"_(\d+)\.html$", path).group(1)) for path in (NO_TITLE, GARBAGE)}
    assert archived == set(expected_items()) - lost


def test_a_channel_the_home_page_lost_is_found_through_its_articles(damaged):
    db, log = damaged
    assert query(db, "SELECT page_count FROM channels WHERE name = '领跑者'") == [(2,)]
    assert "not found" not in log


def test_a_listing_without_a_pager_script_is_walked_until_it_ends(damaged):
    db, log = damaged
    assert query(db, "SELECT page_count FROM channels WHERE name = '生物医药'") == [(None,)]
    assert "no pager script" in log
    assert re.search(r"Listing ends before http://127\.0\.0\.1:\d+/swcy/swyy/index_2\.html", log)
    swyy = query(db, "SELECT COUNT(*) FROM articles WHERE category = '生物医药'")
    assert swyy == [(3,)]


def test_a_missing_required_channel_fails_the_run_loudly(tmp_path):
    shutil.copytree(SAVED / "www", tmp_path / "www")
    home = tmp_path / "www/index.html"
    home.write_text("<html><body><a href='/cyzx/'>产业资讯</a></body></html>", encoding="utf-8")
    db = tmp_path / "a.db"
    shutil.rmtree(tmp_path / "www/lpz")
    with localsite.serve(tmp_path / "www") as url:
        log = scrapy_crawl(url, db, exit_code=3).stderr
    assert "Channel 领跑者 was not found" in log
    assert query(db, "SELECT health, warnings FROM runs") == [("unhealthy", '["channel 领跑者 was not found"]')]
    assert query(db, "SELECT kind, reason FROM failures WHERE kind = 'channel'") == [
        ("channel", "channel 领跑者 not found: the home page no longer links it")]


def test_a_response_that_is_not_html_is_a_clear_failure():
    spider = ChinaseiSpider(base_url="http://127.0.0.1:1")
    response = Response("http://127.0.0.1:1/lpz/202011/t20201124_1.html", status=200,
                        headers={"Content-Type": "application/pdf"}, body=b"%PDF-1.4")
    async def collect():
        return [output async for output in spider.parse_article(response)]

    (failure,) = asyncio.run(collect())
    assert failure == PageFailure(url=f"{LIVE}/lpz/202011/t20201124_1.html", kind="article",
                                  reason="not an HTML page (application/pdf)", status=200)


def test_a_long_listing_is_read_to_its_end_past_a_page_that_fails(tmp_path):
    """A full crawl reads a listing a few pages at a time, each page asking for one further on:
    a page that fails must pass its turn on, or every later page of its chain would be lost."""
    www = tmp_path / "www"
    build(www, extra=specs(60, folders=["/swcy/swyy/"]))  # 2 articles a page: 30-odd pages
    folder = www / "swcy/swyy"
    pages = sorted(folder.glob("index_*.html"), key=lambda p: int(p.stem.split("_")[1]))
    assert len(pages) > 3 * LISTING_WINDOW
    broken = pages[LISTING_WINDOW]  # in the first window's chains, with pages after it
    lost = set(re.findall(r"t\d{8}_(\d+)\.html", broken.read_text(encoding="utf-8")))  # shown only there
    broken.unlink()
    db = tmp_path / "a.db"
    with localsite.serve(www) as url:
        scrapy_crawl(url, db, "-s", "ARCHIVE_INCREMENTAL=False")
    fetched = {url for (url,) in query(db, "SELECT url FROM responses WHERE kind = 'listing'")}
    assert {f"{LIVE}/swcy/swyy/{p.name}" for p in pages if p != broken} <= fetched
    assert query(db, f"SELECT status FROM failures WHERE url = '{LIVE}/swcy/swyy/{broken.name}'") == [(404,)]
    shown = {i for p in [folder / "index.html", *pages] if p != broken
             for i in re.findall(r"t\d{8}_(\d+)\.html", p.read_text(encoding="utf-8"))}
    archived = {str(i) for (i,) in query(db, "SELECT site_id FROM articles")}
    assert shown <= archived and lost - shown


@pytest.mark.parametrize("mode", ["full", "incremental"])
def test_a_pager_claiming_millions_of_pages_costs_a_few_requests(mode, tmp_path):
    """``createPageHTML(10000000, …)``: the count is trusted only as far as the pages exist."""
    www = tmp_path / "www"
    shutil.copytree(SAVED / "www", www)
    for listing in (www / "swcy/swyy").glob("index*.html"):
        text = re.sub(r"createPageHTML\(\d+,", "createPageHTML(10000000,", listing.read_text(encoding="utf-8"))
        listing.write_text(text, encoding="utf-8")
    db = tmp_path / "a.db"
    with localsite.serve(www) as url:
        log = scrapy_crawl(url, db, "-s", f"ARCHIVE_INCREMENTAL={mode == 'incremental'}").stderr
    real_pages = len(list((www / "swcy/swyy").glob("index*.html")))
    asked = query(db, f"SELECT COUNT(*) FROM responses WHERE url LIKE '{LIVE}/swcy/swyy/index%'")[0][0]
    assert asked <= real_pages + LISTING_WINDOW * 2, asked
    assert f"Listing {LIVE}/swcy/swyy/: pages up to" in log
    assert sorted(i for (i,) in query(db, "SELECT site_id FROM articles")) == sorted(expected_items())


def test_a_pager_count_is_capped_by_a_setting(tmp_path):
    db = tmp_path / "a.db"
    with localsite.serve(SAVED / "www") as url:
        log = scrapy_crawl(url, db, "-s", "ARCHIVE_MAX_LISTING_PAGES=1", "-s", "ARCHIVE_INCREMENTAL=False").stderr
    assert "the pager claims 2 pages; reading at most 1 (ARCHIVE_MAX_LISTING_PAGES)" in log
    assert query(db, "SELECT COUNT(*) FROM responses WHERE url LIKE '%/index_1.html'") == [(0,)]


def test_an_article_linked_with_a_query_string_is_archived_under_its_own_url(tmp_path):
    www = tmp_path / "www"
    shutil.copytree(SAVED / "www", www)
    listing = www / "lpz/index.html"
    listing.write_text(listing.read_text(encoding="utf-8").replace("t20210525_41207.html", "t20210525_41207.html?v=0"),
                       encoding="utf-8")
    db = tmp_path / "a.db"
    with localsite.serve(www) as url:
        scrapy_crawl(url, db)
    assert query(db, "SELECT url FROM articles WHERE site_id = 41207") == [(f"{LIVE}/lpz/202105/t20210525_41207.html",)]
    assert query(db, "SELECT COUNT(*) FROM articles WHERE url LIKE '%?%'") == [(0,)]
    assert sorted(i for (i,) in query(db, "SELECT site_id FROM articles")) == sorted(expected_items())
