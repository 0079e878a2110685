"""Nobody in: the crawler stays on the portal, obeys robots.txt, caps what it downloads, and keeps
stored HTML harmless; search input never reaches SQL."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.search import SearchError
from crawler.ops import localsite
from crawler.ops.localsite import QuietHandler
from tests.conftest import archive_saved_site, archived_articles, expected_items, query, scrapy_crawl
from tests.sitebuilder.build import build

pytestmark = pytest.mark.crawl

ARTICLE = "/lpz/202105/t20210525_41207.html"
HOSTILE = ("<p onclick=\"steal()\">点击<script>alert(1)</script><a href=\"javascript:alert(2)\">链接</a></p>"
           "<style>body{display:none}</style><iframe src=\"http://127.0.0.2/\"></iframe><img src=\"x.jpg\" onerror=\"alert(3)\">"
           "<form action=\"http://127.0.0.2/\"><input name=\"q\"></form><svg onload=\"alert(4)\"></svg>")


class Elsewhere:
    """A server on another loopback address (or another port of this one), counting every request
    that reaches it: it serves the files of ``directory``, or one page to every path."""

    def __init__(self, host: str = "127.0.0.2", directory: Path | None = None):
        self.hits: Counter[str] = Counter()
        owner = self

        class Handler(QuietHandler):
            def do_GET(self):  # noqa: N802
                owner.hits[self.path] += 1
                if directory is not None:
                    return super().do_GET()
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(b"<html><body>elsewhere</body></html>")

        self.server = ThreadingHTTPServer((host, 0), partial(Handler, directory=str(directory or ".")))
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://{host}:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class RedirectingHandler(QuietHandler):
    redirects: dict[str, str] = {}

    def do_GET(self):  # noqa: N802
        location = self.redirects.get(self.path)
        if location is None:
            return super().do_GET()
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


@contextmanager
def serve(directory: Path, redirects: dict[str, str]) -> Iterator[str]:
    """Serve a copy of the site on 127.0.0.1, answering the given paths with redirects."""
    handler = type("Handler", (RedirectingHandler,), {"redirects": redirects})
    with localsite.running(ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(directory)))) as url:
        yield url


@pytest.fixture
def elsewhere():
    other = Elsewhere()
    yield other
    other.close()


def test_no_fetch_leaves_the_site_through_redirects_base_tags_links_or_images(tmp_path, elsewhere):
    www = tmp_path / "www"
    build(www)
    listing = www / "lpz/index.html"
    listing.write_text(listing.read_text(encoding="utf-8").replace("<head>", f'<head><base href="{elsewhere.url}/lpz/">'),
                       encoding="utf-8")
    cyzx = www / "cyzx/index.html"
    cyzx.write_text(cyzx.read_text(encoding="utf-8").replace("<ul>\n", f'<ul>\n<li><a href="{elsewhere.url}/t20200101_7.html">外站</a></li>\n', 1),
                    encoding="utf-8")
    page = www / "swcy/swyy/202112/t20211209_41502.html"
    page.write_text(page.read_text(encoding="utf-8").replace("<p style", HOSTILE + "<p style", 1), encoding="utf-8")
    db = tmp_path / "a.db"
    with serve(www, {ARTICLE: f"{elsewhere.url}/stolen.html", "/zcjd/": f"{elsewhere.url}/zcjd/"}) as url:
        scrapy_crawl(url, db)
    assert sum(elsewhere.hits.values()) == 0, elsewhere.hits
    failures = dict(query(db, "SELECT url, reason FROM failures"))
    assert failures["http://www.chinasei.com.cn" + ARTICLE].startswith("redirected off the site")
    archived = archived_articles(db)
    assert len(archived) == len(expected_items()) - 2  # the one redirected away, and 政策解读's only article
    body_html = archived[41502]["body_html"]
    for bad in ("<script", "onclick", "onerror", "onload", "javascript:", "<iframe", "<style", "<form", "<input", "<svg"):
        assert bad not in body_html, bad
    assert "点击" in archived[41502]["body"]


def meta_refresh(page: Path, target: str) -> None:
    """Make an article page send its reader elsewhere with ``<meta http-equiv="refresh">``."""
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("<head>", f'<head><meta http-equiv="refresh" content="0; url={target}">', 1),
                    encoding="utf-8")


def test_redirects_and_meta_refreshes_off_the_origin_are_refused_and_recorded(tmp_path, elsewhere):
    """Same origin is scheme, host and port: another port of the crawled host is another site, and
    ``http://127.0.0.2\\@127.0.0.1/`` goes to 127.0.0.2, whatever its userinfo seems to say."""
    other_port = Elsewhere("127.0.0.1")
    www = tmp_path / "www"
    build(www)
    refreshing = {"/lpz/202011/t20201124_40123.html": f"{elsewhere.url}/refreshed.html",
                  "/xdxx/rgzn/202307/t20230706_42501.html": f"{other_port.url}/refreshed.html"}
    for path, target in refreshing.items():
        meta_refresh(www / path.lstrip("/"), target)
    redirects: dict[str, str] = {}
    try:
        with serve(www, redirects) as url:  # the redirects name the server's own port, known once it listens
            redirects[ARTICLE] = f"http://127.0.0.2\\@{url.removeprefix('http://')}/stolen.html"
            redirects["/swcy/swyy/202112/t20211209_41502.html"] = f"{other_port.url}/swcy/swyy/202112/t20211209_41502.html"
            scrapy_crawl(url, tmp_path / "a.db")
    finally:
        other_port.close()
    assert sum(elsewhere.hits.values()) == 0 and sum(other_port.hits.values()) == 0, (elsewhere.hits, other_port.hits)
    failures = dict(query(tmp_path / "a.db", "SELECT url, reason FROM failures WHERE kind = 'article'"))
    for path in [*refreshing, *redirects]:
        assert failures.get("http://www.chinasei.com.cn" + path, "").startswith("redirected off the site"), (path, failures)
    archived = archived_articles(tmp_path / "a.db")
    assert all(row["url"].startswith("http://www.chinasei.com.cn/") for row in archived.values())
    assert len(archived) == len(expected_items()) - 4


def test_robots_txt_is_obeyed(tmp_path):
    www = tmp_path / "www"
    build(www)
    (www / "robots.txt").write_text("User-agent: *\nDisallow: /lpz/\n", encoding="utf-8")
    db = tmp_path / "a.db"
    with serve(www, {}) as url:
        scrapy_crawl(url, db, exit_code=3)  # 领跑者 not found: unhealthy
    assert query(db, "SELECT COUNT(*) FROM responses WHERE url LIKE '%/lpz/%'") == [(0,)]
    lpz = {site_id for site_id, item in expected_items().items() if "/lpz/" in item["url"]}
    assert set(archived_articles(db)) == set(expected_items()) - lpz
    assert query(db, "SELECT reason FROM failures WHERE kind = 'channel'") == [("channel 领跑者 not found: the home page no longer links it",)]


def test_responses_are_capped_in_size(tmp_path):
    www = tmp_path / "www"
    build(www)
    page = www / ARTICLE.lstrip("/")
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("</body>", "<p>" + "很长的页面。" * 1_200_000 + "</p></body>"), encoding="utf-8")
    assert page.stat().st_size > 20_000_000
    db = tmp_path / "a.db"
    with serve(www, {}) as url:
        scrapy_crawl(url, db)
    (reason,) = query(db, f"SELECT reason FROM failures WHERE url LIKE '%{ARTICLE}'")[0]
    assert reason.startswith("the response was larger than DOWNLOAD_MAXSIZE")
    assert len(archived_articles(db)) == len(expected_items()) - 1


@pytest.fixture(scope="module")
def site_archive(tmp_path_factory):
    archive = archive_saved_site(tmp_path_factory.mktemp("fuzz") / "site.db")
    yield archive
    archive.close()


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=60))
def test_random_search_strings_never_reach_sql(site_archive, text):
    before = site_archive.db["articles"].count
    try:
        hits = site_archive.search_index.search(text, limit=5)
    except SearchError:
        assert not text.replace('"', "").strip() or set(text.split()) <= {"OR", "AND", "NOT"} or text.strip() == "-"
        return
    assert all(hit.site_id for hit in hits)
    assert site_archive.db["articles"].count == before


@pytest.mark.parametrize("sequence", ["\x1b]0;PWNED\x07\x1b[2J", "\x9b2J", "\r\x08\x08evil"])
def test_escape_sequences_in_a_page_never_reach_the_crawl_log_raw(tmp_path, sequence):
    """Links and channel names come from the web; the log writes their control characters out."""
    import shutil

    from tests.conftest import SAVED

    www = tmp_path / "www"
    shutil.copytree(SAVED / "www", www)
    listing = www / "zcjd/index.html"
    text = listing.read_text(encoding="utf-8")
    as_entity = "".join(f"&#{ord(c)};" if ord(c) < 32 or 127 <= ord(c) < 160 else c for c in sequence)
    links = f'<li><a href="./x{sequence}.html">a</a></li><li><a href="./y{as_entity}.html">b</a></li>'
    listing.write_text(text.replace("<!--文字列表页开始-->\n<ul>\n", f"<!--文字列表页开始-->\n<ul>\n{links}", 1), encoding="utf-8")
    with serve(www, {}) as url:
        log = scrapy_crawl(url, tmp_path / "a.db", "-s", "LOG_LEVEL=DEBUG").stderr
    shown = [line for line in log.splitlines() if "which is not an article URL" in line]
    assert len(shown) == 2 and any("\\x" in line for line in shown), shown  # written out, not dropped (&#155; is "›")
    assert not any(char in log for char in "\x1b\x07\x9b\x08\r")
