# Everything else is in pyproject.toml. This file exists because scrapyd-deploy writes its own
# setup.py when none is present (and leaves it behind); with this one it builds the egg from
# pyproject.toml. It also declares the one C module, here rather than in pyproject.toml, whose
# ext-modules table needs setuptools 74.1, newer than scrapyd-deploy finds on many machines.
from setuptools import Extension, setup

setup(
    # chinasei_rank(), search's ranking (archive/_rank.c). Optional: where it cannot be built (no C
    # compiler, no SQLite headers), the install goes on and search ranks with FTS5's bm25.
    ext_modules=[Extension("archive._rank", sources=["archive/_rank.c"], libraries=["sqlite3"], optional=True)],
)
