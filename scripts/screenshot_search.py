"""Screenshot of the Datasette search page, to look at (a script, not a test).

    apt-get install chromium fonts-noto-cjk      # once: Debian's headless browser and CJK fonts
    python scripts/screenshot_search.py [QUERY]  # writes docs/search.png

It crawls the bundled copy of the site into a temporary archive, serves it with ``chinasei serve``
and has headless Chromium load the canned search for QUERY (default 扶贫).
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
                  "--hide-scrollbars", "--window-size=1280,1500"]


def main(query: str = "扶贫") -> Path:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("Chromium is not installed: apt-get install chromium fonts-noto-cjk")
    work = Path(tempfile.mkdtemp())
    db = work / "archive.db"
    subprocess.run([sys.executable, "-m", "crawler.ops.cli", "demo", "--db", str(db)], cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "crawler.ops.cli", "serve", "--db", str(db), "--port", str(port)], cwd=REPO,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/archive/search?" + urllib.parse.urlencode({"q": query})
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        out = REPO / "docs" / "search.png"
        out.parent.mkdir(exist_ok=True)
        subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={work / 'profile'}", f"--screenshot={out}", url],
                       check=True, capture_output=True, timeout=120)
        print(f"wrote {out}")
        return out
    finally:
        server.terminate()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(*sys.argv[1:2])
