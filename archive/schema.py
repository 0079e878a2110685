"""The archive's tables, as sqlite-utils migrations applied in order when an archive is opened.

Tables:

- ``articles``: one row per article, keyed by the site's document id; list fields are JSON arrays.
- ``responses``: every response the crawler received (home, listings, articles, robots.txt, errors),
  raw bytes and headers, one row per distinct (url, status, body), so nothing fetched is lost.
- ``runs``: one row per crawl, with its counts and Scrapy's stats.
- ``failures``: pages of a run that gave no article, with the reason.
- ``channels`` and ``channel_articles``: the listings seen, and which articles each one shows.

A new column or table is a new function at the end of this file; applied ones never change.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("chinasei")

ARTICLE_COLUMNS = {
    "site_id": int,
    "url": str,
    "title": str,
    "published_at": str,
    "reporters": str,
    "correspondents": str,
    "photographers": str,
    "authors": str,
    "source": str,
    "editor": str,
    "category": str,
    "category_path": str,
    "body": str,
    "body_html": str,
    "images": str,
    "byline": str,
    "extraction": str,
    "fallbacks": str,
    "problems": str,
    "content_hash": str,
    "fetched_at": str,
    "first_seen_at": str,
    "updated_at": str,
    "first_run_id": int,
    "last_run_id": int,
}


@migrations()
def create_tables(db: Database) -> None:
    """The first schema."""
    db["runs"].create(
        {
            "id": int, "started_at": str, "finished_at": str, "base_url": str, "status": str,
            "requests": int, "responses": int, "listing_pages": int, "articles_new": int,
            "articles_updated": int, "articles_unchanged": int, "failures": int, "stats": str,
        },
        pk="id",
    )
    db["articles"].create(ARTICLE_COLUMNS, pk="site_id", not_null={"url"})
    db["articles"].create_index(["url"], unique=True)
    db["articles"].create_index(["category", "published_at"])
    db["articles"].create_index(["published_at"])
    db["responses"].create(
        {
            "id": str, "url": str, "fetched_url": str, "kind": str, "status": int, "headers": str,
            "content_type": str, "body": bytes, "size": int, "first_fetched_at": str,
            "last_fetched_at": str, "fetch_count": int, "first_run_id": int, "last_run_id": int,
        },
        pk="id",
    )
    db["responses"].create_index(["url"])
    db["failures"].create(
        {"run_id": int, "url": str, "kind": str, "status": int, "reason": str, "referer": str, "at": str},
        pk=("run_id", "url"),
    )
    db["channels"].create(
        {"url": str, "name": str, "page_count": int, "first_run_id": int, "last_run_id": int},
        pk="url",
    )
    db["channel_articles"].create(
        {"channel_url": str, "site_id": int, "listed_title": str, "listed_date": str, "page_index": int,
         "first_run_id": int, "last_run_id": int},
        pk=("channel_url", "site_id"),
    )
    db["channel_articles"].create_index(["site_id"])


def apply(db: Database) -> None:
    """Bring an archive, new or old, to the current schema."""
    migrations.apply(db)
