"""Shared fixtures: the saved site on loopback, another layout of it, and real crawls of them."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.store import Archive
from crawler.ops import localsite
from tests.sitebuilder.build import build

REPO = Path(__file__).resolve().parents[1]
SAVED = REPO / "saved_site"
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8"]


def taking_ctrl_c(command: list[str]) -> list[str]:
    """``command``, run so that it takes Ctrl-C as a terminal's program does, however the test run
    was started. A test run started in the background of a script (``… &``) ignores SIGINT, every
    process it starts inherits that, and Scrapy then rightly leaves Ctrl-C alone: the tests that
    send one would fail for the way they were run. SIGINT is set back to its default, then the
    command replaces the wrapper (same process, so its pid and group are the command's)."""
    reset = "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])"
    return [sys.executable, "-c", reset, *command]


def expected_items(root: Path = SAVED) -> dict[int, dict]:
    """The expected item of every article of a built copy, by site id."""
    items = {}
    for path in sorted((root / "expected").rglob("*.json")):
        item = json.loads(path.read_text(encoding="utf-8"))
        items[item["site_id"]] = item
    return items


def query(db: Path, sql: str, params: list | tuple = ()) -> list[tuple]:
    """Rows of a query on an archive file, read with plain sqlite3 as any reader would."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def archived_articles(db: Path) -> dict[int, dict]:
    """Every archived article, list fields decoded, by site id."""
    archive = Archive(db)
    try:
        return {row["site_id"]: row for row in archive.articles()}
    finally:
        archive.close()


def archive_saved_site(path: Path) -> Archive:
    """An archive of every article of the saved site, parsed straight from the saved pages."""
    from crawler.parsing.article import parse_article
    from crawler.parsing.encoding import decode_html

    archive = Archive(path)
    run = archive.start_run("saved site")
    for expected in (SAVED / "expected").rglob("*.json"):
        url = json.loads(expected.read_text(encoding="utf-8"))["url"]
        page = SAVED / "www" / expected.relative_to(SAVED / "expected").with_suffix(".html")
        archive.save_article(run, parse_article(url, decode_html(page.read_bytes(), "text/html")))
    return archive


def scrapy_crawl(base_url: str, db: Path, *extra: str, exit_code: int | str | None = 0,
                 ledger: bool = True) -> subprocess.CompletedProcess:
    """Run the real ``scrapy crawl chinasei`` against ``base_url`` into ``db``; it must exit with
    ``exit_code`` (``chinasei crawl``'s statuses), with the status the run recorded says
    (``"recorded"``: for runs whose health depends on injected faults), or anything (None); and
    every page it asked for must have an outcome (``ledger=False`` for the ledger's own test)."""
    command = [sys.executable, "-m", "scrapy", "crawl", "chinasei", "-a", f"base_url={base_url}",
               "-s", f"ARCHIVE_DB={db}", *FAST, *extra]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    if exit_code == "recorded":
        exit_code = recorded_exit(db)
    assert exit_code is None or result.returncode == exit_code, result.stderr[-3000:]
    if ledger:
        assert not unsettled(db), unsettled(db)
    return result


def unsettled(db: Path) -> list[str]:
    """Where an archive breaks the ledger's invariant (crawler.components.ledger): a crawl run that
    finished with a page asked for and no outcome, or that kept no ledger at all."""
    from crawler.components.ledger import NO_OUTCOME

    conn = sqlite3.connect(db)
    try:
        runs = conn.execute("SELECT id, status, stats FROM runs WHERE kind = 'crawl' AND stats IS NOT NULL").fetchall()
        no_outcome = conn.execute("SELECT run_id, url FROM failures WHERE reason = ?", [NO_OUTCOME]).fetchall()
    except sqlite3.Error:  # not an archive, or one a test damaged on purpose
        return []
    finally:
        conn.close()
    problems = [f"run {run_id}: no outcome for {url}" for run_id, url in no_outcome]
    for run_id, status, stats in runs:
        stats = json.loads(stats)
        if stats.get("downloader/request_count") and "chinasei/ledger/entered" not in stats:
            problems.append(f"run {run_id} ({status}) kept no ledger")
        elif status == "finished" and stats.get("chinasei/ledger/open", 0):
            problems.append(f"run {run_id} finished with {stats['chinasei/ledger/open']} pages unsettled")
    return problems


def recorded_exit(db: Path) -> int:
    """The exit status the archive's last run calls for (crawler.ops.outcome), read from its row."""
    from crawler.ops.outcome import verdict

    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        run = dict(conn.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1").fetchone())
    finally:
        conn.close()
    return verdict({**run, "lost_writes": 0, "writes_sent": 0}, str(db))[0]


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def chinasei_serve(db: Path, command: str = "chinasei serve") -> Iterator[str]:
    """The real ``chinasei serve`` (Datasette and our plugin) over ``db`` on 127.0.0.1, or with
    ``command="datasette"`` plain ``datasette serve db`` (our plugin loads by its entry point);
    yields its base URL once it answers."""
    port = free_port()
    if command == "datasette":
        argv = [sys.executable, "-m", "datasette", "serve", str(db), "--port", str(port)]
    else:
        argv = [sys.executable, "-m", "crawler.ops.cli", "serve", "--db", str(db), "--port", str(port)]
    process = subprocess.Popen(argv, env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    process.kill()
                    raise RuntimeError("Datasette did not start: " + process.stdout.read().decode()[-2000:]) from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="session")
def crawled_db(saved_site_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The saved site crawled once, by the real ``scrapy crawl``; a test that changes the archive
    works on a copy of it (``archive_copy``)."""
    db = tmp_path_factory.mktemp("crawled") / "archive.db"
    scrapy_crawl(saved_site_url, db)
    return db


@pytest.fixture
def archive_copy(crawled_db: Path, tmp_path: Path) -> Path:
    """A copy of the crawled archive, this test's own."""
    copy = tmp_path / "a.db"
    shutil.copy(crawled_db, copy)
    return copy


@pytest.fixture(scope="session")
def saved_site_url() -> Iterator[str]:
    """The bundled copy of the site, served on 127.0.0.1."""
    with localsite.serve(SAVED / "www") as url:
        yield url


@pytest.fixture(scope="session")
def modern_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same site built with the other template, which the parser was never tuned to."""
    root = tmp_path_factory.mktemp("modern")
    build(root / "www", "modern", root / "expected")
    return root


@pytest.fixture(scope="session")
def modern_site_url(modern_copy: Path) -> Iterator[str]:
    with localsite.serve(modern_copy / "www") as url:
        yield url


# --- Tiers -----------------------------------------------------------------------------------------

TIERS = ("unit", "crawl", "browser")


@pytest.fixture(scope="session", autouse=True)
def every_crawl_settles_its_ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The ledger's invariant, checked on every archive any test's crawl wrote, however it crawled
    (``scrapy crawl``, ``chinasei crawl``, ``demo``): every finished run settled every page it
    asked for."""
    yield
    problems = {str(db): found for db in tmp_path_factory.getbasetemp().rglob("*.db") if (found := unsettled(db))}
    assert not problems, problems


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test belongs to exactly one tier (pyproject's markers), so ``-m unit`` means what it says."""
    for item in items:
        tiers = {mark.name for mark in item.iter_markers() if mark.name in TIERS}
        if len(tiers) != 1:
            raise pytest.UsageError(f"{item.nodeid} has tiers {sorted(tiers) or 'none'}: mark its module with one of {TIERS}")


# --- Nothing left behind ---------------------------------------------------------------------------

#: Python's own helper for multiprocessing, started once by this process and ended with it.
LEFT_ALONE = ("multiprocessing.resource_tracker",)


def _processes() -> dict[int, tuple[int, str, str]]:
    """Every process: its parent, its state and its command line, from /proc."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:  # ended meanwhile
            continue
        found[int(stat.parent.name)] = (int(fields[1]), fields[0], command)
    return found


def left_behind() -> dict[int, str]:
    """Processes this test run started (at any depth) that are still running."""
    processes, mine, frontier = _processes(), {}, [os.getpid()]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, state, command) in processes.items():
            if ppid == parent and pid not in mine:
                mine[pid] = (state, command)
                frontier.append(pid)
    return {pid: command for pid, (state, command) in mine.items()
            if state != "Z" and not any(name in command for name in LEFT_ALONE)}


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Every server and crawl a test started is stopped however the test ended: at the end of the
    run, none may be left. One still ending is waited for (a state, polled); one still running is
    named, killed, and fails the run."""
    waiting = threading.Event()
    for _ in range(300):
        left = left_behind()
        if not left:
            return
        waiting.wait(0.1)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    for pid, command in left.items():
        if reporter is not None:
            reporter.write_line(f"LEFT RUNNING by the tests: pid {pid}: {command[:200]}", red=True)
        with contextlib.suppress(OSError):
            os.kill(pid, 9)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
