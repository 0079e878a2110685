"""Bad input to the ``chinasei`` command gets one clear line and the right exit status, never a
traceback; the commands that only read never create or change a file."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest
from sqlite_utils import Database

from archive.store import Archive
from tests.conftest import REPO, SAVED

pytestmark = pytest.mark.crawl

LIVE = "http://www.chinasei.com.cn"


def chinasei(*args: str | bytes, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """The command as a user runs it, in a process of its own."""
    return subprocess.run([sys.executable, "-m", "crawler.ops.cli", *args], cwd=cwd or REPO, capture_output=True,
                          timeout=timeout, env={**os.environ, "PYTHONPATH": str(REPO)})


def said(result: subprocess.CompletedProcess) -> str:
    """What the command said, checked to be no traceback."""
    err = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err[-3000:]
    return err + result.stdout.decode("utf-8", "replace")


@pytest.mark.parametrize(("args", "message"), [
    (["--since", "2024-13"], "'2024-13' is not a date"),
    (["--since", "yesterday"], "'yesterday' is not a date"),
    (["--until", "2024-02-30"], "'2024-02-30' is not a date"),
    (["--limit", "0"], "0 is not in the range x>=1"),
    (["--limit", "-1"], "-1 is not in the range x>=1"),
    (["--category", "不存在"], "no category '不存在'"),
])
def test_search_options_that_make_no_sense_are_usage_errors(crawled_db, args, message):
    result = chinasei("search", "的", "--db", str(crawled_db), *args)
    assert result.returncode == 2 and message in said(result)


def test_a_query_that_is_not_utf8_is_a_usage_error(crawled_db):
    result = chinasei("search", b"\xff\xfe", "--db", str(crawled_db))
    assert result.returncode == 2 and "not valid UTF-8" in said(result)


def test_an_article_stored_by_another_tool_without_a_date_is_shown(archive_copy):
    Database(archive_copy)["articles"].insert({"site_id": 1, "url": f"{LIVE}/x/t20200101_1.html", "title": "无日期的文章",
                                               "body": "独一无二的正文"})
    result = chinasei("search", "独一无二", "--db", str(archive_copy))
    assert result.returncode == 0 and "(no date)" in said(result) and "无日期的文章" in said(result)


def test_titles_cannot_drive_the_terminal(archive_copy):
    db = Database(archive_copy)
    db.execute("UPDATE articles SET title = ? WHERE site_id = 40123", ["\x1b]0;pwned\x07\x1b[31m标题\r\x9b2J"])
    db.close()
    result = chinasei("search", "北辰", "--db", str(archive_copy))
    out = said(result)
    assert result.returncode == 0 and "\\x1b]0;pwned\\x07\\x1b[31m标题\\x0d\\x9b2J" in out
    assert not any(c in out for c in "\x1b\x07\r\x9b")


@pytest.mark.parametrize("command", [["stats"], ["search", "的"], ["failures"], ["export"], ["reparse"], ["migrate"],
                                     ["fixture", f"{LIVE}/lpz/202011/t20201124_40123.html"], ["crawl"]])
def test_a_damaged_database_file_is_one_line_from_every_command(command, tmp_path):
    db = tmp_path / "a.db"
    db.write_bytes(b"SQLite format 3\x00" + os.urandom(4096))
    result = chinasei(*command, "--db", str(db), *(["--base-url", "http://127.0.0.1:9"] if command == ["crawl"] else []))
    assert result.returncode in (1, 4), said(result)
    assert "not a readable SQLite archive" in said(result) or "not a usable SQLite archive" in said(result)


@pytest.mark.parametrize("command", [["stats"], ["search", "的"], ["crawl", "--base-url", "http://127.0.0.1:9"]])
def test_an_archive_in_a_folder_that_does_not_exist_is_one_line(command, tmp_path):
    result = chinasei(*command, "--db", str(tmp_path / "nowhere" / "a.db"))
    assert result.returncode == 1 and ("no archive at" in said(result) or "no folder" in said(result))
    assert not (tmp_path / "nowhere").exists()


def test_scrapy_crawl_into_a_folder_that_does_not_exist_is_one_line(tmp_path):
    command = [sys.executable, "-m", "scrapy", "crawl", "chinasei", "-a", "base_url=http://127.0.0.1:9",
               "-s", f"ARCHIVE_DB={tmp_path / 'nowhere' / 'a.db'}"]
    result = subprocess.run(command, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, timeout=120)
    assert "Not crawling: cannot use" in said(result) and "No such file or directory" in said(result)


def test_the_commands_that_read_never_create_or_change_a_file(crawled_db, tmp_path):
    empty = tmp_path / "empty.db"
    empty.touch()
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (text TEXT)")
    conn.commit()
    conn.close()
    archive = tmp_path / "archive.db"
    shutil.copy(crawled_db, archive)
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (empty, other, archive)}
    for db in (empty, other, archive):
        for command in (["stats"], ["search", "的"], ["failures"], ["export"]):
            result = chinasei(*command, "--db", str(db))
            if db != archive:
                assert result.returncode == 1 and "is not a chinasei archive" in said(result)
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in before} == before
    assert not (tmp_path / "missing.db").exists()
    assert chinasei("stats", "--db", str(tmp_path / "missing.db")).returncode == 1
    assert not (tmp_path / "missing.db").exists()


def test_reparse_workers_must_be_at_least_one(crawled_db):
    result = chinasei("reparse", "--workers", "-3", "--db", str(crawled_db))
    assert result.returncode == 2 and "-3 is not in the range x>=1" in said(result)


def test_serve_site_with_no_such_folder_or_a_busy_port_is_one_line(tmp_path):
    missing = chinasei("serve-site", "--site", str(tmp_path / "none"))
    assert missing.returncode == 2 and "does not exist" in said(missing)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = chinasei("serve-site", "--port", str(taken.getsockname()[1]), timeout=60)
    assert busy.returncode == 1 and "cannot serve" in said(busy) and "Address already in use" in said(busy)


def test_a_crawl_with_no_network_says_so_without_tracebacks_or_false_alarms(tmp_path):
    result = chinasei("crawl", "--base-url", "http://127.0.0.1:9", "--db", str(tmp_path / "a.db"), "-s", "RETRY_TIMES=0")
    out = said(result)
    assert result.returncode == 1 and "No response came back: is the site reachable?" in out
    assert "not found" not in out and "UNHEALTHY" not in out


@pytest.mark.parametrize(("url", "message"), [
    (f"{LIVE}/lpz/202103/t20210301_99999.html", "is HTTP 404, not an article page"),
    (f"{LIVE}/lpz/", "is not an article page"),
])
def test_a_fixture_is_made_only_of_an_archived_article_page(crawled_db, tmp_path, url, message):
    result = chinasei("fixture", url, "--db", str(crawled_db), "--dir", str(tmp_path / "pages"))
    assert result.returncode == 1 and message in said(result)
    assert not list(tmp_path.rglob("*.json"))


def test_a_fixture_of_a_deep_url_is_written_and_never_overwrites_another_pages(archive_copy, tmp_path):
    store = Archive(archive_copy)
    page = (SAVED / "www/lpz/202105/t20210525_41207.html").read_bytes()
    deep = f"{LIVE}/" + "/".join(f"s{i}" for i in range(60)) + "/lpz/202105/t20210525_41207.html"
    twin = f"{LIVE}/lpz/专题/202105/t20210525_41207.html"  # its odd segment dropped, it names the same file
    for url in (deep, twin):
        store.record_response(1, url, url, 200, {"Content-Type": ["text/html"]}, page, "article")
    store.close()
    folder = tmp_path / "pages"
    first = chinasei("fixture", deep, "--db", str(archive_copy), "--dir", str(folder))
    assert first.returncode == 0, said(first)
    assert [p.relative_to(folder).as_posix() for p in folder.rglob("*.json")] == ["s59/lpz/202105/t20210525_41207.json"]
    ordinary = chinasei("fixture", f"{LIVE}/lpz/202105/t20210525_41207.html", "--db", str(archive_copy), "--dir", str(folder))
    assert ordinary.returncode == 0, said(ordinary)
    clash = chinasei("fixture", twin, "--db", str(archive_copy), "--dir", str(folder))
    assert clash.returncode == 1 and "already holds the fixture of http://www.chinasei.com.cn/lpz/202105/" in said(clash)


def test_sigterm_to_serve_stops_datasette_too(crawled_db, tmp_path):
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    serve = subprocess.Popen([sys.executable, "-m", "crawler.ops.cli", "serve", "--db", str(crawled_db), "--port", str(port)],
                             cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        answered = threading.Event()
        for _ in range(600):  # until Datasette answers (a state, not a guess at how long it takes)
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/-/versions.json", timeout=5).close()
                break
            except OSError:
                answered.wait(0.1)
        children = [int(p) for p in Path(f"/proc/{serve.pid}/task/{serve.pid}/children").read_text().split()]
        assert children, "Datasette did not start"
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=60) == 0
        for child in children:
            assert not Path(f"/proc/{child}").exists() or "zombie" in Path(f"/proc/{child}/status").read_text()
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()


@pytest.mark.parametrize(("args", "message"), [
    (["--run", "99"], "no run 99 in"),
    (["--run", "0"], "no run 0 in"),
])
def test_failures_of_a_run_that_does_not_exist_is_one_clear_line(crawled_db, args, message):
    result = chinasei("failures", *args, "--db", str(crawled_db))
    assert result.returncode == 1 and message in said(result)  # said() also holds it to no traceback


def test_failures_of_a_new_archive_says_it_has_no_runs(tmp_path):
    from archive.store import Archive

    Archive(tmp_path / "a.db").close()
    result = chinasei("failures", "--db", str(tmp_path / "a.db"))
    assert result.returncode == 1 and "has no runs yet" in said(result)


@pytest.mark.parametrize("command", [["demo", "--db", "d.db"], ["serve", "--db", "d.db"], ["serve-site"]])
@pytest.mark.parametrize("port", ["99999", "-1", "65536"])
def test_a_port_out_of_range_is_a_usage_error(tmp_path, command, port):
    result = chinasei(*command, "--port", port, cwd=tmp_path, timeout=60)
    assert result.returncode == 2, said(result)
    assert "Invalid value for '--port'" in said(result) and "Traceback" not in said(result)
    assert not (tmp_path / "d.db").exists()


def test_serve_on_a_busy_port_is_one_line_before_datasette_starts(crawled_db):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = chinasei("serve", "--db", str(crawled_db), "--port", str(taken.getsockname()[1]), timeout=60)
    assert busy.returncode == 1, said(busy)
    assert "cannot serve on 127.0.0.1:" in said(busy) and "Address already in use" in said(busy)
    assert "Datasette on" not in said(busy) and "Traceback" not in said(busy) and "uvicorn" not in said(busy).lower()


@pytest.mark.parametrize("base_url", ["127.0.0.1:8000", "localhost", "ftp://127.0.0.1/", "http://", "http://127.0.0.1:99999"])
def test_a_base_url_that_is_not_an_http_address_is_a_usage_error(tmp_path, base_url):
    result = chinasei("crawl", "--base-url", base_url, "--db", str(tmp_path / "a.db"), timeout=60)
    assert result.returncode == 2, said(result)
    assert "Invalid value for '--base-url'" in said(result) and "Traceback" not in said(result)
    assert not (tmp_path / "a.db").exists()


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "warc"])
def test_an_export_into_a_folder_that_does_not_exist_is_one_line(crawled_db, tmp_path, fmt):
    result = chinasei("export", "--format", fmt, "-o", str(tmp_path / "missing" / "a.out"), "--db", str(crawled_db))
    assert result.returncode == 1
    assert said(result).strip() == f"Error: cannot write {tmp_path / 'missing' / 'a.out'}: there is no folder {tmp_path / 'missing'}"


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "warc"])
def test_an_export_stopped_part_way_leaves_no_file_under_its_name(crawled_db, tmp_path, monkeypatch, fmt):
    """Ctrl-C (or any error) mid-export: the partial file is removed, the final name never appears,
    and an earlier export under that name is left as it was."""
    import archive.export
    from crawler.ops import cli

    name = {"csv": "export_csv", "jsonl": "export_jsonl", "warc": "export_warc"}[fmt]
    real = getattr(archive.export, name)

    def stopped(archive_, out, *args):
        out.write(b"partial" if fmt == "warc" else "partial")
        assert [p.name for p in tmp_path.iterdir()] != ["a.out"] and any(".partial" in p.name for p in tmp_path.iterdir())
        raise KeyboardInterrupt

    output = tmp_path / "a.out"
    output.write_text("an earlier export")
    monkeypatch.setattr(archive.export, name, stopped)
    monkeypatch.setattr("sys.argv", ["chinasei", "export", "--format", fmt, "-o", str(output), "--db", str(crawled_db)])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 130
    assert [p.name for p in tmp_path.iterdir()] == ["a.out"] and output.read_text() == "an earlier export"
    monkeypatch.setattr(archive.export, name, real)
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 0 and output.read_bytes() != b"an earlier export"
