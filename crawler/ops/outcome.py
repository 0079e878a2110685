"""What a crawl's end means to the program that ran it: an exit status and the lines that say why.

One table for ``chinasei crawl`` and ``scrapy crawl chinasei`` alike, so cron and systemd see the
same status whichever started the crawl:

| exit | when |
|---|---|
| 0 | the run finished (or a CLOSESPIDER_* limit stopped it), or another crawl holds the archive |
| 1 | nothing answered: is the site reachable? |
| 3 | the run looks unhealthy (fields missing in many articles, empty listings, media failing) |
| 4 | the archive could not be written or used (the writes lost are counted), or the run ended early |
| 130 | stopped by Ctrl-C or SIGTERM: everything received was stored, the next run resumes |
"""

from __future__ import annotations

import json
from typing import Any

from archive.runs import RunStatus

INTERRUPTED_EXIT = 130


def verdict(run: dict[str, Any], db: str) -> tuple[int, list[str]]:
    """The exit status for a crawl's result (:func:`crawler.ops.crawl.run_result`), and the lines to
    print on standard error."""
    status = RunStatus(run["status"])
    if status is RunStatus.LOCKED:
        return 0, [f"Not crawling: {run['message']}. This run exits without touching {db}."]
    if status is RunStatus.UNAVAILABLE:
        return 4, [f"Not crawling: {run['message']}"]
    if status is RunStatus.FAILED:
        why = f": {run['lost_because']}" if run.get("lost_because") else "; see the log for why"
        return 4, [f"FAILED: {run['lost_writes']} of {run['writes_sent']} writes were not stored in {db}{why}. "
                   "Run again once the archive can be written: nothing stored is lost."]
    if status is RunStatus.INTERRUPTED:
        return INTERRUPTED_EXIT, ["Interrupted: everything received was stored; the next run resumes."]
    if status not in (RunStatus.FINISHED, RunStatus.STOPPED_BY_LIMIT):
        return 4, [f"FAILED: the run ended early ({status.value}); see the log above."]
    if not run.get("responses"):
        return 1, ["No response came back: is the site reachable?"]
    if run.get("health") == "unhealthy":
        return 3, [f"UNHEALTHY: {warning}" for warning in json.loads(run["warnings"])]
    return 0, []
