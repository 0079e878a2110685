"""Channel listings and the home page, parsed. Pure: (url, html) in, items out.

A listing's articles sit between the ``文字列表页开始/结束`` comments; its page count is in the
``createPageHTML(…)`` script, since TRS writes pagination with JavaScript, not links. The home
page names the channels: its menu, and blocks whose ``更多>>`` link leads to a listing that the
menu does not carry (领跑者).
"""

from __future__ import annotations

import re
from collections.abc import Container
from functools import lru_cache
from urllib.parse import urlsplit

from lxml import etree, html

from crawler.parsing import dates, dom, site
from crawler.parsing.items import ChannelLink, ListingEntry, ListingPage


def parse_listing(url: str, text: str, known_channels: Container[str] = ()) -> ListingPage:
    """Parse one page of a channel listing; its channel links leave out ``known_channels``."""
    root = dom.parse_html(text)
    folder_url = site.listing_folder_url(url)
    page = ListingPage(url=url, folder_url=folder_url, channel=None, page_index=site.listing_page_index(url), page_count=None)
    page.channel = _channel_name(root, page)
    region = dom.region_between(root, site.LIST_START, site.LIST_END)
    if region is not None:
        page.extraction["entries"] = "site:list-markers"
        page.entries = [entry for li in _items(region) if (entry := _entry(url, li))]
    else:
        page.extraction["entries"] = "generic:article-links"
        page.problems.append("no list markers: article links read from the whole page")
        page.entries = _article_links_anywhere(url, root)
    _read_pager(root, page)
    page.channel_links = channel_links(url, root, via="listing", known=known_channels)
    return page


def _channel_name(root: html.HtmlElement, page: ListingPage) -> str | None:
    for line in dom.text_lines(root.find("body") if root.find("body") is not None else root):
        if site.BREADCRUMB_LEAD.match(line):
            crumbs = site.split_breadcrumb(site.BREADCRUMB_LEAD.sub("", line, count=1))
            if crumbs and crumbs[-1] != "首页":
                page.extraction["channel"] = "site:breadcrumb"
                return crumbs[-1]
    title = root.find(".//title")
    if title is not None:
        name = site.strip_title_suffix(dom.normalize_space(title.text_content()))
        if name and name != site.SITE_NAME:
            page.extraction["channel"] = "generic:title-tag"
            return name
    return None


def _items(region: html.HtmlElement) -> list[html.HtmlElement]:
    """The list's items: ``<li>`` where there are any, else each link on its own."""
    items = list(region.iter("li"))
    return items if items else [a for a in region.iter("a") if a.get("href")]


def _entry(page_url: str, item: html.HtmlElement) -> ListingEntry | None:
    link = item if item.tag == "a" else next((a for a in item.iter("a") if a.get("href")), None)
    if link is None:
        return None
    href = (link.get("href") or "").strip()
    if not href or href.startswith(("javascript:", "#", "mailto:")):
        return None
    url = site.join(page_url, href)
    if url is None:
        return None
    title = dom.normalize_space(link.get("title")) or dom.element_text(link) or None
    found, _ = dates.find_dates(dom.element_text(item))
    return ListingEntry(
        url=url,
        title=title,
        date=found[0].iso[:10] if found else None,
        is_article=site.is_article_url(url),
        on_site=_same_origin(page_url, url),
    )


def _same_origin(page_url: str, url: str) -> bool:
    page, other = urlsplit(page_url), urlsplit(url)
    if other.scheme not in ("http", "https"):
        return False
    return other.netloc.lower() == page.netloc.lower() or (
        site.is_site_host(other.hostname) and site.is_site_host(page.hostname)
    )


def _article_links_anywhere(page_url: str, root: html.HtmlElement) -> list[ListingEntry]:
    entries, seen = [], set()
    for link in dom.iter_links(root):
        entry = _entry(page_url, link)
        if entry and entry.is_article and entry.url not in seen:
            seen.add(entry.url)
            entries.append(entry)
    return entries


def _read_pager(root: html.HtmlElement, page: ListingPage) -> None:
    """The page count from the ``createPageHTML`` call, resolving ``var countPage = 5`` names."""
    scripts = "\n".join(s.text or "" for s in root.iter("script"))
    numbers = {name: int(value) for name, value in site.JS_NUMBER_VAR.findall(scripts)}
    for call in site.PAGER_CALL.finditer(scripts):
        if scripts[max(0, call.start() - 64) : call.start()].rstrip().endswith("function"):
            continue  # the pager's own definition, not a call (a window before it: the whole script was quadratic)
        ints, strings = [], []
        for arg in (a.strip() for a in call.group(1).split(",")):
            if re.fullmatch(r"\d+", arg):
                if len(arg) > site.PAGE_DIGITS:
                    page.problems.append(f"the pager's number {arg[:12]}… ({len(arg)} digits) is no page count; pager not read")
                    return
                ints.append(int(arg))
            elif arg in numbers:
                ints.append(numbers[arg])
            elif re.fullmatch(r"""(["']).*\1""", arg):
                strings.append(arg[1:-1])
        exts = [i for i, s in enumerate(strings) if s.lower() in ("html", "shtml", "htm")]
        if len(ints) >= 2 and exts and exts[0] > 0:
            page.page_count, page.page_prefix, page.page_ext = ints[0], strings[exts[0] - 1], strings[exts[0]]
            page.extraction["page_count"] = "site:pager-script"
            return
    linked = (site.join(page.url, a.get("href") or "") for a in dom.iter_links(root))
    same_folder = [site.listing_page_index(url) for url in linked if url and url.startswith(page.folder_url)]
    same_folder = [n for n in same_folder if n]
    if same_folder:
        page.page_count = max(same_folder) + 1
        page.extraction["page_count"] = "generic:page-links"
    else:
        page.problems.append("no pager script: the page count is unknown")


def _link_name(link: html.HtmlElement, text: str) -> str | None:
    """A link's channel name from its text; for a ``更多>>`` link, the title of the block it closes."""
    if text and not site.MORE_LINK.match(text):
        return text.lstrip("|✍️ ").strip() or None
    for ancestor in link.iterancestors():
        for element in ancestor.iter():
            if element is link or not isinstance(element.tag, str) or element.tag == "a":
                continue
            own = dom.normalize_space(element.text)
            if own and not site.MORE_LINK.match(own):
                return own
        if ancestor.tag in ("body", "html"):
            break
    return None


#: Every link's address: a page's links are sorted out without making a Python object of each
#: ``<a>``; only the links to channels not followed yet are looked at as elements (an address, a
#: "smart string", knows its element: ``getparent()``).
_HREFS = etree.XPath("//a/@href")


def channel_links(page_url: str, root: html.HtmlElement, via: str, known: Container[str] = ()) -> list[ChannelLink]:
    """Links on a page that lead to channel listings of the same site, in page order, once each.

    Every page carries the whole menu, so a crawler that has followed a channel passes its folder
    URL in ``known``: such links are skipped before their names are read, the costly part.
    """
    origin = site.origin(page_url)
    folder = site.listing_folder_url(page_url)
    leads: list[tuple[html.HtmlElement, str]] = []  # each link to a channel not known, and its folder
    for address in _HREFS(root):
        href = address.strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        base = origin if href.startswith(site.FROM_ORIGIN) else page_url if href.startswith("?") else folder
        folder_url = _channel_folder(base, href)
        if folder_url is not None and folder_url not in known:
            leads.append((address.getparent(), folder_url))
    found: dict[str, ChannelLink] = {}
    for link, folder_url in leads:
        text = dom.element_text(link)
        name = _link_name(link, text)
        if name in site.NOT_CHANNELS:
            continue
        kind = "more" if site.MORE_LINK.match(text) else via
        if folder_url not in found or (found[folder_url].name is None and name):
            found[folder_url] = ChannelLink(url=folder_url, name=name, via=kind)
    return list(found.values())


@lru_cache(maxsize=4096)
def _channel_folder(base_url: str, href: str) -> str | None:
    """The listing folder a link leads to, or None when it leads elsewhere. Every page repeats the
    menu's links, so a crawl asks this thousands of times with the same (origin or folder, href):
    cached. It is asked from the origin of links that resolve the same from any page of a site
    (:data:`crawler.parsing.site.FROM_ORIGIN`), and from the folder of the others, which resolve the
    same from any page of a folder (but ``?…``, which keeps the page's path)."""
    url = site.join(base_url, href)
    if url is None or not _same_origin(base_url, url) or site.listing_folder(url) in (None, "/"):
        return None
    return site.listing_folder_url(url)


def parse_home(url: str, text: str) -> list[ChannelLink]:
    """The channels the home page links to: its menu and its blocks' ``更多>>`` links."""
    return channel_links(url, dom.parse_html(text), via="home")

