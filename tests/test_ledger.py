"""Every page asked for ends with one outcome, under its own URL: the ledger, and the pages that
used to fall between outcomes (cut short, redirected, with numbers too large to hold)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from crawler import settings as project_settings
from crawler.components.ledger import NO_OUTCOME, Entry, Ledger, outcome_of
from crawler.ops import localsite
from crawler.ops.localsite import QuietHandler
from crawler.parsing.items import Article, ListingPage, PageFailure, Settled
from tests.conftest import SAVED, archived_articles, expected_items, query, scrapy_crawl

LIVE = "http://www.chinasei.com.cn"
#: Two articles of the saved site, each listed in a channel of its own, and a third to move to.
MOVED = "/swcy/swyy/202112/t20211209_41502.html"
GONE_HOME = "/lpz/202011/t20201124_40123.html"
TARGET = "/dfld/202410/t20241015_44321.html"


# --- the bookkeeping ---------------------------------------------------------------------------------


@pytest.mark.unit
def test_an_entry_is_closed_once_and_later_outcomes_are_counted_not_taken():
    ledger = Ledger()
    ledger.enter("a", "article")
    ledger.enter("a", "article")  # a retry of the same page
    assert ledger.close("a", "archived") == Entry("article", asks=2)
    assert ledger.close("a", "failed: HTTP 500") is None and ledger.close("never-asked", "archived") is None
    assert ledger.counts() == {"entered": 1, "open": 0, "unmatched": 2, "outcome/archived": 1}
    assert ledger.still_open() == {}


@pytest.mark.unit
def test_a_closed_entry_is_forgotten_so_memory_follows_the_queue():
    ledger = Ledger()
    for n in range(10_000):
        ledger.enter(f"u{n}", "article")
        ledger.close(f"u{n}", "archived")
    assert ledger.open == {} and ledger.counts()["entered"] == 10_000


@pytest.mark.unit
@pytest.mark.parametrize("asks, withdrawn, left", [(1, 1, {}), (2, 1, {"a": "listing"}), (1, 0, {"a": "listing"})])
def test_a_duplicate_withdrawn_asks_for_nothing(asks, withdrawn, left):
    ledger = Ledger()
    for _ in range(asks):
        ledger.enter("a", "listing")
    for _ in range(withdrawn):
        ledger.withdraw("a")
    assert ledger.still_open() == left


@pytest.mark.unit
def test_a_closed_entry_stays_closed_when_a_later_duplicate_is_withdrawn():
    ledger = Ledger()
    ledger.enter("a", "article")
    ledger.close("a", "archived")
    ledger.enter("a", "article")
    ledger.withdraw("a")
    assert ledger.counts() == {"entered": 1, "open": 0, "unmatched": 0, "outcome/archived": 1}


@pytest.mark.unit
@pytest.mark.parametrize("item, outcome", [
    (Article(url="u", site_id=1), ("u", "archived")),
    (ListingPage(url="u", folder_url="f/", channel="c", page_index=0, page_count=1), ("u", "read")),
    (PageFailure(url="u", kind="article", reason="HTTP 500"), ("u", "failed: HTTP 500")),
    (Settled(url="u", kind="article", outcome="not modified"), ("u", "not modified")),
    (PageFailure(url="m.jpg", kind="media", reason="image: HTTP 404"), None),  # media are no entries
    ("anything else", None),
])
def test_which_items_settle_which_pages(item, outcome):
    assert outcome_of(item) == outcome


# --- a copy of the site that answers some pages badly ------------------------------------------------


class BadAnswers(QuietHandler):
    """The saved site, with some paths answered as ``answers`` says: ``("redirect", status, to)``,
    ``("cut",)`` (half the page, no Content-Length, then the connection closes) or ``("short",)``
    (a Content-Length half the page's length)."""

    answers: dict[str, tuple] = {}

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        answer = self.answers.get(self.path.split("?")[0])
        if answer is None:
            return super().do_GET()
        if answer[0] == "headers":  # a header block of answer[1] bytes, or without end (None)
            return self._headers(answer[1])
        if answer[0] == "redirect":
            self.send_response(answer[1])
            self.send_header("Location", answer[2])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        file = Path(self.translate_path(self.path))
        body = (file / "index.html" if file.is_dir() else file).read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if answer[0] == "short":
            self.send_header("Content-Length", str(len(body) // 2))
        self.end_headers()
        self.wfile.write(body if answer[0] == "short" else body[: len(body) // 2])
        self.close_connection = True
        return None


    def _headers(self, size: int | None) -> None:
        body = Path(self.translate_path(self.path)).read_bytes()
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n")
        line, sent = b"X-Padding: " + b"x" * 1000 + b"\r\n", 0
        try:
            while size is None or sent < size:
                self.wfile.write(line)
                sent += len(line)
            self.wfile.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        except OSError:  # the crawler gave up on it and closed the connection
            pass
        self.close_connection = True


@contextmanager
def serve(www: Path, answers: dict[str, tuple]) -> Iterator[str]:
    handler = type("Handler", (BadAnswers,), {"answers": answers, "protocol_version": "HTTP/1.0"})
    with localsite.running(ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(www)))) as url:
        yield url


def failures(db: Path, run: int) -> dict[str, tuple[str, str]]:
    return {url.removeprefix(LIVE): (kind, reason)
            for url, kind, reason in query(db, "SELECT url, kind, reason FROM failures WHERE run_id = ? AND kind != 'media'", [run])}


def ledger_stats(db: Path, run: int) -> dict[str, int]:
    stats = json.loads(query(db, "SELECT stats FROM runs WHERE id = ?", [run])[0][0])
    return {k.removeprefix("chinasei/ledger/"): v for k, v in stats.items() if k.startswith("chinasei/ledger/")}


@pytest.mark.crawl
def test_a_page_cut_short_is_a_failure_that_the_next_run_fetches_whole(tmp_path):
    listing = "/zcjd/"
    answers = {MOVED: ("cut",), GONE_HOME: ("short",), listing: ("cut",)}
    db = tmp_path / "a.db"
    with serve(SAVED / "www", answers) as url:
        scrapy_crawl(url, db, exit_code="recorded")
        assert failures(db, 1) == {
            MOVED: ("article", "cut short: the connection closed before the page's </html>"),
            GONE_HOME: ("article", "cut short: the page ends before its </html>"),
            listing: ("listing", "cut short: the connection closed before the page's </html>"),
            "/lpz/202103/t20210301_99999.html": ("article", f"HTTP 404 (linked from {LIVE}/lpz/)"),
        }
        cut = {MOVED, GONE_HOME}
        assert not {LIVE + path for path in cut} & {url for (url,) in query(db, "SELECT url FROM articles")}
        answers.clear()
        scrapy_crawl(url, db, exit_code="recorded")
    assert sorted(archived_articles(db)) == sorted(expected_items())
    assert query(db, "SELECT walked_run_id FROM channels WHERE url = ?", [LIVE + "/zcjd/"]) == [(2,)]


@pytest.mark.crawl
def test_a_redirect_is_filed_under_the_url_asked_for(tmp_path):
    """An article that answers 302 to the home page failed, under its own URL (and is asked again);
    one that moved (301) to another article is recorded as moved, the target archived once, and the
    next run asks for neither."""
    answers = {GONE_HOME: ("redirect", 302, "/"), MOVED: ("redirect", 301, TARGET)}
    db = tmp_path / "a.db"
    with serve(SAVED / "www", answers) as url:
        scrapy_crawl(url, db, exit_code="recorded")
        found = failures(db, 1)
        assert found[GONE_HOME] == ("article", f"redirected to {LIVE}/, which is not an article")
        assert "/" not in found and MOVED not in found
        assert query(db, "SELECT url, kind, target, status FROM redirects") == [(LIVE + MOVED, "article", LIVE + TARGET, 301)]
        assert query(db, "SELECT COUNT(*) FROM articles WHERE url IN (?, ?)", [LIVE + MOVED, LIVE + GONE_HOME]) == [(0,)]
        assert query(db, "SELECT COUNT(*), MAX(version) FROM articles WHERE url = ?", [LIVE + TARGET]) == [(1, 1)]
        walked = {u for (u,) in query(db, "SELECT url FROM channels WHERE walked_run_id = 1")}
        assert {LIVE + "/swcy/swyy/", LIVE + "/lpz/"} <= walked  # both channels read to their end all the same
        assert ledger_stats(db, 1)["open"] == 0
        scrapy_crawl(url, db, exit_code="recorded")
    asked_again = {u.removeprefix(LIVE) for (u,) in query(db, "SELECT url FROM failures WHERE run_id = 2")}
    assert GONE_HOME in asked_again and MOVED not in asked_again


class Swallow:
    """A spider middleware with a bug: it eats everything one article's callback gives."""

    def process_spider_output(self, response, result):
        return [] if response.url.endswith(MOVED) else result

    async def process_spider_output_async(self, response, result):
        async for item in result:
            if not response.url.endswith(MOVED):
                yield item


@pytest.mark.crawl
def test_a_page_no_component_settled_is_a_failure_that_makes_the_run_unhealthy(tmp_path):
    """The ledger does not trust the components to agree: a page whose outcome a bug swallowed is
    recorded ("no outcome"), fails the run's health (exit 3), and is asked for again next run."""
    middlewares = {**project_settings.SPIDER_MIDDLEWARES, f"{__name__}.Swallow": 1000}
    db = tmp_path / "gap" / "a.db"
    db.parent.mkdir()
    with serve(SAVED / "www", {}) as url:
        result = scrapy_crawl(url, db, "-s", f"SPIDER_MIDDLEWARES={json.dumps(middlewares)}", exit_code=3, ledger=False)
        assert failures(db, 1)[MOVED] == ("article", NO_OUTCOME)
        assert "1 pages asked for had no outcome" in result.stderr
        assert ledger_stats(db, 1)["open"] == 1
        scrapy_crawl(url, db, ledger=False)
    assert ledger_stats(db, 2)["open"] == 0
    assert LIVE + MOVED in {u for (u,) in query(db, "SELECT url FROM articles")}
    shutil.rmtree(db.parent)  # the invariant's session-wide check is for archives crawled without a bug


@pytest.mark.crawl
def test_one_bad_number_is_a_problem_of_its_link_not_of_the_run(tmp_path):
    """Links whose ids are too long for any integer column, and a pager that counts past any page:
    the listing is stored, its good articles archived, the run finishes healthy."""
    www = tmp_path / "www"
    shutil.copytree(SAVED / "www", www)
    listing = www / "zcjd/index.html"
    text = listing.read_text(encoding="utf-8")
    bad = "".join(f'<li><a href="./202108/t20210805_{digits}.html">bad</a></li>'
                  for digits in ("9" * 20, "9" * 5000))
    text = text.replace("<ul>\n<li>", f"<ul>\n{bad}<li>", 1)
    text = text.replace('createPageHTML(1, 0, "index", "html")', 'createPageHTML(100000000000000000000, 0, "index", "html")')
    listing.write_text(text, encoding="utf-8")
    db = tmp_path / "a.db"
    with serve(www, {}) as url:
        scrapy_crawl(url, db)
        scrapy_crawl(url, db)  # and again: nothing of it fails the next run either
    assert sorted(archived_articles(db)) == sorted(expected_items())
    assert query(db, "SELECT status FROM runs") == [("finished",), ("finished",)]
    assert query(db, "SELECT COUNT(*) FROM channel_articles WHERE channel_url = ?", [LIVE + "/zcjd/"]) == [(1,)]


@pytest.mark.crawl
def test_a_header_block_past_the_cap_is_a_failure_and_one_below_it_is_read(tmp_path):
    """Header lines without end are given up at ARCHIVE_MAX_HEADER_BYTES, as DOWNLOAD_MAXSIZE gives
    up a body: the page fails with that reason (and is asked again next run); nothing is stored of it."""
    answers = {MOVED: ("headers", None), TARGET: ("headers", 100_000)}
    db = tmp_path / "a.db"
    with serve(SAVED / "www", answers) as url:
        scrapy_crawl(url, db, "-s", "ARCHIVE_MAX_HEADER_BYTES=200000", exit_code="recorded")
    kind, reason = failures(db, 1)[MOVED]  # linked from two listings: whichever asked first is named
    assert kind == "article" and reason.startswith(
        "the response's header block was larger than 200,000 bytes (ARCHIVE_MAX_HEADER_BYTES), so it was not read (linked from ")
    archived = {u for (u,) in query(db, "SELECT url FROM articles")}
    assert LIVE + TARGET in archived and LIVE + MOVED not in archived
    assert query(db, "SELECT MAX(LENGTH(headers)) < 200000 FROM responses") == [(1,)]
