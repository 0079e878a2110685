"""How often a subject appears over time: matches of a query counted per month, quarter or year.

The matches are :mod:`archive.search`'s, exactly (the index, and a direct check of articles not
re-indexed yet), counted in SQL by the article's publication time, so a common term over the whole
archive is one query, not a list of ids. Periods with no match inside the span shown count 0, so
a chart's gaps are real.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from archive.search import HITS_SQL, Query

#: A period's label from ``published_at`` (ISO 8601, Beijing time as the site gives it).
PERIODS = {
    "month": "substr(a.published_at, 1, 7)",
    "quarter": "substr(a.published_at, 1, 4) || '-Q' || ((cast(substr(a.published_at, 6, 2) AS INTEGER) + 2) / 3)",
    "year": "substr(a.published_at, 1, 4)",
}


@dataclass(frozen=True)
class Series:
    """One query's counts, period by period (the same periods for every series of a trend)."""

    query: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def trend(db: Database, queries: list[str], by: str = "month", category: str | None = None) -> list[Series]:
    """Per query, its matches per period, over the span from the first to the last period any of
    them matches in."""
    if by not in PERIODS:
        raise ValueError(f"by must be one of {', '.join(PERIODS)}")
    raw = []
    for text in queries:
        Query.parse(text)  # a SearchError for an empty query
        rows = db.execute(
            f"""SELECT {PERIODS[by]} AS period, COUNT(*) FROM ({HITS_SQL}) hits JOIN articles a ON a.site_id = hits.site_id
                WHERE a.published_at IS NOT NULL AND (:category IS NULL OR a.category = :category)
                GROUP BY period ORDER BY period""", {"q": text, "category": category}).fetchall()
        raw.append((text, dict(rows)))
    seen = sorted({period for _, counts in raw for period in counts})
    span = _span(seen[0], seen[-1], by) if seen else []
    return [Series(text, {period: counts.get(period, 0) for period in span}) for text, counts in raw]


def _span(first: str, last: str, by: str) -> list[str]:
    """Every period from ``first`` to ``last``, both included."""
    if by == "year":
        return [str(year) for year in range(int(first), int(last) + 1)]
    step = 12 if by == "month" else 4
    def index(label: str) -> int:
        year, part = label.split("-")
        return int(year) * step + int(part.removeprefix("Q")) - 1
    def label(i: int) -> str:
        year, part = divmod(i, step)
        return f"{year}-{part + 1:02d}" if by == "month" else f"{year}-Q{part + 1}"
    return [label(i) for i in range(index(first), index(last) + 1)]
