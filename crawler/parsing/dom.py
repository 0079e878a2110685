"""Reading an HTML tree as a reader sees it: lines of text, regions between comment markers.

The parsers work on lxml trees built from already-decoded text; see :mod:`crawler.parsing.encoding` for
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
#: What a page writes as space, the ASCII space aside: tabs, no-break, full-width, en and em,
#: thin and zero-width spaces, and the byte-order mark.
_SPACES = "\t\r\f\v\xa0\u3000\u2002\u2003\u2009\u200b\ufeff"
_LINE_SPACES = _SPACES.replace("\t", "")  # within a line of text_lines, where a tab parts cells


def single_spaced(text: str, spaces: str = _SPACES) -> str:
    """``text`` with each run of spaces (`` `` and ``spaces``) as one `` ``.

    String methods, not a regex: a character class of non-ASCII characters costs a regex some
    20 ns a character, and this runs over every text of every page. A character that is not there
    costs one scan (``replace`` gives the text back as it was); runs are halved at each pass, so a
    run of a million spaces takes twenty."""
    for space in spaces:
        text = text.replace(space, " ")
    while "  " in text:
        text = text.replace("  ", " ")
    return text


#: The parser every page is read with: lxml.html's, but with every element an ``HtmlElement``, the
#: class chosen in C. lxml.html's own parser chooses each element's class in a Python function (to
#: give forms and their fields classes of their own, which nothing here uses), called each time
#: Python touches an element of the tree; a page read by the densest-block rule touches them all.
PARSER = html.HTMLParser()
PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=html.HtmlElement, comment=html.HtmlComment, pi=html.HtmlProcessingInstruction, entity=html.HtmlEntity))


#: Tags that libxml2 reads as containers running to their closing tag, which an unclosed one (valid
#: HTML for ``<embed>``, a slip for the others) never gets: the rest of the page would vanish into it.
_SWALLOWING = re.compile(r"<(/?)(embed|iframe|object|noscript|select|template)\b[^>]{0,2000}>", re.IGNORECASE)


def close_dangling(text: str) -> str:
    """The page without the opening tags that would swallow the rest of it: every ``<embed>`` (a
    void element), and an ``<iframe>``, ``<object>``, ``<noscript>``, ``<select>`` or ``<template>``
    that no closing tag follows. Closed ones stay, for the sanitiser to remove whole. One pass."""
    tags = list(_SWALLOWING.finditer(text))
    if not tags:
        return text
    opened: dict[str, list[re.Match]] = {}
    dangling = []
    for tag in tags:
        name = tag.group(2).lower()
        if name == "embed":
            dangling.append(tag)
        elif not tag.group(1):
            opened.setdefault(name, []).append(tag)
        elif opened.get(name):
            opened[name].pop()
    dangling += [tag for waiting in opened.values() for tag in waiting]
    pieces, at = [], 0
    for tag in sorted(dangling, key=lambda t: t.start()):
        pieces.append(text[at : tag.start()])
        at = tag.end()
    return "".join([*pieces, text[at:]])


def parse_html(text: str) -> html.HtmlElement:
    """Parse a page; an empty or markup-free page still gives a tree with a body, and no text in it
    that lxml would refuse to take back (see :func:`drop_unwritable`)."""
    if not text.strip():
        text = "<html><body></body></html>"
    text = close_dangling(text)
    try:
        root = html.document_fromstring(text, parser=PARSER)
    except (etree.ParserError, ValueError):
        root = html.document_fromstring("<html><body>" + html_escape(text) + "</body></html>", parser=PARSER)
    return drop_unwritable(root) if _may_be_unwritable(text) else root


#: Control characters XML does not allow: libxml2's HTML parser keeps them in text (written raw or as
#: ``&#31;``), and lxml then refuses any text that holds them, so the parsers' edits would fail.
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: Character references below 32 (``&#31;``, ``&#x1F;``; tab and line ends too, which are harmless).
_LOW_REFERENCE = re.compile(r"&#(?:0*(?:[12]?[0-9]|3[01])(?![0-9])|x0*1?[0-9a-f](?![0-9a-f]))", re.IGNORECASE)
_CONTROLS = tuple(chr(code) for code in range(32) if chr(code) not in "\t\n\r")


def _may_be_unwritable(text: str) -> bool:
    """Whether a page may give such text: one of them raw, or a reference to one. Only such a page has
    its tree walked (walking every tree cost the parser a tenth of its speed); looking for each
    character with ``in`` costs a few microseconds a page, where a regex over the page cost forty."""
    return any(control in text for control in _CONTROLS) or ("&#" in text and _LOW_REFERENCE.search(text) is not None)


def drop_unwritable(root: html.HtmlElement) -> html.HtmlElement:
    """Remove from the tree's text the control characters no reader sees and lxml cannot write.
    (Attributes are left to the sanitiser, which keeps them escaped in links.)"""
    for element in root.iter():
        for name in ("text", "tail"):
            value = getattr(element, name)
            if value and _UNWRITABLE.search(value):
                setattr(element, name, _UNWRITABLE.sub("", value))
    return root


def html_escape(text: str) -> str:
    """Escape text for inclusion in markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def normalize_space(text: str | None) -> str:
    """One space for any run of white space (full-width and no-break spaces included), trimmed."""
    return single_spaced(text).strip() if text else ""


def element_text(element: html.HtmlElement) -> str:
    """The element's whole text on one line."""
    if not len(element):  # no children: its text is all (most elements a parser asks about)
        return normalize_space(element.text)
    return normalize_space(" ".join(element.itertext()) if _has_inline_gaps(element) else element.text_content())


def squeezed(text: str) -> str:
    """The text without any of its white space: equal for two texts whenever their
    :func:`normalize_space` forms are, so it rules out cheaply an element whose text cannot be a
    given line (its ``text_content()`` squeezed differs from the line squeezed). White space as
    ``str.split`` knows it, and the two zero-width characters :data:`_SPACES` holds."""
    return "".join(text.split()).replace("\u200b", "").replace("\ufeff", "")


def elements_reading(root: html.HtmlElement, lines: set[str]) -> Iterator[html.HtmlElement]:
    """Each element below ``root``, in document order, whose :func:`element_text` is one of
    ``lines``. Only an element whose text without white space is that of a line is read as a
    reader sees it; the others (most of them, the body's large containers among them) are
    passed over on a comparison of their raw text."""
    keys = {squeezed(line) for line in lines}
    shortest = min(map(len, keys), default=0)
    for element in root.iterdescendants():
        if not isinstance(element.tag, str):
            continue
        raw = element.text_content()
        if len(raw) >= shortest and squeezed(raw) in keys and element_text(element) in lines:
            yield element


#: Tags whose text stands apart from the text around it: blocks and line breaks.
_GAP_TAGS = BLOCK_TAGS | {"br"}


def _has_inline_gaps(element: html.HtmlElement) -> bool:
    return any(isinstance(e.tag, str) and e.tag in _GAP_TAGS for e in element.iterdescendants())


class _Enough(Exception):
    """Rendering has gone far enough past the hole."""


def text_lines(
    root: html.HtmlElement, hole: etree._Element | None = None, after_hole: int | None = None,
    hole_end: etree._Element | None = None,
) -> list[str]:
    """The element's text as the lines a reader sees: one per block, ``<br>`` or table row.

    Table cells on a row are joined by a tab. When ``hole`` is given, that element is rendered as
    one line holding :data:`SENTINEL`, so a caller can tell what stands before and after it; with
    ``hole_end`` (a later sibling of ``hole``), everything from the hole to it is that one line
    (the body between its comment markers, already read on its own); with ``after_hole``,
    rendering stops about that many line breaks after the hole (a page's footer and sidebars are
    not needed to read its header).
    """
    parts: list[str] = []
    if hole is None:
        _render(root, parts)
    else:
        with contextlib.suppress(_Enough):  # stopped past the hole on purpose
            _Renderer(parts, hole, after_hole, hole_end).render(root, is_root=True)
    # White space is made single for the whole text at once (passes of str.replace, not one per
    # line); then each line loses its edges and its empty cells.
    lines = []
    for line in single_spaced("".join(parts), _LINE_SPACES).split("\n"):
        if "\t" in line:
            line = "\t".join(cell for cell in (c.strip(" ") for c in line.split("\t")) if cell)
        else:
            line = line.strip(" ")
        if line:
            lines.append(line)
    return lines


def _render(element: etree._Element, parts: list[str]) -> None:
    """Write an element's text (not its tail) into ``parts``, with line breaks where blocks begin
    and end: what :class:`_Renderer` writes when there is no hole, in a plain function, since
    nearly every element of every page passes through it."""
    tag = element.tag
    if tag.__class__ is not str or tag in SKIP_TAGS:  # the HTML parser gives lower-case tags
        return
    block = tag in BLOCK_TAGS
    if block or tag == "br":
        parts.append("\n")
    elif tag in CELL_TAGS:
        parts.append("\t")
    text = element.text  # read once: lxml makes a new string of it each time it is read
    if text:
        parts.append(text)
    for child in element:
        _render(child, parts)
        tail = child.tail
        if tail:
            parts.append(tail)
    if block:
        parts.append("\n")


class _Renderer:
    """Writes an element's text into ``parts``, with line breaks where blocks begin and end, and
    the hole (see :func:`text_lines`) as one line of its own."""

    __slots__ = ("parts", "hole", "after", "seen", "hole_end", "around")

    def __init__(self, parts: list[str], hole: etree._Element | None, after_hole: int | None,
                 hole_end: etree._Element | None = None):
        self.parts, self.hole, self.after, self.seen, self.hole_end = parts, hole, after_hole, False, hole_end
        # the elements that hold the hole: until the hole is seen, any other is written by _render
        self.around = set(hole.iterancestors()) if hole is not None else set()

    def render(self, element: etree._Element, is_root: bool = False) -> None:
        parts = self.parts
        tag = element.tag
        if element is self.hole:
            self._mark_hole()
        elif tag.__class__ is str and tag not in SKIP_TAGS:  # the HTML parser gives lower-case tags
            block = tag in BLOCK_TAGS
            if block or tag == "br":
                parts.append("\n")
                if self.seen and self.after is not None:
                    self.after -= 1
                    if self.after < 0:
                        raise _Enough
            elif tag in CELL_TAGS:
                parts.append("\t")
            text = element.text  # read once: lxml makes a new string of it each time it is read
            if text:
                parts.append(text)
            skipping = False
            for child in element:
                if skipping:  # between the hole and its end
                    if child is self.hole_end:
                        skipping = False
                        tail = child.tail
                        if tail:
                            parts.append(tail)
                    continue
                if child is self.hole and self.hole_end is not None:
                    self._mark_hole()
                    skipping = True
                    continue
                if self.seen or child is self.hole or child in self.around:
                    self.render(child)
                    continue
                _render(child, parts)  # before the hole, and without it: nothing to count or mark
                tail = child.tail
                if tail:
                    parts.append(tail)
            if block:
                parts.append("\n")
        if not is_root:
            tail = element.tail
            if tail:
                parts.append(tail)

    def _mark_hole(self) -> None:
        self.parts.append("\n" + SENTINEL + "\n")
        self.seen = True


def _has_marker(comment: etree._Comment, markers: str | tuple[str, ...]) -> bool:
    markers = (markers,) if isinstance(markers, str) else markers
    return any(marker in (comment.text or "") for marker in markers)


def find_comment(root: html.HtmlElement, markers: str | tuple[str, ...]) -> etree._Comment | None:
    """The first HTML comment whose text contains the marker (or one of the markers)."""
    return next((comment for comment in root.iter(etree.Comment) if _has_marker(comment, markers)), None)


def end_marker(start: etree._Comment, markers: str | tuple[str, ...]) -> etree._Comment | None:
    """The first later sibling of a start marker that is a comment holding one of ``markers``."""
    return next((sibling for sibling in start.itersiblings(etree.Comment) if _has_marker(sibling, markers)), None)


def region_between(root: html.HtmlElement, start: str | tuple[str, ...], end: str | tuple[str, ...]) -> html.HtmlElement | None:
    """A new ``<div>`` holding copies of what stands between two comment markers.

    TRS templates wrap the article body and the listing in such comments. The end marker is
    normally a sibling of the start; when it is not, the region runs to the end of the start
    marker's parent. Returns None when the start marker is missing.
    """
    first = find_comment(root, start)
    return region_after(first, end_marker(first, end)) if first is not None else None


def region_after(first: etree._Comment, last: etree._Comment | None) -> html.HtmlElement:
    """A new ``<div>`` holding copies of the siblings from ``first`` to ``last`` (or the end)."""
    region = PARSER.makeelement("div")
    region.text = first.tail
    for sibling in first.itersiblings():
        if sibling is last:
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
