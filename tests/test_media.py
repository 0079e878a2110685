"""Images and attachments: fetched once, kept in the archive byte for byte, never fetched again.

The saved site has media of every kind the issue names (tests/sitebuilder/content.py,
``MEDIA_FILES`` and ``MEDIA_ARTICLES``): images and attachments beside their pages, an image and a
pdf shown by two articles, two URLs with the same bytes, an image that answers 404 and one off
the site. Every test runs the real ``scrapy crawl`` against a copy served on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from archive.store import Archive
from crawler.ops import localsite
from crawler.parsing.styles import stylesheet_refs
from tests.conftest import REPO, SAVED, chinasei_serve, query, scrapy_crawl
from tests.sitebuilder.build import build
from tests.sitebuilder.content import FETCHED_FILES, LAYOUT_FILES, MEDIA_FILES, PAGE_ASSETS
from tests.test_security import Elsewhere

pytestmark = pytest.mark.crawl

LIVE = "http://www.chinasei.com.cn"
MISSING = LIVE + "/dfld/202410/W020241015300000000404.jpg"
OFF_SITE = "https://www.miit.gov.cn/images/W020241015123456789012.jpg"
SHARED_IMAGE = LIVE + "/cyzx/202203/W020220318512245623810.jpg"
SHARED_PDF = LIVE + "/cyzx/202409/W020240912301234567891.pdf"


def media_rows(db: Path) -> dict[str, tuple]:
    """URL → (sha256, content type, size) of every medium the archive holds."""
    return {url: rest for url, *rest in query(
        db, "SELECT mu.url, m.sha256, m.content_type, m.size FROM media_urls mu JOIN media m ON m.sha256 = mu.sha256")}


def media_requests(db: Path, run_id: int) -> list[tuple[str, int]]:
    """(URL, status) of the media responses a run received."""
    return sorted(query(db, f"SELECT url, status FROM responses WHERE kind = 'media' AND last_run_id = {run_id}"))


def test_a_crawl_keeps_every_same_site_medium_once_byte_for_byte(crawled_db):
    held = media_rows(crawled_db)
    assert set(held) == {LIVE + path for path in FETCHED_FILES}
    for path in FETCHED_FILES:
        data = (SAVED / "www" / path.lstrip("/")).read_bytes()
        assert held[LIVE + path][0] == hashlib.sha256(data).hexdigest(), path
        assert held[LIVE + path][2] == len(data)
    # seven URLs, six contents: the 储能 photograph is served under two names and kept once
    assert query(crawled_db, "SELECT COUNT(*) FROM media") == [(len(set(FETCHED_FILES.values())),)]
    archive = Archive.read_only(crawled_db)
    for row in archive.responses("kind = 'media' AND status = 200"):
        assert row["body"] == (SAVED / "www" / row["fetched_url"].split("/", 3)[3]).read_bytes()
        assert row["stored_size"] == 64  # the response points at its medium instead of holding it again
    types = dict(query(crawled_db, "SELECT url, content_type FROM media_urls"))
    assert types[SHARED_PDF] == "application/pdf"
    assert types[SHARED_IMAGE] == "image/jpeg"


def test_articles_are_linked_to_their_media_in_page_order(crawled_db):
    links = query(crawled_db, """SELECT site_id, url, role, label, off_site FROM article_media
                                 WHERE role IN ('image', 'attachment') ORDER BY site_id, position""")
    by_article: dict[int, list[tuple]] = {}
    for site_id, *rest in links:
        by_article.setdefault(site_id, []).append(tuple(rest))
    assert by_article[44300] == [
        (LIVE + "/cyzx/202409/W020240912301234567890.jpg", "image", "图为储能电站建设现场。", 0),
        (SHARED_IMAGE, "image", "全球最大海上风电安装平台（资料图）", 0),
        (SHARED_PDF, "attachment", "2024年重点项目清单.pdf", 0),
        (LIVE + "/cyzx/202409/W020240912301234567892.xlsx", "attachment", "项目明细表.xlsx", 0),
    ]
    assert [url for url, *_ in by_article[42016]][0] == SHARED_IMAGE
    assert (OFF_SITE, "image", "工信部发布的储能产业数据图", 1) in by_article[44321]
    assert [u for u, *_ in by_article[44321]][-1] == SHARED_PDF
    sharing = dict(query(crawled_db, """SELECT url, COUNT(*) FROM article_media WHERE role IN ('image', 'attachment')
                                        GROUP BY url HAVING COUNT(*) > 1"""))
    assert sharing == {SHARED_IMAGE: 2, SHARED_PDF: 2}


def test_a_missing_image_is_a_failure_of_the_image_not_of_its_article(crawled_db):
    failures = {url: (kind, status, reason, referer) for url, kind, status, reason, referer in
                query(crawled_db, "SELECT url, kind, status, reason, referer FROM failures")}
    assert failures[MISSING] == ("media", 404, "image: HTTP 404", LIVE + "/dfld/202410/t20241015_44321.html")
    assert query(crawled_db, "SELECT COUNT(*) FROM articles WHERE site_id = 44321") == [(1,)]
    assert OFF_SITE not in failures  # recorded as off the site, not fetched, not a failure
    assert query(crawled_db, f"SELECT COUNT(*) FROM responses WHERE url = '{OFF_SITE}'") == [(0,)]
    # the 404 itself is kept raw, like every response
    assert query(crawled_db, f"SELECT status, kind FROM responses WHERE url = '{MISSING}'") == [(404, "media")]


def test_a_recrawl_fetches_no_archived_medium_and_retries_the_failed_one(archive_copy, saved_site_url):
    for run_id, extra in ((2, ()), (3, ("-s", "ARCHIVE_INCREMENTAL=False"))):  # incremental, then full
        scrapy_crawl(saved_site_url, archive_copy, *extra)
        assert media_requests(archive_copy, run_id) == [(MISSING, 404)], run_id
        stats = json.loads(query(archive_copy, f"SELECT stats FROM runs WHERE id = {run_id}")[0][0])
        assert "file_status_count/downloaded" not in stats
    assert query(archive_copy, "SELECT MAX(fetch_count) FROM media") == [(2,)]  # the shared bytes, two URLs
    full = json.loads(query(archive_copy, "SELECT stats FROM runs WHERE id = 3")[0][0])
    assert full["file_status_count/uptodate"] == full["chinasei/media/uptodate"] == len(FETCHED_FILES)


def test_a_medium_that_failed_is_fetched_by_the_next_run(tmp_path):
    www = tmp_path / "www"
    build(www)
    missing = "/cyzx/202409/W020240912301234567892.xlsx"
    kept = (www / missing.lstrip("/")).read_bytes()
    (www / missing.lstrip("/")).unlink()
    db = tmp_path / "a.db"
    with localsite.serve(www) as url:
        scrapy_crawl(url, db)
        assert LIVE + missing not in media_rows(db)
        assert query(db, f"SELECT kind, status FROM failures WHERE url = '{LIVE + missing}'") == [("media", 404)]
        (www / missing.lstrip("/")).write_bytes(kept)
        scrapy_crawl(url, db)
    assert media_rows(db)[LIVE + missing][0] == hashlib.sha256(kept).hexdigest()
    assert media_requests(db, 2) == sorted([(LIVE + missing, 200), (MISSING, 404)])
    assert Archive.read_only(db).media_stats()["missing"] == 1  # the 404 image alone


def test_off_site_images_are_fetched_only_when_allowed(tmp_path):
    other = tmp_path / "other"
    (other / "img").mkdir(parents=True)
    (other / "img" / "chart.jpg").write_bytes((SAVED / "www/cyzx/202203/W020220318512245789123.jpg").read_bytes())
    elsewhere = Elsewhere(directory=other)
    try:
        www = tmp_path / "www"
        build(www)
        page = www / "dfld/202410/t20241015_44321.html"
        page.write_text(page.read_text(encoding="utf-8").replace(OFF_SITE, elsewhere.url + "/img/chart.jpg"), encoding="utf-8")
        with localsite.serve(www) as url:
            scrapy_crawl(url, tmp_path / "no.db")
            assert sum(elsewhere.hits.values()) == 0
            assert query(tmp_path / "no.db", "SELECT off_site FROM article_media WHERE url LIKE 'http://127.0.0.2%'") == [(1,)]
            # 127.0.0.2 is an internal address: refused, recorded, unless named as a host to allow
            scrapy_crawl(url, tmp_path / "internal.db", "-s", "ARCHIVE_MEDIA_OFFSITE=True")
            assert sum(elsewhere.hits.values()) == 0
            refused = query(tmp_path / "internal.db", "SELECT reason FROM failures WHERE url LIKE 'http://127.0.0.2%'")
            assert refused == [("image: off the site (" + repr(elsewhere.url.removeprefix("http://"))
                                + ": 127.0.0.2 is an internal address (127.0.0.2), never fetched as off-site media), not fetched",)]
            scrapy_crawl(url, tmp_path / "yes.db", "-s", "ARCHIVE_MEDIA_OFFSITE=True", "-s", "ARCHIVE_MEDIA_INTERNAL_HOSTS=127.0.0.2")
        assert elsewhere.hits == {"/img/chart.jpg": 1}
        assert elsewhere.url + "/img/chart.jpg" in media_rows(tmp_path / "yes.db")
    finally:
        elsewhere.close()


def test_a_file_over_the_size_cap_is_a_recorded_failure(tmp_path, saved_site_url):
    db = tmp_path / "a.db"
    scrapy_crawl(saved_site_url, db, "-s", "ARCHIVE_MEDIA_MAX_BYTES=3000")
    sizes = {LIVE + path: (SAVED / "www" / path.lstrip("/")).stat().st_size for path in FETCHED_FILES}
    assert set(media_rows(db)) == {url for url, size in sizes.items() if size <= 3000}
    too_large = dict(query(db, "SELECT url, reason FROM failures WHERE kind = 'media' AND reason LIKE '%ARCHIVE_MEDIA_MAX_BYTES%'"))
    assert set(too_large) == {url for url, size in sizes.items() if size > 3000}
    assert query(db, "SELECT COUNT(*) FROM articles") == [(len(list((SAVED / "expected").rglob("*.json"))),)]


def test_past_the_run_cap_media_wait_for_the_next_run(tmp_path, saved_site_url):
    db = tmp_path / "a.db"
    scrapy_crawl(saved_site_url, db, "-s", "ARCHIVE_MEDIA_RUN_BYTES=1", "-s", "CONCURRENT_REQUESTS=1")
    first = media_rows(db)
    stats = json.loads(query(db, "SELECT stats FROM runs WHERE id = 1")[0][0])
    assert 1 <= len(first) < len(FETCHED_FILES)
    assert stats["chinasei/media/deferred"] >= 1
    assert query(db, "SELECT COUNT(*) FROM failures WHERE kind = 'media' AND status IS NULL") == [(0,)]  # waiting is no failure
    scrapy_crawl(saved_site_url, db)
    assert set(media_rows(db)) == {LIVE + path for path in FETCHED_FILES}
    assert {url for url, status in media_requests(db, 2) if status == 200}.isdisjoint(first)


def test_the_run_cap_holds_for_media_asked_for_all_at_once(tmp_path, saved_site_url):
    """A run that starts with every medium of the archive to fetch asks for them all before any
    byte comes back: the cap is kept as each goes on the wire, so one request at a time past a
    one-byte cap fetches one medium and defers every other."""
    db = tmp_path / "a.db"
    scrapy_crawl(saved_site_url, db, "-s", "ARCHIVE_MEDIA=False")
    pending = {url for item in Archive.read_only(db).pending_media() for url, _ in item.media}
    scrapy_crawl(saved_site_url, db, "-s", "ARCHIVE_MEDIA_RUN_BYTES=1", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
    stats = json.loads(query(db, "SELECT stats FROM runs WHERE id = 2")[0][0])
    fetched = [url for url, status in media_requests(db, 2) if status == 200]
    assert len(fetched) == 1 and len(media_rows(db)) == 1
    assert len(pending) > len(FETCHED_FILES) // 2
    assert stats["chinasei/media/deferred"] >= len(pending) - 1  # and what a stylesheet fetched names
    assert stats["chinasei/media/bytes"] == sum(row[2] for row in media_rows(db).values())
    assert query(db, "SELECT COUNT(*) FROM failures WHERE kind = 'media'") == [(0,)]  # waiting is no failure
    scrapy_crawl(saved_site_url, db)
    assert set(media_rows(db)) == {LIVE + path for path in FETCHED_FILES}


def test_media_can_be_turned_off(tmp_path, saved_site_url):
    db = tmp_path / "a.db"
    scrapy_crawl(saved_site_url, db, "-s", "ARCHIVE_MEDIA=False")
    assert query(db, "SELECT COUNT(*) FROM media") == [(0,)]
    # still recorded: its two images, two attachments, and its page's stylesheet, logo and footer image
    assert query(db, "SELECT COUNT(*) FROM article_media WHERE site_id = 44300") == [(4 + len(PAGE_ASSETS),)]


def test_stats_report_media_counts_bytes_and_failures(crawled_db):
    shown = subprocess.run([sys.executable, "-m", "crawler.ops.cli", "stats", "--db", str(crawled_db), "--json"], cwd=REPO,
                           capture_output=True, text=True, check=True).stdout
    media = json.loads(shown)["media"]
    contents = {(SAVED / "www" / path.lstrip("/")).read_bytes() for path in FETCHED_FILES}
    # the pages name their media, the 404 image, the off-site one, and what they use to look as they did
    assert media == {"files": len(contents), "bytes": sum(map(len, contents)), "urls": len(FETCHED_FILES),
                     "referred": len(MEDIA_FILES) + 2 + len(PAGE_ASSETS), "off_site": 1, "missing": 1, "failures": 1}
    text = subprocess.run([sys.executable, "-m", "crawler.ops.cli", "stats", "--db", str(crawled_db)], cwd=REPO,
                          capture_output=True, text=True, check=True).stdout
    assert f"{len(contents)} images, attachments and layout files ({sum(map(len, contents)):,} bytes) from {len(FETCHED_FILES)} URLs" in text


def as_made_before_media(db: Path) -> None:
    """Turn a crawled archive into the one a chinasei without media made of the same crawl: no media
    tables, no attachments column, no media responses, and add_media not yet applied."""
    conn = sqlite3.connect(db)
    with conn:
        conn.executescript("""
            DROP TABLE article_media; DROP TABLE media_urls; DROP TABLE media;
            DELETE FROM responses WHERE kind = 'media'; DELETE FROM failures WHERE kind = 'media';
            ALTER TABLE articles DROP COLUMN attachments; ALTER TABLE articles DROP COLUMN assets;
            DROP VIEW pages;
            CREATE VIEW pages AS SELECT r.id, r.url, r.kind, r.status, r.content_type, r.last_fetched_at, r.size,
                chinasei_html(r.body, r.compression, d.data, r.content_type) AS html
              FROM responses r LEFT JOIN compression_dicts d ON d.id = r.dict_id;
            DELETE FROM _sqlite_migrations WHERE name IN ('add_media', 'add_redirects', 'add_page_assets');
            DROP TABLE redirects;
        """)
    conn.close()


def test_an_archive_made_before_media_gets_them_without_fetching_its_articles_again(archive_copy, saved_site_url):
    as_made_before_media(archive_copy)
    hashes = dict(query(archive_copy, "SELECT site_id, content_hash FROM articles"))
    scrapy_crawl(saved_site_url, archive_copy)  # the upgrade: add_media links each article's images
    images = {LIVE + path for path in MEDIA_FILES if path.endswith(".jpg")}
    assert set(media_rows(archive_copy)) == images
    assert query(archive_copy, "SELECT COUNT(*) FROM responses WHERE kind = 'article' AND last_run_id = 2") == [(0,)]
    assert dict(query(archive_copy, "SELECT site_id, content_hash FROM articles")) == hashes  # nothing "updated"
    # the attachments and the pages' look were never parsed out of the old pages: a re-parse finds
    # them, the next crawl fetches them (and what the stylesheets name)
    reparsed = subprocess.run([sys.executable, "-m", "crawler.ops.cli", "reparse", "--db", str(archive_copy), "--workers", "1"],
                              cwd=REPO, capture_output=True, text=True)
    assert reparsed.returncode == 0, reparsed.stderr
    assert "attachments" in reparsed.stdout
    scrapy_crawl(saved_site_url, archive_copy)
    assert set(media_rows(archive_copy)) == {LIVE + path for path in FETCHED_FILES}


def test_a_run_whose_media_mostly_fail_is_unhealthy(tmp_path, crawled_db):
    """The portal moving its images elsewhere shows up as the run's health, not only as failures."""
    www = tmp_path / "www"
    build(www)
    for path in MEDIA_FILES:
        (www / path.lstrip("/")).unlink(missing_ok=True)
    db = tmp_path / "a.db"
    with localsite.serve(www) as url:
        scrapy_crawl(url, db, exit_code=3)  # as chinasei crawl does
    health, warnings = query(db, "SELECT health, warnings FROM runs")[0]
    assert health == "unhealthy"
    failed, tried = len(MEDIA_FILES) + 1, len(FETCHED_FILES) + 1  # each medium once, the 404 image too
    assert json.loads(warnings) == [f"{failed} of the {tried} media fetched failed (images, attachments, layout files)"]
    assert query(crawled_db, "SELECT health FROM runs") == [("ok",)]  # one 404 image among them is the site's


# --- the pages' look: stylesheets and layout images ------------------------------------------------

SHARE_ICON = "http://bdimg.share.baidu.com/static/api/img/share_icon.png"  # a background style.css names off the site


def test_a_pages_look_is_fetched_once_with_what_its_stylesheets_name(crawled_db):
    held = media_rows(crawled_db)
    for path in LAYOUT_FILES:
        assert held[LIVE + path][0] == hashlib.sha256((SAVED / "www" / path.lstrip("/")).read_bytes()).hexdigest(), path
    # every article page links the stylesheet; it was asked for once, like each image it names
    fetched = dict(query(crawled_db, "SELECT url, COUNT(*) FROM responses WHERE kind = 'media' GROUP BY url"))
    assert all(fetched[LIVE + path] == 1 for path in LAYOUT_FILES)
    assert SHARE_ICON not in fetched and query(crawled_db, f"SELECT COUNT(*) FROM failures WHERE url = '{SHARE_ICON}'") == [(0,)]
    # what a stylesheet names is asked for with the stylesheet as its referer, as a browser does
    referers = {url: json.loads(headers).get("Referer", [""])[0] for url, headers in query(
        crawled_db, "SELECT url, request_headers FROM responses WHERE kind = 'media'")}
    assert referers[LIVE + "/css/common.css"].endswith("/css/style.css")
    assert referers[LIVE + "/images/banner.png"].endswith("/css/style.css")
    assert referers[LIVE + "/images/header-bg.png"].endswith("/css/common.css")  # named by the imported one
    assert referers[LIVE + "/images/logo.png"].endswith(".html")  # the page's own chrome: the page
    roles = dict(query(crawled_db, "SELECT url, role FROM article_media WHERE site_id = 44300 AND role NOT IN ('image', 'attachment')"))
    assert roles == {LIVE + path: role for path, role in
                     zip(PAGE_ASSETS, ("stylesheet", "layout image", "layout image"), strict=True)}


def test_a_stylesheet_or_layout_image_that_failed_is_fetched_by_the_next_run(tmp_path):
    www = tmp_path / "www"
    build(www)
    kept = {path: (www / path.lstrip("/")).read_bytes() for path in ("/css/common.css", "/images/banner.png")}
    for path in kept:
        (www / path.lstrip("/")).unlink()
    db = tmp_path / "a.db"
    with localsite.serve(www) as url:
        scrapy_crawl(url, db)
        failed = dict(query(db, "SELECT url, reason FROM failures WHERE kind = 'media' AND url NOT LIKE '%404.jpg'"))
        assert failed == {LIVE + "/css/common.css": "stylesheet: HTTP 404", LIVE + "/images/banner.png": "layout image: HTTP 404"}
        assert LIVE + "/images/header-bg.png" not in media_rows(db)  # common.css names it: never asked for
        for path, data in kept.items():
            (www / path.lstrip("/")).write_bytes(data)
        scrapy_crawl(url, db)  # an incremental run: no article asked for again, their look is
    assert query(db, "SELECT COUNT(*) FROM responses WHERE kind = 'article' AND last_run_id = 2") == [(0,)]
    assert {u for u, status in media_requests(db, 2) if status == 200} == {LIVE + path for path in [*kept, "/images/header-bg.png"]}
    assert set(media_rows(db)) == {LIVE + path for path in FETCHED_FILES}


def test_the_look_can_be_left_out(tmp_path, saved_site_url):
    db = tmp_path / "a.db"
    scrapy_crawl(saved_site_url, db, "-s", "ARCHIVE_MEDIA_LAYOUT=False")
    assert set(media_rows(db)) == {LIVE + path for path in MEDIA_FILES}
    assert query(db, "SELECT COUNT(*) FROM article_media WHERE role = 'stylesheet'") != [(0,)]  # still recorded
    scrapy_crawl(saved_site_url, db)  # turned on again: the look of the pages already archived comes
    assert set(media_rows(db)) == {LIVE + path for path in FETCHED_FILES}


def test_the_archive_serves_stylesheets_that_reach_no_other_host(crawled_db, tmp_path):
    """The media route serves a stylesheet rewritten: every address is the archive's own copy or
    gone, in UTF-8 (the GBK one too), as text/css under the view's CSP. A hostile stylesheet put in
    the archive in place of the site's reaches nothing either."""
    db = tmp_path / "view.db"
    db.write_bytes(crawled_db.read_bytes())
    hostile = (b"@import url(https://evil.example/a.css); @import 'common.css';"
               b".x{background:url(//evil.example/x.png)} .y{background:url(../images/banner.png)}"
               b"@font-face{src:url(http://evil.example/f.woff)} .z{background:image-set('https://evil.example/i.png' 1x)}")
    shas = dict(query(db, "SELECT url, sha256 FROM media_urls"))
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE media SET body = ? WHERE sha256 = ?", [hostile, shas[LIVE + "/css/style.css"]])
    conn.close()
    with chinasei_serve(db) as base:
        served = {}
        for name in ("style.css", "common.css"):
            with urllib.request.urlopen(f"{base}/-/chinasei/view/media/{shas[LIVE + '/css/' + name]}", timeout=30) as response:
                assert response.headers["Content-Type"] == "text/css; charset=utf-8"
                assert "default-src 'none'" in response.headers["Content-Security-Policy"]
                assert response.headers["X-Content-Type-Options"] == "nosniff"
                served[name] = response.read().decode("utf-8")
    assert "evil" not in served["style.css"]
    named = stylesheet_refs(served["style.css"], base + "/-/chinasei/view/media/x")
    assert {url for url, _ in named} == {f"{base}/-/chinasei/view/media/{shas[LIVE + path]}"
                                         for path in ("/css/common.css", "/images/banner.png")}
    assert '"宋体"' in served["common.css"]
    assert f"url(/-/chinasei/view/media/{shas[LIVE + '/images/header-bg.png']})" in served["common.css"]


def test_articles_are_stored_and_pages_fetched_before_media_are_asked_for(tmp_path, saved_site_url):
    """Pages first: an article goes to the archive as soon as it is parsed, and the media it names
    are asked for once every page is fetched, so fetching them never holds up the pages."""
    from crawler import settings

    probe = tmp_path / "media.jsonl"
    extensions = {**settings.EXTENSIONS, "tests.media_probe.MediaProbe": 900}
    db = tmp_path / "a.db"
    scrapy_crawl(saved_site_url, db, "-s", f"EXTENSIONS={json.dumps(extensions)}", "-s", f"MEDIA_PROBE_FILE={probe}")
    seen = [json.loads(line) for line in probe.read_text(encoding="utf-8").splitlines()]
    asked = {row["url"] for row in seen}
    assert {url for (url,) in query(db, "SELECT fetched_url FROM responses WHERE kind = 'media'")} <= asked
    assert len(asked) >= len(FETCHED_FILES)
    assert [row for row in seen if not row["article_stored"]] == []
    assert [row for row in seen if row["scheduled"] or row["pages_on_the_wire"]] == []  # and after every page
    assert set(media_rows(db)) == {LIVE + path for path in FETCHED_FILES}  # and all of them were fetched


def test_media_wait_until_the_pages_are_done_and_keep_the_crawl_open(tmp_path):
    """The media pipeline's rule, on a real Crawler: media named by pages are queued, each URL once;
    none is handed to Scrapy before the crawl is first idle; then the media of at most
    ``CONCURRENT_REQUESTS`` articles at a time, the spider kept open while any wait or are in flight."""
    import asyncio

    from scrapy.exceptions import DontCloseSpider
    from scrapy.utils.test import get_crawler

    from crawler.components.media import ArchiveMediaPipeline
    from crawler.parsing.items import PendingMedia

    crawler = get_crawler(settings_dict={"ARCHIVE_DB": str(tmp_path / "a.db"), "ARCHIVE_MEDIA": True,
                                         "CONCURRENT_REQUESTS": 4})
    pipeline = ArchiveMediaPipeline.from_crawler(crawler)
    fetched: list[PendingMedia] = []
    hold = asyncio.Event()

    async def fetch(item: PendingMedia) -> None:
        fetched.append(item)
        await hold.wait()

    pipeline._fetch = fetch
    logo = (f"{LIVE}/images/logo.png", "layout image")

    async def crawl() -> None:
        for site_id in range(6):
            media = [logo, (f"{LIVE}/{site_id}.jpg", "image")]
            item = PendingMedia(site_id, f"{LIVE}/{site_id}.html", media)
            assert await pipeline.process_item(item) is item  # passed on at once
        await asyncio.sleep(0)
        assert fetched == []  # pages may still come
        with pytest.raises(DontCloseSpider):
            pipeline.spider_idle(None)  # the pages are done; the media keep the crawl open
        await asyncio.sleep(0)
        assert [item.site_id for item in fetched] == [0, 1, 2, 3]  # as many articles' media as may be in flight
        assert fetched[0].media == [logo, (f"{LIVE}/0.jpg", "image")]
        assert fetched[1].media == [(f"{LIVE}/1.jpg", "image")]  # the logo is asked for once
        with pytest.raises(DontCloseSpider):
            pipeline.spider_idle(None)
        hold.set()
        for _ in range(10):
            await asyncio.sleep(0)
        assert [item.site_id for item in fetched] == list(range(6))
        pipeline.spider_idle(None)  # all done: the crawl may close

    asyncio.run(crawl())


def test_a_run_stopped_before_its_media_leaves_them_to_the_next(tmp_path, saved_site_url):
    """Media wait for the pages, so a run stopped among its pages has fetched none of the media its
    articles name: it says how many it left, and the next run fetches them."""
    db = tmp_path / "a.db"
    scrapy_crawl(saved_site_url, db, "-s", "CLOSESPIDER_ITEMCOUNT=12", exit_code=None)
    stats = json.loads(query(db, "SELECT stats FROM runs WHERE id = 1")[0][0])
    stored = query(db, "SELECT COUNT(*) FROM articles")[0][0]
    named = query(db, "SELECT COUNT(DISTINCT url) FROM article_media WHERE off_site = 0")[0][0]
    assert stats["finish_reason"] == "closespider_itemcount" and stored >= 1
    assert media_rows(db) == {} and stats["chinasei/media/left_waiting"] == named >= 1
    scrapy_crawl(saved_site_url, db)
    assert set(media_rows(db)) == {LIVE + path for path in FETCHED_FILES}
