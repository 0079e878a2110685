"""The operations on top: the ``chinasei`` command, a crawl run from Python, a re-parse from the
stored pages, page fixtures for the parser tests, and the bundled copy of the site on loopback."""
