"""What the ``chinasei`` commands share: the ``--db`` option, opening an archive with one clear
line for a file that is not one, how a date is shown, and writing a file whole or not at all."""

from __future__ import annotations

import contextlib
import html
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click

from archive.store import Archive, NotAnArchive, OutdatedArchive
from crawler.parsing.terminal import printable

DB_OPTION = click.option("--db", default="archive.db", show_default=True, help="The archive file.")


def open_existing(db: str) -> Archive:
    """An archive that exists, opened for writing (and brought to the current schema)."""
    check_existing(db)
    return Archive(db)


def check_existing(db: str) -> None:
    """The same clear line for a missing, foreign or damaged file as the commands that read give;
    an outdated archive passes (opening it for writing brings it up to date)."""
    try:
        Archive.read_only(db).close()
    except OutdatedArchive:
        pass
    except NotAnArchive as error:
        raise click.ClickException(str(error)) from None


def open_read_only(db: str) -> Archive:
    """An archive opened only to read: a missing, foreign or damaged file is one clear line."""
    try:
        return Archive.read_only(db)
    except NotAnArchive as error:
        raise click.ClickException(str(error)) from None


def when(published_at: str | None) -> str:
    """The date and time to show, for articles that another tool may have stored without one."""
    return (published_at or "(no date)")[:16].ljust(16)


@contextlib.contextmanager
def written_aside(output: Path, binary: bool = False) -> Iterator[IO[Any]]:
    """A file written under a name of its own beside ``output`` and renamed to it once whole: an
    export stopped part way (Ctrl-C, a full disk) leaves no partial file under the final name."""
    if not output.parent.is_dir():
        raise click.ClickException(f"cannot write {output}: there is no folder {output.parent}")
    aside = output.with_name(f".{output.name}.{os.getpid()}.partial")
    try:
        handle = aside.open("wb") if binary else aside.open("w", encoding="utf-8", newline="")
    except OSError as error:
        raise click.ClickException(f"cannot write {output}: {error.strerror}") from None
    try:
        with handle:
            yield handle
        os.replace(aside, output)
    finally:
        aside.unlink(missing_ok=True)


def text_argument(value: str, what: str = "query") -> str:
    """A command-line argument that must be text: bytes that were not UTF-8, as the shell passed
    them, are one clear line, not an encoding error later."""
    if re.search("[\ud800-\udfff]", value):
        raise click.UsageError(f"the {what} is not valid UTF-8 text")
    return value


def check_category(archive: Archive, category: str | None, db: str) -> None:
    """A ``--category`` the archive has, or a usage error naming those it has."""
    if category is None:
        return
    categories = archive.categories()
    if category not in categories:
        known = "、".join(categories) or "none yet"
        raise click.UsageError(f"no category {category!r} in {db} (its categories: {known})")


def article_lines(published_at: str | None, category: str | None, title: str | None, snippet: str, url: str) -> str:
    """An article found, as ``search`` and ``watch show`` print it: its time, channel and title,
    the snippet with its matches in 【】, its URL."""
    shown = html.unescape(snippet.replace("<mark>", "【").replace("</mark>", "】"))
    return printable(f"{when(published_at)}  {category or '-'}  {title}\n    {shown}\n    {url}")
