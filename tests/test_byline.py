"""The byline grammar, one form per row: lead paragraphs, closing paragraphs, and prose that only
mentions a reporter (记者从会上获悉), from which nothing may be taken."""

from __future__ import annotations

import pytest

from crawler.parsing.byline import Byline, parse_meta_line, split_lead, split_tail

pytestmark = pytest.mark.unit


def people(r=(), c=(), p=(), a=(), source=None, editor=None, reviewer=None) -> dict:
    """The fields a byline fills, for one table row."""
    return {"reporters": list(r), "correspondents": list(c), "photographers": list(p), "authors": list(a),
            "source": source, "editor": editor, "reviewer": reviewer}


def fields(byline: Byline) -> dict:
    return {name: getattr(byline, name) for name in people()}


# (paragraph, what it names, what stays of the paragraph in the body)
LEADS = [
    ("中国战略新兴产业网(王敏图文报道、通讯员杨盛岚、赵冠壹)", people(["王敏"], ["杨盛岚", "赵冠壹"], ["王敏"]), ""),
    ("(记者 张三)", people(["张三"]), ""),
    ("（记者张三）", people(["张三"]), ""),
    ("中国战略新兴产业网讯 记者 李四 王五 报道", people(["李四", "王五"]), ""),
    ("中国战略新兴产业网讯 记者 李四 王五 报道 日前，试验线开始调试。", people(["李四", "王五"]), "日前，试验线开始调试。"),
    ("本网讯（记者 赵磊 摄影 吴昊）7月6日，大会开幕。", people(["赵磊"], p=["吴昊"]), "7月6日，大会开幕。"),
    ("（记者 陈晨 通讯员 周婷）", people(["陈晨"], ["周婷"]), ""),
    ("中国战略新兴产业网（周敏报道、通讯员郑晓）", people(["周敏"], ["郑晓"]), ""),
    ("本报记者 欧阳修远 摄影报道", people(["欧阳修远"], p=["欧阳修远"]), ""),
    ("记者 张三 李四", people(["张三", "李四"]), ""),
    ("来源:经济日报", people(source="经济日报"), ""),
    ("来源：中国战略新兴产业网", people(), ""),
    ("作者：刘洋", people(a=["刘洋"]), ""),
    ("文/孙立 图/郑阳", people(a=["孙立"], p=["郑阳"]), ""),
    ("来源：经济日报 作者：张三", people(a=["张三"], source="经济日报"), ""),
    # 本报讯 / 本网讯 / the portal's own 讯, bracketed or run on to 报道
    ("本报讯（记者 王敏 通讯员 杨盛岚）", people(["王敏"], ["杨盛岚"]), ""),
    ("本报讯(记者王敏 通讯员杨盛岚)11月24日，发布会在天津举行。", people(["王敏"], ["杨盛岚"]), "11月24日，发布会在天津举行。"),
    ("本网讯 记者王敏报道", people(["王敏"]), ""),
    ("本网讯\u3000记者\u3000王敏\u3000报道\u3000日前，项目开工。", people(["王敏"]), "日前，项目开工。"),
    ("中国战略新兴产业网讯（记者 张三）", people(["张三"]), ""),
    ("中国战略新兴产业网讯（记者 张三 李四 王五 赵六）12月1日，论坛开幕。", people(["张三", "李四", "王五", "赵六"]),
     "12月1日，论坛开幕。"),
    ("中国战略新兴产业网讯 ( 记者 周敏、郑晓 ) 近日，园区揭牌。", people(["周敏", "郑晓"]), "近日，园区揭牌。"),
    ("本网讯 记者 张三 通讯员 李四 报道", people(["张三"], ["李四"]), ""),
    ("本报讯 记者 欧阳修远 报道 今年以来，订单增长三成。", people(["欧阳修远"]), "今年以来，订单增长三成。"),
    ("中国战略新兴产业网（王敏图文报道）", people(["王敏"], p=["王敏"]), ""),
    ("【记者 张三】", people(["张三"]), ""),
    ("（本网记者 张三 实习记者 李四）", people(["张三", "李四"]), ""),
    # name/文, name/图 and 文/name, 图/name
    ("（记者 张三/文 李四/图）", people(["张三", "李四"], p=["李四"]), ""),
    ("（张三/文 李四/图）", people(a=["张三"], p=["李四"]), ""),
    ("文/张三 图/李四", people(a=["张三"], p=["李四"]), ""),
    ("文|张三", people(a=["张三"]), ""),
    ("文｜张三 图｜李四", people(a=["张三"], p=["李四"]), ""),
    ("文 / 张三\u3000图 / 李四、王五", people(a=["张三"], p=["李四", "王五"]), ""),
    # datelines stay in the body; the bracket after them is the byline
    ("新华社北京11月24日电（记者 张三、李四）", people(["张三", "李四"]), "新华社北京11月24日电"),
    ("新华社北京11月24日电（记者张三）11月24日，国务院新闻办公室举行发布会。", people(["张三"]),
     "新华社北京11月24日电 11月24日，国务院新闻办公室举行发布会。"),
    ("新华社上海12月3日电 (记者 王五 通讯员 赵六) 日前，临港新片区发布新政。", people(["王五"], ["赵六"]),
     "新华社上海12月3日电 日前，临港新片区发布新政。"),
    # roles on a line of their own
    ("记者 张三 摄影 李四", people(["张三"], p=["李四"]), ""),
    ("记者 张三 李四 王五 赵六", people(["张三", "李四", "王五", "赵六"]), ""),
    ("本报记者 张三 通讯员 李四 王五", people(["张三"], ["李四", "王五"]), ""),
    ("通讯员 李四 王五 赵六 钱七", people(c=["李四", "王五", "赵六", "钱七"]), ""),
    ("摄影：张三、李四", people(p=["张三", "李四"]), ""),
    ("作者：张三 李四", people(a=["张三", "李四"]), ""),
    ("记者：阿卜杜·热合曼", people(["阿卜杜·热合曼"]), ""),
]

# (closing paragraph, what it names, what stays of the paragraph in the body)
TAILS = [
    ("（记者 张三）", people(["张三"]), ""),
    ("(记者 张三 李四)", people(["张三", "李四"]), ""),
    ("（来源：经济日报）", people(source="经济日报"), ""),
    ("（文章来源：新华网）", people(source="新华网"), ""),
    ("（责任编辑：王五）", people(editor="王五"), ""),
    ("编辑：王五", people(editor="王五"), ""),
    ("审核：赵六", people(reviewer="赵六"), ""),
    ("（本文来源：人民日报，作者：李明）", people(a=["李明"], source="人民日报"), ""),
    ("责任编辑：张三 审核：李四", people(editor="张三", reviewer="李四"), ""),
    ("（编辑：张三\u3000审核：李四）", people(editor="张三", reviewer="李四"), ""),
    ("今年将再建设10座充电站。（记者 张三）", people(["张三"]), "今年将再建设10座充电站。"),
    ("产业链建设迈出关键一步。（来源：经济日报）", people(source="经济日报"), "产业链建设迈出关键一步。"),
    ("【责任编辑：韩梅】", people(editor="韩梅"), ""),
    ("责编：王五", people(editor="王五"), ""),
    ("（通讯员 李四 王五）", people(c=["李四", "王五"]), ""),
    ("文章来源：中国电子报", people(source="中国电子报"), ""),
    ("(来源: 经济日报)", people(source="经济日报"), ""),
    ("摄影：钱七", people(p=["钱七"]), ""),
    ("（记者 张三 通讯员 李四 摄影 王五）", people(["张三"], ["李四"], ["王五"]), ""),
    ("责任编辑：张三、李四", people(editor="张三、李四"), ""),
]

# Sentences that speak of reporters, sources or editors but are prose: nothing is taken from them.
PROSE = [
    "记者从会上获悉，今年全市新增高新技术企业300家。",
    "记者了解到，该项目总投资达50亿元，预计明年投产。",
    "据记者统计，今年以来全省共有12个重大项目开工建设。",
    "该公司负责人在接受记者采访时说，订单已经排到了明年。",
    "记者在现场看到，多条生产线正满负荷运转。",
    "本报记者日前从省工信厅获悉，一批重点项目将集中开工。",
    "据记者调查，多数企业已完成数字化改造。",
    "来源于企业的数据显示，今年以来订单增长明显。",
    "编辑部收到读者来信，反映小区充电桩数量不足。",
    "作者认为，新材料产业仍面临关键技术瓶颈。",
    "（记者手记）这是一次难忘的采访经历。",
    "图为工人在生产线上作业。",
    "责任编辑和记者共同完成了这篇报道。",
    "通讯员队伍建设是宣传工作的重要基础。",
    "摄影爱好者纷纷来到湿地公园拍摄候鸟。",
    "文章来源于网络，如有侵权请联系删除。",
    "新华社北京11月24日电 11月24日，国务院新闻办公室举行发布会。",
    "11月24日,北辰区在天津市政府新闻发布厅举行“携手奔小康”新闻发布会。",
    "（这是一段括号里的说明文字，并不是署名，长度也远远超过人名。）",
    "区委书记冯卫华介绍:2017年以来,北辰区坚决贯彻落实重要指示要求。",
    "来源：企业年报显示，营收同比增长20%。",
    "记者：“您怎么看待这一变化？”",
    "记者从多地生物医药产业园区了解到，今年以来园区新增创新药临床试验批件数量同比增长三成。",
    "今年以来，该市新能源汽车产量同比增长45%（数据来源：市统计局）",
    "审核通过后，项目将进入实施阶段。",
]


def test_the_table_is_as_large_as_promised():
    assert len(LEADS) + len(TAILS) >= 60
    assert len(PROSE) >= 15


@pytest.mark.parametrize(("split", "text", "named", "kept"),
                         [(split_lead, *row) for row in LEADS] + [(split_tail, *row) for row in TAILS])
def test_a_byline_paragraph(split, text, named, kept):
    found = split(text)
    assert found is not None
    assert fields(found.byline) == named
    assert found.kept == kept


@pytest.mark.parametrize(("text", "kept"), [
    ("新华社北京11月24日电（记者 张三、李四）", "（记者 张三、李四）"),
    ("本网讯（记者 赵磊 摄影 吴昊）7月6日，大会开幕。", "本网讯（记者 赵磊 摄影 吴昊）"),
    ("中国战略新兴产业网讯 记者 李四 王五 报道 日前，试验线开始调试。", "中国战略新兴产业网讯 记者 李四 王五 报道"),
])
def test_a_lead_is_kept_as_written(text, kept):
    assert split_lead(text).written == kept


def test_a_tail_is_kept_as_written():
    assert split_tail("今年将再建设10座充电站。（记者 张三）").written == "（记者 张三）"


@pytest.mark.parametrize("prose", PROSE)
def test_prose_is_not_a_byline(prose):
    assert split_lead(prose) is None
    assert split_tail(prose) is None


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
