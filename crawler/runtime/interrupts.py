"""Ctrl-C and SIGTERM held off for a block: ignored while a helper process starts, or noted and
acted on at a point of the caller's choosing (between two articles, once Scrapy's own handlers
run). Python sets signal handlers in the main thread only; elsewhere the block runs as it is."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any

Handler = Callable[[int, Any], Any] | int


@contextlib.contextmanager
def handled(handler: Handler, *signums: int) -> Iterator[None]:
    """For the block, ``signums`` go to ``handler`` (a function, or ``signal.SIG_IGN``); the
    previous handlers come back after it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, handler) for signum in signums}
    try:
        yield
    finally:
        for signum, before in previous.items():
            signal.signal(signum, before)


@contextlib.contextmanager
def noted(*signums: int) -> Iterator[list[int]]:
    """For the block, ``signums`` are noted, not acted on: the list yielded holds each that came."""
    seen: list[int] = []
    with handled(lambda signum, _: seen.append(signum), *signums):
        yield seen
