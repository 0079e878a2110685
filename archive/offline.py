"""An archived article as a page again: the stored HTML, its media served from the archive.

:func:`offline_page` takes a page as the crawler received it and makes it safe to show from the
archive alone. Nothing in the result asks for anything off the machine, and nothing runs:

- scripts, frames, objects, ``<base>``, meta refreshes and event-handler attributes go;
- every image the archive holds is pointed at the archive's copy; an image it does not hold (off
  the site, or one that failed) loses its address and keeps its alt text, so no browser asks for it;
- attachments the archive holds link to its copy; links to archived articles open their archived
  view; other links stay as they were (a reader's click, never a request the page makes);
- the stylesheets the archive holds are linked from it, and every address in a stylesheet, a
  ``<style>`` element or a ``style`` attribute points at the archive's copy or is gone
  (:func:`crawler.parsing.styles.rewrite_stylesheet`), so the page looks as it did; any other
  stylesheet goes, as do media sources and fonts the archive lacks.

The server that shows it (:mod:`archive.datasette_plugin`) adds a Content-Security-Policy that
forbids script and any request but to itself, so even markup this misses cannot phone out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from html import escape

from lxml import etree, html

from crawler.parsing import site, styles
from crawler.parsing.sanitiser import absolute_url, image_source

#: What the view's server sends with every page: no script, nothing fetched but from itself.
CONTENT_SECURITY_POLICY = ("default-src 'none'; img-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self'; "
                           "base-uri 'none'; form-action 'none'; frame-ancestors 'self'")
_DROPPED = ("script", "noscript", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "template",
            "audio", "video", "source", "track", "portal")
_REQUESTING = ("src", "srcset", "data", "poster", "background", "lowsrc", "dynsrc", "codebase", "archive", "ping",
               "oldsrc", "action", "formaction", "xlink:href")


def offline_page(page: str, page_url: str, media: Mapping[str, str], article_href: Callable[[str], str | None],
                 banner: str) -> str:
    """``page`` (fetched from ``page_url``) with every medium in ``media`` (live URL → local address)
    served locally, links to archived articles through ``article_href``, and ``banner`` (HTML) on top."""
    root = html.document_fromstring(page)
    for element in list(root.iter()):
        if not isinstance(element.tag, str):  # comments, processing instructions
            if isinstance(element, etree._Comment) and element.getparent() is not None:
                element.getparent().remove(element)
            continue
        tag = element.tag.lower()
        if tag in _DROPPED or (tag == "meta" and (element.get("http-equiv") or "").lower() == "refresh"):
            element.drop_tree()
            continue
        if tag == "link":
            _keep_stylesheet(element, page_url, media)
            continue
        _clean_attributes(element, tag, page_url, media, article_href)
        if tag == "style" and element.text:
            element.text = styles.rewrite_stylesheet(element.text, page_url, media.get)
    body = root.find("body")
    if body is None:
        body = etree.SubElement(root, "body")
    notice = html.fragment_fromstring(banner, create_parent="div")
    notice.set("id", "chinasei-archived")
    body.insert(0, notice)
    return "<!DOCTYPE html>\n" + html.tostring(root, encoding="unicode")


def _keep_stylesheet(link: html.HtmlElement, page_url: str, media: Mapping[str, str]) -> None:
    """A ``<link>`` stays only as a stylesheet the archive holds, linked from it; any other goes."""
    rels = (link.get("rel") or "").lower().split()
    url = absolute_url(page_url, link.get("href")) if "stylesheet" in rels else None
    local = media.get(url) if url else None
    if local is None:
        link.drop_tree()
        return
    kept = {"rel": "stylesheet", "href": local, "media": link.get("media"), "title": link.get("title")}
    link.attrib.clear()
    for name, value in kept.items():
        if value is not None:
            link.set(name, value)


def _clean_attributes(element: html.HtmlElement, tag: str, page_url: str, media: Mapping[str, str],
                      article_href: Callable[[str], str | None]) -> None:
    """Point what the archive holds at it; take away every other address that makes a request."""
    original = image_source(element) if tag == "img" else None  # read before its attributes go
    for name in list(element.attrib):
        lowered = name.lower()
        if lowered.startswith("on") or lowered in _REQUESTING:
            del element.attrib[name]
        elif lowered == "style":
            element.set(name, styles.rewrite_style_attribute(element.get(name) or "", page_url, media.get))
    if tag == "img":
        url = absolute_url(page_url, original)  # the address the parser gave the image, which ``media`` is keyed by
        local = media.get(url) if url else None
        if local:
            element.set("src", local)
        else:
            element.set("data-archived-src", original or "")
            element.set("alt", element.get("alt") or f"[image not in the archive: {original}]")
    elif tag == "a" and element.get("href"):
        _relink(element, page_url, media, article_href)


def _relink(link: html.HtmlElement, page_url: str, media: Mapping[str, str], article_href: Callable[[str], str | None]) -> None:
    href = link.get("href") or ""
    if href.strip().lower().startswith(("javascript:", "data:", "vbscript:")):
        del link.attrib["href"]
        return
    url = site.join(page_url, href.strip())
    if url is None:
        del link.attrib["href"]
        return
    local = media.get(url) or article_href(site.canonical_url(url))  # attachments by the parser's address
    link.set("href", local or url)


def banner(url: str, fetched_at: str | None, row_href: str) -> str:
    """The line over an archived page: what it is, where it came from, and its row in the archive."""
    style = ("all:initial;display:block;font:14px/1.6 sans-serif;background:#fff8dc;color:#333;"
             "padding:8px 12px;border-bottom:1px solid #c9b458")
    return (f'<div style="{style}">Archived copy of <a href="{escape(url)}">{escape(url)}</a>, fetched '
            f'{escape(fetched_at or "")} · <a href="{escape(row_href)}">its row in the archive</a> · '
            "scripts off, images and styles from the archive</div>")
