"""The archive is safe to read while it is written, and a crash mid-write leaves a consistent file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from archive.store import Archive
from crawler.ops import localsite
from tests.conftest import FAST, REPO, expected_items, free_port, query
from tests.sitebuilder.build import build

pytestmark = pytest.mark.crawl

WRITER = """
import sys
sys.path.insert(0, {repo!r})
from archive.store import Archive
from tests.sitebuilder import corpus
archive = Archive({db!r})
run = archive.start_run("writer")
for article in corpus.articles(100000, seed={seed}):
    archive.save_article(run, article)
"""


def test_datasette_reads_during_a_crawl_without_locks(tmp_path):
    www = tmp_path / "www"
    build(www)
    db = tmp_path / "archive.db"
    Archive(db).close()  # the file exists, with its schema, before both start
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with localsite.serve(www) as url:
        crawl = subprocess.Popen([sys.executable, "-m", "scrapy", "crawl", "chinasei", "-a", f"base_url={url}",
                                  "-s", f"ARCHIVE_DB={db}", *FAST, "-s", "DOWNLOAD_DELAY=0.05", "-s", "CONCURRENT_REQUESTS=1"],
                                 cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        reader = subprocess.Popen([sys.executable, "-m", "crawler.ops.cli", "serve", "--db", str(db), "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        answers, errors = [], []
        try:
            while crawl.poll() is None:
                for path in ("/archive/articles.json?_size=5", "/archive/search.json?q=产业&_shape=array"):
                    try:
                        with urllib.request.urlopen(f"http://127.0.0.1:{port}{urllib.request.quote(path, safe='/?=&_')}",
                                                    timeout=10) as response:
                            answers.append(json.loads(response.read()))
                    except urllib.error.HTTPError as error:
                        errors.append(error.read().decode())
                    except OSError:
                        pass  # Datasette still starting
                time.sleep(0.05)
        finally:
            reader.terminate()
            reader.wait(timeout=20)
            if crawl.poll() is None:  # the loop above failed: leave no crawl behind
                crawl.kill()
                crawl.wait()
    assert crawl.returncode == 0
    assert len(answers) > 20, "Datasette answered too rarely to prove anything"
    assert errors == [], errors[:3]
    assert query(db, "SELECT COUNT(*) FROM articles") == [(len(expected_items()),)]


def wait_for_rows(db, count: int, writer: subprocess.Popen, limit: float = 300.0) -> None:
    """Until the archive holds ``count`` articles, as a reader sees them (the writer still writing)."""
    deadline = time.monotonic() + limit
    while query(db, "SELECT COUNT(*) FROM articles")[0][0] < count:
        assert writer.poll() is None, "the writer ended before it was killed"
        assert time.monotonic() < deadline, f"the writer did not reach {count} articles"
        time.sleep(0.01)


def test_a_process_killed_mid_write_leaves_a_consistent_archive(tmp_path):
    db = tmp_path / "archive.db"
    Archive(db).close()
    for seed, writes in ((1, 60), (2, 25), (3, 110)):
        before = query(db, "SELECT COUNT(*) FROM articles")[0][0]
        writer = subprocess.Popen([sys.executable, "-c", WRITER.format(repo=str(REPO), db=str(db), seed=seed)], cwd=REPO)
        try:
            wait_for_rows(db, before + writes, writer)  # killed by writes done, whatever the machine's speed
        finally:
            writer.send_signal(signal.SIGKILL)
            writer.wait()
        assert query(db, "PRAGMA integrity_check") == [("ok",)]
        archive = Archive(db)  # opening recovers the write-ahead log
        try:
            rows = archive.db.execute("SELECT site_id, title, body FROM articles").fetchall()
            assert rows, "the writer was killed before writing anything"
            indexed = archive.db.execute("SELECT COUNT(*) FROM article_search_docsize").fetchone()[0]
            dirty = archive.db.execute("SELECT COUNT(*) FROM search_dirty").fetchone()[0]
            assert indexed + dirty >= len(rows)  # every article is either indexed or marked for it
            expected = {site_id for site_id, title, body in rows if "产业" in (title or "") or "产业" in (body or "")}
            assert archive.search_index.site_ids("产业") == expected
        finally:
            archive.close()
