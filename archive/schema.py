"""The archive's tables, as sqlite-utils migrations applied in order when an archive is opened.

Tables:

- ``articles``: one row per article, keyed by the site's document id; list fields are JSON arrays.
- ``responses``: every response the crawler received (home, listings, articles, robots.txt, errors),
  raw bytes and headers, one row per distinct (url, status, body), so nothing fetched is lost.
- ``runs``: one row per crawl, with its counts and Scrapy's stats.
- ``failures``: pages of a run that gave no article, with the reason.
- ``channels`` and ``channel_articles``: the listings seen, and which articles each one shows.
- ``compression_dicts`` and the ``pages`` view: how raw responses are compressed, and their HTML
  as text (through a function of our Datasette plugin).
- ``article_versions``: an article's earlier contents, kept when a crawl (or a re-parse) changes it.
- ``article_search`` (FTS5), ``search_dirty``, ``search_stale``: the exact search index
  (see :mod:`archive.search`), kept in step by triggers.
- ``media``: every image and attachment fetched, once per content (keyed by its SHA-256), bytes as
  received; ``media_urls``: which content each URL last gave; ``article_media``: which images and
  attachments each article shows or links (an off-site one too, fetched or not), and the
  stylesheets and layout images of its page (what those stylesheets name is read from them). A medium's raw
  response row in ``responses`` points at its ``media`` row instead of holding the bytes again.
- ``watches`` and ``watch_seen``: saved searches, and which of the articles each matches a reader
  has seen (see :mod:`archive.watches`).

A new column or table is a new function at the end of this file; applied ones never change.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlite_utils import Database, Migrations

from archive.search import INDEX, SearchIndex, register_functions
from crawler.parsing import site

migrations = Migrations("chinasei")


def database(target: str | Path | sqlite3.Connection) -> Database:
    """A sqlite-utils ``Database`` on an archive's file (or connection), with the archive's SQL
    functions registered directly rather than by sqlite-utils plugins. Loading plugins reads the
    entry points of every package installed (memory in each process that opens an archive, and
    part of its start) to find ours, whose one hook registers these same functions; another
    plugin's hook has no business in the archive's connections."""
    db = Database(target, execute_plugins=False)
    register_functions(db.conn)
    return db


ARTICLE_COLUMNS = {
    "site_id": int,
    "url": str,
    "title": str,
    "published_at": str,
    "reporters": str,
    "correspondents": str,
    "photographers": str,
    "authors": str,
    "source": str,
    "editor": str,
    "category": str,
    "category_path": str,
    "body": str,
    "body_html": str,
    "images": str,
    "byline": str,
    "extraction": str,
    "fallbacks": str,
    "problems": str,
    "content_hash": str,
    "fetched_at": str,
    "first_seen_at": str,
    "updated_at": str,
    "first_run_id": int,
    "last_run_id": int,
}


@migrations()
def create_tables(db: Database) -> None:
    """The first schema."""
    db["runs"].create(
        {
            "id": int, "started_at": str, "finished_at": str, "base_url": str, "status": str,
            "requests": int, "responses": int, "listing_pages": int, "articles_new": int,
            "articles_updated": int, "articles_unchanged": int, "failures": int, "stats": str,
        },
        pk="id",
    )
    db["articles"].create(ARTICLE_COLUMNS, pk="site_id", not_null={"url"})
    db["articles"].create_index(["url"], unique=True)
    db["articles"].create_index(["category", "published_at"])
    db["articles"].create_index(["published_at"])
    db["responses"].create(
        {
            "id": str, "url": str, "fetched_url": str, "kind": str, "status": int, "headers": str,
            "content_type": str, "body": bytes, "size": int, "first_fetched_at": str,
            "last_fetched_at": str, "fetch_count": int, "first_run_id": int, "last_run_id": int,
        },
        pk="id",
    )
    db["responses"].create_index(["url"])
    db["failures"].create(
        {"run_id": int, "url": str, "kind": str, "status": int, "reason": str, "referer": str, "at": str},
        pk=("run_id", "url"),
    )
    db["channels"].create(
        {"url": str, "name": str, "page_count": int, "first_run_id": int, "last_run_id": int},
        pk="url",
    )
    db["channel_articles"].create(
        {"channel_url": str, "site_id": int, "listed_title": str, "listed_date": str, "page_index": int,
         "first_run_id": int, "last_run_id": int},
        pk=("channel_url", "site_id"),
    )
    db["channel_articles"].create_index(["site_id"])


@migrations()
def add_search_versions_and_months(db: Database) -> None:
    """Exact search, article versions, a month column to facet on, and reparse runs."""
    SearchIndex(db).create()
    SearchIndex(db).rebuild()
    db["article_versions"].create(
        {"site_id": int, "version": int, "content": str, "changed_fields": str, "valid_from": str, "valid_to": str,
         "run_id": int, "reason": str},
        pk=("site_id", "version"),
    )
    db["articles"].add_column("version", int, not_null_default=1)
    db.execute("ALTER TABLE articles ADD COLUMN month TEXT GENERATED ALWAYS AS (substr(published_at, 1, 7)) VIRTUAL")
    db["articles"].create_index(["month"])
    db["runs"].add_column("kind", str, not_null_default="crawl")


@migrations()
def add_walks_and_run_health(db: Database) -> None:
    """Which channels a crawl has read to the end; per-run status counts, field fill and health."""
    db["channels"].add_column("walked_run_id", int)
    db["runs"].add_column("responses_by_status", str)
    db["runs"].add_column("field_fill", str)
    db["runs"].add_column("health", str)
    db["runs"].add_column("warnings", str)


@migrations()
def compress_raw_responses(db: Database) -> None:
    """Raw responses stored compressed (see :mod:`archive.compression`), and a view to read them."""
    db["compression_dicts"].create({"id": int, "data": bytes, "created_at": str, "samples": str}, pk="id")
    db["responses"].add_column("compression", str)
    db["responses"].add_column("dict_id", int)
    db["responses"].add_column("stored_size", int)
    db.execute(
        """CREATE VIEW pages AS
           SELECT r.id, r.url, r.kind, r.status, r.content_type, r.last_fetched_at, r.size,
                  chinasei_html(r.body, r.compression, d.data, r.content_type) AS html
           FROM responses r LEFT JOIN compression_dicts d ON d.id = r.dict_id"""
    )


@migrations()
def add_reviewer(db: Database) -> None:
    """Who reviewed an article (审核), which closing bylines name beside the editor."""
    db["articles"].add_column("reviewer", str)


@migrations()
def add_request_records(db: Database) -> None:
    """The request behind each response (method, headers as sent), for WARC request records."""
    db["responses"].add_column("request_method", str)
    db["responses"].add_column("request_headers", str)


@migrations()
def add_media(db: Database) -> None:
    """Images and attachments kept in the archive, and which articles show them."""
    db["articles"].add_column("attachments", str)
    db["media"].create(
        {"sha256": str, "url": str, "content_type": str, "size": int, "body": bytes, "first_fetched_at": str,
         "last_fetched_at": str, "fetch_count": int, "first_run_id": int, "last_run_id": int},
        pk="sha256",
    )
    db["media_urls"].create(
        {"url": str, "sha256": str, "content_type": str, "first_fetched_at": str, "last_fetched_at": str, "last_run_id": int},
        pk="url", foreign_keys=[("sha256", "media", "sha256")],
    )
    db["media_urls"].create_index(["sha256"])
    db["article_media"].create(
        {"site_id": int, "url": str, "role": str, "label": str, "position": int, "off_site": int},
        pk=("site_id", "url"), foreign_keys=[("site_id", "articles", "site_id")],
    )
    db["article_media"].create_index(["url"])
    for site_id, images in db.execute("SELECT site_id, images FROM articles WHERE images NOT IN ('[]', '')").fetchall():
        refs = [(image["url"], "image", image.get("caption")) for image in json.loads(images or "[]")]
        db.conn.executemany(
            "INSERT OR IGNORE INTO article_media (site_id, url, role, label, position, off_site) VALUES (?, ?, ?, ?, ?, ?)",
            [(site_id, url, role, label, i, int(not site.on_site(url))) for i, (url, role, label) in enumerate(refs)],
        )
    db.execute("DROP VIEW pages")
    db.execute(
        """CREATE VIEW pages AS
           SELECT r.id, r.url, r.kind, r.status, r.content_type, r.last_fetched_at, r.size,
                  CASE WHEN r.compression = 'media' THEN NULL
                       ELSE chinasei_html(r.body, r.compression, d.data, r.content_type) END AS html
           FROM responses r LEFT JOIN compression_dicts d ON d.id = r.dict_id"""
    )


@migrations()
def add_redirects(db: Database) -> None:
    """Pages that answered with a move to another page of the site: the outcome of the URL asked
    for, whose target is archived under its own URL."""
    db["redirects"].create(
        {"url": str, "kind": str, "target": str, "status": int, "first_run_id": int, "last_run_id": int, "at": str},
        pk="url",
    )
    db["redirects"].create_index(["target"])


@migrations()
def add_page_assets(db: Database) -> None:
    """What each archived page uses to look as it did (its stylesheets and layout images), which
    ``article_media`` also lists, beside its images and attachments."""
    db["articles"].add_column("assets", str)


@migrations()
def add_watches(db: Database) -> None:
    """Saved searches (:mod:`archive.watches`), and which of their matches a reader has seen."""
    db["watches"].create({"name": str, "query": str, "category": str, "created_at": str}, pk="name", not_null={"query"})
    db["watch_seen"].create({"name": str, "site_id": int, "seen_at": str}, pk=("name", "site_id"),
                            foreign_keys=[("name", "watches", "name")])


@migrations()
def index_without_a_copy_of_the_text(db: Database) -> None:
    """The search index's copy of every article's text (``search_docs``) gives way to a copy of
    the text of changed articles only (``search_stale``), made by the triggers: the index holds an
    article's own text as long as the article is clean. A new archive has the current triggers
    already; an older one keeps what its dirty articles' entries in the index hold."""
    if "search_docs" not in db.table_names():
        return
    for name in ("articles_search_insert", "articles_search_update", "articles_search_delete"):
        db.execute(f"DROP TRIGGER IF EXISTS {name}")  # the earlier design's, which only marked
    SearchIndex(db).create()  # search_stale and the current triggers
    db.execute("INSERT OR IGNORE INTO search_stale (site_id, title, body) "
               "SELECT site_id, title, body FROM search_docs WHERE site_id IN (SELECT site_id FROM search_dirty)")
    db.execute("DROP TABLE search_docs")


@migrations()
def merge_index_segments_by_eight(db: Database) -> None:
    """The search index merges its segments eight at a time, not four; since
    :func:`merge_index_segments_by_sixteen`, the current setting (:meth:`SearchIndex.tune`)."""
    SearchIndex(db).tune()


@migrations()
def merge_index_segments_by_sixteen(db: Database) -> None:
    """The search index merges its segments sixteen at a time (:meth:`SearchIndex.tune`)."""
    SearchIndex(db).tune()


def apply(db: Database) -> None:
    """Bring an archive, new or old, to the current schema."""
    migrations.apply(db)


# --- what an archive should hold, checked and repaired ----------------------------------------------
#
# Migrations record what they applied, not what the file still holds: an archive whose index,
# trigger, column or search table was dropped by hand says "up to date" and then fails in a
# command. So the file is compared with a freshly migrated archive, object by object.


@dataclass(frozen=True)
class Missing:
    """One thing an archive lacks: its kind (table, index, trigger, view, column), name and the
    table it belongs to (for a column)."""

    kind: str
    name: str
    table: str = ""

    def __str__(self) -> str:
        return f"column {self.table}.{self.name}" if self.kind == "column" else f"{self.kind} {self.name}"


@lru_cache(maxsize=1)
def _reference() -> tuple[dict[str, tuple[str, str | None]], dict[str, list[tuple]]]:
    """A new archive's objects (name: (type, SQL)) and columns (table: PRAGMA table_xinfo rows)."""
    db = database(sqlite3.connect(":memory:"))
    apply(db)
    objects = _objects(db)
    columns = {name: _columns(db, name) for name, (kind, sql) in objects.items()
               if kind == "table" and not (sql or "").upper().startswith("CREATE VIRTUAL")}
    db.close()
    return objects, columns


def _objects(db: Database) -> dict[str, tuple[str, str | None]]:
    rows = db.execute("SELECT name, type, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchall()
    return {name: (kind, sql) for name, kind, sql in rows}


def _columns(db: Database, table: str) -> list[tuple]:
    return db.execute(f"PRAGMA table_xinfo([{table}])").fetchall()


def missing(db: Database) -> list[Missing]:
    """What the archive lacks of a current one's tables, columns, indexes, triggers and views."""
    reference, reference_columns = _reference()
    present = _objects(db)
    found = [Missing(kind, name) for name, (kind, _) in reference.items() if name not in present and not _is_shadow(name)]
    if any(_is_shadow(name) and name not in present for name in reference) and INDEX in present:
        found.append(Missing("table", INDEX))  # its own tables damaged: the search table is lost
    for table, columns in reference_columns.items():
        if table in present and not _is_shadow(table):
            have = {row[1] for row in _columns(db, table)}
            found += [Missing("column", row[1], table) for row in columns if row[1] not in have]
    return found


def _is_shadow(table: str) -> bool:
    """FTS5's own tables (``article_search_data`` …): made and checked with their search table."""
    return table.startswith(f"{INDEX}_")


def _column_definition(table_sql: str, name: str) -> str | None:
    """A column's definition in a ``CREATE TABLE`` statement (its type, default, generated
    expression …), split at the commas outside parentheses."""
    body = table_sql[table_sql.index("(") + 1 : table_sql.rindex(")")]
    parts, depth, start = [], 0, 0
    for i, char in enumerate(body):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    parts.append(body[start:])
    for part in (p.strip() for p in parts):
        first = part.split(None, 1)[0] if part else ""
        if first.strip('[]"`') == name:
            return part
    return None


def _drop_search_table(db: Database) -> None:
    """Drop the search table, even one whose own tables were lost (FTS5 cannot open it to drop it:
    its entry and what is left of its tables go by hand)."""
    try:
        db.execute(f"DROP TABLE {INDEX}")
    except sqlite3.DatabaseError:
        version = db.execute("PRAGMA schema_version").fetchone()[0]
        db.execute("PRAGMA writable_schema = ON")
        db.execute("DELETE FROM sqlite_master WHERE name = ?", [INDEX])
        db.execute(f"PRAGMA schema_version = {version + 1}")  # so every connection reads the schema again
        db.execute("PRAGMA writable_schema = OFF")
        for shadow in [name for name in _objects(db) if _is_shadow(name)]:
            db.execute(f"DROP TABLE [{shadow}]")


def repair(db: Database) -> tuple[list[Missing], list[Missing]]:
    """Restore what the archive lacks, from a current archive's definitions; returns what was
    repaired and what cannot be (a stored generated column, which SQLite cannot add back). A
    missing search table or trigger is made again and the search index rebuilt from the articles."""
    lacking = missing(db)
    if not lacking:
        return [], []
    reference, _ = _reference()
    repaired, beyond = [], []
    search_lost = any(m.name.startswith((INDEX, "articles_search_", "search_")) for m in lacking)
    with db.atomic():
        for item in sorted(lacking, key=lambda m: ("table", "column", "index", "view", "trigger").index(m.kind)):
            if item.kind == "column":
                definition = _column_definition(reference[item.table][1] or "", item.name)
                if definition is None or re.search(r"\bSTORED\b", definition, re.IGNORECASE):
                    beyond.append(item)  # SQLite adds no stored generated column to a table
                    continue
                db.execute(f"ALTER TABLE [{item.table}] ADD COLUMN {definition}")
            else:
                if item.name == INDEX and INDEX in _objects(db):
                    _drop_search_table(db)  # whatever is left of it goes: it is rebuilt from the articles
                db.execute(reference[item.name][1])
            repaired.append(item)
    if search_lost:
        SearchIndex(db).rebuild()
    return repaired, beyond
