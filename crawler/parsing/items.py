"""The items the spider yields, shared by the parsers, the pipelines, the archive and the tests.

Plain dataclasses: Scrapy handles them through itemadapter, and a test can build one by hand.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, is_dataclass
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


STYLESHEET, LAYOUT_IMAGE, FONT = "stylesheet", "layout image", "font"
#: The media roles of a page's look (the others are an article's images and attachments). They are
#: here, not with the code that finds them (:mod:`crawler.parsing.styles`), because the archive
#: names them too, and the archive's writer process must not load lxml and tinycss2 for four strings.
ASSET_ROLES = frozenset({STYLESHEET, LAYOUT_IMAGE, FONT})


@dataclass
class Asset:
    """What a page uses to look as it did: a stylesheet, an image of its chrome (logo, banner), or
    a background image or font its stylesheets name. ``role`` is one of :data:`ASSET_ROLES`."""

    url: str
    role: str


#: What a field of :class:`Article` is to the archive (its ``metadata["role"]``):
#: ``content`` is what the article says (hashed, versioned, held by the parser fixtures);
#: ``later`` is content added after archives were made, left out of the hash while empty, so an
#: article archived before the field existed is not "updated" by its arrival; ``key`` and
#: ``report`` are held by the fixtures but are not content; ``bookkeeping`` is neither.
CONTENT, LATER, KEY, REPORT, BOOKKEEPING = ({"role": r} for r in ("content", "later", "key", "report", "bookkeeping"))
#: The people a byline names, one list field each.
PERSON_ROLES = ("reporters", "correspondents", "photographers", "authors")


@dataclass
class Article:
    """One article page, parsed: the one definition of an article's fields.

    The archive's columns, the content hash, the parser fixtures and the run's fill counts are all
    derived from these fields and their roles (see the module's ``*_FIELDS``). ``extraction`` says,
    for each field, which rule found it (``"site:…"`` for the portal's own markers,
    ``"generic:…"`` for a fallback), so that a template change shows up in the archive instead of
    as silently wrong data. ``problems`` lists what the parser found wrong.
    """

    url: str = field(metadata=CONTENT)
    site_id: int | None = field(metadata=KEY)
    title: str | None = field(default=None, metadata=CONTENT)
    published_at: str | None = field(default=None, metadata=CONTENT)
    reporters: list[str] = field(default_factory=list, metadata=CONTENT)
    correspondents: list[str] = field(default_factory=list, metadata=CONTENT)
    photographers: list[str] = field(default_factory=list, metadata=CONTENT)
    authors: list[str] = field(default_factory=list, metadata=CONTENT)
    source: str | None = field(default=None, metadata=CONTENT)
    editor: str | None = field(default=None, metadata=CONTENT)
    reviewer: str | None = field(default=None, metadata=CONTENT)
    category: str | None = field(default=None, metadata=CONTENT)
    category_path: list[str] = field(default_factory=list, metadata=CONTENT)
    body: str = field(default="", metadata=CONTENT)
    body_html: str = field(default="", metadata=CONTENT)
    images: list[Image] = field(default_factory=list, metadata=CONTENT)
    attachments: list[Attachment] = field(default_factory=list, metadata=LATER)
    assets: list[Asset] = field(default_factory=list, metadata=BOOKKEEPING)
    byline: str | None = field(default=None, metadata=CONTENT)
    extraction: dict[str, str] = field(default_factory=dict, metadata=BOOKKEEPING)
    problems: list[str] = field(default_factory=list, metadata=REPORT)
    fetched_at: str | None = field(default=None, metadata=BOOKKEEPING)

    def watched(self) -> dict[str, bool]:
        """Which of the fields whose fill rate a run watches (:data:`WATCHED_FIELDS`) this page has."""
        return {name: any(getattr(self, part) for part in parts) for name, parts in WATCHED_FIELDS.items()}

    @property
    def fallbacks(self) -> list[str]:
        """The fields that the site's own markers did not give and a generic rule had to."""
        return sorted(k for k, v in self.extraction.items() if v.startswith("generic:"))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: what the archive stores and what the expected JSON files hold.

        The same as ``asdict`` gives, every list and dict a copy of its own, built field by field:
        the fields are one level deep, so the recursive walk ``asdict`` makes through every value
        is needed only for the lists of images, attachments and assets. The archive's writer turns
        every article it stores into a row this way, so the walk was a share of its CPU."""
        return {name: _plain(getattr(self, name)) for name in _ARTICLE_FIELD_NAMES}

    def media_urls(self) -> list[tuple[str, str]]:
        """(URL, role) of every image and attachment, in page order, then of the page's assets
        (its stylesheets and layout images), each URL once."""
        found: dict[str, str] = {}
        for url, role in [(i.url, "image") for i in self.images] + [(a.url, "attachment") for a in self.attachments] \
                + [(a.url, a.role) for a in self.assets]:
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


@dataclass
class Settled:
    """A page asked for whose outcome is not an article, a listing or a failure: ``not modified``
    (a 304 to a re-check), ``read`` (the home page), or ``redirected`` to ``to``, another page of
    the site that is archived under its own URL. Every page asked for ends as one outcome (see
    :mod:`crawler.components.ledger`)."""

    url: str
    kind: str
    outcome: str
    to: str | None = None
    status: int | None = None


#: The article's fields, in the order a row and an expected JSON file list them.
_ARTICLE_FIELD_NAMES = tuple(f.name for f in fields(Article))


def _plain(value: Any) -> Any:
    """A copy of a field's value, with the dataclasses in a list as dicts."""
    if value.__class__ is list:
        return [asdict(element) for element in value] if value and is_dataclass(value[0]) else list(value)
    if value.__class__ is dict:
        return dict(value)
    return value


def _fields_with(*roles: dict[str, str]) -> tuple[str, ...]:
    names = {role["role"] for role in roles}
    return tuple(f.name for f in fields(Article) if f.metadata.get("role") in names)


#: The fields that make an article's content, in the dataclass's order: a change in any is an update.
CONTENT_FIELDS = _fields_with(CONTENT, LATER)
#: Content fields left out of the content hash while empty.
LATER_FIELDS = frozenset(_fields_with(LATER))
#: What a parser fixture's expected JSON holds.
FIXTURE_FIELDS = _fields_with(KEY, CONTENT, LATER, REPORT)
#: The archive keeps these as JSON (lists and dicts), and ``fallbacks``, derived from ``extraction``.
JSON_FIELDS = tuple(f.name for f in fields(Article) if f.default_factory in (list, dict)) + ("fallbacks",)
#: The fields whose fill rate each run reports and health watches; a pseudo-field is filled when
#: any of its parts is (a body of images alone is a body; any role named is a byline).
WATCHED_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title",), "published_at": ("published_at",), "body": ("body", "images"), "category": ("category",),
    "byline": (*PERSON_ROLES, "source"), "images": ("images",),
}
