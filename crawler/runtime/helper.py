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
import os
import pickle
import signal
import subprocess
import sys
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from crawler.runtime import interrupts

PIPE_SIZE = 1024 * 1024
try:
    from fcntl import F_SETPIPE_SZ, fcntl
except ImportError:  # not Linux: pipes keep their size, and a send may wait a little more
    F_SETPIPE_SZ, fcntl = None, None

#: The folder the ``crawler`` package is in: a helper imports this very copy of the project.
PROJECT_ROOT = str(Path(__file__).resolve().parents[2])
#: What a helper's interpreter runs: make the project importable first (in place of the working
#: folder, which ``-c`` would put there), then :func:`crawler.runtime.bootstrap.main`.
BOOTSTRAP = "import sys; sys.path[0] = sys.argv[1]; from crawler.runtime.bootstrap import main; main(sys.argv[2:])"


def widen(fd: int) -> None:
    """Make a pipe hold ``PIPE_SIZE`` bytes where the system allows it."""
    if fcntl is not None:
        with contextlib.suppress(OSError):
            fcntl(fd, F_SETPIPE_SZ, PIPE_SIZE)


def start_helper(target: Callable[..., None], name: str, *args: Any) -> tuple[subprocess.Popen, Connection, Connection]:
    """Start ``target(to_helper, from_helper, *args)`` in a process of its own, with a widened pipe
    each way; returns the process, the end to send it work and the end its answers come from.

    A new interpreter, neither forked nor multiprocessing's spawn: the crawl runs a reactor and
    threads, which a fork would copy half-made, and spawn imports the parent's main script in the
    child (``scrapy``'s or ``chinasei``'s, and with it Scrapy and Twisted) and starts a resource
    tracker beside it. A helper here imports its own module and what that uses, nothing else
    (:mod:`crawler.runtime.bootstrap`); ``target``'s arguments come pickled as its first message.

    The helper ignores SIGINT: Ctrl-C reaches every process of the terminal's group, but a helper
    must outlive the crawl's own orderly stop, finishing what it was sent; it ends when the crawl
    closes its pipe or dies. Nor may a Ctrl-C that comes as it starts kill it half-started, or be
    lost to the crawl: the parent blocks SIGINT while it starts the helper (a Ctrl-C then reaches
    the crawl as soon as ``Popen`` returns), the helper starts with it blocked (the mask survives
    ``exec``), and ignores it before it unblocks it, which drops one that came meanwhile. SIGTERM
    still ends a helper, so a service manager should send SIGTERM to the crawl alone
    (``KillMode=mixed`` in ``deploy/systemd``).
    """
    work_read, work_write = os.pipe()
    answer_read, answer_write = os.pipe()
    widen(work_write)
    widen(answer_write)
    command = [sys.executable, "-c", BOOTSTRAP, PROJECT_ROOT, f"{target.__module__}:{target.__qualname__}", name,
               str(work_read), str(answer_write)]
    try:
        with interrupts.blocked(signal.SIGINT):  # the child ignores it, then unblocks it, a moment later
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, pass_fds=(work_read, answer_write))
    except BaseException:
        for fd in (work_read, work_write, answer_read, answer_write):
            os.close(fd)
        raise
    os.close(work_read)
    os.close(answer_write)
    send, receive = Connection(work_write, readable=False), Connection(answer_read, writable=False)
    send.send_bytes(pickle.dumps(args, protocol=pickle.HIGHEST_PROTOCOL))
    return process, send, receive


class HelperGone(RuntimeError):
    """The helper process cannot be reached: it exited, or its pipe is closed."""


class HelperProcess:
    """A helper beside the crawl (the parse worker, the archive writer): ``target(jobs, answers,
    *args)`` in a process of its own (see :func:`start_helper`), work sent down one pipe, answers read
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
        return f"it exited with code {self.process.poll()}"

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """End it now (it is stuck), and close both pipes."""
        self.process.kill()
        self._wait(10)
        self._close_pipes()

    def close(self, timeout: float = 10.0) -> None:
        """Let it finish: close its work pipe (its sign to end), wait up to ``timeout``, then kill it
        if it is still there, so no helper outlives the crawl."""
        self.jobs.close()
        if not self._wait(timeout):
            self.process.kill()
            self._wait(10)
        self._close_pipes()

    def _wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` for the process to end (and reap it); whether it did."""
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return True

    def _close_pipes(self) -> None:
        for pipe in (self.jobs, self.answers):
            with contextlib.suppress(OSError):
                pipe.close()
