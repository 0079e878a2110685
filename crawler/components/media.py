"""Images and attachments: fetched with Scrapy's FilesPipeline, kept in the archive file itself.

An archive that keeps only image URLs loses the photographs the day the portal removes them, so
every same-site image an article shows and every file it attaches (附件) is fetched once and kept.

How the pieces fit, Scrapy's way:

- :class:`ArchiveMediaPipeline` is a ``FilesPipeline``. Scrapy's machinery does the work it was
  made for: one request per medium through the downloader middlewares (robots.txt, the same-site
  check, retries), a medium shared by two articles fetched once per run, ``stat_file`` asked first
  so that a medium already archived is never fetched again, and ``item_completed`` once every
  medium of an article has an outcome.
- Pages first. The pipeline does not hold an article until its media are fetched: the article goes
  on to the storage pipeline at once, and the media it names wait in the pipeline's queue (a URL
  and a role each, each URL once a run) until the crawl is first idle, every page fetched. Then
  the media of up to ``CONCURRENT_REQUESTS`` articles at a time are handed to Scrapy, and the
  spider is kept open (``spider_idle``) until the queue is empty. On a machine whose cores the
  crawl keeps busy, media fetched beside the pages slowed them. A run stopped before its media
  leaves them pending in the archive, for the next run. The archive links an article to its media
  by URL (``article_media``, ``media_urls``), so which is stored first does not matter.
- Its store, :class:`ArchiveMediaStore` (``FILES_STORE = archive:<ARCHIVE_DB>``), answers
  ``stat_file`` from the archive. The bytes are not written by the store: every response the crawl
  receives is kept by :class:`crawler.components.responses.ResponseRecorder` as it arrives, and the archive
  keeps a medium's bytes once per content, keyed by SHA-256 (``media``), with the URL that gave it
  (``media_urls``). So one file stays the whole archive, and a medium is stored exactly as received.
- A medium that cannot be fetched (a 404, a timeout, too large) is a recorded failure of that
  medium (kind ``media``, the article as referer), sent to the storage pipeline by the
  :data:`MEDIA_FAILED` signal; the article itself is archived all the same. The next run fetches
  again what failed or was never fetched (:class:`PendingMediaMiddleware`), for up to
  ``ARCHIVE_MEDIA_GIVE_UP_AFTER`` runs.
- A page's look is fetched the same way (``ARCHIVE_MEDIA_LAYOUT``): the stylesheets it links and
  the images of its chrome are among its media (:attr:`Article.assets`), and what a fetched
  stylesheet names (``@import``, background images, fonts) is asked for next, in rounds, as media
  of the same article, with the stylesheet as the referer. A stylesheet is read once per content
  and run (:mod:`crawler.parsing.styles`).
- Off-site images are recorded (``article_media.off_site``) and not fetched, unless
  ``ARCHIVE_MEDIA_OFFSITE`` allows it. ``ARCHIVE_MEDIA_MAX_BYTES`` caps one file (a larger one is a
  failure, cancelled as soon as its size shows); ``ARCHIVE_MEDIA_RUN_BYTES`` caps a run's media
  bytes, after which the rest wait for the next run (not failures: they are still pending). The
  cap is kept by :class:`crawler.components.media_cap.MediaRunCap`, a downloader middleware that
  checks it as each medium goes on the wire; a medium it stops is recorded here as deferred.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import deque
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Response
from scrapy.pipelines.files import FilesPipeline
from scrapy.pipelines.media import MediaPipeline
from twisted.python.failure import Failure

from archive.store import Archive, NotAnArchive
from crawler.components.download_errors import describe
from crawler.components.media_cap import MediaDeferred
from crawler.config import setting
from crawler.parsing import site, styles
from crawler.parsing.items import ASSET_ROLES, Article, PageFailure, PendingMedia

logger = logging.getLogger(__name__)

#: Signal sent with ``failure=`` a :class:`PageFailure` of kind ``media``: the storage pipeline records it.
MEDIA_FAILED = object()
#: Rounds of stylesheets named by stylesheets (``@import`` in an ``@import``…) followed for one page.
IMPORT_DEPTH = 5


class ArchiveMediaStore:
    """FilesPipeline's store: which media the archive holds. ``path`` is a medium's live-site URL."""

    def __init__(self, uri: str):
        self.path = uri.removeprefix("archive:")
        self._archive: Archive | None = None

    def stat_file(self, path: str, info: MediaPipeline.SpiderInfo) -> dict[str, Any]:
        """The medium's checksum (SHA-256) and when it was fetched, if the archive holds it; an empty
        answer makes FilesPipeline download it."""
        archive = self._open()
        row = archive.fetched_medium(path) if archive is not None else None
        if row is None:
            return {}
        return {"checksum": row["sha256"], "last_modified": datetime.fromisoformat(row["last_fetched_at"]).timestamp()}

    def _open(self) -> Archive | None:
        """The archive, opened read-only on first use (the crawl's ArchiveRun makes it at its start)."""
        if self._archive is None:
            try:
                self._archive = Archive.read_only(self.path)
            except NotAnArchive:
                return None
        return self._archive

    def medium(self, sha256: str) -> dict[str, Any] | None:
        """An archived medium, bytes included, or None."""
        archive = self._open()
        return archive.medium(sha256) if archive is not None else None

    def close(self) -> None:
        if self._archive is not None:
            self._archive.db.close()
            self._archive = None


class ArchiveMediaPipeline(FilesPipeline):
    """Fetch the images and attachments of every article (and of :class:`PendingMedia`)."""

    STORE_SCHEMES = {**FilesPipeline.STORE_SCHEMES, "archive": ArchiveMediaStore}
    LOG_FAILED_RESULTS = False  # each failure is one line of ours, not a traceback
    MEDIA_NAME = "medium"

    def __init__(self, store_uri: str, *, crawler: Crawler):
        super().__init__(store_uri, crawler=crawler)
        settings = crawler.settings
        self.off_site = setting(settings, "ARCHIVE_MEDIA_OFFSITE")
        self.max_file = setting(settings, "ARCHIVE_MEDIA_MAX_BYTES")
        self.layout = setting(settings, "ARCHIVE_MEDIA_LAYOUT")
        self.stats = crawler.stats
        self._named_in: dict[str, list[tuple[str, str]]] = {}  # stylesheet SHA-256 → what it names
        self._named_by: dict[str, str] = {}  # a URL a stylesheet names → that stylesheet's URL
        self._results: dict[int, list[tuple[bool, Any]]] = {}
        self._settled: set[str] = set()  # media whose outcome this run knows: never handed to Scrapy again
        self.crawler = crawler
        self.in_flight = settings.getint("CONCURRENT_REQUESTS")
        self._waiting: deque[PendingMedia] = deque()  # named by pages, not yet handed to Scrapy
        self._queued: set[str] = set()  # the URLs in it, or handed on: each is queued once a run
        self._fetching: set[asyncio.Future] = set()
        self._pages_done = False  # the crawl has been idle once: every page has been fetched

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveMediaPipeline:
        if not setting(crawler.settings, "ARCHIVE_MEDIA"):
            raise NotConfigured("ARCHIVE_MEDIA is off")
        pipeline = cls(f"archive:{setting(crawler.settings, 'ARCHIVE_DB')}", crawler=crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.spider_idle, signal=signals.spider_idle)
        return pipeline

    def close_spider(self) -> None:
        """A run stopped before its media were fetched leaves them to the next run (they are still
        pending in the archive): say how many. Scrapy closes the pipelines before the
        ``spider_closed`` signal, at which the run and its stats are recorded."""
        left = sum(len(media.media) for media in self._waiting)
        if left:
            self.stats.set_value("chinasei/media/left_waiting", left)
            logger.info("%d images and attachments named by this run's pages were not asked for: the next run fetches them", left)

    def spider_closed(self, spider: Spider) -> None:
        assert isinstance(self.store, ArchiveMediaStore)
        self.store.close()

    # --- which media, and whether to fetch them ----------------------------------------------------

    async def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        """Pages first: an article goes on to be stored at once, and the media it names wait
        until the pages are done (:meth:`spider_idle`)."""
        media = self._to_fetch(item)
        if media is not None:
            self._waiting.append(media)
            self._release()
        return item

    def _to_fetch(self, item: Any) -> PendingMedia | None:
        """The media an item names that this run has not queued yet (every page names the site's
        stylesheet and logo: they are queued once), or None when there are none."""
        article = _article_of(item)
        if article is None:
            return None
        refs = [(url, role) for url, role in _refs(item)
                if (self.layout or role not in ASSET_ROLES) and url not in self._queued and url not in self._settled
                and self._may_fetch(url)]
        self._queued.update(url for url, _ in refs)
        return PendingMedia(*article, refs) if refs else None

    def _may_fetch(self, url: str) -> bool:
        """Whether this run may fetch ``url``: on the site, or off it where ``ARCHIVE_MEDIA_OFFSITE``
        allows. An off-site medium not fetched is counted once for each item that names it."""
        if self.off_site or site.on_site(url):
            return True
        self.stats.inc_value("chinasei/media/off_site_not_fetched")
        return False

    def spider_idle(self, spider: Spider) -> None:
        """Every page is fetched: fetch the media, and keep the crawl open until they are done."""
        self._pages_done = True
        self._release()
        if self._waiting or self._fetching:
            raise DontCloseSpider

    def _release(self) -> None:
        """Once the pages are done, hand waiting media to Scrapy, the media of at most
        ``CONCURRENT_REQUESTS`` articles at a time. On a machine whose cores the crawl keeps busy,
        media fetched and stored beside the pages slowed them; fetched after them, the pages go
        as fast as without media, and the media take less time than they did among the pages."""
        while self._pages_done and self._waiting and len(self._fetching) < self.in_flight:
            task = asyncio.ensure_future(self._fetch(self._waiting.popleft()))
            self._fetching.add(task)
            task.add_done_callback(self._fetched)

    def _fetched(self, task: asyncio.Future) -> None:
        self._fetching.discard(task)
        error = None if task.cancelled() else task.exception()
        if error is not None:
            logger.error("Could not fetch media: %s: %s (they are fetched by the next run)", type(error).__name__, error)
        self._release()
        if not self._waiting and not self._fetching:
            _wake(self.crawler)

    async def _fetch(self, item: PendingMedia) -> None:
        """An article's media, then, round by round, what the stylesheets among them name."""
        await super().process_item(item)
        done = self._results.pop(id(item), [])
        asked = dict(item.media)
        for _ in range(IMPORT_DEPTH):
            named = [(url, role) for url, role in self._named(done, asked) if url not in asked]
            if not named:
                break
            asked.update(named)
            followed = PendingMedia(item.site_id, item.article_url, named)
            await super().process_item(followed)
            done = self._results.pop(id(followed), [])

    def _named(self, results: list[tuple[bool, Any]], roles: dict[str, str]) -> list[tuple[str, str]]:
        """What the stylesheets among ``results`` name, each once."""
        found: dict[str, str] = {}
        for ok, result in results:
            if ok and result and result.get("checksum") and roles.get(result["path"]) == styles.STYLESHEET:
                for url, role in self._named_in_stylesheet(result["path"], result["checksum"]):
                    found.setdefault(url, role)
                    self._named_by.setdefault(url, result["path"])
        return list(found.items())

    def _named_in_stylesheet(self, url: str, sha256: str, body: bytes | None = None,
                             content_type: str | None = None) -> list[tuple[str, str]]:
        """What a stylesheet names, read once per content: from its bytes as received, or from the
        archive's copy for one archived before."""
        if sha256 not in self._named_in:
            if body is None:
                assert isinstance(self.store, ArchiveMediaStore)
                stored = self.store.medium(sha256)
                body, content_type = (stored["body"], stored["content_type"]) if stored else (b"", None)
            self._named_in[sha256] = styles.stored_stylesheet_refs(body, content_type, url)
        return self._named_in[sha256]

    def get_media_requests(self, item: Any, info: MediaPipeline.SpiderInfo) -> list[Request]:
        article = _article_of(item)
        if article is None:
            return []
        article_url = article[1]
        refs = [(url, role) for url, role in _refs(item) if url not in self._settled]  # a shared logo: asked once
        origin = getattr(info.spider, "fetch_origin", site.CANONICAL_ORIGIN)
        requests = []
        for url, role in refs:
            if not self._may_fetch(url):  # what a stylesheet names; an article's media were checked as queued
                continue
            meta = {"kind": "media", "media_url": url, "media_role": role, "article_url": article_url,
                    "download_maxsize": self.max_file, "off_site_allowed": not site.on_site(url)}
            headers = {"Referer": site.to_fetch(self._named_by.get(url, article_url), origin)}
            requests.append(Request(site.to_fetch(url, origin), meta=meta, headers=headers))
        return requests

    def file_path(self, request: Request, response: Response | None = None, info: Any = None, *, item: Any = None) -> str:
        """A medium is known by its live-site URL (the archive keys its content by SHA-256)."""
        return request.meta["media_url"]

    def media_to_download(self, request: Request, info: MediaPipeline.SpiderInfo, *, item: Any = None) -> Any:
        """Ask the archive first: a medium it holds is not fetched again."""
        return super().media_to_download(request, info, item=item).addCallback(self._uptodate, request.meta["media_url"])

    def _uptodate(self, archived: dict[str, Any] | None, url: str) -> dict[str, Any] | None:
        """Count a medium the archive holds (``stat_file``'s answer), not fetched again."""
        if archived is not None:
            self._counted("uptodate", url)
        return archived

    def _counted(self, outcome: str, url: str) -> None:
        """Count a medium's outcome, once a run (Scrapy asks for each medium once, whichever
        article names it): downloaded, uptodate (archived before), deferred, failed. A medium with
        an outcome is settled: the next article naming it (every page names the site's stylesheet
        and logo) does not hand it to FilesPipeline again."""
        self.stats.inc_value(f"chinasei/media/{outcome}")
        self._settled.add(url)

    # --- outcomes --------------------------------------------------------------------------------

    async def media_downloaded(self, response: Response, request: Request, info: MediaPipeline.SpiderInfo, *,
                               item: Any = None) -> Any:
        """A medium received: its SHA-256, or, for an error status or an empty body, a recorded
        failure of the medium (FilesPipeline would raise, and Scrapy log a traceback for it)."""
        if response.status != 200 or not response.body:
            reason = f"HTTP {response.status}" if response.status != 200 else "an empty response"
            return self._failed(request, reason, response.status)
        result = await super().media_downloaded(response, request, info, item=item)
        self._counted("downloaded", request.meta["media_url"])
        if request.meta["media_role"] == styles.STYLESHEET:
            content_type = response.headers.get("Content-Type", b"").decode("latin-1") or None
            self._named_in_stylesheet(request.meta["media_url"], result["checksum"], response.body, content_type)
        return result

    def media_failed(self, failure: Failure, request: Request, info: MediaPipeline.SpiderInfo) -> Any:
        """A medium not received (timeout, refused, too large, off-site redirect): a recorded failure.
        Scrapy hands ``item_completed`` no file information for it. One stopped by the run's byte cap
        is no failure: it waits for the next run."""
        if failure.check(MediaDeferred):
            self._counted("deferred", request.meta["media_url"])
            return _not_fetched(request, "deferred")
        reason = describe(failure).replace("DOWNLOAD_MAXSIZE", "ARCHIVE_MEDIA_MAX_BYTES")
        return self._failed(request, reason, None)

    def file_downloaded(self, response: Response, request: Request, info: MediaPipeline.SpiderInfo, *,
                        item: Any = None) -> str:
        """The medium's SHA-256: its bytes were kept with its response, as it arrived."""
        return hashlib.sha256(response.body).hexdigest()

    def _failed(self, request: Request, reason: str, status: int | None) -> dict[str, Any]:
        """Record that a medium could not be fetched (a failure of the medium, not of its article)."""
        meta = request.meta
        logger.warning("Could not fetch the %s %s of %s: %s", meta["media_role"], meta["media_url"], meta["article_url"], reason)
        failure = PageFailure(url=meta["media_url"], kind="media", reason=f"{meta['media_role']}: {reason}",
                              status=status, referer=meta["article_url"])
        self.crawler.signals.send_catch_log(MEDIA_FAILED, failure=failure)
        self._counted("failed", meta["media_url"])
        return _not_fetched(request, "failed")

    def item_completed(self, results: list[tuple[bool, Any]], item: Any, info: MediaPipeline.SpiderInfo) -> Any:
        """Keep the results for the rounds of what stylesheets name (:meth:`process_item`)."""
        self._results[id(item)] = results
        return item


def _wake(crawler: Crawler) -> None:
    """Have the engine look again at once whether the crawl is over: the last media are done.
    Scrapy has no public call for it; without one, its heartbeat looks within five seconds."""
    slot = getattr(crawler.engine, "_slot", None)
    nextcall = getattr(slot, "nextcall", None)
    if nextcall is not None:
        nextcall.schedule()


def _not_fetched(request: Request, status: str) -> dict[str, Any]:
    """The result FilesPipeline keeps for a medium this run did not fetch (``failed``, ``deferred``)."""
    return {"url": request.url, "path": request.meta["media_url"], "checksum": None, "status": status}


def _article_of(item: Any) -> tuple[int, str] | None:
    """The site id and URL of the article whose media an item names, or None for another item."""
    if isinstance(item, Article):
        return item.site_id, item.url
    return (item.site_id, item.article_url) if isinstance(item, PendingMedia) else None


def _refs(item: Any) -> list[tuple[str, str]]:
    """(URL, role) of the media an item names."""
    if isinstance(item, Article):
        return item.media_urls()
    return list(item.media) if isinstance(item, PendingMedia) else []


class PendingMediaMiddleware:
    """Spider middleware: at the start of a crawl, hand the media pipeline the media of archived
    articles that no run has fetched yet, without fetching their articles again."""

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        if not setting(settings, "ARCHIVE_MEDIA"):
            raise NotConfigured("ARCHIVE_MEDIA is off")
        self.crawler = crawler
        self.path = setting(settings, "ARCHIVE_DB")
        self.off_site = setting(settings, "ARCHIVE_MEDIA_OFFSITE")
        self.layout = setting(settings, "ARCHIVE_MEDIA_LAYOUT")
        self.give_up_after = setting(settings, "ARCHIVE_MEDIA_GIVE_UP_AFTER")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PendingMediaMiddleware:
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for item in start:
            yield item
        try:
            archive = Archive.read_only(self.path)
        except NotAnArchive:  # a first crawl; or the archive pipeline says why it cannot be used
            return
        try:
            pending = archive.pending_media(self.off_site, self.give_up_after, self.layout)
        finally:
            archive.db.close()
        if pending:
            count = sum(len(p.media) for p in pending)
            logger.info("Fetching %d images and attachments of %d archived articles not fetched before", count, len(pending))
            self.crawler.stats.set_value("chinasei/media/pending_at_start", count)
        for item in pending:
            yield item
