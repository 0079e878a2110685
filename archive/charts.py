"""A trend as a chart: a Vega-Lite specification, rendered offline by vl-convert.

vl-convert embeds the Vega and Vega-Lite engines: it needs no browser and no network, and writes
SVG or PNG. One query is drawn as bars, two or more as one line each on the same axes. Labels use
the machine's CJK fonts (Debian's ``fonts-noto-cjk``), else Chinese shows as boxes.
"""

from __future__ import annotations

from typing import Any

from archive.trends import Series

#: The chart's colours, one per query (Tableau 10, as Vega-Lite's default scheme).
COLOURS = ["#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac"]
FONT = "Noto Sans CJK SC, Noto Sans SC, sans-serif"


class ChartError(RuntimeError):
    """A chart that cannot be drawn, in words for the user."""


def spec(series: list[Series], by: str, title: str) -> dict[str, Any]:
    """The Vega-Lite specification of a trend."""
    values = [{"period": period, "query": s.query, "count": count} for s in series for period, count in s.counts.items()]
    x = {"field": "period", "type": "ordinal", "title": by, "axis": {"labelAngle": -45}}
    y = {"field": "count", "type": "quantitative", "title": "articles", "axis": {"tickMinStep": 1, "format": "d"}}
    colour = {"field": "query", "type": "nominal", "title": None,
              "scale": {"domain": [s.query for s in series], "range": COLOURS[:len(series)] or COLOURS[:1]}}
    single = len(series) == 1
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": title, "width": max(320, 18 * len(series[0].counts) if series else 320), "height": 240,
        "data": {"values": values},
        "mark": {"type": "bar"} if single else {"type": "line", "point": True},
        "encoding": {"x": x, "y": y, "color": colour, **({"tooltip": [x, y]} if single else {})},
        "config": {"font": FONT, "background": "white"},
    }


def render(chart: dict[str, Any], fmt: str) -> bytes:
    """The chart as ``svg`` or ``png`` bytes."""
    try:
        import vl_convert
    except ImportError:
        raise ChartError("drawing charts needs vl-convert-python: pip install vl-convert-python") from None
    if fmt == "svg":
        return vl_convert.vegalite_to_svg(chart).encode("utf-8")
    if fmt == "png":
        return vl_convert.vegalite_to_png(chart, scale=2)
    raise ValueError(f"no chart format {fmt!r}")
