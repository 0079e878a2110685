"""The parse worker: the same items as parsing in the crawl's thread, failures carried back, and a
crawl that goes on when the worker dies."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from crawler.runtime.parse_worker import ParseTimeout, ParseWorker, WorkerGone
from crawler.runtime.parsing_jobs import article_from_bytes, listing_from_bytes
from tests.conftest import SAVED, archived_articles, scrapy_crawl

pytestmark = pytest.mark.crawl

LIVE = "http://www.chinasei.com.cn"
ARTICLE = "lpz/202011/t20201124_40123.html"
GBK = SAVED / "www/zcjd/201903/t20190305_38012.html"  # saved in GB2312


def run(coroutine):
    return asyncio.run(coroutine)


def test_the_worker_gives_what_parsing_here_gives():
    article_page = (SAVED / "www" / ARTICLE).read_bytes()
    listing_page = (SAVED / "www/lpz/index.html").read_bytes()
    gbk_url = f"{LIVE}/{GBK.relative_to(SAVED / 'www').as_posix()}"

    async def both():
        worker = ParseWorker()
        try:
            return await asyncio.gather(
                worker.article(f"{LIVE}/{ARTICLE}", article_page, "text/html", "2026-11-29T00:00:00+00:00", frozenset()),
                worker.article(gbk_url, GBK.read_bytes(), "text/html; charset=utf-8", None, frozenset()),
                worker.listing(f"{LIVE}/lpz/", listing_page, "text/html", frozenset({f"{LIVE}/cyzx/"})),
            )
        finally:
            worker.close()

    article, gbk, listing = run(both())
    assert article == article_from_bytes(f"{LIVE}/{ARTICLE}", article_page, "text/html", "2026-11-29T00:00:00+00:00", frozenset())
    assert gbk.article.problems and gbk == article_from_bytes(gbk_url, GBK.read_bytes(), "text/html; charset=utf-8", None, frozenset())
    assert listing == listing_from_bytes(f"{LIVE}/lpz/", listing_page, "text/html", frozenset({f"{LIVE}/cyzx/"}))
    assert f"{LIVE}/cyzx/" not in [link.url for link in listing.channel_links]


def test_each_page_is_parsed_against_the_channels_known_when_it_was_sent():
    """The worker is told the followed channels only when they change; every page still gets the
    set it was sent with, as the sets grow and shrink (a new worker is told them too: see the test
    of a page that takes too long)."""
    page = (SAVED / "www/lpz/index.html").read_bytes()
    first, second = (link.url for link in listing_from_bytes(f"{LIVE}/lpz/", page, "text/html", frozenset()).channel_links[:2])
    sets = [frozenset(), frozenset({first}), frozenset({first}), frozenset(), frozenset({first, second})]

    async def parse_all():
        worker = ParseWorker()
        try:
            return await asyncio.gather(*(worker.listing(f"{LIVE}/lpz/", page, "text/html", known) for known in sets))
        finally:
            worker.close()

    got = run(parse_all())
    expected = [listing_from_bytes(f"{LIVE}/lpz/", page, "text/html", known) for known in sets]
    assert got == expected
    assert len({tuple(link.url for link in listing.channel_links) for listing in got}) == 3  # the sets told apart


def test_a_parse_that_raises_raises_in_the_crawl():
    async def broken():
        worker = ParseWorker()
        try:
            await worker.article(f"{LIVE}/{ARTICLE}", "not bytes", "text/html", None, frozenset())
        finally:
            worker.close()

    with pytest.raises(AttributeError, match="decode"):  # the exception raised in the worker
        run(broken())


def test_when_the_worker_dies_the_page_fails_and_the_rest_are_parsed_here(caplog):
    page = (SAVED / "www" / ARTICLE).read_bytes()

    async def killed():
        worker = ParseWorker()
        try:
            first = await worker.article(f"{LIVE}/{ARTICLE}", page, "text/html", None, frozenset())
            worker.helper.process.kill()
            worker.helper.process.wait()
            outcomes = []
            for _ in range(3):
                try:
                    outcomes.append(await worker.article(f"{LIVE}/{ARTICLE}", page, "text/html", None, frozenset()))
                except WorkerGone as gone:
                    outcomes.append(gone)
            return first, outcomes, worker.broken
        finally:
            worker.close()

    with caplog.at_level(logging.ERROR, logger="crawler.runtime.parse_worker"):
        first, outcomes, broken = run(killed())
    assert broken
    assert len([o for o in outcomes if isinstance(o, WorkerGone)]) <= 1  # at most the page it was sent
    assert [o for o in outcomes if not isinstance(o, WorkerGone)][-1] == first
    assert len([r for r in caplog.records if "parse worker process is gone" in r.getMessage()]) == 1


def test_a_crawl_parsing_in_its_own_thread_archives_the_same(saved_site_url, tmp_path):
    with_worker, without = tmp_path / "a.db", tmp_path / "b.db"
    scrapy_crawl(saved_site_url, with_worker)
    scrapy_crawl(saved_site_url, without, "-s", "ARCHIVE_PARSE_WORKER=False")
    ignore = {"fetched_at", "first_seen_at", "updated_at"}
    strip = lambda rows: {k: {f: v for f, v in row.items() if f not in ignore} for k, row in rows.items()}  # noqa: E731
    assert strip(archived_articles(with_worker)) == strip(archived_articles(without))


CYZX = frozenset({f"{LIVE}/cyzx/"})


def slow_page(paragraphs: int = 400_000) -> bytes:
    """A real page that takes seconds to parse: a body of a great many paragraphs."""
    return ("<html><body><div>您的位置:首页 &gt; 领跑者</div><div>标题</div><div>2021-05-25</div><!--正文内容开始-->"
            + "<p>储能产业发展提速。</p>" * paragraphs + "<!--正文内容结束--></body></html>").encode()


def test_a_page_over_the_time_limit_fails_and_the_pages_behind_it_are_parsed_by_a_new_worker():
    page = (SAVED / "www" / ARTICLE).read_bytes()

    async def three():
        worker = ParseWorker(time_limit=1.0)
        try:
            first = worker.helper.process.pid
            results = await asyncio.gather(
                worker.article(f"{LIVE}/lpz/202105/t20210525_1.html", slow_page(), "text/html", None, frozenset()),
                worker.article(f"{LIVE}/{ARTICLE}", page, "text/html", None, frozenset()),
                worker.listing(f"{LIVE}/lpz/", (SAVED / "www/lpz/index.html").read_bytes(), "text/html", CYZX),
                return_exceptions=True,
            )
            return results, first, worker.helper.process.pid, worker.replaced
        finally:
            worker.close()

    (slow, article, listing), first, second, replaced = run(three())
    assert listing == listing_from_bytes(f"{LIVE}/lpz/", (SAVED / "www/lpz/index.html").read_bytes(), "text/html", CYZX)
    assert isinstance(slow, ParseTimeout) and "took over 1 s" in str(slow)
    assert (replaced, first != second) == (1, True)
    assert article.article.title == article_from_bytes(f"{LIVE}/{ARTICLE}", page, "text/html", None, frozenset()).article.title
    assert listing.entries


@pytest.mark.skipif(not Path("/proc/self/comm").exists(), reason="process names are read from Linux's /proc")
def test_the_helpers_show_by_their_names_in_ps():
    """ps and top (and the benchmark's memory sampling) tell the parse worker from the writer."""
    worker = ParseWorker()
    try:
        run(worker.article(f"{LIVE}/{ARTICLE}", (SAVED / "www" / ARTICLE).read_bytes(), "text/html", None, frozenset()))
        assert worker.helper is not None
        assert Path(f"/proc/{worker.helper.process.pid}/comm").read_text().strip() == "parse-worker"
    finally:
        worker.close()


def _signal_sets(pid: int) -> dict[str, int]:
    """A process's blocked and ignored signals, from /proc (bit ``n - 1`` is signal ``n``)."""
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return {name: int(value, 16) for name, _, value in (line.partition(":\t") for line in lines) if name in ("SigBlk", "SigIgn")}


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="signal masks are read from Linux's /proc")
def test_a_ctrl_c_as_a_helper_starts_reaches_the_crawl_after_and_never_the_helper(monkeypatch):
    """A Ctrl-C that comes while the crawl starts a helper is acted on by the crawl once the helper
    has started, not lost (it was once ignored for that moment, and the crawl went on to its end).
    The helper starts with it blocked and, once running, ignores it and blocks nothing."""
    import os
    import signal
    import subprocess

    from crawler.runtime import interrupts

    real_popen = subprocess.Popen

    def popen_as_ctrl_c_comes(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)  # to the crawl, as it starts the helper
        return real_popen(*args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", popen_as_ctrl_c_comes)
    bit = 1 << (signal.SIGINT - 1)
    with interrupts.noted(signal.SIGINT) as seen:
        worker = ParseWorker()
        assert seen == [signal.SIGINT]
    monkeypatch.undo()
    try:
        run(worker.article(f"{LIVE}/{ARTICLE}", (SAVED / "www" / ARTICLE).read_bytes(), "text/html", None, frozenset()))
        assert worker.helper is not None
        helper = _signal_sets(worker.helper.process.pid)
        assert helper["SigIgn"] & bit and not helper["SigBlk"] & bit
        assert not _signal_sets(os.getpid())["SigBlk"] & bit
    finally:
        worker.close()


#: What a helper must not carry: the crawl's frameworks; for the parse worker the event loop and
#: the database too (it only parses), nor OpenSSL's hashes, which map some 4 MiB of libcrypto
#: into a process (``secrets`` brings them, through ``hmac``); for the writer the HTML and CSS
#: parsers (it only stores).
NOT_IN_A_HELPER = ("scrapy", "twisted")
NOT_IN_THE_PARSE_WORKER = (*NOT_IN_A_HELPER, "asyncio", "sqlite3", "sqlite_utils", "archive", "numpy", "hashlib", "_hashlib", "secrets")
NOT_IN_THE_WRITER = (*NOT_IN_A_HELPER, "lxml", "tinycss2")


@pytest.mark.parametrize(("modules", "forbidden"), [
    ((), NOT_IN_A_HELPER),
    (("crawler.runtime.parsing_jobs",), NOT_IN_THE_PARSE_WORKER),
    (("crawler.runtime.writer",), NOT_IN_A_HELPER),
    (("crawler.runtime.writer", "archive.store"), NOT_IN_THE_WRITER),  # what its serve() imports
])
def test_a_helper_imports_its_own_module_and_nothing_of_the_crawls(tmp_path, modules, forbidden):
    """Started from a script that holds Scrapy and Twisted (as ``scrapy`` and ``chinasei`` are), a
    helper holds neither: not through its parent's main script (multiprocessing's spawn imported
    it in the child), nor through its own module."""
    import json
    import os
    import subprocess
    import sys

    script = tmp_path / "main.py"
    script.write_text(
        "import json, sys\n"
        "import scrapy, twisted.internet.reactor  # as a crawl's main script has them\n"
        "from crawler.runtime.helper import HelperProcess\n"
        "from tests.helper_probe import report_modules\n"
        "if __name__ == '__main__':\n"
        f"    helper = HelperProcess(report_modules, 'probe', *{list(modules)!r})\n"
        "    print(json.dumps(helper.answers.recv() if helper.answers.poll(60) else None))\n"
        "    helper.close()\n", encoding="utf-8")
    repo = str(Path(__file__).resolve().parents[1])
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": repo})
    held = json.loads(result.stdout or "null")
    assert held is not None, result.stderr
    assert all(module in held for module in modules)
    found = sorted(m for m in held if m.split(".")[0] in forbidden)
    assert not found, f"the helper holds {found}"


#: Each library that imports one of them when installed, with what a process of ours imports first
#: (a crawl reads its settings module before Scrapy lists its commands, whose imports bring itemadapter).
OPTIONAL_IMPORTS = [
    pytest.param("numpy", "sqlite_utils", "import crawler.ops.cli\nimport archive.store, archive.search", id="numpy"),
    pytest.param("pandas", "sqlite_utils", "import crawler.ops.cli\nimport archive.store, archive.search", id="pandas"),
    pytest.param("pydantic", "itemadapter", "import crawler.settings\nimport scrapy.commands.parse, scrapy.pipelines.files",
                 id="pydantic-crawl"),
    pytest.param("pydantic", "itemadapter", "import crawler.ops.cli\nimport itemadapter", id="pydantic-commands"),
]


@pytest.mark.parametrize(("unused", "importer", "ours"), OPTIONAL_IMPORTS)
def test_our_processes_hold_back_what_our_libraries_would_import_unused(tmp_path, unused, importer, ours):
    """sqlite-utils imports numpy and pandas, itemadapter pydantic, when they are installed; our
    crawl, our commands and the writer hold them back (crawler.runtime.imports). A stand-in that
    fails when imported is installed here, so the test means the same on a machine with or without
    the real one; an import of it afterwards fails with a message that says why."""
    import os
    import subprocess
    import sys

    (tmp_path / unused).mkdir()
    (tmp_path / unused / "__init__.py").write_text(f"raise SystemExit('{unused} was imported')\n")
    script = (f"import sys\n{ours}\n"
              f"print(sorted(m for m in sys.modules if m.split('.')[0] == {unused!r}))\n"
              f"try:\n    import {unused}\nexcept ImportError as error:\n    print(error)\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(Path(__file__).resolve().parents[1])])}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    held, why = result.stdout.strip().splitlines()
    assert held == "[]"
    assert why.startswith(f"{unused} is not loaded in chinasei's processes")
    control = subprocess.run([sys.executable, "-c", f"import {importer}"], capture_output=True, text=True, env=env,
                             timeout=120)
    assert f"{unused} was imported" in control.stderr  # the stand-in works
