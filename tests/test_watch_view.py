"""A saved search's page in headless Chromium: its chart drawn from the plugin's own SVG, with no
request off 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
import urllib.parse

import pytest

from archive.charts import COLOURS
from tests.conftest import REPO, archive_saved_site, chinasei_serve
from tests.test_article_view import chromium, load, pixels_near  # noqa: F401 - chromium is a fixture

pytestmark = pytest.mark.browser


def test_a_saved_searchs_page_draws_its_chart_from_the_archive_alone(chromium, tmp_path):  # noqa: F811
    db = tmp_path / "site.db"
    archive_saved_site(db).close()
    added = subprocess.run([sys.executable, "-m", "crawler.ops.cli", "watch", "add", "储能", "储能", "--db", str(db)],
                           cwd=REPO, capture_output=True, text=True, timeout=60)
    assert added.returncode == 0, added.stderr
    with chinasei_serve(db) as base:
        url = f"{base}/-/chinasei/site/watch/{urllib.parse.quote('储能')}"
        requested, everything = load(chromium, url, tmp_path, tmp_path / "watch.png")
    assert all(u.startswith(base + "/") for u in requested), requested
    assert any(u.endswith(".svg") for u in requested)  # the chart, from the plugin
    assert all(u.startswith(("http://127.0.0.1", "data:")) for u in everything if "/-/chinasei/" in u or u.endswith(".svg"))
    bars = tuple(int(COLOURS[0][i:i + 2], 16) for i in (1, 3, 5))
    assert pixels_near(tmp_path / "watch.png", bars, 8) > 1000  # the chart's bars are drawn
