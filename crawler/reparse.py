"""Re-parsing the archive from its raw responses, with no network: how a parser fix reaches every
article already archived.

Each article URL's last good response is decoded exactly as the crawl decoded it and parsed again;
an article whose content changes is updated (its earlier content kept as a version, reason
``reparse``), a page that failed before and parses now is added. The report counts, per field, how
many articles changed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from archive.store import CONTENT_FIELDS, Archive, article_record, decode_row
from crawler.article import parse_article_response
from crawler.items import Article, PageFailure


@dataclass
class ReparseReport:
    """What a re-parse did (or, dry, would do)."""

    run_id: int | None = None
    outcomes: Counter = field(default_factory=Counter)
    fields: Counter = field(default_factory=Counter)
    failures: list[tuple[str, str]] = field(default_factory=list)


def reparse(archive: Archive, dry_run: bool = False) -> ReparseReport:
    """Parse every archived article page again; with ``dry_run``, only report what would change."""
    report = ReparseReport()
    if not dry_run:
        report.run_id = archive.start_run("reparse", kind="reparse")
    for response in archive.latest_article_responses():
        article = parse_article_response(response["url"], response["body"], response["content_type"],
                                         fetched_at=response["last_fetched_at"])
        reason = article.unfileable()
        if reason:
            report.failures.append((response["url"], reason))
            if report.run_id is not None:
                archive.record_failure(report.run_id, PageFailure(url=response["url"], kind="article", reason=reason))
            continue
        if dry_run:
            outcome, changed = _compare(archive, article)
        else:
            saved = archive.save_article(report.run_id, article, reason="reparse")
            outcome, changed = saved.outcome, saved.changed
        report.outcomes[outcome] += 1
        report.fields.update(changed)
    if report.run_id is not None:
        counts = {f"articles_{k}": report.outcomes[k] for k in ("new", "updated", "unchanged")}
        archive.finish_run(report.run_id, "finished", {**counts, "failures": len(report.failures)}, {})
    return report


def _compare(archive: Archive, article: Article) -> tuple[str, tuple[str, ...]]:
    record = article_record(article)
    rows = list(archive.db["articles"].rows_where("site_id = ?", [article.site_id]))
    if not rows:
        return "new", ()
    old = decode_row(rows[0])
    changed = tuple(name for name in CONTENT_FIELDS if old.get(name) != record[name])
    return ("updated" if changed else "unchanged"), changed
