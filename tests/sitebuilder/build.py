"""Write a copy of the portal to a folder, and the expected item of every article beside it.

    python -m tests.sitebuilder              # rewrites saved_site/ (the notes layout)
    python -m tests.sitebuilder OUT modern   # another layout, for the unseen-copy test

The expected items come from the truth in :mod:`tests.sitebuilder.content`, not from the parser.
"""

from __future__ import annotations

import json
import posixpath
import sys
from html import escape
from pathlib import Path

from tests.sitebuilder import render
from tests.sitebuilder.content import (
    BLOCK_CHANNELS,
    BROKEN_LINKS,
    LAYOUT_FILES,
    MEDIA_FILES,
    OFFSITE_LINKS,
    Channel,
    Spec,
    all_channels,
    articles,
    channel,
)

ROBOTS = "User-agent: *\nDisallow: /was5/\nDisallow: /search/\n"
REPO = Path(__file__).resolve().parents[2]
MEDIA_ASSETS = Path(__file__).resolve().parent / "media"


def listings(specs: list[Spec]) -> dict[str, list[Spec]]:
    """Which articles each listing shows, newest first: its own, its sub-channels', cross-listed."""
    shown: dict[str, list[Spec]] = {c.folder: [] for c in all_channels()}
    for spec in specs:
        folders = {spec.folder, *spec.also_in}
        parent = channel(spec.folder).parent
        if parent:
            folders.add(parent)
        for folder in folders:
            shown[folder].append(spec)
    for folder in shown:
        shown[folder].sort(key=lambda s: (s.published_at, s.site_id), reverse=True)
    return shown


def relative_link(from_folder: str, path: str) -> str:
    """A link as TRS writes it in a listing: relative to the listing's folder."""
    rel = posixpath.relpath(path, from_folder)
    return rel if rel.startswith("../") else "./" + rel


def build(out: Path, layout: str = "notes", expected: Path | None = None, extra: list[Spec] = ()) -> list[Spec]:
    """Write the site (and, if asked, the expected items) and return the articles it holds;
    ``extra`` articles are published on top, as the portal publishes new ones."""
    specs = articles() + list(extra)
    hot = sorted(specs, key=lambda s: s.published_at, reverse=True)[:3]
    _write(out / "robots.txt", ROBOTS)
    _write_media(out)
    for spec in specs:
        page = render.article_page(spec, layout, hot)
        _write(out / spec.path.lstrip("/"), page, "gbk" if spec.encoding == "gbk" else "utf-8")
        if expected is not None:
            target = expected / spec.path.lstrip("/").replace(".html", ".json")
            _write(target, json.dumps(expected_item(spec), ensure_ascii=False, indent=2) + "\n")
    for folder, shown in listings(specs).items():
        _write_listing(out, channel(folder), shown, layout, hot)
    blocks = [(ch, listings(specs)[ch.folder][:3]) for ch in [*BLOCK_CHANNELS, channel("/cyzx/"), channel("/swcy/swyy/")]]
    _write(out / "index.html", render.home_page(blocks, layout))
    _write(out / "zzdy" / "index.html", render.subscription_page(layout))
    return specs


def _write_listing(out: Path, ch: Channel, shown: list[Spec], layout: str, hot: list[Spec]) -> None:
    entries = [
        render.listing_entry(relative_link(ch.folder, s.path), s.title, s.listing_title, s.published_at[:10], layout)
        for s in shown
    ]
    extra = BROKEN_LINKS.get(ch.folder, []) + OFFSITE_LINKS.get(ch.folder, [])
    entries[1:1] = [render.listing_entry(href, title, None, date, layout) for href, title, date in extra]
    pages = [entries[i : i + ch.page_size] for i in range(0, len(entries), ch.page_size)] or [[]]
    for index, chunk in enumerate(pages):
        name = "index.html" if index == 0 else f"index_{index}.html"
        _write(out / ch.folder.lstrip("/") / name, render.listing_page(ch, chunk, index, len(pages), layout, hot))


def _write(path: Path, text: str, encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding, errors="xmlcharrefreplace"))


def expected_item(spec: Spec) -> dict:
    """The item a correct parser gives for ``spec``, whatever the layout."""
    ch = channel(spec.folder)
    folder_url = render.LIVE + spec.path.rsplit("/", 1)[0] + "/"
    lines, html_blocks, images, attachments = [], [], [], []
    for i, block in enumerate(spec.blocks):
        if block[0] == "p":
            # A byline leaves the text; it stays in the markup unless it is a paragraph of its own.
            shown, line = block[1], block[1]
            if i == 0 and spec.lead and spec.lead_inline:
                line = f"{spec.dateline} {line}" if spec.dateline else line
                gap = " " if spec.lead.endswith(("报道", ")")) else ""
                shown = f"{spec.dateline or ''}{spec.lead}{gap}{shown}"
            if i == len(spec.blocks) - 1 and spec.tail and spec.tail_inline:
                shown += spec.tail
            lines.append(line)
            html_blocks.append(f"<p>{escape(shown, quote=False)}</p>")
        elif block[0] == "img":
            _, name, caption, how = block
            images.append({"url": media_url(folder_url, name), "caption": caption})
            lines.append(caption)
            img = f'<img src="{media_url(folder_url, name)}">'
            if how == "inline":
                html_blocks.append(f"<p>{img}<br>{escape(caption, quote=False)}</p>")
            else:
                html_blocks += [f"<p>{img}</p>", f"<p>{escape(caption, quote=False)}</p>"]
        elif block[0] == "file":
            _, name, label, lead = block
            attachments.append({"url": media_url(folder_url, name), "name": label})
            lines.append(lead + label)
            html_blocks.append(f'<p>{escape(lead, quote=False)}<a href="{media_url(folder_url, name)}">{escape(label, quote=False)}</a></p>')
        elif block[0] == "table":
            lines += ["\t".join(row) for row in block[1]]
            rows = "".join("<tr>" + "".join(f"<td>{escape(c, quote=False)}</td>" for c in row) + "</tr>" for row in block[1])
            html_blocks.append(f"<table><tbody>{rows}</tbody></table>")
    path = [channel(ch.parent).name, ch.name] if ch.parent else [ch.name]
    return {
        "url": render.LIVE + spec.path,
        "site_id": spec.site_id,
        "title": spec.title,
        "published_at": spec.published_at,
        "reporters": spec.people.get("reporters", []),
        "correspondents": spec.people.get("correspondents", []),
        "photographers": spec.people.get("photographers", []),
        "authors": spec.people.get("authors", []),
        "source": spec.source,
        "editor": spec.editor,
        "reviewer": spec.reviewer,
        "category": ch.name,
        "category_path": path,
        "body": "\n".join(lines),
        "body_html": "\n".join(html_blocks),
        "images": images,
        "attachments": attachments,
        # as a reader sees it: white space made single, as in the body
        "byline": "\n".join(" ".join(b.split()) for b in (spec.lead, spec.tail) if b) or None,
        "problems": [],
    }


def media_url(folder_url: str, name: str) -> str:
    """The live-site URL of a medium a page names: beside the page, from the site's root, or off-site."""
    if name.startswith(("http://", "https://")):
        return name
    return render.LIVE + name if name.startswith("/") else folder_url + name


def _write_media(out: Path) -> None:
    """The site's image and attachment files, stylesheets and layout images, as the portal serves them."""
    for path, asset in {**MEDIA_FILES, **LAYOUT_FILES}.items():
        target = out / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((MEDIA_ASSETS / asset).read_bytes())


def main(argv: list[str]) -> None:
    """Rewrite ``saved_site/`` or write a copy in another layout to a given folder."""
    if argv:
        out, layout = Path(argv[0]), argv[1] if len(argv) > 1 else "notes"
        build(out / "www", layout, out / "expected")
        return
    build(REPO / "saved_site" / "www", "notes", REPO / "saved_site" / "expected")


if __name__ == "__main__":
    main(sys.argv[1:])
