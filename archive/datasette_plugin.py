"""The Datasette plugin: exact Chinese search inside Datasette, and safe snippets.

Installed with ``pip install 'chinasei[datasette]'`` (an entry point, so plain ``datasette
archive.db`` loads it too). It registers on every connection the SQL functions the canned
``search`` query uses (:mod:`archive.search`), and shows that query's snippets with their
highlighting. Everything else Datasette shows — ``body_html`` and raw responses included — stays
escaped text, never rendered HTML.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from datasette import hookimpl
from markupsafe import Markup

from archive.search import register_functions

_MARK = re.compile(r"</?mark>")


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    register_functions(conn)


def safe_snippet(value: Any) -> Markup | None:
    """A snippet as HTML, only if it is escaped text with ``<mark>`` tags and nothing else."""
    if not isinstance(value, str):
        return None
    bare = _MARK.sub("", value)
    if "<" in bare or ">" in bare or '"' in bare:
        return None
    return Markup(value)


@hookimpl
def render_cell(value: Any, column: str) -> Markup | None:
    if column == "snippet":
        return safe_snippet(value)
    return None
