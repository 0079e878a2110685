"""Parsing speed and field accuracy: our parser beside trafilatura, GNE and a bare lxml parse.

    pip install -e '.[bench]'
    python bench/parsing.py

Runs every article page of the saved site, in both layouts (the notes' and the other one the tests
build), through each extractor, in one run, and prints pages per second (and the ratio to a bare
lxml parse of the same text, the floor) beside the share of pages each got right, field by field,
against the truth the pages were written from.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from difflib import SequenceMatcher
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lxml import html as lxml_html  # noqa: E402

from crawler.parsing.article import parse_article  # noqa: E402
from crawler.parsing.encoding import decode_html  # noqa: E402
from tests.conftest import SAVED  # noqa: E402
from tests.sitebuilder.build import build  # noqa: E402

FIELDS = ("title", "day", "time", "reporters", "body")


def pages() -> list[tuple[str, str, dict]]:
    """(url, decoded page, expected item) for every article of both layouts."""
    out = []
    modern = Path(tempfile.mkdtemp())
    build(modern / "www", "modern", modern / "expected")
    for root in (SAVED, modern):
        for expected in sorted((root / "expected").rglob("*.json")):
            item = json.loads(expected.read_text(encoding="utf-8"))
            raw = (root / "www" / expected.relative_to(root / "expected").with_suffix(".html")).read_bytes()
            out.append((item["url"], decode_html(raw, "text/html"), item))
    return out


def ours(url: str, page: str) -> dict:
    a = parse_article(url, page)
    return {"title": a.title, "published": a.published_at, "reporters": a.reporters, "body": a.body}


def trafilatura_fields(url: str, page: str) -> dict:
    import trafilatura

    found = json.loads(trafilatura.extract(page, url=url, output_format="json", with_metadata=True) or "{}")
    author = found.get("author") or ""
    return {"title": found.get("title"), "published": found.get("date"),
            "reporters": [n.strip() for n in author.replace(";", ",").split(",") if n.strip()], "body": found.get("text")}


def gne_fields(url: str, page: str) -> dict:
    from gne import GeneralNewsExtractor

    found = GeneralNewsExtractor().extract(page)
    author = found.get("author") or ""
    return {"title": found.get("title"), "published": found.get("publish_time"),
            "reporters": [n for n in author.replace("、", " ").split() if n], "body": found.get("content")}


def bare(url: str, page: str) -> dict:
    lxml_html.document_fromstring(page)
    return {}


def right(field: str, got: dict, item: dict) -> bool:
    """Whether an extractor got a field right: the same text, the same day, the same minute."""
    published = (got.get("published") or "").replace("/", "-").replace(" ", "T")
    if field == "title":
        return (got.get("title") or "").strip() == item["title"]
    if field == "day":
        return published[:10] == item["published_at"][:10]
    if field == "time":
        return published[:16] == item["published_at"][:16]
    if field == "reporters":
        return got.get("reporters") == item["reporters"]
    return " ".join((got.get("body") or "").split()) == " ".join(item["body"].split())


def similarity(got: dict, item: dict) -> float:
    return SequenceMatcher(None, got.get("body") or "", item["body"], autojunk=False).ratio()


def timed(extract, cases: list, seconds: float = 3.0) -> float:
    """Pages per second over repeated passes for about ``seconds``."""
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for url, page, _ in cases:
            extract(url, page)
        done += len(cases)
    return done / (time.perf_counter() - started)


def main() -> None:
    cases = pages()
    extractors = {"bare lxml parse (floor)": bare, "chinasei": ours, "trafilatura": trafilatura_fields, "GNE": gne_fields}
    speeds = {name: timed(extract, cases) for name, extract in extractors.items()}
    floor = speeds["bare lxml parse (floor)"]
    print(f"{len(cases)} article pages (two layouts); share of pages right per field, body similarity mean")
    print(f"{'extractor':<24} {'pages/s':>8} {'× floor':>8} " + " ".join(f"{f:>9}" for f in FIELDS) + f" {'body sim':>9}")
    for name, extract in extractors.items():
        if extract is bare:
            print(f"{name:<24} {speeds[name]:>8.0f} {1:>8.1f}")
            continue
        results = [(extract(url, page), item) for url, page, item in cases]
        scores = [sum(right(f, got, item) for got, item in results) / len(results) for f in FIELDS]
        mean_sim = sum(similarity(got, item) for got, item in results) / len(results)
        print(f"{name:<24} {speeds[name]:>8.0f} {floor / speeds[name]:>8.1f} " + " ".join(f"{s:>9.0%}" for s in scores)
              + f" {mean_sim:>9.3f}")
    print(f"chinasei is {speeds['chinasei'] / speeds['trafilatura']:.1f}× trafilatura's speed and "
          f"{speeds['chinasei'] / speeds['GNE']:.1f}× GNE's")


if __name__ == "__main__":
    main()
