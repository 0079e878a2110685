"""Every ``ARCHIVE_*`` setting: its name, type, default and one-line doc, in one registry.

``crawler.settings`` takes the defaults from here, the settings reference in the docs is generated
from here (``cog``), and every component reads a setting through :func:`setting`, so no getter
repeats a default. Any of them can be changed like any Scrapy setting:
``scrapy crawl chinasei -s ARCHIVE_DB=x.db`` or ``chinasei crawl -s ARCHIVE_MEDIA=False``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Protocol

KiB = 1024
MiB = 1024 * KiB


@dataclass(frozen=True)
class Setting:
    """One setting of ours: what it is called, what it holds, what it is unless set, and why."""

    name: str
    type: type
    default: Any
    doc: str


SETTINGS: dict[str, Setting] = {s.name: s for s in (
    Setting("ARCHIVE_DB", str, os.environ.get("CHINASEI_ARCHIVE_DB", "archive.db"),
            "The archive file (the environment's `CHINASEI_ARCHIVE_DB`, else `archive.db`)."),
    Setting("ARCHIVE_STORE_RESPONSES", bool, True, "Keep every raw response (a medium's is always kept)."),
    Setting("ARCHIVE_INCREMENTAL", bool, True,
            "Skip archived articles and stop paging where the archive starts; `chinasei crawl --full` turns it off."),
    Setting("ARCHIVE_INCREMENTAL_OVERLAP", int, 3, "Known articles read past the last new one before a listing is left."),
    Setting("ARCHIVE_RECHECK_DAYS", float, 7.0,
            "Articles published in the last this many days are re-fetched with conditional requests."),
    Setting("ARCHIVE_RECHECK_HOURS", float, 6.0, "At most this often, to catch edits in place."),
    Setting("ARCHIVE_PROGRESS_INTERVAL", float, 30.0, "Seconds between progress lines in the log (0 turns them off)."),
    Setting("ARCHIVE_COMMIT_SECONDS", float, 1.0,
            "How often the writer commits: a crash loses at most that much, fetched again by the next run."),
    Setting("ARCHIVE_PARSE_WORKER", bool, True,
            "Parse pages in a process beside the crawl; False parses in the crawl's thread."),
    Setting("ARCHIVE_BUSY_TIMEOUT", float, 60.0,
            "Seconds to wait out another program's write lock; past it the writes are lost, counted, and the run fails."),
    Setting("ARCHIVE_PARSE_TIMEOUT", float, 30.0,
            "Seconds a page may take to parse; past it the page is a recorded failure and the worker is replaced."),
    Setting("ARCHIVE_MAX_LISTING_PAGES", int, 10_000, "The most pages of one listing read, whatever its pager claims."),
    Setting("ARCHIVE_MAX_HEADER_BYTES", int, 256 * KiB,
            "The largest response header block read, as DOWNLOAD_MAXSIZE caps the body; a larger one is a failure."),
    Setting("ARCHIVE_MEDIA", bool, True, "Fetch every same-site image and attachment into the archive."),
    Setting("ARCHIVE_MEDIA_LAYOUT", bool, True,
            "Fetch the stylesheets, layout images and fonts of archived pages too, so they show as they looked."),
    Setting("ARCHIVE_MEDIA_OFFSITE", bool, False, "Fetch off-site images too (otherwise recorded, not fetched)."),
    Setting("ARCHIVE_MEDIA_INTERNAL_HOSTS", list, [],
            "Hosts of this machine or network that off-site images may still come from (others never are)."),
    Setting("ARCHIVE_MEDIA_MAX_BYTES", int, 32 * MiB, "The largest file kept; a larger one is a recorded failure."),
    Setting("ARCHIVE_MEDIA_RUN_BYTES", int, 2048 * MiB,
            "Media bytes one run may fetch (0: no cap); the rest are fetched by the next run."),
    Setting("ARCHIVE_MEDIA_GIVE_UP_AFTER", int, 5, "Runs a failing medium is tried in."),
)}


class ScrapySettings(Protocol):
    """What :func:`setting` needs of Scrapy's ``Settings`` (kept a protocol: this module imports no Scrapy)."""

    def get(self, name: str, default: Any = None) -> Any: ...
    def getbool(self, name: str, default: bool = False) -> bool: ...
    def getint(self, name: str, default: int = 0) -> int: ...
    def getfloat(self, name: str, default: float = 0.0) -> float: ...
    def getlist(self, name: str, default: Any = None) -> list[Any]: ...


def setting(settings: ScrapySettings, name: str) -> Any:
    """The value of one of our settings, typed, with the registry's default when unset."""
    spec = SETTINGS[name]
    read = {bool: settings.getbool, int: settings.getint, float: settings.getfloat,
            list: settings.getlist}.get(spec.type, settings.get)
    return read(name, spec.default)


def defaults() -> dict[str, Any]:
    """Every setting's default, by name (what ``crawler.settings`` sets)."""
    return {name: spec.default for name, spec in SETTINGS.items()}


def reference() -> str:
    """The settings reference as a Markdown table (the docs' page is generated from it)."""
    rows = ["| setting | type | default | what it does |", "|---|---|---|---|"]
    for spec in SETTINGS.values():
        default = "`archive.db`" if spec.name == "ARCHIVE_DB" else f"`{spec.default!r}`"
        rows.append(f"| `{spec.name}` | {spec.type.__name__} | {default} | {spec.doc} |")
    return "\n".join(rows)
