"""Article pages, parsed: ``parse_article(url, html) -> Article``. Pure: no network, no database.

Each field is found by an ordered chain of small rules. The portal's own conventions come first
(the comment markers around the body, the breadcrumb, the title and date lines after it); generic
rules (``<h1>``, ``<meta>``, the densest text block, the date in the URL) follow. The rule that
worked is written to ``Article.extraction`` as ``site:…`` or ``generic:…``, so a crawl can tell
its user when the live site stopped looking like the notes.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Container
from dataclasses import dataclass, field

from lxml import etree, html

from crawler.parsing import byline as bylines
from crawler.parsing import dates, dom, site, styles
from crawler.parsing.encoding import Decoded, decode_page
from crawler.parsing.items import Article, Attachment, ChannelLink, Image
from crawler.parsing.listing import channel_links
from crawler.parsing.sanitiser import absolute_url, clean_body_html, image_source

FONT_CONTROL = re.compile(r"^字体\s*[:：]")
CAPTION_LEAD = re.compile(r"^(图为|图片|图：|图:|▲|△|上图|下图|左图|右图)")
CAPTION_CLASSES = ("caption", "img_desc", "pic_desc", "imgdesc", "pictext", "img-title")


@dataclass
class Body:
    """Where the body is: the content to read, the node that marks its place in the page, and how."""

    content: html.HtmlElement  # a copy, not the page's own elements: the parse may edit it
    anchor: object
    rule: str
    anchor_end: object = None  # the end marker, when it is a sibling of the start one


@dataclass
class Header:
    """The lines a reader sees above the body, with the breadcrumb's position among them, the
    few lines right after the body (where some templates put the editor), and the page's
    ``<meta>`` values by name (lower case), read once for every rule that falls back on them."""

    lines: list[str]
    breadcrumb_at: int | None
    after_body: list[str]
    metas: dict[str, str] = field(default_factory=dict)


def parse_article_response(url: str, body: bytes, content_type: str | None, fetched_at: str | None = None) -> Article:
    """Parse an article page from the bytes received: decoded as :mod:`crawler.parsing.encoding` says, and a
    note among the problems when the page's declared encoding was wrong."""
    return parse_decoded(url, decode_page(body, content_type), fetched_at)


def parse_decoded(url: str, decoded: Decoded, fetched_at: str | None = None) -> Article:
    """Parse an article page already decoded, noting a wrong declared encoding among the problems."""
    return parse_article_page(url, decoded, fetched_at).article


@dataclass
class ArticlePage:
    """An article page as a crawler reads it: the article, and the channels the page links to."""

    article: Article
    channel_links: list[ChannelLink]


def parse_article_page(
    url: str, decoded: Decoded, fetched_at: str | None = None, known_channels: Container[str] = ()
) -> ArticlePage:
    """The article and the page's links to channels not in ``known_channels``, from one parse of
    the page: a crawler needs both, and parsing the HTML is a good part of the cost."""
    root = dom.parse_html(decoded.text)
    article = _article_from(url, root, fetched_at)
    if decoded.note:
        article.problems.append(f"encoding: {decoded.note}")
    return ArticlePage(article, channel_links(url, root, via="page", known=known_channels))


def parse_article(url: str, text: str, fetched_at: str | None = None) -> Article:
    """Parse one article page into an :class:`Article`."""
    return _article_from(url, dom.parse_html(text), fetched_at)


def _article_from(url: str, root: html.HtmlElement, fetched_at: str | None) -> Article:
    """The article of a parsed page; ``root`` is read, never changed."""
    article = Article(url=site.canonical_url(url), site_id=site.site_id(url), fetched_at=fetched_at)
    body = find_body(root)
    body_lines = dom.text_lines(body.content) if body else []
    header = read_header(root, body, body_lines)
    crumbs = extract_category(root, header, article)
    title_at = extract_title(root, header, article)
    head_lines = header.lines[title_at + 1 :] if title_at is not None else header.lines[-6:]
    body_top = [line for line in body_lines[:4] if _is_date_or_font_line(line)]
    extract_published_at(root, url, header, head_lines + body_top, article)
    people = read_header_meta(head_lines)
    if people:
        _note_byline(article, "header")
    for line in header.after_body:
        after = bylines.parse_meta_line(line)
        if after is not None and (after.editor or after.reviewer):
            people.merge(after)
            _note_byline(article, "after-body")
    if body is None:
        article.problems.append("no body found")
    else:
        people.merge(extract_body(body, body_lines, url, article))
    meta_source = _meta(header, "ContentSource")
    if not people.source and meta_source:
        people.add("source", meta_source)
        article.extraction.setdefault("byline", "generic:meta")
    _apply_byline(article, people)
    article.category_path = crumbs
    for field_name in ("title", "published_at"):
        if not getattr(article, field_name):
            article.problems.append(f"no {field_name.replace('_', ' ')} found")
    article.assets = styles.page_assets(root, url, [image.url for image in article.images])
    error = error_page_marker(root, article, body)
    if error:
        article.problems.insert(0, f"error page: the page says {error} (served as 200)")
    return article


def error_page_marker(root: html.HtmlElement, article: Article, body: Body | None) -> str | None:
    """What an error page served with status 200 says (页面不存在), or None for a real article.

    An article may mention those words, so they count only on a page without the site's body
    markers, in its title or in a page that short.
    """
    if body is not None and body.rule.startswith("site:"):
        return None
    title_tag = root.find(".//title")
    titles = " ".join(filter(None, [article.title, dom.element_text(title_tag) if title_tag is not None else ""]))
    page = root.find("body")
    text = dom.normalize_space(page.text_content()) if page is not None else ""
    for marker in site.ERROR_PAGE_MARKERS:
        if marker in titles or (marker in text and len(text) < 400):
            return marker
    return None


# --- Where things are ----------------------------------------------------------------------------


def find_body(root: html.HtmlElement) -> Body | None:
    """The body: between the TRS comment markers, else the TRS editor div, else the densest block."""
    start = dom.find_comment(root, site.BODY_START)
    if start is not None:
        end = dom.end_marker(start, site.BODY_END)
        region = dom.region_after(start, end)
        if dom.normalize_space(region.text_content()) or region.find(".//img") is not None:
            return Body(region, start, "site:comment-markers", end)
    for element in root.iter("div", "td", "section", "article"):
        if dom.has_class(element, site.BODY_CLASSES[:2]):
            return Body(copy.deepcopy(element), element, "site:trs-editor")
    densest = _densest_block(root)
    return Body(copy.deepcopy(densest), densest, "generic:densest-block") if densest is not None else None


def _densest_block(root: html.HtmlElement) -> html.HtmlElement | None:
    """The block whose own paragraphs hold the most text, less twice the text of its links.

    A block's score is at most its paragraphs' text, so a block with less than the best score so
    far is passed over before its links are counted; each link's text is read once, though the
    blocks nested around it count it again."""
    best, best_score = None, 40
    link_text: dict[html.HtmlElement, int] = {}
    for element in root.iter("div", "td", "section", "article", "main", "body"):
        paragraphs = [c for c in element if isinstance(c.tag, str) and c.tag in ("p", "div", "table")]
        text = sum(len(dom.normalize_space(p.text_content())) for p in paragraphs if p.tag != "div" or not len(p))
        if text <= best_score:
            continue
        links = 0
        for a in element.iter("a"):
            if a not in link_text:
                link_text[a] = len(dom.normalize_space(a.text_content()))
            links += link_text[a]
        score = text - 2 * links
        if score > best_score and not _holds_chrome(element.text_content()):
            best, best_score = element, score
    return best


def _holds_chrome(text: str) -> bool:
    """True for the text of a block that holds the page's chrome (its footer, the font switch)."""
    return any(marker in text for marker in site.CHROME_MARKERS)


def read_header(root: html.HtmlElement, body: Body | None, body_lines: list[str]) -> Header:
    """The page's lines before the body, which of them is the breadcrumb, and a few after the body."""
    page = root.find("body") if root.find("body") is not None else root
    inside = body is not None and body.rule == "site:comment-markers" and body.anchor_end is None
    reach = 2 * len(body_lines) + 16 if inside else 16  # inside: the body's own lines follow the hole
    lines = dom.text_lines(page, hole=body.anchor if body else None, after_hole=reach if body else None,
                           hole_end=body.anchor_end if body else None)
    after: list[str] = []
    if dom.SENTINEL in lines:
        cut = lines.index(dom.SENTINEL)
        lines, after = lines[:cut], lines[cut + 1 :]
        if inside:
            after = after[len(body_lines) :]
    at = next((i for i, line in enumerate(lines) if site.BREADCRUMB_LEAD.match(line)), None)
    return Header(lines, at, after[:3], _metas(root))


_META_ELEMENTS = etree.XPath("//meta[@content]")


def _metas(root: html.HtmlElement) -> dict[str, str]:
    """Each ``<meta>`` name's (or property's) first value that is not blank, by lower-case name."""
    found: dict[str, str] = {}
    for element in _META_ELEMENTS(root):
        name = (element.get("name") or element.get("property") or "").lower()
        if name and name not in found:
            value = dom.normalize_space(element.get("content"))
            if value:
                found[name] = value
    return found


def _meta(header: Header, *names: str) -> str | None:
    """The first of ``names`` the page's ``<meta>`` elements give a value."""
    return next((header.metas[name.lower()] for name in names if name.lower() in header.metas), None)


# --- Fields --------------------------------------------------------------------------------------


def extract_category(root: html.HtmlElement, header: Header, article: Article) -> list[str]:
    """The channel path from the breadcrumb (``首页 > 生物产业 > 生物医药``); the category is its end."""
    crumbs: list[str] = []
    if header.breadcrumb_at is not None:
        trail = site.BREADCRUMB_LEAD.sub("", header.lines[header.breadcrumb_at], count=1)
        crumbs = [c for c in site.split_breadcrumb(trail) if c not in ("首页", "正文", "详情")]
    if crumbs:
        article.category, article.extraction["category"] = crumbs[-1], "site:breadcrumb"
        return crumbs
    column = _meta(header, "ColumnName")
    if column:
        article.category, article.extraction["category"] = column, "generic:meta"
        return [column]
    return []


def _title_candidates(root: html.HtmlElement, header: Header) -> list[tuple[str, str]]:
    candidates = []
    if header.breadcrumb_at is not None:
        for line in header.lines[header.breadcrumb_at + 1 :]:
            if not _is_furniture(line):
                candidates.append(("site:after-breadcrumb", line))
                break
    for h1 in root.iter("h1"):
        text = dom.element_text(h1)
        if text and text != site.SITE_NAME:
            candidates.append(("generic:h1", text))
            break
    meta = _meta(header, "ArticleTitle", "og:title")
    if meta:
        candidates.append(("generic:meta", meta))
    title_tag = root.find(".//title")
    if title_tag is not None:
        text = site.strip_title_suffix(dom.normalize_space(title_tag.text_content()))
        if text and text != site.SITE_NAME:
            candidates.append(("generic:title-tag", text))
    return candidates


def _is_furniture(line: str) -> bool:
    """Lines near the title that are not the title: dates, font control, metadata, crumbs."""
    found, _ = dates.find_dates(line)
    undated = dates.DATE_TIME.sub("", line).strip(" :：|")
    return (
        (found and len(undated) < 12)
        or bool(FONT_CONTROL.match(line))
        or bylines.parse_meta_line(undated) is not None
        or "首页" in line
        or len(line) < 2
    )


def _is_date_or_font_line(line: str) -> bool:
    found, _ = dates.find_dates(line)
    return bool(FONT_CONTROL.match(line)) or (bool(found) and len(dates.DATE_TIME.sub("", line).strip(" :：|")) < 8)


def extract_title(root: html.HtmlElement, header: Header, article: Article) -> int | None:
    """Set the title; return the index of its line in the header, if it is there.

    The first candidate that agrees with the ``<title>`` element wins (it holds the full title on
    TRS pages); without that element, the first candidate does.
    """
    candidates = _title_candidates(root, header)
    if not candidates:
        return None
    tag = next((text for rule, text in candidates if rule == "generic:title-tag"), None)
    agreeing = [c for c in candidates if tag is None or c[1] in tag or tag in c[1]]
    rule, title = (agreeing or candidates)[0]
    article.title, article.extraction["title"] = title, rule
    matches = [i for i, line in enumerate(header.lines) if line == title]
    return matches[-1] if matches else None


def extract_published_at(
    root: html.HtmlElement, url: str, header: Header, head_lines: list[str], article: Article
) -> None:
    """The publication time: the date line under the title (or atop the body), else meta, else the
    page, else the day in the URL."""
    start = (header.breadcrumb_at or 0) + 1 if header.breadcrumb_at is not None else 0
    chains = (
        ("site:date-line", " \n".join(head_lines)),
        ("generic:meta", _meta(header, "PubDate", "article:published_time", "publishdate") or ""),
        ("generic:page", " \n".join(header.lines[start:])),
    )
    for rule, text in chains:
        found, bad = dates.find_dates(text)
        article.problems.extend(p for p in bad if p not in article.problems)
        if found:
            article.published_at, article.extraction["published_at"] = found[0].iso, rule
            return
    from_url = dates.date_from_url(url)
    if from_url:
        article.published_at, article.extraction["published_at"] = from_url, "generic:url"


def read_header_meta(lines: list[str]) -> bylines.Byline:
    """``来源:经济日报  作者:张三`` and the like, from the lines between the title and the body."""
    found = bylines.Byline()
    for line in lines:
        line = dates.DATE_TIME.sub(" ", line)
        for piece in re.split(r"\s{2,}|\t|\s(?=\S+[:：])", line):
            key = bylines.META_KEY.search(piece)
            if key:
                meta = bylines.parse_meta_line(piece[key.start() :])
                if meta:
                    found.merge(meta)
    return found


def extract_body(body: Body, lines: list[str], url: str, article: Article) -> bylines.Byline:
    """Set body, body_html and images from the body and its lines; return the byline its lead and
    closing paragraphs carried. ``body.content`` is the parse's own copy of the page's body (see
    :func:`find_body`), edited here: nothing reads it after."""
    content = body.content
    people = bylines.Byline()
    lines = _drop_page_chrome(lines, content, article)
    lines, lead = _take_byline(lines, content, people, bylines.split_lead, at=0)
    lines, tail = _take_byline(lines, content, people, bylines.split_tail, at=-1)
    written = [*lead, *reversed(tail)]
    if written:
        article.byline = "\n".join(written)
    for place, found in (("lead", lead), ("tail", tail)):
        if found:
            _note_byline(article, place)
    article.body = "\n".join(lines)
    article.images = extract_images(content, url)
    article.attachments = extract_attachments(content, url)
    article.body_html = clean_body_html(content, url, consume=True)  # last: it rewrites the tree
    credited = [c for image in article.images if (c := bylines.caption_credit(image.caption)) is not None]
    for credit in credited:  # 图为…（记者 张伟 摄）: the caption names a photographer too
        people.merge(credit)
    if credited:
        _note_byline(article, "caption")
    article.extraction["body"] = body.rule
    if not article.body and not article.images:
        article.problems.append("empty body")
    return people


def _drop_page_chrome(lines: list[str], content: html.HtmlElement, article: Article) -> list[str]:
    """Drop title, date and font-control lines a template put inside the body region."""
    kept, dropped = [], []
    for i, line in enumerate(lines):
        leading = i < 4 and not kept and (line == article.title or _is_date_or_font_line(line))
        chrome = any(marker in line for marker in site.CHROME_MARKERS)
        if leading or chrome:
            dropped.append(line)
            if chrome and len(article.problems) < 20:
                article.problems.append(f"page chrome in body: {line[:30]!r}")
            continue
        kept.append(line)
    _remove_lines(content, dropped)
    return kept


def _take_byline(
    lines: list[str],
    content: html.HtmlElement,
    people: bylines.Byline,
    split: Callable[[str], bylines.Found | None],
    at: int,
) -> tuple[list[str], list[str]]:
    """Take bylines off the body's first (``at=0``) or last (``at=-1``) lines, up to three.

    The byline leaves the text; it leaves ``body_html`` only where it is a block of its own, so a
    paragraph that goes on after ``本网讯（记者 张三）`` keeps its markup whole. Returns the lines
    left and the bylines as written, in the order they were taken.
    """
    written: list[str] = []
    for _ in range(3):
        found = split(lines[at]) if lines else None
        if found is None:
            break
        people.merge(found.byline)
        written.append(found.written)
        if found.kept:
            lines = [found.kept, *lines[1:]] if at == 0 else [*lines[:-1], found.kept]
            break
        _drop_block(content, lines[at])
        lines = lines[1:] if at == 0 else lines[:-1]
    return lines, written


def _note_byline(article: Article, place: str) -> None:
    """Say in ``extraction`` where the byline came from: ``site:header+lead+tail`` and the like."""
    before = article.extraction.get("byline")
    article.extraction["byline"] = f"{before}+{place}" if before else f"site:{place}"


def _drop_block(content: html.HtmlElement, line: str) -> bool:
    """Remove the smallest element whose text is ``line``; False when there is none."""
    matches = list(dom.elements_reading(content, {line}))
    if matches:
        matches[-1].drop_tree()
    return bool(matches)


def _remove_lines(content: html.HtmlElement, lines: list[str]) -> None:
    """Remove the innermost elements whose text is one of ``lines``, in one walk of the body (one
    walk per line was quadratic: a page of 5,000 breadcrumb lines took 46 s); a line that no
    element holds alone is cut from the text that holds it."""
    if not lines:
        return
    wanted = set(lines)
    matches = list(dom.elements_reading(content, wanted))
    outer = {a for e in matches for a in e.iterancestors()}
    found = set()
    for element in matches:
        if element not in outer:
            found.add(dom.element_text(element))
            element.drop_tree()
    for line in wanted - found:
        _remove_prefix(content, line)


def _remove_prefix(content: html.HtmlElement, prefix: str) -> None:
    """Cut ``prefix`` off the front of the text node that holds it."""
    prefix = prefix.strip()
    pattern = re.compile(r"^[\s\u3000\xa0]*" + r"[\s\u3000\xa0]*".join(map(re.escape, prefix.replace(" ", ""))))
    for element in content.iter():
        for attr in ("text", "tail"):
            value = getattr(element, attr, None)
            if value and pattern.match(value):
                setattr(element, attr, pattern.sub("", value, count=1).lstrip(" \u3000\xa0"))
                return


def extract_images(content: html.HtmlElement, url: str) -> list[Image]:
    """Each body image with its absolute URL and caption."""
    images = []
    for img in content.iter("img"):
        src = absolute_url(url, image_source(img))
        if src:
            images.append(Image(url=src, caption=_caption(img)))
    return images


def extract_attachments(content: html.HtmlElement, url: str) -> list[Attachment]:
    """Each file the body links (``<a href="./W0….pdf">名单.pdf</a>`` after 附件1：), once, named
    by the link's text (or its ``title`` when the text is empty)."""
    found: dict[str, Attachment] = {}
    for link in content.iter("a"):
        href = absolute_url(url, link.get("href"))
        if not href or not site.is_attachment_url(href) or href in found:
            continue
        name = dom.normalize_space(link.text_content()) or dom.normalize_space(link.get("title"))
        found[href] = Attachment(url=href, name=name or None)
    return list(found.values())


def _caption(img: html.HtmlElement) -> str | None:
    figure = next((a for a in img.iterancestors("figure")), None)
    if figure is not None:
        caption = figure.find(".//figcaption")
        if caption is not None and dom.element_text(caption):
            return dom.element_text(caption)
    block = next((a for a in img.iterancestors() if a.tag in dom.BLOCK_TAGS), None)
    if block is not None:
        own = dom.element_text(block)
        if own and len(own) <= 120:
            return own
        following = block.getnext()
        if following is not None and isinstance(following.tag, str) and following.find(".//img") is None:
            text = dom.element_text(following)
            style = (following.get("style") or "") + (following.get("align") or "")
            looks_like = "center" in style.lower() or dom.has_class(following, CAPTION_CLASSES)
            if text and len(text) <= 80 and (looks_like or CAPTION_LEAD.match(text)):
                return text
    for name in ("alt", "title"):
        text = dom.normalize_space(img.get(name))
        if text and not re.search(r"\.(jpe?g|png|gif|webp)$", text, re.I):
            return text
    return None


def _apply_byline(article: Article, people: bylines.Byline) -> None:
    for role in bylines.PERSON_ROLES:
        setattr(article, role, list(getattr(people, role)))
    article.source, article.editor, article.reviewer = people.source, people.editor, people.reviewer
