"""Is this run's parsing as healthy as the runs before it? A template change on the portal shows up
as fields suddenly missing in many articles, or listings suddenly empty.

Judged against the last few runs, not a fixed target: a field is flagged when its fill rate (the
share of parsed article pages that had it) falls well below the lowest rate of the recent runs that
parsed enough articles to compare. With no history yet, essential fields must simply be filled in
most pages. Spidermon does this kind of check with a framework of monitors and actions; the few
checks we need are a dozen lines, and their result lives in the archive's ``runs`` table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from crawler.parsing.items import WATCHED_FIELDS

#: Fields whose fill rate is watched; the essentials are watched even on a first run.
WATCHED = tuple(WATCHED_FIELDS)
ESSENTIAL = ("title", "published_at", "body")
MIN_PARSED = 10  # fewer parsed articles than this say nothing about rates
RELATIVE_DROP = 0.8  # flagged below 80% of the lowest recent rate
FIRST_RUN_FLOOR = 0.5
MIN_MEDIA_TRIED = 5  # fewer media fetched than this say nothing about their failures
MEDIA_FAILED_SHARE = 0.5  # more of them failing than this: the portal may have moved its media


def fill_rates(counts: Mapping[str, int], parsed: int) -> dict[str, float]:
    """Fill rate per watched field, from counts of articles that had it."""
    return {name: round(counts.get(name, 0) / parsed, 4) for name in WATCHED} if parsed else {}


def assess(rates: Mapping[str, float], parsed: int, history: Sequence[Mapping[str, float]], empty_listings: int) -> list[str]:
    """Warnings about this run; none means healthy."""
    warnings = []
    if empty_listings:
        warnings.append(f"{empty_listings} listing pages showed no articles")
    if parsed < MIN_PARSED:
        return warnings
    comparable = [run for run in history if run]
    for name in WATCHED:
        rate = rates.get(name, 0.0)
        previous = [run[name] for run in comparable if name in run]
        if previous:
            lowest = min(previous)
            if rate < lowest * RELATIVE_DROP:
                warnings.append(f"{name} filled in {rate:.0%} of articles, down from at least {lowest:.0%} in the last {len(previous)} runs")
        elif name in ESSENTIAL and rate < FIRST_RUN_FLOOR:
            warnings.append(f"{name} filled in only {rate:.0%} of articles")
    return warnings


def media(fetched: int, failed: int) -> list[str]:
    """A warning when most of the images and attachments a run asked for failed: the portal may
    serve them from a new place (a few 404s among many are the site's, and recorded one by one)."""
    tried = fetched + failed
    if tried >= MIN_MEDIA_TRIED and failed > tried * MEDIA_FAILED_SHARE:
        return [f"{failed} of the {tried} images and attachments fetched failed"]
    return []
