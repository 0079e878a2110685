"""The spider: from the home page to every channel, every listing page, every article.

It only navigates. Pages are parsed by the pure functions in :mod:`crawler.parsing.article` and
:mod:`crawler.parsing.listing`, in the live site's URLs, run in a worker process (:mod:`crawler.runtime.parse_worker`)
that the callbacks await; this spider turns those into requests to wherever
it fetches from (``-a base_url=http://127.0.0.1:PORT`` for a copy of the site), and reports pages
that fail as :class:`~crawler.parsing.items.PageFailure` items with the reason.

    scrapy crawl chinasei                                       # the live portal
    scrapy crawl chinasei -a base_url=http://127.0.0.1:8000 -s ARCHIVE_DB=copy.db
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.components.download_errors import describe
from crawler.components.ledger import asked_url
from crawler.config import setting
from crawler.parsing import site
from crawler.parsing.encoding import decode_html
from crawler.parsing.items import ChannelLink, ListingEnd, ListingPage, PageFailure, Settled
from crawler.parsing.listing import parse_home
from crawler.runtime.parse_worker import ParseWorker

ARTICLE_PRIORITY = 1
LISTING_WINDOW = 4  # listing pages of one channel asked for at once in a full crawl
LISTING_MISSES = 2  # pages in a row answering 404 past the furthest one read, after which a chain ends


@dataclass(frozen=True)
class Chain:
    """A listing read in a full crawl: enough to ask for any of its pages."""

    folder_url: str
    page_count: int
    prefix: str
    ext: str

    def page_url(self, index: int) -> str:
        return site.listing_page_url(self.folder_url, index, self.prefix, self.ext)


class ChinaseiSpider(scrapy.Spider):
    """Crawl every channel listing of 中国战略新兴产业网 and archive each article once."""

    name = "chinasei"

    def __init__(self, base_url: str | None = None, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        #: Channel folders already asked for: every page links the whole menu, and asking again
        #: for each would cost a request through every middleware and the duplicate filter.
        self.channels_followed: set[str] = set()
        #: The furthest page read of each listing: a 404 before it is a hole, after it maybe the end.
        self.listing_reach: dict[str, int] = {}
        self._parsers: ParseWorker | None = None
        self.fetch_origin = site.origin_of(base_url or site.CANONICAL_ORIGIN)
        self.allowed_domains = [urlsplit(self.fetch_origin).hostname or ""]
        if self.allowed_domains[0] in site.HOSTS:
            self.allowed_domains = sorted(site.HOSTS)

    async def start(self) -> AsyncIterator[Request]:
        yield self._request(site.HOME_URL, self.parse_home, kind="home")

    # --- navigation ------------------------------------------------------------------------------

    def parse_home(self, response: Response) -> Iterator[Any]:
        """Follow every channel the home page links to, from its menu and its blocks."""
        channels = parse_home(self._canonical(response), decode_html(response.body, self._content_type(response)))
        cut_short = self._cut_short(response, "home")
        if cut_short is not None:
            yield cut_short
        elif not channels:
            self.logger.error("No channel links on the home page %s: the site's layout has changed", response.url)
            yield PageFailure(url=self._asked(response), kind="home", reason="no channel links found")
        else:
            yield Settled(url=self._asked(response), kind="home", outcome="read", status=response.status)
        blocks = [c.name for c in channels if c.via == "more"]
        self.logger.info("Home page: %d channels (%d from blocks: %s)", len(channels), len(blocks), ", ".join(map(str, blocks)))
        yield from self._follow_channels(channels)

    async def parse_listing(self, response: Response, channel: str | None, index: int, probe: bool = False) -> AsyncIterator[Any]:
        """Yield the listing page, follow its articles, its other pages and any channels it links."""
        refused = self._moved(response, "listing") or self._not_whole(response, "listing")
        if refused is not None:
            yield refused
            folder = site.listing_folder_url(self._asked(response))
            for request in self._past_failed_listing_page(response.request, folder, index, None):
                yield request
            return
        page = await self.parsers.listing(self._canonical(response), response.body, self._content_type(response),
                                          frozenset(self.channels_followed))
        page.channel = page.channel or channel
        self.listing_reach[page.folder_url] = max(index, self.listing_reach.get(page.folder_url, 0))
        for problem in page.problems:
            self.logger.warning("Listing %s: %s", response.url, problem)
        if not page.entries and page.extraction.get("entries") == "site:list-markers":
            self.crawler.stats.inc_value("chinasei/empty_lists")  # an empty channel (or past the end): the site's, no alarm
            self.logger.info("Listing %s (%s) lists no articles", response.url, page.channel)
        elif not page.entries:  # no list at all: the template may have changed
            self.crawler.stats.inc_value("chinasei/empty_listings")
            self.logger.warning("Listing %s (%s) shows no list of articles", response.url, page.channel)
        yield page
        for request in self._follow_entries(page):
            yield request
        if page.is_last:
            yield ListingEnd(page.folder_url, page.page_count or index + 1)
        elif page.page_count is None and not page.entries:  # a listing without a pager ends at an empty page
            yield ListingEnd(page.folder_url, index + 1)
        for request in [*self._follow_pages(page, index, response.url), *self._follow_channels(page.channel_links)]:
            yield request

    def _follow_channels(self, links: list[ChannelLink]) -> Iterator[Request]:
        for link in links:
            if link.url not in self.channels_followed:
                self.channels_followed.add(link.url)
                yield self._listing_request(link.url, 0, link.name)

    def _follow_entries(self, page: ListingPage) -> Iterator[Request]:
        for entry in page.entries:
            if not entry.on_site:
                self.crawler.stats.inc_value("chinasei/offsite_links")
                self.logger.debug("Not following off-site link %s in %s", entry.url, page.url)
            elif not entry.is_article:
                self.crawler.stats.inc_value("chinasei/non_article_links")
                self.logger.info("Listing %s links %s, which is not an article URL", page.url, entry.url)
            else:
                yield self.article_request(entry.url, listing=page.url)

    def _follow_pages(self, page: ListingPage, index: int, fetched_url: str) -> Iterator[Request]:
        """Pages 2… of a listing.

        A full crawl, when the pager gives the count, reads a listing in ``LISTING_WINDOW`` chains
        at once: page 1 asks for pages 2…W+1, and page k for page k+W (a page that fails still
        passes its chain on, see :meth:`failed`). Asking for every page at once would be as fast,
        but would hold a request for each page of the site in memory. An incremental crawl asks
        one page at a time, newest first, marking each request with the page it came from so the
        incremental policy can stop the walk.
        """
        incremental = setting(self.settings, "ARCHIVE_INCREMENTAL")
        page_count = self._trusted_count(page)
        if page_count is not None and not incremental:
            chain = Chain(page.folder_url, page_count, page.page_prefix, page.page_ext)
            for n in range(1, LISTING_WINDOW + 1) if index == 0 else [index + LISTING_WINDOW]:
                if n < page_count:
                    yield self._chained_request(chain, n, page.channel)
        elif (page_count is not None and index + 1 < page_count) or (page_count is None and page.entries):
            url = site.listing_page_url(page.folder_url, index + 1, page.page_prefix, page.page_ext)
            request = self._listing_request(url, index + 1, page.channel, probe=page.page_count is None)
            request.meta["next_page_of"] = fetched_url
            yield request

    def _trusted_count(self, page: ListingPage) -> int | None:
        """The pager's page count, capped at ``ARCHIVE_MAX_LISTING_PAGES``: a pager script is the
        site's word, not proof (``createPageHTML(10000000, …)`` would have a crawl ask for millions
        of pages); reading also ends where pages it counts answer 404 (see
        :meth:`_past_failed_listing_page`)."""
        limit = setting(self.settings, "ARCHIVE_MAX_LISTING_PAGES")
        if page.page_count is None or page.page_count <= limit:
            return page.page_count
        if page.page_index == 0:
            self.logger.warning("Listing %s: the pager claims %d pages; reading at most %d (ARCHIVE_MAX_LISTING_PAGES)",
                                page.url, page.page_count, limit)
            self.crawler.stats.inc_value("chinasei/pager_capped")
        return limit

    def _chained_request(self, chain: Chain, index: int, channel: str | None, misses: int = 0) -> Request:
        request = self._listing_request(chain.page_url(index), index, channel)
        request.meta["chain"] = chain
        request.meta["misses"] = misses
        return request

    async def parse_article(self, response: Response, listing: str | None = None) -> AsyncIterator[Any]:
        """Parse an article page into an item; follow the channels it links (its breadcrumb's too)."""
        if response.status == 304:
            self.crawler.stats.inc_value("chinasei/articles/not_modified")
            yield Settled(url=self._asked(response), kind="article", outcome="not modified", status=304)
            return
        moved = self._moved(response, "article")
        if moved is not None:
            yield moved
            if isinstance(moved, PageFailure):
                return
        refused = self._not_whole(response, "article")
        if refused is not None:
            yield refused
            return
        fetched_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        page = await self.parsers.article(self._canonical(response), response.body, self._content_type(response),
                                          fetched_at, frozenset(self.channels_followed))
        yield page.article
        for request in self._follow_channels(page.channel_links):
            yield request

    @property
    def parsers(self) -> ParseWorker:
        """The page parsers: in a worker process (``ARCHIVE_PARSE_WORKER``, on by default), else here."""
        if self._parsers is None:
            self._parsers = ParseWorker(separate=setting(self.settings, "ARCHIVE_PARSE_WORKER"),
                                        time_limit=setting(self.settings, "ARCHIVE_PARSE_TIMEOUT"))
        return self._parsers

    def closed(self, reason: str) -> None:
        if self._parsers is not None:
            self._parsers.close()

    def _not_whole(self, response: Response, kind: str) -> PageFailure | None:
        """A page that is not a whole HTML page is a failure (retried by the next run), never an item."""
        if not isinstance(response, TextResponse):
            content_type = response.headers.get("Content-Type", b"").decode("latin-1") or "no content type"
            self.logger.warning("Not an HTML page: %s (%s)", response.url, content_type)
            return PageFailure(url=self._asked(response), kind=kind, reason=f"not an HTML page ({content_type})",
                               status=response.status)
        return self._cut_short(response, kind)

    def _cut_short(self, response: Response, kind: str) -> PageFailure | None:
        """A page cut short in transit: it has no ``</html>``, and either its body ended with the
        connection before its length was known (Scrapy's ``partial``; a server that sends no
        Content-Length ends every page so, whole ones with their ``</html>``) or it begins as HTML
        (a Content-Length shorter than the page passes unflagged). Bytes that are no HTML page at
        all go on to the parser, which says what they lack."""
        if site.PAGE_END.search(response.body):
            return None
        if "partial" in response.flags:
            why = "the connection closed before the page's </html>"
        elif site.PAGE_START.search(response.body[:1024]):
            why = "the page ends before its </html>"
        else:
            return None
        self.logger.warning("Cut short: %s %s (%s); the next run asks again", kind, response.url, why)
        self.crawler.stats.inc_value("chinasei/cut_short")
        return PageFailure(url=self._asked(response), kind=kind, reason=f"cut short: {why}", status=response.status)

    def _moved(self, response: Response, kind: str) -> Settled | PageFailure | None:
        """The outcome of a page asked for that redirected elsewhere on the site, filed under the URL
        asked for: an article that moved to another article is ``redirected`` (the target is parsed
        and archived under its own URL); any other move is a failure of the page asked for."""
        asked, here = self._asked(response), self._canonical(response)
        if asked == here:
            return None
        status = (response.request.meta.get("redirect_reasons") or [None])[0] if response.request is not None else None
        status = status if isinstance(status, int) else None
        self.crawler.stats.inc_value(f"chinasei/redirected/{kind}")
        if kind == "article" and site.is_article_url(here):
            self.logger.info("Article %s moved to %s", asked, here)
            return Settled(url=asked, kind=kind, outcome=f"redirected: to {here}", to=here, status=status)
        what = "an article" if kind == "article" else "that listing page"
        self.logger.warning("The %s %s redirected to %s, which is not %s", kind, asked, here, what)
        reason = f"redirected to {here}, which is not {what}{'' if kind == 'article' else '; not read'}"
        return PageFailure(url=asked, kind=kind, reason=reason, status=status)

    # --- failures --------------------------------------------------------------------------------

    def failed(self, failure: Failure) -> Iterator[PageFailure | ListingEnd | Request]:
        """Record a page that could not be fetched; the end of an unknown-length listing is not one."""
        request = failure.request
        status = failure.value.response.status if failure.check(HttpError) else None
        index = request.cb_kwargs.get("index", 0)
        folder = site.listing_folder_url(site.to_canonical(request.url, self.fetch_origin))
        if request.cb_kwargs.get("probe") and status == 404:
            self.logger.info("Listing ends before %s", request.url)
            yield ListingEnd(folder, index)
            yield Settled(url=asked_url(request, self.fetch_origin), kind="listing",
                          outcome="absent: the listing ends before it", status=404)
            return
        yield from self._past_failed_listing_page(request, folder, index, status)
        reason = describe(failure)
        kind = request.meta.get("kind", "page")
        if kind == "article" and request.cb_kwargs.get("listing"):
            reason += f" (linked from {request.cb_kwargs['listing']})"
        first_url = request.meta.get("redirect_urls", [request.url])[0]  # the page asked for, not where it redirected
        self.logger.warning("Failed %s %s: %s", kind, first_url, reason)
        yield PageFailure(url=asked_url(request, self.fetch_origin), kind=kind, reason=reason, status=status)

    def _past_failed_listing_page(self, request: Request, folder: str, index: int, status: int | None) -> Iterator[Request]:
        """Go on past a listing page that failed: a full crawl's chain goes on to its next page; a
        404 beyond the furthest page read is counted, page by page too, and two in a row end the
        walk there, with a warning — the pager counts pages the server does not have (it may say
        ``createPageHTML(10000000, …)``). The channel is not marked walked on the pager's word."""
        chain, misses = request.meta.get("chain"), request.meta.get("misses", 0)
        past_reach = request.meta.get("kind") == "listing" and status == 404 and index > self.listing_reach.get(folder, 0)
        if past_reach:
            misses += 1
            if misses >= LISTING_MISSES:
                self.logger.warning("Listing %s: pages up to %s answer 404 though the pager counts them; reading ends "
                                    "there (the channel is walked again next run)", folder, request.url)
                self.crawler.stats.inc_value("chinasei/pager_overcounts")
                return
        channel = request.cb_kwargs.get("channel")
        if chain is not None and index + LISTING_WINDOW < chain.page_count:
            yield self._chained_request(chain, index + LISTING_WINDOW, channel, misses)
        elif past_reach:
            following = self._listing_request(site.listing_page_url(folder, index + 1), index + 1, channel)
            following.meta["misses"] = misses
            yield following

    # --- requests --------------------------------------------------------------------------------

    def article_request(self, url: str, listing: str | None = None) -> Request:
        """The request for an article page, by its live-site URL.

        Articles go before listing pages (priority 1): a full crawl asks for every page of a
        listing at once, and if their articles waited behind them, the queue would hold the
        whole site's article requests at once; this way it holds about a listing page's worth.
        """
        kwargs = {"listing": listing} if listing else {}
        request = self._request(url, self.parse_article, kind="article", **kwargs)
        request.priority = ARTICLE_PRIORITY
        return request

    def listing_request(self, url: str) -> Request:
        """The request for a listing page by its live-site URL, wherever it stands in its listing."""
        return self._listing_request(url, site.listing_page_index(url), None)

    @staticmethod
    def _content_type(response: Response) -> str | None:
        value = response.headers.get("Content-Type")
        return value.decode("latin-1") if value else None

    def _canonical(self, response: Response) -> str:
        return site.to_canonical(response.url, self.fetch_origin)

    def _asked(self, response: Response) -> str:
        """The canonical URL asked for, before any redirect: where a page's outcome is filed."""
        return asked_url(response, self.fetch_origin)

    def _request(self, url: str, callback: Any, kind: str, **cb_kwargs: Any) -> Request:
        return Request(
            site.to_fetch(url, self.fetch_origin), callback=callback, errback=self.failed,
            cb_kwargs=cb_kwargs, meta={"kind": kind},
        )

    def _listing_request(self, url: str, index: int, channel: str | None, probe: bool = False) -> Request:
        kwargs: dict[str, Any] = {"channel": channel, "index": index}
        if probe:
            kwargs["probe"] = True
        return self._request(url, self.parse_listing, kind="listing", **kwargs)
