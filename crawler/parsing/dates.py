"""Publication times as the site writes them, read into ISO 8601 with the site's zone.

The site writes ``2020-11-24 15:11``, ``2021-05-25`` and ``2019年03月05日 09:30``, always Beijing
time with no zone. A date that does not exist (``2021-02-30``) is not a date: it is skipped and
reported, never moved to a neighbouring day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from crawler.parsing import site

DATE_TIME = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})(?!\d)\s*日?"
    r"(?:\s*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{2})(?:\s*[:：分]\s*(?P<S>\d{2}))?)?"
)


@dataclass(frozen=True)
class FoundDate:
    """A date found in text: the ISO string, whether a time of day was given, what was read."""

    iso: str
    has_time: bool
    text: str


def to_iso(moment: datetime) -> str:
    """ISO 8601 in Beijing time, to the second: ``2020-11-24T15:11:00+08:00``."""
    return moment.replace(tzinfo=site.TIMEZONE).isoformat(timespec="seconds")


def find_dates(text: str) -> tuple[list[FoundDate], list[str]]:
    """Every real date in ``text`` in order, and a note for each one that cannot exist."""
    found, bad = [], []
    if "19" not in text and "20" not in text:  # no year: most lines a parser asks about, settled at C speed
        return found, bad
    for match in DATE_TIME.finditer(text):
        parts = {k: int(v) for k, v in match.groupdict().items() if v is not None}
        try:
            moment = datetime(
                parts["y"], parts["m"], parts["d"], parts.get("H", 0), parts.get("M", 0), parts.get("S", 0)
            )
        except ValueError:
            bad.append(f"impossible date {match.group(0).strip()!r}")
            continue
        found.append(FoundDate(to_iso(moment), "H" in parts, match.group(0).strip()))
    return found, bad


def date_from_url(url: str) -> str | None:
    """The day in ``t20201124_40123.html``, as midnight Beijing time."""
    match = site.ARTICLE_PATH.search(url)
    if not match:
        return None
    try:
        return to_iso(datetime.strptime(match.group("date"), "%Y%m%d"))
    except ValueError:
        return None
