"""What runs beside a crawl: the helper processes (the parse worker and the archive writer, both
:class:`~crawler.runtime.helper.HelperProcess`) and the lock that keeps one crawl per archive.
Nothing here imports Scrapy or Twisted: a helper starts with only what it uses."""
