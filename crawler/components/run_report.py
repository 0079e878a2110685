"""The run's report: its counts, its health and the channels it must find, recorded in ``runs``
and logged as a summary that names every failure.

Only a finished run that had responses is judged: a run that did not finish has gaps that are not
the site's. Health compares this run's fill rates with the recent runs' (:mod:`.health`).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from typing import Any

from scrapy.statscollectors import StatsCollector

from archive.runs import RunStatus
from archive.search import SearchError
from archive.store import Archive
from archive.watches import WATCH_STAT, Watches, watch_counts
from crawler.components import health
from crawler.parsing import site
from crawler.parsing.items import PageFailure

logger = logging.getLogger(__name__)


class RunReport:
    """Record how a run went, from Scrapy's stats and what the archive now holds."""

    def __init__(self, archive: Archive, run_id: int, stats: StatsCollector):
        self.archive = archive
        self.run_id = run_id
        self.stats = stats.get_stats()

    def finish(self, status: RunStatus) -> None:
        """Write the run's end, counts and verdict, and log the summary."""
        judged = status is RunStatus.FINISHED and self.stats.get("downloader/response_count", 0) > 0
        missing = self._record_missing_channels() if judged else []
        counts = {
            "requests": self.stats.get("downloader/request_count", 0),
            "responses": self.stats.get("downloader/response_count", 0),
            "listing_pages": self.stats.get("chinasei/listing_pages", 0),
            "articles_new": self.stats.get("chinasei/articles/new", 0),
            "articles_updated": self.stats.get("chinasei/articles/updated", 0),
            "articles_unchanged": self.stats.get("chinasei/articles/unchanged", 0),
            "failures": len(self.archive.failures(self.run_id)),
            **self._health(missing, judged),
        }
        self.stats.update({f"{WATCH_STAT}{name}": count for name, count in self._watched().items()})
        self.archive.finish_run(self.run_id, status, counts, {k: _plain(v) for k, v in self.stats.items()})
        self._log_summary(counts)

    def _watched(self) -> dict[str, int]:
        """Per saved search, how many of the articles this run archived it matches (a search that
        cannot be run is reported, and never fails the run)."""
        try:
            return Watches(self.archive.db).new_in_run(self.run_id)
        except (SearchError, sqlite3.Error) as error:
            logger.warning("Could not count what the saved searches found: %s", error)
            return {}

    def _health(self, missing_channels: list[str], judged: bool) -> dict[str, Any]:
        """Fill rates, responses by status and the health verdict, judged against recent runs."""
        parsed = self.stats.get("chinasei/parsed", 0)
        rates = health.fill_rates({n: self.stats.get(f"chinasei/fill/{n}", 0) for n in health.WATCHED}, parsed)
        history = []
        for run in self.archive.recent_runs(self.run_id):
            fill = json.loads(run["field_fill"] or "{}")
            if fill.get("parsed", 0) >= health.MIN_PARSED and run["health"] != "unhealthy":  # a broken run is no baseline
                history.append(fill["rates"])
        warnings = []
        if judged:
            warnings += health.assess(rates, parsed, history, self.stats.get("chinasei/empty_listings", 0))
            warnings += health.media(self.stats.get("chinasei/media/downloaded", 0), self.stats.get("chinasei/media/failed", 0))
            if unsettled := self.stats.get("chinasei/ledger/open", 0):
                warnings.append(f"{unsettled} pages asked for had no outcome (recorded as failures)")
            warnings += [f"channel {name} ({url}) listed articles before and now lists none"
                         for url, name in self.archive.emptied_channels(self.run_id)]
        warnings += [f"channel {name} was not found" for name in missing_channels]
        for warning in warnings:
            logger.error("Health: %s — has the portal changed its templates? See crawler/parsing/site.py", warning)
        by_status = {k.rsplit("/", 1)[1]: v for k, v in self.stats.items() if k.startswith("downloader/response_status_count/")}
        return {
            "responses_by_status": json.dumps(by_status),
            "field_fill": json.dumps({"parsed": parsed, "rates": rates}),
            "health": ("unhealthy" if warnings else "ok") if judged else "not judged",
            "warnings": json.dumps(warnings, ensure_ascii=False),
        }

    def _record_missing_channels(self) -> list[str]:
        """A channel every crawl must find (领跑者) that this one stored no listing page of is a
        failure of the run; returns the missing ones."""
        found = self.archive.channel_names(self.run_id)
        missing = [name for name in site.REQUIRED_CHANNELS if name not in found]
        for name in missing:
            logger.error("Channel %s was not found from the home page or any page it links to", name)
            reason = f"channel {name} not found: the home page no longer links it"
            self.archive.record_failure(self.run_id, PageFailure(url=site.HOME_URL, kind="channel", reason=reason))
        return missing

    def _log_summary(self, counts: dict[str, Any]) -> None:
        total = counts["articles_new"] + counts["articles_updated"] + counts["articles_unchanged"]
        logger.info(
            "Run %d: %d articles (%d new, %d updated, %d unchanged) from %d listing pages; %d failures",
            self.run_id, total, counts["articles_new"], counts["articles_updated"], counts["articles_unchanged"],
            counts["listing_pages"], counts["failures"],
        )
        watched = watch_counts(self.stats)
        if watched:
            logger.info("Saved searches: %s", watched)
        for failure in self.archive.failures(self.run_id):
            logger.warning("  failed %s [%s] %s", failure["url"], failure["kind"], failure["reason"])
        fallbacks = {k.rsplit("/", 1)[1]: v for k, v in self.stats.items() if k.startswith("chinasei/fallback/")}
        if fallbacks:
            logger.warning(
                "Generic fallbacks were needed (field: articles) %s: the portal's templates may have changed; "
                "compare a page with crawler/parsing/site.py",
                fallbacks,
            )


def _plain(value: Any) -> Any:
    """A stats value as JSON can hold it."""
    return value if isinstance(value, (int, float, str, bool, type(None))) else str(value)
