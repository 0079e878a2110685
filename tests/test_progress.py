"""The terminal's status line and the log never share a line."""

from __future__ import annotations

import io
import logging
import re
import subprocess
import sys

import pytest
from rich.console import Console

from crawler.components.progress import StatusLine
from tests.conftest import REPO

pytestmark = pytest.mark.unit


def test_log_lines_print_above_the_status_line_never_glued_to_it(monkeypatch):
    terminal = io.StringIO()
    monkeypatch.setattr(sys, "stderr", terminal)
    handler = logging.StreamHandler(sys.stderr)  # as Scrapy's root handler holds the terminal
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        status = StatusLine(Console(file=terminal, force_terminal=True, width=100))
        status.start()
        for n in range(3):
            status.show(f"{n} pages (60/min), 0 articles")
            logging.getLogger("crawler.test").warning("Failed article http://www.chinasei.com.cn/t20201124_%d.html", n)
        status.stop()
        assert handler.stream is terminal  # given back
    finally:
        root.removeHandler(handler)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", terminal.getvalue()).replace("\r", "\n")
    lines = [line for line in text.split("\n") if line.strip()]
    for n in range(3):
        (logged,) = [line for line in lines if f"_{n}.html" in line]
        assert logged == f"Failed article http://www.chinasei.com.cn/t20201124_{n}.html"
    assert all("pages (60/min)" not in line for line in lines if "Failed article" in line)


def test_a_crawl_without_a_terminal_does_not_import_rich():
    """rich is for the status line; a crawl whose log goes to a file never draws one."""
    script = (
        "import importlib, sys\n"
        "from scrapy.utils.project import get_project_settings\n"
        "import spiders.chinasei\n"
        "settings = get_project_settings()\n"
        "for key in ('DOWNLOADER_MIDDLEWARES', 'SPIDER_MIDDLEWARES', 'ITEM_PIPELINES', 'EXTENSIONS'):\n"
        "    for path in settings.getdict(key):\n"
        "        importlib.import_module(path.rsplit('.', 1)[0])\n"
        "import crawler.components.progress\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'rich'))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
