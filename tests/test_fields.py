"""An article's fields are defined once, in the Article dataclass; everything else follows them."""

from __future__ import annotations

import json
from dataclasses import fields

import pytest

from archive.store import Archive, content_hash
from crawler.ops.page_fixtures import FIXTURE_FIELDS as WRITTEN_BY_FIXTURES
from crawler.parsing import items
from crawler.parsing.items import Article
from tests.conftest import SAVED

pytestmark = pytest.mark.unit


def test_every_field_has_a_role_and_a_column_in_a_migrated_archive(tmp_path):
    archive = Archive(tmp_path / "a.db")
    try:
        columns = set(archive.db["articles"].columns_dict)
    finally:
        archive.close()
    for field in fields(Article):
        assert field.metadata.get("role") in {"content", "later", "key", "report", "bookkeeping"}, field.name
        assert field.name in columns, field.name
    assert set(items.JSON_FIELDS) <= columns


def test_the_derived_lists_follow_the_dataclass():
    names = [f.name for f in fields(Article)]
    assert list(items.CONTENT_FIELDS) == [n for n in names if n not in ("site_id", "assets", "extraction", "problems", "fetched_at")]
    assert {"attachments"} == items.LATER_FIELDS
    assert WRITTEN_BY_FIXTURES is items.FIXTURE_FIELDS
    assert set(items.WATCHED_FIELDS["byline"]) == {*items.PERSON_ROLES, "source"}


def test_a_saved_fixture_holds_exactly_the_fixture_fields():
    expected = json.loads(next((SAVED / "expected").rglob("*.json")).read_text(encoding="utf-8"))
    assert set(expected) - {"content_type"} <= set(items.FIXTURE_FIELDS)


@pytest.mark.parametrize("name", sorted(items.CONTENT_FIELDS))
def test_every_content_field_changes_the_hash(name):
    record = Article(url="http://www.chinasei.com.cn/a/t20200101_1.html", site_id=1).to_dict()
    changed = {**record, name: ["x"] if isinstance(record[name], list) else "x"}
    assert content_hash(changed) != content_hash(record)


def test_a_pages_look_is_not_its_content():
    """A stylesheet linked or dropped makes no new version of every article."""
    record = Article(url="http://www.chinasei.com.cn/a/t20200101_1.html", site_id=1).to_dict()
    styled = {**record, "assets": [{"url": "http://www.chinasei.com.cn/css/style.css", "role": "stylesheet"}]}
    assert content_hash(styled) == content_hash(record)


def test_a_later_field_left_empty_does_not_change_the_hash():
    record = Article(url="http://www.chinasei.com.cn/a/t20200101_1.html", site_id=1).to_dict()
    before = {k: v for k, v in record.items() if k not in items.LATER_FIELDS}
    assert content_hash(record) == content_hash(before)
