"""Search against a plain substring scan over 20,000 generated articles: the slow tier (building
the archive takes most of a minute), though no crawl."""

from __future__ import annotations

import random

import pytest

from archive.store import Archive
from tests.sitebuilder import corpus
from tests.test_search import found, phrase, rows_of, sample_queries, scan

pytestmark = pytest.mark.crawl


@pytest.fixture(scope="module")
def big_archive(tmp_path_factory) -> Archive:
    """20,000 generated articles of realistic Chinese text, indexed."""
    path = tmp_path_factory.mktemp("big") / "big.db"
    archive = Archive(path)
    from archive.store import article_record

    records = [article_record(a) | {"version": 1} for a in corpus.articles(20_000)]
    archive.db["articles"].insert_all(records, batch_size=2000)
    archive.search_index.refresh()
    yield archive
    archive.close()


def test_twenty_thousand_generated_articles_equal_the_scan(big_archive: Archive):
    rows = rows_of(big_archive)
    assert len(rows) == 20_000
    rng = random.Random(3)
    queries = sample_queries(rows, rng, 250) + ["扶贫", "5G", "AI芯片", "GDP", "的", "，", "北辰区", "受援地区"]
    for query in queries:
        assert found(big_archive, query) == scan(rows, [phrase(query)]), query
    for a, b in zip(queries[:40], queries[40:80], strict=True):
        assert found(big_archive, f"{a} {b}") == scan(rows, [phrase(a), phrase(b)]), (a, b)
        assert found(big_archive, f"{a} -{b}") == scan(rows, [phrase(a)], [phrase(b)]), (a, b)
