"""Response bytes to text, the way Scrapy decodes them, so a re-parse of a stored raw response
sees exactly the text the crawl saw.

w3lib reads the charset from the Content-Type header, then a BOM, then ``<meta>``; it maps GB2312
and GBK to GB18030, which the portal's older GBK pages need.
"""

from __future__ import annotations

from w3lib.encoding import html_body_declared_encoding, html_to_unicode


def decode_html(body: bytes, content_type: str | None) -> str:
    """The page's text; undecodable bytes become U+FFFD rather than an exception."""
    _, text = html_to_unicode(content_type, body)
    return text


def declared_encoding(body: bytes) -> str | None:
    """The charset the page declares in its own markup, if any."""
    return html_body_declared_encoding(body)
