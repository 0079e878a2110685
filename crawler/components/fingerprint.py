"""Request fingerprints that know an article by its document id.

TRS can show one document in several channels, under several folders, with one id
(``t20201124_40123.html``); the id is unique across the site. Fingerprinting article requests by
that id makes Scrapy's own duplicate filter fetch each article once, whichever listing led to it.
"""

from __future__ import annotations

import hashlib

from scrapy import Request
from scrapy.utils.request import RequestFingerprinter

from crawler.parsing import site


def article_id(request: Request) -> int | None:
    """The document id of a request that fetches an article: a GET of an article URL, not a
    redirect hop (a hop must be seen as its own request; see :class:`ArticleFingerprinter`)."""
    if request.method != "GET" or request.meta.get("redirect_times"):
        return None
    return site.site_id(request.url)


class ArticleFingerprinter(RequestFingerprinter):
    """Scrapy's fingerprinter, except that GET requests for articles are keyed by site id.

    A redirect hop is keyed by its URL and hop count instead: redirected requests go back through
    the duplicate filter, which would otherwise drop a redirect loop (or a redirect to another URL
    of the same article) without a word, where it must run into REDIRECT_MAX_TIMES and be recorded.
    """

    def fingerprint(self, request: Request) -> bytes:
        hops = request.meta.get("redirect_times")
        if hops:
            return hashlib.sha1(f"chinasei-redirect:{hops}:{request.url}".encode()).digest()
        document = article_id(request)
        if document is None:
            return super().fingerprint(request)
        return hashlib.sha1(f"chinasei-article:{document}".encode()).digest()
