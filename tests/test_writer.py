"""The writer process: writes in order, batched, counted, and kept when the crawl dies."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from archive.store import Archive
from crawler.parsing.items import ListingEntry, ListingPage, PageFailure
from crawler.runtime.writer import ArchiveWriter, WriterFailed
from tests.test_archive import URL, article

pytestmark = pytest.mark.crawl

REPO = Path(__file__).resolve().parents[1]


def outcomes(reports) -> dict[str, int]:
    total: dict[str, int] = {}
    for report in reports:
        for name, count in report.outcomes.items():
            total[name] = total.get(name, 0) + count
    return total


def test_writes_are_applied_in_order_counted_and_indexed(tmp_path):
    path = tmp_path / "a.db"
    run = Archive(path).start_run("http://www.chinasei.com.cn")
    writer = ArchiveWriter(path, commit_seconds=0.05)
    writer.submit("record_response", run, URL, URL, 200, {"Content-Type": ["text/html"]}, "<p>原文</p>".encode(), "article")
    writer.submit("save_article", run, article())
    writer.submit("save_article", run, article())
    writer.submit("save_article", run, article(title="新材料产业新标题"))
    page = ListingPage(url="http://www.chinasei.com.cn/lpz/", folder_url="http://www.chinasei.com.cn/lpz/", channel="领跑者",
                       page_index=0, page_count=1, entries=[ListingEntry(URL, "标题", "2020-11-24", True, True)])
    writer.submit("save_listing", run, page)
    writer.submit("mark_walked", run, page.folder_url)
    writer.submit("record_failure", run, PageFailure(url=URL + "x", kind="article", reason="HTTP 500"))
    reports = writer.reports() + writer.close()
    assert not writer.failed and writer.helper.process.poll() is not None
    assert outcomes(reports) == {"new": 1, "unchanged": 1, "updated": 1}
    assert sum(r.writes for r in reports) == 7 and not any(r.errors for r in reports)
    archive = Archive(path)
    assert archive.article(40123)["title"] == "新材料产业新标题" and archive.article(40123)["version"] == 2
    assert next(archive.responses())["body"] == "<p>原文</p>".encode()
    assert archive.walked_channels() == {page.folder_url}
    assert [f["reason"] for f in archive.failures(run)] == ["HTTP 500"]
    assert archive.db.execute("SELECT COUNT(*) FROM search_dirty").fetchone()[0] == 0
    assert [hit.site_id for hit in archive.search_index.search("新材料")] == [40123]
    archive.close()


def test_a_write_that_fails_is_reported_and_the_others_are_kept(tmp_path):
    path = tmp_path / "a.db"
    run = Archive(path).start_run("http://www.chinasei.com.cn")
    writer = ArchiveWriter(path, commit_seconds=0.05)
    writer.submit("save_article", run, article(url=None))  # the archive requires a URL
    writer.submit("save_article", run, article(site_id=40124, url=URL.replace("40123", "40124")))
    reports = writer.close()
    errors = [e for r in reports for e in r.errors]
    assert len(errors) == 1 and "save_article" in errors[0] and "IntegrityError" in errors[0]
    assert outcomes(reports) == {"new": 1}
    assert [row["site_id"] for row in Archive(path).articles()] == [40124]


def test_only_archive_writes_are_sent():
    writer = ArchiveWriter.__new__(ArchiveWriter)
    with pytest.raises(ValueError, match="not an archive write"):
        writer.submit("close", 1)


def test_a_crawl_that_stops_writing_is_told_once_the_writer_is_gone(tmp_path):
    path = tmp_path / "a.db"
    run = Archive(path).start_run("http://www.chinasei.com.cn")
    writer = ArchiveWriter(path, commit_seconds=0.05)
    writer.helper.process.kill()
    writer.helper.process.wait()
    with pytest.raises(WriterFailed, match="exited|stopped reading"):
        for n in range(10_000):
            writer.submit("record_response", run, f"{URL}?{n}", URL, 200, {}, b"x" * 1000, "article")
    assert n < 10_000 - 1
    writer.close()
    assert writer.failed


def stored(writer: ArchiveWriter, reports: list) -> int:
    """Writes the writer has reported committed, adding its new reports to ``reports``."""
    reports.extend(writer.reports())
    return sum(r.stored for r in reports)


def test_another_program_gets_the_write_lock_while_writes_keep_coming(tmp_path):
    """``sqlite-utils`` or an editor writing during a crawl: its busy handler retries every 100 ms,
    so a writer that took the lock back the moment it committed would leave it no way in."""
    path = tmp_path / "a.db"
    run = Archive(path).start_run("http://www.chinasei.com.cn")
    writer = ArchiveWriter(path, commit_seconds=1.0)  # a crawl's
    done, sent, reports = threading.Event(), [], []

    def keep_writing() -> None:  # at a crawl's pace: a flood would make the writer checkpoint the
        while not done.wait(0.005):  # WAL at every commit, and a checkpoint leaves the lock free
            writer.submit("record_response", run, f"{URL}?{len(sent)}", URL, 200, {}, b"<p>page</p>", "article")
            sent.append(1)

    sender = threading.Thread(target=keep_writing)
    sender.start()
    try:
        while not stored(writer, reports):
            writer.helper.answers.poll(1)
        other = sqlite3.connect(path, isolation_level=None, timeout=30)  # beyond sqlite-utils' 5 s
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE runs SET base_url = base_url")
        during = len(sent)
        other.execute("COMMIT")
        other.close()
        while len(sent) == during:  # and the writes go on after it
            time.sleep(0.01)
    finally:
        done.set()
        sender.join()
    reports += writer.close()
    assert not writer.failed and sum(r.stored for r in reports) == len(sent)
    assert Archive(path).db["responses"].count == len(sent)


def test_a_writer_with_nothing_to_write_holds_no_lock(tmp_path):
    path = tmp_path / "a.db"
    run = Archive(path).start_run("http://www.chinasei.com.cn")
    writer = ArchiveWriter(path, commit_seconds=0.05)
    writer.submit("record_response", run, URL, URL, 200, {}, b"<p>page</p>", "article")
    reports: list = []
    while not stored(writer, reports):
        writer.helper.answers.poll(1)
    other = sqlite3.connect(path, isolation_level=None, timeout=0)  # not a moment's wait
    other.execute("BEGIN IMMEDIATE")
    other.execute("COMMIT")
    other.close()
    writer.submit("record_response", run, URL + "?2", URL, 200, {}, b"<p>page</p>", "article")
    reports += writer.close()
    assert not writer.failed and sum(r.stored for r in reports) == 2


KILLED = """
import os, signal, sys, time
from crawler.runtime.writer import ArchiveWriter
writer = ArchiveWriter(sys.argv[1], commit_seconds=60)
for n in range(200):
    writer.submit("record_response", 1, f"http://www.chinasei.com.cn/{n}.html", "x", 200, {}, b"<p>page</p>" * n, "article")
time.sleep(0.2)
print(writer.helper.process.pid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_what_a_killed_crawl_sent_is_committed_by_the_writer(tmp_path):
    """kill -9 of the crawl: the writer reads to the end of the pipe, commits and exits, long before
    its next commit was due."""
    path = tmp_path / "a.db"
    Archive(path).start_run("http://www.chinasei.com.cn")
    done = subprocess.run([sys.executable, "-c", KILLED, str(path)], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == -9, done.stderr
    writer_pid = int(done.stdout.split()[0])
    deadline = time.monotonic() + 30
    while Path(f"/proc/{writer_pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    archive = Archive(path)
    assert archive.db["responses"].count == 200
    assert archive.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    archive.close()


def test_a_batch_is_searchable_before_its_commit_and_indexed_at_it(tmp_path):
    archive = Archive(tmp_path / "a.db")
    run = archive.start_run("http://www.chinasei.com.cn")
    archive.begin_batch()
    archive.save_article(run, article(title="储能电池新突破"))
    assert archive.db.execute("SELECT COUNT(*) FROM search_dirty").fetchone()[0] == 1
    assert [hit.site_id for hit in archive.search_index.search("储能电池")] == [40123]
    archive.commit()
    assert archive.db.execute("SELECT COUNT(*) FROM search_dirty").fetchone()[0] == 0
    assert [hit.site_id for hit in archive.search_index.search("储能电池")] == [40123]
    archive.close()


def test_what_arrives_while_the_lock_is_left_free_is_held_up_to_a_cap(tmp_path, monkeypatch):
    """Writes that arrive in the moment the lock is left free wait in the writer's memory, up to
    ``WAITING_BYTES``; the rest wait in the pipe (and the crawl behind it). Photographs arriving as
    fast as the downloader brings them made that moment's writes the writer's largest memory."""
    import os
    import pickle
    from multiprocessing import Pipe

    from crawler.runtime import writer as writer_module

    monkeypatch.setattr(writer_module, "LOCK_FREE_SECONDS", 1.0)
    path = tmp_path / "a.db"
    archive = Archive(path)
    run = archive.start_run("http://www.chinasei.com.cn")
    held: list[int] = []

    class Watched(writer_module.Batches):
        def begin(self) -> None:
            held.append(self.waiting_bytes)  # all that waited, as the lock is taken again
            super().begin()

    writes, sending = Pipe(duplex=False)
    answers, reporting = Pipe(duplex=False)
    batches = Watched(archive, reporting, commit_seconds=0.05, busy_timeout=5)
    batches.commit()  # a commit: the lock is left free for the next second
    photo = 1024 * 1024
    count = 3 * writer_module.WAITING_BYTES // photo

    def send() -> None:
        for n in range(count):
            url = f"http://www.chinasei.com.cn/cyzx/W0{n}.jpg"
            message = ("record_response", (run, url, url, 200, {"Content-Type": ["image/jpeg"]}, os.urandom(photo), "media"))
            sending.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
        sending.send_bytes(pickle.dumps(("close", ())))

    sender = threading.Thread(target=send)
    sender.start()
    batches.take(writes)
    sender.join()
    batches.finish()
    assert held and max(held) <= writer_module.WAITING_BYTES + photo + 1024, held
    assert archive.db.execute("SELECT COUNT(*) FROM media").fetchone()[0] == count  # and nothing lost
    archive.close()
