"""Writing the archive out: articles as JSON Lines or CSV, raw responses as WARC.

WARC (ISO 28500) is the web-archiving standard: warcio writes and reads it, pywb and other replay
tools serve it. Every stored response becomes a ``response`` record with its original status line
and headers (less the transfer encodings Scrapy already undid), under the article's canonical URL.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from http import HTTPStatus
from io import BytesIO
from typing import IO, Any

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


def export_csv(archive: Archive, out: IO[str]) -> int:
    """One CSV row per article, list fields as JSON; returns how many."""
    writer = None
    count = 0
    for row in _article_rows(archive):
        flat = {k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v for k, v in row.items()}
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(flat))
            writer.writeheader()
        writer.writerow(flat)
        count += 1
    return count


def _warc_date(iso: str) -> str:
    return iso.replace("+00:00", "Z")


def export_warc(archive: Archive, out: IO[bytes], filename: str = "chinasei.warc.gz") -> int:
    """One WARC response record per stored response, gzipped per record; returns how many."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    writer = WARCWriter(out, gzip=True)
    writer.write_record(writer.create_warcinfo_record(filename, {"software": "chinasei", "format": "WARC File Format 1.1"}))
    count = 0
    for row in archive.responses():
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
            warc_headers_dict={"WARC-Date": _warc_date(row["first_fetched_at"]), "WARC-Source-URI": row["fetched_url"]},
        )
        writer.write_record(record)
        count += 1
    return count
