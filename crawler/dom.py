"""Reading an HTML tree as a reader sees it: lines of text, regions between comment markers.

The parsers work on lxml trees built from already-decoded text; see :mod:`crawler.encoding` for
turning response bytes into that text.
"""

from __future__ import annotations

import contextlib
import copy
import re
from collections.abc import Iterator

from lxml import etree, html

BLOCK_TAGS = frozenset(
    ["address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "thead", "tfoot", "tr", "ul", "caption"]
)
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "object", "select", "head"})
CELL_TAGS = frozenset({"td", "th"})
SENTINEL = "\x00"
_SPACES = re.compile(r"[ \t\r\f\v\xa0\u3000\u2002\u2003\u2009\u200b\ufeff]+")


def parse_html(text: str) -> html.HtmlElement:
    """Parse a page; an empty or markup-free page still gives a tree with a body."""
    if not text.strip():
        text = "<html><body></body></html>"
    try:
        return html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return html.document_fromstring("<html><body>" + html_escape(text) + "</body></html>")


def html_escape(text: str) -> str:
    """Escape text for inclusion in markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def normalize_space(text: str | None) -> str:
    """One space for any run of white space (full-width and no-break spaces included), trimmed."""
    return _SPACES.sub(" ", text or "").strip()


def element_text(element: html.HtmlElement) -> str:
    """The element's whole text on one line."""
    return normalize_space(" ".join(element.itertext()) if _has_inline_gaps(element) else element.text_content())


def _has_inline_gaps(element: html.HtmlElement) -> bool:
    return any(isinstance(e.tag, str) and e.tag in BLOCK_TAGS | {"br"} for e in element.iterdescendants())


class _Enough(Exception):
    """Rendering has gone far enough past the hole."""


def text_lines(root: html.HtmlElement, hole: html.HtmlElement | None = None, after_hole: int | None = None) -> list[str]:
    """The element's text as the lines a reader sees: one per block, ``<br>`` or table row.

    Table cells on a row are joined by a tab. When ``hole`` is given, that element is rendered as
    one line holding :data:`SENTINEL`, so a caller can tell what stands before and after it; with
    ``after_hole``, rendering stops about that many line breaks after it (a page's footer and
    sidebars are not needed to read its header).
    """
    parts: list[str] = []
    budget = {"after": after_hole, "seen": False}
    with contextlib.suppress(_Enough):  # stopped past the hole on purpose
        _render(root, parts, hole, is_root=True, budget=budget)
    lines = []
    for line in "".join(parts).split("\n"):
        cells = [normalize_space(cell) for cell in line.split("\t")]
        line = "\t".join(cell for cell in cells if cell)
        if line:
            lines.append(line)
    return lines


def _render(
    element: etree._Element, parts: list[str], hole: etree._Element | None, is_root: bool, budget: dict | None = None
) -> None:
    tag = element.tag if isinstance(element.tag, str) else None
    if element is hole:
        parts.append("\n" + SENTINEL + "\n")
        if budget is not None:
            budget["seen"] = True
    elif tag is not None and tag.lower() not in SKIP_TAGS:
        tag = tag.lower()
        block = tag in BLOCK_TAGS
        if block or tag == "br":
            parts.append("\n")
            if budget is not None and budget["seen"] and budget["after"] is not None:
                budget["after"] -= 1
                if budget["after"] < 0:
                    raise _Enough
        if tag in CELL_TAGS:
            parts.append("\t")
        if element.text:
            parts.append(element.text)
        for child in element:
            _render(child, parts, hole, is_root=False, budget=budget)
        if block:
            parts.append("\n")
    if element.tail and not is_root:
        parts.append(element.tail)


def find_comment(root: html.HtmlElement, markers: str | tuple[str, ...]) -> etree._Comment | None:
    """The first HTML comment whose text contains the marker (or one of the markers)."""
    markers = (markers,) if isinstance(markers, str) else markers
    for comment in root.iter(etree.Comment):
        if any(marker in (comment.text or "") for marker in markers):
            return comment
    return None


def region_between(root: html.HtmlElement, start: str | tuple[str, ...], end: str | tuple[str, ...]) -> html.HtmlElement | None:
    """A new ``<div>`` holding copies of what stands between two comment markers.

    TRS templates wrap the article body and the listing in such comments. The end marker is
    normally a sibling of the start; when it is not, the region runs to the end of the start
    marker's parent. Returns None when the start marker is missing.
    """
    first = find_comment(root, start)
    if first is None:
        return None
    region = html.Element("div")
    region.text = first.tail
    ends = (end,) if isinstance(end, str) else end
    for sibling in first.itersiblings():
        if isinstance(sibling, etree._Comment) and any(marker in (sibling.text or "") for marker in ends):
            break
        region.append(copy.deepcopy(sibling))
    return region


def iter_links(root: html.HtmlElement) -> Iterator[html.HtmlElement]:
    """Every ``<a>`` with an href."""
    yield from root.iter("a")


def has_class(element: html.HtmlElement, names: tuple[str, ...]) -> bool:
    """True when the element's class list holds one of ``names`` (case-insensitive)."""
    classes = {c.lower() for c in (element.get("class") or "").split()}
    return any(name.lower() in classes for name in names)
