"""The archive through the ecosystem's own doors: the sqlite-utils CLI and Datasette as they
stand, with our plugins loaded by their entry points."""

from __future__ import annotations

import json
import shutil
import subprocess
from importlib.metadata import version

import pytest

from tests.conftest import REPO, SAVED

pytestmark = pytest.mark.crawl


def sqlite_utils(*args: str) -> subprocess.CompletedProcess:
    command = shutil.which("sqlite-utils")
    assert command, "sqlite-utils is a dependency: pip install -e ."
    return subprocess.run([command, *args], cwd=REPO, capture_output=True, text=True, timeout=120)


def test_the_sqlite_utils_cli_reads_the_pages_view(archive_copy):
    result = sqlite_utils(str(archive_copy), "select url, html from pages where kind = 'article' and status = 200 "
                                             "order by url limit 1")
    assert result.returncode == 0, result.stderr
    (row,) = json.loads(result.stdout)
    saved = (SAVED / "www" / row["url"].split("/", 3)[3]).read_bytes()
    assert row["html"].startswith("<") and "中国战略新兴产业网" in row["html"]
    assert len(row["html"]) > len(saved) // 3  # the whole page as text, decompressed and decoded


def test_the_sqlite_utils_plugin_is_registered():
    result = sqlite_utils("plugins")
    assert result.returncode == 0, result.stderr
    assert {"name": "chinasei", "hooks": ["prepare_connection"], "version": version("chinasei")} in json.loads(result.stdout)
