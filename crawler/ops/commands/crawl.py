"""``scrapy crawl chinasei``, exiting with the same status as ``chinasei crawl``.

Scrapy's own ``crawl`` exits 0 whenever the spider ran, even on a run that lost writes; a scheduler
running ``scrapy crawl`` would never hear of it. This is Scrapy's command, with the run's outcome
read afterwards and turned into the exit status (:mod:`crawler.ops.outcome`). Other spiders are
left to Scrapy's behaviour.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.crawler import Crawler

from crawler.config import setting
from crawler.ops.crawl import run_result
from crawler.ops.outcome import verdict


class Command(ScrapyCrawl):
    """Scrapy's ``crawl``, with the archive run's exit status."""

    def _create_crawler(self, spname: str) -> Crawler:  # Scrapy's hook: the crawler the command runs
        self._crawler = super()._create_crawler(spname)
        return self._crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        super().run(args, opts)
        if self.exitcode or getattr(self._crawler, "spider", None) is None:
            return
        db = setting(self._crawler.settings, "ARCHIVE_DB")
        code, lines = verdict(run_result(self._crawler, db), db)
        for line in lines:
            print(line, file=sys.stderr)
        self.exitcode = code
