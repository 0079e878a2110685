"""Exact full-text search over the archive, for Chinese, Latin and anything between.

Why not SQLite's own tokenizers: ``unicode61`` reads a run of Chinese characters as one word, so
扶贫 finds nothing inside 消费扶贫; ``trigram`` finds substrings of three or more characters but
returns nothing for 扶贫 or 5G, and drops such terms from longer queries. Lucene's CJKAnalyzer
(and Elasticsearch's ``cjk_bigram``) index overlapping character bigrams instead; we do the same:

- Text is folded (NFKC, lower case) and every ASCII character that is not a letter or digit is
  mapped to a private-use code point, so FTS5's ``ascii`` tokenizer sees every bigram as exactly
  one token. Each column ends with a sentinel, so every character starts a bigram.
- A query term of n ≥ 2 characters is the phrase of its n-1 bigrams: a text holds the phrase
  exactly when it holds the term. A one-character term is a prefix query on bigrams, served by a
  one-character prefix index. The index is therefore exact, not a candidate filter.
- Queries: terms separated by spaces must all occur (AND); ``"…"`` keeps spaces in a phrase;
  ``-term`` or ``NOT term`` excludes; ``OR`` between groups of terms. Anything else — Chinese
  quotation marks “”, brackets, ``*``, ``NEAR`` — is literal text to find, never FTS5 syntax.

Staying in step: SQL triggers cannot compute bigrams, so edits made by any tool (sqlite-utils,
Datasette, plain SQL) mark the article in ``search_dirty``. Search reads the index for clean rows
and checks the few dirty rows directly, so results are exact at every moment; ``refresh`` re-indexes
dirty rows, and the archive does it as it writes.

The index keeps no text (``content=''``), and FTS5 removes a row only when given the very text it
indexed. That text is the article's own as long as the article is clean; so the triggers copy the
text of a clean article into ``search_stale`` just before it changes (an update, a delete, or the
deletes an ``INSERT OR REPLACE`` makes without firing delete triggers). Only changed articles are
copied, not every article written: the copy of all the text would be a fifth of the archive.
"""

from __future__ import annotations

import html
import re
import sqlite3
import sys
import unicodedata
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from sqlite_utils import Database

from archive.compression import decompress
from crawler.parsing.encoding import decode_html

INDEX = "article_search"
SENTINEL = "\ue000"
START = "\ue001\ue001"  # a token at the start of every column: lets a query of only NOTs match all
NOTHING = '"\ue002\ue002"'  # a phrase no text holds
_ASCII_TO_PRIVATE = {chr(c): chr(0xE100 + c) for c in range(128) if not chr(c).isalnum()}
_ASCII_SEPARATOR = re.compile("[" + re.escape("".join(_ASCII_TO_PRIVATE)) + "]")
#: Full-width ASCII and the ideographic space, which Chinese text is full of: each is replaced by
#: its compatibility decomposition (one ASCII character) before NFKC, which then finds most texts
#: already normal and returns them as they are. The result is NFKC's: a character and its full
#: decomposition normalise alike, and both are starters, so nothing around them reorders.
_FULL_WIDTH = re.compile("[\u3000\uff01-\uff5e]")
_FULL_WIDTH_FORMS = {chr(c): unicodedata.normalize("NFKD", chr(c)) for c in [0x3000, *range(0xFF01, 0xFF5F)]}
_UTF32 = "utf-32-le" if sys.byteorder == "little" else "utf-32-be"
_CODE_POINTS = next(code for code in "IL" if array(code).itemsize == 4)
_SPACE = array(_CODE_POINTS, [ord(" ")])
_TOKEN = re.compile(r'(?P<neg>-)?"(?P<phrase>[^"]*)"?|(?P<word>\S+)')
WEIGHTS = (10.0, 1.0)  # title, body


def _install_rank() -> bool:
    """Give every connection this process opens from now on ``chinasei_rank`` (archive/_rank.c:
    bm25, without the IDF pass a one-phrase query gains nothing from), where the module is built."""
    try:
        from archive import _rank
    except (ImportError, OSError):  # not built; or, from an egg, its library could not be extracted
        return False
    return _rank.install()


@cache
def ranking_function(module: Any = sqlite3) -> str:
    """The ranking search calls on connections of ``module`` (Python's sqlite3, or another DB-API
    module such as the pysqlite3 Datasette prefers): ``chinasei_rank`` where a new connection has
    it, else FTS5's ``bm25``, which ranks alike. Checked on a connection, not assumed: the module
    may be built against another copy of SQLite than the one ``module`` uses. Checked once per
    module."""
    if not _INSTALLED:
        return "bm25"
    probe = module.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE t USING fts5(a)")
        probe.execute("SELECT chinasei_rank(t, 1.0) FROM t WHERE t MATCH 'a'").fetchall()
    except module.Error:
        return "bm25"
    finally:
        probe.close()
    return "chinasei_rank"


_INSTALLED = _install_rank()
#: The ranking function our connections' searches call, with bm25's arguments.
RANK = ranking_function()


#: The index's columns and options: bigrams as single ``ascii`` tokens, a one-character prefix
#: index for one-character queries, and no copy of the text (``content=''``).
INDEX_COLUMNS = "title, body, tokenize='ascii', prefix='1', content=''"

#: FTS5's ``automerge`` for the index: see :meth:`SearchIndex.tune`.
AUTOMERGE = 16

#: The most terms one query may have: each is a phrase the index and the direct check read, so a
#: query of thousands (pasted text) would take seconds per search.
MAX_TERMS = 64


class SearchError(ValueError):
    """A query that asks for nothing (empty, or only operators)."""


def fold(text: str | None) -> str:
    """The text search compares: NFKC (full-width Latin becomes ASCII), lower case."""
    narrowed = _FULL_WIDTH.sub(_decomposed, text or "")
    return unicodedata.normalize("NFKC", narrowed).lower()


def _decomposed(match: re.Match[str]) -> str:
    return _FULL_WIDTH_FORMS[match[0]]


def _tokenisable(folded: str) -> str:
    """Folded text in which every character is one of the ``ascii`` tokenizer's token characters."""
    return _ASCII_SEPARATOR.sub(_private, folded)


def _private(match: re.Match[str]) -> str:
    return _ASCII_TO_PRIVATE[match[0]]


def grams(text: str | None) -> str:
    """The index terms of a text: its folded bigrams, space-separated, after the start token."""
    return START + " " + _bigrams(_tokenisable(fold(text)) + SENTINEL)


def _bigrams(text: str) -> str:
    """``"abcd"`` → ``"ab bc cd"``, laid out by array slices over the code points, not by a Python
    loop over them: this runs on every title and body the archive writes."""
    points = array(_CODE_POINTS, text.encode(_UTF32, "surrogatepass"))
    pairs = len(points) - 1
    if pairs < 1:
        return ""
    laid = array(_CODE_POINTS, bytes(12 * pairs))
    laid[0::3], laid[1::3], laid[2::3] = points[:-1], points[1:], _SPACE * pairs
    return laid.tobytes()[:-4].decode(_UTF32, "surrogatepass")


def _term_expression(term: str) -> str:
    folded = _tokenisable(fold(term))
    if len(folded) == 1:
        return f'"{folded}"*'
    return f'"{_bigrams(folded)}"'


@dataclass
class Query:
    """A parsed query: groups of terms joined by OR (all terms of a group must occur), and terms
    that must not occur."""

    groups: list[list[str]] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str) -> Query:
        """Read a user's query; raise :class:`SearchError` when it asks for nothing."""
        return _parse(text or "")

    @classmethod
    def _parse(cls, text: str) -> Query:
        query, group, negate = cls(), [], False
        tokens = [
            (m["phrase"] is not None, bool(m["neg"]), m["phrase"] if m["phrase"] is not None else m["word"])
            for m in _TOKEN.finditer(text)
        ]
        for i, (quoted, negated_phrase, token) in enumerate(tokens):
            has_next = i + 1 < len(tokens)
            negate = negate or negated_phrase
            if not quoted and token == "OR" and group and has_next:
                query.groups.append(group)
                group = []
                continue
            if not quoted and token in ("NOT", "AND") and has_next:
                negate = negate or token == "NOT"
                continue
            if not quoted and token.startswith("-") and len(token) > 1 and token[1] != "-":
                token, negate = token[1:], True
            if not token.strip() and not quoted:
                continue
            if token:
                (query.excluded if negate else group).append(token)
            negate = False
        if group:
            query.groups.append(group)
        if not query.groups and not query.excluded:
            raise SearchError("the query is empty: give a word or phrase to find")
        count = len(query.terms) + len(query.excluded)
        if count > MAX_TERMS:
            raise SearchError(f"the query has {count} terms; at most {MAX_TERMS} are searched: make it shorter")
        return query

    @property
    def terms(self) -> list[str]:
        """The terms to find, for highlighting."""
        return [term for group in self.groups for term in group]

    def fts(self) -> str:
        """The FTS5 expression: built only from quoted bigram phrases, never from user syntax."""
        positive = " OR ".join("(" + " AND ".join(map(_term_expression, group)) + ")" for group in self.groups)
        expression = f"({positive})" if positive else f'"{START}"'
        if self.excluded:
            expression += " NOT (" + " OR ".join(map(_term_expression, self.excluded)) + ")"
        return expression

    def matches(self, title: str | None, body: str | None) -> bool:
        """The meaning of a query, on one article: what the index answers, without the index."""
        texts = (fold(title), fold(body))
        holds = lambda term: any(fold(term) in t for t in texts)  # noqa: E731
        return any(all(map(holds, group)) for group in self.groups or [[]]) and not any(map(holds, self.excluded))


@lru_cache(maxsize=256)
def _parse(text: str) -> Query:
    """Parsing is cached: SQL calls the search functions once per row with the same query."""
    return Query._parse(text)


def snippet(title: str | None, body: str | None, query_text: str, width: int = 36) -> str:
    """A window of the body around the first hit, HTML-escaped, hits wrapped in ``<mark>``. Hits
    are found as the search finds them, in folded text (``５Ｇ`` finds and marks ``5G``, and the
    other way round), and marked in the text as written."""
    try:
        terms = sorted({folded for t in Query.parse(query_text).terms if (folded := fold(t))}, key=len, reverse=True)
    except SearchError:
        terms = []
    text = body or title or ""
    spans = _hits(text, terms)
    start = max(0, min(a for a, _ in spans) - width // 3) if spans else 0
    end = start + width
    marked, last = [], start
    for a, b in sorted(spans):
        if a >= last and b <= end:
            marked += [html.escape(text[last:a]), "<mark>", html.escape(text[a:b]), "</mark>"]
            last = b
    marked.append(html.escape(text[last:end]))
    return ("…" if start else "") + "".join(marked).replace("\n", " ") + ("…" if end < len(text) else "")


def _hits(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Where the (folded) terms occur in ``text``, as spans of ``text`` itself, longest terms first
    and never overlapping: each character is folded alone, so a folded position maps back to the
    character it came from."""
    folded = fold(text)
    if len(folded) == len(text):  # the common case: every character folds to one (full-width ５ to 5)
        owner: Sequence[int] = range(len(text))
    else:
        pieces = [fold(c) for c in text]
        folded = "".join(pieces)
        owner = [i for i, piece in enumerate(pieces) for _ in piece]
    spans: list[tuple[int, int]] = []
    for term in terms:
        position = folded.find(term)
        while position != -1:
            a, b = owner[position], owner[position + len(term) - 1] + 1
            if not any(a < e and s < b for s, e in spans):
                spans.append((a, b))
            position = folded.find(term, position + len(term))
    return spans


# --- SQL functions, for our connection and Datasette's ---------------------------------------------


def _fts_or_nothing(query_text: str | None) -> str:
    try:
        return Query.parse(query_text or "").fts()
    except SearchError:
        return NOTHING


def _matches(title: str | None, body: str | None, query_text: str | None) -> int:
    try:
        return int(Query.parse(query_text or "").matches(title, body))
    except SearchError:
        return 0


def _html(stored: bytes | None, method: str | None, dictionary: bytes | None, content_type: str | None) -> str:
    return decode_html(decompress(stored, method, dictionary), content_type)


def register_functions(conn: sqlite3.Connection) -> None:
    """``chinasei_fts(q)``, ``chinasei_matches(title, body, q)``, ``chinasei_snippet(title, body, q)``,
    and for raw responses ``chinasei_raw(body, compression, dict)`` and ``chinasei_html(…, content_type)``."""
    conn.create_function("chinasei_raw", 3, decompress, deterministic=True)
    conn.create_function("chinasei_html", 4, _html, deterministic=True)
    conn.create_function("chinasei_fts", 1, _fts_or_nothing, deterministic=True)
    conn.create_function("chinasei_matches", 3, _matches, deterministic=True)
    conn.create_function("chinasei_snippet", 3, snippet, deterministic=True)


#: Ranking every match costs more than a search may take when a query matches most of the archive (a
#: single common character does): an unfiltered search by relevance scores the newest WINDOW matches
#: — the highest site ids, which FTS5 reads in rowid order and stops early; the ids grow with time.
#: A query with fewer matches is ranked whole, exactly; a filtered or newest-first search always is.
WINDOW = 1000


#: The search's filters, on an article ``a``.
_FILTERS = """(coalesce(:category, '') = '' or a.category = :category)
      and (coalesce(:since, '') = '' or a.published_at >= :since)
      and (coalesce(:until, '') = '' or a.published_at < date(:until, '+1 day'))"""
_NO_FILTER = "coalesce(:category, '') = '' and coalesce(:since, '') = '' and coalesce(:until, '') = ''"
#: A search by relevance with no filter: only the newest matches are scored (see WINDOW), and its page
#: of results is chosen from the hits alone, no article read (ties go newest first by site id).
_UNFILTERED = f"{_NO_FILTER} and coalesce(:order, '') = ''"
_NEWEST = "coalesce(:order, '') = 'newest'"
#: A filtered search scores only the matches in the filter: the filter's articles are found first,
#: from their own indexes (category, publication time), and each match is looked up among them,
#: never the other way round (``+rowid``: not a constraint FTS5 would answer one lookup at a time).
_IN_FILTER = f"({_NO_FILTER} or +rowid in (select a.site_id from articles a where {_FILTERS}))"


def _hits_sql(windowed: bool = False, rank: str | None = RANK) -> str:
    """The articles that hold the query, with their score: the index for clean rows, a direct
    check of the few dirty ones. Windowed, a broad unfiltered search scores only the newest matches.
    ``rank``: the ranking function (:data:`RANK`, or ``bm25``); None finds every match and ranks
    none, for counts and trends: scoring reads each match's hits, which costs more than finding it."""
    limit = f"limit (case when {_UNFILTERED} then {WINDOW} else -1 end)"
    score = f"{rank}({INDEX}, {WEIGHTS[0]}, {WEIGHTS[1]})" if rank else "0.0"
    return f"""
  select * from (
    select rowid as site_id, {score} as score
    from {INDEX}
    where {INDEX} match chinasei_fts(:q) and rowid not in (select site_id from search_dirty)
      {f"and not {_NEWEST} and {_IN_FILTER}" if windowed else ""}
    order by rowid desc {limit if windowed else ""}
  )
  union all
  select a.site_id, 0.0 from search_dirty d cross join articles a on a.site_id = d.site_id
  where chinasei_matches(a.title, a.body, :q)  -- cross join: only the few dirty rows are checked
"""


#: Every article that holds the query (``site_id``), unranked: for sets, counts and trends.
HITS_SQL = _hits_sql(rank=None)


_PAGE = "limit coalesce(nullif(:limit, ''), 50) offset coalesce(nullif(:offset, ''), 0)"


@cache
def search_sql(rank: str = RANK) -> str:
    """The search, in SQL, best (or newest) first with snippets, ranked by ``rank``; ties go newest
    first by site id, the same on every page.

    Newest first, the page is the newest matches, found by walking the articles by publication time
    (their index) and looking each up among every match (``+a.site_id``: not the other way round,
    every match's article read to sort them); only the page's matches are then scored, in the range
    of site ids they span."""
    return f"""
with hits as ({_hits_sql(windowed=True, rank=rank)}),
newest as (
  select a.site_id from articles a
  where {_NEWEST} and {_FILTERS} and +a.site_id in (select site_id from ({HITS_SQL}))
  order by a.published_at desc, a.site_id desc {_PAGE}
),
newest_scored as materialized (
  select rowid as site_id, {rank}({INDEX}, {WEIGHTS[0]}, {WEIGHTS[1]}) as score from {INDEX}
  where {INDEX} match chinasei_fts(:q) and {_NEWEST}
    and rowid between (select min(site_id) from newest) and (select max(site_id) from newest)
    and +rowid in (select site_id from newest) and rowid not in (select site_id from search_dirty)
),
page as (
  select * from (
    select hits.site_id, hits.score from hits where {_UNFILTERED}
    order by hits.score, hits.site_id desc {_PAGE}
  )
  union all
  select * from (
    select a.site_id, hits.score as score
    from hits join articles a on a.site_id = hits.site_id
    where not ({_UNFILTERED}) and not {_NEWEST} and {_FILTERS}  -- again, for the dirty rows
    order by hits.score, hits.site_id desc {_PAGE}
  )
  union all
  select newest.site_id, coalesce(newest_scored.score, 0.0) from newest
  left join newest_scored on newest_scored.site_id = newest.site_id
)
select a.site_id, a.url, a.title, a.published_at, a.category,
  chinasei_snippet(a.title, a.body, :q) as snippet, page.score as score
from page join articles a on a.site_id = page.site_id
order by case when {_NEWEST} then a.published_at end desc, case when {_NEWEST} then 0 else page.score end, a.site_id desc
"""


#: The search. Datasette's canned query runs this text.
SEARCH_SQL = search_sql()


@dataclass
class Hit:
    """One search result."""

    site_id: int
    url: str
    title: str
    published_at: str
    category: str | None
    snippet: str
    score: float


#: The triggers' inserts skip rows already there with ``WHERE NOT EXISTS``, not ``OR IGNORE``: an
#: upsert (``INSERT … ON CONFLICT DO UPDATE``, sqlite-utils' ``upsert``) imposes its own conflict
#: handling on the statements of the triggers it fires, so ``OR IGNORE`` there fails the upsert.
_CLEAN = "NOT EXISTS (SELECT 1 FROM search_dirty d WHERE d.site_id = {id})"
_UNCOPIED = "NOT EXISTS (SELECT 1 FROM search_stale s WHERE s.site_id = {id})"


def _keep_replaced(also: str = "") -> str:
    """SQL for a trigger before a row is written: the articles it would replace (same site id or
    URL) have their text copied into ``search_stale`` when the index holds it (when they are
    clean), then are marked dirty, so a replaced article that vanishes also leaves the index."""
    rows = f"FROM articles a WHERE (a.site_id = new.site_id OR a.url = new.url){also}"
    clean, uncopied = _CLEAN.format(id="a.site_id"), _UNCOPIED.format(id="a.site_id")
    return f"""INSERT INTO search_stale (site_id, title, body) SELECT a.site_id, a.title, a.body {rows}
      AND {clean} AND {uncopied};
      INSERT INTO search_dirty (site_id) SELECT a.site_id {rows} AND {clean};"""


def _keep_old_text() -> str:
    """SQL that copies a changed or deleted article's text, when the index holds it (when the
    article is clean): a dirty article's indexed text, if any, was copied when it first changed."""
    clean, uncopied = _CLEAN.format(id="old.site_id"), _UNCOPIED.format(id="old.site_id")
    return f"""INSERT INTO search_stale (site_id, title, body) SELECT old.site_id, old.title, old.body
      WHERE {clean} AND {uncopied};"""


def _mark(*rows: str) -> str:
    return " ".join(f"INSERT INTO search_dirty (site_id) SELECT {row}.site_id WHERE {_CLEAN.format(id=row + '.site_id')};"
                    for row in rows)


#: The triggers on ``articles`` that keep search in step with any program's edits. The two
#: ``replace`` ones run before a row is written: ``INSERT OR REPLACE`` (and ``UPDATE OR REPLACE``
#: of an id or URL) deletes the rows it replaces without firing delete triggers, unless recursive
#: triggers are on, so their text is copied while they are there.
TRIGGERS = {
    "articles_search_replace": f"BEFORE INSERT ON articles BEGIN {_keep_replaced()} END",
    "articles_search_insert": f"AFTER INSERT ON articles BEGIN {_mark('new')} END",
    "articles_search_update_replace":
        f"BEFORE UPDATE OF site_id, url ON articles BEGIN {_keep_replaced(' AND a.site_id != old.site_id')} END",
    "articles_search_update": f"AFTER UPDATE OF site_id, title, body ON articles BEGIN {_keep_old_text()} {_mark('old', 'new')} END",
    "articles_search_delete": f"AFTER DELETE ON articles BEGIN {_keep_old_text()} {_mark('old')} END",
}


class SearchIndex:
    """The bigram index of an archive's articles."""

    def __init__(self, db: Database):
        self.db = db
        register_functions(db.conn)

    def create(self) -> None:
        """The index table, the dirty queue, the indexed text of changed articles, and the triggers
        feeding both."""
        self.db.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {INDEX} USING fts5({INDEX_COLUMNS})"
        )
        self.tune()
        self.db.execute("CREATE TABLE IF NOT EXISTS search_dirty (site_id INTEGER PRIMARY KEY)")
        self.db.execute("CREATE TABLE IF NOT EXISTS search_stale (site_id INTEGER PRIMARY KEY, title TEXT, body TEXT)")
        for name, sql in TRIGGERS.items():
            self.db.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {sql}")

    def refresh(self, site_ids: list[int] | None = None) -> int:
        """Re-index dirty articles (all, or those given); returns how many."""
        if site_ids is None:
            site_ids = [row[0] for row in self.db.execute("SELECT site_id FROM search_dirty").fetchall()]
        with self.db.atomic():
            self.index_in_transaction(site_ids)
        return len(site_ids)

    def index_in_transaction(self, site_ids: list[int]) -> None:
        """Re-index the articles given, inside a transaction the caller commits or rolls back
        whole: no savepoint of its own. A savepoint inside a transaction keeps a statement journal
        of every page it changes, and at a batch's commit that is every index page the batch's
        terms are written to, merges included."""
        for site_id in site_ids:
            self._reindex(site_id)

    def _reindex(self, site_id: int) -> None:
        old = self.db.execute("SELECT title, body FROM search_stale WHERE site_id = ?", [site_id]).fetchone()
        if old is not None:
            self.db.execute(
                f"INSERT INTO {INDEX} ({INDEX}, rowid, title, body) VALUES ('delete', ?, ?, ?)",
                [site_id, grams(old[0]), grams(old[1])],
            )
            self.db.execute("DELETE FROM search_stale WHERE site_id = ?", [site_id])
        new = self.db.execute("SELECT title, body FROM articles WHERE site_id = ?", [site_id]).fetchone()
        if new is not None:
            self.db.execute(f"INSERT INTO {INDEX} (rowid, title, body) VALUES (?, ?, ?)", [site_id, grams(new[0]), grams(new[1])])
        self.db.execute("DELETE FROM search_dirty WHERE site_id = ?", [site_id])

    def tune(self) -> None:
        """The index's own settings, which FTS5 keeps in the file (a table made again by a repair
        has lost them). ``automerge``: the crawl commits every second, and FTS5 writes each commit's
        terms as a new segment; merging segments once sixteen of a size have built up, not four (its
        default), merges less often: less of the writer's time on the index, for a slightly larger file
        and slightly slower queries (``python bench/search_index.py``; the figures are in the docs'
        benchmarks page)."""
        self.db.execute(f"INSERT INTO {INDEX} ({INDEX}, rank) VALUES ('automerge', {AUTOMERGE})")

    def rebuild(self) -> int:
        """Index every article afresh."""
        self.tune()
        with self.db.atomic():
            self.db.execute(f"INSERT INTO {INDEX} ({INDEX}) VALUES ('delete-all')")
            self.db.execute("DELETE FROM search_stale")
            self.db.execute("INSERT OR IGNORE INTO search_dirty (site_id) SELECT site_id FROM articles")
        return self.refresh()

    def search(
        self,
        query: str,
        *,
        category: str | None = None,
        since: str | None = None,
        until: str | None = None,
        newest: bool = False,
        limit: int = 20,
        offset: int = 0,
        rank: str = RANK,
    ) -> list[Hit]:
        """Articles whose title or body holds the query, best first (or newest first); ``rank``
        names the ranking function (``bm25``: as where archive/_rank.c is not built)."""
        Query.parse(query)  # raise SearchError for an empty query
        params: dict[str, Any] = {
            "q": query, "category": category, "since": since, "until": until,
            "order": "newest" if newest else "", "limit": limit, "offset": offset,
        }
        return [Hit(**row) for row in self.db.query(search_sql(rank), params)]

    def site_ids(self, query: str) -> set[int]:
        """Every article that holds the query, unranked: for exports, tests and counts."""
        Query.parse(query)
        return {row[0] for row in self.db.execute(f"SELECT site_id FROM ({HITS_SQL})", {"q": query}).fetchall()}
