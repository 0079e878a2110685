"""Bylines as newspapers and agencies write them, by class: a reporter title that names its outlet,
a marker before the byline, combined roles (文/图), photo credits (张三 摄), and the credit inside
an image caption. Each class with other names, one to four people, full- and half-width brackets
and colons; and prose that uses the same words, which must stay whole."""

from __future__ import annotations

import pytest

from crawler.parsing.byline import caption_credit, split_lead, split_tail
from tests.test_byline import fields, people

pytestmark = pytest.mark.unit

# (split, paragraph, what it names, what stays of the paragraph in the body)
OUTLET_TITLES = [
    (split_lead, "新华社记者 张三 李四", people(["张三", "李四"], source="新华社"), ""),
    (split_lead, "新华社记者 欧阳修远", people(["欧阳修远"], source="新华社"), ""),
    (split_lead, "经济日报记者 王敏 陈晨 赵磊", people(["王敏", "陈晨", "赵磊"], source="经济日报"), ""),
    (split_lead, "（人民网记者 周婷 通讯员 李四 王五）", people(["周婷"], ["李四", "王五"], source="人民网"), ""),
    (split_lead, "(中国电子报记者 孙立 通讯员 郑阳)", people(["孙立"], ["郑阳"], source="中国电子报"), ""),
    (split_lead, "本网讯（科技日报记者 刘洋）近日，实验室投用。", people(["刘洋"], source="科技日报"), "近日，实验室投用。"),
    (split_lead, "新华社北京3月5日电（新华社记者 韩梅 钱七 孙八 吴九）", people(["韩梅", "钱七", "孙八", "吴九"], source="新华社"),
     "新华社北京3月5日电"),
    (split_tail, "项目年内投产。（工人日报记者 冯卫）", people(["冯卫"], source="工人日报"), "项目年内投产。"),
    (split_lead, "本报记者 张三", people(["张三"]), ""),
    (split_lead, "央视网特约记者 阿卜杜·热合曼", people(["阿卜杜·热合曼"], source="央视网"), ""),
]
MARKERS = [
    (split_lead, "□ 本报记者 张三", people(["张三"]), ""),
    (split_lead, "◎本报记者 李四 王五", people(["李四", "王五"]), ""),
    (split_lead, "■ 记者 赵六", people(["赵六"]), ""),
    (split_lead, "● 新华社记者 陈晨 周婷", people(["陈晨", "周婷"], source="新华社"), ""),
    (split_lead, "▲ 文/图 本报记者 孙立", people(["孙立"], p=["孙立"]), ""),
    (split_tail, "□ 记者 张三 通讯员 李四", people(["张三"], ["李四"]), ""),
]
COMBINED = [
    (split_lead, "文/图 本报记者 张三", people(["张三"], p=["张三"]), ""),
    (split_lead, "图/文 记者 李四", people(["李四"], p=["李四"]), ""),
    (split_lead, "文图 王五", people(a=["王五"], p=["王五"]), ""),
    (split_lead, "图文：赵六", people(a=["赵六"], p=["赵六"]), ""),
    (split_lead, "图文:欧阳修远", people(a=["欧阳修远"], p=["欧阳修远"]), ""),
    (split_lead, "文／图 本报记者 陈晨 周婷", people(["陈晨", "周婷"], p=["陈晨", "周婷"]), ""),
    (split_tail, "（文/图 记者 韩梅）", people(["韩梅"], p=["韩梅"]), ""),
]
PHOTO_CREDITS = [
    (split_tail, "（记者 张三 摄）", people(["张三"], p=["张三"]), ""),
    (split_tail, "(记者 李四 王五 摄)", people(["李四", "王五"], p=["李四", "王五"]), ""),
    (split_tail, "张三 摄", people(p=["张三"]), ""),
    (split_tail, "欧阳修远 陈晨 摄", people(p=["欧阳修远", "陈晨"]), ""),
    (split_tail, "摄影：赵六", people(p=["赵六"]), ""),
    (split_tail, "摄影:钱七、孙八、吴九、郑十", people(p=["钱七", "孙八", "吴九", "郑十"]), ""),
    (split_tail, "新能源车销量再创新高。（记者 周婷 摄）", people(["周婷"], p=["周婷"]), "新能源车销量再创新高。"),
    (split_tail, "（本报记者 孙立摄）", people(["孙立"], p=["孙立"]), ""),
    (split_tail, "（通讯员 郑阳 摄）", people(c=["郑阳"], p=["郑阳"]), ""),
    (split_tail, "（张三 摄）", people(p=["张三"]), ""),
]
CAPTIONS = [
    ("图为储能电站施工现场。（记者 张伟 摄）", ["张伟"]),
    ("图为风电平台（本报记者 李四 王五 摄）", ["李四", "王五"]),
    ("图为工人在生产线上作业。(通讯员 欧阳修远 摄)", ["欧阳修远"]),
    ("磁浮列车试验线。陈晨 摄", ["陈晨"]),
    ("园区全景 记者 周婷 摄", ["周婷"]),
]
# Prose that uses a byline's words: nothing is taken from it, by either end of the body.
PROSE = [
    "摄影展吸引了大批市民前来参观。",
    "摄影爱好者在湿地公园拍摄候鸟。",
    "图为工人在生产线上作业。",
    "图为新建成的充电站，可同时为20辆车充电。",
    "文旅部门表示，假期接待游客同比增长两成。",
    "文图并茂的展板介绍了园区的发展历程。",
    "图文并茂地展示了企业的创新成果。",
    "本报记者近日走访了多家新能源企业。",
    "新华社记者从国家发展改革委获悉，一批项目将开工。",
    "经济日报记者在现场看到，多条生产线正满负荷运转。",
    "来源地为江苏的订单占比超过三成。",
    "□ 本报记者从会上获悉，今年将新增充电桩五万个。",
    "● 记者了解到，该项目总投资达50亿元。",
    "人民网记者调查发现，多数企业已完成数字化改造。",
    "记者摄下了这一幕：机器人正在装配电池。",
    "文/图展示的是园区的规划方案。",
    "（图为工人在检修设备）",
    "摄于2023年的照片记录了园区的变迁。",
]


def test_the_table_is_as_large_as_promised():
    assert len(OUTLET_TITLES + MARKERS + COMBINED + PHOTO_CREDITS) + len(CAPTIONS) >= 25 and len(PROSE) >= 15
    assert len(OUTLET_TITLES + MARKERS + COMBINED + PHOTO_CREDITS + CAPTIONS + PROSE) >= 40


@pytest.mark.parametrize(("split", "text", "named", "kept"), OUTLET_TITLES + MARKERS + COMBINED + PHOTO_CREDITS)
def test_a_byline_of_each_class(split, text, named, kept):
    found = split(text)
    assert found is not None, text
    assert fields(found.byline) == named
    assert found.kept == kept


def test_a_marker_is_kept_with_the_byline_as_written():
    assert split_lead("□ 本报记者 张三").written == "□ 本报记者 张三"


@pytest.mark.parametrize(("caption", "photographers"), CAPTIONS)
def test_a_caption_credits_its_photographers(caption, photographers):
    assert caption_credit(caption).photographers == photographers


@pytest.mark.parametrize("prose", PROSE)
def test_prose_with_a_bylines_words_stays_whole(prose):
    assert split_lead(prose) is None
    assert split_tail(prose) is None
    assert caption_credit(prose) is None
