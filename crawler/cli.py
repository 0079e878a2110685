"""The ``chinasei`` command: a thin layer over :mod:`crawler.run` and :mod:`archive.store`."""

from __future__ import annotations

import html
import json
import sys
from pathlib import Path
from typing import Any

import click

from archive.store import Archive
from crawler import localsite

DB_OPTION = click.option("--db", default="archive.db", show_default=True, help="The archive file.")


@click.group()
@click.version_option(package_name="chinasei")
def cli() -> None:
    """Archive 中国战略新兴产业网 (www.chinasei.com.cn) into SQLite."""


def _settings(pairs: tuple[str, ...]) -> dict[str, str]:
    settings = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="-s")
        settings[key] = value
    return settings


@cli.command()
@DB_OPTION
@click.option("--base-url", help="Crawl a copy of the site at this address instead of the portal.")
@click.option("--full", is_flag=True, help="Walk every listing to its end and fetch every article again.")
@click.option("-s", "--set", "pairs", multiple=True, metavar="KEY=VALUE", help="A Scrapy setting; repeatable.")
def crawl(db: str, base_url: str | None, full: bool, pairs: tuple[str, ...]) -> None:
    """Crawl the live portal into the archive, politely (robots.txt, AutoThrottle, 1 s delay).

    Incremental unless --full: listings are read newest first and left where the archive already
    is. Exit status: 0 done (or another crawl holds the archive), 1 nothing reachable, 3 the run
    looks unhealthy (fields missing in many articles, empty listings: see the log).

    Example: chinasei crawl --db archive.db -s LOG_LEVEL=WARNING
    """
    from crawler.run import crawl as run_crawl

    settings = _settings(pairs)
    if full:
        settings["ARCHIVE_INCREMENTAL"] = False
    run = run_crawl(base_url=base_url, db=db, settings=settings)
    if run["status"] == "archive_locked":
        click.echo(f"Not crawling: {run['message']}. This run exits without touching {db}.", err=True)
        return
    _print_run(run)
    if not run["responses"]:
        click.echo("No response came back: is the site reachable?", err=True)
        sys.exit(1)
    if run.get("health") == "unhealthy":
        for warning in json.loads(run["warnings"]):
            click.echo(f"UNHEALTHY: {warning}", err=True)
        sys.exit(3)


@cli.command()
@DB_OPTION
@click.option("--site", "site_dir", type=click.Path(file_okay=False, path_type=Path), default=localsite.SAVED_SITE,
              show_default="the bundled saved_site/www", help="The saved copy of the site to serve.")
@click.option("--port", default=0, help="Port on 127.0.0.1 (default: any free one).")
def demo(db: str, site_dir: Path, port: int) -> None:
    """Serve the bundled copy of the site on 127.0.0.1, crawl it into the archive, show the result.

    Example: chinasei demo --db demo.db
    """
    from crawler.run import LOCAL_COPY
    from crawler.run import crawl as run_crawl

    with localsite.serve(site_dir, port) as base_url:
        click.echo(f"Serving {site_dir} at {base_url}")
        run = run_crawl(base_url=base_url, db=db, settings={**LOCAL_COPY, "LOG_LEVEL": "WARNING"})
    _print_run(run)
    archive = Archive(db)
    try:
        click.echo("")
        for row in archive.articles():
            people = "、".join(row["reporters"] or row["authors"]) or (row["source"] or "-")
            click.echo(f"{row['published_at'][:16]}  {row['category']:<8}  {row['title']}  [{people}]")
        click.echo(f"\nOpen it: datasette {db}   or   sqlite-utils tables {db} --counts")
    finally:
        archive.close()


@cli.command()
@DB_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, help="Port.")
def serve(db: str, host: str, port: int) -> None:
    """Browse and search the archive in Datasette, read-only (pip install 'chinasei[datasette]').

    Example: chinasei serve --db archive.db --port 8001, then open http://127.0.0.1:8001/archive/search?q=扶贫
    """
    import shutil
    import subprocess
    import tempfile

    from archive.datasette_metadata import metadata

    datasette = shutil.which("datasette")
    if datasette is None:
        raise click.ClickException("Datasette is not installed: pip install 'chinasei[datasette]'")
    _open_existing(db).close()  # brings an older archive to the current schema before read-only use
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8", delete=False) as meta:
        json.dump(metadata(Path(db).stem), meta, ensure_ascii=False)
    click.echo(f"Datasette on http://{host}:{port}/{Path(db).stem} (Ctrl-C to stop)")
    try:
        subprocess.run([datasette, "serve", db, "--metadata", meta.name, "--host", host, "--port", str(port)], check=False)
    finally:
        Path(meta.name).unlink(missing_ok=True)


@cli.command()
@DB_OPTION
@click.option("--dry-run", is_flag=True, help="Only report what would change.")
@click.option("--workers", type=int, help="Parsing processes (default: one per core).")
def reparse(db: str, dry_run: bool, workers: int | None) -> None:
    """Parse every archived article again from its stored raw page, with no network, and report
    what changed per field. Changed articles keep their earlier content as a version.

    Example: chinasei reparse --db archive.db --dry-run
    """
    from crawler.reparse import reparse as run_reparse

    archive = _open_existing(db)
    try:
        report = run_reparse(archive, dry_run=dry_run, workers=workers)
    finally:
        archive.close()
    outcomes = ", ".join(f"{report.outcomes[k]} {k}" for k in ("new", "updated", "unchanged"))
    click.echo(f"{'Would re-parse' if dry_run else 'Re-parsed'}: {outcomes}, {len(report.failures)} failed")
    for name, count in report.fields.most_common():
        click.echo(f"  {name}: {count} changed")
    for url, reason in report.failures:
        click.echo(f"  failed: {url}  {reason}")


@cli.command()
@click.argument("url")
@DB_OPTION
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path), default=Path("tests/pages"),
              show_default=True, help="Where the parser tests look for saved pages.")
def fixture(url: str, db: str, folder: Path) -> None:
    """Turn an archived page into a parser test: its raw bytes and expected item as JSON.

    Example: chinasei fixture http://www.chinasei.com.cn/lpz/202011/t20201124_40123.html --db archive.db
    """
    from crawler.fixtures import write_fixture

    archive = _open_existing(db)
    try:
        page, expected = write_fixture(archive, url, folder)
    except LookupError as error:
        raise click.ClickException(str(error)) from error
    finally:
        archive.close()
    click.echo(f"wrote {page}\nwrote {expected}  (review it: it is what the parser says today)")


@cli.command()
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "warc"]), default="jsonl", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write (default: standard output; required for warc).")
def export(db: str, fmt: str, output: Path | None) -> None:
    """Write the archive out: articles as JSON Lines or CSV, every raw response as WARC.

    Example: chinasei export --format warc -o chinasei.warc.gz --db archive.db
    """
    from archive import export as exporters

    archive = _open_existing(db)
    try:
        if fmt == "warc":
            if output is None:
                raise click.UsageError("--format warc needs --output FILE.warc.gz")
            with output.open("wb") as out:
                count = exporters.export_warc(archive, out, output.name)
        else:
            write = exporters.export_jsonl if fmt == "jsonl" else exporters.export_csv
            if output is None:
                count = write(archive, sys.stdout)
            else:
                with output.open("w", encoding="utf-8", newline="") as out:
                    count = write(archive, out)
    finally:
        archive.close()
    click.echo(f"exported {count} {'responses' if fmt == 'warc' else 'articles'}", err=True)


@cli.command("serve-site")
@click.option("--site", "site_dir", type=click.Path(file_okay=False, path_type=Path), default=localsite.SAVED_SITE,
              show_default="the bundled saved_site/www", help="The saved copy of the site to serve.")
@click.option("--port", default=8000, show_default=True, help="Port on 127.0.0.1.")
def serve_site(site_dir: Path, port: int) -> None:
    """Serve the saved copy of the site until interrupted, for crawling it by hand.

    Example: chinasei serve-site --port 8000, then scrapy crawl chinasei -a base_url=http://127.0.0.1:8000
    """
    import time

    with localsite.serve(site_dir, port) as base_url:
        click.echo(f"Serving {site_dir} at {base_url} (Ctrl-C to stop)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


@cli.command()
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def stats(db: str, as_json: bool) -> None:
    """What the archive holds: articles per category, the time span, the last run.

    Example: chinasei stats --db archive.db --json
    """
    archive = _open_existing(db)
    try:
        summary = archive.stats()
    finally:
        archive.close()
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    click.echo(f"{summary['articles']} articles, {summary['earliest'] or '-'} to {summary['latest'] or '-'}")
    click.echo(f"{summary['responses']} raw responses ({summary['raw_bytes']:,} bytes, stored in "
               f"{summary['stored_bytes']:,}), {summary['runs']} runs")
    if summary["with_fallbacks"]:
        click.echo(f"{summary['with_fallbacks']} articles parsed with generic fallbacks")
    for category, count in summary["by_category"].items():
        click.echo(f"  {count:6d}  {category}")
    if summary["last_run"]:
        _print_run(summary["last_run"])


@cli.command()
@click.argument("query")
@DB_OPTION
@click.option("--category", help="Only this channel (as the breadcrumb names it, e.g. 领跑者).")
@click.option("--since", help="Published on or after this date (2020, 2020-06 or 2020-06-01).")
@click.option("--until", help="Published on or before this date.")
@click.option("--newest", is_flag=True, help="Newest first instead of best first.")
@click.option("--limit", default=20, show_default=True, help="How many results.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def search(query: str, db: str, category: str | None, since: str | None, until: str | None, newest: bool,
           limit: int, as_json: bool) -> None:
    """Find the articles whose title or body contains the query, exactly, for any length of query.

    Terms separated by spaces must all occur; "quotes" keep a phrase with spaces; -term or NOT term
    excludes; OR joins alternatives. Everything else is literal text.

    Example: chinasei search 扶贫 --category 领跑者 --since 2020 --db archive.db
    """
    from archive.search import SearchError

    archive = _open_existing(db)
    try:
        archive.search_index.refresh()
        hits = archive.search_index.search(query, category=category, since=_day(since, start=True),
                                           until=_day(until, start=False), newest=newest, limit=limit)
    except SearchError as error:
        raise click.UsageError(str(error)) from error
    finally:
        archive.close()
    for hit in hits:
        if as_json:
            click.echo(json.dumps({k: v for k, v in vars(hit).items()}, ensure_ascii=False))
        else:
            snippet = hit.snippet.replace("<mark>", "【").replace("</mark>", "】")
            click.echo(f"{hit.published_at[:16]}  {hit.category or '-'}  {hit.title}\n    {html.unescape(snippet)}\n    {hit.url}")
    if not hits and not as_json:
        click.echo("No article contains that.", err=True)


def _day(value: str | None, start: bool) -> str | None:
    """2020 → 2020-01-01 (or 2020-12-31 as an end), 2020-06 → 2020-06-01 (or 2020-06-30)."""
    if not value:
        return None
    import calendar

    parts = value.split("-")
    if len(parts) == 1:
        return f"{parts[0]}-01-01" if start else f"{parts[0]}-12-31"
    if len(parts) == 2:
        last = calendar.monthrange(int(parts[0]), int(parts[1]))[1]
        return f"{parts[0]}-{int(parts[1]):02d}-01" if start else f"{parts[0]}-{int(parts[1]):02d}-{last:02d}"
    return value


def _open_existing(db: str) -> Archive:
    if not Path(db).exists():
        raise click.ClickException(f"no archive at {db}")
    return Archive(db)


@cli.command()
@DB_OPTION
@click.option("--run", "run_id", type=int, help="The run (default: the last).")
def failures(db: str, run_id: int | None) -> None:
    """The pages of a run that gave no article, with the reason.

    Example: chinasei failures --db archive.db --run 3
    """
    archive = _open_existing(db)
    try:
        if run_id is None:
            last = archive.stats()["last_run"]
            run_id = last["id"] if last else 0
        for row in archive.failures(run_id):
            click.echo(f"{row['kind']:<8} {row['status'] or '-':<4} {row['url']}  {row['reason']}")
    finally:
        archive.close()


def _print_run(run: dict[str, Any]) -> None:
    total = (run["articles_new"] or 0) + (run["articles_updated"] or 0) + (run["articles_unchanged"] or 0)
    click.echo(
        f"Run {run['id']} ({run['status']}): {total} articles — {run['articles_new']} new, "
        f"{run['articles_updated']} updated, {run['articles_unchanged']} unchanged; "
        f"{run['listing_pages']} listing pages, {run['requests']} requests, {run['failures']} failures"
    )
    for failure in run.get("failure_list", []):
        click.echo(f"  failed: {failure['url']}  {failure['reason']}")


def main() -> None:
    """Console-script entry point."""
    cli()


if __name__ == "__main__":
    main()
