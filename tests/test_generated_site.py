"""The generated copies of the site the benchmarks crawl: articles with photographs read as their truth."""

from __future__ import annotations

import hashlib

import pytest

from crawler.parsing.article import parse_article_response
from tests.sitebuilder.build import build, expected_item
from tests.sitebuilder.generated import specs, write_photographs

pytestmark = pytest.mark.unit

FIELDS = ("url", "title", "published_at", "reporters", "body", "images", "attachments")


@pytest.mark.parametrize("photographs", [0.0, 0.5, 2.0])
def test_generated_articles_parse_as_their_truth(tmp_path, photographs):
    generated = specs(24, photographs=photographs)
    build(tmp_path, extra=generated)
    shown = sum(len(expected_item(spec)["images"]) for spec in generated)
    assert (shown == 0) == (photographs == 0) and shown <= 24 * photographs + 24
    for spec in generated:
        truth = expected_item(spec)
        page = tmp_path / spec.path.lstrip("/")
        item = parse_article_response(truth["url"], page.read_bytes(), "text/html").to_dict()
        assert {f: item[f] for f in FIELDS} == {f: truth[f] for f in FIELDS}, spec.path


def test_photographs_are_written_beside_their_pages_each_its_own(tmp_path):
    generated = specs(40, photographs=1.5)
    build(tmp_path, extra=generated)
    files, size = write_photographs(tmp_path, generated, kib=8)
    urls = [image["url"] for spec in generated for image in expected_item(spec)["images"]]
    assert files == len(urls) > 40
    paths = [tmp_path / url.split("://", 1)[1].split("/", 1)[1] for url in urls]
    contents = [path.read_bytes() for path in paths]
    assert sum(map(len, contents)) == size
    assert all(c.startswith(b"\xff\xd8") and c.endswith(b"\xff\xd9") and 4 * 1024 <= len(c) - 6 <= 12 * 1024 for c in contents)
    assert len({hashlib.sha256(c).digest() for c in contents}) == files
