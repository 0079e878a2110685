"""Turning a page's body markup into the clean, safe ``body_html`` the archive keeps.

Stored HTML is read later by browsers (Datasette, exports), so it is treated as hostile: only a
known set of tags and attributes survives, URLs are made absolute, and only http(s) and mailto
links are kept. Presentation (styles, classes, ``OLDSRC``, fonts) is dropped.
"""

from __future__ import annotations

import copy
import re

from lxml import etree, html

from crawler.parsing import site
from crawler.parsing.dom import BLOCK_TAGS, normalize_space

DROP_WITH_CONTENT = frozenset(
    {"script", "style", "noscript", "template", "iframe", "object", "embed", "form", "input", "button",
     "select", "textarea", "link", "meta", "svg", "math", "frame", "frameset", "applet", "base", "head"}
)
ALLOWED = {
    "p": (), "br": (), "strong": (), "b": (), "em": (), "i": (), "u": (), "sub": (), "sup": (),
    "h2": (), "h3": (), "h4": (), "h5": (), "h6": (), "ul": (), "ol": (), "li": (), "blockquote": (),
    "pre": (), "code": (), "hr": (), "figure": (), "figcaption": (),
    "table": (), "caption": (), "thead": (), "tbody": (), "tfoot": (), "tr": (),
    "td": ("colspan", "rowspan"), "th": ("colspan", "rowspan"),
    "img": ("src", "alt"), "a": ("href", "title"),
}
RENAME = {"h1": "h2", "center": "div", "section": "div", "article": "div"}
SAFE_SCHEMES = ("http://", "https://", "mailto:")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # not allowed in XML, so not by lxml either


def image_source(img: html.HtmlElement) -> str | None:
    """The address an ``<img>`` shows: ``src``, else TRS's ``OLDSRC``, else a lazy-load attribute."""
    for name in ("src", "data-src", "data-original", "OLDSRC", "oldsrc"):
        value = (img.get(name) or "").strip()
        if value and not value.lower().startswith(("data:", "javascript:")):
            return value
    return None


def absolute_url(base_url: str, link: str | None) -> str | None:
    """``link`` resolved against ``base_url``, or None when it is not a safe web address."""
    if not link:
        return None
    url = site.join(base_url, link.strip())
    return url if url is not None and url.lower().startswith(SAFE_SCHEMES) else None


def clean_body_html(container: html.HtmlElement, base_url: str, consume: bool = False) -> str:
    """The inner HTML of ``container``, sanitised, one top-level block per line. ``consume``: the
    container is the caller's to give up, and is cleaned where it stands instead of in a copy."""
    root = container if consume else copy.deepcopy(container)
    root.tail = None
    for element in list(root.iter()):
        if element is not root:
            _clean_element(element, base_url)
    _trim_blocks(root)
    pieces = [normalize_space(root.text)] if normalize_space(root.text) else []
    pieces += [html.tostring(child, encoding="unicode", with_tail=False) for child in root]
    return "\n".join(p for p in pieces if p.strip())


def _clean_element(element: etree._Element, base_url: str) -> None:
    if not isinstance(element.tag, str):
        element.drop_tree()
        return
    name = element.tag.lower()
    name = RENAME.get(name, name)
    if name in DROP_WITH_CONTENT:
        element.drop_tree()
        return
    if name == "div" and not any(isinstance(c.tag, str) and c.tag.lower() in BLOCK_TAGS for c in element.iterdescendants()):
        name = "p"
    if name not in ALLOWED:  # unknown tags, malformed names (``s<p``) included, keep only their content
        element.drop_tag()
        return
    if element.tag != name:
        element.tag = name
    keep = {attr: element.get(attr) for attr in ALLOWED[name] if element.get(attr) is not None}
    if name == "img":
        keep["src"] = absolute_url(base_url, image_source(element)) or ""
        if not keep.get("alt"):
            keep.pop("alt", None)
    if name == "a":
        href = absolute_url(base_url, keep.get("href"))
        keep.pop("href", None)
        if href:
            keep["href"] = href
    element.attrib.clear()
    for attr in ALLOWED[name]:
        if attr in keep:
            element.set(attr, _xml_value(attr, keep[attr]))
    if name == "img" and not element.get("src"):
        element.drop_tree()


_TRIMMED = BLOCK_TAGS | {"td", "th"}


def _xml_value(name: str, value: str) -> str:
    """An attribute value lxml will take: control characters percent-escaped in a link (as
    lxml's HTML serialiser writes them), dropped elsewhere."""
    if name in ("src", "href"):
        return _CONTROL.sub(lambda m: f"%{ord(m.group()):02X}", value)
    return _CONTROL.sub("", value)


def _trim_blocks(root: html.HtmlElement) -> None:
    """Drop indentation inside blocks and white space between them, and empty blocks. (Each text
    is read once and written only when trimming changed it: lxml makes a new string at every read,
    and encodes the text again at every write.)"""
    for element in list(root.iter()):
        tag = element.tag
        if not isinstance(tag, str) or tag not in _TRIMMED:
            continue
        text = element.text
        if text:
            text = _set_if_changed(element, "text", text, text.lstrip(_INDENT))
        last = element[-1] if len(element) else None
        if last is not None:
            tail = last.tail
            if tail:
                _set_if_changed(last, "tail", tail, tail.rstrip(_INDENT))
        elif text:
            _set_if_changed(element, "text", text, text.rstrip(_INDENT))
        tail = element.tail
        if tail is not None and not tail.strip(_INDENT):
            element.tail = None
        if tag not in ("td", "th", "tr", "hr") and element is not root and _is_empty(element):
            element.drop_tree()


_INDENT = " \t\r\n\xa0\u3000"


def _set_if_changed(element: etree._Element, name: str, old: str, new: str) -> str:
    if new != old:
        setattr(element, name, new)
    return new


def _is_empty(element: html.HtmlElement) -> bool:
    """No text a reader would see, nor an image. Its own first text settles most blocks without
    reading the text of all it holds."""
    if normalize_space(element.text):
        return False
    return not normalize_space(element.text_content()) and element.find(".//img") is None
