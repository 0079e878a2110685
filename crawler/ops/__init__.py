"""The operations on top: the ``chinasei`` command, a crawl run from Python, a re-parse from the
stored pages, page fixtures for the parser tests, and the bundled copy of the site on loopback.

Importing this package holds back what our libraries would import and no operation uses
(:mod:`crawler.runtime.imports`): every process that runs one of them starts here."""

from crawler.runtime.imports import hold_back_unused

hold_back_unused()  # before any operation imports sqlite-utils or Scrapy (see crawler.runtime.imports)
