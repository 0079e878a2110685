"""``chinasei trend``: matches per period, exactly search's, as bars in the terminal and as a chart
drawn offline, read back with a real image library."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

from archive.charts import COLOURS
from archive.store import Archive
from archive.trends import _span, trend
from tests.conftest import REPO, archive_saved_site

pytestmark = pytest.mark.crawl


@pytest.fixture(scope="module")
def site_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("trend") / "site.db"
    archive_saved_site(db).close()
    return db


def chinasei(*args: str, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.ops.cli", *args, "--db", str(db)], cwd=REPO,
                          capture_output=True, text=True, timeout=180)


@pytest.mark.parametrize("by", ["month", "quarter", "year"])
@pytest.mark.parametrize("text", ["储能", "风电 OR 光伏", "产业 -储能", "\"新型储能\""])
def test_a_trend_counts_exactly_what_search_matches(site_db, by, text):
    archive = Archive.read_only(site_db)
    ids = archive.search_index.site_ids(text)
    published = dict(archive.db.execute("SELECT site_id, published_at FROM articles").fetchall())
    (series,) = trend(archive.db, [text], by)
    archive.close()
    label = {"month": lambda p: p[:7], "year": lambda p: p[:4],
             "quarter": lambda p: f"{p[:4]}-Q{(int(p[5:7]) + 2) // 3}"}[by]
    expected = Counter(label(published[i]) for i in ids)
    assert {k: v for k, v in series.counts.items() if v} == dict(expected)
    assert series.total == len(ids)
    assert list(series.counts) == sorted(series.counts)  # every period of the span, in order


@pytest.mark.parametrize(("first", "last", "by", "expected"), [
    ("2023-11", "2024-02", "month", ["2023-11", "2023-12", "2024-01", "2024-02"]),
    ("2023-Q4", "2024-Q2", "quarter", ["2023-Q4", "2024-Q1", "2024-Q2"]),
    ("2019", "2021", "year", ["2019", "2020", "2021"]),
    ("2024-05", "2024-05", "month", ["2024-05"]),
])
def test_the_span_has_every_period_between(first, last, by, expected):
    assert _span(first, last, by) == expected


def test_several_queries_share_one_span(site_db):
    archive = Archive.read_only(site_db)
    series = trend(archive.db, ["储能", "风电", "一个不会出现的词组合"], "year")
    archive.close()
    assert len({tuple(s.counts) for s in series}) == 1
    assert series[2].total == 0 and all(v == 0 for v in series[2].counts.values())


def test_the_terminal_trend_draws_a_bar_per_period(site_db):
    done = chinasei("trend", "储能", "--by", "year", db=site_db)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("储能: ") and lines[0].endswith(" articles")
    rows = [line.split() for line in lines[1:]]
    counts = {row[0]: int(row[-1]) for row in rows}
    widest = max(counts.values())
    for row in rows:
        bar = row[1] if len(row) == 3 else ""
        assert len(bar) == round(40 * int(row[-1]) / widest)
    as_json = [json.loads(line) for line in chinasei("trend", "储能", "--by", "year", "--json", db=site_db).stdout.splitlines()]
    assert {r["period"]: r["count"] for r in as_json} == counts


def colours(path: Path) -> Counter:
    """How many pixels of each colour the image has."""
    with Image.open(path) as image:
        data = image.convert("RGB").tobytes()
    return Counter(zip(data[0::3], data[1::3], data[2::3], strict=True))


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def test_a_trend_chart_of_one_query_is_bars(site_db, tmp_path):
    png = tmp_path / "trend.png"
    done = chinasei("trend", "储能", "--by", "quarter", "--png", str(png), db=site_db)
    assert done.returncode == 0, done.stderr
    with Image.open(png) as image:
        assert image.format == "PNG" and image.width >= 640 and image.height >= 480  # drawn at scale 2
    pixels = colours(png)
    assert pixels[rgb(COLOURS[0])] > 2000  # the bars: solid blocks of the first colour
    assert pixels[rgb(COLOURS[1])] == 0  # one query, one colour


def test_a_trend_chart_of_several_queries_is_a_line_each(site_db, tmp_path):
    png, svg = tmp_path / "trend.png", tmp_path / "trend.svg"
    done = chinasei("trend", "储能", "风电", "--by", "year", "--png", str(png), "--svg", str(svg), db=site_db)
    assert done.returncode == 0, done.stderr
    pixels = colours(png)
    assert pixels[rgb(COLOURS[0])] > 100 and pixels[rgb(COLOURS[1])] > 100
    text = svg.read_text(encoding="utf-8")
    assert text.startswith("<svg") and COLOURS[0] in text and COLOURS[1] in text and "储能" in text


@pytest.mark.parametrize(("args", "message"), [
    (["trend"], "Missing argument 'QUERY...'"),
    (["trend", "  "], "query"),
    (["trend", "储能", "--by", "week"], "'week' is not one of"),
    (["trend", "储能", "--category", "没有的频道"], "no category '没有的频道'"),
    (["trend", "储能", "--png", "/no/such/folder/x.png"], "there is no folder /no/such/folder"),
    (["trend", "储能", "\udcff"], "the query is not valid UTF-8 text"),
])
def test_a_bad_trend_is_one_clear_line(site_db, args, message):
    done = chinasei(*args, db=site_db)
    assert done.returncode in (1, 2) and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
