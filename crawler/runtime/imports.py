"""Optional imports of our libraries that our processes never use, held back.

Two of our libraries import others whenever they are installed, whether used or not:

- sqlite-utils imports pandas and numpy, to convert their values on insert. The archive never hands
  it any, yet every process that opens an archive would carry them (numpy alone is some 12 MiB).
- itemadapter (Scrapy's, imported as Scrapy lists its commands) imports pydantic, to accept
  pydantic models as items; our items are dataclasses, and pydantic is some 6 MiB of the crawl.

An analyst's machine usually has all three. Our own processes (the crawl, the ``chinasei``
commands, the writer) hold them back before those libraries are first imported; code that imports
our modules into a process of its own (a notebook, Datasette) is left as it is.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType

#: Imported by our libraries only if present, and never needed by our processes.
UNUSED = ("numpy", "pandas", "pydantic")


class _HeldBack(MetaPathFinder):
    """Answers an import of a held-back module with an ImportError that says why, which the
    libraries take as the module not installed."""

    def __init__(self, names: frozenset[str]) -> None:
        self.names = names

    def find_spec(self, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None) -> ModuleSpec | None:
        if name.partition(".")[0] in self.names:
            raise ImportError(
                f"{name} is not loaded in chinasei's processes, which never use it (crawler.runtime.imports); "
                "a component of your own that needs it can import it first thing in your settings module", name=name)
        return None


def hold_back_unused() -> None:
    """Make :data:`UNUSED` unimportable in this process, except those imported already (then
    something here uses them, and our libraries may as well)."""
    names = frozenset(name for name in UNUSED if name not in sys.modules)
    if names and not any(isinstance(finder, _HeldBack) for finder in sys.meta_path):
        sys.meta_path.insert(0, _HeldBack(names))
