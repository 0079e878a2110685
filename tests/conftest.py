"""Shared fixtures: the saved site on loopback, another layout of it, and real crawls of them."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.store import Archive
from crawler import localsite
from tests.sitebuilder.build import build

REPO = Path(__file__).resolve().parents[1]
SAVED = REPO / "saved_site"
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8"]


def expected_items(root: Path = SAVED) -> dict[int, dict]:
    """The expected item of every article of a built copy, by site id."""
    items = {}
    for path in sorted((root / "expected").rglob("*.json")):
        item = json.loads(path.read_text(encoding="utf-8"))
        items[item["site_id"]] = item
    return items


def query(db: Path, sql: str) -> list[tuple]:
    """Rows of a query on an archive file, read with plain sqlite3 as any reader would."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def archived_articles(db: Path) -> dict[int, dict]:
    """Every archived article, list fields decoded, by site id."""
    archive = Archive(db)
    try:
        return {row["site_id"]: row for row in archive.articles()}
    finally:
        archive.close()


def archive_saved_site(path: Path) -> Archive:
    """An archive of every article of the saved site, parsed straight from the saved pages."""
    from crawler.article import parse_article
    from crawler.encoding import decode_html

    archive = Archive(path)
    run = archive.start_run("saved site")
    for expected in (SAVED / "expected").rglob("*.json"):
        url = json.loads(expected.read_text(encoding="utf-8"))["url"]
        page = SAVED / "www" / expected.relative_to(SAVED / "expected").with_suffix(".html")
        archive.save_article(run, parse_article(url, decode_html(page.read_bytes(), "text/html")))
    return archive


def scrapy_crawl(base_url: str, db: Path, *extra: str) -> subprocess.CompletedProcess:
    """Run the real ``scrapy crawl chinasei`` against ``base_url`` into ``db``."""
    command = [sys.executable, "-m", "scrapy", "crawl", "chinasei", "-a", f"base_url={base_url}",
               "-s", f"ARCHIVE_DB={db}", *FAST, *extra]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture(scope="session")
def saved_site_url() -> Iterator[str]:
    """The bundled copy of the site, served on 127.0.0.1."""
    with localsite.serve(SAVED / "www") as url:
        yield url


@pytest.fixture(scope="session")
def modern_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same site built with the other template, which the parser was never tuned to."""
    root = tmp_path_factory.mktemp("modern")
    build(root / "www", "modern", root / "expected")
    return root


@pytest.fixture(scope="session")
def modern_site_url(modern_copy: Path) -> Iterator[str]:
    with localsite.serve(modern_copy / "www") as url:
        yield url
