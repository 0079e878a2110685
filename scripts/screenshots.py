"""The docs' screenshots, made anew (a script, not a test: tests never write tracked files).

    bash scripts/setup-test-tools             # once: Debian's headless Chromium and CJK fonts
    python scripts/screenshots.py             # writes docs/search.png, docs/article.png, docs/watch.png, docs/trend.png

It crawls the bundled copy of the site into a temporary archive, saves the search 储能, serves it
with ``chinasei serve`` and has headless Chromium load the canned search for 扶贫, the archived page
of article 44300 and the saved search's page; ``chinasei trend`` draws docs/trend.png.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars"]


#: What each screenshot shows, by file name under docs/, and the window it is taken in.
SHOTS = {
    "search.png": ("/archive/search?" + urllib.parse.urlencode({"q": "扶贫"}), "1280,1500"),
    "article.png": ("/-/chinasei/archive/article/44300", "1280,2000"),
    "watch.png": ("/-/chinasei/archive/watch/" + urllib.parse.quote("储能"), "1280,1200"),
}


def main() -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("Chromium is not installed: bash scripts/setup-test-tools (or apt-get install chromium fonts-noto-cjk)")
    work = Path(tempfile.mkdtemp())
    db = work / "archive.db"
    subprocess.run([sys.executable, "-m", "crawler.ops.cli", "demo", "--db", str(db)], cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL)
    chinasei = [sys.executable, "-m", "crawler.ops.cli"]
    subprocess.run([*chinasei, "watch", "add", "储能", "储能", "--db", str(db)], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*chinasei, "trend", "储能", "风电", "机器人", "--by", "year", "--png", str(REPO / "docs" / "trend.png"),
                    "--db", str(db)], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "crawler.ops.cli", "serve", "--db", str(db), "--port", str(port)], cwd=REPO,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        for name, (path, window) in SHOTS.items():
            out = REPO / "docs" / name
            subprocess.run([chromium, *CHROMIUM_FLAGS, f"--window-size={window}", "--virtual-time-budget=5000",
                            f"--user-data-dir={work / 'profile'}", f"--screenshot={out}", base + path],
                           check=True, capture_output=True, timeout=120)
            print(f"wrote {out}")
    finally:
        server.terminate()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
