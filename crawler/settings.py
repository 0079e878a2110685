"""Scrapy settings for the archiver: polite defaults for the live portal.

Every setting can be changed on the command line (``scrapy crawl chinasei -s ARCHIVE_DB=x.db``).
Our own settings share the ``ARCHIVE_`` prefix:

- ``ARCHIVE_DB``: the archive file (default ``archive.db``, or ``$CHINASEI_ARCHIVE_DB``).
- ``ARCHIVE_STORE_RESPONSES``: keep every raw response (default True).
- ``ARCHIVE_INCREMENTAL``: skip archived articles and stop paging where the archive starts (default
  True; ``chinasei crawl --full`` or ``-s ARCHIVE_INCREMENTAL=False`` walks everything).
- ``ARCHIVE_INCREMENTAL_OVERLAP``: known articles to read past the last new one before stopping (3).
- ``ARCHIVE_RECHECK_DAYS`` / ``ARCHIVE_RECHECK_HOURS``: re-fetch articles published in the last N
  days, at most every M hours, with conditional requests, to catch edits in place (7 / 6).
- ``ARCHIVE_PARSE_WORKER``: parse pages in a process beside the crawl (True), leaving the crawl's
  thread to Scrapy; False parses in that thread. See :mod:`crawler.runtime.parse_worker`.
- ``ARCHIVE_COMMIT_SECONDS``: how often the crawl commits what it wrote (1.0): a batch at a time is
  far cheaper than a commit a row, and a crash loses at most that much, fetched again next time.
- ``ARCHIVE_PROGRESS_INTERVAL``: seconds between progress lines in the log (30; 0 turns it off).
- ``ARCHIVE_BUSY_TIMEOUT``: seconds to wait out another program's write lock on the archive (60);
  past it the writes are lost, counted, and the run fails (``chinasei crawl`` exits 4).
- ``ARCHIVE_PARSE_TIMEOUT``: seconds a page may take to parse in the worker (30); past it the page
  is a recorded failure and the worker is replaced.
- ``ARCHIVE_MAX_LISTING_PAGES``: the most pages of one listing read, whatever its pager script
  claims (10,000); a listing also ends at its first page that answers 404.
- ``ARCHIVE_MEDIA``: fetch every same-site image and attachment into the archive (True); see
  :mod:`crawler.components.media`. ``ARCHIVE_MEDIA_OFFSITE``: fetch off-site images too (False: recorded only).
- ``ARCHIVE_MEDIA_MAX_BYTES``: the largest file kept (32 MiB); a larger one is a recorded failure.
- ``ARCHIVE_MEDIA_RUN_BYTES``: media bytes one run may fetch (2 GiB; 0: no cap); the rest are
  fetched by the next run.
- ``ARCHIVE_MEDIA_GIVE_UP_AFTER``: runs a failing medium is tried in (5).
"""

from __future__ import annotations

import os

BOT_NAME = "chinasei"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

PROJECT_URL = "https://github.com/chinasei-archive/chinasei-archiver"
USER_AGENT = f"chinasei-archiver/0.1 (+{PROJECT_URL}; a research archive of www.chinasei.com.cn)"

# Politeness: the portal is a small site run by a publisher, not a CDN.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Faults: retry what a flaky server does, never follow a page far or download a huge one.
RETRY_ENABLED = True
RETRY_TIMES = 3
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

REQUEST_FINGERPRINTER_CLASS = "crawler.components.fingerprint.ArticleFingerprinter"
DUPEFILTER_CLASS = "crawler.components.dupefilter.ArticleDupeFilter"  # articles as bits: memory flat in the site's size
SPIDER_MIDDLEWARES = {"crawler.components.incremental.IncrementalMiddleware": 950, "crawler.components.media.PendingMediaMiddleware": 960}
# Ours refuses off-site requests (by origin: scheme, host, port) as recorded failures, before robots.txt
# (100) asks the other host anything. Scrapy's OffsiteMiddleware compares hosts only and filters at
# scheduling, where a refused redirect hop vanishes without its errback: ours replaces it.
DOWNLOADER_MIDDLEWARES = {"crawler.components.origin.SameSiteMiddleware": 40, "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None}
EXTENSIONS = {"crawler.components.progress.Progress": 500, "crawler.components.logfilters.OneLineNetworkErrors": 0}
ITEM_PIPELINES = {
    "crawler.components.pipelines.ValidationPipeline": 100,
    "crawler.components.media.ArchiveMediaPipeline": 500,
    "crawler.components.pipelines.ArchivePipeline": 800,
}
# Media: an archived medium is never fetched again (a TRS W0… file name is never reused); a
# redirect to it is followed (and checked by SameSiteMiddleware like any other hop).
FILES_EXPIRES = 365 * 100
MEDIA_ALLOW_REDIRECTS = True
# A callback's output is handed to the pipelines by this many asyncio tasks, made anew for every
# response (Scrapy's default is 100). Our pipelines never wait, so more tasks only cost time.
CONCURRENT_ITEMS = 8
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

ARCHIVE_DB = os.environ.get("CHINASEI_ARCHIVE_DB", "archive.db")
ARCHIVE_STORE_RESPONSES = True
ARCHIVE_INCREMENTAL = True
ARCHIVE_INCREMENTAL_OVERLAP = 3
ARCHIVE_RECHECK_DAYS = 7
ARCHIVE_RECHECK_HOURS = 6
ARCHIVE_PROGRESS_INTERVAL = 30
ARCHIVE_COMMIT_SECONDS = 1.0
ARCHIVE_PARSE_WORKER = True
ARCHIVE_BUSY_TIMEOUT = 60.0
ARCHIVE_PARSE_TIMEOUT = 30.0
ARCHIVE_MAX_LISTING_PAGES = 10_000
ARCHIVE_MEDIA = True
ARCHIVE_MEDIA_OFFSITE = False
ARCHIVE_MEDIA_MAX_BYTES = 32 * 1024 * 1024
ARCHIVE_MEDIA_RUN_BYTES = 2 * 1024 * 1024 * 1024
ARCHIVE_MEDIA_GIVE_UP_AFTER = 5

# Scrapy 2.19 opens an HTTP control server by default; an unattended archiver needs no open port.
REMOTE_CONTROL_ENABLED = False
