"""A saved search as an Atom feed (RFC 4287), so any feed reader can follow a subject.

Newest first; each entry is one matching article: its title, its publication time, a link to its
archived page (and one to the portal's page), and the snippet of the match. Built with
ElementTree, so every text is escaped as XML requires.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree

from archive.watches import Watch

ATOM = "http://www.w3.org/2005/Atom"
#: How many of the newest matches a feed lists.
FEED_SIZE = 50
_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))  # not allowed in XML 1.0


def atom_feed(watch: Watch, rows: list[dict[str, Any]], feed_url: str, page_url: str,
              article_url: Callable[[int], str], updated: str) -> bytes:
    """The feed of ``watch`` over ``rows`` (newest first, with ``snippet``); ``article_url(site_id)``
    is the archived page's absolute address, ``updated`` the time to give when nothing matches."""
    ElementTree.register_namespace("", ATOM)
    feed = ElementTree.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", feed_url)
    _text(feed, "title", f"{watch.name} · 中国战略新兴产业网 archive")
    _text(feed, "subtitle", f"Articles matching {watch.query}" + (f" in {watch.category}" if watch.category else ""))
    _text(feed, "updated", rows[0]["published_at"] if rows else updated)
    _link(feed, feed_url, "self", "application/atom+xml")
    _link(feed, page_url, "alternate", "text/html")
    author = ElementTree.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "chinasei archive")
    _text(feed, "generator", "chinasei")
    for row in rows:
        entry = ElementTree.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "id", row["url"])
        _text(entry, "title", row["title"] or row["url"])
        _text(entry, "updated", row["published_at"])
        _text(entry, "published", row["published_at"])
        _link(entry, article_url(row["site_id"]), "alternate", "text/html")
        _link(entry, row["url"], "via", "text/html")
        if row.get("category"):
            ElementTree.SubElement(entry, f"{{{ATOM}}}category", term=_clean(row["category"]))
        _text(entry, "summary", row["snippet"], type="html")  # escaped text with <mark>: HTML, once unescaped
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)


def _text(parent: ElementTree.Element, tag: str, text: str, **attributes: str) -> None:
    ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", attributes).text = _clean(text)


def _link(parent: ElementTree.Element, href: str, rel: str, kind: str) -> None:
    ElementTree.SubElement(parent, f"{{{ATOM}}}link", href=_clean(href), rel=rel, type=kind)


def _clean(text: str) -> str:
    """Text XML can hold: the control characters it forbids are dropped."""
    return text.translate(_CONTROL)
