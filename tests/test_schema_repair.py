"""An archive damaged by hand: what it lacks is named in one line, and migrate (or any write) restores it."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from archive.search import AUTOMERGE
from archive.store import Archive, NotAnArchive, OutdatedArchive
from tests.conftest import REPO, archive_saved_site, query

pytestmark = pytest.mark.unit

DAMAGE = [
    ("DROP INDEX idx_articles_url", ["index idx_articles_url"]),
    ("DROP TRIGGER articles_search_insert", ["trigger articles_search_insert"]),
    ("DROP TRIGGER articles_search_update; DROP TRIGGER articles_search_delete",
     ["trigger articles_search_update", "trigger articles_search_delete"]),
    ("DROP TABLE article_search", ["table article_search"]),
    ("DROP TABLE article_search_data", ["table article_search"]),  # FTS5's own table: the search table is lost
    ("DROP TABLE search_stale", ["table search_stale"]),
    ("DROP TRIGGER articles_search_replace", ["trigger articles_search_replace"]),
    ("ALTER TABLE articles DROP COLUMN reviewer", ["column articles.reviewer"]),
    ("ALTER TABLE runs DROP COLUMN kind", ["column runs.kind"]),
    ("DROP INDEX idx_articles_month; ALTER TABLE articles DROP COLUMN month", ["column articles.month", "index idx_articles_month"]),
    ("DROP VIEW pages", ["view pages"]),
    ("DROP TABLE redirects", ["table redirects", "index idx_redirects_target"]),
]


@pytest.fixture
def archive_file(tmp_path):
    archive_saved_site(tmp_path / "a.db").close()
    return tmp_path / "a.db"


def damage(path, sql: str) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(sql)
    conn.close()


@pytest.mark.parametrize("sql, lacking", DAMAGE)
def test_what_an_archive_lacks_is_named_and_restored(archive_file, sql, lacking):
    found = Archive.read_only(archive_file).search_index.search("储能")
    damage(archive_file, sql)
    with pytest.raises(OutdatedArchive) as refused:
        Archive.read_only(archive_file)
    message = str(refused.value)
    assert message.startswith(f"{archive_file} lacks ") and message.endswith(f": `chinasei migrate --db {archive_file}` repairs it")
    assert set(message.removeprefix(f"{archive_file} lacks ").split(":")[0].split(", ")) == set(lacking)
    archive = Archive(archive_file)
    assert sorted(map(str, archive.repaired)) == sorted(lacking)
    archive.close()
    restored = Archive.read_only(archive_file)
    assert [h.site_id for h in restored.search_index.search("储能")] == [h.site_id for h in found]
    assert restored.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    restored.close()


def test_migrate_names_what_it_repaired_and_search_then_works(archive_file):
    damage(archive_file, "DROP TABLE article_search; DROP INDEX idx_articles_url")
    run = lambda *args: subprocess.run([sys.executable, "-m", "crawler.ops.cli", *args, "--db", str(archive_file)],  # noqa: E731
                                       cwd=REPO, capture_output=True, text=True, timeout=120)
    search = run("search", "储能")
    assert search.returncode == 1 and "Traceback" not in search.stderr
    assert "lacks index idx_articles_url, table article_search: `chinasei migrate" in search.stderr
    migrated = run("migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert migrated.stdout.splitlines() == ["repaired: table article_search", "repaired: index idx_articles_url",
                                            f"{archive_file} is repaired and up to date"]
    assert run("migrate").stdout.strip() == f"{archive_file} is up to date"
    assert run("search", "储能").returncode == 0


def test_a_stored_generated_column_that_cannot_come_back_is_one_line(archive_file, monkeypatch):
    from archive import schema

    reference, columns = schema._reference()
    sql = reference["articles"][1].replace("VIRTUAL", "STORED")
    monkeypatch.setattr(schema, "_reference", lambda: ({**reference, "articles": ("table", sql)}, columns))
    damage(archive_file, "DROP INDEX idx_articles_month; ALTER TABLE articles DROP COLUMN month")
    with pytest.raises(NotAnArchive, match="lacks column articles.month, which cannot be restored"):
        Archive(archive_file)


def automerge(path) -> int:
    return query(path, "SELECT v FROM article_search_config WHERE k = 'automerge'")[0][0]


def test_an_archive_that_merges_by_eight_is_moved_to_the_current_setting(archive_file):
    damage(archive_file, "INSERT INTO article_search (article_search, rank) VALUES ('automerge', 8);"
                         "DELETE FROM _sqlite_migrations WHERE name = 'merge_index_segments_by_sixteen'")
    assert automerge(archive_file) == 8
    Archive(archive_file).close()
    assert automerge(archive_file) == AUTOMERGE == 16


def test_the_search_index_settings_are_kept_new_migrated_and_repaired(archive_file):
    assert automerge(archive_file) == AUTOMERGE
    damage(archive_file, "DELETE FROM article_search_config WHERE k = 'automerge';"
                         "DELETE FROM _sqlite_migrations WHERE name LIKE 'merge_index_segments_by_%'")
    Archive(archive_file).close()  # an archive from before the setting
    assert automerge(archive_file) == AUTOMERGE
    damage(archive_file, "DROP TABLE article_search")
    Archive(archive_file).close()  # repaired: the table made again, then the setting
    assert automerge(archive_file) == AUTOMERGE
