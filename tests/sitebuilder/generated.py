"""Generated articles of realistic Chinese text, for copies of the site larger than the saved one
(the benchmarks' 20,000 and 100,000 articles, and the tests of long listings)."""

from __future__ import annotations

from tests.sitebuilder import corpus
from tests.sitebuilder.content import MENU, Spec, all_channels


def specs(count: int, folders: list[str] | None = None) -> list[Spec]:
    """``count`` generated articles, spread over ``folders`` or every channel with articles of its own."""
    groups = {group.folder for group, subs in MENU if subs}
    folders = folders or [c.folder for c in all_channels() if c.folder not in groups]
    out = []
    for n, article in enumerate(corpus.articles(count)):
        out.append(Spec(article.site_id, folders[n % len(folders)], article.title, article.published_at[:16].replace("T", " "),
                        article.published_at, [("p", p) for p in article.body.split("\n")],
                        lead=f"（记者 {article.reporters[0]}）", people={"reporters": article.reporters}))
    return out
