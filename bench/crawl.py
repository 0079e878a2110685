"""Crawling at scale: our crawl against a bare Scrapy spider fetching the same URLs, in pairs that
take turns, and an incremental re-crawl of the unchanged site — measured side by side in one run.

    python bench/crawl.py                                  # 20,000 generated articles, pages only, 3 pairs
    python bench/crawl.py --articles 100000 --modes pages media --pairs 3
    python bench/crawl.py --photos-per-article 0 --modes media   # media on, without photographs

The site is the saved site's templates with generated articles of realistic Chinese text added to
its channels (tests/sitebuilder), each showing ``--photos-per-article`` photographs on average (0.5,
of ``--photo-kib`` KiB each, 150, varying by half either way: incompressible bytes in a JPEG's
frame, as a photograph is), served on 127.0.0.1 by nginx where it is installed
(``apt-get install nginx-light``), else by Twisted's static server with a warning: that server is
Python on the same two cores, and competes with both crawlers.

Each mode (``pages``: media off, so both sides fetch the same pages; ``media``: our crawl with its
images and attachments, the bare spider fetching the same URLs) first runs our crawl once to learn
the URLs, then runs the pairs. For each run it reports the wall time, pages per second, the CPU
seconds of the whole process tree (user + system, helpers included, as the kernel counts them for
children reaped), and the peak of the whole tree's memory, sampled from /proc every 0.1 s, with
each process's own peak. The tree's memory is given two ways: the sum of its processes' resident
sets (RSS), which counts a page every process maps (the interpreter, libc, libsqlite3) once in each,
and the sum of their proportional sets (PSS, from ``smaps_rollup``), which shares such a page among
them — what the tree takes from the machine. Ratios are taken within each pair, and their median
reported. With both modes, the last line compares the pages our crawl archives per second with
media on and off: media must not slow the archiving of pages.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.conftest import query  # noqa: E402
from tests.sitebuilder.build import build  # noqa: E402
from tests.sitebuilder.generated import specs, write_photographs  # noqa: E402

CONCURRENCY = ["-s", "CONCURRENT_REQUESTS=16", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16"]
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", *CONCURRENCY, "-s", "LOG_LEVEL=WARNING",
        "-s", "ARCHIVE_PROGRESS_INTERVAL=0"]
BARE = '''
import scrapy

class Bare(scrapy.Spider):
    """Fetch a list of URLs and discard the responses: Scrapy's own floor on this machine."""
    name = "bare"
    custom_settings = {"ROBOTSTXT_OBEY": False}

    async def start(self):
        for url in open(self.urls, encoding="utf-8").read().split():
            yield scrapy.Request(url, callback=self.discard, errback=self.discard, dont_filter=True)

    def discard(self, _):
        return None
'''
NGINX = """daemon off; worker_processes 1; pid {work}/nginx.pid; error_log {work}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off; sendfile on; default_type application/octet-stream;
  types {{ text/html html; text/css css; image/jpeg jpg; image/png png; application/pdf pdf; text/plain txt;
          application/vnd.openxmlformats-officedocument.spreadsheetml.sheet xlsx; }}
  server {{ listen 127.0.0.1:{port}; root {www}; index index.html; }}
}}
"""
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")
MiB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the site's server ------------------------------------------------------------------------------


def serve(www: Path, work: Path) -> tuple[subprocess.Popen, str, str]:
    """nginx where it is installed, else Twisted's static server; returns it, its base URL, its name."""
    port = free_port()
    nginx = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if nginx:
        conf = work / "nginx.conf"
        conf.write_text(NGINX.format(work=work, port=port, www=www), encoding="utf-8")
        command, name = [nginx, "-c", str(conf), "-p", str(work)], "nginx"
    else:
        print("WARNING: nginx is not installed (apt-get install nginx-light): serving the site with Twisted's static "
              "server, which is Python on the same cores and caps the floor", file=sys.stderr)
        command = [shutil.which("twistd") or "twistd", "-n", "--pidfile=", "web", "--path", str(www),
                   "--listen", f"tcp:{port}:interface=127.0.0.1"]
        name = "twisted static server"
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):  # until it answers: a state, not a guess
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.05)
    return server, base, name


# --- measuring one run ------------------------------------------------------------------------------


@dataclass
class Process:
    """One process of a run's tree, as sampled: its name, peak resident memory, CPU seconds seen."""

    name: str
    peak: int = 0
    cpu: float = 0.0


@dataclass
class Run:
    """One measured run."""

    wall: float
    cpu: float
    tree_peak: int
    tree_pss_peak: int = 0
    processes: dict[int, Process] = field(default_factory=dict)


class TreeSampler(threading.Thread):
    """The resident memory of a process and all its descendants, sampled from /proc."""

    def __init__(self, root: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.stop = threading.Event()
        self.tree_peak = 0
        self.tree_pss_peak = 0
        self.processes: dict[int, Process] = {}

    def run(self) -> None:
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(self.interval)

    def sample(self) -> None:
        parents: dict[int, int] = {}
        stats: dict[int, list[str]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    raw = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                name, rest = raw[raw.index("(") + 1:raw.rindex(")")], raw[raw.rindex(")") + 2:].split()
                parents[int(entry)] = int(rest[1])
                stats[int(entry)] = [name, *rest]
        tree, frontier = set(), [self.root]
        while frontier:
            pid = frontier.pop()
            if pid in stats and pid not in tree:
                tree.add(pid)
                frontier += [child for child, parent in parents.items() if parent == pid]
        total = proportional = 0
        for pid in tree:
            name, *rest = stats[pid]
            rss = int(rest[21]) * PAGE_SIZE  # field 24 of stat: resident pages
            cpu = (int(rest[11]) + int(rest[12])) / TICKS  # utime + stime
            seen = self.processes.setdefault(pid, Process(name))
            seen.name = name if not name.startswith("python") else _role(pid, name)  # a helper names itself once started
            seen.peak, seen.cpu = max(seen.peak, rss), max(seen.cpu, cpu)
            total += rss
            proportional += _pss(pid)
        self.tree_peak = max(self.tree_peak, total)
        self.tree_pss_peak = max(self.tree_pss_peak, proportional)


def _pss(pid: int) -> int:
    """A process's proportional set size in bytes: its private pages, and its share of each page it
    maps with other processes (0 once it has gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
            for line in rollup:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _role(pid: int, name: str) -> str:
    """A process's part in a run: a helper by the name it gives itself (``parse-worker``,
    ``archive-writer``), a helper not named yet, multiprocessing's resource tracker (should one
    appear), the crawl, or the program's own name."""
    if not name.startswith("python"):
        return name
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "crawl"
    if b"resource_tracker" in command:
        return "resource-tracker"
    return "helper" if b"crawler.runtime.bootstrap" in command or b"multiprocessing" in command else "crawl"


def measured(command: list[str], cwd: Path = REPO) -> Run:
    """Run a command to its end, sampling its process tree; its wall time, CPU and memory."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"} | {"PYTHONPATH": str(REPO)}
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = TreeSampler(process.pid)
    sampler.start()
    _, errors = process.communicate()
    wall = time.perf_counter() - started
    sampler.stop.set()
    sampler.join()
    if process.returncode not in (0, 3):  # 3: a run judged unhealthy still measured the crawl
        raise SystemExit(f"{command[:4]} exited {process.returncode}: {errors.decode(errors='replace')[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, cpu, sampler.tree_peak, sampler.tree_pss_peak, sampler.processes)


# --- the two sides ----------------------------------------------------------------------------------


def ours(base: str, db: Path, media: bool, incremental: bool = False) -> list[str]:
    return [sys.executable, "-m", "scrapy", "crawl", "chinasei", "-a", f"base_url={base}", "-s", f"ARCHIVE_DB={db}",
            "-s", f"ARCHIVE_INCREMENTAL={incremental}", "-s", f"ARCHIVE_MEDIA={media}", *FAST]


def bare(work: Path, urls: Path) -> list[str]:
    (work / "bare.py").write_text(BARE, encoding="utf-8")
    return [sys.executable, "-m", "scrapy", "runspider", str(work / "bare.py"), "-a", f"urls={urls}", *FAST]


def roles(run: Run) -> str:
    """Each process's part, its peak memory (MiB) and CPU seconds: the crawl, each helper, the
    resource tracker."""
    found: dict[str, tuple[int, float]] = {}
    for process in run.processes.values():
        peak, cpu = found.get(process.name, (0, 0.0))
        found[process.name] = (max(peak, process.peak // MiB), cpu + process.cpu)
    return ", ".join(f"{name} {peak} MiB {cpu:.1f} s" for name, (peak, cpu) in found.items())


def pages_archived_in(db: Path) -> float:
    """Seconds from the start of the archive's last run to its last article stored (at least one):
    with media on, a crawl fetches the media its pages name once every page is fetched, so this is
    how long archiving the pages took, whatever the media took after."""
    (seconds,) = query(db, "SELECT (julianday(MAX(a.first_seen_at)) - julianday(r.started_at)) * 86400 FROM articles a, "
                           "(SELECT started_at FROM runs ORDER BY id DESC LIMIT 1) r")[0]
    return max(1.0, seconds)


def mode(label: str, work: Path, base: str, pairs: int) -> float:
    """One mode: a crawl to learn the URLs, then ``pairs`` pairs, the two sides taking turns.
    Returns the median of the pages our crawl archived per second."""
    media = label == "media"
    db = work / f"{label}.db"
    measured(ours(base, db, media))
    statuses = dict(query(db, "SELECT status, COUNT(*) FROM responses GROUP BY status"))
    if statuses.get(200, 0) < 0.9 * sum(statuses.values()):
        raise SystemExit(f"the site's server did not serve the site (statuses {statuses}): see {work}")
    urls = [fetched for (fetched,) in query(db, "SELECT fetched_url FROM responses")]
    pages = query(db, "SELECT COUNT(*) FROM responses WHERE kind IN ('article', 'listing', 'home')")[0][0]
    listed = work / f"{label}-urls.txt"
    listed.write_text("\n".join(urls), encoding="utf-8")
    print(f"\n{label}: {len(urls):,} requests ({pages:,} pages), {pairs} pairs", flush=True)
    print(f"{'pair':>4} {'side':>6} {'wall s':>7} {'req/s':>6} {'CPU s':>6} {'CPU ms/req':>10} {'tree RSS MiB':>12} {'PSS MiB':>7}  by process: RSS peak, CPU")
    ratios: dict[str, list[float]] = {"rate": [], "cpu": [], "peak": [], "pss": []}
    pages_per_second: list[float] = []
    for pair in range(1, pairs + 1):
        order = ("bare", "ours") if pair % 2 else ("ours", "bare")
        runs = {}
        for side in order:
            if side == "ours":
                db.unlink(missing_ok=True)  # a full crawl into a new archive each time
            # the bare spider runs outside the project (no scrapy.cfg): Scrapy's defaults, none of our components
            runs[side] = measured(bare(work, listed), cwd=work) if side == "bare" else measured(ours(base, db, media))
            run = runs[side]
            print(f"{pair:>4} {side:>6} {run.wall:>7.1f} {len(urls) / run.wall:>6.0f} {run.cpu:>6.1f} "
                  f"{1000 * run.cpu / len(urls):>10.2f} {run.tree_peak // MiB:>12} {run.tree_pss_peak // MiB:>7}  {roles(run)}", flush=True)
        pages_per_second.append(pages / pages_archived_in(db))
        ratios["rate"].append(runs["bare"].wall / runs["ours"].wall)
        ratios["cpu"].append(runs["ours"].cpu / runs["bare"].cpu)
        ratios["peak"].append(runs["ours"].tree_peak / runs["bare"].tree_peak)
        ratios["pss"].append(runs["ours"].tree_pss_peak / runs["bare"].tree_pss_peak)
    print("pages our crawl archived per second (its last article stored, from the run's start): "
          + ", ".join(f"{rate:.0f}" for rate in pages_per_second))
    print(f"median of the pairs: our rate {statistics.median(ratios['rate']):.2f}× the bare spider's (target ≥ 0.8), "
          f"CPU per request {statistics.median(ratios['cpu']):.2f}× (target ≤ 1.6), "
          f"whole-tree peak {statistics.median(ratios['peak']):.2f}× as RSS (target ≤ 1.5), "
          f"{statistics.median(ratios['pss']):.2f}× as PSS")
    again = measured(ours(base, db, media, incremental=True))
    full_requests, again_requests = (r for (r,) in query(db, "SELECT requests FROM runs ORDER BY id"))
    print(f"incremental re-crawl of the unchanged site: {again_requests:,} requests "
          f"({again_requests / full_requests:.2%} of the full crawl's {full_requests:,}), {again.wall:.1f} s")
    return statistics.median(pages_per_second)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--modes", nargs="+", choices=["pages", "media"], default=["pages"])
    parser.add_argument("--photos-per-article", type=float, default=0.5)
    parser.add_argument("--photo-kib", type=int, default=150)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="chinasei-bench-"))
    work.chmod(0o755)  # nginx's workers run as another user: they must read the site
    started = time.perf_counter()
    generated = specs(args.articles, photographs=args.photos_per_article)
    build(work / "www", extra=generated)
    photos, size = write_photographs(work / "www", generated, args.photo_kib)
    print(f"site with {args.articles:,} generated articles and {photos:,} photographs ({size / 1e6:,.0f} MB) "
          f"written in {time.perf_counter() - started:.0f} s", flush=True)
    server, base, name = serve(work / "www", work)
    print(f"served by {name} at {base}; {os.cpu_count()} cores", flush=True)
    try:
        archived = {label: mode(label, work, base, args.pairs) for label in args.modes}
        if len(archived) == 2:
            print(f"pages our crawl archived per second, medians: {archived['pages']:.0f} with media off, "
                  f"{archived['media']:.0f} with media on ({archived['media'] / archived['pages']:.2f}×; target ≥ 1)")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
