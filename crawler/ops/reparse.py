"""Re-parsing the archive from its raw responses, with no network: how a parser fix reaches every
article already archived.

Each article URL's last good response is decoded exactly as the crawl decoded it and parsed again;
an article whose content changes is updated (its earlier content kept as a version, reason
``reparse``), a page that failed before and parses now is added. The report counts, per field, how
many articles changed.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from archive.runs import RunStatus
from archive.store import Archive, article_record, decode_row
from crawler.parsing.article import parse_article_response
from crawler.parsing.items import CONTENT_FIELDS, Article, PageFailure
from crawler.runtime import interrupts

BATCH = 512  # pages read (and held in memory) at a time


@dataclass
class ReparseReport:
    """What a re-parse did (or, dry, would do)."""

    run_id: int | None = None
    outcomes: Counter = field(default_factory=Counter)
    fields: Counter = field(default_factory=Counter)
    failures: list[tuple[str, str]] = field(default_factory=list)


def _parse(task: tuple[str, bytes, str | None, str | None]) -> Article:
    """Parse one stored page (in a worker process: parsing is pure)."""
    url, body, content_type, fetched_at = task
    return parse_article_response(url, body, content_type, fetched_at=fetched_at)


def _tasks(archive: Archive) -> Iterator[tuple[str, bytes, str | None, str | None]]:
    for response in archive.latest_article_responses():
        yield response["url"], response["body"], response["content_type"], response["last_fetched_at"]


def _deaf_to_ctrl_c() -> None:
    """A pool worker leaves Ctrl-C to the parent, which stops the pool in order: a worker that died
    of it printed its traceback and could leave ``pool.map`` waiting for ever."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _parsed(archive: Archive, workers: int) -> Iterator[Article]:
    """Every stored article page, parsed: in ``workers`` processes while this one writes."""
    if workers <= 1:
        yield from map(_parse, _tasks(archive))
        return
    tasks = _tasks(archive)
    with multiprocessing.get_context("fork").Pool(workers, initializer=_deaf_to_ctrl_c) as pool:
        # Batches are read here, in the thread that owns the SQLite connection; the pool parses them.
        while batch := list(itertools.islice(tasks, BATCH)):
            yield from pool.map(_parse, batch, chunksize=16)


def reparse(archive: Archive, dry_run: bool = False, workers: int | None = None) -> ReparseReport:
    """Parse every archived article page again; with ``dry_run``, only report what would change.

    Parsing runs in ``workers`` processes (default: one per core) while this process writes, since
    SQLite takes one writer and parsing is most of the work.
    """
    report = ReparseReport()
    if not dry_run:
        report.run_id = archive.start_run("reparse", kind="reparse")
    try:
        # Ctrl-C is acted on between two articles: raised inside one, it could land after the article
        # was saved and before it was counted, and the run's counts would be one short.
        with interrupts.noted(signal.SIGINT) as stopped:
            for article in _parsed(archive, workers if workers is not None else os.cpu_count() or 1):
                _apply(archive, article, report, dry_run)
                if stopped:
                    raise KeyboardInterrupt
    except KeyboardInterrupt:  # each article is its own transaction: what was saved stays, the run says so
        _finish(archive, report, RunStatus.INTERRUPTED)
        raise
    _finish(archive, report, RunStatus.FINISHED)
    return report


def _apply(archive: Archive, article: Article, report: ReparseReport, dry_run: bool) -> None:
    reason = article.unfileable()
    if reason:
        report.failures.append((article.url, reason))
        if report.run_id is not None:
            archive.record_failure(report.run_id, PageFailure(url=article.url, kind="article", reason=reason))
        return
    if dry_run:
        outcome, changed = _compare(archive, article)
    else:
        saved = archive.save_article(report.run_id, article, reason="reparse")
        outcome, changed = saved.outcome, saved.changed
    report.outcomes[outcome] += 1
    report.fields.update(changed)


def _finish(archive: Archive, report: ReparseReport, status: RunStatus) -> None:
    if report.run_id is not None:
        counts = {f"articles_{k}": report.outcomes[k] for k in ("new", "updated", "unchanged")}
        archive.finish_run(report.run_id, status, {**counts, "failures": len(report.failures)}, {})


def _compare(archive: Archive, article: Article) -> tuple[str, tuple[str, ...]]:
    record = article_record(article)
    rows = list(archive.db["articles"].rows_where("site_id = ?", [article.site_id]))
    if not rows:
        return "new", ()
    old = decode_row(rows[0])
    changed = tuple(name for name in CONTENT_FIELDS if old.get(name) != record[name])
    return ("updated" if changed else "unchanged"), changed
