"""Writing to the archive from a process of its own, so a crawl's storing runs beside its fetching.

A crawl spends more time storing a page (compressing it, writing rows, indexing the text for
search) than Scrapy spends fetching it. Done in the crawl's own thread, that time is added to every
page; done here, in a child process that owns the archive's write connection, it runs on the
machine's other core while the crawl goes on.

The crawl sends each write as a message (an :class:`Archive` method's name and arguments) down a
pipe widened to a megabyte (:mod:`crawler.runtime.helper`), from its own thread: it never waits on the
child unless the child falls a megabyte behind, and then it waits (its memory stays bounded). The
child applies the writes in order and commits them in batches, every ``commit_seconds``, leaving the
write lock free for a moment after each (:data:`LOCK_FREE_SECONDS`); after each commit it sends
back a report: how many writes it stored, how many articles were new, updated or unchanged, and
any write that failed, with its reason. When the crawl dies, the child sees the pipe
close, commits what it was sent and exits: what the crawl sent before dying is kept.

The crawl counts the writes it sends against the writes reported stored, so a write lost for any
reason — the disk full, the archive locked by another program for longer than the busy timeout, the
child killed — is counted and fails the run. Another program's lock is waited for (``busy_timeout``,
and each batch takes the write lock when its first write arrives, so no write inside it meets a
lock); a batch that cannot begin or cannot be committed ends the child, and the crawl stops:
nothing more could be stored.
"""

from __future__ import annotations

import contextlib
import pickle
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from crawler.runtime.helper import HelperGone, HelperProcess
from crawler.runtime.imports import hold_back_unused

#: The Archive methods a crawl writes through; nothing else is run in the child.
WRITES = frozenset({"save_article", "save_listing", "record_failure", "mark_walked", "record_response", "record_redirect"})
_CLOSE = ("close", ())

#: After each commit the writer leaves the archive's write lock free this long. Another program
#: that wants to write (``sqlite-utils``, an editor, a second crawl) waits in SQLite's busy handler,
#: which retries at intervals that settle at 100 ms; a writer that took the lock back at once would
#: leave it a gap of microseconds, and it would time out however often the writer commits. A gap
#: longer than that interval lets it in at the writer's next commit.
LOCK_FREE_SECONDS = 0.15
#: The most the writer holds of what arrives while the lock is left free; past it the rest waits in
#: the pipe, and the crawl for a moment behind it. At the pace of media (photographs coming as fast
#: as the downloader brings them) a gap's arrivals were 14 MiB of the writer's memory.
WAITING_BYTES = 4 * 1024 * 1024


class WriterFailed(RuntimeError):
    """The writer process is gone: nothing more can be stored."""


@dataclass
class Report:
    """What the child did since its last report."""

    outcomes: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    writes: int = 0
    failed_writes: int = 0
    stored: int = 0  # writes applied without error and committed
    fatal: str | None = None  # why the child stopped storing, if it did
    final: bool = False


class ArchiveWriter:
    """The crawl's handle on the writer process."""

    def __init__(self, path: str | Path, commit_seconds: float = 1.0, busy_timeout: float = 60.0,
                 identity: tuple[int, int] | None = None):
        """``identity``: the file (device, inode) the crawl opened at ``path``; the writer writes
        into that file or none."""
        self.helper = HelperProcess(serve, "archive-writer", str(path), commit_seconds, busy_timeout, identity)
        self.failed: str | None = None
        self.closed = False

    def submit(self, method: str, *args: Any) -> None:
        """Send a write; waits only while the child is a megabyte behind."""
        if method not in WRITES:
            raise ValueError(f"{method} is not an archive write")
        self._send_message((method, args))

    def _send_message(self, message: tuple[str, tuple]) -> None:
        if self.failed:
            raise WriterFailed(self.failed)
        try:
            self.helper.send(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
        except HelperGone as gone:
            self.failed = str(gone)
            raise WriterFailed(self.failed) from gone

    def reports(self) -> list[Report]:
        """The reports the child has sent so far, without waiting."""
        out = []
        try:
            while self.helper.answers.poll():
                out.append(self.helper.answers.recv())
        except EOFError:
            if not self.closed and not self.failed:
                self.failed = f"the archive writer process: {self.helper.exit_status()}"
        return out

    def close(self, timeout: float = 600.0) -> list[Report]:
        """Send the last writes, wait for the child to commit them and exit; its last reports."""
        if self.closed:
            return []
        self.closed = True
        reports: list[Report] = []
        with contextlib.suppress(WriterFailed):
            self._send_message(_CLOSE)
        deadline = time.monotonic() + timeout
        while not any(r.final for r in reports) and time.monotonic() < deadline and not self.failed:
            if self.helper.answers.poll(0.5):
                try:
                    reports.append(self.helper.answers.recv())
                except EOFError:
                    break
            elif not self.helper.alive:
                reports.extend(self.reports())
                break
        self.helper.close(timeout=30)
        if not any(r.final for r in reports):
            self.failed = self.failed or f"the archive writer process: {self.helper.exit_status()}"
        return reports


def serve(writes: Connection, reports: Connection, path: str, commit_seconds: float, busy_timeout: float = 60.0,
          identity: tuple[int, int] | None = None) -> None:
    """The child: apply writes in order, commit every ``commit_seconds``, report after each commit."""
    hold_back_unused()  # before sqlite-utils is imported, with the archive
    from archive.store import Archive  # imported here: the parent needs none of it to start us

    try:
        _check_same_file(path, identity)  # before opening: a deleted file would be made anew
        archive = Archive(path, busy_timeout=busy_timeout)
        try:
            _check_same_file(path, identity)  # and after: it could move in the moment between
        except ArchiveMoved:
            archive.close()
            raise
    except Exception as error:  # the archive cannot be opened for writing: say so and stop
        report = Report(fatal=_storage_error("could not start writing", error, busy_timeout), final=True)
        with contextlib.suppress(OSError, EOFError):
            reports.send(report)
        return
    batches = Batches(archive, reports, commit_seconds, busy_timeout)
    try:
        batches.take(writes)
    finally:
        batches.finish()
        archive.close()


class Batches:
    """The writes in batches: each batch takes the write lock when its first write arrives and
    holds it until its commit, ``commit_seconds`` later; after each commit the lock is left free
    for :data:`LOCK_FREE_SECONDS`, and what arrives meanwhile waits in memory for the next batch."""

    def __init__(self, archive: Any, reports: Connection, commit_seconds: float, busy_timeout: float):
        self.archive, self.reports = archive, reports
        self.commit_seconds, self.busy_timeout = commit_seconds, busy_timeout
        self.report = Report()
        self.waiting: deque[tuple[str, tuple]] = deque()  # arrived while the lock was left free
        self.waiting_bytes = 0  # their size as sent
        self.commit_at: float | None = None  # when the open batch commits; None: no batch open
        self.free_until = 0.0

    def take(self, writes: Connection) -> None:
        """Apply the writes that arrive until the crawl closes the pipe, says close, or storing
        becomes impossible."""
        while self.report.fatal is None:
            now = time.monotonic()
            if self.commit_at is None and self.waiting and now >= self.free_until:
                self.begin()
                continue
            if self.commit_at is not None:
                wait: float | None = max(0.0, self.commit_at - now)
            else:
                wait = max(0.0, self.free_until - now) if self.waiting else None
            if self.commit_at is None and self.waiting_bytes >= WAITING_BYTES:
                time.sleep(max(0.0, self.free_until - now))  # the rest wait in the pipe until the gap ends
                continue
            if writes.poll(wait):
                try:
                    data = writes.recv_bytes()
                    message = pickle.loads(data)
                except EOFError:
                    return  # the crawl is gone: keep what it sent
                if message[0] == "close":
                    return
                if self.commit_at is None:
                    self.waiting.append(message)
                    self.waiting_bytes += len(data)
                else:
                    _apply(self.archive, *message, self.report)
            if self.commit_at is not None and time.monotonic() >= self.commit_at:
                self.commit()

    def begin(self) -> None:
        """Take the write lock (waiting out another program's up to the busy timeout) and apply
        the writes that waited for it."""
        try:
            self.archive.begin_batch()
        except Exception as error:
            self.report.fatal = _storage_error("could not take the write lock", error, self.busy_timeout, self.archive)
            return
        self.commit_at = time.monotonic() + self.commit_seconds
        while self.waiting and self.report.fatal is None:
            _apply(self.archive, *self.waiting.popleft(), self.report)
        self.waiting_bytes = 0

    def commit(self) -> None:
        """Commit the open batch, report it, and leave the lock free for a moment."""
        self.report = _commit(self.archive, self.report, self.reports, self.busy_timeout)
        self.commit_at = None
        self.free_until = time.monotonic() + LOCK_FREE_SECONDS

    def finish(self) -> None:
        """Store what is still waiting and commit the last batch, with the final report."""
        if self.waiting and self.report.fatal is None and self.commit_at is None:
            self.begin()
        self.report.final = True
        self.commit()


def _apply(archive: Any, method: str, args: tuple, report: Report) -> None:
    report.writes += 1
    try:
        result = getattr(archive, method)(*args)
    except Exception as error:  # one bad write must not stop the others; it is reported
        moved = archive.moved_away()  # unless the file itself is gone: then nothing can be stored
        if moved is not None:
            report.fatal = f"could not store {method}: {moved}; its last writes were not stored"
            report.failed_writes += 1
            return
        subject = args[1] if len(args) > 1 and isinstance(args[1], str) else getattr(args[-1], "url", "")
        report.errors.append(f"{method}({subject}): {type(error).__name__}: {error}")
        report.failed_writes += 1
        return
    outcome = getattr(result, "outcome", None)
    if outcome:
        report.outcomes[outcome] += 1


def _commit(archive: Any, report: Report, reports: Connection, busy_timeout: float) -> Report:
    """Commit the batch, if one is open, and report it. A batch that cannot be committed is fatal:
    ``report.fatal`` says why."""
    try:
        moved = archive.moved_away()
        if moved is not None:
            raise ArchiveMoved(f"{moved}; its last writes were not stored")
        archive.commit()
        report.stored = report.writes - report.failed_writes
    except Exception as error:
        archive.rollback()
        report.outcomes.clear()  # nothing of the batch was stored
        report.fatal = _storage_error(f"could not commit {report.writes} writes", error, busy_timeout, archive)
    if report.writes or report.errors or report.final or report.fatal:
        with contextlib.suppress(OSError, EOFError):  # the crawl is gone; what it sent is committed
            reports.send(report)
        return Report(fatal=report.fatal)
    return report


class ArchiveMoved(RuntimeError):
    """The archive's path names another file, or none, since the writer opened it."""


def _check_same_file(path: str, identity: tuple[int, int] | None) -> None:
    """Raise :class:`ArchiveMoved` when ``path`` no longer names the file the crawl opened."""
    from archive.store import moved_since  # imported here, as in serve

    moved = moved_since(path, tuple(identity)) if identity is not None else None
    if moved is not None:
        raise ArchiveMoved(moved)


def _storage_error(doing: str, error: BaseException, busy_timeout: float, archive: Any = None) -> str:
    """Why storing stopped, in words: an archive file deleted or replaced says so (SQLite only
    says "disk I/O error"), and a lock held past the busy timeout names the wait."""
    moved = archive.moved_away() if archive is not None and not isinstance(error, ArchiveMoved) else None
    if moved is not None:
        return f"{doing}: {moved}; its last writes were not stored"
    if isinstance(error, ArchiveMoved):
        return f"{doing}: {error}"
    text = f"{type(error).__name__}: {error}"
    if "locked" in str(error) or "busy" in str(error):
        text += f" (another program held the archive's write lock for over {busy_timeout:g} s)"
    elif "disk" in str(error):
        text += " (is the disk full?)"
    return f"{doing}: {text}"
