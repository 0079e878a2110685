"""Serving a saved copy of the portal on 127.0.0.1, for the demo and the tests.

A plain static file server, as the portal's own is: folders serve their ``index.html``, missing
files answer 404, ``Last-Modified`` and ``If-Modified-Since`` work.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

#: The bundled copy of the site, in a source checkout.
SAVED_SITE = Path(__file__).resolve().parents[2] / "saved_site" / "www"


class QuietHandler(SimpleHTTPRequestHandler):
    """A static handler that does not print a line per request."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


@contextmanager
def serve(directory: Path = SAVED_SITE, port: int = 0) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port unless given); yields the base URL."""
    if not (directory / "index.html").is_file():
        raise FileNotFoundError(f"{directory} holds no saved site (no index.html)")
    with running(ThreadingHTTPServer(("127.0.0.1", port), partial(QuietHandler, directory=str(directory)))) as url:
        yield url


@contextmanager
def running(server: ThreadingHTTPServer) -> Iterator[str]:
    """Run ``server`` in a thread of its own; yields its base URL, and stops it however the block ends."""
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="saved-site", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
