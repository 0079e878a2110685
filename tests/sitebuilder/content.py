"""What the saved copy of the portal says: its channels and, for every article, the truth.

The truth (title, time, people, body blocks) is written here once. The templates render it into
pages the way the portal does, and the expected items are derived from it, never from our parser,
so a parser test can really fail.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from tests.sitebuilder.seed import SEED_LEAD, SEED_PARAGRAPHS, SEED_TITLE


@dataclass(frozen=True)
class Channel:
    """A channel folder and its name; ``parent`` is the folder of the menu group it sits under."""

    folder: str
    name: str
    parent: str | None = None
    in_menu: bool = True
    page_size: int = 20


# The menu as the seed page shows it; folder names beyond the three in the notes are our own.
MENU: list[tuple[Channel, list[Channel]]] = [
    (Channel("/xdxx/", "新一代信息技术"), [
        Channel("/xdxx/xxjc/", "信息基础设施建设", "/xdxx/"), Channel("/xdxx/hlw/", "互联网+", "/xdxx/"),
        Channel("/xdxx/dsj/", "大数据", "/xdxx/"), Channel("/xdxx/rgzn/", "人工智能", "/xdxx/"),
        Channel("/xdxx/hxcy/", "高端信息技术核心产业", "/xdxx/")]),
    (Channel("/gdzz/", "高端制造"), [
        Channel("/gdzz/jqr/", "机器人", "/gdzz/"), Channel("/gdzz/znzz/", "智能制造", "/gdzz/"),
        Channel("/gdzz/xcl/", "新材料", "/gdzz/")]),
    (Channel("/swcy/", "生物产业"), [
        Channel("/swcy/swyy/", "生物医药", "/swcy/", page_size=2), Channel("/swcy/swny/", "生物农业", "/swcy/"),
        Channel("/swcy/swjs/", "生物技术", "/swcy/")]),
    (Channel("/lsdt/", "绿色低碳", page_size=3), [
        Channel("/lsdt/qjny/", "清洁能源汽车", "/lsdt/"), Channel("/lsdt/hbcy/", "环保产业", "/lsdt/"),
        Channel("/lsdt/jnjs/", "高效节能产业", "/lsdt/"), Channel("/lsdt/stxf/", "生态修复", "/lsdt/"),
        Channel("/lsdt/zyxh/", "资源循环利用", "/lsdt/")]),
    (Channel("/szcy/", "数字创意"), [
        Channel("/szcy/sczb/", "数创装备", "/szcy/"), Channel("/szcy/nrcx/", "内容创新", "/szcy/"),
        Channel("/szcy/sjcx/", "设计创新", "/szcy/")]),
    (Channel("/cyzx/", "产业资讯", page_size=3), []),
    (Channel("/dfld/", "地方亮点及地方发改委动态"), []),
    (Channel("/djnr/", "独家内容"), []),
]
# Channels linked only from blocks on the home page, never from the menu (see the site notes).
BLOCK_CHANNELS = [Channel("/lpz/", "领跑者", in_menu=False, page_size=4), Channel("/zcjd/", "政策解读", in_menu=False)]


def all_channels() -> list[Channel]:
    """Every channel with a listing, menu groups first."""
    channels = []
    for group, subs in MENU:
        channels += [group, *subs]
    return channels + BLOCK_CHANNELS


def channel(folder: str) -> Channel:
    """The channel living in ``folder``."""
    return next(c for c in all_channels() if c.folder == folder)


@dataclass
class Spec:
    """One article's truth, and how the page presents it.

    ``blocks`` are ``("p", text)``, ``("img", file, caption, caption_style)`` with caption style
    ``"next"`` (a centred paragraph after the image) or ``"inline"`` (after a ``<br>`` in the image's
    paragraph), ``("file", file, label, lead)`` for an attachment linked on a line of its own
    (``附件1：<a>label</a>``), or ``("table", rows)``. A ``file`` is a name beside the page, a path
    from the site's root (``/cyzx/…``: another article's), or an off-site URL.
    """

    site_id: int
    folder: str
    title: str
    shown_date: str
    published_at: str
    blocks: list[tuple]
    lead: str | None = None
    lead_inline: bool = False
    dateline: str | None = None  # 新华社北京11月24日电, before an inline lead; it stays in the body
    tail: str | None = None
    tail_inline: bool = False  # the tail closes the last paragraph instead of standing alone
    people: dict[str, list[str]] = field(default_factory=dict)
    source: str | None = None
    editor: str | None = None
    reviewer: str | None = None
    also_in: tuple[str, ...] = ()
    listing_title: str | None = None
    encoding: str = "utf-8"

    @property
    def day(self) -> str:
        return self.published_at[:10].replace("-", "")

    @property
    def path(self) -> str:
        return f"{self.folder}{self.day[:6]}/t{self.day}_{self.site_id}.html"


CORE: list[Spec] = [
    Spec(
        40123, "/lpz/", SEED_TITLE, "2020-11-24 15:11", "2020-11-24T15:11:00+08:00",
        [("p", p) for p in SEED_PARAGRAPHS],
        lead=SEED_LEAD,
        people={"reporters": ["王敏"], "photographers": ["王敏"], "correspondents": ["杨盛岚", "赵冠壹"]},
        also_in=("/cyzx/",), listing_title="天津北辰区:2020年携手奔小康 助力四个受援...",
    ),
    Spec(
        41207, "/lpz/", "宁德时代发布新一代钠离子电池 低温性能显著提升", "2021-05-25", "2021-05-25T00:00:00+08:00",
        [("p", "5月25日，宁德时代在福建宁德发布新一代钠离子电池。该电池在零下20摄氏度的低温环境中仍有90%以上的放电保持率，"
               "系统集成效率达到80%以上。"),
         ("p", "业内人士认为，钠离子电池与锂离子电池可以互补，有望在储能和两轮车等领域率先实现规模化应用。")],
        lead="（记者 张三）", people={"reporters": ["张三"]},
    ),
    Spec(
        41388, "/lpz/", "我国首条时速600公里高速磁浮试验线开始调试", "2021-06-01 08:30:15", "2021-06-01T08:30:15+08:00",
        [("p", "日前，我国首条时速600公里高速磁浮试验线在上海同济大学嘉定校区开始系统调试，标志着高速磁浮交通系统"
               "研制工作进入新阶段。"),
         ("p", "项目负责人介绍，试验线将重点验证悬浮导向、牵引供电和运行控制等关键技术，为后续工程化应用积累数据。")],
        lead="中国战略新兴产业网讯 记者 李四 王五 报道", lead_inline=True, people={"reporters": ["李四", "王五"]},
    ),
    Spec(
        41502, "/swcy/swyy/", "国产新冠病毒中和抗体联合疗法获批上市", "2021-12-09 10:20", "2021-12-09T10:20:00+08:00",
        [("p", "12月8日，国家药品监督管理局应急批准腾盛博药申报的安巴韦单抗注射液及罗米司韦单抗注射液注册申请，"
               "这是我国首家获批的自主知识产权新冠病毒中和抗体联合治疗药物。"),
         ("p", "该联合疗法由清华大学、深圳市第三人民医院和腾盛博药合作研发，可用于治疗轻型和普通型且伴有进展为重型"
               "高风险因素的成人和青少年患者。")],
        lead="来源：经济日报", source="经济日报",
    ),
    Spec(
        41533, "/swcy/swyy/", "生物医药产业园区加快集聚发展 创新药研发管线持续扩容", "2021-12-15 09:05",
        "2021-12-15T09:05:00+08:00",
        [("p", "记者从多地生物医药产业园区了解到，今年以来，园区新增创新药临床试验批件数量同比增长三成，"
               "一批抗体药物和细胞治疗产品进入关键临床阶段。"),
         ("p", "业内专家表示，产业园区要在公共技术平台、临床资源对接和专业人才培养上持续发力，"
               "推动创新成果加快转化。")],
        lead="作者：刘洋", tail="责任编辑：赵六", people={"authors": ["刘洋"]}, editor="赵六",
    ),
    Spec(
        38012, "/zcjd/", "解读《关于促进战略性新兴产业高质量发展的指导意见》", "2019年03月05日 09:30",
        "2019-03-05T09:30:00+08:00",
        [("p", "近日，国家发展改革委等部门联合印发《关于促进战略性新兴产业高质量发展的指导意见》，"
               "提出加快培育壮大新一代信息技术、生物技术、新能源、新材料、高端装备等产业集群。"),
         ("p", "意见明确，到2025年，战略性新兴产业增加值占国内生产总值比重超过17%，形成一批具有国际竞争力的"
               "龙头企业和产业集群。"),
         ("p", "专家认为，意见坚持问题导向，围绕融资、人才和应用场景等关键环节提出了务实举措。")],
        lead="（记者 陈晨 通讯员 周婷）", people={"reporters": ["陈晨"], "correspondents": ["周婷"]},
        encoding="gbk",
    ),
    Spec(
        42016, "/cyzx/", "全球最大海上风电安装平台在江苏南通交付", "2022-03-18 16:40", "2022-03-18T16:40:00+08:00",
        [("p", "3月18日，由我国自主设计建造的全球最大海上风电安装平台在江苏南通交付，平台最大起重能力达2500吨，"
               "可满足16兆瓦以上海上风电机组的安装需求。"),
         ("img", "W020220318512245623810.jpg", "图为交付仪式现场。", "next"),
         ("p", "该平台配备了先进的动力定位系统和桩腿升降系统，可在50米水深海域作业，将显著提升我国深远海风电开发能力。"),
         ("img", "W020220318512245789123.jpg", "平台桩腿升降系统", "inline"),
         ("p", "项目建设方表示，平台投入运营后每年可完成约60台大型风机的安装。")],
        tail="摄影：钱七", people={"photographers": ["钱七"]},
    ),
    Spec(
        42377, "/lsdt/jnjs/", "2021年重点行业能效水平对比", "2022-05-10 14:00", "2022-05-10T14:00:00+08:00",
        [("p", "根据行业协会发布的数据，2021年我国重点耗能行业单位产品能耗继续下降，部分行业能效水平已达到国际先进水平。"),
         ("table", [["行业", "2020年单位能耗", "2021年单位能耗"], ["钢铁", "545千克标准煤/吨", "540千克标准煤/吨"],
                    ["水泥", "104千克标准煤/吨", "101千克标准煤/吨"], ["电解铝", "13.2千瓦时/千克", "13.1千瓦时/千克"]]),
         ("p", "专家建议，下一步应加大节能技术改造力度，推广高效电机、余热余压利用等成熟技术。")],
    ),
    Spec(
        42501, "/xdxx/rgzn/", "人工智能大模型加速走进制造业车间", "2023-07-06 11:25", "2023-07-06T11:25:00+08:00",
        [("p", "7月6日，2023世界人工智能大会在上海开幕。记者在展会现场看到，多家企业展示了面向工业场景的大模型应用，"
               "涵盖质量检测、设备运维和工艺优化等环节。"),
         ("p", "参展企业负责人表示，大模型与工业知识结合后，能够帮助一线工程师快速定位故障原因，平均排障时间缩短近一半。")],
        lead="本网讯（记者 赵磊 摄影 吴昊）", lead_inline=True,
        people={"reporters": ["赵磊"], "photographers": ["吴昊"]},
    ),
    Spec(
        42655, "/lpz/", "西部陆海新通道班列开行数量创新高 带动沿线产业加速升级", "2023-09-12 10:00",
        "2023-09-12T10:00:00+08:00",
        [("p", "今年以来，西部陆海新通道铁海联运班列累计开行超过6000列，同比增长约8%，货物品类拓展至1000余种。"),
         ("p", "重庆、广西、贵州等地依托通道优势，积极发展电子信息、汽车零部件和新材料等产业，产业链供应链韧性不断增强。")],
        lead="文/孙立 图/郑阳", people={"authors": ["孙立"], "photographers": ["郑阳"]},
        listing_title="西部陆海新通道班列开行数量创新高 带动沿线...",
    ),
]

#: Bylines in the body's first and last paragraphs, as Chinese news writes them, and prose that only
#: mentions reporters. Kept apart from CORE so that the filler articles keep their ids.
BODY_BYLINES: list[Spec] = [
    Spec(
        44011, "/dfld/", "天津滨海新区集成电路产业园签约十个重点项目", "2024-03-12 09:40", "2024-03-12T09:40:00+08:00",
        [("p", "3月11日，滨海新区集成电路产业园举行重点项目集中签约仪式，10个项目总投资超过120亿元，涵盖芯片设计、"
               "封装测试和关键材料等环节。"),
         ("p", "园区负责人表示，将围绕龙头企业补链强链，力争三年内形成千亿级产业集群。")],
        lead="本报讯（记者 王敏 通讯员 杨盛岚）", lead_inline=True, tail="（责任编辑：韩梅\u3000审核：李华）",
        people={"reporters": ["王敏"], "correspondents": ["杨盛岚"]}, editor="韩梅", reviewer="李华",
    ),
    Spec(
        44058, "/lsdt/jnjs/", "我国新型储能装机规模突破3000万千瓦", "2024-04-02 16:05", "2024-04-02T16:05:00+08:00",
        [("p", "国家能源局2日发布数据显示，截至3月底，全国已建成投运新型储能项目累计装机规模突破3000万千瓦，"
               "平均储能时长2.1小时。"),
         ("p", "从技术路线看，锂离子电池储能仍占主导地位，压缩空气储能、液流电池储能等技术加快示范应用。")],
        dateline="新华社北京4月2日电", lead="（记者 张三、李四）", lead_inline=True, tail="（来源：新华社）",
        people={"reporters": ["张三", "李四"]}, source="新华社",
    ),
    Spec(
        44102, "/gdzz/jqr/", "协作机器人走进汽车总装车间 人机共线成为新常态", "2024-05-20 10:15", "2024-05-20T10:15:00+08:00",
        [("p", "在湖北武汉一家整车企业的总装车间，十余台协作机器人与工人并肩作业，承担拧紧、涂胶和检测等工序。"),
         ("p", "该企业负责人在接受记者采访时说，人机共线改造后，总装线效率提升约15%，工人劳动强度明显下降。"),
         ("p", "据记者统计，今年以来当地已有20余家企业完成类似改造。")],
        tail="（记者 周敏）", tail_inline=True, people={"reporters": ["周敏"]},
    ),
    Spec(
        44137, "/lsdt/hbcy/", "长江沿线城市污水处理提质增效三年行动收官", "2024-06-05 08:50", "2024-06-05T08:50:00+08:00",
        [("p", "记者从生态环境部获悉，长江沿线城市污水处理提质增效三年行动日前收官，城市生活污水集中收集率"
               "较行动前提高8个百分点。"),
         ("img", "W020240605388412907761.jpg", "图为改造后的污水处理厂。", "next"),
         ("p", "下一步，沿线城市将推进污水管网全覆盖，加快补齐县城和建制镇设施短板。")],
        lead="（记者 张三/文 李四/图）", tail="编辑：王五",
        people={"reporters": ["张三", "李四"], "photographers": ["李四"]}, editor="王五",
    ),
    Spec(
        44190, "/szcy/nrcx/", "数字文创消费持续升温 沉浸式演艺项目受追捧", "2024-07-28 19:30", "2024-07-28T19:30:00+08:00",
        [("p", "暑期以来，多地沉浸式演艺、数字艺术展等新业态持续火爆，部分项目门票提前一周售罄。"),
         ("p", "业内人士认为，数字技术与文化内容深度融合，正在催生更多消费新场景。")],
        lead="文|孙立", tail="（本文来源：科技日报）", tail_inline=True,
        people={"authors": ["孙立"]}, source="科技日报",
    ),
    Spec(
        44233, "/xdxx/dsj/", "公共数据授权运营试点扩围 数据要素市场加快培育", "2024-08-16 11:00", "2024-08-16T11:00:00+08:00",
        [("p", "记者了解到，公共数据授权运营试点近期扩大至20个城市，交通、气象和医疗等领域数据有序向市场开放。"),
         ("p", "记者在多个数据交易所看到，挂牌数据产品数量较年初增长近一倍。")],
        lead="中国战略新兴产业网讯 ( 记者 周敏、郑晓 )", lead_inline=True, tail="审核：赵六",
        people={"reporters": ["周敏", "郑晓"]}, reviewer="赵六",
    ),
]

# --- Filler: ordinary articles for every other channel, from a bank of realistic sentences --------

PLACES = ["江苏苏州", "广东深圳", "浙江杭州", "安徽合肥", "湖北武汉", "四川成都", "山东青岛", "陕西西安", "福建厦门", "湖南长沙"]
TOPICS = {
    "信息基础设施建设": ("5G基站", "千兆光网"), "互联网+": ("工业互联网平台", "数字乡村"), "大数据": ("数据中心", "公共数据开放"),
    "高端信息技术核心产业": ("集成电路", "高端芯片"), "机器人": ("工业机器人", "服务机器人"), "智能制造": ("智能工厂", "数字化车间"),
    "新材料": ("碳纤维", "石墨烯"), "生物农业": ("生物育种", "生物肥料"), "生物技术": ("合成生物", "基因检测"),
    "清洁能源汽车": ("新能源汽车", "氢燃料电池汽车"), "环保产业": ("污水处理", "大气污染治理"), "生态修复": ("矿山生态修复", "湿地保护"),
    "资源循环利用": ("动力电池回收", "再生资源利用"), "数创装备": ("虚拟现实设备", "超高清显示"), "内容创新": ("数字文创", "网络视听"),
    "设计创新": ("工业设计", "文化创意设计"), "地方亮点及地方发改委动态": ("重大项目", "营商环境"), "独家内容": ("专精特新企业", "产业集群"),
    "产业资讯": ("新型储能", "低空经济"), "领跑者": ("单项冠军企业", "绿色工厂"), "政策解读": ("产业政策", "专项规划"),
    "生物医药": ("创新药", "高端医疗器械"),
}
OPENINGS = [
    "近日，{place}召开{topic}发展推进会，总结前一阶段工作成效，部署下一步重点任务。",
    "记者从{place}有关部门获悉，今年以来当地{topic}项目建设提速，一批重点项目相继开工投产。",
    "{place}日前发布{topic}三年行动方案，提出到2025年相关产业规模实现翻番。",
]
MIDDLES = [
    "据介绍，当地已集聚{topic}相关企业{n}家，形成了从研发设计到生产制造的较为完整的产业链条。",
    "今年前三季度，{topic}领域完成投资{n}亿元，同比增长{pct}%，增速高于全部工业投资。",
    "当地将围绕{topic}加快建设公共服务平台，支持企业开展关键核心技术攻关和首台套应用。",
    "有关负责人表示，将进一步优化审批流程，为{topic}企业提供用地、用能和融资等要素保障。",
]
CLOSINGS = [
    "业内人士认为，{topic}正处于规模化发展的关键期，政策支持和市场需求将共同推动产业迈上新台阶。",
    "下一步，{place}将持续加大招商引资力度，推动{topic}产业集群向高端化、智能化、绿色化发展。",
]
BYLINES = [
    (None, {}, None),
    ("（记者 {a}）", {"reporters": ["{a}"]}, None),
    ("中国战略新兴产业网（{a}报道、通讯员{b}）", {"reporters": ["{a}"], "correspondents": ["{b}"]}, None),
    ("来源：中国电子报", {}, "中国电子报"),
    ("作者：{a}", {"authors": ["{a}"]}, None),
]
NAMES = ["周敏", "吴昊天", "郑晓", "冯雪", "陈曦", "褚卫", "卫东", "蒋琳", "沈星", "韩梅", "杨帆", "朱琪"]


def filler() -> list[Spec]:
    """One or two ordinary articles for every channel the hand-written cases leave short."""
    rng = random.Random(20201124)
    specs, site_id = [], 43000
    counts = {c.folder: 0 for c in all_channels()}
    for spec in CORE:
        counts[spec.folder] += 1
    wanted = {c.folder: 2 if c.folder in ("/swcy/swyy/", "/cyzx/", "/lpz/") else 1 for c in all_channels()}
    wanted.update({"/lpz/": 5, "/cyzx/": 4, "/swcy/swyy/": 3})
    for ch in all_channels():
        if ch.folder.count("/") == 2 and any(sub for grp, sub in MENU if grp.folder == ch.folder):
            continue  # menu groups aggregate their sub-channels' articles
        for k in range(max(0, wanted[ch.folder] - counts[ch.folder])):
            site_id += rng.randint(3, 40)
            specs.append(_filler_spec(rng, ch, site_id, k))
    return specs


def _filler_spec(rng: random.Random, ch: Channel, site_id: int, k: int) -> Spec:
    topic = TOPICS[ch.name][k % 2]
    place = rng.choice(PLACES)
    fill = {"place": place, "topic": topic, "n": rng.randint(30, 600), "pct": rng.randint(5, 40)}
    paragraphs = [rng.choice(OPENINGS).format(**fill)]
    paragraphs += [s.format(**fill) for s in rng.sample(MIDDLES, 2)]
    paragraphs.append(rng.choice(CLOSINGS).format(**fill))
    year, month, day = rng.randint(2020, 2024), rng.randint(1, 12), rng.randint(1, 28)
    hour, minute = rng.randint(8, 18), rng.randint(0, 59)
    if site_id % 3 == 0:
        shown, iso = f"{year}-{month:02d}-{day:02d}", f"{year}-{month:02d}-{day:02d}T00:00:00+08:00"
    else:
        shown = f"{year}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}"
        iso = f"{year}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:00+08:00"
    lead, people, source = BYLINES[site_id % len(BYLINES)]
    a, b = rng.sample(NAMES, 2)
    return Spec(
        site_id, ch.folder, f"{place}{topic}产业发展提速 {rng.choice(['重点项目密集落地', '创新成果加快转化', '产业链条持续完善'])}",
        shown, iso, [("p", p) for p in paragraphs],
        lead=lead.format(a=a, b=b) if lead else None,
        people={role: [n.format(a=a, b=b) for n in names] for role, names in people.items()},
        source=source, tail="（责任编辑：韩梅）" if site_id % 4 == 0 else None,
        editor="韩梅" if site_id % 4 == 0 else None,
    )


#: Articles with media beyond the hand-written cases': an image and two attachments (44300); an image
#: and an attachment of that article's, shown again by absolute path, an image that answers 404, one
#: off the site and one with the same bytes as another under a new name (44321).
MEDIA_ARTICLES: list[Spec] = [
    Spec(
        44300, "/cyzx/", "江苏新型储能电站集中开工 年内新增装机将超百万千瓦", "2024-09-12 10:30", "2024-09-12T10:30:00+08:00",
        [("p", "9月11日，江苏12个新型储能电站项目集中开工，总投资约86亿元，建成后新增装机规模约160万千瓦。"),
         ("img", "W020240912301234567890.jpg", "图为储能电站建设现场。", "next"),
         ("p", "据介绍，项目涵盖电化学储能、压缩空气储能等多种技术路线，将有效提升电网调峰能力。"),
         ("img", "/cyzx/202203/W020220318512245623810.jpg", "全球最大海上风电安装平台（资料图）", "next"),
         ("file", "W020240912301234567891.pdf", "2024年重点项目清单.pdf", "附件1："),
         ("file", "W020240912301234567892.xlsx", "项目明细表.xlsx", "附件2：")],
        lead="（记者 陈曦）", people={"reporters": ["陈曦"]},
    ),
    Spec(
        44321, "/dfld/", "各地加快布局新型储能产业链 储能电池产能持续释放", "2024-10-15 09:00", "2024-10-15T09:00:00+08:00",
        [("p", "记者从多地发展改革部门了解到，今年以来各地加快布局新型储能产业链，一批储能电池项目建成投产。"),
         ("img", "W020241015300000000404.jpg", "图为储能电池生产线。", "next"),
         ("img", "https://www.miit.gov.cn/images/W020241015123456789012.jpg", "工信部发布的储能产业数据图", "next"),
         ("img", "W020241015300000000501.jpg", "图为江苏某储能电站。", "next"),
         ("p", "业内人士表示，储能产业要坚持技术创新和安全发展并重，避免低水平重复建设。"),
         ("file", "/cyzx/202409/W020240912301234567891.pdf", "2024年重点项目清单.pdf", "附件：")],
        lead="来源：经济日报", source="经济日报",
    ),
]

#: Bylines as newspapers and agencies write them: an outlet in the reporter's title, a marker before
#: the byline, combined roles (文/图, 图文), photo credits closing the body and inside captions.
NEWSPAPER_BYLINES: list[Spec] = [
    Spec(
        44410, "/dfld/", "成渝地区氢燃料电池汽车示范城市群加快建设", "2024-10-21 09:20", "2024-10-21T09:20:00+08:00",
        [("p", "10月20日，成渝地区氢燃料电池汽车示范城市群推进会召开，两地已累计推广燃料电池汽车1200余辆。"),
         ("p", "下一步，两地将加快加氢站布局，打通氢能高速走廊。")],
        lead="经济日报记者 冯雪 蒋琳", tail="（记者 沈星 摄）", tail_inline=True,
        people={"reporters": ["冯雪", "蒋琳", "沈星"], "photographers": ["沈星"]}, source="经济日报",
    ),
    Spec(
        44420, "/cyzx/", "首座海上风电制氢平台完成海试", "2024-10-24 15:40", "2024-10-24T15:40:00+08:00",
        [("p", "我国首座海上风电制氢平台日前完成海上试验，实现了海上风电就地制取绿氢。"),
         ("img", "W020241024500000000001.jpg", "图为海上风电制氢平台。（记者 朱琪 摄）", "next"),
         ("p", "专家表示，海上风电制氢有望破解深远海风电送出难题。")],
        lead="◎ 文/图 本报记者 杨帆", tail="责任编辑：韩梅",
        people={"reporters": ["杨帆"], "photographers": ["杨帆", "朱琪"]}, editor="韩梅",
    ),
    Spec(
        44430, "/gdzz/jqr/", "人形机器人进入汽车工厂开展实训", "2024-10-28 11:05", "2024-10-28T11:05:00+08:00",
        [("p", "一批人形机器人近日进入多家汽车工厂开展实训，承担搬运、质检等工序。"),
         ("img", "W020241028500000000001.jpg", "机器人在装配线上作业。褚卫 摄", "next"),
         ("p", "业内人士认为，人形机器人规模化应用仍需降低成本、提升可靠性。")],
        dateline="新华社北京10月28日电", lead="（新华社记者 褚卫 卫东）", lead_inline=True, tail="图文：吴昊天",
        people={"reporters": ["褚卫", "卫东"], "photographers": ["吴昊天", "褚卫"], "authors": ["吴昊天"]}, source="新华社",
    ),
]

#: The saved site's image and attachment files: where each is served, and which file of
#: ``tests/sitebuilder/media`` it is. An image a page shows that is not here answers 404.
MEDIA_FILES = {
    "/cyzx/202203/W020220318512245623810.jpg": "wind-platform.jpg",
    "/cyzx/202203/W020220318512245789123.jpg": "platform-legs.jpg",
    "/lsdt/hbcy/202406/W020240605388412907761.jpg": "water-plant.jpg",
    "/cyzx/202409/W020240912301234567890.jpg": "storage-station.jpg",
    "/cyzx/202409/W020240912301234567891.pdf": "project-list.pdf",
    "/cyzx/202409/W020240912301234567892.xlsx": "project-details.xlsx",
    "/dfld/202410/W020241015300000000501.jpg": "storage-station.jpg",
    "/cyzx/202410/W020241024500000000001.jpg": "platform-legs.jpg",
    "/gdzz/jqr/202410/W020241028500000000001.jpg": "water-plant.jpg",
}

#: The site's look, which every page links or shows: its stylesheet (UTF-8, with an ``@import`` of
#: a GBK one and background images, one of them on another site) and the images of its chrome.
LAYOUT_FILES = {
    "/css/style.css": "style.css",
    "/css/common.css": "common.css",
    "/images/logo.png": "logo.png",
    "/images/header-bg.png": "header-bg.png",
    "/images/banner.png": "banner.png",
    "/images/wx.jpg": "wx.jpg",
}
#: Of those, what the pages name themselves (the rest their stylesheets name).
PAGE_ASSETS = ("/css/style.css", "/images/logo.png", "/images/wx.jpg")
#: Every file a crawl with media on fetches besides pages.
FETCHED_FILES = {**MEDIA_FILES, **LAYOUT_FILES}


def articles() -> list[Spec]:
    """Every article of the saved site, hand-written cases first."""
    return CORE + filler() + BODY_BYLINES + MEDIA_ARTICLES + NEWSPAPER_BYLINES


#: Listing entries that are not articles of the site: a link that answers 404, and one off-site.
BROKEN_LINKS = {"/lpz/": [("./202103/t20210301_99999.html", "该文章已被删除", "2021-03-01")]}
OFFSITE_LINKS = {"/cyzx/": [("https://www.miit.gov.cn/xwdt/gxdt/art/2022/art_1.html", "工信部：推动制造业高端化智能化绿色化发展", "2022-03-20")]}
