"""Downloader middleware: nothing is fetched off the site, and a redirect that would leave it is a
recorded failure, not a silent drop.

Scrapy's OffsiteMiddleware compares host names only, so a redirect or a ``<meta refresh>`` to
another port of the crawled host passes it, and a page could be archived from a server that is not
the site. A redirected request it does filter is dropped when it is scheduled, without calling the
request's errback, so the article vanished with no failure recorded. This one takes its place
in the settings, and keeps its behaviour for spiders that do not say which origin they crawl. This middleware runs first,
on every request about to be downloaded — a 3xx or meta-refresh hop included, since the redirect
middlewares hand their new request back to the scheduler — and refuses any that is not on the site
(:func:`crawler.parsing.site.same_site`: scheme, host and port) as a failure of the page asked for.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from scrapy import Spider
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request

from crawler.parsing import site


class SameSiteMiddleware(OffsiteMiddleware):
    """Refuse requests off the crawled origin, redirect hops included, as failures of the page asked
    for. A spider that names no ``fetch_origin`` (another spider of this project, a benchmark's) gets
    Scrapy's own offsite filtering, unchanged."""

    def request_scheduled(self, request: Request, spider: Spider) -> None:
        if _origin(spider) is None:  # ours check in process_request, where a refusal reaches the errback
            super().request_scheduled(request, spider)

    def process_request(self, request: Request) -> None:  # type: ignore[override]  # no spider argument (deprecated)
        origin = _origin(self.crawler.spider)
        if origin is None:
            return super().process_request(request)
        if site.same_site(request.url, origin) or request.meta.get("off_site_allowed"):
            return None  # off_site_allowed: an off-site image, fetched because ARCHIVE_MEDIA_OFFSITE says so
        where = urlsplit(request.url).netloc or request.url[:80]
        if request.meta.get("redirect_urls"):
            self.crawler.stats.inc_value("chinasei/offsite_redirects")
            raise IgnoreRequest(f"Filtered offsite redirect to {where!r}")
        self.crawler.stats.inc_value("chinasei/offsite_requests")
        raise IgnoreRequest(f"Filtered offsite request to {where!r}")


def _origin(spider: Any) -> str | None:
    """The origin a spider crawls (``fetch_origin``: the portal, or a copy of it), if it says."""
    return getattr(spider, "fetch_origin", None)
