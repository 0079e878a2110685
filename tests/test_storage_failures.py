"""A write that cannot be stored fails the run — counted, with exit 4 and one clear line, never a
traceback or a run recorded as a success — and loses nothing already stored: the next run completes
the archive. Another program's write lock is waited out up to ``ARCHIVE_BUSY_TIMEOUT``.

Locks are taken and released by the test server at requests chosen in advance, and the disk fills
by a real file-size limit on the crawl's processes: no test here waits on the clock.
"""

from __future__ import annotations

import os
import resource
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from archive.store import Archive
from tests.conftest import FAST, REPO, SAVED, expected_items, query, scrapy_crawl
from tests.faultserver import FaultPlan, serve_faulty

pytestmark = pytest.mark.crawl


class LockHolder:
    """Another program writing to the archive (an editor, ``sqlite-utils``), holding its write lock."""

    def __init__(self, db: Path):
        # it waits for the crawl's writer as long as it takes: the writer leaves the lock free after
        # each commit, and a holder that gave up first would test nothing
        self.conn = sqlite3.connect(db, isolation_level=None, check_same_thread=False, timeout=120)

    def take(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("UPDATE runs SET base_url = base_url")  # a write: readers' snapshots go stale

    def release(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")

    def close(self) -> None:
        self.release()
        self.conn.close()


def chinasei_crawl(url: str, db: Path, *settings: str, limit_file_size: int | None = None) -> subprocess.CompletedProcess:
    """``chinasei crawl`` of the copy at ``url``, as a user runs it."""

    def limit() -> None:
        if limit_file_size is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    command = [sys.executable, "-m", "crawler.ops.cli", "crawl", "--base-url", url, "--db", str(db), *FAST, *settings]
    return subprocess.run(command, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True,
                          text=True, timeout=300, preexec_fn=limit)


def crawl_with(command: str, url: str, db: Path, *settings: str) -> subprocess.CompletedProcess:
    """``chinasei crawl`` or ``scrapy crawl chinasei``, whatever its exit status."""
    if command == "chinasei crawl":
        return chinasei_crawl(url, db, *settings)
    return scrapy_crawl(url, db, *settings, exit_code=None)


def started_archive(db: Path) -> None:
    """An archive with one run in it, as after an earlier crawl."""
    archive = Archive(db)
    archive.finish_run(archive.start_run("http://www.chinasei.com.cn"), "finished", {}, {})
    archive.close()


def assert_clear(result: subprocess.CompletedProcess) -> None:
    """One clear message: no traceback, and no false alarm about channels."""
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert "not found" not in result.stderr and "UNHEALTHY" not in result.stderr


def assert_complete(db: Path) -> None:
    assert sorted(query(db, "SELECT site_id FROM articles")) == sorted((i,) for i in expected_items())
    assert query(db, "PRAGMA integrity_check") == [("ok",)]


def test_a_lock_held_for_a_while_is_waited_out(tmp_path):
    """Held for 30 requests spaced half a second apart (longer than SQLite's usual few seconds of
    patience); the busy timeout is set far beyond, so only a lock held much longer could fail it."""
    db = tmp_path / "a.db"
    started_archive(db)
    holder = LockHolder(db)
    plan = FaultPlan(0, share=0)
    plan.trips = {15: holder.take, 45: holder.release}
    spaced = ["-s", "DOWNLOAD_DELAY=0.5", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
              "-s", "ARCHIVE_BUSY_TIMEOUT=600"]
    try:
        with serve_faulty(SAVED / "www", plan) as url:
            result = chinasei_crawl(url, db, *spaced)
    finally:
        holder.close()
    assert result.returncode == 0, result.stderr[-3000:]
    assert "database is locked" not in result.stderr
    assert_complete(db)
    assert query(db, "SELECT status FROM runs ORDER BY id DESC LIMIT 1") == [("finished",)]


@pytest.mark.parametrize("command", ["chinasei crawl", "scrapy crawl"])
def test_a_lock_held_too_long_fails_the_run_and_loses_nothing_stored(tmp_path, command):
    """Whichever command ran it, a run that lost writes exits 4 (Scrapy's own ``crawl`` exits 0
    whenever the spider ran, so a scheduler would never hear of it)."""
    db = tmp_path / "a.db"
    started_archive(db)
    holder = LockHolder(db)
    plan = FaultPlan(0, share=0)
    plan.trips = {15: plan.holding_requests(holder.take)}  # the rest of the crawl meets the lock
    try:
        with serve_faulty(SAVED / "www", plan) as url:
            result = crawl_with(command, url, db, "-s", "ARCHIVE_BUSY_TIMEOUT=1")
    finally:
        holder.close()
    assert result.returncode == 4, result.stderr[-3000:]
    assert_clear(result)
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("FAILED:")]
    lost, sent = map(int, line.split()[1:4:2])
    assert 0 < lost <= sent
    assert "held the archive's write lock for over 1 s" in result.stderr
    with serve_faulty(SAVED / "www", FaultPlan(0, share=0)) as url:
        scrapy_crawl(url, db)
    assert_complete(db)
    assert [s for (s,) in query(db, "SELECT status FROM runs ORDER BY id")] == ["finished", "unfinished", "finished"]


@pytest.mark.parametrize("command", ["chinasei crawl", "scrapy crawl"])
def test_a_lock_held_when_the_crawl_starts_is_one_clear_line(tmp_path, command):
    db = tmp_path / "a.db"
    started_archive(db)
    holder = LockHolder(db)
    holder.take()
    try:
        with serve_faulty(SAVED / "www", FaultPlan(0, share=0)) as url:
            result = crawl_with(command, url, db, "-s", "ARCHIVE_BUSY_TIMEOUT=1")
    finally:
        holder.close()
    assert result.returncode == 4, result.stderr[-3000:]
    assert_clear(result)
    assert f"Not crawling: {db} is locked by another program (waited 1 s" in result.stderr
    assert query(db, "SELECT COUNT(*) FROM runs") == [(1,)]


def test_a_full_disk_fails_the_run_and_the_next_run_completes_the_archive(tmp_path):
    db = tmp_path / "a.db"
    started_archive(db)
    with serve_faulty(SAVED / "www", FaultPlan(0, share=0)) as url:
        full = chinasei_crawl(url, db, limit_file_size=db.stat().st_size + 300_000)
        assert full.returncode == 4, full.stderr[-3000:]
        assert_clear(full)
        assert "FAILED:" in full.stderr and "(is the disk full?)" in full.stderr
        stored = query(db, "SELECT COUNT(*) FROM articles")[0][0]
        assert stored < len(expected_items())
        scrapy_crawl(url, db)
    assert_complete(db)
