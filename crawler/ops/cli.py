"""The ``chinasei`` command: a thin layer over :mod:`crawler.ops.crawl` and :mod:`archive.store`."""

from __future__ import annotations

import contextlib
import json
import re
import signal
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from archive.store import Archive
from archive.watches import watch_counts
from crawler.ops import localsite, watching
from crawler.ops.common import (
    DB_OPTION,
    article_lines,
    check_category,
    check_existing,
    open_existing,
    open_read_only,
    text_argument,
    when,
    written_aside,
)
from crawler.ops.outcome import INTERRUPTED_EXIT, verdict
from crawler.parsing.terminal import printable

PORT = click.IntRange(0, 65535)


def _base_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """An address to crawl from: http or https, with a host (``127.0.0.1:8000`` alone has neither)."""
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(f"{value!r} is not an http:// or https:// address, e.g. http://127.0.0.1:8000")
    try:
        parts.port  # noqa: B018 - raises for a port out of range
    except ValueError as error:
        raise click.BadParameter(f"{value!r}: {error}") from None
    return value


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
@click.option("--base-url", callback=_base_url, help="Crawl a copy of the site at this address instead of the portal.")
@click.option("--full", is_flag=True, help="Walk every listing to its end and fetch every article again.")
@click.option("-s", "--set", "pairs", multiple=True, metavar="KEY=VALUE", help="A Scrapy setting; repeatable.")
def crawl(db: str, base_url: str | None, full: bool, pairs: tuple[str, ...]) -> None:
    """Crawl the live portal into the archive, politely (robots.txt, AutoThrottle, 1 s delay).

    Incremental unless --full: listings are read newest first and left where the archive already
    is. Exit status: 0 done (or another crawl holds the archive), 1 nothing reachable, 3 the run
    looks unhealthy (fields missing in many articles, empty listings: see the log), 4 the archive
    could not be written (locked by another program, disk full: writes lost are counted), 130
    stopped by Ctrl-C or SIGTERM (everything received was stored; the next run resumes).

    Example: chinasei crawl --db archive.db -s LOG_LEVEL=WARNING
    """
    from crawler.ops.crawl import crawl as run_crawl

    _check_folder(db)
    settings = _settings(pairs)
    if full:
        settings["ARCHIVE_INCREMENTAL"] = False
    code = _report(run_crawl(base_url=base_url, db=db, settings=settings), db)
    if code:
        sys.exit(code)


def _report(run: dict[str, Any], db: str) -> int:
    """Print how a crawl ended (its counts, when it began; the verdict's lines); returns the exit status."""
    if "id" in run:
        _print_run(run)
    code, lines = verdict(run, db)
    for line in lines:
        click.echo(line, err=True)
    return code


@cli.command()
@DB_OPTION
@click.option("--site", "site_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=localsite.SAVED_SITE,
              show_default="the bundled saved_site/www", help="The saved copy of the site to serve.")
@click.option("--port", default=0, type=PORT, help="Port on 127.0.0.1 (default: any free one).")
def demo(db: str, site_dir: Path, port: int) -> None:
    """Serve the bundled copy of the site on 127.0.0.1, crawl it into the archive, show the result.

    Example: chinasei demo --db demo.db
    """
    from crawler.ops.crawl import LOCAL_COPY
    from crawler.ops.crawl import crawl as run_crawl

    _check_folder(db)
    with _serving(site_dir, port) as base_url:
        click.echo(f"Serving {site_dir} at {base_url}")
        run = run_crawl(base_url=base_url, db=db, settings={**LOCAL_COPY, "LOG_LEVEL": "WARNING"})
    code = _report(run, db)
    if code not in (0, 3):  # interrupted, or no archive: nothing more to show
        sys.exit(code)
    archive = open_read_only(db)
    try:
        click.echo("")
        for row in archive.articles():
            people = "、".join(row["reporters"] or row["authors"]) or (row["source"] or "-")
            click.echo(printable(f"{when(row['published_at'])}  {row['category'] or '-':<8}  {row['title']}  [{people}]"))
        media = archive.media_stats()
        click.echo(f"\n{media['files']} images, attachments and layout files kept ({media['bytes']:,} bytes)")
        click.echo(f"Open it: datasette {db}   or   sqlite-utils tables {db} --counts")
        click.echo(f"Read its articles as pages, offline: chinasei serve --db {db}   (each article row links its archived page)")
    finally:
        archive.close()
    if code:
        sys.exit(code)


@cli.command()
@DB_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=PORT, help="Port.")
def serve(db: str, host: str, port: int) -> None:
    """Browse and search the archive in Datasette, read-only (pip install 'chinasei[datasette]'), and
    read each article as the page it was, with its images from the archive and nothing fetched from
    anywhere else (each article row links its archived page).

    Example: chinasei serve --db archive.db --port 8001, then open http://127.0.0.1:8001/archive/search?q=扶贫
    """
    import shutil
    import subprocess

    datasette = shutil.which("datasette")
    if datasette is None:
        raise click.ClickException("Datasette is not installed: pip install 'chinasei[datasette]'")
    open_existing(db).close()  # brings an older archive to the current schema before Datasette's read-only use
    _check_port(host, port)
    click.echo(f"Datasette on http://{host}:{port}/{Path(db).stem} (Ctrl-C to stop)")
    # Titles, facets and the search query come from our plugin's hooks, as for plain `datasette archive.db`.
    process = subprocess.Popen([datasette, "serve", db, "--host", host, "--port", str(port)])
    # SIGTERM (systemctl stop, kill) reaches this process alone: pass it on, so Datasette stops too.
    for stop in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop, lambda signum, _: process.send_signal(signum))
    try:
        code = process.wait()
    except KeyboardInterrupt:  # Ctrl-C reached Datasette as well, from the terminal
        code = process.wait()
    if code not in (0, -signal.SIGTERM, -signal.SIGINT, -signal.SIGHUP):
        sys.exit(1)


@cli.command()
@DB_OPTION
@click.option("--dry-run", is_flag=True, help="Only report what would change.")
@click.option("--workers", type=click.IntRange(min=1), help="Parsing processes (default: one per core).")
def reparse(db: str, dry_run: bool, workers: int | None) -> None:
    """Parse every archived article again from its stored raw page, with no network, and report
    what changed per field. Changed articles keep their earlier content as a version.

    Example: chinasei reparse --db archive.db --dry-run
    """
    from crawler.ops.reparse import reparse as run_reparse
    from crawler.runtime.lock import ArchiveLock, ArchiveLocked

    check_existing(db)  # before the lock: its file is made only beside an archive
    lock = ArchiveLock(db, doing="re-parsing this archive")
    if not dry_run:  # one writer at a time: a crawl's, or this
        try:
            lock.acquire()
        except ArchiveLocked as locked:
            raise click.ClickException(f"not re-parsing {db}: {locked}; run it again when that has ended") from None
        except OSError as error:
            raise click.ClickException(f"cannot use {db}: {error.strerror or error}") from None
    try:
        archive = Archive(db)
        try:
            report = run_reparse(archive, dry_run=dry_run, workers=workers)
        finally:
            archive.close()
    finally:
        lock.release()
    outcomes = ", ".join(f"{report.outcomes[k]} {k}" for k in ("new", "updated", "unchanged"))
    click.echo(f"{'Would re-parse' if dry_run else 'Re-parsed'}: {outcomes}, {len(report.failures)} failed")
    for name, count in report.fields.most_common():
        click.echo(f"  {name}: {count} changed")
    for url, reason in report.failures:
        click.echo(printable(f"  failed: {url}  {reason}"))


@cli.command()
@click.argument("url")
@DB_OPTION
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path), default=Path("tests/pages"),
              show_default=True, help="Where the parser tests look for saved pages.")
def fixture(url: str, db: str, folder: Path) -> None:
    """Turn an archived page into a parser test: its raw bytes and expected item as JSON.

    Example: chinasei fixture http://www.chinasei.com.cn/lpz/202011/t20201124_40123.html --db archive.db
    """
    from crawler.ops.page_fixtures import write_fixture

    archive = open_read_only(db)
    try:
        page, expected = write_fixture(archive, url, folder)
    except (LookupError, ValueError, OSError) as error:
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

    archive = open_read_only(db)
    try:
        if fmt == "warc":
            if output is None:
                raise click.UsageError("--format warc needs --output FILE.warc.gz")
            with written_aside(output, binary=True) as out:
                count = exporters.export_warc(archive, out, output.name)
        else:
            write = exporters.export_jsonl if fmt == "jsonl" else exporters.export_csv
            if output is None:
                count = write(archive, sys.stdout)
            else:
                with written_aside(output) as out:
                    count = write(archive, out)
    finally:
        archive.close()
    click.echo(f"exported {count} {'responses' if fmt == 'warc' else 'articles'}", err=True)




@cli.command("serve-site")
@click.option("--site", "site_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=localsite.SAVED_SITE,
              show_default="the bundled saved_site/www", help="The saved copy of the site to serve.")
@click.option("--port", default=8000, show_default=True, type=PORT, help="Port on 127.0.0.1.")
def serve_site(site_dir: Path, port: int) -> None:
    """Serve the saved copy of the site until interrupted, for crawling it by hand.

    Example: chinasei serve-site --port 8000, then scrapy crawl chinasei -a base_url=http://127.0.0.1:8000
    """
    import time

    with _serving(site_dir, port) as base_url:
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
    """What the archive holds: articles per category, the time span, media, the last run.

    Example: chinasei stats --db archive.db --json
    """
    archive = open_read_only(db)
    try:
        summary = archive.stats()
    finally:
        archive.close()
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    click.echo(f"{_count(summary['articles'], 'article')}, {summary['earliest'] or '-'} to {summary['latest'] or '-'}")
    click.echo(f"{summary['responses']} raw responses ({summary['page_responses']} of pages: {summary['raw_bytes']:,} bytes, "
               f"stored in {summary['stored_bytes']:,}), {_count(summary['runs'], 'run')}")
    media = summary["media"]
    click.echo(f"{media['files']} images, attachments and layout files ({media['bytes']:,} bytes) from {media['urls']} URLs, "
               f"of {media['referred']} the pages name; {media['off_site']} off the site (not fetched), "
               f"{media['missing']} on the site not fetched, {media['failures']} of them failed")
    if summary["with_fallbacks"]:
        click.echo(f"{_count(summary['with_fallbacks'], 'article')} parsed with generic fallbacks")
    for category, count in summary["by_category"].items():
        click.echo(printable(f"  {count:6d}  {category}"))
    if summary["last_run"]:
        _print_run(summary["last_run"])


@cli.command()
@click.argument("query")
@DB_OPTION
@click.option("--category", help="Only this channel (as the breadcrumb names it, e.g. 领跑者).")
@click.option("--since", help="Published on or after this date (2020, 2020-06 or 2020-06-01).")
@click.option("--until", help="Published on or before this date.")
@click.option("--newest", is_flag=True, help="Newest first instead of best first.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1), help="How many results.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def search(query: str, db: str, category: str | None, since: str | None, until: str | None, newest: bool,
           limit: int, as_json: bool) -> None:
    """Find the articles whose title or body contains the query, exactly, for any length of query.

    Terms separated by spaces must all occur; "quotes" keep a phrase with spaces; -term or NOT term
    excludes; OR joins alternatives. Everything else is literal text.

    Example: chinasei search 扶贫 --category 领跑者 --since 2020 --db archive.db
    """
    from archive.search import SearchError

    text_argument(query)
    since_day, until_day = _day(since, start=True, option="--since"), _day(until, start=False, option="--until")
    archive = open_read_only(db)  # searching is exact without re-indexing: changed articles are read directly
    try:
        check_category(archive, category, db)
        hits = archive.search_index.search(query, category=category, since=since_day, until=until_day, newest=newest,
                                           limit=limit)
    except SearchError as error:
        raise click.UsageError(str(error)) from error
    finally:
        archive.close()
    for hit in hits:
        if as_json:
            click.echo(json.dumps({k: v for k, v in vars(hit).items()}, ensure_ascii=False))
        else:
            click.echo(article_lines(hit.published_at, hit.category, hit.title, hit.snippet, hit.url))
    if not hits and not as_json:
        click.echo("No article contains that.", err=True)


_DAY = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{1,2})(?:-(?P<d>\d{1,2}))?)?$")


def _day(value: str | None, start: bool, option: str = "--since") -> str | None:
    """2020 → 2020-01-01 (or 2020-12-31 as an end), 2020-06 → 2020-06-01 (or 2020-06-30); a date
    that does not exist is a usage error that says what is expected."""
    if not value:
        return None
    import calendar

    match = _DAY.match(value.strip())
    try:
        if match is None:
            raise ValueError(value)
        year, month, day = int(match["y"]), int(match["m"] or (1 if start else 12)), match["d"]
        last = calendar.monthrange(year, month)[1]
        return date(year, month, int(day) if day else (1 if start else last)).isoformat()
    except (ValueError, calendar.IllegalMonthError):
        raise click.BadParameter(f"{value!r} is not a date: give 2020, 2020-06 or 2020-06-01", param_hint=option) from None








def _check_folder(db: str) -> None:
    """A crawl's archive may be new, but its folder must exist."""
    folder = Path(db).resolve().parent
    if not folder.is_dir():
        raise click.ClickException(f"no folder {folder} for the archive {db}")


@contextlib.contextmanager
def _serving(site_dir: Path, port: int) -> Iterator[str]:
    """Serve a saved copy on 127.0.0.1, or say in one line why not (the port is taken)."""
    with contextlib.ExitStack() as stack:
        try:
            base_url = stack.enter_context(localsite.serve(site_dir, port))
        except OSError as error:
            raise click.ClickException(f"cannot serve {site_dir} on 127.0.0.1:{port}: {error.strerror or error}") from None
        yield base_url


def _check_port(host: str, port: int) -> None:
    """Say in one line that the port is taken (or the address not ours) before Datasette starts
    and says it in a traceback of uvicorn's."""
    import socket

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as error:
        raise click.ClickException(f"cannot serve on {host}:{port}: {error.strerror or error}") from None


def _count(number: int, noun: str) -> str:
    """``1 run``, ``2 runs``: English plurals for the nouns the commands print."""
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"




@cli.command()
@DB_OPTION
@click.option("--run", "run_id", type=int, help="The run (default: the last).")
def failures(db: str, run_id: int | None) -> None:
    """The pages of a run that gave no article, with the reason.

    Example: chinasei failures --db archive.db --run 3
    """
    archive = open_read_only(db)
    try:
        if run_id is None:
            last = archive.stats()["last_run"]
            if last is None:
                raise click.ClickException(f"{db} has no runs yet")
            run_id = last["id"]
        elif not archive.db.execute("SELECT 1 FROM runs WHERE id = ?", [run_id]).fetchone():
            raise click.ClickException(f"no run {run_id} in {db} (chinasei stats names the last one)")
        rows = archive.failures(run_id)
        for row in rows:
            click.echo(printable(f"{row['kind']:<8} {row['status'] or '-':<4} {row['url']}  {row['reason']}"))
        if not rows:
            click.echo(f"Run {run_id} had no failures.", err=True)
    finally:
        archive.close()


@cli.command()
@DB_OPTION
def migrate(db: str) -> None:
    """Bring an archive written by an older chinasei to the current schema (crawls do it themselves;
    the commands that only read never write).

    Example: chinasei migrate --db archive.db
    """
    archive = open_existing(db)
    archive.close()
    for item in archive.repaired:
        click.echo(f"repaired: {item}")
    click.echo(f"{db} is {'repaired and ' if archive.repaired else ''}up to date")


def _print_run(run: dict[str, Any]) -> None:
    count = {k: run.get(k) or 0 for k in ("articles_new", "articles_updated", "articles_unchanged", "listing_pages",
                                           "requests", "failures")}
    total = count["articles_new"] + count["articles_updated"] + count["articles_unchanged"]
    click.echo(
        f"Run {run['id']} ({run['status']}): {_count(total, 'article')} — {count['articles_new']} new, "
        f"{count['articles_updated']} updated, {count['articles_unchanged']} unchanged; "
        f"{_count(count['listing_pages'], 'listing page')}, {_count(count['requests'], 'request')}, "
        f"{_count(count['failures'], 'failure')}"
    )
    watched = watch_counts(json.loads(run.get("stats") or "{}"))
    if watched:
        click.echo(printable(f"Saved searches: {watched}"))
    for failure in run.get("failure_list", []):
        click.echo(printable(f"  failed: {failure['url']}  {failure['reason']}"))


cli.add_command(watching.watch)
cli.add_command(watching.trend)


def main() -> None:
    """Console-script entry point: click's, but Ctrl-C anywhere is exit 130 with one line, as a
    shell expects of an interrupted command (click would say "Aborted!" and exit 1)."""
    try:
        code = cli.main(standalone_mode=False)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except (KeyboardInterrupt, click.Abort):
        click.echo("Interrupted.", err=True)
        sys.exit(INTERRUPTED_EXIT)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
