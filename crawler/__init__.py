"""The Scrapy project, in one sub-package per layer; imports go down the list, never up:

- :mod:`crawler.ops`: the operations people run (the ``chinasei`` CLI, a crawl, a re-parse, page
  fixtures, the local copy of the site);
- :mod:`spiders` (beside this package): navigation from the home page to every article;
- :mod:`crawler.components`: Scrapy's pluggable parts (pipelines, middlewares, extensions, the
  duplicate filter and fingerprinter), the crawl's policies and bookkeeping;
- :mod:`crawler.runtime`: the helper processes beside a crawl (parse worker, archive writer) and the
  one-crawl lock;
- :mod:`archive` (beside this package): the SQLite archive, which owns the schema and every read and
  write;
- :mod:`crawler.parsing`: pure page parsing, (url, html) -> item, and the site's facts;
- :mod:`crawler.config`: every ``ARCHIVE_*`` setting, its default and its doc.

The contract in ``.importlinter`` holds them to it (``lint-imports``, run by ``.ci/run``).
"""
