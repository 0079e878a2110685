"""One crawl at a time per archive: an advisory lock on ``<archive>.lock``, beside the file the
archive's path resolves to, so two names of one file (a symlink, ``./a.db`` and ``a.db``) share it.

The operating system releases it when the process ends, however it ends (kill -9 included), so a
crashed crawl never leaves a stale lock behind. The file says who holds it, for the message.
"""

from __future__ import annotations

import fcntl
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import IO


class ArchiveLocked(RuntimeError):
    """Another process is crawling into (or re-parsing) this archive."""


class ArchiveLock:
    """Hold the archive's lock for the length of a crawl."""

    def __init__(self, archive_path: str | Path, doing: str = "crawling into this archive"):
        """``doing``: what the holder does, for the message another process gets."""
        self.doing = doing
        self.path = Path(f"{os.path.realpath(archive_path)}.lock")  # the file's, whichever name (a symlink) it was given
        self.handle: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock, or raise :class:`ArchiveLocked` saying who holds it."""
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder, _, doing = handle.read().strip().partition("\n")
            handle.close()
            raise ArchiveLocked(f"{holder or 'another process'} is {doing or 'crawling into this archive'}") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {datetime.now(timezone.utc).isoformat(timespec='seconds')}\n{self.doing}")
        handle.flush()
        self.handle = handle

    def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None
