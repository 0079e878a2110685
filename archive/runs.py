"""How a run ends: the statuses the ``runs`` table holds, as one Enum, and what each means."""

from __future__ import annotations

from enum import Enum


class RunStatus(str, Enum):
    """A run's ``status``. ``LOCKED`` and ``UNAVAILABLE`` are outcomes of a crawl that never began
    (no row is written for them); every other value is a ``runs.status``."""

    RUNNING = "running"  #: under way (or, seen by a later run, died without a word: see UNFINISHED)
    FINISHED = "finished"  #: ran to its end; judged for health
    INTERRUPTED = "interrupted"  #: stopped by Ctrl-C or SIGTERM; everything received was stored
    STOPPED_BY_LIMIT = "stopped_by_limit"  #: a CLOSESPIDER_* limit ended it; the next run goes on
    FAILED = "failed"  #: writes were lost (the archive could not be written); counted
    ENDED_EARLY = "ended_early"  #: Scrapy ended it for another reason (its finish_reason is in stats)
    UNFINISHED = "unfinished"  #: was still RUNNING when a later run started: killed, or the machine stopped
    LOCKED = "archive_locked"  #: another crawl holds the archive; nothing was touched
    UNAVAILABLE = "archive_unavailable"  #: the archive cannot be used (missing folder, foreign file, locked)

    def __str__(self) -> str:
        return self.value

    @classmethod
    def from_close_reason(cls, reason: str, lost_writes: int) -> RunStatus:
        """A run's status from Scrapy's close reason and the writes it lost."""
        if lost_writes or reason == "archive_writer_failed":
            return cls.FAILED
        if reason in (cls.LOCKED.value, cls.UNAVAILABLE.value):
            return cls(reason)
        if reason.startswith("closespider_"):
            return cls.STOPPED_BY_LIMIT
        return {"finished": cls.FINISHED, "shutdown": cls.INTERRUPTED}.get(reason, cls.ENDED_EARLY)
