"""Deploying to Scrapyd: a real Scrapyd on 127.0.0.1, the project's egg uploaded and a crawl of the
saved site scheduled through its HTTP API, as a user with scheduled jobs would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
import uuid

import pytest

from tests.conftest import REPO, archived_articles, expected_items, free_port

pytestmark = pytest.mark.crawl


def api(base: str, endpoint: str, fields: dict[str, list[str] | str] | None = None, egg: bytes | None = None) -> dict:
    """Call Scrapyd's JSON API: GET without fields, POST (multipart when an egg goes along) with."""
    if fields is None:
        with urllib.request.urlopen(f"{base}/{endpoint}", timeout=30) as response:
            return json.loads(response.read())
    boundary = uuid.uuid4().hex
    parts = []
    for name, values in fields.items():
        for value in [values] if isinstance(values, str) else values:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    if egg is not None:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="egg"; filename="chinasei.egg"\r\n'
                     "Content-Type: application/octet-stream\r\n\r\n".encode() + egg + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    request = urllib.request.Request(f"{base}/{endpoint}", data=body,
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


@pytest.fixture
def scrapyd(tmp_path):
    executable = shutil.which("scrapyd")
    assert executable, "scrapyd is a test dependency: pip install -e '.[test]'"
    port = free_port()
    (tmp_path / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\neggs_dir = eggs\nlogs_dir = logs\n"
        "items_dir =\ndbs_dir = dbs\nmax_proc = 1\npoll_interval = 0.5\n", encoding="utf-8")
    process = subprocess.Popen([executable], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            api(base, "daemonstatus.json")
            break
        except OSError:
            if time.time() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("Scrapyd did not start") from None
            time.sleep(0.3)
    yield base, tmp_path
    process.terminate()
    process.wait(timeout=30)


def test_deploy_and_schedule_a_crawl_through_scrapyd(scrapyd, saved_site_url, tmp_path):
    base, home = scrapyd
    egg = tmp_path / "chinasei.egg"
    subprocess.run([shutil.which("scrapyd-deploy"), "--build-egg", str(egg)], cwd=REPO, check=True, capture_output=True,
                   env={**os.environ, "PYTHONPATH": str(REPO)})
    added = api(base, "addversion.json", {"project": "chinasei", "version": "1"}, egg=egg.read_bytes())
    assert added["status"] == "ok" and added["spiders"] == 1, added
    db = tmp_path / "scheduled.db"
    settings = [f"ARCHIVE_DB={db}", "DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False"]
    job = api(base, "schedule.json", {"project": "chinasei", "spider": "chinasei", "base_url": saved_site_url,
                                      "setting": settings})
    assert job["status"] == "ok", job
    deadline = time.time() + 180
    while time.time() < deadline:
        jobs = api(base, "listjobs.json?" + urllib.parse.urlencode({"project": "chinasei"}))
        if any(j["id"] == job["jobid"] for j in jobs["finished"]):
            break
        time.sleep(0.5)
    else:
        pytest.fail("the scheduled crawl did not finish")
    assert sorted(archived_articles(db)) == sorted(expected_items())
    log = next((home / "logs" / "chinasei" / "chinasei").glob(f"{job['jobid']}.log")).read_text(encoding="utf-8")
    assert f"{len(expected_items())} articles ({len(expected_items())} new" in log
