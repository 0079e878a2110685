"""Nothing lost, whenever a crawl dies: a real ``scrapy crawl`` killed with SIGKILL at ten points
spread over it, against a server that fails the ways real ones do, with a CPU hog beside it, ends —
after at most two plain runs — with the archive an uninterrupted crawl makes, and every image and
attachment of the site (a third run at the most).

The kill points are chosen by requests done, not by time: the server itself kills the crawler when
it receives the N-th request, before answering it. Every wait here is for a state (a process gone,
the archive file let go), never a sleep standing in for one.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FAST, REPO, SAVED, expected_items, query, scrapy_crawl
from tests.faultserver import FaultPlan, serve_faulty
from tests.sitebuilder.content import FETCHED_FILES

pytestmark = pytest.mark.crawl

SEED = 4
FAULTY = ["-s", "DOWNLOAD_TIMEOUT=1", "-s", "RETRY_TIMES=2"]
KILL_POINTS = 10
MEDIA = {"http://www.chinasei.com.cn" + path: hashlib.sha256((SAVED / "www" / path.lstrip("/")).read_bytes()).hexdigest()
         for path in FETCHED_FILES}


@pytest.fixture(scope="module")
def cpu_hog() -> Iterator[None]:
    """A busy loop on one of the machine's cores for the length of these tests."""
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        hog.kill()
        hog.wait()


def media(db: Path) -> dict[str, str]:
    """Each archived image and attachment's SHA-256, by URL."""
    return dict(query(db, "SELECT url, sha256 FROM media_urls"))


def hashes(db: Path) -> dict[int, str]:
    """Each archived article's content hash, by site id."""
    return dict(query(db, "SELECT site_id, content_hash FROM articles"))


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory, cpu_hog) -> tuple[dict[int, str], int]:
    """The archive a crawl and one more run make, and how many requests the first run sent."""
    db = tmp_path_factory.mktemp("uninterrupted") / "a.db"
    plan = FaultPlan(SEED)
    with serve_faulty(SAVED / "www", plan) as url:
        scrapy_crawl(url, db, *FAULTY)
        first_run = plan.requests
        scrapy_crawl(url, db, *FAULTY)
    assert sorted(hashes(db)) == sorted(expected_items())
    assert sum(plan.injected.values()) >= 15, plan.injected
    return hashes(db), first_run


def holders(path: Path) -> list[str]:
    """The processes that hold ``path`` (or its WAL) open."""
    names = {str(path), f"{path}-wal"}
    found = []
    for fds in Path("/proc").glob("[0-9]*/fd"):
        try:
            if any(os.readlink(fd) in names for fd in fds.iterdir()):
                found.append(fds.parent.name)
        except OSError:  # a process that ended meanwhile, or one not ours to read
            continue
    return found


def wait_until_let_go(path: Path, timeout: float = 120.0) -> None:
    """Wait until no process holds the archive: the killed crawl's writer commits what it was sent
    and exits."""
    done = threading.Event()
    for _ in range(int(timeout * 20)):
        if not holders(path):
            return
        done.wait(0.05)
    raise AssertionError(f"{path} is still held by {holders(path)}")


@pytest.mark.parametrize("point", range(1, KILL_POINTS + 1))
def test_a_crawl_killed_at_any_point_resumes_to_the_exact_archive(point, uninterrupted, tmp_path):
    expected, first_run = uninterrupted
    kill_at = max(2, first_run * point // (KILL_POINTS + 1))
    db = tmp_path / "a.db"
    plan = FaultPlan(SEED)
    started, crawls = threading.Event(), []

    def kill() -> None:
        started.wait(60)
        crawls[0].send_signal(signal.SIGKILL)

    plan.trips[kill_at] = kill
    with serve_faulty(SAVED / "www", plan) as url:
        command = [sys.executable, "-m", "scrapy", "crawl", "chinasei", "-a", f"base_url={url}", "-s", f"ARCHIVE_DB={db}",
                   *FAST, *FAULTY]
        crawls.append(subprocess.Popen(command, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        started.set()
        assert crawls[0].wait(timeout=300) == -signal.SIGKILL, f"the crawl ended before request {kill_at}"
        wait_until_let_go(db)
        resumed, articles_after = 0, None
        while resumed < 3 and (hashes(db) != expected or media(db) != MEDIA):
            if articles_after is None and hashes(db) == expected:
                articles_after = resumed
            scrapy_crawl(url, db, *FAULTY)
            resumed += 1
    assert hashes(db) == expected, f"killed at request {kill_at} of {first_run}, resumed {resumed} times"
    assert (resumed if articles_after is None else articles_after) <= 2, "the articles took more than two plain runs"
    # the media too: a medium first asked for by a resuming run may meet a fault there, and the run after fetches it
    assert media(db) == MEDIA, f"killed at request {kill_at} of {first_run}, resumed {resumed} times"
    assert query(db, "SELECT COUNT(*), COUNT(DISTINCT url) FROM articles")[0] == (len(expected),) * 2
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
