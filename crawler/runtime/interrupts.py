"""Ctrl-C and SIGTERM held off for a block: made to wait while a helper process starts, or noted
and acted on at a point of the caller's choosing (between two articles, once Scrapy's own handlers
run). Python sets signal handlers in the main thread only; elsewhere :func:`handled` and
:func:`noted` run the block as it is."""

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


@contextlib.contextmanager
def blocked(*signums: int) -> Iterator[None]:
    """For the block, ``signums`` wait in this thread: one that comes is acted on as the block ends
    (by whatever handles it then), not lost. A process started in the block starts with them
    blocked, since the signal mask survives ``exec``; it decides what to do with them before it
    unblocks them (:func:`crawler.runtime.bootstrap.main`). Where the system has no signal masks,
    they are ignored for the block instead, and one that comes in it is lost."""
    if not hasattr(signal, "pthread_sigmask"):
        with handled(signal.SIG_IGN, *signums):
            yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, signums)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
