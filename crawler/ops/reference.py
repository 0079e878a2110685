"""The generated references in ``docs/reference/``: the CLI from click's own help, the settings from
their registry, the schema from a freshly migrated archive. ``cog -r docs/reference/*.md`` writes
them; ``cog --check`` in ``.ci/run`` fails when one is out of date."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import click

from archive.store import Archive
from crawler import config
from crawler.ops.cli import cli


def cli_markdown() -> str:
    """Every ``chinasei`` command's ``--help``, as click prints it."""
    parts = [_help(cli, "chinasei")]
    for name, command in sorted(cli.commands.items()):
        parts.append(f"## chinasei {name}\n\n" + _help(command, f"chinasei {name}"))
        for sub, subcommand in sorted(getattr(command, "commands", {}).items()):  # a group's own commands
            parts.append(f"### chinasei {name} {sub}\n\n" + _help(subcommand, f"chinasei {name} {sub}"))
    return "\n".join(parts)


def _help(command: click.Command, name: str) -> str:
    with click.Context(command, info_name=name, terminal_width=100, max_content_width=100) as context:
        return f"```text\n{command.get_help(context)}\n```\n"


def settings_markdown() -> str:
    """The ``ARCHIVE_*`` settings, from :mod:`crawler.config`."""
    return config.reference() + "\n"


def schema_markdown() -> str:
    """The tables, views and triggers of a new archive, as SQLite holds them."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "archive.db"
        Archive(path).close()
        conn = sqlite3.connect(path)
        try:
            rows = conn.execute(
                """SELECT type, name, tbl_name, sql FROM sqlite_master
                   WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'article_search_%'
                   ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'view' THEN 1 WHEN 'index' THEN 2 ELSE 3 END, tbl_name, name"""
            ).fetchall()
        finally:
            conn.close()
    parts, seen = [], set()
    for kind, name, table, sql in rows:
        heading = table if kind in ("index", "trigger") else name
        if heading not in seen:
            seen.add(heading)
            parts.append(f"\n### `{heading}`\n")
        parts.append(f"```sql\n{sql.strip()};\n```")
    return "\n".join(parts).lstrip() + "\n"
