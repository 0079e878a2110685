"""Validation: drop the articles the archive cannot file, and count what every parsed page had."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.parsing.items import Article

logger = logging.getLogger(__name__)


class ValidationPipeline:
    """Drop articles the archive cannot file (no id, title or date); count fill, fallbacks and problems."""

    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidationPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        self._count_fill(item)
        reason = item.unfileable()
        if reason:
            raise DropItem(reason)
        for name in item.fallbacks:
            self.stats.inc_value(f"chinasei/fallback/{name}")
        for problem in item.problems:
            logger.warning("%s: %s", item.url, problem)
            self.stats.inc_value("chinasei/article_problems")
        return item

    def _count_fill(self, item: Article) -> None:
        """Count, before any page is dropped, which watched fields this page had (health's input)."""
        self.stats.inc_value("chinasei/parsed")
        for name, filled in item.watched().items():
            if filled:
                self.stats.inc_value(f"chinasei/fill/{name}")
