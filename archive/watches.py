"""Saved searches ("watches"): the subjects an analyst follows, kept in the archive file itself.

A watch is a name, a query in :mod:`archive.search`'s language and, optionally, a channel. Its
matches are exactly the articles ``chinasei search`` finds for that query (the same index, the
same direct check of articles not yet re-indexed). What a reader has seen is kept per article
(``watch_seen``), so "new since the last look" is exact whatever order articles arrive in; a new
watch starts with everything it matches already seen. Each crawl counts, per watch, the articles
it archived that match (``new_in_run``), for the run's summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from archive.search import HITS_SQL, Query, SearchError, snippet
from archive.store import first_row

#: A run's stats hold, per saved search, the articles it archived that match: ``chinasei/watch/氢能``.
WATCH_STAT = "chinasei/watch/"


def watch_counts(stats: dict[str, Any]) -> str:
    """The saved searches' line of a run's summary, "氢能: 3 new, 储能: 0 new" (empty without any)."""
    return ", ".join(f"{key.removeprefix(WATCH_STAT)}: {count} new" for key, count in sorted(stats.items())
                     if key.startswith(WATCH_STAT))


#: A watch's name is part of commands, feed addresses and stats keys: short, printable, one line.
NAME_LIMIT = 64


class WatchError(ValueError):
    """A watch that cannot be made, found or read, in words for the user."""


@dataclass(frozen=True)
class Watch:
    """One saved search."""

    name: str
    query: str
    category: str | None
    created_at: str


def check_name(name: str) -> str:
    """A watch's name, stripped, or a WatchError saying what is wrong with it."""
    name = name.strip()
    if not name:
        raise WatchError("a saved search needs a name")
    if len(name) > NAME_LIMIT:
        raise WatchError(f"a saved search's name is at most {NAME_LIMIT} characters")
    if not name.isprintable() or "/" in name:
        raise WatchError(f"{name!r} cannot name a saved search: no control characters or '/'")
    return name


class Watches:
    """The saved searches of one archive: every read and write of ``watches`` and ``watch_seen``.
    ``db`` is the archive's (the search functions registered on its connection, as
    :class:`~archive.store.Archive` and the Datasette plugin do)."""

    def __init__(self, db: Database):
        self.db = db

    def all(self) -> list[Watch]:
        return [Watch(**row) for row in self.db.query("SELECT name, query, category, created_at FROM watches ORDER BY name")]

    def find(self, name: str) -> Watch | None:
        row = first_row(self.db, "SELECT name, query, category, created_at FROM watches WHERE name = ?", [name])
        return Watch(**row) if row is not None else None

    def get(self, name: str) -> Watch:
        """The saved search ``name``, or a WatchError naming those there are."""
        found = self.find(name)
        if found is None:
            known = "、".join(w.name for w in self.all()) or "none yet"
            raise WatchError(f"no saved search {name!r} (saved: {known})")
        return found

    def add(self, name: str, query: str, category: str | None, at: str) -> int:
        """Save a search; everything it matches now counts as seen. Returns how many that is."""
        name = check_name(name)
        try:
            Query.parse(query)
        except SearchError as error:
            raise WatchError(str(error)) from None
        existing = self.find(name)
        if existing is not None:
            raise WatchError(f"a saved search {name!r} exists (its query: {existing.query}); remove it first")
        watch = Watch(name, query, category, at)
        with self.db.atomic():
            self.db["watches"].insert(vars(watch))
            matched = self.matches(watch)
            self._mark_seen(watch, matched, at)
        return len(matched)

    def remove(self, name: str) -> None:
        watch = self.get(name)
        with self.db.atomic():
            self.db.execute("DELETE FROM watch_seen WHERE name = ?", [watch.name])
            self.db.execute("DELETE FROM watches WHERE name = ?", [watch.name])

    def matches(self, watch: Watch, run_id: int | None = None) -> list[int]:
        """The site ids of the articles the watch matches (only those a run first archived, if
        given), newest first."""
        rows = self.db.execute(
            f"""SELECT a.site_id FROM ({HITS_SQL}) hits JOIN articles a ON a.site_id = hits.site_id
                WHERE (:category IS NULL OR a.category = :category) AND (:run IS NULL OR a.first_run_id = :run)
                ORDER BY a.published_at DESC, a.site_id DESC""",
            {"q": watch.query, "category": watch.category, "run": run_id}).fetchall()
        return [row[0] for row in rows]

    def unseen(self, watch: Watch, matched: list[int] | None = None) -> list[int]:
        """The articles the watch matches (``matched``, where the caller has them) that were not
        seen yet, newest first."""
        seen = {row[0] for row in self.db.execute("SELECT site_id FROM watch_seen WHERE name = ?", [watch.name])}
        return [site_id for site_id in (self.matches(watch) if matched is None else matched) if site_id not in seen]

    def mark_seen(self, watch: Watch, site_ids: list[int], at: str) -> None:
        with self.db.atomic():
            self._mark_seen(watch, site_ids, at)

    def _mark_seen(self, watch: Watch, site_ids: list[int], at: str) -> None:
        self.db.conn.executemany("INSERT OR IGNORE INTO watch_seen (name, site_id, seen_at) VALUES (?, ?, ?)",
                                 [(watch.name, site_id, at) for site_id in site_ids])

    def new_in_run(self, run_id: int) -> dict[str, int]:
        """Per watch, how many of the articles a run first archived it matches."""
        return {watch.name: len(self.matches(watch, run_id)) for watch in self.all()}

    def articles(self, watch: Watch, site_ids: list[int]) -> list[dict[str, Any]]:
        """The rows a watch shows (title, time, channel, URL, the snippet of its match), in the
        order given."""
        if not site_ids:
            return []
        marks = ", ".join("?" for _ in site_ids)
        rows = {row["site_id"]: row for row in self.db.query(
            f"SELECT site_id, url, title, published_at, category, body FROM articles WHERE site_id IN ({marks})", site_ids)}
        shown = []
        for site_id in site_ids:
            if site_id in rows:
                row = rows[site_id]
                row["snippet"] = snippet(row["title"], row.pop("body"), watch.query)
                shown.append(row)
        return shown
