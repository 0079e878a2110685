"""The sqlite-utils plugin: the archive's SQL functions on every connection the ``sqlite-utils``
CLI opens, so ``sqlite-utils archive.db "select html from pages"`` reads the raw pages as text
(the ``pages`` view calls ``chinasei_html()``) just as Datasette does with our Datasette plugin."""

from __future__ import annotations

import sqlite3

import sqlite_utils

from archive.search import register_functions


@sqlite_utils.hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    register_functions(conn)
