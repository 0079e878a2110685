"""The ``chinasei`` console script: Ctrl-C while the command is still loading its modules is an
interrupted command too (exit 130, one line), not a traceback from whichever import it stopped."""

from __future__ import annotations

import sys

INTERRUPTED_EXIT = 130  # crawler.ops.outcome's, not imported: this module must load in no time


def main() -> None:
    try:
        from crawler.ops.cli import main as run
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted.\n")
        sys.exit(INTERRUPTED_EXIT)
    run()
