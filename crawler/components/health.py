"""Is this run's parsing as healthy as the runs before it? A template change on the portal shows up
as fields suddenly missing in many articles, or listings suddenly without their list.

Judged against the last few healthy runs, not a fixed target: a field is flagged when its fill rate
(the share of parsed article pages that had it) falls well below the lowest rate of the recent runs
that parsed enough articles to compare — and by more than the number of pages parsed explains: a
run of 12 new articles none of which has a photograph is no alarm when one article in seven has
one (that happens by chance one run in six), but 300 without one is. With no history yet,
essential fields must be filled in most pages, judged the same way. A run judged unhealthy never
becomes the baseline, or the next real break would be measured against the broken run. Spidermon
does this kind of check with a framework of monitors and actions; the few checks we need are a
few dozen lines, and their result lives in the archive's ``runs`` table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from crawler.parsing.items import WATCHED_FIELDS

#: Fields whose fill rate is watched; the essentials are watched even on a first run.
WATCHED = tuple(WATCHED_FIELDS)
ESSENTIAL = ("title", "published_at", "body")
MIN_PARSED = 10  # a run that parsed fewer articles than this is neither judged by its rates nor a baseline
SIGNIFICANCE = 0.001  # a fill this low is an alarm only if a healthy run shows it less often than this
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
        warnings.append(f"{empty_listings} listing pages showed no list of articles")
    if parsed < MIN_PARSED:
        return warnings
    comparable = [run for run in history if run]
    for name in WATCHED:
        rate = rates.get(name, 0.0)
        previous = [run[name] for run in comparable if name in run]
        if previous:
            lowest = min(previous)
            if rate < lowest * RELATIVE_DROP and _unlikely(rate, parsed, lowest):
                warnings.append(f"{name} filled in {rate:.0%} of articles, down from at least {lowest:.0%} in the last {len(previous)} runs")
        elif name in ESSENTIAL and rate < FIRST_RUN_FLOOR and _unlikely(rate, parsed, FIRST_RUN_FLOOR):
            warnings.append(f"{name} filled in only {rate:.0%} of articles")
    return warnings


def _unlikely(rate: float, parsed: int, expected: float) -> bool:
    """True when so few of ``parsed`` articles having the field is rarer than ``SIGNIFICANCE`` for a
    run whose pages each have it with probability ``expected``: the binomial distribution's lower tail."""
    return parsed > 0 and lower_tail(round(rate * parsed), parsed, expected) < SIGNIFICANCE


def lower_tail(k: int, n: int, p: float) -> float:
    """P(X ≤ k) for X ~ Binomial(n, p), summed in logarithms so that large runs neither overflow nor
    underflow."""
    if p <= 0.0 or k >= n:
        return 1.0
    if p >= 1.0:
        return 0.0
    log_p, log_q, log_n = math.log(p), math.log1p(-p), math.lgamma(n + 1)
    terms = (log_n - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_p + (n - i) * log_q for i in range(k + 1))
    return min(1.0, sum(math.exp(t) for t in terms))


def media(fetched: int, failed: int) -> list[str]:
    """A warning when most of the images and attachments a run asked for failed: the portal may
    serve them from a new place (a few 404s among many are the site's, and recorded one by one)."""
    tried = fetched + failed
    if tried >= MIN_MEDIA_TRIED and failed > tried * MEDIA_FAILED_SHARE:
        return [f"{failed} of the {tried} media fetched failed (images, attachments, layout files)"]
    return []
