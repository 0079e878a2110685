"""What went wrong with a download, in words a user can act on.

Twisted and Scrapy name failures by exception class (``ResponseDataLossError`` with no message,
``ResponseNeverReceived`` …); the archive's failure list and the run summary say what happened.
"""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.components.header_cap import HeaderBlockTooLarge

#: Exception class names (Twisted's and Scrapy's move between modules) and what they mean.
DESCRIPTIONS = {
    "TimeoutError": "no answer within the download timeout",
    "DownloadTimeoutError": "no answer within the download timeout",
    "ResponseDataLossError": "the response was cut short: the body ended before its Content-Length",
    "_DataLoss": "the response was cut short: the body ended before its Content-Length",
    "PotentialDataLoss": "the response was cut short: the body ended before its Content-Length",
    "ConnectionLost": "the connection was lost mid-response",
    "ConnectionDone": "the connection was closed mid-response",
    "ResponseNeverReceived": "the server closed the connection without answering",
    "ConnectionRefusedError": "the server refused the connection",
    "DNSLookupError": "the host name did not resolve",
    "TCPTimedOutError": "the connection timed out",
    "DownloadCancelledError": "the response was larger than DOWNLOAD_MAXSIZE, so it was not downloaded",
}


def _wrapped(error: BaseException) -> list[Failure]:
    """The failure a wrapping error stands for: Scrapy's DownloadFailedError is raised ``from`` it."""
    return [Failure(error.__cause__)] if error.__cause__ is not None else []


def describe(failure: Failure) -> str:
    """A readable reason for a failed request."""
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    if failure.check(HeaderBlockTooLarge):
        return str(failure.value)
    message = failure.getErrorMessage().strip()
    if failure.check(IgnoreRequest) and "max redirections" in message:
        return "too many redirects (a redirect loop?)"
    if failure.check(IgnoreRequest) and "offsite redirect" in message:
        return f"redirected off the site ({message.split('to ', 1)[-1]}), not followed"
    if failure.check(IgnoreRequest) and "offsite" in message:
        return f"off the site ({message.split('to ', 1)[-1]}), not fetched"
    if failure.check(IgnoreRequest) and "maxsize" in message.lower().replace("_", ""):
        return "the response was larger than DOWNLOAD_MAXSIZE"
    for cls in failure.type.__mro__:
        if cls.__name__ in DESCRIPTIONS:
            return DESCRIPTIONS[cls.__name__]
    nested = getattr(failure.value, "reasons", None) or _wrapped(failure.value)  # wrappers of the real failure
    if nested:
        return describe(nested[0])
    return f"{failure.type.__name__}: {message}" if message else failure.type.__name__
