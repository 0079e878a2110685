"""A page's look: the stylesheets and layout images it uses, and stylesheets made safe to serve.

An archived page keeps its text and photographs, but a reader should also see it as it looked: the
site's stylesheets, the logo and banner of its chrome, the background images and fonts its
stylesheets name. This module finds them (:func:`page_assets` in a page, :func:`stylesheet_refs`
in a stylesheet) and rewrites a stylesheet so that every address in it points at the archive's copy
or is gone (:func:`rewrite_stylesheet`): the archive serves it, and nothing in it may reach another
host.

Stylesheets are read with tinycss2, as a browser tokenises them (comments, strings, escapes,
``url(…)`` with or without quotes), never with a regular expression.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import tinycss2
from lxml import etree, html
from tinycss2 import ast

from crawler.parsing import site
from crawler.parsing.items import FONT, LAYOUT_IMAGE, STYLESHEET, Asset
from crawler.parsing.sanitiser import absolute_url, image_source

#: Functions whose bare string arguments are image addresses, as ``url(…)`` is.
_IMAGE_SET = frozenset({"image-set", "-webkit-image-set"})
#: What a stylesheet's text is read as when neither a byte-order mark, the HTTP header nor an
#: ``@charset`` rule says: UTF-8 if it decodes, else the site's legacy encoding (its CMS writes
#: ``font-family: "宋体"`` in GBK).
_FALLBACK_ENCODINGS = ("utf-8", site.LEGACY_ENCODING)


def decode_stylesheet(body: bytes, content_type: str | None = None) -> str:
    """A stylesheet's text, decoded as a browser would (BOM, then the header's charset, then
    ``@charset``), falling back to UTF-8 or the site's legacy encoding, whichever decodes."""
    charset = _charset(content_type)
    if body.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or charset or body.startswith(b'@charset "'):
        text, _ = tinycss2.bytes.decode_stylesheet_bytes(body, protocol_encoding=charset)
        return text
    for encoding in _FALLBACK_ENCODINGS:
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    return body.decode(_FALLBACK_ENCODINGS[-1], errors="replace")


def _charset(content_type: str | None) -> str | None:
    for part in (content_type or "").split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value.strip(' "'):
            return value.strip(' "')
    return None


# --- what a page and a stylesheet use ------------------------------------------------------------


#: What any CSS that names an address must contain, as written: ``url(``, ``image-set(`` or
#: ``@import``, in any case, unless it spells them with escapes (then it holds a backslash).
_ADDRESS_MARKS = ("url(", "image-set(", "@import")
#: Every ``style`` attribute of a page, as strings that know their element. Finding the elements
#: to read this way (``//@style`` and a C-filtered walk for three tags) takes a fifth of the time
#: of an XPath that selects them all, and leaves the page's other elements out of Python.
_STYLE_ATTRIBUTES = etree.XPath("//@style")
#: Elements that are assets or hold them, whatever their attributes.
_ASSET_TAGS = ("link", "img", "style")


def page_assets(root: html.HtmlElement, page_url: str, shown: Iterable[str] = ()) -> list[Asset]:
    """The stylesheets a page links (``<link rel="stylesheet">``, ``@import`` in its ``<style>``),
    the images of its chrome (every ``<img>`` not in ``shown``, the body's own images) and what its
    inline styles name, each once, in page order."""
    found: dict[str, str] = {}
    body_images = set(shown)
    for element in _asset_elements(root):
        tag = element.tag.lower()
        if tag == "link" and "stylesheet" in (element.get("rel") or "").lower().split():
            url = absolute_url(page_url, element.get("href"))
            if url:
                found.setdefault(url, STYLESHEET)
        elif tag == "img":
            url = absolute_url(page_url, image_source(element))
            if url and url not in body_images:
                found.setdefault(url, LAYOUT_IMAGE)
        elif tag == "style" and element.text:
            for url, role in stylesheet_refs(element.text, page_url):
                found.setdefault(url, role)
        if element.get("style"):
            for url, role in style_attribute_refs(element.get("style") or "", page_url):
                found.setdefault(url, role)
    return [Asset(url, role) for url, role in found.items()]


def _may_name_addresses(css: str) -> bool:
    """Whether CSS can name any address at all: most inline styles (``width:100px``) cannot, and
    tokenising them all was a quarter of the time it took to parse an article page."""
    if "\\" in css:
        return True
    lowered = css.lower()
    return any(mark in lowered for mark in _ADDRESS_MARKS)


def _asset_elements(root: html.HtmlElement) -> Iterable[html.HtmlElement]:
    """The page's links, images and ``<style>`` elements, and its elements whose ``style`` can name
    an address, in page order. Such styles are rare: a page without one is walked for three tags
    in C; a page with one is walked whole."""
    styled = {value.getparent() for value in _STYLE_ATTRIBUTES(root) if _may_name_addresses(value)}
    if not styled:
        return root.iter(*_ASSET_TAGS)
    return (e for e in root.iter() if e.tag in _ASSET_TAGS or e in styled)


def stylesheet_refs(css: str, css_url: str) -> list[tuple[str, str]]:
    """(absolute URL, role) of what a stylesheet asks for: ``@import`` (a stylesheet), ``url(…)``
    in ``@font-face`` (a font) and any other ``url(…)`` or ``image-set`` (a layout image), each
    once; ``data:`` and other non-web addresses are not requests of their own and are left out."""
    found: dict[str, str] = {}
    if not _may_name_addresses(css):
        return []
    for rule in tinycss2.parse_stylesheet(css):
        if isinstance(rule, ast.AtRule) and rule.lower_at_keyword == "import":
            target = _import_target(rule)
            if target is not None:
                _add(found, css_url, target, STYLESHEET)
            continue
        role = FONT if isinstance(rule, ast.AtRule) and rule.lower_at_keyword == "font-face" else LAYOUT_IMAGE
        for values in _children_lists(rule):
            for link in _links(values):
                _add(found, css_url, link, role)
    return list(found.items())


def stored_stylesheet_refs(body: bytes, content_type: str | None, css_url: str) -> list[tuple[str, str]]:
    """What a stylesheet names, from its bytes as received (see :func:`stylesheet_refs`)."""
    return stylesheet_refs(decode_stylesheet(body, content_type), css_url)


def style_attribute_refs(style: str, page_url: str) -> list[tuple[str, str]]:
    """(absolute URL, role) of what a ``style="…"`` attribute asks for (layout images)."""
    found: dict[str, str] = {}
    if not _may_name_addresses(style):
        return []
    for link in _links(tinycss2.parse_component_value_list(style)):
        _add(found, page_url, link, LAYOUT_IMAGE)
    return list(found.items())


def _add(found: dict[str, str], base: str, link: str, role: str) -> None:
    url = absolute_url(base, link)
    if url and not url.startswith("mailto:"):
        found.setdefault(url, role)


def _target_index(prelude: list[Any]) -> int | None:
    """Where an ``@import``'s address is in its prelude: its first string or ``url(…)``."""
    return next((i for i, token in enumerate(prelude) if _link_of(token, strings=True) is not None), None)


def _import_target(rule: ast.AtRule) -> str | None:
    """The address an ``@import`` names."""
    i = _target_index(rule.prelude)
    return None if i is None else _link_of(rule.prelude[i], strings=True)


def _children_lists(node: Any) -> list[list[Any]]:
    """The lists of component values inside a rule, a block or a function (rewritten in place)."""
    if isinstance(node, (ast.QualifiedRule, ast.AtRule)):
        return [node.prelude] + ([node.content] if node.content is not None else [])
    if isinstance(node, ast.FunctionBlock):
        return [node.arguments]
    if isinstance(node, (ast.CurlyBracketsBlock, ast.SquareBracketsBlock, ast.ParenthesesBlock)):
        return [node.content]
    return []


def _link_of(node: Any, strings: bool = False) -> str | None:
    """The address a component value is, or None when it is none: a ``url(…)`` token or function
    (``""`` for one with no address), or, where ``strings`` (inside ``image-set``), a string."""
    if isinstance(node, ast.URLToken) or (strings and isinstance(node, ast.StringToken)):
        return node.value
    if isinstance(node, ast.FunctionBlock) and node.lower_name == "url":
        return _function_url(node) or ""
    return None


def _links(nodes: Iterable[Any], strings: bool = False) -> Iterator[str]:
    """Every address in a list of component values, nested blocks and functions included."""
    for node in nodes:
        link = _link_of(node, strings)
        if link is not None:
            if link:
                yield link
        else:
            for values in _children_lists(node):
                yield from _links(values, _is_image_set(node))


def _is_image_set(node: Any) -> bool:
    return isinstance(node, ast.FunctionBlock) and node.lower_name in _IMAGE_SET


def _function_url(function: ast.FunctionBlock) -> str | None:
    """The string of ``url("…")`` (tinycss2 reads a quoted ``url`` as a function)."""
    return next((t.value for t in function.arguments if isinstance(t, ast.StringToken)), None)


# --- a stylesheet made safe to serve from the archive ---------------------------------------------


def rewrite_stylesheet(css: str, css_url: str, local: Callable[[str], str | None]) -> str:
    """``css`` (from ``css_url``) with every address the archive holds pointed at its copy
    (``local(absolute URL)``) and every other one gone: an ``@import`` of a stylesheet it lacks is
    dropped, any other address becomes ``none``. ``@charset`` goes (the archive serves UTF-8), and
    ``</`` is written ``<\\/`` so the text can sit inside a ``<style>`` element."""
    rules = []
    for rule in tinycss2.parse_stylesheet(css):
        if isinstance(rule, ast.AtRule) and rule.lower_at_keyword == "charset":
            continue
        if isinstance(rule, ast.AtRule) and rule.lower_at_keyword == "import":
            target = _import_target(rule)
            address = local(absolute_url(css_url, target) or "") if target else None
            if address is None:
                continue
            after = rule.prelude[_target_index(rule.prelude) + 1:]  # its media queries, layer(), supports()
            rule.prelude = [ast.WhitespaceToken(0, 0, " "), ast.URLToken(0, 0, address, _url(address)), *after]
        else:
            _rewrite(_children_lists(rule), css_url, local)
        rules.append(rule)
    return _inert(tinycss2.serialize(rules))


def rewrite_style_attribute(style: str, page_url: str, local: Callable[[str], str | None]) -> str:
    """A ``style="…"`` attribute with its addresses pointed at the archive's copies or gone."""
    values = tinycss2.parse_component_value_list(style)
    _rewrite([values], page_url, local)
    return tinycss2.serialize(values)


def _inert(text: str) -> str:
    return text.replace("</", "<\\/")


def _url(address: str) -> str:
    return "url(" + tinycss2.serializer.serialize_url(address) + ")"


def _rewrite(lists: list[list[Any]], base: str, local: Callable[[str], str | None], strings: bool = False) -> None:
    """Every address in the lists, in place: the archive's copy (``local``) or ``none``."""
    for values in lists:
        for i, node in enumerate(values):
            link = _link_of(node, strings)
            if link is None:
                _rewrite(_children_lists(node), base, local, _is_image_set(node))
                continue
            address = local(absolute_url(base, link) or "") if link else None
            values[i] = ast.URLToken(0, 0, address, _url(address)) if address else ast.IdentToken(0, 0, "none")
