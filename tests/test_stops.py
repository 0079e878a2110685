"""A crawl stopped by Ctrl-C (SIGINT to the terminal's whole process group) or by SIGTERM to the
crawl alone (``systemctl stop`` with ``KillMode=mixed``) stores everything it received, records the
run as interrupted, exits 130 with one line and no traceback, raises no false alarm, and the next
run completes the archive. The signal is sent by the test server at a request chosen in advance."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading

import pytest

from tests.conftest import FAST, REPO, SAVED, expected_items, query, scrapy_crawl, taking_ctrl_c
from tests.faultserver import FaultPlan, serve_faulty
from tests.sitebuilder.build import build
from tests.sitebuilder.generated import specs

pytestmark = pytest.mark.crawl


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_a_crawl_stopped_by_a_signal_keeps_what_it_received_and_says_interrupted(how, tmp_path):
    db = tmp_path / "a.db"
    plan = FaultPlan(0, share=0)
    started, crawls = threading.Event(), []

    def stop() -> None:
        started.wait(60)
        if how == "ctrl-c":
            os.killpg(crawls[0].pid, signal.SIGINT)
        else:
            crawls[0].send_signal(signal.SIGTERM)

    plan.trips[50] = stop
    with serve_faulty(SAVED / "www", plan) as url:
        command = [sys.executable, "-m", "crawler.ops.cli", "crawl", "--base-url", url, "--db", str(db), *FAST]
        crawls.append(subprocess.Popen(taking_ctrl_c(command), cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                       start_new_session=True))
        started.set()
        out, err = crawls[0].communicate(timeout=300)
        assert crawls[0].returncode == 130, err[-3000:]
        for bad in ("Traceback", "KeyboardInterrupt", "may be lost", "not found", "UNHEALTHY"):
            assert bad not in err, (bad, err[-3000:])
        assert "Interrupted: everything received was stored" in err
        (status, health, stats), = query(db, "SELECT status, health, stats FROM runs")
        assert (status, health) == ("interrupted", "not judged")
        stats = json.loads(stats)
        assert stats["chinasei/writes_lost"] == 0
        assert query(db, "SELECT SUM(fetch_count) FROM responses") == [(stats["response_received_count"],)]
        received = query(db, "SELECT COUNT(*) FROM responses WHERE kind = 'article' AND status = 200")[0][0]
        assert 0 < received < len(expected_items())
        assert query(db, "SELECT COUNT(*) FROM articles") == [(received,)]
        scrapy_crawl(url, db)
    assert sorted(query(db, "SELECT site_id FROM articles")) == sorted((i,) for i in expected_items())


def _interrupt_once(command: list[str], marker: str, stream: str = "stderr") -> tuple[int, str]:
    """Run a ``chinasei`` command, send Ctrl-C (to its whole group, as a terminal does) as soon as
    its ``stream`` shows ``marker``; returns its exit status and everything it wrote."""
    process = subprocess.Popen(taking_ctrl_c(["chinasei", *command]), cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    seen = []
    for line in getattr(process, stream):
        seen.append(line)
        if marker in line:
            os.killpg(process.pid, signal.SIGINT)
            break
    out, err = process.communicate(timeout=120)
    return process.returncode, out + "".join(seen) + err


@pytest.mark.parametrize("marker", [
    "Scrapy 2",  # the crawl is being set up: Scrapy's own Ctrl-C handlers are not installed yet
    "Enabled item pipelines",  # still setting up, its components made
    "Spider opened",  # running
])
def test_ctrl_c_early_in_a_crawl_is_an_interrupted_run(tmp_path, marker):
    db = tmp_path / "a.db"
    with serve_faulty(SAVED / "www", FaultPlan(0, share=0)) as url:
        code, output = _interrupt_once(["crawl", "--base-url", url, "--db", str(db), "-s", "LOG_LEVEL=INFO"], marker)
        assert code == 130, output[-3000:]
        assert "Traceback" not in output and "KeyboardInterrupt" not in output, output[-3000:]
        if db.exists() and query(db, "SELECT COUNT(*) FROM runs")[0][0]:
            assert query(db, "SELECT status FROM runs") == [("interrupted",)]
        scrapy_crawl(url, db)  # and the next run completes the archive
    assert sorted(query(db, "SELECT site_id FROM articles")) == sorted((i,) for i in expected_items())


def test_ctrl_c_early_in_the_demo_is_exit_130_in_one_line(tmp_path):
    """Sent as the demo starts its crawl (it has just said where it serves the site). The site is the
    saved one with 2,000 generated articles, so the crawl lasts far longer than the test takes to read
    that line and send the Ctrl-C, on a busy machine as well: the bundled 44 articles take under two
    seconds, and on a loaded CI machine the Ctrl-C once arrived after the crawl had ended."""
    www = tmp_path / "www"
    build(www, extra=specs(2000))
    db = tmp_path / "demo.db"
    code, output = _interrupt_once(["demo", "--db", str(db), "--site", str(www)], "Serving", stream="stdout")
    assert code == 130, output[-3000:]
    if query(db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'runs'")[0][0]:  # else stopped before it began
        assert query(db, "SELECT status FROM runs") in ([], [("interrupted",)])
        assert query(db, "SELECT COUNT(*) FROM articles")[0][0] < 2000
    assert "Traceback" not in output and "KeyError" not in output, output[-3000:]
    assert "Interrupted" in output
