"""The article parser's rule chains, each on a small page made for it."""

from __future__ import annotations

import pytest

from crawler.parsing.article import parse_article

pytestmark = pytest.mark.unit

URL = "http://www.chinasei.com.cn/lpz/202105/t20210525_41207.html"
PARAS = "".join(f"<p>第{i}段：储能产业发展提速，一批重点项目相继开工投产，带动上下游企业加快集聚发展。</p>" for i in range(4))


def page(body: str, head: str = "<title>标题_中国战略新兴产业网</title>") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def test_the_notes_layout():
    html = page(
        '<div class="crumb">您的位置:<a>首页</a>&nbsp;&gt;&nbsp;<a>领跑者</a></div><div class="title">标题</div>'
        "<div>2021-05-25 10:00</div><div>字体: [ ]</div><!--正文内容开始--><div class='TRS_Editor'>"
        f"<p>　　(记者 张三)</p>{PARAS}<p>（责任编辑：赵六）</p></div><!--正文内容结束-->"
    )
    article = parse_article(URL, html)
    assert (article.title, article.published_at, article.category) == ("标题", "2021-05-25T10:00:00+08:00", "领跑者")
    assert (article.reporters, article.editor) == (["张三"], "赵六")
    assert article.body.startswith("第0段") and article.body.endswith("加快集聚发展。")
    assert article.fallbacks == []


def test_without_any_site_marker_generic_rules_take_over_and_say_so():
    html = page(
        f'<h1>储能产业发展提速</h1><p class="meta">2021-05-25 10:00</p><div class="text">{PARAS}</div>'
        '<div class="foot"><p>Copyright 中国战略新兴产业网 京ICP备09051002号-3</p></div>',
        head='<title>储能产业发展提速 - 中国战略新兴产业网</title><meta name="ColumnName" content="领跑者">',
    )
    article = parse_article(URL, html)
    assert article.title == "储能产业发展提速"
    assert article.published_at == "2021-05-25T10:00:00+08:00"
    assert article.category == "领跑者"
    assert article.body.count("\n") == 3 and "Copyright" not in article.body
    assert article.fallbacks == ["body", "category", "title"]


def test_an_impossible_date_is_reported_and_the_url_date_used():
    html = page(
        '<div>您的位置:首页 &gt; 领跑者</div><div>标题</div><div>2021-02-30 10:00</div>'
        f"<!--正文内容开始--><div>{PARAS}</div><!--正文内容结束-->"
    )
    article = parse_article(URL, html)
    assert article.published_at == "2021-05-25T00:00:00+08:00"
    assert article.extraction["published_at"] == "generic:url"
    assert "impossible date '2021-02-30 10:00'" in article.problems


def test_a_page_with_no_title_says_so():
    article = parse_article(URL, "<html><body><p>2021-05-25</p></body></html>")
    assert article.title is None
    assert "no title found" in article.problems


def test_an_empty_page():
    article = parse_article(URL, "")
    assert article.title is None and article.body == ""
    assert "no body found" in article.problems


def test_an_image_only_body():
    html = page(
        "<div>您的位置:首页 &gt; 领跑者</div><div>图说新闻</div><div>2021-05-25</div>"
        '<!--正文内容开始--><div class="TRS_Editor"><p><img src="./W0201.jpg" alt="风电平台"></p></div><!--正文内容结束-->'
    )
    article = parse_article(URL, html)
    assert article.body == ""
    assert [(i.url, i.caption) for i in article.images] == [
        ("http://www.chinasei.com.cn/lpz/202105/W0201.jpg", "风电平台")]
    assert "empty body" not in article.problems


def test_a_lead_byline_inside_a_paragraph_leaves_the_text_but_not_the_markup():
    """The byline leaves ``body``; ``body_html`` keeps the paragraph as published, since the byline
    is not a paragraph of its own."""
    html = page(
        "<div>您的位置:首页 &gt; 领跑者</div><div>标题</div><div>2021-05-25</div><!--正文内容开始-->"
        "<p><span>　　本网讯（记者 张三）</span>5月25日，钠离子电池发布。</p><p>第二段。</p><!--正文内容结束-->"
    )
    article = parse_article(URL, html)
    assert article.reporters == ["张三"]
    assert article.byline == "本网讯（记者 张三）"
    assert article.body == "5月25日，钠离子电池发布。\n第二段。"
    assert article.body_html == "<p>本网讯（记者 张三）5月25日，钠离子电池发布。</p>\n<p>第二段。</p>"
    assert article.extraction["byline"] == "site:lead"


def test_bylines_of_their_own_leave_text_and_markup_and_say_where_they_came_from():
    html = page(
        "<div>您的位置:首页 &gt; 领跑者</div><div>标题</div><div>2021-05-25</div><div>来源：经济日报</div>"
        "<!--正文内容开始--><p>文|张三</p><p>第一段。</p><p>第二段。</p><p>（编辑：王五　审核：赵六）</p><!--正文内容结束-->"
    )
    article = parse_article(URL, html)
    assert (article.authors, article.source, article.editor, article.reviewer) == (["张三"], "经济日报", "王五", "赵六")
    assert article.byline == "文|张三\n（编辑：王五 审核：赵六）"
    assert article.body == "第一段。\n第二段。"
    assert article.body_html == "<p>第一段。</p>\n<p>第二段。</p>"
    assert article.extraction["byline"] == "site:header+lead+tail"
    assert article.fallbacks == []


def test_a_byline_closing_the_last_sentence_leaves_the_text_only():
    html = page(
        "<div>您的位置:首页 &gt; 领跑者</div><div>标题</div><div>2021-05-25</div><!--正文内容开始-->"
        "<p>第一段。</p><p>据记者统计，今年共有12个项目开工。（记者 周敏 通讯员 郑晓）</p><!--正文内容结束-->"
    )
    article = parse_article(URL, html)
    assert (article.reporters, article.correspondents) == (["周敏"], ["郑晓"])
    assert article.body == "第一段。\n据记者统计，今年共有12个项目开工。"
    assert article.body_html.endswith("<p>据记者统计，今年共有12个项目开工。（记者 周敏 通讯员 郑晓）</p>")
    assert article.extraction["byline"] == "site:tail"


def test_prose_about_reporters_stays_whole():
    text = ["记者从会上获悉，今年新增企业300家。", "该公司负责人在接受记者采访时说，订单已排到明年。", "记者了解到，项目明年投产。"]
    html = page(
        "<div>您的位置:首页 &gt; 领跑者</div><div>标题</div><div>2021-05-25</div><!--正文内容开始-->"
        + "".join(f"<p>{t}</p>" for t in text) + "<!--正文内容结束-->"
    )
    article = parse_article(URL, html)
    assert article.body == "\n".join(text)
    assert (article.reporters, article.byline) == ([], None)
    assert "byline" not in article.extraction


def test_hostile_markup_is_sanitised():
    html = page(
        "<div>您的位置:首页 &gt; 领跑者</div><div>标题</div><div>2021-05-25</div><!--正文内容开始-->"
        '<p onclick="steal()">正文<script>alert(1)</script><a href="javascript:alert(2)">链接</a>'
        '<a href="./other.html" onmouseover="x()">相关</a></p><style>p{}</style><iframe src="http://evil"></iframe>'
        '<p><img src="x.jpg" onerror="alert(3)"><img src="javascript:alert(4)"></p><!--正文内容结束-->'
    )
    article = parse_article(URL, html)
    for bad in ("script", "onclick", "onerror", "onmouseover", "javascript:", "iframe", "style", "alert"):
        assert bad not in article.body_html
    assert '<a href="http://www.chinasei.com.cn/lpz/202105/other.html">相关</a>' in article.body_html
    assert '<img src="http://www.chinasei.com.cn/lpz/202105/x.jpg">' in article.body_html
    assert article.body == "正文链接相关"


def test_title_line_and_date_inside_the_body_region_are_not_body():
    html = page(
        "<div>您的位置:首页 &gt; 领跑者</div><!--正文内容开始--><div>标题</div><div>2021-05-25 10:00</div>"
        "<div>字体: [ 大 中 小 ]</div><p>正文第一段。</p><!--正文内容结束-->",
        head="<title>标题_中国战略新兴产业网</title>",
    )
    article = parse_article(URL, html)
    assert article.title == "标题"
    assert article.published_at == "2021-05-25T10:00:00+08:00"
    assert article.body == "正文第一段。"
