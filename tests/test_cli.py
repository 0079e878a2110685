"""The ``chinasei`` command, run as a user runs it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.ops.cli import cli
from tests.conftest import REPO, expected_items

pytestmark = pytest.mark.crawl


def chinasei(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.ops.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})


def test_demo_then_stats_and_failures(tmp_path: Path):
    demo = chinasei("demo", "--db", "demo.db", cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    count = len(expected_items())
    assert f"{count} articles — {count} new" in demo.stdout
    assert "天津北辰区:2020年携手奔小康 助力四个受援地区全部实现脱贫摘帽  [王敏]" in demo.stdout
    assert "t20210301_99999.html  HTTP 404" in demo.stdout
    assert "12 images, attachments and layout files kept" in demo.stdout and "chinasei serve --db demo.db" in demo.stdout

    stats = chinasei("stats", "--db", "demo.db", "--json", cwd=tmp_path)
    summary = json.loads(stats.stdout)
    leaders = sum(1 for item in expected_items().values() if item["category"] == "领跑者")
    assert summary["articles"] == count and summary["by_category"]["领跑者"] == leaders

    failures = chinasei("failures", "--db", "demo.db", cwd=tmp_path)
    assert "HTTP 404" in failures.stdout

    text = chinasei("stats", "--db", "demo.db", cwd=tmp_path).stdout
    assert f"{count} articles, " in text and "), 1 run\n" in text  # not "1 runs"


@pytest.mark.parametrize(("number", "noun", "said"), [(0, "run", "0 runs"), (1, "run", "1 run"), (2, "article", "2 articles"),
                                                      (1, "listing page", "1 listing page"), (1200, "request", "1,200 requests")])
def test_counts_are_said_in_english(number, noun, said):
    from crawler.ops.cli import _count

    assert _count(number, noun) == said


def test_stats_on_a_missing_archive_is_a_clear_error(tmp_path: Path):
    result = CliRunner().invoke(cli, ["stats", "--db", str(tmp_path / "none.db")])
    assert result.exit_code != 0 and "no archive at" in result.output


def test_every_command_has_an_example_and_is_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        assert "Example:" in (command.help or ""), name
        assert re.search(rf"chinasei {re.escape(name)}(?![\w-])", readme), f"README does not show `chinasei {name}`"


def test_the_readme_stays_short():
    assert len((REPO / "README.md").read_bytes()) <= 10 * 1024  # the rest is in docs/
