"""Reading and writing the archive: the one place that knows the tables.

Writes are idempotent so a crawl can run again over the same archive: an article already
archived with the same content is left untouched; one whose content changed is updated; a raw
response already held (same URL, status and bytes) only has its last-fetched time moved on.
The file is in WAL mode so Datasette or the ``sqlite-utils`` CLI can read it during a crawl.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from sqlite_utils.db import NotFoundError

from archive import compression, schema
from archive.runs import RunStatus
from archive.search import SearchIndex
from crawler.parsing import site
from crawler.parsing.items import (
    ASSET_ROLES,
    CONTENT_FIELDS,
    JSON_FIELDS,
    LATER_FIELDS,
    STYLESHEET,
    Article,
    ListingPage,
    PageFailure,
    PendingMedia,
    Settled,
)


def now() -> str:
    """The current time, UTC, ISO 8601 to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def content_hash(record: Mapping[str, Any]) -> str:
    """A stable hash of an article's content fields."""
    content = {name: record.get(name) for name in CONTENT_FIELDS if name not in LATER_FIELDS or record.get(name)}
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def article_record(article: Article) -> dict[str, Any]:
    """The archive row for an article (without run and time bookkeeping)."""
    record = article.to_dict()
    record["fallbacks"] = article.fallbacks
    record["content_hash"] = content_hash(record)
    return record


#: Where the write connection keeps its temporary files: in memory. Each write runs in a savepoint
#: (so a failed one leaves its batch as it was), and inside a batch SQLite copies every page a
#: savepoint changes to a statement journal first; past 64 KiB that journal is a temporary file,
#: so each page stored cost two more system calls and a copy. A journal holds only the pages of
#: its outermost savepoint, and is emptied when that savepoint ends, so memory stays small as
#: long as no savepoint spans the batch: the search index is written at commit without one (a
#: savepoint there would hold every index page the batch writes in memory). The schema's
#: migrations run before this is set, so building an index over a large archive still sorts
#: through files.
TEMP_STORE = "MEMORY"

#: In how many runs each medium failed: the next run fetches one again below ``ARCHIVE_MEDIA_GIVE_UP_AFTER``.
_MEDIA_FAILED_RUNS = "SELECT url, COUNT(DISTINCT run_id) AS runs FROM failures WHERE kind = 'media' GROUP BY url"


def first_row(db: Database, sql: str, params: list[Any]) -> dict[str, Any] | None:
    """The first row a query gives, by column name, or None."""
    cursor = db.conn.execute(sql, params)
    row = cursor.fetchone()
    return dict(zip((d[0] for d in cursor.description), row, strict=True)) if row is not None else None


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _sql_value(value: Any) -> Any:
    """A value as sqlite-utils would store it: lists and dicts as JSON."""
    return json.dumps(value, default=repr, ensure_ascii=False) if isinstance(value, (dict, list, tuple)) else value


@dataclass(frozen=True)
class Saved:
    """What storing an article did: ``new``, ``updated`` or ``unchanged``, and the fields that changed."""

    outcome: str
    changed: tuple[str, ...] = ()


class NotAnArchive(Exception):
    """A file that cannot be read as an archive, and why, in words for the user."""


class OutdatedArchive(NotAnArchive):
    """An archive written by an older chinasei: opening it for writing brings it up to date."""


def _file_identity(path: Path) -> tuple[int, int]:
    """The file a path names now: its device and inode."""
    stat = os.stat(path)
    return stat.st_dev, stat.st_ino


def moved_since(path: str | Path, identity: tuple[int, int] | None) -> str | None:
    """Why ``path`` no longer names the file that had ``identity`` (device, inode), or None."""
    try:
        now = _file_identity(Path(path))
    except FileNotFoundError:
        return f"{path} was deleted while it was being written"
    if identity is not None and now != identity:
        return f"{path} was replaced by another file while it was being written"
    return None


def _foreign_tables(db: Database) -> list[str]:
    """The tables of a database that is not an archive (none for an archive, or an empty file):
    one that chinasei's migrations have not touched and that lacks the archive's own tables."""
    tables = db.table_names()
    if not tables or "_sqlite_migrations" in tables or {"articles", "runs", "responses"} <= set(tables):
        return []
    return sorted(tables)


class Archive:
    """An archive file, opened and brought to the current schema."""

    def __init__(self, path: str | Path, busy_timeout: float = 60.0, *, _read_only_db: Database | None = None):
        """Open (and bring to the current schema) the archive at ``path``. A write lock held by
        another program is waited for up to ``busy_timeout`` seconds before a write gives up."""
        self.path = Path(path)
        #: The file (device, inode) opened for writing; None when read only.
        self.identity: tuple[int, int] | None = None
        if _read_only_db is not None:
            self.db = _read_only_db
        else:
            self.db = schema.database(self.path)
            self.db.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
            foreign = _foreign_tables(self.db)
            if foreign:
                self.db.close()
                raise NotAnArchive(f"{self.path} is another program's database (it has {', '.join(foreign[:5])}"
                                   f"{' …' if len(foreign) > 5 else ''} and no chinasei tables): not writing into it")
            self.identity = _file_identity(self.path)
            self.db.enable_wal()
            self.db.execute("PRAGMA synchronous=NORMAL")
            schema.apply(self.db)
            self.db.execute(f"PRAGMA temp_store={TEMP_STORE}")
        self.search_index = SearchIndex(self.db)
        #: What opening for writing restored of what the archive should hold (an index dropped by hand …).
        self.repaired: list[schema.Missing] = []
        if _read_only_db is None:
            self._repair()
        self._dictionaries: dict[int, bytes] = {}
        self._dictionary_id = self.db.execute("SELECT MAX(id) FROM compression_dicts").fetchone()[0]
        self._listing_sample: bytes | None = None
        self._unindexed: list[int] | None = None  # a list while a batch is open

    def _repair(self) -> None:
        """Restore what a current archive holds and this one lacks, or say in one line what cannot be."""
        self.repaired, beyond = schema.repair(self.db)
        if beyond:
            self.db.close()
            raise NotAnArchive(f"{self.path} lacks {', '.join(map(str, beyond))}, which cannot be restored: "
                               "copy its data into a new archive (see the docs' tables page)")

    @classmethod
    def read_only(cls, path: str | Path) -> Archive:
        """Open an existing archive for reading only: nothing is created, migrated or written, so a
        command that only reads (stats, search, failures, export) cannot turn an empty file into an
        archive or add tables to another program's database. Raises :class:`NotAnArchive`."""
        path = Path(path)
        if not path.is_file():
            raise NotAnArchive(f"no archive at {path}")
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            db = schema.database(conn)
            tables = set(db.table_names())
            pending = schema.migrations.pending(db) if {"articles", "runs", "responses"} <= tables else None
        except sqlite3.DatabaseError as error:
            raise NotAnArchive(f"{path} is not a readable SQLite archive ({error})") from None
        if pending is None:
            conn.close()
            raise NotAnArchive(f"{path} is not a chinasei archive (it has no articles, runs and responses tables)")
        if pending:
            conn.close()
            raise OutdatedArchive(f"{path} was written by an older chinasei: `chinasei migrate --db {path}` brings it up to date")
        try:
            lacking = schema.missing(db)
        except sqlite3.DatabaseError as error:
            conn.close()
            raise NotAnArchive(f"{path} is not a readable SQLite archive ({error})") from None
        if lacking:
            conn.close()
            named = ", ".join(map(str, lacking[:4])) + (f" and {len(lacking) - 4} more" if len(lacking) > 4 else "")
            raise OutdatedArchive(f"{path} lacks {named}: `chinasei migrate --db {path}` repairs it")
        return cls(path, _read_only_db=db)

    def moved_away(self) -> str | None:
        """Why the archive's path no longer names the file this connection writes (deleted, or
        replaced by another file), or None: writes committed now would go where nothing finds them."""
        return moved_since(self.path, self.identity)

    def close(self) -> None:
        """Close the file, committing a batch still open."""
        self.commit()
        self.db.close()

    # --- rows on the hot path ---------------------------------------------------------------------

    def _insert(self, table: str, record: Mapping[str, Any], ignore: bool = False) -> None:
        """Insert one row with plain SQL, stored exactly as ``db[table].insert(record)`` would.

        sqlite-utils reads the table's schema again on every insert, which costs more than the row;
        a crawl inserts a few rows a page, so its hot path writes them itself. The tables are still
        made and migrated by sqlite-utils (:mod:`archive.schema`).
        """
        columns = ", ".join(f"[{name}]" for name in record)
        marks = ", ".join("?" for _ in record)
        verb = "INSERT OR IGNORE" if ignore else "INSERT"
        self.db.conn.execute(f"{verb} INTO [{table}] ({columns}) VALUES ({marks})", [_sql_value(v) for v in record.values()])

    def _row(self, sql: str, params: list[Any]) -> dict[str, Any] | None:
        return first_row(self.db, sql, params)

    # --- batches ---------------------------------------------------------------------------------

    def begin_batch(self) -> None:
        """Hold the writes that follow in one transaction until :meth:`commit`.

        A crawl writes a few rows for every page; committing each write on its own costs more
        than the writes (every commit appends the changed pages, FTS index pages included, to the
        WAL). Each method still runs as a unit inside the batch (a savepoint), so a write that fails
        leaves the batch as it was; readers see a batch whole, at its commit.

        Articles stored in a batch are indexed for search at its commit, all at once: FTS5 writes
        its pending terms out at every savepoint's end, so indexing each article in its own unit
        would write the index a page at a time. Search stays exact meanwhile (the articles are
        marked in ``search_dirty``, which search reads directly).

        The batch takes the write lock as it begins (``BEGIN IMMEDIATE``, waiting out another
        program's lock up to the busy timeout): a deferred transaction that has read cannot wait
        for a lock to upgrade, so its writes would fail at once with "database is locked".
        """
        if not self.db.conn.in_transaction:
            self.db.execute("BEGIN IMMEDIATE")
        self._unindexed = []

    def commit(self) -> None:
        """Index the batch's articles and commit it, if one is open."""
        if self._unindexed:
            self.search_index.index_in_transaction(self._unindexed)  # the batch's commit makes it whole
        self._unindexed = None
        if self.db.conn.in_transaction:
            self.db.conn.commit()

    def rollback(self) -> None:
        """Give up the open batch, if any (its commit failed)."""
        self._unindexed = None
        if self.db.conn.in_transaction:
            self.db.conn.rollback()

    # --- runs ------------------------------------------------------------------------------------

    def start_run(self, base_url: str, kind: str = "crawl") -> int:
        """Record that a crawl (or a re-parse) has started; returns its id. Runs of its kind still
        marked running died without a word (kill -9, a reboot, a lock that outlasted them): they are
        marked ``unfinished``, since only one crawl runs over an archive at a time."""
        with self.db.atomic():
            self.db.execute("UPDATE runs SET status = ? WHERE status = ? AND kind = ?",
                            [RunStatus.UNFINISHED.value, RunStatus.RUNNING.value, kind])
            table = self.db["runs"].insert({"started_at": now(), "base_url": base_url, "status": RunStatus.RUNNING.value,
                                            "kind": kind})
        return int(table.last_pk)

    def finish_run(self, run_id: int, status: RunStatus, counts: Mapping[str, int], stats: Mapping[str, Any]) -> None:
        """Record a crawl's end, its counts and Scrapy's stats."""
        with self.db.atomic():
            self.db["runs"].update(
                run_id,
                {"finished_at": now(), "status": RunStatus(status).value, **counts, "stats": _json(stats)},
            )

    def run(self, run_id: int) -> dict[str, Any]:
        """One run's row."""
        return self.db["runs"].get(run_id)

    # --- raw responses ---------------------------------------------------------------------------

    def record_response(
        self,
        run_id: int,
        url: str,
        fetched_url: str,
        status: int,
        headers: Mapping[str, list[str]],
        body: bytes,
        kind: str,
        request: tuple[str, Mapping[str, list[str]]] | None = None,
    ) -> str:
        """Keep a response as received, and the request that asked for it (method and headers as
        sent, for the WARC request record). Returns its id, a hash of (url, status, body)."""
        digest = hashlib.sha256(f"{url}\n{status}\n".encode() + body).hexdigest()[:32]
        at = now()
        content_type = next(iter(headers.get("Content-Type", [])), None)
        with self.db.atomic():
            existing = self.db.execute(
                "UPDATE responses SET last_fetched_at = ?, fetch_count = fetch_count + 1, last_run_id = ? WHERE id = ?",
                [at, run_id, digest],
            )
            if existing.rowcount == 0:
                if kind == "media" and status == 200:
                    stored, method, dictionary_id = self._keep_medium(run_id, url, content_type, body, at), "media", None
                else:
                    dictionary_id = self._dictionary_for(kind, status, body)
                    stored, method = compression.compress(body, self._dictionary(dictionary_id))
                self._insert(
                    "responses",
                    {
                        "id": digest, "url": url, "fetched_url": fetched_url, "kind": kind, "status": status,
                        "headers": _json(dict(headers)), "content_type": content_type, "body": stored,
                        "size": len(body), "first_fetched_at": at, "last_fetched_at": at, "fetch_count": 1,
                        "first_run_id": run_id, "last_run_id": run_id, "compression": method,
                        "dict_id": dictionary_id, "stored_size": len(stored),
                        "request_method": request[0] if request else None,
                        "request_headers": _json(dict(request[1])) if request else None,
                    }
                )
            elif kind == "media" and status == 200:
                self._keep_medium(run_id, url, content_type, body, at)
        return digest

    def _keep_medium(self, run_id: int, url: str, content_type: str | None, body: bytes, at: str) -> bytes:
        """Keep an image or attachment once per content, and note which content ``url`` gave;
        returns the reference its response row holds instead of the bytes (the hex SHA-256)."""
        sha = hashlib.sha256(body).hexdigest()
        self.db.conn.execute(
            """INSERT INTO media (sha256, url, content_type, size, body, first_fetched_at, last_fetched_at, fetch_count,
                                  first_run_id, last_run_id) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
               ON CONFLICT (sha256) DO UPDATE SET last_fetched_at = excluded.last_fetched_at,
                 fetch_count = fetch_count + 1, last_run_id = excluded.last_run_id""",
            [sha, url, content_type, len(body), body, at, at, run_id, run_id],
        )
        self.db.conn.execute(
            """INSERT INTO media_urls (url, sha256, content_type, first_fetched_at, last_fetched_at, last_run_id)
               VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (url) DO UPDATE SET sha256 = excluded.sha256, content_type = excluded.content_type,
                 last_fetched_at = excluded.last_fetched_at, last_run_id = excluded.last_run_id""",
            [url, sha, content_type, at, at, run_id],
        )
        return sha.encode()

    def _dictionary_for(self, kind: str, status: int, body: bytes) -> int | None:
        """The compression dictionary for a new response; the first is made, from a listing and an
        article of the site, as soon as the archive has received both."""
        if self._dictionary_id is None and status == 200:
            if kind == "listing":
                self._listing_sample = body
            elif kind == "article" and self._listing_sample:
                data = compression.make_dictionary([self._listing_sample, body])
                table = self.db["compression_dicts"].insert({"data": data, "created_at": now(), "samples": "listing, article"})
                self._dictionary_id = int(table.last_pk)
                self._recompress_with(self._dictionary_id)
        return self._dictionary_id

    def _recompress_with(self, dictionary_id: int) -> None:
        """Compress again, with the new dictionary, the pages received before it was made: how many
        those are depends on the order responses arrived in, which the ratio should not."""
        dictionary = self._dictionary(dictionary_id)
        # a medium's row holds a reference to its media row, not bytes to compress
        rows = self.db.execute(
            "SELECT id, body, compression FROM responses WHERE dict_id IS NULL AND compression IS NOT 'media'").fetchall()
        for response_id, stored, method in rows:
            body = compression.decompress(stored, method)
            packed, packed_method = compression.compress(body, dictionary)
            self.db.execute("UPDATE responses SET body = ?, compression = ?, dict_id = ?, stored_size = ? WHERE id = ?",
                            [packed, packed_method, dictionary_id, len(packed), response_id])

    def _dictionary(self, dictionary_id: int | None) -> bytes | None:
        if dictionary_id is None:
            return None
        if dictionary_id not in self._dictionaries:
            row = self.db.execute("SELECT data FROM compression_dicts WHERE id = ?", [dictionary_id]).fetchone()
            self._dictionaries[dictionary_id] = row[0] if row else b""
        return self._dictionaries[dictionary_id]

    def raw_body(self, row: Mapping[str, Any]) -> bytes:
        """A stored response's body as it was received (a medium's, from the ``media`` table)."""
        if row.get("compression") == "media":
            stored = self.medium(row["body"].decode())
            if stored is None:  # a response pointing at a medium the file lost
                raise NotFoundError(f"no medium {row['body'].decode()} for the response of {row['url']}")
            return stored["body"]
        return compression.decompress(row["body"], row.get("compression"), self._dictionary(row.get("dict_id")))

    def _as_received(self, row: dict[str, Any]) -> dict[str, Any]:
        return {**row, "body": self.raw_body(row)}

    def latest_article_responses(self) -> Iterable[dict[str, Any]]:
        """For each article URL, the last good response received, one at a time (bodies are large)."""
        sql = """
            SELECT * FROM (
              SELECT *, row_number() OVER (
                PARTITION BY url ORDER BY last_fetched_at DESC, first_fetched_at DESC, rowid DESC) AS nth
              FROM responses WHERE kind = 'article' AND status = 200)
            WHERE nth = 1 ORDER BY url"""
        for row in self.db.query(sql):
            yield self._as_received(row)

    def latest_response(self, url: str) -> dict[str, Any] | None:
        """The most recently fetched response for a URL."""
        rows = list(self.db["responses"].rows_where("url = ?", [url], order_by="last_fetched_at desc", limit=1))
        return self._as_received(rows[0]) if rows else None

    def responses(self, where: str = "1", params: list | None = None) -> Iterable[dict[str, Any]]:
        """Stored responses, oldest first, bodies as received."""
        for row in self.db["responses"].rows_where(where, params or [], order_by="first_fetched_at, rowid"):
            yield self._as_received(row)

    # --- articles --------------------------------------------------------------------------------

    def save_article(self, run_id: int, article: Article, reason: str = "crawl") -> Saved:
        """Store an article. A changed article keeps its earlier content as a version."""
        record = article_record(article)
        at = now()
        with self.db.atomic():
            found = self._row("SELECT * FROM articles WHERE site_id = ?", [article.site_id])
            old = decode_row(found) if found is not None else None
            # The stored hash is not trusted: another tool may have edited the row and not the hash.
            if old is not None and content_hash(old) == record["content_hash"]:
                if old.get("assets") != record["assets"]:  # the page's look, not its content: no new version
                    self.db["articles"].update(article.site_id, {"assets": record["assets"]})
                    self._link_media(article)
                return Saved("unchanged")
            record.update(last_run_id=run_id, updated_at=at, fetched_at=article.fetched_at or at)
            if old is None:
                record.update(first_seen_at=at, first_run_id=run_id, version=1)
                self._insert("articles", record)
                saved = Saved("new")
            else:
                changed = tuple(name for name in CONTENT_FIELDS if old.get(name) != record[name])
                self._keep_version(old, changed, run_id, reason, at)
                record["version"] = (old.get("version") or 1) + 1
                self.db["articles"].update(article.site_id, record)
                saved = Saved("updated", changed)
            self._link_media(article)
            if self._unindexed is None:
                self.search_index.refresh([article.site_id])
            else:
                self._unindexed.append(article.site_id)
        return saved

    def _link_media(self, article: Article) -> None:
        """Record which images and attachments the article shows, in page order (as it now stands)."""
        labels = {i.url: i.caption for i in article.images} | {a.url: a.name for a in article.attachments}
        self.db.conn.execute("DELETE FROM article_media WHERE site_id = ?", [article.site_id])
        self.db.conn.executemany(
            "INSERT INTO article_media (site_id, url, role, label, position, off_site) VALUES (?, ?, ?, ?, ?, ?)",
            [(article.site_id, url, role, labels.get(url), i, int(not site.on_site(url)))
             for i, (url, role) in enumerate(article.media_urls())],
        )

    def _keep_version(self, old: dict[str, Any], changed: tuple[str, ...], run_id: int, reason: str, at: str) -> None:
        self.db["article_versions"].insert(
            {
                "site_id": old["site_id"], "version": old.get("version") or 1,
                "content": _json({name: old.get(name) for name in CONTENT_FIELDS}), "changed_fields": _json(changed),
                "valid_from": old.get("updated_at"), "valid_to": at, "run_id": run_id, "reason": reason,
            }
        )

    def versions(self, site_id: int) -> list[dict[str, Any]]:
        """An article's earlier versions, oldest first, content decoded."""
        rows = self.db["article_versions"].rows_where("site_id = ?", [site_id], order_by="version")
        return [{**row, "content": json.loads(row["content"]), "changed_fields": json.loads(row["changed_fields"])} for row in rows]

    def article(self, site_id: int) -> dict[str, Any]:
        """One article's row, list fields decoded."""
        row = self.db["articles"].get(site_id)
        return decode_row(row)

    def articles(self) -> Iterable[dict[str, Any]]:
        """Every article, newest first, list fields decoded."""
        for row in self.db["articles"].rows_where(order_by="published_at desc, site_id desc"):
            yield decode_row(row)

    def known_articles(self) -> dict[int, tuple[str | None, str | None]]:
        """Every article id the archive knows — archived, or answered 404 — with its publication
        time and when it was last fetched (200 or 304)."""
        checked = dict(self.db.execute(
            "SELECT url, MAX(last_fetched_at) FROM responses WHERE kind = 'article' AND status IN (200, 304, 404) GROUP BY url"
        ).fetchall())
        known = {
            site_id: (published, checked.get(url))
            for site_id, url, published in self.db.execute("SELECT site_id, url, published_at FROM articles").fetchall()
        }
        for site_id, url in self._gone_articles():
            known.setdefault(site_id, (None, checked.get(url)))
        for site_id, at in self._moved_articles():
            known.setdefault(site_id, (None, at))
        return known

    def known_article_ids(self) -> set[int]:
        """The ids alone of :meth:`known_articles`: what a crawl has an outcome for already."""
        ids = {site_id for (site_id,) in self.db.execute("SELECT site_id FROM articles").fetchall()}
        moved = {site_id for site_id, _ in self._moved_articles()}
        return ids | moved | {site_id for site_id, _ in self._gone_articles()}

    def _moved_articles(self) -> list[tuple[int, str]]:
        """(site id, when) of the articles that moved to another article's URL."""
        rows = self.db.execute("SELECT url, at FROM redirects WHERE kind = 'article'").fetchall()
        return [(site_id, at) for url, at in rows if (site_id := site.site_id(url)) is not None]

    def _gone_articles(self) -> list[tuple[int, str]]:
        """(site id, URL) of the articles that answered 404."""
        urls = self.db.execute("SELECT DISTINCT url FROM responses WHERE kind = 'article' AND status = 404").fetchall()
        return [(site_id, url) for (url,) in urls if (site_id := site.site_id(url)) is not None]

    def failed_article_urls(self, give_up_after: int = 5) -> list[str]:
        """Articles that failed in some run (not with 404) and are not archived: the next crawl
        retries them directly, wherever they now stand in their listings — until they have failed
        in ``give_up_after`` runs."""
        return [row[0] for row in self.db.execute(
            """SELECT url FROM failures
               WHERE kind = 'article' AND COALESCE(status, 0) != 404 AND url NOT IN (SELECT url FROM articles)
               GROUP BY url HAVING COUNT(DISTINCT run_id) < ? ORDER BY url""", [give_up_after]).fetchall()]

    def failed_listing_urls(self, give_up_after: int = 5) -> list[str]:
        """Listing pages that failed in some run and have not been read since: the next crawl
        retries them, since the articles they list may be nowhere else — until they have failed in
        ``give_up_after`` runs."""
        return [row[0] for row in self.db.execute(
            """WITH failed AS (SELECT url, MAX(run_id) AS last_run, COUNT(DISTINCT run_id) AS runs
                               FROM failures WHERE kind = 'listing' GROUP BY url)
               SELECT url FROM failed WHERE runs < ? AND NOT EXISTS (
                 SELECT 1 FROM responses r WHERE r.url = failed.url AND r.kind = 'listing' AND r.status = 200
                   AND r.last_run_id > failed.last_run)
               ORDER BY url""", [give_up_after]).fetchall()]

    def conditional_headers(self, url: str) -> dict[str, str]:
        """``If-None-Match`` / ``If-Modified-Since`` from the last good response for ``url``."""
        rows = list(self.db["responses"].rows_where("url = ? AND status = 200", [url], order_by="last_fetched_at desc", limit=1))
        if not rows:
            return {}
        headers = {k.lower(): v for k, v in json.loads(rows[0]["headers"]).items()}
        conditional = {}
        if headers.get("etag"):
            conditional["If-None-Match"] = headers["etag"][0]
        if headers.get("last-modified"):
            conditional["If-Modified-Since"] = headers["last-modified"][0]
        return conditional

    def walked_channels(self) -> set[str]:
        """The channels some crawl has read to their last page."""
        return {row[0] for row in self.db.execute("SELECT url FROM channels WHERE walked_run_id IS NOT NULL").fetchall()}

    def channel_names(self, run_id: int) -> set[str]:
        """The names of the channels this run stored a listing page of."""
        rows = self.db.execute("SELECT name FROM channels WHERE last_run_id = ? AND name IS NOT NULL", [run_id]).fetchall()
        return {name for (name,) in rows}

    def mark_walked(self, run_id: int, folder_url: str) -> None:
        """Record that this run read the channel's listing to its last page."""
        with self.db.atomic():
            self.db.execute("UPDATE channels SET walked_run_id = ? WHERE url = ?", [run_id, folder_url])

    def emptied_channels(self, run_id: int) -> list[tuple[str, str]]:
        """(URL, name) of the channels whose listing run ``run_id`` read, that listed articles in an
        earlier run and list none now."""
        return self.db.execute(
            """SELECT c.url, c.name FROM channels c
               WHERE c.last_run_id = ? AND EXISTS (SELECT 1 FROM channel_articles a WHERE a.channel_url = c.url)
                 AND NOT EXISTS (SELECT 1 FROM channel_articles a WHERE a.channel_url = c.url AND a.last_run_id = ?)
               ORDER BY c.url""", [run_id, run_id]).fetchall()

    def recent_runs(self, before: int, count: int = 5) -> list[dict[str, Any]]:
        """The last ``count`` finished crawl runs before run ``before``, newest first."""
        return list(self.db["runs"].rows_where(
            "id < ? AND kind = 'crawl' AND status = ?", [before, RunStatus.FINISHED.value], order_by="id desc", limit=count))

    # --- media -----------------------------------------------------------------------------------

    def medium(self, sha256: str) -> dict[str, Any] | None:
        """One stored medium, bytes included, by its SHA-256, or None when the archive holds no such content."""
        return self._row("SELECT * FROM media WHERE sha256 = ?", [sha256])

    def fetched_medium(self, url: str) -> dict[str, Any] | None:
        """What ``url`` last gave (its ``media_urls`` row: SHA-256, content type, fetch times), or None."""
        return self._row("SELECT * FROM media_urls WHERE url = ?", [url])

    def pending_media(self, off_site: bool = False, give_up_after: int = 5, layout: bool = True) -> list[PendingMedia]:
        """Images and attachments of archived articles that no run has fetched: never tried (the run
        stopped first, or reached its byte cap), or failed in fewer than ``give_up_after`` runs. Off-site
        ones only when ``off_site``. With ``layout``, the stylesheets and layout images of their pages
        too, and what the archived stylesheets name."""
        roles = "" if layout else f"AND am.role NOT IN ({', '.join(repr(role) for role in sorted(ASSET_ROLES))})"
        rows = self.db.execute(
            f"""WITH failed AS ({_MEDIA_FAILED_RUNS})
               SELECT am.site_id, a.url, am.url, am.role FROM article_media am
               JOIN articles a ON a.site_id = am.site_id
               LEFT JOIN failed f ON f.url = am.url
               WHERE am.url NOT IN (SELECT url FROM media_urls) AND (? OR am.off_site = 0)
                 AND COALESCE(f.runs, 0) < ? {roles}
               ORDER BY am.site_id, am.position""", [int(off_site), give_up_after]).fetchall()
        if layout:
            rows += self._pending_in_stylesheets(off_site, give_up_after)
        pending: dict[int, PendingMedia] = {}
        for site_id, article_url, url, role in rows:
            pending.setdefault(site_id, PendingMedia(site_id, article_url, [])).media.append((url, role))
        return list(pending.values())

    def _pending_in_stylesheets(self, off_site: bool, give_up_after: int) -> list[tuple[int, str, str, str]]:
        """(site id, article URL, URL, role) of what archived stylesheets name and no run has fetched,
        each once, for the first article whose page uses the stylesheet (the site has a handful)."""
        from crawler.parsing import styles  # here: the writer process never reads a stylesheet, nor loads lxml

        queue = self.db.execute(
            """SELECT am.url, mu.sha256, MIN(am.site_id), a.url FROM article_media am
               JOIN media_urls mu ON mu.url = am.url JOIN articles a ON a.site_id = am.site_id
               WHERE am.role = ? GROUP BY am.url ORDER BY am.url""", [STYLESHEET]).fetchall()
        seen = {url for url, *_ in queue}
        failed_runs = dict(self.db.execute(_MEDIA_FAILED_RUNS).fetchall())
        found = []
        while queue:
            css_url, sha256, site_id, article_url = queue.pop(0)
            stored = self.medium(sha256)
            if stored is None:
                continue
            for url, role in styles.stored_stylesheet_refs(stored["body"], stored["content_type"], css_url):
                if url in seen:
                    continue
                seen.add(url)
                fetched = self.fetched_medium(url)
                if fetched is not None:
                    if role == STYLESHEET:
                        queue.append((url, fetched["sha256"], site_id, article_url))
                elif (off_site or site.on_site(url)) and failed_runs.get(url, 0) < give_up_after:
                    found.append((site_id, article_url, url, role))
        return found

    def media_stats(self) -> dict[str, int]:
        """Media held (distinct contents, their bytes, the URLs that gave them), media the articles
        refer to, those off the site, and the media failures recorded."""
        one = self._scalar
        return {
            "files": one("SELECT COUNT(*) FROM media"),
            "bytes": one("SELECT COALESCE(SUM(size), 0) FROM media"),
            "urls": one("SELECT COUNT(*) FROM media_urls"),
            "referred": one("SELECT COUNT(DISTINCT url) FROM article_media"),
            "off_site": one("SELECT COUNT(DISTINCT url) FROM article_media WHERE off_site = 1"),
            "missing": one("SELECT COUNT(DISTINCT url) FROM article_media WHERE off_site = 0 AND url NOT IN (SELECT url FROM media_urls)"),
            "failures": one("SELECT COUNT(DISTINCT url) FROM failures WHERE kind = 'media' AND url NOT IN (SELECT url FROM media_urls)"),
        }

    # --- failures and listings -------------------------------------------------------------------

    def record_failure(self, run_id: int, failure: PageFailure) -> None:
        """Note a page of this run that gave no article, and why (the first reason wins)."""
        with self.db.atomic():
            self._insert("failures", {"run_id": run_id, "at": now(), **asdict(failure)}, ignore=True)

    def record_redirect(self, run_id: int, moved: Settled) -> None:
        """Note that a page asked for moved to another page of the site (``moved.to``)."""
        with self.db.atomic():
            self.db.execute(
                """INSERT INTO redirects (url, kind, target, status, first_run_id, last_run_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (url) DO UPDATE SET target = excluded.target, status = excluded.status,
                   last_run_id = excluded.last_run_id, at = excluded.at""",
                [moved.url, moved.kind, moved.to, moved.status, run_id, run_id, now()],
            )

    def failures(self, run_id: int) -> list[dict[str, Any]]:
        """A run's failures, in the order they happened."""
        return list(self.db["failures"].rows_where("run_id = ?", [run_id], order_by="at, url"))

    def save_listing(self, run_id: int, page: ListingPage) -> None:
        """Record a listing page: its channel, and the articles it shows (by site id)."""
        entries = [
            (page.folder_url, article_id, entry.title, entry.date, page.page_index, run_id, run_id)
            for entry in page.entries
            if entry.on_site and (article_id := site.site_id(entry.url)) is not None
        ]
        with self.db.atomic():
            self.db.execute(
                """INSERT INTO channels (url, name, page_count, last_run_id, first_run_id) VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (url) DO UPDATE SET name = excluded.name, page_count = excluded.page_count,
                     last_run_id = excluded.last_run_id, first_run_id = COALESCE(first_run_id, excluded.first_run_id)""",
                [page.folder_url, page.channel, page.page_count, run_id, run_id],
            )
            self.db.conn.executemany(
                """INSERT INTO channel_articles
                     (channel_url, site_id, listed_title, listed_date, page_index, last_run_id, first_run_id)
                   VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (channel_url, site_id) DO UPDATE SET listed_title = excluded.listed_title,
                     listed_date = excluded.listed_date, page_index = excluded.page_index,
                     last_run_id = excluded.last_run_id, first_run_id = COALESCE(first_run_id, excluded.first_run_id)""",
                entries,
            )

    # --- summaries -------------------------------------------------------------------------------

    def _scalar(self, sql: str) -> Any:
        """The one value a summary query gives."""
        return self.db.execute(sql).fetchone()[0]

    def categories(self) -> dict[str, int]:
        """Articles per category, largest first (``(none)`` for articles without one)."""
        return dict(self.db.execute(
            "SELECT COALESCE(category, '(none)'), COUNT(*) FROM articles GROUP BY 1 ORDER BY 2 DESC, 1"
        ).fetchall())

    def stats(self) -> dict[str, Any]:
        """What the archive holds: counts, categories, the time span, the last run."""
        db, one = self.db, self._scalar
        runs = list(db["runs"].rows_where(order_by="id desc", limit=1))
        # pages alone, in one pass over the responses: a medium's bytes are counted once, in "media"
        pages, raw, stored = db.execute(
            """SELECT COUNT(*), COALESCE(SUM(size), 0), COALESCE(SUM(length(body)), 0) FROM responses
               WHERE compression IS NOT 'media'""").fetchone()
        return {
            "articles": db["articles"].count,
            "responses": db["responses"].count,
            "page_responses": pages,
            "raw_bytes": raw,
            "stored_bytes": stored,
            "runs": db["runs"].count,
            "earliest": one("SELECT MIN(published_at) FROM articles"),
            "latest": one("SELECT MAX(published_at) FROM articles"),
            "by_category": self.categories(),
            "with_fallbacks": one("SELECT COUNT(*) FROM articles WHERE fallbacks != '[]'"),
            "media": self.media_stats(),
            "last_run": runs[0] if runs else None,
        }


def decode_row(row: dict[str, Any]) -> dict[str, Any]:
    """An article row with its JSON columns turned back into lists and dicts."""
    return {k: json.loads(v) if k in JSON_FIELDS and isinstance(v, str) else v for k, v in row.items()}
