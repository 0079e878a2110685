"""A helper target for the tests: it imports the modules it is told to, as a helper imports its
own, and answers with every module its process then holds (see test_workers.py)."""

from __future__ import annotations

import contextlib
import importlib
import sys
from multiprocessing.connection import Connection


def report_modules(jobs: Connection, answers: Connection, *modules: str) -> None:
    for module in modules:
        importlib.import_module(module)
    answers.send(sorted(sys.modules))
    with contextlib.suppress(EOFError):  # the test closes the pipe once it has read
        jobs.recv_bytes()
