"""Scrapy settings for the archiver: polite defaults for the live portal.

Every setting can be changed on the command line (``scrapy crawl chinasei -s ARCHIVE_DB=x.db``).
Our own settings share the ``ARCHIVE_`` prefix; their defaults and docs are in
:mod:`crawler.config`, and the docs' settings reference is generated from there.
"""

from __future__ import annotations

from crawler import config
from crawler.runtime.imports import hold_back_unused

# `scrapy crawl` reads this module before it lists Scrapy's commands, whose imports bring pydantic in
# unless it is held back here (see crawler.runtime.imports).
hold_back_unused()

BOT_NAME = "chinasei"
COMMANDS_MODULE = "crawler.ops.commands"  # `scrapy crawl` exits with the run's status, as `chinasei crawl` does
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

# Components the settings above turn off (cookies, telnet, the remote control) are not even imported.
ADDONS = {"crawler.components.unused.UnusedComponents": 0}

REQUEST_FINGERPRINTER_CLASS = "crawler.components.fingerprint.ArticleFingerprinter"
DUPEFILTER_CLASS = "crawler.components.dupefilter.ArticleDupeFilter"  # articles as bits: memory flat in the site's size
SPIDER_MIDDLEWARES = {"crawler.components.incremental.IncrementalMiddleware": 950, "crawler.components.media.PendingMediaMiddleware": 960}
# Ours refuses off-site requests (by origin: scheme, host, port) as recorded failures, before robots.txt
# (100) asks the other host anything. Scrapy's OffsiteMiddleware compares hosts only and filters at
# scheduling, where a refused redirect hop vanishes without its errback: ours replaces it.
# Nearest the download, ours keeps each host to its concurrency, which Scrapy 2.19 does not for
# requests that reach the downloader together (the media pipeline's): see crawler.components.slots.
# After it, as each medium goes on the wire, the run's media bytes are kept to ARCHIVE_MEDIA_RUN_BYTES.
DOWNLOADER_MIDDLEWARES = {"crawler.components.origin.SameSiteMiddleware": 40, "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
                          "crawler.components.slots.SlotConcurrency": 1000, "crawler.components.media_cap.MediaRunCap": 1010}
# The run's life (lock, run row, writer) comes first: the recorder and the pipelines write through it.
EXTENSIONS = {
    "crawler.components.logfilters.OneLineNetworkErrors": 0,
    "crawler.components.header_cap.HeaderCap": 1,
    "crawler.components.archive_run.ArchiveRun": 100,
    "crawler.components.ledger.RequestLedger": 105,
    "crawler.components.responses.ResponseRecorder": 110,
    "crawler.components.progress.Progress": 500,
    "crawler.components.collector.CrawlCollector": 900,
}
ITEM_PIPELINES = {
    "crawler.components.validation.ValidationPipeline": 100,
    "crawler.components.media.ArchiveMediaPipeline": 500,
    "crawler.components.storing.StoragePipeline": 800,
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

globals().update(config.defaults())  # every ARCHIVE_* setting, from the one registry

# Scrapy 2.19 opens an HTTP control server by default; an unattended archiver needs no open port.
REMOTE_CONTROL_ENABLED = False
