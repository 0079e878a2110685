"""The archive file: a crawl writes only into an archive, locks the file whatever name it is given,
and notices when its path stops naming the file it writes."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import pytest

from crawler.runtime.lock import ArchiveLock
from tests.conftest import FAST, REPO, SAVED, query, scrapy_crawl
from tests.faultserver import FaultPlan, serve_faulty
from tests.test_cli_input import chinasei

pytestmark = pytest.mark.crawl


def foreign(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('mine');")
    conn.close()
    return path


@pytest.mark.parametrize("command", ["chinasei crawl", "scrapy crawl"])
def test_a_crawl_refuses_another_programs_database_in_one_line(tmp_path, command):
    db = foreign(tmp_path / "other.db")
    before = db.read_bytes()
    if command == "chinasei crawl":
        result = chinasei("crawl", "--base-url", "http://127.0.0.1:9", "--db", str(db))
        result.stderr = result.stderr.decode()
    else:
        result = scrapy_crawl("http://127.0.0.1:9", db, exit_code=4)
    assert result.returncode == 4
    assert f"{db} is another program's database (it has notes and no chinasei tables): not writing into it" in result.stderr
    assert "Traceback" not in result.stderr
    assert db.read_bytes() == before and query(db, "SELECT name FROM sqlite_master") == [("notes",)]
    assert not Path(f"{db}-wal").exists()


def test_an_empty_file_is_a_new_archive(tmp_path):
    db = tmp_path / "new.db"
    db.touch()
    with serve_faulty(SAVED / "www", FaultPlan(0, share=0)) as url:
        scrapy_crawl(url, db)
    assert query(db, "SELECT COUNT(*) FROM articles")[0][0] > 0


@pytest.mark.parametrize("name", ["link.db", "./link.db", "sub/../link.db"])
def test_the_lock_is_the_files_whatever_name_it_is_given(tmp_path, name):
    """A second crawl through a symlink (or a path spelled otherwise) finds the first one's lock."""
    real = tmp_path / "a.db"
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.db").symlink_to(real)
    lock = ArchiveLock(real)
    lock.acquire()
    try:
        result = chinasei("crawl", "--base-url", "http://127.0.0.1:9", "--db", name, cwd=tmp_path)
        result.stderr = result.stderr.decode()
    finally:
        lock.release()
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"pid {os.getpid()}" in result.stderr and "is crawling into this archive" in result.stderr
    assert not real.exists()


@pytest.mark.parametrize("what", ["deleted", "replaced"])
def test_an_archive_deleted_or_replaced_mid_crawl_fails_the_run_loudly(tmp_path, what):
    db = tmp_path / "a.db"
    other = foreign(tmp_path / "other.db")
    plan = FaultPlan(0, share=0)
    plan.trips[40] = (lambda: db.unlink()) if what == "deleted" else (lambda: os.replace(other, db))
    with serve_faulty(SAVED / "www", plan) as url:
        result = scrapy_crawl(url, db, "-s", "ARCHIVE_COMMIT_SECONDS=0.2", exit_code=4, ledger=False)
    assert f"{db} was {'deleted' if what == 'deleted' else 'replaced by another file'} while it was being written" \
        in result.stderr
    assert "FAILED:" in result.stderr and "Traceback" not in result.stderr


def test_the_helpers_are_gone_when_the_crawl_exits(tmp_path):
    """A wrapper that starts the next run at once must not race the last one's helpers."""
    import subprocess

    db = tmp_path / "a.db"
    with serve_faulty(SAVED / "www", FaultPlan(0, share=0)) as url:
        crawl = subprocess.Popen([sys.executable, "-m", "scrapy", "crawl", "chinasei", "-a", f"base_url={url}",
                                  "-s", f"ARCHIVE_DB={db}", *FAST], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        children: dict[int, set[str]] = {}
        while crawl.poll() is None:  # a helper takes its own name a moment after it is made
            for pid in _children(crawl.pid):
                children.setdefault(pid, set()).update(seen for seen in (_name(pid), _command(pid)) if seen)
        assert crawl.returncode == 0
    seen = set().union(*children.values())
    assert set(HELPERS) <= seen, children  # the parse worker and the writer
    assert not any("resource_tracker" in each for each in seen), children  # and no tracker of multiprocessing's
    assert not {pid: names for pid, names in children.items() if _alive(pid)}, "helpers outlived the crawl"


HELPERS = ("archive-writer", "parse-worker")


def _children(pid: int) -> set[int]:
    try:
        return {int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except OSError:
        return set()


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def _name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text(errors="replace").strip()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
