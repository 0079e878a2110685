"""Following a topic: ``chinasei watch`` (saved searches, kept in the archive, that say what is
new) and ``chinasei trend`` (how often a subject appears over time, as bars or a chart).

The commands of :mod:`archive.watches`, :mod:`archive.trends` and :mod:`archive.charts`,
registered on :data:`crawler.ops.cli.cli`.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from archive import charts, trends
from archive.search import SearchError
from archive.store import now
from archive.trends import PERIODS
from archive.watches import WatchError, Watches
from crawler.ops.common import (
    DB_OPTION,
    article_lines,
    check_category,
    open_existing,
    open_read_only,
    text_argument,
    written_aside,
)
from crawler.parsing.terminal import printable


@click.group()
def watch() -> None:
    """Saved searches: follow a subject (氢能, 储能, a company) and see what each crawl brings.

    Example: chinasei watch add 氢能 氢能 --db archive.db, then after a crawl: chinasei watch show 氢能 --new
    """


@watch.command("add")
@click.argument("name")
@click.argument("query")
@click.option("--category", help="Only this channel (as the breadcrumb names it, e.g. 领跑者).")
@DB_OPTION
def add(name: str, query: str, category: str | None, db: str) -> None:
    """Save QUERY (chinasei search's language) as NAME; what it matches now counts as seen.

    Example: chinasei watch add 储能领跑者 "储能 -抽水" --category 领跑者 --db archive.db
    """
    text_argument(name, "name")
    text_argument(query)
    archive = open_existing(db)
    try:
        check_category(archive, category, db)
        matched = Watches(archive.db).add(name, query, category, now())
    except WatchError as error:
        raise click.UsageError(str(error)) from None
    finally:
        archive.close()
    click.echo(printable(f"Saved {name.strip()}: {matched} articles match it now (counted as seen). "
                         f"After a crawl: chinasei watch show {name.strip()} --new"))


@watch.command("list")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def list_(db: str, as_json: bool) -> None:
    """The saved searches, with how many articles each matches and how many are new.

    Example: chinasei watch list --db archive.db
    """
    archive = open_read_only(db)
    try:
        watches = Watches(archive.db)
        rows = []
        for w in watches.all():
            matched = watches.matches(w)  # once: the new ones are among them
            rows.append((w, len(matched), len(watches.unseen(w, matched))))
    finally:
        archive.close()
    for w, matched, new in rows:
        if as_json:
            click.echo(json.dumps({**vars(w), "matches": matched, "new": new}, ensure_ascii=False))
        else:
            where = f" in {w.category}" if w.category else ""
            click.echo(printable(f"{w.name}: {w.query}{where} — {matched} articles, {new} new"))
    if not rows and not as_json:
        click.echo("No saved searches yet: chinasei watch add NAME QUERY", err=True)


@watch.command("remove")
@click.argument("name")
@DB_OPTION
def remove(name: str, db: str) -> None:
    """Forget a saved search (and which of its articles were seen).

    Example: chinasei watch remove 氢能 --db archive.db
    """
    text_argument(name, "name")
    archive = open_existing(db)
    try:
        Watches(archive.db).remove(name)
    except WatchError as error:
        raise click.UsageError(str(error)) from None
    finally:
        archive.close()
    click.echo(printable(f"Removed {name}"))


@watch.command("show")
@click.argument("name")
@click.option("--new", "new_only", is_flag=True, help="Only the articles not seen yet, then mark them seen.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many (the newest).")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def show(name: str, new_only: bool, limit: int | None, db: str, as_json: bool) -> None:
    """The articles a saved search matches, newest first.

    Example: chinasei watch show 氢能 --new --db archive.db
    """
    text_argument(name, "name")
    archive = open_existing(db) if new_only else open_read_only(db)
    try:
        watches = Watches(archive.db)
        saved = watches.get(name)
        ids = watches.unseen(saved) if new_only else watches.matches(saved)
        ids = ids[:limit] if limit else ids
        rows = watches.articles(saved, ids)
        if new_only:  # what was shown is seen; past --limit, the rest stay new
            watches.mark_seen(saved, ids, now())
    except WatchError as error:
        raise click.UsageError(str(error)) from None
    finally:
        archive.close()
    for row in rows:
        _echo(row, as_json)
    if not rows and not as_json:
        click.echo(f"Nothing {'new ' if new_only else ''}for {name}.", err=True)


def _echo(row: dict, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(row, ensure_ascii=False))
        return
    click.echo(article_lines(row["published_at"], row["category"], row["title"], row["snippet"], row["url"]))


@click.command()
@click.argument("queries", nargs=-1, required=True, metavar="QUERY...")
@click.option("--by", type=click.Choice(sorted(PERIODS)), default="month", show_default=True, help="The period counted.")
@click.option("--category", help="Only this channel (as the breadcrumb names it, e.g. 领跑者).")
@click.option("--png", "png", type=click.Path(dir_okay=False, path_type=Path), help="Also draw the chart into this PNG file.")
@click.option("--svg", "svg", type=click.Path(dir_okay=False, path_type=Path), help="Also draw the chart into this SVG file.")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="One JSON object per query and period.")
def trend(queries: tuple[str, ...], by: str, category: str | None, png: Path | None, svg: Path | None, db: str,
          as_json: bool) -> None:
    """How many articles match each query, per month, quarter or year, with a bar per row; with
    --png or --svg, as a chart (bars for one query, a line each for several).

    Example: chinasei trend 氢能 储能 光伏 --by year --png trend.png --db archive.db
    """
    for text in queries:
        text_argument(text)
    archive = open_read_only(db)
    try:
        check_category(archive, category, db)
        series = trends.trend(archive.db, list(queries), by, category)
    except SearchError as error:
        raise click.UsageError(str(error)) from None
    finally:
        archive.close()
    if as_json:
        for s in series:
            for period, count in s.counts.items():
                click.echo(json.dumps({"query": s.query, "period": period, "count": count}, ensure_ascii=False))
    else:
        _bars(series)
    title = " · ".join(queries) + (f" ({category})" if category else "")
    for path, fmt in ((png, "png"), (svg, "svg")):
        if path is not None:
            _draw(charts.spec(series, by, title), fmt, path)


#: The widest bar the terminal trend draws, in characters.
BAR_WIDTH = 40


def _bars(series: list[trends.Series]) -> None:
    """Counts per period, a bar per row scaled to the largest count, one block per query."""
    peak = max((count for s in series for count in s.counts.values()), default=0)
    for s in series:
        click.echo(printable(f"{s.query}: {s.total} articles"))
        for period, count in s.counts.items():
            bar = "█" * round(BAR_WIDTH * count / peak) if peak else ""
            click.echo(printable(f"  {period:<8} {bar} {count}"))
    if peak == 0:
        click.echo("No article matches.", err=True)


def _draw(chart: dict, fmt: str, path: Path) -> None:
    try:
        data = charts.render(chart, fmt)
    except charts.ChartError as error:
        raise click.ClickException(str(error)) from None
    with written_aside(path, binary=True) as out:
        out.write(data)
    click.echo(f"wrote {path}", err=True)
