"""Reading an HTML tree as a reader sees it: lines of text, regions between comment markers.

The parsers work on lxml trees built from already-decoded text; see :mod:`crawler.parsing.encoding` for
turning response bytes into that text.
"""

from __future__ import annotations

import contextlib
import copy
import os
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
#: The same parser for a page's text encoded as UTF-8, which is how :func:`parse_html` hands it
#: over: lxml gives libxml2 a ``str`` in the string's own wide form, to be converted character by
#: character, where UTF-8 is libxml2's own. The encoding named is final: a ``<meta charset>`` in
#: the page does not change it, as with a ``str``. A lone surrogate (never in text decoded from
#: bytes) is passed as its three bytes, which libxml2 reads as replacement characters and goes on.
UTF8_PARSER = html.HTMLParser(encoding="utf-8")
for _parser in (PARSER, UTF8_PARSER):
    _parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
        element=html.HtmlElement, comment=html.HtmlComment, pi=html.HtmlProcessingInstruction, entity=html.HtmlEntity))


#: Tags that libxml2 reads as containers running to their closing tag, which an unclosed one (valid
#: HTML for ``<embed>``, a slip for the others) never gets: the rest of the page would vanish into it.
#: Sought in the page's UTF-8 with its ASCII letters lowered (``bytes.lower``), which is how libxml2
#: matches a tag's name: a case-insensitive pattern loses the regex's fast scan for ``<``, over every
#: page (``bench/results/2026-12-parse-input.md``). The bound on a tag's attributes is in bytes, three
#: a Chinese character.
_SWALLOWING = re.compile(rb"<(/?)(embed|iframe|object|noscript|select|template)\b[^>]{0,6000}>")


def close_dangling(page: bytes) -> bytes:
    """The page (UTF-8) without the opening tags that would swallow the rest of it: every
    ``<embed>`` (a void element), and an ``<iframe>``, ``<object>``, ``<noscript>``, ``<select>``
    or ``<template>`` that no closing tag follows. Closed ones stay, for the sanitiser to remove
    whole. One pass."""
    tags = list(_SWALLOWING.finditer(page.lower()))  # lowering ASCII keeps every byte's place
    if not tags:
        return page
    opened: dict[bytes, list[re.Match]] = {}
    dangling = []
    for tag in tags:
        name = tag.group(2)
        if name == b"embed":
            dangling.append(tag)
        elif not tag.group(1):
            opened.setdefault(name, []).append(tag)
        elif opened.get(name):
            opened[name].pop()
    dangling += [tag for waiting in opened.values() for tag in waiting]
    pieces, at = [], 0
    for tag in sorted(dangling, key=lambda t: t.start()):
        pieces.append(page[at : tag.start()])
        at = tag.end()
    return b"".join([*pieces, page[at:]])


def parse_html(text: str) -> html.HtmlElement:
    """Parse a page; an empty or markup-free page still gives a tree with a body, and no text in it
    that lxml would refuse to take back (see :func:`drop_unwritable`)."""
    if not text.strip():
        text = "<html><body></body></html>"
    try:
        root = html.document_fromstring(close_dangling(text.encode("utf-8", "surrogatepass")), parser=UTF8_PARSER)
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
    if hole is None:
        parts: list[str] = []
        _render(root, parts)
        text = "".join(parts)
    else:
        text = _rendered_around(root, hole, after_hole, hole_end)
    # White space is made single for the whole text at once (passes of str.replace, not one per
    # line); then each line loses its edges and its empty cells.
    lines = []
    for line in single_spaced(text, _LINE_SPACES).split("\n"):
        if "\t" in line:
            line = "\t".join(cell for cell in (c.strip(" ") for c in line.split("\t")) if cell)
        else:
            line = line.strip(" ")
        if line:
            lines.append(line)
    return lines


def _rendered_around(
    root: html.HtmlElement, hole: etree._Element, after_hole: int | None, hole_end: etree._Element | None
) -> str:
    """The text :func:`text_lines` reads when there is a hole: a whole page, as a rule, so written
    by :data:`_HOLE_STYLESHEET` in C, which takes a third of the time of Python's walk of its
    elements; by :class:`_Renderer` when the stylesheet cannot (see :func:`_stylesheet_text`)."""
    text = _stylesheet_text(root, hole, hole_end)
    if text is None:
        parts: list[str] = []
        with contextlib.suppress(_Enough):  # stopped past the hole on purpose
            _Renderer(parts, hole, after_hole, hole_end).render(root, is_root=True)
        return "".join(parts)
    at = text.find(_HOLE_OUT)
    if at >= 0 and after_hole is not None:  # stop where _Renderer stops: at break after_hole + 1
        pieces = text[at:].split(_BREAK_OUT, after_hole + 1)
        if len(pieces) > after_hole + 1:
            text = text[:at] + _BREAK_OUT.join(pieces[:-1]) + _BREAK_OUT
    return text.replace(_BREAK_OUT, "\n").replace(_HOLE_OUT, SENTINEL)


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


#: What :data:`_HOLE_STYLESHEET` writes for the hole and for each line break that counts towards
#: ``after_hole`` (where a block begins, and at ``<br>``): Unicode noncharacters, which are kept
#: for a program's own use. A page whose text holds either is rendered by :class:`_Renderer`.
_HOLE_OUT, _BREAK_OUT = "\ufdd0", "\ufdd1"
#: What the stylesheet knows the hole by while it renders (a comment's text, an element's tag),
#: and the tag the hole's parent wears when the hole has an end: new in each process, so no page
#: can hold them. A tag, not an attribute, since a stylesheet finds a tag at no cost. From
#: ``os.urandom``, not ``secrets``, whose ``hmac`` maps OpenSSL into the parse worker (4 MiB).
_HOLE_MARK, _END_MARK, _PARENT_MARK = (f"chinasei-{os.urandom(8).hex()}-{part}" for part in ("hole", "end", "parent"))

#: :func:`_render` and :class:`_Renderer` as XSLT: the same line breaks, tabs and skipped tags, and
#: the hole written as one line. With an end, the hole's parent writes what its own tag (``$kind``)
#: calls for around its children, but of its children only those up to the hole (``$hole``, its
#: place among them) and after the end (``$end``).
_HOLE_STYLESHEET = etree.XSLT(etree.XML(f"""\
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:output method="text" encoding="UTF-8"/>
<xsl:param name="kind" select="''"/>
<xsl:param name="hole" select="0"/>
<xsl:param name="end" select="0"/>
<xsl:template match="{_HOLE_MARK}|comment()[. = '{_HOLE_MARK}']" priority="2">
  <xsl:text>&#10;{_HOLE_OUT}&#10;</xsl:text>
</xsl:template>
<xsl:template match="{"|".join(sorted(SKIP_TAGS))}|comment()|processing-instruction()"/>
<xsl:template match="{"|".join(sorted(BLOCK_TAGS))}">
  <xsl:text>{_BREAK_OUT}</xsl:text><xsl:apply-templates/><xsl:text>&#10;</xsl:text>
</xsl:template>
<xsl:template match="br"><xsl:text>{_BREAK_OUT}</xsl:text><xsl:apply-templates/></xsl:template>
<xsl:template match="{"|".join(sorted(CELL_TAGS))}"><xsl:text>&#9;</xsl:text><xsl:apply-templates/></xsl:template>
<xsl:template match="{_PARENT_MARK}">
  <xsl:if test="$kind = 'block' or $kind = 'br'"><xsl:text>{_BREAK_OUT}</xsl:text></xsl:if>
  <xsl:if test="$kind = 'cell'"><xsl:text>&#9;</xsl:text></xsl:if>
  <xsl:apply-templates select="node()[position() &lt;= $hole or position() &gt; $end]"/>
  <xsl:if test="$kind = 'block'"><xsl:text>&#10;</xsl:text></xsl:if>
</xsl:template>
</xsl:stylesheet>"""))
#: Where the hole and its end stand among their parent's children (text and comments counted, as
#: ``position()`` counts them), once both are marked: "hole end", as one string.
_PLACES = etree.XPath("concat({}, ' ', {})".format(*(
    f"count({mark}/preceding-sibling::node() | comment()[. = '{mark}']/preceding-sibling::node()) + 1"
    for mark in (_HOLE_MARK, _END_MARK))))


def _stylesheet_text(root: html.HtmlElement, hole: etree._Element, hole_end: etree._Element | None) -> str | None:
    """The text :data:`_HOLE_STYLESHEET` writes of ``root``, its whole length (the caller cuts it
    after the hole), with the hole (and its parent, when it has an end) marked while it runs, and
    unmarked after; None when the stylesheet would not write what :class:`_Renderer` writes: a
    page whose text holds one of its noncharacters, a hole that is ``root`` or whose end is not a
    later sibling, a hole in a tag whose text is skipped, a hole, end or parent whose tag lxml
    would not set back (see :func:`_renamable`)."""
    if hole is root or _HOLE_OUT in (text := root.text_content()) or _BREAK_OUT in text:
        return None
    if not _renamable(hole):
        return None
    if hole_end is None:
        with _renamed(hole, _HOLE_MARK):
            return str(_HOLE_STYLESHEET(root))
    parent = hole.getparent()
    if parent is None or hole_end.getparent() is not parent or parent.tag in SKIP_TAGS:
        return None
    if not (_renamable(hole_end) and _renamable(parent)):
        return None
    kind = etree.XSLT.strparam(_kind(parent.tag))
    with _renamed(hole, _HOLE_MARK), _renamed(hole_end, _END_MARK):
        at, end = _PLACES(parent).split()
        if int(end) <= int(at):
            return None
        with _renamed(parent, _PARENT_MARK):
            return str(_HOLE_STYLESHEET(root, kind=kind, hole=at, end=end))


def _kind(tag: str) -> str:
    """What :data:`_HOLE_STYLESHEET` writes around an element's children, by its tag."""
    if tag in BLOCK_TAGS:
        return "block"
    return "br" if tag == "br" else "cell" if tag in CELL_TAGS else ""


#: An element of an HTML tree that only :func:`_renamable` names, to ask lxml whether it takes a tag.
_NAME_PROBE = html.document_fromstring("<p></p>", parser=PARSER).find("body/p")


def _renamable(node: etree._Element) -> bool:
    """Whether :func:`_renamed` can give ``node`` its name back: a comment always can, but libxml2
    reads some broken markup as a tag lxml refuses to set (``<d<p>`` gives the tag ``d<p``)."""
    if not isinstance(node.tag, str):
        return True
    try:
        _NAME_PROBE.tag = node.tag
    except ValueError:
        return False
    return True


@contextlib.contextmanager
def _renamed(node: etree._Element, mark: str) -> Iterator[None]:
    """Let the stylesheet find ``node`` by ``mark``: an element's tag, a comment's text; as it was
    again after."""
    is_element = isinstance(node.tag, str)
    before = node.tag if is_element else node.text
    if is_element:
        node.tag = mark
    else:
        node.text = mark
    try:
        yield
    finally:
        if is_element:
            node.tag = before
        else:
            node.text = before


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
