"""Optional imports of our libraries that our processes never use, held back.

sqlite-utils imports pandas and numpy whenever they are installed, to convert their values on
insert. The archive never hands it any, yet on a machine that has them (an analyst's usually does)
every process that opens an archive would carry them: numpy alone is some 12 MiB per process, a
crawl has three, and it is imported before a single page is fetched. Our own processes (the
crawl, the ``chinasei`` commands, the writer) hold them back before sqlite-utils is first
imported; code that imports our modules into a process of its own (a notebook, Datasette) is left
as it is.
"""

from __future__ import annotations

import sys

#: Imported by sqlite-utils only if present, and never needed by the archive.
UNUSED = ("numpy", "pandas")


def hold_back_unused() -> None:
    """Make :data:`UNUSED` unimportable in this process, unless one is imported already (then
    something here uses it, and sqlite-utils may as well): ``import numpy`` raises ImportError,
    which sqlite-utils takes as numpy not installed."""
    if "sqlite_utils.db" in sys.modules:
        return  # too late to matter, and the process may rely on what it has
    for name in UNUSED:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
