"""The crawl's helper processes: one class to start one, send it work, tell it died, and close it.

Pipes between the crawl and its helpers are made wide enough that the crawl never waits.

The crawl hands pages to its parse worker and writes to its writer process through pipes, from its
own thread: a thread to feed them would cost more in hand-overs of the interpreter lock than the
writing it saves. A Linux pipe holds 64 KiB by default, three pages; widened to 1 MiB (the most an
unprivileged process may ask for) it holds every page in flight, so a send returns at once unless
the other side has fallen a whole megabyte behind, and then waiting is the right thing to do.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import signal
from collections.abc import Callable
from multiprocessing import resource_tracker
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from crawler.runtime import interrupts

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
    The helper ignores SIGINT: Ctrl-C reaches every process of the terminal's group, but a helper
    must outlive the crawl's own orderly stop, finishing what it was sent; it ends when the crawl
    closes its pipe or dies. It ignores it from its first instruction: the parent ignores SIGINT
    while starting it, and an ignored signal stays ignored across ``exec`` (a helper still
    importing its modules when Ctrl-C comes would otherwise die of it). SIGTERM still ends it:
    multiprocessing stops daemonic children with it at exit, so a service manager should send
    SIGTERM to the crawl alone (``KillMode=mixed`` in ``deploy/systemd``).
    """
    context = multiprocessing.get_context("spawn")
    to_helper, send = context.Pipe(duplex=False)
    receive, from_helper = context.Pipe(duplex=False)
    widen(send)
    widen(from_helper)
    process = context.Process(target=_deaf_to_ctrl_c, args=(target, name, to_helper, from_helper, *args), name=name,
                              daemon=True)
    with interrupts.handled(signal.SIG_IGN, signal.SIGINT):  # the child then ignores it itself, a moment later
        process.start()
    to_helper.close()
    from_helper.close()
    return process, send, receive


def _deaf_to_ctrl_c(target: Callable[..., None], name: str, *args: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _name_process(name)
    target(*args)


#: Linux's ``prctl`` option that sets the name ``ps``, ``top`` and ``/proc/<pid>/comm`` show.
PR_SET_NAME = 15


def _name_process(name: str) -> None:
    """Show the helper by its name (``parse-worker``, ``archive-writer``) in ``ps`` and ``top``
    instead of as one more ``python``; where the system has no ``prctl``, nothing changes."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(PR_SET_NAME, name.encode()[:15], 0, 0, 0)


class HelperGone(RuntimeError):
    """The helper process cannot be reached: it exited, or its pipe is closed."""


class HelperProcess:
    """A helper beside the crawl (the parse worker, the archive writer): ``target(jobs, answers,
    *args)`` in a spawned process (see :func:`start_helper`), work sent down one pipe, answers read
    from the other."""

    def __init__(self, target: Callable[..., None], name: str, *args: Any) -> None:
        self.name = name
        self.process, self.jobs, self.answers = start_helper(target, name, *args)

    def send(self, data: bytes) -> None:
        """Send one message; waits only while the helper is a megabyte behind. Raises
        :class:`HelperGone` when it cannot be reached."""
        try:
            self.jobs.send_bytes(data)
        except OSError as error:
            raise HelperGone(f"the {self.name} process stopped reading ({error}); {self.exit_status()}") from error

    def exit_status(self) -> str:
        """How the process ended, in words, for a message about its death."""
        return f"it exited with code {self.process.exitcode}"

    @property
    def alive(self) -> bool:
        return self.process.is_alive()

    def kill(self) -> None:
        """End it now (it is stuck), and close both pipes."""
        self.process.kill()
        self.process.join(timeout=10)
        self._close_pipes()

    def close(self, timeout: float = 10.0) -> None:
        """Let it finish: close its work pipe (its sign to end), wait up to ``timeout``, then kill it
        if it is still there, so no helper outlives the crawl."""
        self.jobs.close()
        self.process.join(timeout=timeout)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=10)
        self._close_pipes()

    def _close_pipes(self) -> None:
        for pipe in (self.jobs, self.answers):
            with contextlib.suppress(OSError):
                pipe.close()


def wait_for_helpers() -> None:
    """Stop Python's resource tracker (the helper multiprocessing starts beside spawned processes)
    and wait for it. The parse worker and the writer are joined when the crawl closes them; the
    tracker ends only when its pipe closes, after this process has exited — racing a wrapper that
    starts the next run at once. Stopped here, the crawl's process leaves nothing running. Not while
    a helper still runs (it holds the tracker's pipe open too): that one is a bug of its own, and
    the test suite names any process left behind."""
    if multiprocessing.active_children():  # each holds the tracker's pipe open: stopping it would wait for ever
        return
    tracker = getattr(resource_tracker, "_resource_tracker", None)
    stop = getattr(tracker, "_stop", None)  # CPython's own, since 3.8
    if stop is not None:
        with contextlib.suppress(Exception):  # already stopped, or never started
            stop()
