"""Chinese news bylines, read into roles.

A byline names people by role: ``中国战略新兴产业网(王敏图文报道、通讯员杨盛岚、赵冠壹)`` is reporter
王敏, who also took the pictures, and correspondents 杨盛岚 and 赵冠壹. A role word applies to the
names after it until the next role word; a suffix such as 报道 or 图文报道 applies to the name it
is glued to. Metadata lines (``来源:经济日报``, ``责任编辑:赵六``) use ``key:value`` pairs instead.

Bylines stand in the page header, in the body's first paragraph (``本报讯（记者 王敏）…``,
``新华社北京11月24日电（记者 张三）…``, ``文/张三 图/李四``) or in its last (``（记者 张三）``,
``（来源：经济日报）``, ``责任编辑：… 审核：…``). :func:`split_lead` and :func:`split_tail` take one
paragraph and say what it names, the byline as written, and what stays of the paragraph as prose.
Prose that merely mentions a role (``记者从会上获悉``, ``接受记者采访时说``) names nobody: every value
must look like a name or an outlet, or the paragraph is left alone.

Everything here is pure text in, :class:`Byline` out, so each form is a one-line table test.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from crawler.parsing import site
from crawler.parsing.items import PERSON_ROLES

#: Role words, longest first so that 本报记者 wins over 记者.
ROLE_WORDS: dict[str, str] = {
    "本报记者": "reporters",
    "本网记者": "reporters",
    "特约记者": "reporters",
    "见习记者": "reporters",
    "实习记者": "reporters",
    "首席记者": "reporters",
    "特派记者": "reporters",
    "全媒体记者": "reporters",
    "融媒体记者": "reporters",
    "记者": "reporters",
    "摄影记者": "photographers",
    "通讯员": "correspondents",
    "特约通讯员": "correspondents",
    "摄影": "photographers",
    "摄像": "photographers",
    "图片": "photographers",
    "作者": "authors",
    "撰文": "authors",
    "责任编辑": "editor",
    "责编": "editor",
    "编辑": "editor",
    "来源": "source",
    "文章来源": "source",
    "本文来源": "source",
    "稿件来源": "source",
    "信息来源": "source",
    "审核": "reviewer",
    "审校": "reviewer",
    "终审": "reviewer",
    # the same roles in traditional characters, for Big5 pages and reposts from Taiwan and Hong Kong
    "記者": "reporters",
    "本報記者": "reporters",
    "特約記者": "reporters",
    "通訊員": "correspondents",
    "攝影": "photographers",
    "圖片": "photographers",
    "責任編輯": "editor",
    "編輯": "editor",
    "來源": "source",
    "審核": "reviewer",
}
#: Suffixes glued to a name, and the roles they give it.
NAME_SUFFIXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("图文报道", ("reporters", "photographers")),
    ("摄影报道", ("reporters", "photographers")),
    ("圖文報導", ("reporters", "photographers")),
    ("攝影報導", ("reporters", "photographers")),
    ("报道", ("reporters",)),
    ("報導", ("reporters",)),
    ("報道", ("reporters",)),
    ("摄", ("photographers",)),
    ("攝", ("photographers",)),
)
_ROLE_ALT = "|".join(sorted(map(re.escape, ROLE_WORDS), key=len, reverse=True))
_ROLE_WORD = re.compile(f"(?:{_ROLE_ALT})(?!报道|報導)")
#: A person role word that names the outlet before it: ``新华社记者``, ``经济日报记者``, ``XX网通讯员``.
_OUTLET_ROLE = re.compile(
    r"(?:(?<=^)|(?<=[\s、，,(（【]))(?P<outlet>[\u4e00-\u9fffA-Za-z]{1,12}?(?:通讯社|社|日报|晚报|时报|报|网|台|杂志|刊))"
    r"(?=(?:特约|特派|见习|实习|首席|全媒体|融媒体|摄影)?(?:记者|通讯员|記者|通訊員))"
)
#: A marker some papers set before a byline: ``□ 本报记者 张三``.
_MARKER = re.compile(r"^\s*[□◎■●▲◆★☆○◇△▼►▪]\s*")
#: Both roles at once, for the one person named after it: ``文/图``, ``图/文``, ``文图``, ``图文：``.
_COMBINED = re.compile(r"(?:(?<=^)|(?<=[\s、，,(（【]))(?:文\s*[/／|｜]\s*图|图\s*[/／|｜]\s*文|文图|图文)(?:\s*[:：/／|｜]\s*|\s+)")
_BOTH = "\x02"
#: A photo credit closing a group of names: ``张三 摄``, ``记者 张三 李四 摄``.
_CREDIT = re.compile(r"(?:摄|攝)\s*$")
#: The credit closing an image caption: bracketed (``图为…（记者 张伟 摄）``), or after the caption's
#: last sentence (``…。张伟 摄``).
_CAPTION_CREDITS = (
    re.compile(r"[(（](?P<credit>[^()（）]{2,40}?(?:摄|攝))[)）]\s*$"),
    re.compile(r"(?:^|[。，,\s])(?P<credit>(?:(?:" + _ROLE_ALT
               + r")\s*)?[\u4e00-\u9fff·]{2,8}(?:[\s、][\u4e00-\u9fff·]{2,8}){0,3}\s*(?:摄|攝))\s*$"),
)
#: A role suffix written apart from its name (``欧阳修远 摄影报道``) belongs to that name.
_LOOSE_SUFFIX = re.compile(r"(?<=[\u4e00-\u9fff])\s+(图文报道|摄影报道|圖文報導|攝影報導)(?=$|[\s、，,)）])")
#: ``张三/文 李四/图``: what a named person did, written after the name.
_WORK_SUFFIX = re.compile(r"(?<=[\u4e00-\u9fff])\s*[/／|｜]\s*(文|图|摄)(?=$|[\s、，,;；)）】])")
_GLUE = "\x01"
#: ``图/张三`` and ``文|李四``: one-character roles, only in that slash, bar or colon form.
_SHORT_ROLE = re.compile(r"(?:(?<=^)|(?<=[\s、，,(（【]))(图|文|摄)\s*[/／:：|｜]\s*")
_SEPARATORS = re.compile(r"[\s、，,;；/／|｜]+")
_NAME = re.compile(r"^(?:[\u4e00-\u9fff]{2,6}|[\u4e00-\u9fff]{1,8}(?:[·•][\u4e00-\u9fff]{1,8}){1,3}|[A-Za-z][A-Za-z .'-]{1,40})$")
#: Words and characters that no personal name holds: what prose about reporters is made of.
_NOT_NAME = re.compile(
    r"[的了从在是说们这那称据向对和]|手记|获悉|了解|采访|统计|调查|认为|表示|发现|看到|观察|得知|获知|走访|专访|来信|部门|队伍"
)
#: An outlet: a short name, no sentence in it.
_OUTLET = re.compile(r"^(?![于自])[^\s，。！？；：,.!?;:“”\"]{2,24}$")
_OPEN, _CLOSE = "(（【[", ")）】]"
_BRACKETS = _OPEN + _CLOSE
_CLOSING = tuple(_CLOSE)
_BRACKETED = f"[{re.escape(_OPEN)}](?P<roles>[^{re.escape(_BRACKETS)}]{{1,80}})[{re.escape(_CLOSE)}]"
#: ``新华社北京11月24日电``: a dateline. It stays in the body; the bracket after it is the byline.
_DATELINE = r"[\u4e00-\u9fff]{2,16}?\d{1,2}月\d{1,2}日电"

#: ``中国战略新兴产业网(…)``, ``本网讯（记者 张三）…``, ``(记者 张三)``, ``新华社北京11月24日电（…）``.
_BRACKET_LEAD = re.compile(
    r"^\s*(?:(?P<dateline>" + _DATELINE + r")|(?P<outlet>(?:" + re.escape(site.SITE_NAME)
    + r"|本网|本报|[\u4e00-\u9fff]{2,12}?)?讯?))\s*" + _BRACKETED + r"\s*(?P<rest>.*)$",
    re.S,
)
#: ``中国战略新兴产业网讯 记者 李四 王五 报道``: the roles run from 讯 to 报道.
_XUN_LEAD = re.compile(
    r"^\s*(?P<outlet>[\u4e00-\u9fff]{0,12}讯)\s*(?P<roles>(?:" + _ROLE_ALT + r").{1,60}?报道)"
    r"\s*[。:：,，]?\s*(?P<rest>.*)$",
    re.S,
)
#: ``…迈出关键一步。（记者 张三）``: a bracketed byline closing the last sentence.
_TAIL_BRACKET = re.compile(r"^(?P<rest>.*?[。！？!?”」』…])?\s*" + _BRACKETED + r"\s*$", re.S)
#: A ``key:value`` metadata pair.
META_KEY = re.compile(r"(?P<key>" + _ROLE_ALT + r"|图|文)\s*[:：/／|｜]\s*")


@dataclass
class Byline:
    """The people and outlet an article names, by role."""

    reporters: list[str] = field(default_factory=list)
    correspondents: list[str] = field(default_factory=list)
    photographers: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    source: str | None = None
    editor: str | None = None
    reviewer: str | None = None

    def add(self, role: str, value: str) -> None:
        """Add a name to a person role, or set the source, editor or reviewer."""
        if role in PERSON_ROLES:
            names: list[str] = getattr(self, role)
            if value not in names:
                names.append(value)
        elif role == "source":
            self.source = self.source or _outlet(value)
        elif role in ("editor", "reviewer"):
            setattr(self, role, getattr(self, role) or value)

    def merge(self, other: Byline) -> None:
        """Take what ``other`` found and this byline lacks."""
        for role in PERSON_ROLES:
            for name in getattr(other, role):
                self.add(role, name)
        for role in ("source", "editor", "reviewer"):
            if getattr(other, role):
                self.add(role, getattr(other, role))

    def __bool__(self) -> bool:
        return any(getattr(self, r) for r in PERSON_ROLES) or bool(self.source or self.editor or self.reviewer)


@dataclass
class Found:
    """A byline found in a paragraph: what it names, the byline as the page writes it, and what
    stays of the paragraph as prose (``""`` when the paragraph was nothing but the byline)."""

    byline: Byline
    written: str
    kept: str


def _outlet(value: str) -> str | None:
    """The source outlet, or None when the source is the portal itself."""
    value = value.strip(" 。" + _BRACKETS)
    return None if not value or value == site.SITE_NAME or value in ("本网", "本站") else value


def is_name(token: str) -> bool:
    """True for a token that can be a person's name: ``王敏``, ``欧阳修远``, ``阿卜杜·热合曼``, ``Li Wei``."""
    return bool(_NAME.match(token)) and not _NOT_NAME.search(token)


def _names(value: str) -> list[str] | None:
    """``张三、李四`` as names, or None when any part is not one."""
    names = [n for n in _SEPARATORS.split(value.strip(" :：" + _BRACKETS)) if n]
    return names if names and all(is_name(n) for n in names) else None


def _split_suffix(token: str, role: str | None) -> tuple[str, tuple[str, ...]]:
    """A name and the roles its glued suffix gives it (``王敏图文报道``, ``李四/图``)."""
    if _GLUE in token:
        name, work = token.split(_GLUE, 1)
        own = (role,) if role in PERSON_ROLES and role != "photographers" else ()
        return name, (own or ("authors",)) if work == "文" else ("photographers", *own)
    for suffix, roles in NAME_SUFFIXES:
        if token.endswith(suffix) and len(token) > len(suffix):
            return token[: -len(suffix)], roles
    return token, ()


def parse_roles(text: str, default_role: str | None = None) -> Byline | None:
    """Read a run of role words and names (``记者 张三 通讯员 李四``) into a Byline.

    Returns None when a token is neither a role word nor a plausible name, because then the text
    is prose, not a byline, and must stay in the body.
    """
    text, outlet = strip_outlets(text)
    text = _LOOSE_SUFFIX.sub(r"\1", text)
    text = _COMBINED.sub(f" {_BOTH} ", text)
    text = _WORK_SUFFIX.sub(lambda m: _GLUE + m.group(1), text)
    text = _SHORT_ROLE.sub(lambda m: " 摄影 " if m.group(1) in "图摄" else " 作者 ", text)
    text = _ROLE_WORD.sub(lambda m: f" {m.group(0)} ", text)
    byline, role, both = Byline(), default_role, False
    group: list[str] = []  # the names since the last role word, which a closing 摄 credits
    for token in _SEPARATORS.split(text.strip(" :：" + _BRACKETS)):
        token = token.strip(":：" + _BRACKETS)
        if not token or token in ("报道", "報導", "報道"):
            continue
        if token in ("摄", "攝"):
            _credit(byline, group, explicit=role is not None)
            group = []
            continue
        if token == _BOTH:
            both = True
            continue
        if token in ROLE_WORDS:
            role, group = ROLE_WORDS[token], []
            continue
        if role == "source":
            if not _OUTLET.match(token):
                return None
            byline.add(role, token)
            continue
        name, glued = _split_suffix(token, role)
        if not is_name(name):
            return None
        roles = glued or (role or ("authors" if both else "reporters"),)
        if glued == ("photographers",) and role in PERSON_ROLES:  # 记者 张三摄: a reporter who took the pictures
            roles = (role, *roles)
        for glued_role in (*roles, "photographers") if both else roles:
            byline.add(glued_role, name)
        group.append(name)
        if glued and not role and _GLUE not in token:  # 王敏报道 sets the role; 张三/文 is for 张三 alone
            role = glued[0]
    if outlet and not byline.source and byline:
        byline.add("source", outlet)
    return byline if byline else None


def _credit(byline: Byline, names: list[str], explicit: bool) -> None:
    """``… 张三 李四 摄``: the names before it took the pictures; named under no role word, that is
    all they did (they were read as reporters only by default)."""
    for name in names:
        if not explicit and name in byline.reporters:
            byline.reporters.remove(name)
        byline.add("photographers", name)


def strip_outlets(text: str) -> tuple[str, str | None]:
    """``新华社记者 张三`` as ``记者 张三``, and the outlet (None for the portal's own: 本报, 本网)."""
    outlets = [m.group("outlet") for m in _OUTLET_ROLE.finditer(text)]
    if not outlets:
        return text, None
    others = [o for o in outlets if not o.startswith("本") and _outlet(o)]  # 本报, 本网, the portal: no source
    return _OUTLET_ROLE.sub("", text), (others[0] if others else None)


def parse_meta_line(text: str) -> Byline | None:
    """Read a line made only of ``key:value`` pairs (``来源:经济日报 作者:张三``), else None.

    A line that only cites the portal itself (``来源：中国战略新兴产业网``) is still metadata: it
    gives an empty Byline, not None, so that it leaves the body all the same.
    """
    stripped = text.strip().strip(_BRACKETS).strip()
    if not META_KEY.match(stripped):  # the pairs are not looked for in prose, which is most lines
        return None
    pairs = list(META_KEY.finditer(stripped))
    byline = Byline()
    for pair, nxt in zip(pairs, [*pairs[1:], None], strict=True):
        value = stripped[pair.end() : nxt.start() if nxt else len(stripped)].strip(" ,，;；" + _BRACKETS)
        key = pair.group("key")
        role = {"图": "photographers", "文": "authors"}.get(key) or ROLE_WORDS[key]
        if not value or len(value) > 40:
            return None
        if role in PERSON_ROLES:
            people = parse_roles(value, default_role=role)
            if people is None:
                return None
            byline.merge(people)
        elif role == "source":
            outlet = value.split()[0]
            if not _OUTLET.match(outlet):
                return None
            byline.add(role, outlet)
        else:
            names = _names(value)
            if names is None:
                return None
            byline.add(role, "、".join(names))
    return byline


def _standalone(paragraph: str) -> Byline | None:
    """``记者 张三 摄影 李四``, ``新华社记者 张三``, ``文/图 张三``, ``张三 摄``: a short paragraph of
    person roles and names, and nothing else."""
    if len(paragraph) > 40:
        return None
    text = strip_outlets(paragraph.strip())[0]
    opening = _ROLE_WORD.match(text)
    if not (opening and ROLE_WORDS[opening.group(0)] in PERSON_ROLES) and not _COMBINED.match(text) \
            and not _CREDIT.search(text):
        return None
    return parse_roles(paragraph)


def _bracketed_roles(roles: str, need_role_word: bool) -> Byline | None:
    """What a bracket holds: role words and names (``记者 张三``) or metadata (``来源：经济日报``)."""
    meta = parse_meta_line(roles)
    if meta is not None:
        return meta
    text = strip_outlets(roles.strip())[0]
    if need_role_word and not (_ROLE_WORD.match(text) or _WORK_SUFFIX.search(text) or _COMBINED.match(text)
                               or _CREDIT.search(text)):
        return None
    return parse_roles(roles)


def _after_marker(split: Callable[[str], Found | None]) -> Callable[[str], Found | None]:
    """A splitter that also reads a byline set after a marker (``□ 本报记者 张三``), written with it."""

    @functools.wraps(split)
    def split_marked(paragraph: str) -> Found | None:
        marker = _MARKER.match(paragraph)
        if marker is None:
            return split(paragraph)
        found = split(paragraph[marker.end() :])
        if found is not None and paragraph[marker.end() :].strip().startswith(found.written[:1]):
            found.written = paragraph[: marker.end()].strip() + " " + found.written
        return found

    return split_marked


def caption_credit(caption: str | None) -> Byline | None:
    """The photographers an image caption credits: ``图为…（记者 张伟 摄）``, ``…。张伟 摄``."""
    if not caption:
        return None
    match = next((m for pattern in _CAPTION_CREDITS if (m := pattern.search(caption))), None)
    if match is None:
        return None
    found = parse_roles(match.group("credit"))
    return Byline(photographers=list(found.photographers)) if found is not None and found.photographers else None


def split_lead(paragraph: str) -> Found | None:
    """The byline a body's first paragraph opens with, or None.

    ``中国战略新兴产业网讯（记者 张三）11月24日…`` gives the byline, written as it stands, and
    ``11月24日…`` to keep; ``新华社北京11月24日电（记者 张三）…`` keeps its dateline in the prose.
    """
    match = _BRACKET_LEAD.match(paragraph)
    if match:
        dateline, outlet = match.group("dateline"), match.group("outlet") or ""
        byline = _bracketed_roles(match.group("roles"), need_role_word=not outlet)
        if byline is not None and dateline:
            bracket = paragraph[match.start("roles") - 1 : match.end("roles") + 1]
            return Found(byline, bracket, f"{dateline} {match.group('rest').strip()}".strip())
        if byline is not None:
            return Found(byline, paragraph[: match.start("rest")].strip(), match.group("rest").strip())
    match = _XUN_LEAD.match(paragraph)
    if match:
        byline = parse_roles(match.group("roles"))
        if byline is not None:
            return Found(byline, paragraph[: match.start("rest")].strip(" 。:：,，\u3000"), match.group("rest").strip())
    whole = parse_meta_line(paragraph)
    if whole is None:
        whole = _standalone(paragraph)
    return Found(whole, paragraph.strip(), "") if whole is not None else None


def split_tail(paragraph: str) -> Found | None:
    """The byline a body's last paragraph is or ends with (``（记者 张三）``, ``（来源：经济日报）``,
    ``责任编辑：张三 审核：李四``), or None."""
    whole = parse_meta_line(paragraph)
    if whole is None:
        whole = _standalone(paragraph)
    if whole is not None:
        return Found(whole, paragraph.strip(), "")
    match = _TAIL_BRACKET.match(paragraph) if paragraph.rstrip().endswith(_CLOSING) else None
    if match:
        byline = _bracketed_roles(match.group("roles"), need_role_word=True)
        if byline is not None:
            rest = (match.group("rest") or "").strip()
            return Found(byline, paragraph[len(match.group("rest") or "") :].strip(), rest)
    return None


split_lead = _after_marker(split_lead)
split_tail = _after_marker(split_tail)
