"""What Datasette shows of an archive: titles, descriptions, facets, and the canned search.

Served by the plugin's ``get_metadata`` and ``canned_queries`` hooks, so plain ``datasette
archive.db`` shows the same as ``chinasei serve``."""

from __future__ import annotations

from typing import Any

from archive.search import INDEX, RANK, ranking_function, search_sql

HIDDEN = [INDEX, *(f"{INDEX}_{suffix}" for suffix in ("data", "idx", "content", "docsize", "config")),
          "search_dirty", "search_stale", "_sqlite_migrations"]


def _datasette_ranking() -> str:
    """The ranking on Datasette's connections: Datasette uses pysqlite3 where it is installed, a
    SQLite of its own, which ``chinasei_rank`` may not be in."""
    try:
        from datasette.utils.sqlite import sqlite3 as module
    except ImportError:  # not in Datasette: our connections' ranking
        return RANK
    return ranking_function(module)


#: The canned query that runs the very SQL ``chinasei search`` runs.
SEARCH_QUERY: dict[str, Any] = {
    "title": "Search 搜索",
    "description": "Articles whose title or body contains q, exactly (one character or more). "
                   "Terms with spaces: all must occur; \"…\" phrase; -term excludes; OR. "
                   "Optional: category, since/until (YYYY-MM-DD), order=newest.",
    "sql": search_sql(_datasette_ranking()),
    "hide_sql": True,
}


def metadata(databases: list[str]) -> dict[str, Any]:
    """Datasette metadata for the archives among Datasette's databases, by name."""
    tables: dict[str, Any] = {
        "articles": {
            "title": "Articles 文章",
            "description": "One row per article of 中国战略新兴产业网, parsed. Lists are JSON arrays.",
            "facets": ["category", "month"],
            "sort_desc": "published_at",
            "label_column": "title",
            "columns": {
                "site_id": "The document id in the article's URL (t20201124_40123.html), unique across the site",
                "published_at": "Publication time, Beijing time (+08:00)",
                "category": "The channel, as the page's breadcrumb names it",
                "body": "The text a reader sees, paragraphs joined by newlines",
                "body_html": "The cleaned body markup, shown here as text",
                "source": "The outlet a reposted article came from",
                "byline": "The byline as the page writes it: the lead line, and the closing lines (editor, 审核) below it",
                "reviewer": "Who reviewed the article (审核), as its closing lines say",
                "fallbacks": "Fields the site's own markers did not give, found by generic rules",
            },
        },
        "responses": {"title": "Raw responses", "description": "Every response the crawler received, as received.",
                      "sort_desc": "last_fetched_at"},
        "runs": {"title": "Crawl runs", "sort_desc": "id"},
        "failures": {"title": "Failures", "description": "Pages of a run that gave no article, and why."},
        "channels": {"title": "Channels 栏目"},
        "channel_articles": {"title": "Which listings show which articles"},
        "article_versions": {"title": "Earlier versions of changed articles"},
        "media": {"title": "Media 图片与附件",
                  "description": "Every image and attachment fetched, once per content (keyed by SHA-256), bytes as received.",
                  "sort_desc": "last_fetched_at"},
        "media_urls": {"title": "Media by URL", "description": "Which content each image or attachment URL last gave."},
        "article_media": {"title": "Which articles show which media",
                          "description": "Images and attachments of each article in page order, then the stylesheets "
                                         "and layout images of its page; off_site = 1: not on the portal, recorded "
                                         "and not fetched (ARCHIVE_MEDIA_OFFSITE)."},
        "watches": {"title": "Saved searches",
                    "description": "Made with chinasei watch add NAME QUERY; each query links the search's page (its matches and chart) and its Atom feed."},
        "watch_seen": {"title": "What each saved search's reader has seen",
                       "description": "chinasei watch show NAME --new lists a search's matches not here, then adds them."},
    }
    tables.update({name: {"hidden": True} for name in HIDDEN})
    return {
        "title": "中国战略新兴产业网 archive",
        "description": "Articles of www.chinasei.com.cn, archived by chinasei. Use the search query for exact "
                       "Chinese full-text search: 扶贫, 5G, AI芯片 …",
        "databases": {database: {"tables": tables} for database in databases},
    }
