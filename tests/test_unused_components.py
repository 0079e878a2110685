"""Scrapy's components that the crawl's settings turn off are never imported (the
``UnusedComponents`` add-on), and one turned on from the command line is loaded as Scrapy would."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from crawler.components.unused import OFF_UNLESS_ENABLED
from tests.conftest import REPO

pytestmark = pytest.mark.crawl

#: What a crawl does with its settings, up to loading its extensions and downloader middlewares, in a
#: process of its own (so that ``sys.modules`` starts clean): the project's settings, the command
#: line's on top, the add-ons applied, each component dict merged with its base and each of its
#: components' classes loaded, as Scrapy's middleware managers do before building them.
SCRIPT = """
import json, sys
from scrapy.addons import AddonManager
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import load_object
from scrapy.utils.project import get_project_settings
from scrapy.crawler import Crawler
from spiders.chinasei import ChinaseiSpider

settings = get_project_settings()
settings.setdict(json.loads(sys.argv[1]), priority="cmdline")
crawler = Crawler(ChinaseiSpider, settings)
AddonManager(crawler).load_settings(crawler.settings)
loaded = []
for name in ("EXTENSIONS", "DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "ITEM_PIPELINES"):
    classes = [load_object(c) for c in build_component_list(crawler.settings.getwithbase(name))]
    loaded += [f"{c.__module__}.{c.__qualname__}" for c in classes]
print(json.dumps({"loaded": loaded, "modules": sorted(sys.modules)}))
"""


def components(overrides: dict[str, object]) -> dict[str, list[str]]:
    result = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(overrides)], capture_output=True, text=True,
                            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def by_default() -> dict[str, list[str]]:
    return components({})


@pytest.mark.parametrize(("base", "component", "enabled_by"), OFF_UNLESS_ENABLED, ids=[c[2] for c in OFF_UNLESS_ENABLED])
def test_a_component_its_setting_turns_off_is_never_imported(by_default, base, component, enabled_by):
    module = component.rpartition(".")[0]
    assert component not in by_default["loaded"]
    assert module not in by_default["modules"]


@pytest.mark.parametrize(("base", "component", "enabled_by"), OFF_UNLESS_ENABLED, ids=[c[2] for c in OFF_UNLESS_ENABLED])
def test_a_component_turned_on_from_the_command_line_is_loaded(base, component, enabled_by):
    turned_on = components({enabled_by: "True"})
    assert component in turned_on["loaded"]


def test_what_the_crawl_does_not_use_stays_out_of_its_process(by_default):
    """The libraries those components would have brought (aiohttp's web server, tldextract with
    requests) and the one itemadapter would (pydantic) are not in the process, and the crawl's own
    components and Scrapy's others still are."""
    held = sorted(m for m in by_default["modules"] if m.split(".")[0] in ("aiohttp", "tldextract", "requests", "pydantic"))
    assert held == []
    assert "crawler.components.archive_run.ArchiveRun" in by_default["loaded"]
    assert "scrapy.downloadermiddlewares.retry.RetryMiddleware" in by_default["loaded"]
    assert "scrapy.extensions.throttle.AutoThrottle" in by_default["loaded"]
