"""Text from the web made safe to print: a page's title or link may carry escape sequences that
retitle or clear the reader's terminal (``\\x1b]0;…\\x07``, ``\\x1b[2J``). Every command that prints
archived text, and the crawl's log, writes control characters out as ``\\x1b``."""

from __future__ import annotations

import re

#: Control characters but tab and newline (C0, DEL and C1).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with each control character written out as ``\\xNN``."""
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
