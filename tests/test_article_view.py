"""An archived article seen as a page, in headless Chromium: drawn from the archive alone.

``chinasei serve`` (real Datasette, with our plugin) serves the archive of the saved site; headless
Chromium loads an article's archived page with a network log on. The log must show no request to
anything but that server on 127.0.0.1 — though the page, as received, links stylesheets, scripts,
the portal's own logo and an image on another site — and the screenshot must show the article's
photographs, drawn from the archive's copies. (``scripts/screenshots.py`` makes the docs' copy of it.)

Chromium is Debian's, installed by ``.ci/run`` through ``scripts/setup-test-tools``; where it is
missing the test fails with that command (tests never install system packages themselves).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import struct
import subprocess
import urllib.request
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import chinasei_serve, query
from tests.sitebuilder.content import LAYOUT_FILES

pytestmark = pytest.mark.browser

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-default-apps", "--hide-scrollbars",
         "--window-size=1280,2000", "--virtual-time-budget=5000"]
#: The colours of the two photographs of article 44300 (tests/sitebuilder/media), as the JPEGs hold them.
STORAGE_STATION = (236, 140, 16)
WIND_PLATFORM = (200, 36, 36)
#: The site's look (tests/sitebuilder/media): the logo, the menu's band (style.css) and the banner
#: (a background image that style.css names).
LOGO, MENU, BANNER = (0, 150, 136), (20, 64, 140), (120, 60, 160)


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium, which scripts/setup-test-tools installs."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("Chromium is not installed: bash scripts/setup-test-tools (apt-get install chromium fonts-noto-cjk)")
    return found


@pytest.fixture(scope="module")
def served(crawled_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The crawled archive in ``chinasei serve``, on 127.0.0.1."""
    db = tmp_path_factory.mktemp("view") / "archive.db"
    shutil.copy(crawled_db, db)
    with chinasei_serve(db) as base:
        yield base


def load(chromium: str, url: str, work: Path, screenshot: Path) -> tuple[set[str], set[str]]:
    """Load ``url`` in headless Chromium and write its screenshot. Returns the URLs the page asked
    for (requests made for a page of 127.0.0.1, by their network isolation key: Chromium's own
    background requests, to its vendor's hosts, are not the page's), and every URL in the log."""
    netlog = work / "net.json"
    subprocess.run([chromium, *FLAGS, f"--user-data-dir={work / 'profile'}", f"--log-net-log={netlog}",
                    f"--screenshot={screenshot}", url], check=True, capture_output=True, timeout=180)
    log = json.loads(netlog.read_text(encoding="utf-8", errors="replace"))
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    page, everything = set(), set()
    for event in log["events"]:
        params = event.get("params") or {}
        if event["type"] == start and isinstance(params.get("url"), str):
            everything.add(params["url"])
            if (params.get("network_isolation_key") or "").startswith("http://127.0.0.1 "):
                page.add(params["url"])
    assert url in page, "the page's own request is not in the log"
    return page, everything


def read_png(path: Path) -> tuple[int, int, list[bytes], int]:
    """A PNG (8-bit RGB or RGBA, as Chromium writes them) as its rows of pixels."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and colour in (2, 6) and chunk[12] == 0, "not an 8-bit, non-interlaced RGB(A) PNG"
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw, stride, rows, previous = zlib.decompress(idat), width * channels, [], bytes(width * channels)
    for y in range(height):
        line = raw[y * (stride + 1):(y + 1) * (stride + 1)]
        kind, row = line[0], bytearray(line[1:])
        for x in range(stride):
            left = row[x - channels] if x >= channels else 0
            up, corner = previous[x], previous[x - channels] if x >= channels else 0
            if kind == 1:
                row[x] = (row[x] + left) & 0xFF
            elif kind == 2:
                row[x] = (row[x] + up) & 0xFF
            elif kind == 3:
                row[x] = (row[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                guess = left + up - corner
                nearest = min((abs(guess - left), 0, left), (abs(guess - up), 1, up), (abs(guess - corner), 2, corner))[2]
                row[x] = (row[x] + nearest) & 0xFF
        rows.append(bytes(row))
        previous = row
    return width, height, rows, channels


def pixels_near(path: Path, colour: tuple[int, int, int], tolerance: int = 24) -> int:
    """How many pixels of the screenshot are within ``tolerance`` of ``colour`` on every channel."""
    return sum(rows_near(path, colour, tolerance))


def rows_near(path: Path, colour: tuple[int, int, int], tolerance: int = 24) -> list[int]:
    """For each row of the screenshot, how many of its pixels are near ``colour``."""
    width, _, rows, channels = read_png(path)
    return [sum(all(abs(row[x + i] - colour[i]) <= tolerance for i in range(3)) for x in range(0, width * channels, channels))
            for row in rows]


def test_an_archived_article_is_drawn_from_the_archive_alone(chromium, served, tmp_path):
    url = f"{served}/-/chinasei/archive/article/44300"
    with urllib.request.urlopen(url, timeout=30) as response:
        policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "img-src 'self'" in policy and "script" not in policy
    screenshot = tmp_path / "article.png"
    requested, everything = load(chromium, url, tmp_path, screenshot)
    assert {u for u in requested if not u.startswith(served + "/")} == set(), "the page asked for something off this machine"
    assert not any("chinasei.com.cn" in u for u in everything)
    # its two photographs, and the site's stylesheets and layout images, each from the archive once
    assert sum("/media/" in u for u in requested) == 2 + len(LAYOUT_FILES)
    # both photographs are drawn: each is a large block of its own colour (480×270 shown at 600 px wide)
    assert pixels_near(screenshot, STORAGE_STATION) > 50_000
    assert pixels_near(screenshot, WIND_PLATFORM) > 50_000


def test_images_the_archive_lacks_are_never_asked_for(chromium, served, tmp_path):
    """44321 shows an image on another site and one that answered 404: neither is requested."""
    requested, everything = load(chromium, f"{served}/-/chinasei/archive/article/44321", tmp_path, tmp_path / "shot.png")
    assert all(u.startswith(served + "/") for u in requested), requested
    assert not any("miit.gov.cn" in u or "chinasei.com.cn" in u for u in everything)
    assert pixels_near(tmp_path / "shot.png", STORAGE_STATION) > 50_000  # the one it holds is drawn


def test_an_archived_page_is_drawn_in_the_sites_layout(chromium, served, tmp_path):
    """The site's stylesheet (and the one it imports), the logo and the banner it names are drawn,
    from the archive alone: the logo as an image, the menu as one band of a row, the banner."""
    screenshot = tmp_path / "styled.png"
    requested, everything = load(chromium, f"{served}/-/chinasei/archive/article/44300", tmp_path, screenshot)
    assert all(u.startswith(served + "/") for u in requested), requested
    assert not any("chinasei.com.cn" in u or "baidu.com" in u for u in everything)  # the off-site background too
    assert pixels_near(screenshot, LOGO, 8) > 0.8 * 360 * 70 - 320 * 14  # the logo image, less its white bar
    assert pixels_near(screenshot, BANNER, 8) > 0.9 * 1000 * 100  # a background image the stylesheet names
    band = [count for count in rows_near(screenshot, MENU, 8) if count > 500]
    assert 30 <= len(band) <= 50, len(band)  # the menu laid out in one row, 40 px high, not a list down the page


def test_without_its_stylesheet_the_page_has_no_layout(chromium, crawled_db, tmp_path):
    """The same page from an archive that lacks the site's stylesheet: no menu band, no banner (the
    layout test above can fail)."""
    db = tmp_path / "unstyled.db"
    shutil.copy(crawled_db, db)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("DELETE FROM media_urls WHERE url LIKE '%.css'")
    conn.close()
    assert query(db, "SELECT COUNT(*) FROM media_urls WHERE url LIKE '%.css'") == [(0,)]
    with chinasei_serve(db) as base:
        load(chromium, f"{base}/-/chinasei/unstyled/article/44300", tmp_path, tmp_path / "plain.png")
    assert [count for count in rows_near(tmp_path / "plain.png", MENU, 8) if count > 500] == []
    assert pixels_near(tmp_path / "plain.png", BANNER, 8) == 0
    assert pixels_near(tmp_path / "plain.png", LOGO, 8) > 0  # the logo is an image of the page, not of the stylesheet
