"""Scheduled crawls: incremental, re-checked, resumable after kill -9, one at a time, monitored."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.ops import localsite
from tests.conftest import FAST, REPO, archived_articles, expected_items, query, scrapy_crawl
from tests.sitebuilder.build import build
from tests.sitebuilder.content import Spec, all_channels

pytestmark = pytest.mark.crawl

NEW = [
    Spec(50000 + n, "/lpz/", f"新发布的领跑者文章第{n}篇：储能产业加快发展", f"2025-06-0{n + 1} 09:00",
         f"2025-06-0{n + 1}T09:00:00+08:00", [("p", f"这是第{n}篇新文章的正文，介绍储能产业的最新进展。")],
         lead="（记者 张三）", people={"reporters": ["张三"]})
    for n in range(5)
]


def runs(db: Path) -> list[dict]:
    columns = ["id", "requests", "articles_new", "articles_updated", "articles_unchanged", "health", "warnings", "stats"]
    return [dict(zip(columns, row, strict=True)) for row in query(db, f"SELECT {', '.join(columns)} FROM runs ORDER BY id")]


def archived_count(db: Path) -> int:
    """Articles archived so far by a crawl that may not have created the table yet."""
    if not db.exists() or not query(db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'articles'")[0][0]:
        return 0
    return query(db, "SELECT COUNT(*) FROM articles")[0][0]


@pytest.fixture
def site_copy(tmp_path) -> Path:
    www = tmp_path / "www"
    build(www)
    return www


def test_an_unchanged_site_costs_only_the_first_page_of_each_listing(site_copy, tmp_path):
    db = tmp_path / "a.db"
    with localsite.serve(site_copy) as url:
        scrapy_crawl(url, db)
        scrapy_crawl(url, db)
    first, second = runs(db)
    # robots.txt, the home page, page 1 of each channel's listing, and the image that answered 404
    # (a failed medium is tried again by the next run): nothing else
    assert second["requests"] == 2 + len(all_channels()) + 1
    assert (second["articles_new"], second["articles_updated"], second["articles_unchanged"]) == (0, 0, 0)
    assert first["requests"] > 2 * second["requests"]
    stats = json.loads(second["stats"])
    assert stats["chinasei/incremental/articles_skipped"] >= len(all_channels())
    assert len(archived_articles(db)) == len(expected_items())


def test_new_articles_on_page_one_and_shifted_ones_are_all_found(site_copy, tmp_path):
    db = tmp_path / "a.db"
    with localsite.serve(site_copy) as url:
        scrapy_crawl(url, db)
        build(site_copy, extra=NEW)  # five newer articles push the old ones of 领跑者 to later pages
        scrapy_crawl(url, db)
    archived = archived_articles(db)
    assert len(archived) == len(expected_items()) + len(NEW)
    assert {archived[s.site_id]["title"] for s in NEW} == {s.title for s in NEW}
    assert archived[50000]["reporters"] == ["张三"]
    second = runs(db)[1]
    assert second["articles_new"] == len(NEW)
    assert second["requests"] < runs(db)[0]["requests"]


def test_an_edited_article_is_rechecked_updated_and_versioned(site_copy, tmp_path):
    db = tmp_path / "a.db"
    page = site_copy / "lpz/202105/t20210525_41207.html"
    recheck = ["-s", "ARCHIVE_RECHECK_DAYS=100000", "-s", "ARCHIVE_RECHECK_HOURS=0"]
    with localsite.serve(site_copy) as url:
        scrapy_crawl(url, db)
        page.write_text(page.read_text(encoding="utf-8").replace("率先实现规模化应用", "率先实现大规模应用"), encoding="utf-8")
        later = time.time() + 60
        os.utime(page, (later, later))
        scrapy_crawl(url, db, *recheck)
    second = runs(db)[1]
    stats = json.loads(second["stats"])
    assert second["articles_updated"] == 1 and second["articles_new"] == 0
    assert stats["chinasei/articles/not_modified"] >= 10  # unchanged pages answered 304 to conditional requests
    assert "率先实现大规模应用" in archived_articles(db)[41207]["body"]
    (version,) = query(db, "SELECT site_id, changed_fields, reason FROM article_versions")
    assert version == (41207, '["body", "body_html"]', "crawl")


def test_a_second_crawl_on_the_same_archive_is_refused(site_copy, tmp_path):
    db = tmp_path / "a.db"
    slow = ["-s", "DOWNLOAD_DELAY=0.2", "-s", "CONCURRENT_REQUESTS=1"]
    with localsite.serve(site_copy) as url:
        command = [sys.executable, "-m", "scrapy", "crawl", "chinasei", "-a", f"base_url={url}", "-s", f"ARCHIVE_DB={db}",
                   *FAST, *slow]
        first = subprocess.Popen(command, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        lock = Path(f"{db}.lock")
        deadline = time.time() + 60
        while not (lock.exists() and lock.read_text().startswith("pid")) and time.time() < deadline:
            time.sleep(0.1)
        second = subprocess.run([sys.executable, "-m", "crawler.ops.cli", "crawl", "--base-url", url, "--db", str(db)],
                                cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
                                timeout=120)
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert second.returncode == 0, second.stderr[-2000:]
    assert re.search(rf"Not crawling: pid {first.pid} since .* is crawling into this archive", second.stderr)
    assert query(db, "SELECT COUNT(*) FROM runs")[0][0] == 1


def test_a_layout_change_is_flagged_with_a_non_zero_exit(site_copy, tmp_path):
    db = tmp_path / "a.db"
    with localsite.serve(site_copy) as url:
        scrapy_crawl(url, db)
        for page in site_copy.rglob("t2*.html"):
            raw = page.read_bytes()
            encoding = "gbk" if b"charset=gb2312" in raw else "utf-8"
            text = raw.decode(encoding)
            text = re.sub(r'<div class="title">.*?</div>', "", text)
            text = re.sub(r"<title>.*?</title>", "<title>中国战略新兴产业网</title>", text)
            text = text.replace('<div class="date">', '<div class="date">发布于')
            page.write_bytes(text.encode(encoding, errors="xmlcharrefreplace"))
        result = subprocess.run([sys.executable, "-m", "crawler.ops.cli", "crawl", "--full", "--base-url", url, "--db", str(db),
                                 "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"],
                                cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
                                timeout=300)
    assert result.returncode == 3, result.stderr[-3000:]
    assert "UNHEALTHY: title filled in 0% of articles, down from at least 100% in the last 1 runs" in result.stderr
    assert runs(db)[1]["health"] == "unhealthy" and runs(db)[0]["health"] == "ok"


def _crawl(url: str, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.ops.cli", "crawl", "--base-url", url, "--db", str(db),
                           "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"],
                          cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=300)


def _empty_the_list(listing: Path, markers: bool = True) -> None:
    text = re.sub(r"<ul>\n<li>.*?</ul>", "<ul></ul>", listing.read_text(encoding="utf-8"), flags=re.S)
    if not markers:
        text = re.sub(r"<!--文字列表页(开始|结束)-->", "", text)
        text = re.sub(r'<div class="side">.*?</div>\n</div>', "</div>", text, flags=re.S)  # no links anywhere
    listing.write_text(text, encoding="utf-8")


def test_an_empty_channel_is_no_alarm_but_one_that_emptied_is(site_copy, tmp_path):
    """An empty list inside intact markers is an empty channel (this portal has them); a channel that
    listed articles and now lists none is worth an alarm."""
    db = tmp_path / "a.db"
    listing = site_copy / "zcjd/index.html"
    original = listing.read_text(encoding="utf-8")
    _empty_the_list(listing)
    with localsite.serve(site_copy) as url:
        first = _crawl(url, db)
        assert first.returncode == 0 and "UNHEALTHY" not in first.stderr, first.stderr[-3000:]
        listing.write_text(original, encoding="utf-8")
        assert _crawl(url, db).returncode == 0
        _empty_the_list(listing)
        emptied = _crawl(url, db)
    assert emptied.returncode == 3
    assert "UNHEALTHY: channel 政策解读 (http://www.chinasei.com.cn/zcjd/) listed articles before and now lists none" in emptied.stderr


def test_a_listing_with_no_list_at_all_is_flagged(site_copy, tmp_path):
    db = tmp_path / "a.db"
    _empty_the_list(site_copy / "zcjd/index.html", markers=False)
    with localsite.serve(site_copy) as url:
        result = _crawl(url, db)
    assert result.returncode == 3
    assert "UNHEALTHY: 1 listing pages showed no list of articles" in result.stderr


