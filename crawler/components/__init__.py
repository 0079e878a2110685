"""Scrapy components: the pipelines, middlewares, extensions, fingerprinter and duplicate filter
that ``crawler.settings`` plugs into Scrapy, and the policies they apply (incremental crawls, channel
walks, run health, progress)."""
