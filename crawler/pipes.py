"""Pipes between the crawl and its helper processes, made wide enough that the crawl never waits.

The crawl hands pages to its parse worker and writes to its writer process through pipes, from its
own thread: a thread to feed them would cost more in hand-overs of the interpreter lock than the
writing it saves. A Linux pipe holds 64 KiB by default, three pages; widened to 1 MiB (the most an
unprivileged process may ask for) it holds every page in flight, so a send returns at once unless
the other side has fallen a whole megabyte behind, and then waiting is the right thing to do.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

PIPE_SIZE = 1024 * 1024
try:
    from fcntl import F_SETPIPE_SZ, fcntl
except ImportError:  # not Linux: pipes keep their size, and a send may wait a little more
    F_SETPIPE_SZ, fcntl = None, None


def widen(connection: Connection) -> None:
    """Make a pipe hold ``PIPE_SIZE`` bytes where the system allows it."""
    if fcntl is not None:
        with contextlib.suppress(OSError):
            fcntl(connection.fileno(), F_SETPIPE_SZ, PIPE_SIZE)


def start_helper(target: Callable[..., None], name: str, *args: Any) -> tuple[BaseProcess, Connection, Connection]:
    """Start ``target(to_helper, from_helper, *args)`` in a process of its own, with a widened pipe
    each way; returns the process, the end to send it work and the end its answers come from.

    Spawned, not forked: the crawl runs a reactor and threads, which a fork would copy half-made.
    """
    context = multiprocessing.get_context("spawn")
    to_helper, send = context.Pipe(duplex=False)
    receive, from_helper = context.Pipe(duplex=False)
    widen(send)
    widen(from_helper)
    process = context.Process(target=target, args=(to_helper, from_helper, *args), name=name, daemon=True)
    process.start()
    to_helper.close()
    from_helper.close()
    return process, send, receive
