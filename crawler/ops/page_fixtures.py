"""Turning an archived page into a parser regression test, in one command.

``chinasei fixture URL`` writes the raw page as received and, beside it, the item the parser makes
of it now, as JSON, under ``tests/pages/``. The parametrized page test picks both up; review the
JSON, correct what the parser got wrong, and the test holds the parser to it from then on.
"""

from __future__ import annotations

import json
from pathlib import Path

from archive.store import Archive
from crawler.parsing import site
from crawler.parsing.article import parse_article_response
from crawler.parsing.items import FIXTURE_FIELDS


def write_fixture(archive: Archive, url: str, folder: Path) -> tuple[Path, Path]:
    """Write the page stored for ``url`` and its expected item under ``folder``; returns both paths.

    Raises LookupError when nothing is stored for ``url``, and ValueError when what is stored is no
    article page (a listing, a 404) or when the fixture's file already holds another page's.
    """
    canonical = site.canonical_url(url)
    response = archive.latest_response(canonical) or _by_fetched_url(archive, url)
    if response is None:
        raise LookupError(f"no response stored for {url}")
    if site.site_id(response["url"]) is None:
        raise ValueError(f"{url} is not an article page (…/tYYYYMMDD_ID.html): fixtures are the article parser's tests")
    if response["status"] != 200:
        raise ValueError(f"the archived response for {url} is HTTP {response['status']}, not an article page")
    item = parse_article_response(response["url"], response["body"], response["content_type"]).to_dict()
    expected = {name: item[name] for name in FIXTURE_FIELDS} | {"content_type": response["content_type"]}
    # an article's path is channel/sub/month/page: deeper URLs keep their last four segments
    page = folder / "/".join(site.safe_relative_path(response["url"]).split("/")[-4:])
    json_path = page.with_suffix(".json")
    if json_path.is_file():
        held = json.loads(json_path.read_text(encoding="utf-8")).get("url")
        if held != response["url"]:
            raise ValueError(f"{json_path} already holds the fixture of {held}; pass --dir to write this one elsewhere")
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_bytes(response["body"])
    json_path.write_text(json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return page, json_path


def _by_fetched_url(archive: Archive, url: str) -> dict | None:
    rows = list(archive.responses("fetched_url = ?", [url]))
    return rows[-1] if rows else None
