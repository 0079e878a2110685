"""Pure page parsing: (url, html) -> item, with no network, no database and no Scrapy.

Only the standard library, lxml and w3lib are imported here, so the parse worker, a re-parse and
the tests run these functions as they are. Every fact about the portal is in :mod:`.site`.
"""
