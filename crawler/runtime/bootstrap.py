"""What a helper process runs first (see :func:`crawler.runtime.helper.start_helper`).

A helper is a new interpreter started as ``python -c`` with this module's :func:`main`: it stops
listening to Ctrl-C (ignored, then unblocked), names itself, imports the module of its target and nothing of the crawl's, and
runs the target with its two pipes and the arguments sent pickled as its first message.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import pickle
import signal
from multiprocessing.connection import Connection

#: Linux's ``prctl`` option that sets the name ``ps``, ``top`` and ``/proc/<pid>/comm`` show.
PR_SET_NAME = 15


def main(argv: list[str]) -> None:
    """``argv``: the target (``module:function``), the helper's name, and the file descriptors of
    its work pipe (read) and its answer pipe (write)."""
    # SIGINT has been blocked since exec (see start_helper): ignored, which drops one that came meanwhile, then let in
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    target_name, name, work_fd, answer_fd = argv
    name_process(name)
    module_name, _, function_name = target_name.partition(":")
    target = getattr(importlib.import_module(module_name), function_name)
    jobs, answers = Connection(int(work_fd), writable=False), Connection(int(answer_fd), readable=False)
    try:
        args = pickle.loads(jobs.recv_bytes())
    except (EOFError, OSError):  # the crawl is gone before it sent anything
        return
    target(jobs, answers, *args)


def name_process(name: str) -> None:
    """Show the helper by its name (``parse-worker``, ``archive-writer``) in ``ps`` and ``top``
    instead of as one more ``python``; where the system has no ``prctl``, nothing changes."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(PR_SET_NAME, name.encode()[:15], 0, 0, 0)
