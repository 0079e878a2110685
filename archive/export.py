"""Writing the archive out: articles as JSON Lines or CSV, raw responses as WARC.

WARC (ISO 28500) is the web-archiving standard: warcio writes and reads it, pywb and other replay
tools serve it. Every stored response — page, image or attachment — becomes a ``response`` record
with its original status line and headers (less the transfer encodings Scrapy already undid), under
its canonical URL, beside a ``request`` record of the request that asked for it
(``WARC-Concurrent-To``), all WARC/1.1. A 304 that answered a re-check is a ``revisit`` record of
the ``server-not-modified`` profile, referring to the capture it confirmed (the last 200 of that
URL before it): its block holds no HTTP headers, so a replay tool such as pywb serves the content
it confirmed instead of an empty 304 (the 304's own headers stay in the archive's ``responses``). The headers are those Scrapy parsed, in the order received:
its downloader does not keep a header block's bytes as they came over the wire.

CSV starts with a UTF-8 byte-order mark: spreadsheet programs take a CSV without one for the
system's legacy encoding and show Chinese text as mojibake. (Python reads it with ``utf-8-sig``.)
"""

from __future__ import annotations

import base64
import csv
import hashlib
import json
from collections.abc import Iterable
from http import HTTPStatus
from io import BytesIO
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

from archive.store import Archive, decode_row

#: Header fields that describe how the body travelled, not the body as stored (already decoded).
TRANSFER_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


def _article_rows(archive: Archive) -> Iterable[dict[str, Any]]:
    for row in archive.db["articles"].rows_where(order_by="site_id"):
        yield decode_row(row)


def export_jsonl(archive: Archive, out: IO[str]) -> int:
    """One JSON object per article; returns how many."""
    count = 0
    for row in _article_rows(archive):
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


#: What a spreadsheet reads as a formula at the start of a cell (OWASP's list): such a cell is
#: written with a leading ``'``, so an archived title such as ``=HYPERLINK(…)`` stays text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: lists and dicts as JSON, text that a spreadsheet would run made inert."""
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def export_csv(archive: Archive, out: IO[str]) -> int:
    """One CSV row per article after a byte-order mark and a header row (an empty archive too);
    returns how many."""
    out.write("\ufeff")
    columns = [d[0] for d in archive.db.execute("SELECT * FROM articles LIMIT 0").description]
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    count = 0
    for row in _article_rows(archive):
        writer.writerow({k: csv_cell(v) for k, v in row.items()})
        count += 1
    return count


#: The WARC/1.1 revisit profile of a 304 to a conditional request.
SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"


def _payload_digest(body: bytes) -> str:
    """A payload's digest as warcio writes ``WARC-Payload-Digest``: SHA-1, base 32."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode()


def _warc_date(iso: str) -> str:
    return iso.replace("+00:00", "Z")


def _request_record(writer: Any, row: dict[str, Any]) -> Any:
    """The request behind a stored response, as sent; a plain GET where an older archive kept none."""
    from warcio.statusandheaders import StatusAndHeaders

    parts = urlsplit(row["url"])
    sent = json.loads(row.get("request_headers") or "{}")
    headers = [("Host", parts.netloc)] + [(name, value) for name, values in sent.items() for value in values
                                          if name.lower() != "host"]
    target = urlunsplit(("", "", parts.path or "/", parts.query, ""))
    http_headers = StatusAndHeaders(f"{row.get('request_method') or 'GET'} {target} HTTP/1.1", headers, is_http_request=True)
    return writer.create_warc_record(row["url"], "request", http_headers=http_headers,
                                     warc_headers_dict={"WARC-Date": _warc_date(row["first_fetched_at"])})


def export_warc(archive: Archive, out: IO[bytes], filename: str = "chinasei.warc.gz") -> int:
    """A WARC/1.1 response record per stored response, each with its request record, gzipped per
    record; returns how many responses."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    writer.write_record(writer.create_warcinfo_record(filename, {"software": "chinasei", "format": "WARC File Format 1.1"}))
    count = 0
    captured: dict[str, tuple[str, str]] = {}  # URL → (WARC-Date, payload digest) of its last 200 so far
    for row in archive.responses():
        date = _warc_date(row["first_fetched_at"])
        if row["status"] == 200:
            captured[row["url"]] = (date, _payload_digest(row["body"]))
        elif row["status"] == 304 and row["url"] in captured:
            confirmed_date, digest = captured[row["url"]]
            revisit = writer.create_revisit_record(row["url"], digest, row["url"], confirmed_date,
                                                   warc_headers_dict={"WARC-Date": date})
            revisit.rec_headers.replace_header("WARC-Profile", SERVER_NOT_MODIFIED)
            writer.write_request_response_pair(_request_record(writer, row), revisit)
            count += 1
            continue
        headers = [(name, value) for name, values in json.loads(row["headers"]).items()
                   for value in values if name.lower() not in TRANSFER_HEADERS]
        headers.append(("Content-Length", str(len(row["body"]))))
        try:
            reason = HTTPStatus(row["status"]).phrase
        except ValueError:
            reason = "Unknown"
        http_headers = StatusAndHeaders(f"{row['status']} {reason}", headers, protocol="HTTP/1.1")
        record = writer.create_warc_record(
            row["url"], "response", payload=BytesIO(row["body"]), http_headers=http_headers,
            warc_headers_dict={"WARC-Date": date, "WARC-Source-URI": row["fetched_url"]},
        )
        writer.write_request_response_pair(_request_record(writer, row), record)
        count += 1
    return count
