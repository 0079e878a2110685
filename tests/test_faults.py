"""Nothing lost: crawls of the saved site served by a server that fails the ways real ones do."""

from __future__ import annotations

import re

import pytest
from scrapy.exceptions import DownloadFailedError, IgnoreRequest, ResponseDataLossError
from twisted.internet.error import ConnectionLost, DNSLookupError
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed

from crawler.components.download_errors import describe
from tests.conftest import SAVED, archived_articles, expected_items, query, scrapy_crawl
from tests.faultserver import FaultPlan, serve_faulty
from tests.sitebuilder.content import FETCHED_FILES
from tests.test_article_pages import FIELDS

pytestmark = pytest.mark.crawl

LIVE = "http://www.chinasei.com.cn"
MISSING_IMAGE = LIVE + "/dfld/202410/W020241015300000000404.jpg"
FAULTY = ["-s", "DOWNLOAD_TIMEOUT=1", "-s", "RETRY_TIMES=2"]
#: Every reason a failure may give: each says what happened, in words a user can act on.
READABLE = re.compile(
    r"^((image|attachment|stylesheet|layout image|font): )?(HTTP \d\d\d|error page: the page says 页面不存在 \(served as 200\)|too many redirects \(a redirect loop\?\)"
    r"|no answer within the download timeout|the response was cut short: the body ended before its Content-Length"
    r"|the connection was lost mid-response|the connection was closed mid-response"
    r"|the server closed the connection without answering)( \(linked from http://www\.chinasei\.com\.cn/\S+\))?$"
)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_crawl_with_retries_and_one_more_run_loses_nothing(seed, tmp_path):
    plan = FaultPlan(seed)
    db = tmp_path / "a.db"
    with serve_faulty(SAVED / "www", plan) as url:
        first = scrapy_crawl(url, db, *FAULTY, exit_code="recorded")
        scrapy_crawl(url, db, *FAULTY, exit_code="recorded")
        assert sum(plan.injected.values()) >= 15 and len(plan.injected) >= 5, plan.injected
        archived = archived_articles(db)
        expected = expected_items()
        assert sorted(archived) == sorted(expected)
        for site_id, item in expected.items():
            assert {k: archived[site_id][k] for k in FIELDS} == {k: item[k] for k in FIELDS}, site_id
        assert query(db, "SELECT COUNT(*), COUNT(DISTINCT url) FROM articles")[0] == (len(expected),) * 2
        assert query(db, "PRAGMA integrity_check") == [("ok",)]
        reasons = [reason for (reason,) in query(db, "SELECT reason FROM failures WHERE run_id = 1")]
        assert len(reasons) > 1 and all(READABLE.match(r) for r in reasons), reasons
        assert "failed " in first.stderr
        second_run_failures = {r for (r,) in query(db, "SELECT url FROM failures WHERE run_id = 2 AND kind != 'media'")}
        assert second_run_failures <= {"http://www.chinasei.com.cn/lpz/202103/t20210301_99999.html"}
        # A medium fails in the second run only if it was first asked for there (its article came then)
        media_failed = query(db, """SELECT f.url, MIN(a.first_run_id) FROM failures f JOIN article_media am ON am.url = f.url
                                    JOIN articles a ON a.site_id = am.site_id
                                    WHERE f.run_id = 2 AND f.kind = 'media' GROUP BY f.url""")
        assert all(first_asked == 2 or url == MISSING_IMAGE for url, first_asked in media_failed), media_failed
        scrapy_crawl(url, db, *FAULTY, exit_code="recorded")  # and the run after fetches those
    assert {url for (url,) in query(db, "SELECT url FROM media_urls")} == {LIVE + path for path in FETCHED_FILES}


def _failure_of(raise_it) -> Failure:
    try:
        raise_it()
    except BaseException:  # noqa: BLE001 - any error is what is being described
        return Failure()
    raise AssertionError("nothing was raised")


def _wrapped_loss():
    try:
        raise ResponseFailed([Failure(ConnectionLost("x"))])
    except ResponseFailed as error:
        raise DownloadFailedError(str(error)) from error


@pytest.mark.parametrize(("raise_it", "reason"), [
    (lambda: (_ for _ in ()).throw(IgnoreRequest("max redirections reached")), "too many redirects (a redirect loop?)"),
    (lambda: (_ for _ in ()).throw(ResponseDataLossError()), "the response was cut short: the body ended before its Content-Length"),
    (_wrapped_loss, "the connection was lost mid-response"),
    (lambda: (_ for _ in ()).throw(DNSLookupError("x")), "the host name did not resolve"),
    (lambda: (_ for _ in ()).throw(ValueError("odd")), "ValueError: odd"),
])
def test_failures_are_described_in_words(raise_it, reason):
    assert describe(_failure_of(raise_it)) == reason
