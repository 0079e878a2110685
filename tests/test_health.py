"""Health: a run is judged against the recent healthy runs, and only by more than chance explains."""

from __future__ import annotations

import pytest

from crawler.components.health import assess, lower_tail

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("rates", "parsed", "history", "empty", "warnings"), [
    ({"title": 1.0, "published_at": 1.0, "body": 1.0}, 30, [], 0, []),
    ({"title": 0.2, "published_at": 1.0, "body": 1.0}, 30, [], 0, ["title filled in only 20% of articles"]),
    ({"title": 0.949, "published_at": 1, "body": 1, "images": 0.1}, 30, [{"title": 0.95, "images": 0.12}], 0, []),
    ({"title": 1, "published_at": 1, "body": 1, "images": 0.05}, 3000, [{"images": 0.12}, {"images": 0.10}], 0,
     ["images filled in 5% of articles, down from at least 10% in the last 2 runs"]),
    # the same share in a run of 30 is what chance gives one run in five: no alarm
    ({"title": 1, "published_at": 1, "body": 1, "images": 0.05}, 30, [{"images": 0.12}, {"images": 0.10}], 0, []),
    # 12 new articles, none with a photograph, where one in seven has one: no alarm; 300 are one
    ({"images": 0.0}, 12, [{"images": 0.1364}], 0, []),
    ({"images": 0.0}, 300, [{"images": 0.1364}], 0, ["images filled in 0% of articles, down from at least 14% in the last 1 runs"]),
    ({"title": 0.0}, 5, [{"title": 1.0}], 0, []),
    ({"title": 0.0}, 12, [{"title": 1.0}], 0, ["title filled in 0% of articles, down from at least 100% in the last 1 runs"]),
    ({"title": 0.4}, 10, [], 0, []),  # a first run: 4 of 10 is within chance of half
    ({}, 0, [], 2, ["2 listing pages showed no list of articles"]),
])
def test_health_is_judged_against_recent_runs(rates, parsed, history, empty, warnings):
    full = {"title": 1.0, "published_at": 1.0, "body": 1.0, "category": 1.0, "byline": 0.5, "images": 0.1}
    assert assess({**full, **rates} if rates else {}, parsed, history, empty) == warnings


@pytest.mark.parametrize("k, n, p, expected", [(0, 12, 0.1364, 0.8636 ** 12), (0, 1, 0.5, 0.5), (3, 3, 0.9, 1.0),
                                                (5, 10, 0.0, 1.0), (2, 10, 1.0, 0.0), (1, 2, 0.5, 0.75)])
def test_the_binomial_lower_tail(k, n, p, expected):
    assert lower_tail(k, n, p) == pytest.approx(expected)


def test_the_lower_tail_of_a_large_run_neither_overflows_nor_underflows():
    assert lower_tail(50_000, 100_000, 0.5) == pytest.approx(0.5, abs=0.01)
    assert lower_tail(0, 100_000, 0.5) == 0.0
