"""Downloader middleware: nothing is fetched off the site, and a redirect that would leave it is a
recorded failure, not a silent drop.

Scrapy's OffsiteMiddleware compares host names only, so a redirect or a ``<meta refresh>`` to
another port of the crawled host passes it, and a page could be archived from a server that is not
the site. A redirected request it does filter is dropped when it is scheduled, without calling the
request's errback, so the article vanished with no failure recorded. The settings replace it with
this one. This middleware runs first,
on every request about to be downloaded — a 3xx or meta-refresh hop included, since the redirect
middlewares hand their new request back to the scheduler — and refuses any that is not on the site
(:func:`crawler.site.same_site`: scheme, host and port) as a failure of the page asked for.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request

from crawler import site


class SameSiteMiddleware:
    """Refuse requests off the crawled origin, redirect hops included."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SameSiteMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        origin = getattr(self.crawler.spider, "fetch_origin", site.CANONICAL_ORIGIN)
        if site.same_site(request.url, origin):
            return
        where = urlsplit(request.url).netloc or request.url[:80]
        if request.meta.get("redirect_urls"):
            self.crawler.stats.inc_value("chinasei/offsite_redirects")
            raise IgnoreRequest(f"Filtered offsite redirect to {where!r}")
        self.crawler.stats.inc_value("chinasei/offsite_requests")
        raise IgnoreRequest(f"Filtered offsite request to {where!r}")
