"""Scrapy commands of the project (``COMMANDS_MODULE``): ``scrapy crawl`` that exits as ``chinasei crawl`` does."""
