"""A Scrapy add-on that keeps Scrapy's components that this crawl turns off from being imported.

A component turned off by its setting is still imported: to merge a project's ``EXTENSIONS`` (or
``DOWNLOADER_MIDDLEWARES``) with Scrapy's base dict, ``BaseSettings.getwithbase`` loads every key
of both as a class, and a component only says it is off (``NotConfigured``) once it is built. Setting
it to None in the project's dict does not help, for the same reason. Some of those imports are
heavy: the remote control brings aiohttp's web server, the cookies middleware tldextract with
requests and urllib3, and a crawl would carry them to the end for nothing.

An add-on's ``update_settings`` runs once every setting is known, the command line's included, and
before any component is loaded: a component whose setting is off is taken out of the base dict
there, so it is never imported. Turn the setting on (``-s COOKIES_ENABLED=True``) and it is loaded
as Scrapy would.
"""

from __future__ import annotations

import logging

from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

#: (the base dict, a component in it, the setting that turns it on), for each component worth keeping out.
OFF_UNLESS_ENABLED = (
    ("EXTENSIONS_BASE", "scrapy.extensions.remote_control.RemoteControl", "REMOTE_CONTROL_ENABLED"),
    ("EXTENSIONS_BASE", "scrapy.extensions.telnet.TelnetConsole", "TELNETCONSOLE_ENABLED"),
    ("DOWNLOADER_MIDDLEWARES_BASE", "scrapy.downloadermiddlewares.cookies.CookiesMiddleware", "COOKIES_ENABLED"),
)


class UnusedComponents:
    """Take the components that their settings turn off out of Scrapy's base dicts."""

    def update_settings(self, settings: BaseSettings) -> None:
        for base, component, enabled_by in OFF_UNLESS_ENABLED:
            if settings.getbool(enabled_by):
                continue
            components = settings.getdict(base)
            if components.pop(component, None) is None:
                logger.debug("%s is not in %s: nothing to keep out", component, base)
                continue
            settings.set(base, components, priority="addon")
