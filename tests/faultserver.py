"""A copy of the site served on 127.0.0.1 by a server that misbehaves the ways real ones do.

For a share of paths, chosen by a seeded random generator, the first requests get a fault — 500, 503, a reset connection, a stall past the crawler's download timeout, a body shorter
than its Content-Length, a redirect loop, or (for articles) a normal-looking 200 page that says
页面不存在 — and later requests get the real page. What every path does is decided in advance, so
a run is repeatable for its seed and the test knows exactly how many faults it injected.
"""

from __future__ import annotations

import random
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

from crawler.ops import localsite
from crawler.ops.localsite import QuietHandler

FAULTS = ("500", "503", "reset", "stall", "truncate", "loop", "error_page")
ERROR_PAGE = ("<html><head><title>页面不存在_中国战略新兴产业网</title></head><body><div class='nav'>首页</div>"
              "<div class='main'><h2>页面不存在</h2><p>您访问的页面不存在或已被删除。</p></div></body></html>")


class FaultPlan:
    """Which paths fail, how, and how many times."""

    def __init__(self, seed: int, share: float = 0.35, stall: float = 3.0):
        self.seed, self.share, self.stall = seed, share, stall
        self.hits: Counter[str] = Counter()
        self.injected: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.requests = 0
        #: What to do at the N-th request, before answering it: a test's kill -9 of the crawler, or
        #: another program taking the archive's lock, at points chosen by requests done, not by time.
        self.trips: dict[int, Callable[[], None]] = {}

    def count_request(self) -> None:
        """Count a request, and spring the trip set for it, if any."""
        with self.lock:
            self.requests += 1
            trip = self.trips.pop(self.requests, None)
        if trip is not None:
            trip()

    def holding_requests(self, trip: Callable[[], None]) -> Callable[[], None]:
        """``trip``, run with every other request held until it is done: nothing more is answered
        until, say, another program has the archive's lock, however long it waits for it."""

        def held() -> None:
            with self.lock:
                trip()

        return held

    def fault_for(self, path: str) -> str | None:
        """The fault this request gets, if any (counting this request)."""
        rng = random.Random(f"{self.seed}:{path}")
        if path in ("/", "/index.html", "/robots.txt") or rng.random() >= self.share:
            return None
        kinds = [k for k in FAULTS if k != "error_page" or "/t20" in path]
        kind, times = rng.choice(kinds), rng.randint(1, 3)
        if kind == "loop":
            times = 6  # one crawl's chain (a request and five redirects) runs into the limit; the next gets the page
        elif kind == "error_page":
            times = 1  # a 200 is not retried: the next crawl gets the page
        with self.lock:
            self.hits[path] += 1
            if self.hits[path] > times:
                return None
            self.injected[kind] += 1
        return kind


class FaultyHandler(QuietHandler):
    plan: FaultPlan

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        self.plan.count_request()
        path = self.path.split("?")[0]
        fault = self.plan.fault_for(path)
        if fault is None:
            return super().do_GET()
        getattr(self, f"_fault_{fault}")(path)

    def _fault_500(self, path: str) -> None:
        self.send_error(500, "Internal Server Error")

    def _fault_503(self, path: str) -> None:
        self.send_response(503)
        self.send_header("Retry-After", "0")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _fault_reset(self, path: str) -> None:
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def _fault_stall(self, path: str) -> None:
        time.sleep(self.plan.stall)
        self.close_connection = True

    def _fault_truncate(self, path: str) -> None:
        file = Path(self.translate_path(path))
        body = file.read_bytes() if file.is_file() else b"<html>" * 200
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body) + 5000))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2])
        self.wfile.flush()
        self.close_connection = True

    def _fault_loop(self, path: str) -> None:
        self.send_response(302)
        self.send_header("Location", path)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _fault_error_page(self, path: str) -> None:
        body = ERROR_PAGE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serve_faulty(directory: Path, plan: FaultPlan) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 with the faults of ``plan``; yields the base URL."""
    handler = type("Handler", (FaultyHandler,), {"plan": plan})
    with localsite.running(ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(directory)))) as url:
        yield url
