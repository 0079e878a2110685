"""Every fact about 中国战略新兴产业网 that the crawler relies on, in one place.

The portal runs on TRS WCM. What is written here comes from ``shared/site-notes.md`` (what public
crawlers recorded) and the one real article page we hold. When the live site stops matching one of
these facts, the parsers fall back to generic rules and say so, so this is the module to update
when the portal changes its templates.
"""

from __future__ import annotations

import re
from datetime import timedelta, timezone
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

SITE_NAME = "中国战略新兴产业网"
HOSTS = frozenset({"www.chinasei.com.cn", "chinasei.com.cn"})
CANONICAL_ORIGIN = "http://www.chinasei.com.cn"
HOME_URL = CANONICAL_ORIGIN + "/"

#: What the site writes that is not UTF-8 is GB2312 or GBK, read as their superset GB18030.
LEGACY_ENCODING = "gb18030"

#: Times on the site are Beijing time and carry no zone.
TIMEZONE = timezone(timedelta(hours=8), "Asia/Shanghai")

# --- Listings -------------------------------------------------------------------------------------

#: TRS writes these comments in the template's script: simplified, or traditional on a Big5 site.
LIST_START = ("文字列表页开始", "文字列表頁開始")
LIST_END = ("文字列表页结束", "文字列表頁結束")

#: Numbers read from a page are bounded where they are read, so one bad link is a problem of that
#: link: a document id has at most 18 digits (it fits SQLite's 64-bit integer; a longer one is not an
#: article URL), a page number or count at most 9 (no listing has a billion pages).
ID_DIGITS = 18
PAGE_DIGITS = 9
#: Every whole page ends with this: a page without it was cut short in transit (a connection
#: closed mid-body, a Content-Length shorter than the page), and is a failure, not an archived page.
PAGE_END = re.compile(rb"</html\s*>", re.IGNORECASE)
#: How an HTML page begins (in its first KiB): only such a page can be known cut short by its end.
PAGE_START = re.compile(rb"<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE)

#: ``createPageHTML(countPage, currentPage, "index", "html")`` and the newer TRS form
#: ``createPageHTML('page_div', 5, 0, 'index', 'html', 100)``: the arguments, in any of those forms.
PAGER_CALL = re.compile(r"createPageHTML\s*\(([^)]{0,200})\)")  # bounded: a page of "createPageHTML(" with no ")" stays linear
#: ``var countPage = 5`` style assignments that the pager call may refer to by name.
JS_NUMBER_VAR = re.compile(rf"\bvar\s+(\w+)\s*=\s*(\d{{1,{PAGE_DIGITS}}})\b\s*;?")
#: Page 1 is ``index.html`` (or the bare folder), page N+1 is ``index_N.html``.
LISTING_PAGE = re.compile(rf"^(?P<folder>/(?:[\w-]+/)*)(?:(?P<prefix>index)(?:_(?P<n>\d{{1,{PAGE_DIGITS}}}))?\.s?html?)?$")
#: Names in the menu and footer that link to pages which are not article listings.
NOT_CHANNELS = frozenset(
    {
        "首页",
        "杂志订阅",
        "投稿",
        "官方账号直达",
        "关于我们",
        "联系我们",
        "招聘",
        "广告刊例",
        "版权声明",
    }
)
#: Channels a crawl must find; 领跑者 is linked only from a home-page block, not the menu.
REQUIRED_CHANNELS = ("领跑者",)
#: The text of the "more" link under a channel block on the home page.
MORE_LINK = re.compile(r"^\s*(更多|more)\s*[>»›]*\s*$", re.IGNORECASE)

# --- Article pages --------------------------------------------------------------------------------

#: ``/<channel>/<sub>/YYYYMM/tYYYYMMDD_<id>.html``; ``<id>`` is unique across the site.
ARTICLE_NAME = rf"/t(?P<date>\d{{8}})_(?P<id>\d{{1,{ID_DIGITS}}})\.s?html?"
ARTICLE_PATH = re.compile(ARTICLE_NAME + "$")
#: The same name anywhere in a page's text (its links), for :func:`site_ids_in`.
ARTICLE_LINK = re.compile(ARTICLE_NAME)
BODY_START = ("正文内容开始", "正文內容開始")
BODY_END = ("正文内容结束", "正文內容結束")
#: The TRS rich-text container that holds the body when the comment markers are absent.
BODY_CLASSES = ("TRS_Editor", "TRS_UEDITOR", "article-content", "content")
#: The breadcrumb's lead words and separators: ``您的位置:首页 > 领跑者``.
BREADCRUMB_LEAD = re.compile(r"(您的位置|当前位置|所在位置)\s*[:：]?")
BREADCRUMB_SEP = re.compile(r"(?:>|》|›|»|→|&gt;)")


def split_breadcrumb(trail: str) -> list[str]:
    """``首页 > 生物产业 > 生物医药`` as its crumbs. Spaces are stripped from each crumb, not matched
    around the separator: ``\\s*>\\s*`` backtracks over every run of spaces, quadratic on a long one."""
    return [crumb for crumb in (part.strip() for part in BREADCRUMB_SEP.split(trail)) if crumb]


#: Files an article links as attachments (附件): TRS stores them beside the page as ``W0….pdf``.
ATTACHMENT_EXTENSIONS = frozenset({"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "zip", "rar", "7z", "wps", "et", "txt"})


def is_attachment_url(url: str) -> bool:
    """True for a link to a file an article attaches (by its extension: ``W020220318….pdf``)."""
    path = urlsplit(url).path.lower()
    return path.rsplit(".", 1)[-1] in ATTACHMENT_EXTENSIONS if "." in path.rsplit("/", 1)[-1] else False


#: Text in the page chrome that must never reach an article body.
CHROME_MARKERS = (
    "您的位置",
    "字体:",
    "字体：",
    "关注微信公众号",
    "京ICP备09051002号",
    "Copyright 中国战略新兴产业网",
    "地址(Address)",
)
#: What the portal's error pages say, served with status 200 in the normal template.
ERROR_PAGE_MARKERS = ("页面不存在", "您访问的页面不存在", "页面已删除", "404 Not Found", "文章不存在")
#: Suffixes the ``<title>`` element adds after the article title.
TITLE_SEPARATORS = "-_|—–"


def strip_title_suffix(title: str) -> str:
    """``标题_中国战略新兴产业网`` without the site's name and the separator before it.

    String operations, not a regex: "separators, then the name, at the end" backtracks over every
    run of separators in a title, and a hostile title of 20,000 dashes took seconds.
    """
    head = title.rstrip()
    if not head.endswith(SITE_NAME):
        return title
    head = head[: -len(SITE_NAME)].rstrip()
    kept = head.rstrip(TITLE_SEPARATORS)
    return kept.rstrip() if kept != head else title


def site_id(url: str) -> int | None:
    """The document id in ``t20201124_40123.html``, the key an article keeps across channels."""
    match = ARTICLE_PATH.search(urlsplit(url).path)
    return int(match.group("id")) if match else None


def site_ids_in(text: str) -> set[int]:
    """The document ids of every article a page's text links to."""
    return {int(match.group("id")) for match in ARTICLE_LINK.finditer(text)}


def is_article_url(url: str) -> bool:
    """True for an article page URL by the TRS naming convention."""
    return site_id(url) is not None


def is_site_host(host: str | None, extra_hosts: frozenset[str] = frozenset()) -> bool:
    """True when a host is the portal (or a stand-in copy of it, passed as ``extra_hosts``)."""
    host = (host or "").lower().split(":")[0]
    return host in HOSTS or host in extra_hosts


def on_site(url: str) -> bool:
    """True for a live-site URL of the portal's own (an image it serves), False for one elsewhere."""
    try:
        return is_site_host(urlsplit(url).hostname)
    except ValueError:
        return False


def canonical_url(url: str) -> str:
    """The one spelling of a portal URL: http and https, with or without www, are the same site.

    URLs of a stand-in copy (the saved site on 127.0.0.1) are kept as they are, so that what the
    archive says was fetched is what was fetched. An article is its page, whatever query a link
    adds (``t20201124_40123.html?v=0``): its URL has none.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    path = parts.path or "/"
    query = "" if ARTICLE_PATH.search(path) else parts.query
    if host in HOSTS:
        origin = urlsplit(CANONICAL_ORIGIN)
        return urlunsplit((origin.scheme, origin.netloc, path, query, ""))
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


#: Links that resolve the same from any page of a site (absolute, or from its root): ``join`` asks
#: only the page's origin of them.
FROM_ORIGIN = ("http://", "https://", "//", "/")


def join(base_url: str, href: str) -> str | None:
    """``href`` resolved against ``base_url``; None for a link no browser could follow
    (``http://[www…``, which Python refuses as a bad IPv6 address).

    Every page names the site's stylesheet and logo from its root, and a body names its images
    twice (as images, and in its markup): the answers are cached, those from the root under the
    page's origin (``scheme://host``) rather than the page."""
    return _join(origin(base_url) if href.startswith(FROM_ORIGIN) else base_url, href)


def origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL, as it is written there: what a link from the root
    resolves against."""
    return "/".join(url.split("/", 3)[:3])


@lru_cache(maxsize=4096)
def _join(base_url: str, href: str) -> str | None:
    try:
        url = urljoin(base_url, href)
        urlsplit(url).hostname  # noqa: B018  (raises for a bad host)
    except ValueError:
        return None
    return url


def listing_folder(url: str) -> str | None:
    """The folder of a channel listing URL (``/swcy/swyy/``), or None for other pages."""
    match = LISTING_PAGE.match(urlsplit(url).path or "/")
    if not match or is_article_url(url):
        return None
    return match.group("folder")


def listing_folder_url(url: str) -> str:
    """The folder of a page's URL, the key of its listing: ``…/lpz/`` for ``…/lpz/index_3.html``."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rsplit("/", 1)[0] + "/", "", ""))


def listing_page_index(url: str) -> int:
    """Which page of its listing a URL is: 0 for ``index.html`` or the bare folder, 3 for ``index_3.html``."""
    match = LISTING_PAGE.match(urlsplit(url).path or "/")
    return int(match.group("n")) if match and match.group("n") else 0


def listing_page_url(folder_url: str, index: int, prefix: str = "index", ext: str = "html") -> str:
    """The URL of page ``index`` (0-based) of a listing: ``index.html``, ``index_1.html``, …"""
    name = f"{prefix}.{ext}" if index == 0 else f"{prefix}_{index}.{ext}"
    return listing_folder_url(folder_url) + name


_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,100}$")


def safe_relative_path(url: str) -> str:
    """A relative file path for a page of the site, made only of plain segments of its URL path.

    Segments that are empty, ``.``/``..``, or hold anything but letters, digits, ``_ . -`` are
    dropped, so no URL can name a file outside the folder it is written under.
    """
    segments = [s for s in urlsplit(url).path.split("/") if _SAFE_SEGMENT.match(s) and s.strip(".")]
    if not segments:
        return "index.html"
    if not segments[-1].endswith((".html", ".htm", ".shtml")):
        segments.append("index.html")
    return "/".join(segments)


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple[str, str, int | None] | None:
    """(scheme, host, port) of a URL, the port made explicit; None for a URL whose host readers
    disagree on: one with credentials or a backslash before its path (``http://a\\@b/`` is host
    a to a browser and to Scrapy's downloader, b to Python's parser)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if "@" in parts.netloc or "\\" in url.split("?")[0].split("#")[0]:
        return None
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme)


def same_site(url: str, fetch_origin: str) -> bool:
    """True when ``url`` is on the site being crawled. Same origin means scheme, host and port: a
    copy of the site at ``http://127.0.0.1:8000`` is that origin alone, not every port of the host.
    Crawling the portal, its own hosts over http and https (default ports) are the site."""
    origin, crawled = _origin(url), _origin(fetch_origin)
    if origin is None or crawled is None:
        return False
    if crawled[1] in HOSTS:
        return origin[1] in HOSTS and origin[0] in _DEFAULT_PORTS and origin[2] == _DEFAULT_PORTS[origin[0]]
    return origin == crawled


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def to_canonical(url: str, fetch_origin: str) -> str:
    """The live-site URL of a page fetched from ``fetch_origin`` (the portal, or a copy of it).

    Parsers and the archive work in the live site's URLs, so an archive made from a copy on
    127.0.0.1 links to the real articles, and does not change when the copy's port does.
    """
    if origin_of(url) == fetch_origin.lower():
        parts = urlsplit(url)
        url = urlunsplit(("http", urlsplit(CANONICAL_ORIGIN).netloc, parts.path or "/", parts.query, ""))
    return canonical_url(url)


def to_fetch(url: str, fetch_origin: str) -> str:
    """Where to fetch a live-site URL from: the portal itself, or the copy standing in for it."""
    parts = urlsplit(url)
    if (parts.hostname or "").lower() not in HOSTS:
        return url
    origin = urlsplit(fetch_origin)
    return urlunsplit((origin.scheme, origin.netloc, parts.path or "/", parts.query, ""))
