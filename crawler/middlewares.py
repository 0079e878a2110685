"""Downloader middleware: a redirect that leaves the portal is a recorded failure, not a silent drop.

Scrapy's OffsiteMiddleware already keeps the crawl on the site, but a redirected request that it
filters is dropped without calling the request's errback, so the archive would never learn that an
article now points elsewhere. This runs before RedirectMiddleware and refuses such a redirect as a
failure of the original request, which the spider records with its reason.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from crawler import site


class OffsiteRedirectMiddleware:
    """Refuse 3xx responses whose Location is off the spider's allowed domains."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OffsiteRedirectMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get("Location")
        if not (300 <= response.status < 400 and location):
            return response
        target = site.join(request.url, location.decode("latin-1"))
        if target is None:
            raise IgnoreRequest(f"Redirect to an address that cannot be followed: {location!r}")
        allowed = getattr(self.crawler.spider, "allowed_domains", None) or []
        if allowed and not _on(urlsplit(target).hostname or "", allowed):
            self.crawler.stats.inc_value("chinasei/offsite_redirects")
            raise IgnoreRequest(f"Filtered offsite request to {urlsplit(target).netloc!r}")
        return response


def _on(host: str, domains: list[str]) -> bool:
    """True when ``host`` is one of ``domains`` or below one (the port does not matter)."""
    host = host.lower()
    return any(host == d.lower() or host.endswith("." + d.lower()) for d in domains)
