"""Re-parse beside a crawl and under Ctrl-C: it refuses in one line while a crawl holds the archive,
and stops in order when interrupted, its run recorded ``interrupted``."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from pathlib import Path

import pytest

from archive.store import Archive
from crawler.runtime.lock import ArchiveLock
from tests.conftest import REPO, SAVED, query, taking_ctrl_c

pytestmark = pytest.mark.crawl

LIVE = "http://www.chinasei.com.cn"


def big_archive(path: Path, copies: int) -> int:
    """An archive holding ``copies`` responses of every saved article page, under ids of their own."""
    pages = sorted((SAVED / "www").rglob("t2*.html"))
    archive = Archive(path)
    run = archive.start_run("test", kind="crawl")
    archive.begin_batch()
    for copy in range(copies):
        for n, page in enumerate(pages):
            rel = page.relative_to(SAVED / "www").as_posix()
            url = f"{LIVE}/{rel.rsplit('_', 1)[0]}_{900000 + copy * 1000 + n}.html"
            archive.record_response(run, url, url, 200, {"Content-Type": ["text/html; charset=utf-8"]},
                                    page.read_bytes(), "article")
    archive.commit()
    archive.close()
    return copies * len(pages)


def test_reparse_while_a_crawl_holds_the_archive_is_one_line(tmp_path):
    db = tmp_path / "a.db"
    big_archive(db, 1)
    lock = ArchiveLock(db)
    lock.acquire()
    try:
        result = subprocess.run(["chinasei", "reparse", "--db", str(db)], cwd=REPO, capture_output=True, text=True, timeout=120)
    finally:
        lock.release()
    assert result.returncode == 1
    assert result.stderr.strip() == (f"Error: not re-parsing {db}: pid {os.getpid()} since "
                                     f"{result.stderr.split(' since ')[1].split(' ')[0]} is crawling into this archive; "
                                     "run it again when that has ended")
    assert query(db, "SELECT COUNT(*) FROM runs WHERE kind = 'reparse'") == [(0,)]
    dry = subprocess.run(["chinasei", "reparse", "--dry-run", "--db", str(db)], cwd=REPO, capture_output=True, text=True,
                         timeout=120)
    assert dry.returncode == 0 and "Would re-parse" in dry.stdout  # reading needs no lock


def test_a_crawl_while_reparse_runs_says_so(tmp_path):
    db = tmp_path / "a.db"
    big_archive(db, 1)
    lock = ArchiveLock(db, doing="re-parsing this archive")
    lock.acquire()
    try:
        result = subprocess.run(["chinasei", "crawl", "--base-url", "http://127.0.0.1:9", "--db", str(db)], cwd=REPO,
                                capture_output=True, text=True, timeout=120)
    finally:
        lock.release()
    assert result.returncode == 0 and "is re-parsing this archive" in result.stderr


@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_stops_reparse_in_order(tmp_path, workers):
    db = tmp_path / "a.db"
    total = big_archive(db, 60)
    process = subprocess.Popen(taking_ctrl_c(["chinasei", "reparse", "--db", str(db), "--workers", workers]), cwd=REPO,
                               env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    saved = threading.Event()
    while process.poll() is None and not saved.is_set():  # Ctrl-C once it has saved some articles
        done = query(db, "SELECT COUNT(*) FROM articles")[0][0]
        if done >= 50:
            os.killpg(process.pid, signal.SIGINT)  # to the whole group, as a terminal sends it
            saved.set()
        else:
            saved.wait(0.05)
    out, err = process.communicate(timeout=120)
    assert saved.is_set(), "the re-parse ended before it could be interrupted"
    assert process.returncode == 130, err[-3000:]
    assert err.strip() == "Interrupted.", err[-3000:]
    (status, new), = query(db, "SELECT status, articles_new FROM runs WHERE kind = 'reparse'")
    assert status == "interrupted" and 50 <= new < total
    assert query(db, "SELECT COUNT(*) FROM articles") == [(new,)]
    lock = ArchiveLock(db)  # and the lock is free for the next crawl
    lock.acquire()
    lock.release()
