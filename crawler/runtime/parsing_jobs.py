"""What the parse worker does with each page it is sent, and its loop; the crawl's own handle on
it is :class:`crawler.runtime.parse_worker.ParseWorker`.

The worker's process imports this module and what parsing needs (lxml, the parsers), not asyncio
nor anything of the crawl's: a helper holds only what it uses.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from crawler.parsing.article import ArticlePage, parse_article_page
from crawler.parsing.encoding import decode_html, decode_page
from crawler.parsing.items import ListingPage
from crawler.parsing.listing import parse_listing


def article_from_bytes(
    url: str, body: bytes, content_type: str | None, fetched_at: str | None, known_channels: frozenset[str]
) -> ArticlePage:
    """An article page from the bytes received (see :func:`crawler.parsing.article.parse_article_page`)."""
    return parse_article_page(url, decode_page(body, content_type), fetched_at, known_channels)


def listing_from_bytes(url: str, body: bytes, content_type: str | None, known_channels: frozenset[str]) -> ListingPage:
    """A listing page from the bytes received (see :func:`crawler.parsing.listing.parse_listing`)."""
    return parse_listing(url, decode_html(body, content_type), known_channels=known_channels)


FUNCTIONS: dict[str, Callable[..., Any]] = {"article": article_from_bytes, "listing": listing_from_bytes}
#: The message that tells the worker the channels followed so far (``(None, KNOWN_CHANNELS,
#: frozenset)``): every page is parsed against the last such set, its functions' last argument.
KNOWN_CHANNELS = "known channels"


def serve(jobs: Connection, answers: Connection) -> None:
    """The worker: parse what comes, send back the result or the exception, until the pipe closes."""
    known: frozenset[str] = frozenset()
    while True:
        try:
            job, name, args = pickle.loads(jobs.recv_bytes())
        except (EOFError, OSError):
            return
        if name == KNOWN_CHANNELS:
            known = args
            continue
        try:
            answer = (job, True, FUNCTIONS[name](*args, known))
        except Exception as error:  # the crawl records it as the page's failure
            answer = (job, False, error)
        try:
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as error:  # an exception that cannot be pickled is sent in words
            data = pickle.dumps((job, False, RuntimeError(f"{type(answer[2]).__name__}: {answer[2]} ({error})")))
        try:
            answers.send_bytes(data)
        except OSError:
            return
