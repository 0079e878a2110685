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
An off-site image that ``ARCHIVE_MEDIA_OFFSITE`` lets through is still refused when its host is an
address of this machine or its network (:func:`internal_address`), the crawl's own origin and the
hosts named in ``ARCHIVE_MEDIA_INTERNAL_HOSTS`` excepted.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

from scrapy import Spider
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request

from crawler.config import setting
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
        if site.same_site(request.url, origin):
            return None
        parts = urlsplit(request.url)
        where = parts.netloc or request.url[:80]
        if request.meta.get("off_site_allowed"):  # an off-site image, fetched because ARCHIVE_MEDIA_OFFSITE says so
            host = parts.hostname or ""
            internal = internal_address(host)
            if internal is None or host in setting(self.crawler.settings, "ARCHIVE_MEDIA_INTERNAL_HOSTS"):
                return None
            self.crawler.stats.inc_value("chinasei/media/internal_refused")
            raise IgnoreRequest(f"Filtered offsite request to {where!r}: {internal}, never fetched as off-site media")
        if request.meta.get("redirect_urls"):
            self.crawler.stats.inc_value("chinasei/offsite_redirects")
            raise IgnoreRequest(f"Filtered offsite redirect to {where!r}")
        self.crawler.stats.inc_value("chinasei/offsite_requests")
        raise IgnoreRequest(f"Filtered offsite request to {where!r}")


def internal_address(host: str) -> str | None:
    """Why ``host`` is an address of this machine or its network (loopback, private, link-local,
    reserved …), or None. A page's image could otherwise make an opted-in off-site fetch reach a
    router's admin page or a cloud's metadata service. Names are resolved, and IPv4 is read in every
    form the resolver reads (``127.1``, ``2130706433``, ``0x7f.0.0.1``); a name that does not resolve
    is no internal address (its fetch fails on its own)."""
    host = host.strip("[]").lower().rstrip(".")
    if not host or host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return f"{host or 'no host'} is a local name"
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)}
    except (OSError, UnicodeError):
        return None
    for text in sorted(addresses):
        address = ipaddress.ip_address(text.split("%", 1)[0])
        mapped = getattr(address, "ipv4_mapped", None) or address
        if not mapped.is_global or mapped.is_multicast:
            return f"{host} is an internal address ({text})"
    return None


def _origin(spider: Any) -> str | None:
    """The origin a spider crawls (``fetch_origin``: the portal, or a copy of it), if it says."""
    return getattr(spider, "fetch_origin", None)
