"""Raw responses stored compressed: zlib with a preset dictionary made of the site's own pages.

A page of the portal is a few kilobytes of template (menu, scripts, footer) around its article;
compressed alone it keeps 40% of its size. zlib can start from a preset dictionary (up to 32 KiB):
given one listing and one article of the site, every later page compresses to a few percent. The
dictionary is kept in the archive (``compression_dicts``) and named by each response that used it,
so a response can always be read back, with Python (:func:`decompress`) or in SQL through the
``chinasei_raw`` / ``chinasei_html`` functions our Datasette plugin registers (the ``pages`` view).
"""

from __future__ import annotations

import zlib
from functools import lru_cache

WINDOW = 32 * 1024  # zlib's window: the most of a dictionary it can use
LEVEL = 9
#: zlib's default memory level, not its largest (9): a page of a few kilobytes compresses to the
#: same bytes either way (each page of the saved site does), and the smaller hash table is quicker
#: to set up and to fill, which a crawl does for every page it keeps.
MEM_LEVEL = 8


def make_dictionary(samples: list[bytes]) -> bytes:
    """A dictionary from sample pages; what comes last is matched most cheaply, so the newest last."""
    return b"".join(samples)[-WINDOW:]


def compress(body: bytes, dictionary: bytes | None) -> tuple[bytes, str]:
    """The stored form of a body and the name of the method: ``zlib`` or ``zlib-dict``."""
    if dictionary:
        packer = _primed(dictionary).copy()
        return packer.compress(body) + packer.flush(), "zlib-dict"
    return zlib.compress(body, LEVEL), "zlib"


@lru_cache(maxsize=4)
def _primed(dictionary: bytes) -> zlib._Compress:
    """A compressor that has read ``dictionary`` and nothing else, to copy for each body: reading a
    32 KiB dictionary costs zlib at level 9 about a fifth of compressing a page, and a copy of its
    state (a memory copy) gives the same output for less."""
    return zlib.compressobj(LEVEL, zlib.DEFLATED, 15, MEM_LEVEL, zlib.Z_DEFAULT_STRATEGY, dictionary)


def decompress(stored: bytes | None, method: str | None, dictionary: bytes | None = None) -> bytes:
    """A body as it was received, from its stored form (``method`` None: stored as received)."""
    if stored is None:
        return b""
    if method == "zlib-dict":
        unpacker = zlib.decompressobj(zdict=dictionary or b"")
        return unpacker.decompress(stored) + unpacker.flush()
    if method == "zlib":
        return zlib.decompress(stored)
    return stored
