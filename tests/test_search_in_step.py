"""The search index stays in step with edits made by any program, through the triggers alone.

FTS5 removes an entry of a contentless index only when given the very text it indexed; given other
text, it leaves terms behind that no query sees until they surface as wrong matches. So each test
compares the index itself, term by term and position by position (``fts5vocab``), with an index
rebuilt from the articles as they are, after every kind of edit a tool can make.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlite_utils import Database

from archive.store import Archive
from tests.sitebuilder import corpus

pytestmark = pytest.mark.unit


def instances(archive: Archive) -> list[tuple]:
    """Every (term, row, column, offset) the index holds."""
    archive.db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.held USING fts5vocab(main, article_search, instance)")
    return archive.db.execute("SELECT term, doc, col, offset FROM temp.held ORDER BY 1, 2, 3, 4").fetchall()


def assert_index_is_a_rebuild(path: Path) -> None:
    """Refreshed, the index holds what a rebuild from the articles holds, and nothing is left stale."""
    archive = Archive(path)
    archive.search_index.refresh()
    refreshed = instances(archive)
    assert archive.db.execute("SELECT COUNT(*) FROM search_stale").fetchone()[0] == 0
    archive.search_index.rebuild()
    assert refreshed == instances(archive)
    archive.close()


def written(tmp_path: Path, count: int = 30) -> tuple[Path, list[int]]:
    path = tmp_path / "edits.db"
    archive = Archive(path)
    run = archive.start_run("test")
    items = list(corpus.articles(count))
    for item in items:
        archive.save_article(run, item)
    archive.close()
    return path, [item.site_id for item in items]


def row_of(db: Database, of: int, **changes) -> dict:
    """Article ``of``'s row with ``changes``, ready to insert."""
    row = dict(db["articles"].get(of)) | changes
    row.pop("month")  # generated
    return row


EDITS = {
    "an update of the title": lambda db, ids: db["articles"].update(ids[0], {"title": "改过的标题甲"}),
    "two updates before a refresh": lambda db, ids: [db["articles"].update(ids[0], {"body": f"第{n}次改写"}) for n in (1, 2)],
    "an update of a column the index does not hold": lambda db, ids: db["articles"].update(ids[0], {"source": "新华社"}),
    "a delete": lambda db, ids: db["articles"].delete(ids[0]),
    "a delete, then the article inserted again": lambda db, ids: [
        (row := row_of(db, ids[0], body="再次插入的正文")), db["articles"].delete(ids[0]), db["articles"].insert(row)],
    "an insert of a new article": lambda db, ids: db["articles"].insert(
        row_of(db, ids[0], site_id=1, url="http://www.chinasei.com.cn/x/t20200101_1.html", body="新的正文乙")),
    "INSERT OR REPLACE of an article": lambda db, ids: db["articles"].insert(row_of(db, ids[0], body="替换的正文丙"), replace=True),
    "INSERT OR REPLACE of an article, twice": lambda db, ids: [
        db["articles"].insert(row_of(db, ids[0], body=f"替换{n}"), replace=True) for n in (1, 2)],
    "INSERT OR REPLACE of another article's URL": lambda db, ids: db["articles"].insert(
        row_of(db, ids[1], site_id=2, title="占了别人网址的文章"), replace=True),
    "INSERT OR IGNORE of an existing article": lambda db, ids: db["articles"].insert(
        row_of(db, ids[0], body="不会写入"), ignore=True),
    "an upsert": lambda db, ids: db["articles"].upsert(row_of(db, ids[0], title="更新插入的标题丁"), pk="site_id"),
    "a new site id": lambda db, ids: db["articles"].update(ids[0], {"site_id": 3}),
    "UPDATE OR REPLACE onto another article's id": lambda db, ids: db.execute(
        f"UPDATE OR REPLACE articles SET site_id = {ids[1]} WHERE site_id = {ids[0]}"),
    "UPDATE OR REPLACE onto another article's URL": lambda db, ids: db.execute(
        f"UPDATE OR REPLACE articles SET url = (SELECT url FROM articles WHERE site_id = {ids[1]}) WHERE site_id = {ids[0]}"),
    "an edit of an article another edit made dirty": lambda db, ids: [
        db["articles"].update(ids[0], {"site_id": 4}), db["articles"].update(4, {"body": "搬家以后改写"})],
    "a delete of every article": lambda db, ids: db.execute("DELETE FROM articles"),
}


#: sqlite-utils turns recursive triggers on, under which a REPLACE fires delete triggers for the
#: rows it deletes; Python's sqlite3, the sqlite3 shell and Datasette leave them off, and it fires none.
RECURSIVE_TRIGGERS = {"sqlite-utils": True, "sqlite3": False}


@pytest.mark.parametrize("recursive", RECURSIVE_TRIGGERS.values(), ids=RECURSIVE_TRIGGERS.keys())
@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_the_index_is_what_a_rebuild_makes_after_any_edit(tmp_path, edit, recursive):
    path, ids = written(tmp_path)
    other = Database(path, recursive_triggers=recursive)  # another program: no search functions, only the triggers
    edit(other, ids)
    other.conn.commit()
    other.close()
    assert_index_is_a_rebuild(path)


@pytest.mark.parametrize("recursive", RECURSIVE_TRIGGERS.values(), ids=RECURSIVE_TRIGGERS.keys())
def test_edits_in_a_row_each_refreshed_or_not(tmp_path, recursive):
    path, ids = written(tmp_path)
    for n, edit in enumerate(EDITS.values()):
        other = Database(path, recursive_triggers=recursive)
        remaining = [row[0] for row in other.execute("SELECT site_id FROM articles ORDER BY site_id")]
        if len(remaining) < 2:  # the last edit deletes them all
            break
        edit(other, remaining)
        other.conn.commit()
        other.close()
        if n % 3 == 2:  # some edits meet a dirty article, others a refreshed one
            archive = Archive(path)
            archive.search_index.refresh()
            archive.close()
    assert_index_is_a_rebuild(path)


def test_an_edit_from_the_sqlite_utils_command_line(tmp_path):
    path, ids = written(tmp_path)
    subprocess.run([sys.executable, "-m", "sqlite_utils", "query", str(path),
                    f"update articles set body = '命令行改写' where site_id = {ids[2]}"], check=True, capture_output=True)
    assert_index_is_a_rebuild(path)


def test_an_archive_made_with_the_copy_of_all_text_migrates_and_stays_in_step(tmp_path):
    """An archive of the earlier design (``search_docs``: the text of every indexed article, and
    triggers that only mark) whose dirty articles were edited before it is opened again."""
    path, ids = written(tmp_path)
    conn = sqlite3.connect(path)
    conn.executescript(f"""
        CREATE TABLE search_docs (site_id INTEGER PRIMARY KEY, title TEXT, body TEXT);
        INSERT INTO search_docs SELECT site_id, title, body FROM articles;
        DROP TABLE search_stale;
        DROP TRIGGER articles_search_replace; DROP TRIGGER articles_search_update_replace;
        DROP TRIGGER articles_search_insert; DROP TRIGGER articles_search_update; DROP TRIGGER articles_search_delete;
        CREATE TRIGGER articles_search_insert AFTER INSERT ON articles BEGIN
          INSERT OR IGNORE INTO search_dirty (site_id) VALUES (new.site_id); END;
        CREATE TRIGGER articles_search_update AFTER UPDATE OF site_id, title, body ON articles BEGIN
          INSERT OR IGNORE INTO search_dirty (site_id) VALUES (old.site_id);
          INSERT OR IGNORE INTO search_dirty (site_id) VALUES (new.site_id); END;
        CREATE TRIGGER articles_search_delete AFTER DELETE ON articles BEGIN
          INSERT OR IGNORE INTO search_dirty (site_id) VALUES (old.site_id); END;
        DELETE FROM _sqlite_migrations WHERE name = 'index_without_a_copy_of_the_text';
        UPDATE articles SET title = '旧设计下改过的标题' WHERE site_id = {ids[0]};
        DELETE FROM articles WHERE site_id = {ids[1]};
    """)
    conn.close()
    archive = Archive(path)
    tables = archive.db.table_names()
    assert "search_docs" not in tables and "search_stale" in tables
    assert archive.repaired == []
    assert {row[0] for row in archive.db.execute("SELECT site_id FROM search_stale")} == {ids[0], ids[1]}
    archive.db["articles"].update(ids[2], {"body": "迁移之后改写"})
    archive.close()
    assert_index_is_a_rebuild(path)
    reader = Archive.read_only(path)
    assert {hit.site_id for hit in reader.search_index.search("旧设计")} == {ids[0]}
    assert {hit.site_id for hit in reader.search_index.search("迁移之后")} == {ids[2]}
    reader.close()


def test_the_crawl_keeps_no_copy_of_the_text_it_indexed(tmp_path):
    """Articles written and indexed leave nothing in ``search_stale``: only changed ones are copied."""
    path, ids = written(tmp_path)
    archive = Archive(path)
    assert archive.db.execute("SELECT COUNT(*) FROM search_stale").fetchone()[0] == 0
    assert archive.db.execute("SELECT COUNT(*) FROM search_dirty").fetchone()[0] == 0
    assert archive.db.execute("SELECT COUNT(*) FROM article_search_docsize").fetchone()[0] == len(ids)
    archive.close()
