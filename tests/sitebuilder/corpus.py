"""Many articles of realistic Chinese news text, generated deterministically, for scale tests and
benchmarks.

A third of the sentences are real ones (the seed article and the saved site's hand-written
articles); the rest come from a small grammar of news sentences — who (a place, a department, one of
thousands of company names), did what, to which industry or product, with what figures and when —
so that common words are common and longer phrases are rare, as in news. Site ids grow with the
publication date, as the portal's document ids do.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

from crawler.parsing.items import Article
from tests.sitebuilder.content import CORE, NAMES, PLACES, TOPICS
from tests.sitebuilder.seed import SEED_PARAGRAPHS

CATEGORIES = list(TOPICS)
MORE_PLACES = PLACES + ["北京", "上海", "天津", "重庆", "河北石家庄", "山西太原", "辽宁沈阳", "吉林长春", "黑龙江哈尔滨",
                        "江西南昌", "河南郑州", "广西南宁", "海南海口", "贵州贵阳", "云南昆明", "甘肃兰州", "青海西宁",
                        "宁夏银川", "新疆乌鲁木齐", "内蒙古呼和浩特", "江苏无锡", "浙江宁波", "广东东莞", "山东烟台"]
DEPARTMENTS = ["市政府", "发展改革委", "工业和信息化局", "科技局", "生态环境局", "商务局", "统计局", "高新区管委会", "经开区", "行业协会"]
SYLLABLES = "华中新创科瑞金泰宏达联合信远恒安德盛天海东方博源智光晨凯鼎力通嘉睿航"
SUFFIXES = ["科技", "集团", "股份", "新材", "智能", "生物", "能源", "电子", "装备", "医药"]
PRODUCTS = ["锂电池", "光伏组件", "储能电站", "工业软件", "传感器", "服务器", "疫苗", "创新药", "风电机组", "氢燃料电池",
            "碳纤维复合材料", "智能网联汽车", "工业机器人", "芯片封装", "数据中心", "充电桩", "无人机", "医疗影像设备"]
ACTIONS = ["签约落地", "开工建设", "正式投产", "通过验收", "完成融资", "发布新品", "获批上市", "实现量产", "入选名单",
           "启动扩产", "达成合作", "建成投用", "完成首单交付", "获得认证", "突破关键技术"]
QUALIFIERS = ["总投资{n}亿元", "年产能{n}万套", "同比增长{pct}%", "带动就业{n}人", "产值突破{n}亿元", "占全国市场份额{pct}%",
              "研发投入{n}亿元", "新增专利{n}件"]
LATIN = ["5G", "AI芯片", "GDP", "MW", "IPO", "OLED", "LNG", "CPU", "6G", "AIGC", "PPP", "R&D"]
OPENERS = ["记者从{place}{dept}获悉，", "{month}月{day}日，", "今年以来，", "据{dept}介绍，", "日前，", "近年来，", ""]
CLOSERS = ["。", "，为地方经济高质量发展注入新动能。", "，{latin}相关应用加快落地。", "，标志着产业链建设迈出关键一步。",
           "，预计将于{year}年底前全面完成。"]
HEADLINES = ["{place}{topic}{action}", "{company}{product}{action}", "{place}：{topic}{qualifier}", "{company}{action} {qualifier}"]


def _real_sentences() -> list[str]:
    text = "".join(SEED_PARAGRAPHS) + "".join(b[1] for s in CORE for b in s.blocks if b[0] == "p")
    return [s for s in re.split(r"(?<=[。！？])", text) if len(s) > 8]


REAL = _real_sentences()


def _company(rng: random.Random) -> str:
    return rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + rng.choice(SUFFIXES)


def _fill(rng: random.Random, template: str, topic: str, place: str) -> str:
    qualifier = rng.choice(QUALIFIERS).format(n=rng.randint(2, 980), pct=rng.randint(2, 65))
    return template.format(
        place=place, dept=rng.choice(DEPARTMENTS), month=rng.randint(1, 12), day=rng.randint(1, 28), topic=topic,
        company=_company(rng), product=rng.choice(PRODUCTS), action=rng.choice(ACTIONS), qualifier=qualifier,
        latin=rng.choice(LATIN), year=rng.randint(2015, 2027), n=rng.randint(2, 980), pct=rng.randint(2, 65),
    )


def _sentence(rng: random.Random, topic: str, place: str) -> str:
    if rng.random() < 0.3:
        return rng.choice(REAL)
    subject = rng.choice([place, _company(rng), place + rng.choice(DEPARTMENTS)])
    body = f"{subject}{rng.choice([topic, rng.choice(PRODUCTS)])}项目{rng.choice(ACTIONS)}，{rng.choice(QUALIFIERS)}"
    return _fill(rng, rng.choice(OPENERS) + body + rng.choice(CLOSERS), topic, place)


def article(site_id: int, day: str, rng: random.Random) -> Article:
    """One generated article, published on ``day`` (YYYYMMDD), with every field an archive row has."""
    category = rng.choice(CATEGORIES)
    topic, place = rng.choice(TOPICS[category]), rng.choice(MORE_PLACES)
    paragraphs = ["".join(_sentence(rng, topic, place) for _ in range(rng.randint(2, 4))) for _ in range(rng.randint(3, 7))]
    published = f"{day[:4]}-{day[4:6]}-{day[6:]}T{rng.randint(7, 21):02d}:{rng.randint(0, 59):02d}:00+08:00"
    return Article(
        url=f"http://www.chinasei.com.cn/gen/{day[:6]}/t{day}_{site_id}.html", site_id=site_id,
        title=_fill(rng, rng.choice(HEADLINES), topic, place), published_at=published, reporters=[rng.choice(NAMES)],
        category=category, category_path=[category], body="\n".join(paragraphs),
        body_html="\n".join(f"<p>{p}</p>" for p in paragraphs),
        extraction={"title": "site:after-breadcrumb"}, fetched_at="2026-11-29T00:00:00+00:00",
    )


def articles(count: int, seed: int = 2020) -> Iterator[Article]:
    """``count`` articles from 2012 on, about 20 a day, ids growing with the date; the same for a seed."""
    rng = random.Random(seed)
    for n in range(count):
        days = n // 20
        year, day_of_year = 2012 + days // 336, days % 336
        day = f"{year}{day_of_year // 28 + 1:02d}{day_of_year % 28 + 1:02d}"
        yield article(100000 + n * 3 + rng.randint(0, 2), day, rng)
