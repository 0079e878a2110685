"""Pages of the saved site, rendered from the truth in :mod:`tests.sitebuilder.content`.

Two layouts. ``notes`` follows the site notes to the letter: the seed page's chrome, the div
positions public crawlers recorded, the TRS comment markers, ``frBox`` dates and the pager script.
``modern`` is another TRS-style template built from the same notes by other hands (an ``h1``,
``当前位置 »`` crumbs, no body markers, the newer pager call), standing in for a copy of the site
the parser was never tuned to.
"""

from __future__ import annotations

from html import escape

from tests.sitebuilder.content import MENU, Channel, Spec, channel

PAGER_JS = """function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
  if(_nPageCount == null || _nPageCount <= 1){ return; }
  var nCurrIndex = _nCurrIndex || 0;
  for(var i = 0; i < _nPageCount; i++){
    var name = (i == 0) ? _sPageName + "." + _sPageExt : _sPageName + "_" + i + "." + _sPageExt;
    if(i == nCurrIndex){ document.write("<span>" + (i + 1) + "</span>"); }
    else { document.write("<a href=\\"" + name + "\\">" + (i + 1) + "</a>"); }
  }
}"""
FOOTER = """<div class="footer">
<div class="wx">关注微信公众号:<img src="/images/wx.jpg" alt=""></div>
<div class="links"><a href="/gfzh/">官方账号直达</a> | <a href="/gywm/">关于我们</a> | <a href="/lxwm/">联系我们</a> | <a href="/zp/">招聘</a> | <a href="/gg/">广告刊例</a> | <a href="/bqsm/">版权声明</a></div>
<p>地址(Address):北京市西城区广内大街315号信息大厦B座8-13层(8-13 Floor, IT Center B Block, No.315 GuangNei Street, Xicheng District, Beijing, China)</p>
<p>邮编:100053 传真:010-63691514 Post Code:100053 Fax:010-63691514</p>
<p>Copyright 中国战略新兴产业网 京ICP备09051002号-3 技术支持:wicep</p>
</div>"""
LIVE = "http://www.chinasei.com.cn"


def _head(title: str, charset: str, extra: str = "") -> str:
    meta = (
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        if charset != "utf-8" else '<meta charset="utf-8">'
    )
    return (f"<!DOCTYPE html>\n<html>\n<head>\n{meta}\n<title>{escape(title)}</title>\n{extra}"
            f'<link rel="stylesheet" href="/css/style.css">\n<script type="text/javascript">\n{PAGER_JS}\n</script>\n</head>\n')


def menu_html(layout: str) -> str:
    """The channel menu; the notes layout writes absolute links to the live host, as TRS does."""
    prefix = LIVE if layout == "notes" else ""
    items = []
    for group, subs in MENU:
        links = "".join(f' <a href="{prefix}{s.folder}">{escape(s.name)}</a>' for s in subs)
        items.append(f'<li>|<a href="{prefix}{group.folder}">{escape(group.name)}</a>{links}</li>')
    items.append('<li>|<a href="/zzdy/">杂志订阅</a></li>')
    items.append('<li><a href="mailto:tougao@chinasei.com.cn">✍️ 投稿</a></li>')
    cls = "nav" if layout == "notes" else "menu"
    return f'<div class="{cls}"><ul>\n' + "\n".join(items) + "\n</ul></div>\n"


def _top(layout: str) -> str:
    return ('<div class="topbar"><a href="/">中国战略新兴产业网</a></div>\n'
            '<div class="header"><div class="logo"><a href="/"><img src="/images/logo.png" alt="中国战略新兴产业网"></a></div></div>\n'
            + menu_html(layout) + '<div class="banner"></div>\n')


def crumbs(ch: Channel, layout: str, depth: int) -> str:
    """The breadcrumb, with links relative to a page ``depth`` folders below the channel."""
    up = "../" * depth
    trail = [(ch.name, up or "./")]
    if ch.parent:
        parent = channel(ch.parent)
        trail.insert(0, (parent.name, up + "../"))
    if layout == "notes":
        links = "".join(f'&nbsp;&gt;&nbsp;<a href="{href}">{escape(name)}</a>' for name, href in trail)
        return f'<div class="crumb">您的位置:<a href="/">首页</a>{links}</div>\n'
    links = "".join(f' » <a href="{href}">{escape(name)}</a>' for name, href in trail)
    return f'<div class="position">当前位置：<a href="/">首页</a>{links}</div>\n'


def _body_blocks(spec: Spec) -> list[str]:
    """The body as the CMS's editor writes it: indented paragraphs, relative images, styled tables."""
    out = []
    lead = escape(spec.lead) if spec.lead else None
    if lead and not spec.lead_inline:
        out.append(f'<p style="text-indent: 2em;">\u3000\u3000{lead}</p>')
    for i, block in enumerate(spec.blocks):
        if block[0] == "p":
            text = escape(block[1])
            if i == 0 and lead and spec.lead_inline:
                text = f"{escape(spec.dateline or '')}{lead}{' ' if spec.lead.endswith(('报道', ')')) else ''}{text}"
            if i == len(spec.blocks) - 1 and spec.tail and spec.tail_inline:
                text += escape(spec.tail)
            out.append(f'<p style="text-indent: 2em;">\u3000\u3000{text}</p>')
        elif block[0] == "img":
            _, name, caption, how = block
            beside = "/" not in name  # TRS writes an uploaded image beside the page, with its OLDSRC
            src = f'src="./{name}" OLDSRC="{name}"' if beside else f'src="{name}"'
            img = f'<img {src} style="width:600px" border="0">'
            if how == "inline":
                out.append(f'<p align="center">{img}<br><span style="font-size:12px">{escape(caption)}</span></p>')
            else:
                out.append(f'<p style="text-align: center;">{img}</p>')
                out.append(f'<p style="text-align: center;"><font face="楷体">{escape(caption)}</font></p>')
        elif block[0] == "file":
            _, name, label, lead = block
            href = f"./{name}" if "/" not in name else name
            out.append(f'<p style="text-indent: 2em;">{escape(lead)}<a href="{href}">{escape(label)}</a></p>')
        elif block[0] == "table":
            rows = "".join("<tr>" + "".join(f'<td style="border:1px solid #999">{escape(c)}</td>' for c in row) + "</tr>"
                           for row in block[1])
            out.append(f'<table width="100%" border="1" cellspacing="0"><tbody>{rows}</tbody></table>')
    if spec.tail and not spec.tail_inline:
        out.append(f'<p style="text-align: right;">{escape(spec.tail)}</p>')
    return out


def article_page(spec: Spec, layout: str, hot: list[Spec]) -> str:
    """One article page."""
    ch = channel(spec.folder)
    title = escape(spec.title)
    body = "\n".join(_body_blocks(spec))
    if layout == "notes":
        extra = f'<meta name="ColumnName" content="{escape(ch.name)}">\n'
        main = (f'<div class="main">\n{crumbs(ch, layout, 1)}<div class="line"></div>\n<div class="article">\n'
                f'<div class="title">{title}</div>\n'
                f'<div class="info"><div class="date">{spec.shown_date}</div>'
                '<div class="font">字体: [<a href="javascript:doZoom(16)">&nbsp;</a> <a href="javascript:doZoom(14)">&nbsp;</a>]</div></div>\n'
                '<div class="content"><div id="zoom">&nbsp;<br>&nbsp;\n<!--正文内容开始-->\n'
                '<div class="TRS_Editor"><style type="text/css">.TRS_Editor P{line-height:2;font-size:12pt;}</style>\n'
                f"{body}\n</div>\n<!--正文内容结束-->\n</div></div>\n</div>\n{_hot(hot, layout)}</div>\n")
        return _head(f"{spec.title}_中国战略新兴产业网", "gb2312" if spec.encoding == "gbk" else "utf-8", extra) + \
            f"<body>\n{_top(layout)}{main}{FOOTER}\n</body>\n</html>\n"
    source = spec.source or "中国战略新兴产业网"
    y, m, d = spec.published_at[:4], spec.published_at[5:7], spec.published_at[8:10]
    clock = spec.published_at[11:19] if spec.shown_date.count(":") == 2 else spec.published_at[11:16]
    shown = f"{y}年{m}月{d}日 {clock}" if ":" in spec.shown_date else f"{y}年{m}月{d}日"
    main = (f'<div class="wrap">\n{crumbs(ch, layout, 1)}<div class="detail">\n<h1 class="detail-title">{title}</h1>\n'
            f'<div class="detail-info"><span>发布时间：{shown}</span>\u3000<span>来源：{escape(source)}</span>'
            '\u3000<span class="zoom">【字号 <a href="#">大</a> <a href="#">中</a> <a href="#">小</a>】</span></div>\n'
            f'<div class="detail-body">\n{body}\n</div>\n</div>\n{_hot(hot, layout)}</div>\n')
    charset = "gbk" if spec.encoding == "gbk" else "utf-8"
    return _head(f"{spec.title} - 中国战略新兴产业网", charset) + f"<body>\n{_top(layout)}{main}{FOOTER}\n</body>\n</html>\n"


def _hot(hot: list[Spec], layout: str) -> str:
    """A side block of popular articles from other channels, outside the list markers."""
    links = "".join(f'<li><a href="{LIVE if layout == "notes" else ""}{s.path}" title="{escape(s.title)}">{escape(s.title[:14])}</a></li>'
                    for s in hot)
    return f'<div class="side"><div class="side-title">热点文章</div><ul>{links}</ul></div>\n'


def listing_entry(href: str, title: str, listing_title: str | None, date: str, layout: str) -> str:
    """One ``<li>`` of a listing; the link text may be cut short, the title attribute never is."""
    text = escape(listing_title or title)
    if layout == "notes":
        return f'<li><span class="frBox">{date}</span><a href="{href}" target="_blank" title="{escape(title)}">{text}</a></li>'
    return f'<li><a href="{href}" target="_blank" title="{escape(title)}">{text}</a><em>{date}</em></li>'


def listing_page(ch: Channel, entries: list[str], index: int, count: int, layout: str, hot: list[Spec]) -> str:
    """Page ``index`` (0-based) of a channel listing, of ``count`` pages."""
    items = "\n".join(entries)
    if layout == "notes":
        pager = f'<div class="page"><script>createPageHTML({count}, {index}, "index", "html");</script></div>'
        main = (f'<div class="main">\n{crumbs(ch, layout, 0)}<div class="list">\n<!--文字列表页开始-->\n<ul>\n{items}\n</ul>\n'
                f"<!--文字列表页结束-->\n{pager}\n</div>\n{_hot(hot, layout)}</div>\n")
    else:
        pager = (f'<div id="page_div"></div><script>var countPage = {count}; var currentPage = {index};\n'
                 f"createPageHTML('page_div', countPage, currentPage, 'index', 'html', {len(entries) * count});</script>")
        main = (f'<div class="wrap">\n{crumbs(ch, layout, 0)}<div class="news-list">\n<!--文字列表页开始-->\n'
                f'<ul class="list">\n{items}\n</ul>\n<!--文字列表页结束-->\n{pager}\n</div>\n{_hot(hot, layout)}</div>\n')
    return _head(f"{ch.name}_中国战略新兴产业网", "utf-8") + f"<body>\n{_top(layout)}{main}{FOOTER}\n</body>\n</html>\n"


def home_page(blocks: list[tuple[Channel, list[Spec]]], layout: str) -> str:
    """The home page: the menu, and channel blocks each with a ``更多>>`` link to its listing."""
    parts = []
    for ch, specs in blocks:
        links = "".join(f'<li><a href="{s.path}" title="{escape(s.title)}">{escape(s.title[:16])}</a></li>' for s in specs)
        if layout == "notes":
            parts.append(f'<div class="block"><div class="block-title"><span>{escape(ch.name)}</span>'
                         f'<a class="more" href="{ch.folder}">更多&gt;&gt;</a></div><ul>{links}</ul></div>')
        else:
            parts.append(f'<div class="mod"><h3>{escape(ch.name)}</h3><a class="more" href="{ch.folder}index.html">更多 »</a>'
                         f"<ul>{links}</ul></div>")
    main = '<div class="main">\n' + "\n".join(parts) + "\n</div>\n"
    return _head("中国战略新兴产业网", "utf-8") + f"<body>\n{_top(layout)}{main}{FOOTER}\n</body>\n</html>\n"


def subscription_page(layout: str) -> str:
    """杂志订阅: a menu item that is not a channel."""
    main = '<div class="main"><h2>杂志订阅</h2><p>《中国战略新兴产业》杂志订阅请联系发行部：010-63691514。</p></div>\n'
    return _head("杂志订阅_中国战略新兴产业网", "utf-8") + f"<body>\n{_top(layout)}{main}{FOOTER}\n</body>\n</html>\n"
