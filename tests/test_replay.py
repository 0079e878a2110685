"""Re-parsing from raw responses, page fixtures in one command, versions, and exports."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlite_utils import Database
from warcio.archiveiterator import ArchiveIterator

from archive.export import export_csv, export_jsonl, export_warc
from archive.store import Archive
from crawler.ops.page_fixtures import FIXTURE_FIELDS, write_fixture
from crawler.ops.reparse import reparse
from crawler.parsing import site
from tests.conftest import SAVED, expected_items, query, scrapy_crawl
from tests.sitebuilder.content import BODY_BYLINES, NEWSPAPER_BYLINES

pytestmark = pytest.mark.crawl

SEED = "http://www.chinasei.com.cn/lpz/202011/t20201124_40123.html"


@pytest.fixture
def archive(archive_copy) -> Archive:
    store = Archive(archive_copy)
    yield store
    store.close()


def test_reparse_of_an_unchanged_archive_changes_nothing(archive):
    report = reparse(archive)
    assert report.outcomes == {"unchanged": len(expected_items())}
    assert report.fields == {} and report.failures == []
    assert archive.run(report.run_id)["kind"] == "reparse"


def test_reparse_brings_a_fix_to_every_article_and_keeps_the_old_version(archive):
    broken = Database(archive.path)
    broken.execute("UPDATE articles SET title = 'WRONG', reporters = '[]' WHERE site_id IN (40123, 41207)")
    broken.execute("DELETE FROM articles WHERE site_id = 38012")
    broken.close()
    dry = reparse(archive, dry_run=True)
    assert dry.outcomes == {"updated": 2, "new": 1, "unchanged": len(expected_items()) - 3}
    assert archive.article(40123)["title"] == "WRONG"
    report = reparse(archive)
    assert report.fields == {"title": 2, "reporters": 2}
    assert archive.article(40123)["title"] == expected_items()[40123]["title"]
    assert archive.article(38012)["title"] == expected_items()[38012]["title"]
    (old,) = archive.versions(40123)
    assert (old["content"]["title"], old["reason"], sorted(old["changed_fields"])) == ("WRONG", "reparse", ["reporters", "title"])
    assert archive.search_index.site_ids("WRONG") == set()


def reparse_as_older(archive: Archive, specs: list) -> list[str]:
    """Make these articles' rows what an archive from before their byline forms holds (the bylines
    in the body, naming nobody), run ``chinasei reparse``, and return what it printed."""
    older = Database(archive.path)
    for spec in specs:
        expected = expected_items()[spec.site_id]
        body = "\n".join(filter(None, [spec.lead, expected["body"], spec.tail]))
        older.execute(
            "UPDATE articles SET body = ?, reporters = '[]', correspondents = '[]', photographers = '[]', "
            "authors = '[]', source = NULL, editor = NULL, reviewer = NULL, byline = NULL WHERE site_id = ?",
            [body, spec.site_id])
    older.close()
    result = subprocess.run([sys.executable, "-m", "crawler.ops.cli", "reparse", "--db", str(archive.path), "--workers", "1"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_reparse_takes_bylines_out_of_the_bodies_of_an_older_archive(archive):
    """An archive made before the byline grammar read body bylines: they sat in ``body`` and named
    nobody. ``chinasei reparse`` moves them to their fields and says what changed."""
    lines = reparse_as_older(archive, BODY_BYLINES)
    n = len(BODY_BYLINES)
    assert lines[0] == f"Re-parsed: 0 new, {n} updated, {len(expected_items()) - n} unchanged, 0 failed"
    assert {"  body: 6 changed", "  byline: 6 changed", "  reporters: 5 changed", "  reviewer: 2 changed",
            "  editor: 2 changed", "  source: 2 changed", "  authors: 1 changed"} <= set(lines)
    for spec in BODY_BYLINES:
        row, expected = archive.article(spec.site_id), expected_items()[spec.site_id]
        assert {k: row[k] for k in FIXTURE_FIELDS if k != "problems"} == {
            k: expected[k] for k in FIXTURE_FIELDS if k != "problems"}, spec.site_id
        assert archive.versions(spec.site_id)[-1]["reason"] == "reparse"


def test_reparse_reads_newspaper_bylines_into_an_older_archive(archive):
    """Outlet titles (新华社记者), markers (◎), combined roles (文/图, 图文：) and photo credits, in
    lead, closing and caption positions, as an archive made before the grammar read them holds
    them: in the body, naming nobody. ``chinasei reparse`` fills the fields and says which changed."""
    lines = reparse_as_older(archive, NEWSPAPER_BYLINES)
    n = len(NEWSPAPER_BYLINES)
    assert lines[0] == f"Re-parsed: 0 new, {n} updated, {len(expected_items()) - n} unchanged, 0 failed"
    assert {f"  body: {n} changed", f"  byline: {n} changed", f"  reporters: {n} changed", f"  photographers: {n} changed",
            "  source: 2 changed", "  authors: 1 changed", "  editor: 1 changed"} <= set(lines)
    for spec in NEWSPAPER_BYLINES:
        row, expected = archive.article(spec.site_id), expected_items()[spec.site_id]
        assert {k: row[k] for k in FIXTURE_FIELDS if k != "problems"} == {
            k: expected[k] for k in FIXTURE_FIELDS if k != "problems"}, spec.site_id
        assert "caption" in row["extraction"]["byline"] or spec.site_id == 44410


def test_a_fixture_is_the_raw_page_and_the_item(archive, tmp_path):
    page, expected_path = write_fixture(archive, SEED, tmp_path / "pages")
    assert page == tmp_path / "pages/lpz/202011/t20201124_40123.html"
    assert page.read_bytes() == (SAVED / "www/lpz/202011/t20201124_40123.html").read_bytes()
    written = json.loads(expected_path.read_text(encoding="utf-8"))
    truth = expected_items()[40123]
    assert {k: written[k] for k in truth} == truth


def test_a_fixture_path_never_leaves_its_folder():
    assert site.safe_relative_path("http://x/../../etc/passwd") == "etc/passwd/index.html"
    assert site.safe_relative_path("http://x//abs/..%2F..%2Fx.html") == "abs/index.html"
    assert site.safe_relative_path("http://x/lpz/202011/t1.html?a=../b") == "lpz/202011/t1.html"
    assert site.safe_relative_path("http://x/") == "index.html"


def test_fixture_command_for_an_unknown_url(archive, tmp_path):
    from click.testing import CliRunner

    from crawler.ops.cli import cli

    result = CliRunner().invoke(cli, ["fixture", "http://www.chinasei.com.cn/none.html", "--db", str(archive.path),
                                      "--dir", str(tmp_path)])
    assert result.exit_code == 1 and "no response stored" in result.output


def test_jsonl_and_csv_hold_every_article(archive):
    out = io.StringIO()
    assert export_jsonl(archive, out) == len(expected_items())
    rows = {json.loads(line)["site_id"]: json.loads(line) for line in out.getvalue().splitlines()}
    assert rows[40123]["reporters"] == ["王敏"] and rows[40123]["title"] == expected_items()[40123]["title"]
    out = io.StringIO()
    export_csv(archive, out)
    assert out.getvalue().startswith("\ufeffsite_id,")  # the mark spreadsheet programs read UTF-8 by
    table = {int(r["site_id"]): r for r in csv.DictReader(io.StringIO(out.getvalue().removeprefix("\ufeff")))}
    assert json.loads(table[40123]["correspondents"]) == ["杨盛岚", "赵冠壹"]


def test_csv_written_by_the_command_opens_as_utf8_in_a_spreadsheet(archive, tmp_path):
    path = tmp_path / "articles.csv"
    result = subprocess.run([sys.executable, "-m", "crawler.ops.cli", "export", "--format", "csv", "-o", str(path), "--db",
                             str(archive.path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert path.read_bytes().startswith(b"\xef\xbb\xbfsite_id,")
    with path.open(encoding="utf-8-sig", newline="") as rows:
        assert expected_items()[40123]["title"] in {row["title"] for row in csv.DictReader(rows)}


def test_warc_holds_every_response_as_received(archive, tmp_path):
    path = tmp_path / "out.warc.gz"
    with path.open("wb") as out:
        count = export_warc(archive, out, path.name)
    assert count == archive.db["responses"].count
    stored = {(r["url"], r["status"]): r["body"] for r in archive.responses()}
    seen, requests, responses = 0, {}, {}
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            assert record.rec_headers.protocol == "WARC/1.1"
            if record.rec_type == "request":
                requests[record.rec_headers.get_header("WARC-Concurrent-To")] = record
                continue
            if record.rec_type != "response":
                continue
            responses[record.rec_headers.get_header("WARC-Record-ID")] = record.rec_headers.get_header("WARC-Target-URI")
            status = int(record.http_headers.get_statuscode())
            body = record.content_stream().read()
            assert stored[(record.rec_headers.get_header("WARC-Target-URI"), status)] == body
            assert record.rec_headers.get_header("WARC-Source-URI").startswith("http://127.0.0.1:")
            seen += 1
    assert seen == count
    assert set(requests) == set(responses)  # a request record beside every response
    seed = next(requests[rid] for rid, url in responses.items() if url == SEED)
    assert seed.http_headers.protocol == "GET" and seed.http_headers.statusline.endswith("/lpz/202011/t20201124_40123.html HTTP/1.1")
    assert seed.http_headers.get_header("Host") == "www.chinasei.com.cn"
    assert seed.http_headers.get_header("User-Agent").startswith("chinasei-archiver/")
    assert seed.rec_headers.get_header("WARC-Target-URI") == SEED
    checked = subprocess.run(["warcio", "check", "-v", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout[-2000:]
    index = subprocess.run(["warcio", "index", "-f", "warc-target-uri,http:status", str(path)],
                           capture_output=True, text=True, check=True).stdout
    lines = [json.loads(line) for line in index.splitlines()]
    assert {"warc-target-uri": SEED, "http:status": "200"} in lines
    assert any(line.get("http:status") == "404" for line in lines)


def test_reparse_in_worker_processes_gives_the_same_report(archive):
    broken = Database(archive.path)
    broken.execute("UPDATE articles SET body = 'WRONG' WHERE site_id IN (40123, 42016, 43029)")
    broken.close()
    one, two = reparse(archive, dry_run=True, workers=1), reparse(archive, dry_run=True, workers=2)
    assert (one.outcomes, one.fields, one.failures) == (two.outcomes, two.fields, two.failures)
    assert one.fields == {"body": 3}


@pytest.fixture(scope="module")
def rechecked(saved_site_url, tmp_path_factory) -> Path:
    """An archive crawled twice, the second run re-checking every article: 304s beside its 200s."""
    db = tmp_path_factory.mktemp("rechecked") / "archive.db"
    scrapy_crawl(saved_site_url, db)
    scrapy_crawl(saved_site_url, db, "-s", "ARCHIVE_RECHECK_DAYS=100000", "-s", "ARCHIVE_RECHECK_HOURS=0")
    assert query(db, "SELECT COUNT(*) FROM responses WHERE status = 304") != [(0,)]
    return db


def test_a_304_to_a_recheck_is_a_revisit_of_the_capture_it_confirmed(rechecked, tmp_path):
    archive = Archive.read_only(rechecked)
    path = tmp_path / "out.warc.gz"
    with path.open("wb") as out:
        count = export_warc(archive, out, path.name)
    assert count == archive.db["responses"].count
    captures = {}  # URL → (WARC-Date, payload digest) of its 200
    revisits = []
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            url = record.rec_headers.get_header("WARC-Target-URI")
            if record.rec_type == "response" and record.http_headers.get_statuscode() == "200":
                captures[url] = (record.rec_headers.get_header("WARC-Date"), record.rec_headers.get_header("WARC-Payload-Digest"))
            elif record.rec_type == "revisit":
                revisits.append(record)
                assert record.http_headers is None or not record.http_headers.headers  # no 304 for a replay to serve
    assert len(revisits) == query(rechecked, "SELECT COUNT(*) FROM responses WHERE status = 304")[0][0]
    for record in revisits:
        headers = record.rec_headers
        assert headers.get_header("WARC-Profile") == "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
        url = headers.get_header("WARC-Refers-To-Target-URI")
        assert url == headers.get_header("WARC-Target-URI")
        assert (headers.get_header("WARC-Refers-To-Date"), headers.get_header("WARC-Payload-Digest")) == captures[url]
        assert headers.get_header("WARC-Date") > captures[url][0]
    checked = subprocess.run(["warcio", "check", "-v", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout[-2000:]
