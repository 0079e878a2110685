"""The WARC export replays in pywb, the web archive replay tool: an article and its image come back.

pywb is installed by ``scripts/setup-test-tools`` (which ``.ci/run`` calls) into a virtual
environment of its own (its pins are not ours), under the user's cache folder. The exported WARC is added to a pywb
collection, pywb's ``wayback`` server runs on 127.0.0.1, and the test asks it for an archived
article and for one of its images, as a reader of the archive would.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from archive.export import export_warc
from archive.store import Archive
from tests.conftest import SAVED, free_port, scrapy_crawl
from tests.sitebuilder.content import LAYOUT_FILES

pytestmark = pytest.mark.browser

PYWB = "pywb==2.10.0"
ARTICLE = "http://www.chinasei.com.cn/cyzx/202409/t20240912_44300.html"
IMAGE = "http://www.chinasei.com.cn/cyzx/202409/W020240912301234567890.jpg"
ATTACHMENT = "http://www.chinasei.com.cn/cyzx/202409/W020240912301234567891.pdf"
STYLESHEET = "http://www.chinasei.com.cn/css/style.css"


@pytest.fixture(scope="session")
def pywb_bin() -> Path:
    """pywb's commands, in the virtual environment of their own that scripts/setup-test-tools makes
    (its pins are not ours)."""
    venv = Path(os.environ.get("CHINASEI_PYWB_VENV") or Path.home() / ".cache" / "chinasei-tests" / PYWB.replace("==", "-"))
    if not (venv / "bin" / "wayback").exists():
        pytest.fail(f"pywb is not installed in {venv}: bash scripts/setup-test-tools")
    return venv / "bin"


def _get(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("Content-Type", "")


@contextmanager
def replaying(pywb_bin: Path, db: Path, work: Path) -> Iterator[str]:
    """The archive exported as WARC, added to a pywb collection and served by pywb's ``wayback``
    on 127.0.0.1; yields the collection's base URL once it answers."""
    warc = work / "chinasei.warc.gz"
    archive = Archive.read_only(db)
    with warc.open("wb") as out:
        export_warc(archive, out, warc.name)
    archive.db.close()
    root = work / "pywb"
    root.mkdir()
    for command in (["wb-manager", "init", "chinasei"], ["wb-manager", "add", "chinasei", str(warc)]):
        done = subprocess.run([str(pywb_bin / command[0]), *command[1:]], cwd=root, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
    port = free_port()
    server = subprocess.Popen([str(pywb_bin / "wayback"), "-p", str(port), "-b", "127.0.0.1"], cwd=root,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(300):  # until it answers (a state, not a guess at how long it takes)
            if server.poll() is not None:
                pytest.fail(f"pywb exited: {server.stderr.read().decode()[-2000:]}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/chinasei"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_pywb_replays_an_archived_article_and_its_media_byte_for_byte(pywb_bin, archive_copy, tmp_path):
    archive = Archive.read_only(archive_copy)
    image = next(archive.responses("url = ? AND status = 200", [IMAGE]))
    pdf = next(archive.responses("url = ? AND status = 200", [ATTACHMENT]))
    archive.db.close()
    with replaying(pywb_bin, archive_copy, tmp_path) as base:
        status, frame, _ = _get(f"{base}/2030/{ARTICLE}")  # replay: the capture nearest the date, in pywb's frame
        assert status == 200 and b"replay_iframe" in frame
        status, page, content_type = _get(f"{base}/2030mp_/{ARTICLE}")  # the page inside the frame, links rewritten
        assert status == 200 and "text/html" in content_type
        text = page.decode("utf-8")
        assert "江苏新型储能电站集中开工" in text
        src = re.search(r'<img src="([^"]*W020240912301234567890\.jpg)"', text).group(1)
        # where a browser showing the replay asks for it (a browser keeps the "//" that urljoin would drop)
        shown = f"{base}/2030mp_/{ARTICLE}".rsplit("/", 1)[0] + "/" + src.removeprefix("./")
        assert shown.startswith(f"{base}/") and shown.endswith(IMAGE)
        status, drawn, _ = _get(shown)
        assert status == 200 and drawn == image["body"]
        status, raw_page, _ = _get(f"{base}/2030id_/{ARTICLE}")  # id_: the page as archived, not rewritten
        assert status == 200 and raw_page == next(Archive.read_only(archive_copy).responses("url = ? AND status = 200", [ARTICLE]))["body"]
        for medium in (image, pdf):
            status, body, content_type = _get(f"{base}/2030id_/{medium['url']}")
            assert status == 200, medium["url"]
            assert body == medium["body"] == (SAVED / "www" / medium["url"].split("/", 3)[3]).read_bytes()
            assert content_type == medium["content_type"]
        status, _, _ = _get(f"{base}/2030id_/http://www.chinasei.com.cn/dfld/202410/W020241015300000000404.jpg")
        assert status == 404  # archived as the 404 it was
        _replays_styled(base, text)


def test_pywb_replays_a_rechecked_article_as_the_content_its_304_confirmed(pywb_bin, archive_copy, saved_site_url, tmp_path):
    """A re-check that got a 304 is the latest capture: replayed, it is the page, not an empty 304."""
    scrapy_crawl(saved_site_url, archive_copy, "-s", "ARCHIVE_RECHECK_DAYS=100000", "-s", "ARCHIVE_RECHECK_HOURS=0")
    archive = Archive.read_only(archive_copy)
    page = next(archive.responses("url = ? AND status = 200", [ARTICLE]))["body"]
    assert next(archive.responses("url = ? AND status = 304", [ARTICLE]), None) is not None
    archive.db.close()
    with replaying(pywb_bin, archive_copy, tmp_path) as base:
        status, replayed, content_type = _get(f"{base}/2030id_/{ARTICLE}")  # the capture nearest 2030: the 304
        assert status == 200 and replayed == page and "text/html" in content_type


def _replays_styled(base: str, page: str) -> None:
    """The replayed page links the site's stylesheet into the replay, which serves it (and the one
    it imports, and the images they name) from the WARC; as archived, each is byte for byte."""
    href = re.search(r'<link rel="stylesheet" href="([^"]*)"', page).group(1)
    assert href.startswith("/chinasei/") and href.endswith(STYLESHEET), href  # rewritten into the replay
    status, css, content_type = _get(base.removesuffix("/chinasei") + href)
    assert status == 200 and "text/css" in content_type
    assert "/chinasei/" in css.decode("utf-8") and "common.css" in css.decode("utf-8")  # its addresses into the replay too
    for path in LAYOUT_FILES:
        status, body, _ = _get(f"{base}/2030id_/http://www.chinasei.com.cn{path}")
        assert status == 200 and body == (SAVED / "www" / path.lstrip("/")).read_bytes(), path
