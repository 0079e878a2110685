"""What the ``chinasei`` commands share: the ``--db`` option, opening an archive with one clear
line for a file that is not one, how a date is shown, and writing a file whole or not at all."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click

from archive.store import Archive, NotAnArchive, OutdatedArchive

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
