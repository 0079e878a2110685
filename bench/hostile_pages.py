"""Pages built to be slow, parsed beside an ordinary page of the same size, in one run.

    python bench/hostile_pages.py
    python bench/hostile_pages.py --scale 2      # each hostile page twice as large

A parser whose work grows faster than its input can be stalled by one page: a title of 20,000
dashes, a script of repeated ``createPageHTML(`` with no ``)``, thousands of breadcrumb lines in a
body. Each row times a hostile page and an ordinary page of about the same size (paragraphs of
news text), parsed by ``parse_article`` or ``parse_listing``, and prints the ratio; a linear parser
keeps it near or below 1 however large the pages get (run again with ``--scale 2``: a quadratic
one doubles its ratio).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.parsing.article import parse_article  # noqa: E402
from crawler.parsing.listing import parse_listing  # noqa: E402

ARTICLE = "http://www.chinasei.com.cn/lpz/202105/t20210525_41207.html"
LISTING = "http://www.chinasei.com.cn/lpz/index.html"
HEAD = "<html><head><title>{title}</title></head><body><div>您的位置:首页 &gt; 领跑者</div><div>标题</div><div>2021-05-25</div>"
BODY = HEAD + "<!--正文内容开始-->{body}<!--正文内容结束--></body></html>"


def hostile(scale: int) -> list[tuple[str, Callable[[str, str], object], str, str]]:
    """(name, parser, url, page) for each page built to be slow."""
    return [
        ("a title of 60,000 dashes", parse_article, ARTICLE,
         BODY.format(title="-" * 60_000 * scale, body="<p>正文。</p>")),
        ("30,000 createPageHTML( with no )", parse_listing, LISTING,
         "<html><body><script>" + "createPageHTML(" * 30_000 * scale + "</script></body></html>"),
        ("5,000 breadcrumb lines in a body", parse_article, ARTICLE,
         BODY.format(title="标题", body="<p>您的位置:首页 &gt; 领跑者</p>" * 5_000 * scale + "<p>正文。</p>")),
        ("100,000 spaces in a breadcrumb", parse_listing, LISTING,
         "<html><body><div>您的位置：" + " " * 100_000 * scale + "x</div></body></html>"),
        ("100,000 unclosed <embed> and <iframe>", parse_article, ARTICLE,
         BODY.format(title="标题", body="<embed><iframe>" * 50_000 * scale + "<p>正文。</p>")),
    ]


def ordinary(size: int) -> str:
    """An ordinary article page of about ``size`` bytes."""
    paragraph = "<p>储能产业发展提速，一批重点项目相继开工投产，带动上下游企业加快集聚发展。</p>"
    return BODY.format(title="标题", body=paragraph * max(1, size // len(paragraph.encode())))


def timed(parse: Callable[[str, str], object], url: str, page: str) -> float:
    started = time.perf_counter()
    parse(url, page)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args()
    print(f"{'page':<40} {'bytes':>10} {'hostile s':>10} {'ordinary s':>11} {'ratio':>7}")
    for name, parse, url, page in hostile(args.scale):
        size = len(page.encode())
        bad, fair = timed(parse, url, page), timed(parse_article, ARTICLE, ordinary(size))
        print(f"{name:<40} {size:>10,} {bad:>10.3f} {fair:>11.3f} {bad / fair:>7.2f}")


if __name__ == "__main__":
    main()
