"""Many articles of realistic Chinese news text, generated deterministically, for scale tests and
benchmarks.

Sentences are cut from real text (the seed article and the saved site's hand-written articles)
and recombined with other places, industries, figures, dates and the Latin terms such articles
carry (5G, AI芯片, GDP, MW), so that term frequencies look like news, not noise.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

from crawler.items import Article
from tests.sitebuilder.content import CLOSINGS, CORE, MIDDLES, NAMES, OPENINGS, PLACES, TOPICS
from tests.sitebuilder.seed import SEED_PARAGRAPHS

CATEGORIES = list(TOPICS)
LATIN = ["5G", "AI芯片", "GDP", "MW", "IPO", "OLED", "LNG", "CPU", "6G", "AIGC", "PPP", "R&D"]
VERBS = ["加快推进", "持续完善", "稳步提升", "全面启动", "取得突破", "深入实施", "显著增强", "有序推进"]


def _sentences() -> list[str]:
    text = "".join(SEED_PARAGRAPHS) + "".join(b[1] for s in CORE for b in s.blocks if b[0] == "p")
    return [s for s in re.split(r"(?<=[。！？])", text) if len(s) > 8]


SENTENCES = _sentences()


def _sentence(rng: random.Random, place: str, topic: str) -> str:
    kind = rng.random()
    if kind < 0.45:
        return rng.choice(SENTENCES)
    fill = {"place": place, "topic": topic, "n": rng.randint(3, 900), "pct": rng.randint(2, 60)}
    template = rng.choice(OPENINGS + MIDDLES + CLOSINGS)
    sentence = template.format(**fill)
    if kind > 0.8:
        sentence = sentence.rstrip("。") + f"，{rng.choice(LATIN)}相关业务{rng.choice(VERBS)}。"
    return sentence


def article(site_id: int, rng: random.Random) -> Article:
    """One generated article with every field an archive row has."""
    category = rng.choice(CATEGORIES)
    topic, place = rng.choice(TOPICS[category]), rng.choice(PLACES)
    paragraphs = [
        "".join(_sentence(rng, place, topic) for _ in range(rng.randint(2, 4))) for _ in range(rng.randint(3, 7))
    ]
    year, month, day = rng.randint(2012, 2026), rng.randint(1, 12), rng.randint(1, 28)
    published = f"{year}-{month:02d}-{day:02d}T{rng.randint(7, 21):02d}:{rng.randint(0, 59):02d}:00+08:00"
    day_path = f"{year}{month:02d}{day:02d}"
    title = f"{place}{topic}{rng.choice(VERBS)} {rng.choice(['一批重点项目落地', '产业规模再上新台阶', '创新成果加快转化', '带动区域经济高质量发展'])}"
    body_html = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return Article(
        url=f"http://www.chinasei.com.cn/gen/{day_path[:6]}/t{day_path}_{site_id}.html", site_id=site_id,
        title=title, published_at=published, reporters=[rng.choice(NAMES)], category=category,
        category_path=[category], body="\n".join(paragraphs), body_html=body_html,
        extraction={"title": "site:after-breadcrumb"}, fetched_at="2026-11-29T00:00:00+00:00",
    )


def articles(count: int, seed: int = 2020) -> Iterator[Article]:
    """``count`` articles, the same ones for the same seed."""
    rng = random.Random(seed)
    for n in range(count):
        yield article(100000 + n, rng)
