"""The items the spider yields, shared by the parsers, the pipelines, the archive and the tests.

Plain dataclasses: Scrapy handles them through itemadapter, and a test can build one by hand.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Image:
    """An image in an article body: its absolute URL and the caption a reader sees with it."""

    url: str
    caption: str | None = None


@dataclass
class Attachment:
    """A file an article links (附件: a pdf, a spreadsheet…): its absolute URL and the link's text."""

    url: str
    name: str | None = None


@dataclass
class Article:
    """One article page, parsed.

    ``extraction`` says, for each field, which rule found it (``"site:…"`` for the portal's own
    markers, ``"generic:…"`` for a fallback), so that a template change shows up in the archive
    instead of as silently wrong data. ``problems`` lists what the parser found wrong.
    """

    url: str
    site_id: int | None
    title: str | None = None
    published_at: str | None = None
    reporters: list[str] = field(default_factory=list)
    correspondents: list[str] = field(default_factory=list)
    photographers: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    source: str | None = None
    editor: str | None = None
    reviewer: str | None = None
    category: str | None = None
    category_path: list[str] = field(default_factory=list)
    body: str = ""
    body_html: str = ""
    images: list[Image] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    byline: str | None = None
    extraction: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    fetched_at: str | None = None

    @property
    def fallbacks(self) -> list[str]:
        """The fields that the site's own markers did not give and a generic rule had to."""
        return sorted(k for k, v in self.extraction.items() if v.startswith("generic:"))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: what the archive stores and what the expected JSON files hold."""
        return asdict(self)

    def media_urls(self) -> list[tuple[str, str]]:
        """(URL, role) of every image and attachment, in page order, each URL once."""
        found: dict[str, str] = {}
        for url, role in [(i.url, "image") for i in self.images] + [(a.url, "attachment") for a in self.attachments]:
            found.setdefault(url, role)
        return list(found.items())

    def unfileable(self) -> str | None:
        """Why the archive cannot file this article (an error page; no id, title or date), or None."""
        error = next((p for p in self.problems if p.startswith("error page")), None)
        if error:
            return error
        missing = [name.replace("_", " ") for name in ("title", "published_at", "site_id") if not getattr(self, name)]
        if not missing:
            return None
        problems = "; ".join(self.problems)
        return f"no {' and no '.join(missing)}" + (f" ({problems})" if problems else "")


@dataclass
class ListingEntry:
    """One line of a channel listing: a link, the full title from its ``title`` attribute, a date."""

    url: str
    title: str | None
    date: str | None
    is_article: bool
    on_site: bool


@dataclass
class ChannelLink:
    """A link to a channel listing, and the name the linking page gives it."""

    url: str
    name: str | None
    via: str


@dataclass
class ListingPage:
    """One page of a channel listing, parsed."""

    url: str
    folder_url: str
    channel: str | None
    page_index: int
    page_count: int | None
    page_prefix: str = "index"
    page_ext: str = "html"
    entries: list[ListingEntry] = field(default_factory=list)
    channel_links: list[ChannelLink] = field(default_factory=list)
    extraction: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def is_last(self) -> bool:
        """True on the last page the pager script announces."""
        return self.page_count is not None and self.page_index >= self.page_count - 1


@dataclass
class ListingEnd:
    """The crawl reached a channel's last page: the listing has ``page_count`` pages. The channel
    counts as read to its end once each of them was read and each article listed has an outcome
    (see :mod:`crawler.components.walks`)."""

    folder_url: str
    page_count: int


@dataclass
class PendingMedia:
    """Images and attachments of an archived article that no run has fetched yet (one failed, or the
    run that found them stopped first): the next run fetches them without fetching the article."""

    site_id: int
    article_url: str
    media: list[tuple[str, str]]  # (URL, role)


@dataclass
class PageFailure:
    """A page the crawl could not turn into an item, and why. The raw response is kept apart."""

    url: str
    kind: str
    reason: str
    status: int | None = None
    referer: str | None = None
