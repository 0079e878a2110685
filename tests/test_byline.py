"""The byline grammar, one form per row."""

from __future__ import annotations

import pytest

from crawler.byline import parse_meta_line, split_lead

LEADS = [
    # (paragraph, reporters, correspondents, photographers, authors, source, rest)
    ("中国战略新兴产业网(王敏图文报道、通讯员杨盛岚、赵冠壹)", ["王敏"], ["杨盛岚", "赵冠壹"], ["王敏"], [], None, ""),
    ("(记者 张三)", ["张三"], [], [], [], None, ""),
    ("（记者张三）", ["张三"], [], [], [], None, ""),
    ("中国战略新兴产业网讯 记者 李四 王五 报道", ["李四", "王五"], [], [], [], None, ""),
    ("中国战略新兴产业网讯 记者 李四 王五 报道 日前，试验线开始调试。", ["李四", "王五"], [], [], [], None, "日前，试验线开始调试。"),
    ("本网讯（记者 赵磊 摄影 吴昊）7月6日，大会开幕。", ["赵磊"], [], ["吴昊"], [], None, "7月6日，大会开幕。"),
    ("（记者 陈晨 通讯员 周婷）", ["陈晨"], ["周婷"], [], [], None, ""),
    ("中国战略新兴产业网（周敏报道、通讯员郑晓）", ["周敏"], ["郑晓"], [], [], None, ""),
    ("本报记者 欧阳修远 摄影报道", ["欧阳修远"], [], ["欧阳修远"], [], None, ""),
    ("记者 张三 李四", ["张三", "李四"], [], [], [], None, ""),
    ("来源:经济日报", [], [], [], [], "经济日报", ""),
    ("来源：中国战略新兴产业网", [], [], [], [], None, ""),
    ("作者：刘洋", [], [], [], ["刘洋"], None, ""),
    ("文/孙立 图/郑阳", [], [], ["郑阳"], ["孙立"], None, ""),
    ("来源：经济日报 作者：张三", [], [], [], ["张三"], "经济日报", ""),
]


@pytest.mark.parametrize(("text", "reporters", "correspondents", "photographers", "authors", "source", "rest"), LEADS)
def test_lead(text, reporters, correspondents, photographers, authors, source, rest):
    byline, remainder = split_lead(text)
    assert byline is not None
    assert (byline.reporters, byline.correspondents, byline.photographers, byline.authors, byline.source) == (
        reporters, correspondents, photographers, authors, source)
    assert remainder == rest


@pytest.mark.parametrize("prose", [
    "11月24日,北辰区在天津市政府新闻发布厅举行“携手奔小康”新闻发布会。",
    "（这是一段括号里的说明文字，并不是署名，长度也远远超过人名。）",
    "记者从多地生物医药产业园区了解到，今年以来园区新增创新药临床试验批件数量同比增长三成。",
    "区委书记冯卫华介绍:2017年以来,北辰区坚决贯彻落实重要指示要求。",
])
def test_prose_is_not_a_byline(prose):
    assert split_lead(prose) == (None, prose)


@pytest.mark.parametrize(("line", "editor", "photographers"), [
    ("责任编辑:赵六", "赵六", []),
    ("（责任编辑：孙八）", "孙八", []),
    ("【编辑：韩梅】", "韩梅", []),
    ("摄影：钱七", None, ["钱七"]),
    ("图：钱七", None, ["钱七"]),
])
def test_end_lines(line, editor, photographers):
    byline = parse_meta_line(line)
    assert byline is not None
    assert byline.editor == editor
    assert byline.photographers == photographers


def test_a_sentence_with_a_colon_is_not_metadata():
    assert parse_meta_line("来源于企业的数据显示，今年以来订单增长明显：同比增长三成以上，其中出口订单增长最快。") is None
