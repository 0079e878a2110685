"""The Datasette plugin: exact Chinese search inside Datasette, safe snippets, and archived pages.

Installed with ``pip install 'chinasei[datasette]'`` (an entry point, so plain ``datasette
archive.db`` loads it too). It registers on every connection the SQL functions the canned
``search`` query uses (:mod:`archive.search`), and shows that query's snippets with their
highlighting. Everything else Datasette shows — ``body_html`` and raw responses included — stays
escaped text, never rendered HTML.

Its ``get_metadata`` and ``canned_queries`` hooks give every archive Datasette opens its titles,
descriptions, facets and the ``search`` query, so ``datasette archive.db`` alone shows what
``chinasei serve`` shows.

It also serves each archived article as a page (``/-/chinasei/<database>/article/<site_id>``: the
HTML as received, made safe by :mod:`archive.offline`, with a Content-Security-Policy that forbids
script and any request off this server) and the media the archive holds
(``/-/chinasei/<database>/media/<sha256>``), a stylesheet with every address in it pointed at the
archive's copy or removed. Each article row in Datasette links to its page.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from html import escape
from typing import Any, TypeVar
from urllib.parse import quote, unquote

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup
from sqlite_utils import Database

from archive import charts, offline, trends
from archive.datasette_metadata import SEARCH_QUERY, metadata
from archive.feeds import FEED_SIZE, atom_feed
from archive.search import INDEX, register_functions
from archive.store import now
from archive.trends import Series
from archive.watches import Watch, WatchError, Watches
from crawler.parsing import site, styles

_MARK = re.compile(r"</?mark>")
T = TypeVar("T")


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    register_functions(conn)


@hookimpl
def get_metadata(datasette: Any, key: str, database: str | None, table: str | None) -> dict[str, Any]:
    """Titles, descriptions and facets for every archive Datasette serves (``datasette archive.db``)."""
    return metadata([name for name, db in datasette.databases.items() if _is_archive(db)])


@hookimpl
def canned_queries(datasette: Any, database: str, actor: Any) -> dict[str, Any]:
    """The ``search`` query, on every archive."""
    db = datasette.databases.get(database)
    return {"search": SEARCH_QUERY} if db is not None and _is_archive(db) else {}


_ARCHIVE_TABLES = frozenset({"articles", "runs", "responses", INDEX})
_archives: dict[str, bool] = {}


def _is_archive(db: Any) -> bool:
    """Whether a database Datasette serves is a chinasei archive (by its tables), asked once per
    file: the hooks are called for every page and must not open the file each time."""
    path = getattr(db, "path", None)
    if not path or getattr(db, "is_memory", False):
        return False
    if path not in _archives:
        try:
            conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
            try:
                names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            finally:
                conn.close()
        except sqlite3.Error:
            names = set()
        _archives[path] = names >= _ARCHIVE_TABLES
    return _archives[path]


def safe_snippet(value: Any) -> Markup | None:
    """A snippet as HTML, only if it is escaped text with ``<mark>`` tags and nothing else."""
    if not isinstance(value, str):
        return None
    bare = _MARK.sub("", value)
    if "<" in bare or ">" in bare or '"' in bare:
        return None
    return Markup(value)


@hookimpl
def render_cell(value: Any, column: str, table: str | None, database: str, row: Any, datasette: Any) -> Markup | None:
    if column == "snippet":
        return safe_snippet(value)
    if table == "watches" and column == "query" and isinstance(value, str):  # its page and feed (the name is the row's link)
        page = datasette.urls.path(f"/-/chinasei/{quote(database)}/watch/{quote(str(row['name']), safe='')}")
        return Markup(f'{escape(value)} · <a href="{escape(page)}">matches and chart</a> · <a href="{escape(page)}.atom">feed</a>')
    if table == "articles" and column == "url" and isinstance(value, str):
        page = datasette.urls.path(f"/-/chinasei/{quote(database)}/article/{int(row['site_id'])}")
        return Markup(f'<a href="{escape(value)}">{escape(value)}</a> · <a href="{escape(page)}">archived page</a>')
    return None


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (r"^/-/chinasei/(?P<database>[^/]+)/article/(?P<site_id>\d+)$", article_page),
        (r"^/-/chinasei/(?P<database>[^/]+)/media/(?P<sha256>[0-9a-f]{64})$", medium),
        (r"^/-/chinasei/(?P<database>[^/]+)/watch/(?P<name>[^/]+)\.atom$", watch_feed),
        (r"^/-/chinasei/(?P<database>[^/]+)/watch/(?P<name>[^/]+)\.svg$", watch_chart),
        (r"^/-/chinasei/(?P<database>[^/]+)/watch/(?P<name>[^/]+)$", watch_page),
    ]


def _database(datasette: Any, request: Any) -> Any:
    name = request.url_vars["database"]
    if name not in datasette.databases or name.startswith("_"):
        return None
    return datasette.get_database(name)


async def article_page(datasette: Any, request: Any) -> Response:
    """An archived article as the page it was, from the archive alone."""
    db = _database(datasette, request)
    site_id = int(request.url_vars["site_id"])
    found = await db.execute("SELECT url, title, body_html, fetched_at FROM articles WHERE site_id = ?", [site_id]) if db else None
    if not found or not found.rows:
        return Response.text("No such article in this archive", status=404)
    url, title, body_html, fetched_at = found.first()
    name = request.url_vars["database"]
    prefix = datasette.urls.path(f"/-/chinasei/{quote(name)}")
    media = {row["url"]: f"{prefix}/media/{row['sha256']}" for row in await db.execute(
        """SELECT am.url, mu.sha256 FROM article_media am JOIN media_urls mu ON mu.url = am.url WHERE am.site_id = ?""",
        [site_id])}
    page = await _page_as_received(db, url) or f"<html><head><title>{escape(title or '')}</title></head><body>" \
                                                  f"<h1>{escape(title or '')}</h1>{body_html or ''}</body></html>"
    archived = await _archived_links(db, page)
    shown = offline.offline_page(
        page, url, media, lambda link: f"{prefix}/article/{archived[link]}" if link in archived else None,
        offline.banner(url, fetched_at, datasette.urls.row(name, "articles", str(site_id))),
    )
    return Response.html(shown, headers=_guarded())


async def _archived_links(db: Any, page: str) -> dict[str, int]:
    """URL → site id of the archived articles the page links to (looked up by the ids in its links,
    not by reading every article's URL)."""
    ids = site.site_ids_in(page)
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    rows = await db.execute(f"SELECT url, site_id FROM articles WHERE site_id IN ({marks})", list(ids))
    return {row["url"]: row["site_id"] for row in rows}


async def _page_as_received(db: Any, url: str) -> str | None:
    """The last good response for the article, as text (the ``pages`` view decodes it), or None
    when the archive kept none."""
    rows = await db.execute(
        """SELECT html FROM pages WHERE url = ? AND kind = 'article' AND status = 200
           ORDER BY last_fetched_at DESC LIMIT 1""", [url])
    return rows.first()[0] if rows.rows else None


async def medium(datasette: Any, request: Any) -> Response:
    """An image or attachment as the site served it: its bytes and content type, never run."""
    db = _database(datasette, request)
    found = await db.execute("SELECT url, content_type, body FROM media WHERE sha256 = ?", [request.url_vars["sha256"]]) if db else None
    if not found or not found.rows:
        return Response.text("No such medium in this archive", status=404)
    url, content_type, body = found.first()
    headers = _guarded()
    if _is_stylesheet(content_type, url):
        return await _stylesheet(datasette, db, request.url_vars["database"], url, content_type, body, headers)
    if not (content_type or "").startswith(("image/", "font/")):
        filename = url.rsplit("/", 1)[-1] or "attachment"
        headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return Response(body, content_type=content_type or "application/octet-stream", headers=headers)


async def _saved_search(datasette: Any, request: Any, then: Callable[[Database, Watch], T]) -> tuple[Watch, T] | None:
    """The saved search the request names and what ``then`` reads of it, or None if there is none."""
    db, name = _database(datasette, request), unquote(request.url_vars["name"])

    def read(conn: sqlite3.Connection) -> tuple[Watch, T] | None:
        database = Database(conn)
        try:
            saved = Watches(database).get(name)
        except WatchError:
            return None
        return saved, then(database, saved)
    return await db.execute_fn(read) if db is not None else None


def _newest(database: Database, saved: Watch) -> list[dict[str, Any]]:
    """A saved search's newest matches, a feed's worth."""
    watches = Watches(database)
    return watches.articles(saved, watches.matches(saved)[:FEED_SIZE])


def _per_month(database: Database, saved: Watch) -> list[Series]:
    return trends.trend(database, [saved.query], "month", saved.category)


NO_SUCH_WATCH = "No such saved search in this archive"


async def watch_feed(datasette: Any, request: Any) -> Response:
    """A saved search as an Atom feed, newest first: any feed reader can follow it."""
    found = await _saved_search(datasette, request, _newest)
    if found is None:
        return Response.text(NO_SUCH_WATCH, status=404)
    saved, rows = found
    prefix = f"/-/chinasei/{quote(request.url_vars['database'])}"
    page = datasette.absolute_url(request, datasette.urls.path(f"{prefix}/watch/{quote(saved.name, safe='')}"))
    feed = atom_feed(saved, rows, page + ".atom", page,
                     lambda site_id: datasette.absolute_url(request, datasette.urls.path(f"{prefix}/article/{site_id}")),
                     now())
    return Response(feed, content_type="application/atom+xml; charset=utf-8", headers=_guarded())


async def watch_chart(datasette: Any, request: Any) -> Response:
    """A saved search's matches per month, as an SVG chart drawn here (vl-convert: no script, no
    request anywhere), for its page to show as an image."""
    found = await _saved_search(datasette, request, _per_month)
    if found is None:
        return Response.text(NO_SUCH_WATCH, status=404)
    saved, series = found
    title = saved.name + (f" ({saved.category})" if saved.category else "")
    try:
        svg = charts.render(charts.spec(series, "month", title), "svg")
    except charts.ChartError as error:
        return Response.text(str(error), status=501)
    return Response(svg, content_type="image/svg+xml", headers=_guarded())


async def watch_page(datasette: Any, request: Any) -> Response:
    """A saved search's page: its newest matches, each linking its archived page, and its feed."""
    found = await _saved_search(datasette, request, _newest)
    if found is None:
        return Response.text(NO_SUCH_WATCH, status=404)
    saved, rows = found
    prefix = datasette.urls.path(f"/-/chinasei/{quote(request.url_vars['database'])}")
    feed = f"{prefix}/watch/{quote(saved.name, safe='')}.atom"
    items = "".join(
        f'<li><a href="{escape(prefix)}/article/{row["site_id"]}">{escape(row["title"] or row["url"])}</a> '
        f'<small>{escape(row["published_at"] or "")} · {escape(row["category"] or "")}</small>'
        f"<br>{safe_snippet(row['snippet']) or ''}</li>" for row in rows)
    where = f" in {escape(saved.category)}" if saved.category else ""
    page = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(saved.name)}</title>'
            f'<link rel="alternate" type="application/atom+xml" title="{escape(saved.name)}" href="{escape(feed)}">'
            f"</head><body><h1>{escape(saved.name)}</h1><p>Articles matching <code>{escape(saved.query)}</code>{where}, "
            f'newest first · <a href="{escape(feed)}">Atom feed</a></p>'
            f'<p><img id="trend" src="{escape(feed.removesuffix(".atom"))}.svg" alt="{escape(saved.name)}: articles per month">'
            f"</p><ol>{items}</ol></body></html>")
    return Response.html(page, headers=_guarded())


def _is_stylesheet(content_type: str | None, url: str) -> bool:
    """A stylesheet, by its type, or by its name where the server sent a generic type."""
    kind = (content_type or "").split(";")[0].strip().lower()
    return kind == "text/css" or (kind in ("", "text/plain", "application/octet-stream") and
                                  url.split("?")[0].lower().endswith(".css"))


async def _stylesheet(datasette: Any, db: Any, name: str, url: str, content_type: str | None, body: bytes,
                      headers: dict[str, str]) -> Response:
    """A stylesheet the archive holds, with every address pointed at the archive's copy or gone."""
    css = styles.decode_stylesheet(body, content_type)  # once, for what it names and for its rewrite
    named = [named_url for named_url, _ in styles.stylesheet_refs(css, url)]
    held: dict[str, str] = {}
    if named:
        marks = ", ".join("?" for _ in named)
        prefix = datasette.urls.path(f"/-/chinasei/{quote(name)}")
        rows = await db.execute(f"SELECT url, sha256 FROM media_urls WHERE url IN ({marks})", named)
        held = {row["url"]: f"{prefix}/media/{row['sha256']}" for row in rows}
    return Response(styles.rewrite_stylesheet(css, url, held.get), content_type="text/css; charset=utf-8", headers=headers)


def _guarded() -> dict[str, str]:
    return {"Content-Security-Policy": offline.CONTENT_SECURITY_POLICY, "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer"}
