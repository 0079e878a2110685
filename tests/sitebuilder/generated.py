"""Generated articles of realistic Chinese text, for copies of the site larger than the saved one
(the benchmarks' 20,000 and 100,000 articles, and the tests of long listings), with photographs
when asked: a news portal's articles show them, and a crawl that keeps media spends on their bytes."""

from __future__ import annotations

import random
from pathlib import Path

from tests.sitebuilder import corpus
from tests.sitebuilder.content import MENU, Spec, all_channels


def specs(count: int, folders: list[str] | None = None, photographs: float = 0.0) -> list[Spec]:
    """``count`` generated articles, spread over ``folders`` or every channel with articles of its
    own; each shows ``photographs`` photographs on average (beside the page, with a caption)."""
    groups = {group.folder for group, subs in MENU if subs}
    folders = folders or [c.folder for c in all_channels() if c.folder not in groups]
    rng = random.Random(count)
    out = []
    for n, article in enumerate(corpus.articles(count)):
        blocks: list[tuple] = [("p", p) for p in article.body.split("\n")]
        shown = photograph_count(photographs, rng)
        day = article.published_at[:10].replace("-", "")
        for k in range(shown):
            name = f"W0{day}{article.site_id:09d}{k}.jpg"
            blocks.insert(1 + 2 * k, ("img", name, f"{article.title}（图{k + 1}）", "next"))
        out.append(Spec(article.site_id, folders[n % len(folders)], article.title, article.published_at[:16].replace("T", " "),
                        article.published_at, blocks, lead=f"（记者 {article.reporters[0]}）", people={"reporters": article.reporters}))
    return out


def photograph_count(average: float, rng: random.Random) -> int:
    """How many photographs one article shows, so that articles show ``average`` on average."""
    return int(average) + (rng.random() < average - int(average))


def photograph(kib: int, rng: random.Random) -> bytes:
    """A JPEG's frame around ``kib`` KiB of incompressible bytes: what a photograph is to zlib and
    to the archive, each one its own content."""
    return b"\xff\xd8\xff\xe0" + rng.randbytes(kib * 1024) + b"\xff\xd9"


def write_photographs(www: Path, generated: list[Spec], kib: int, seed: int = 5) -> tuple[int, int]:
    """Write the photographs the generated articles show, beside their pages; returns how many
    files and bytes. Sizes vary from half to one and a half times ``kib``."""
    rng = random.Random(seed)
    files = size = 0
    for spec in generated:
        for block in spec.blocks:
            if block[0] == "img" and "/" not in block[1]:
                data = photograph(rng.randint(kib // 2, kib + kib // 2), rng)
                (www / spec.path.lstrip("/")).with_name(block[1]).write_bytes(data)
                files, size = files + 1, size + len(data)
    return files, size
