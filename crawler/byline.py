"""Chinese news bylines, read into roles.

A byline names people by role: ``中国战略新兴产业网(王敏图文报道、通讯员杨盛岚、赵冠壹)`` is reporter
王敏, who also took the pictures, and correspondents 杨盛岚 and 赵冠壹. A role word applies to the
names after it until the next role word; a suffix such as 报道 or 图文报道 applies to the name it
is glued to. Metadata lines (``来源:经济日报``, ``责任编辑:赵六``) use ``key:value`` pairs instead.

Everything here is pure text in, :class:`Byline` out, so each form is a one-line table test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from crawler import site

PERSON_ROLES = ("reporters", "correspondents", "photographers", "authors")

#: Role words, longest first so that 本报记者 wins over 记者.
ROLE_WORDS: dict[str, str] = {
    "本报记者": "reporters",
    "本网记者": "reporters",
    "特约记者": "reporters",
    "见习记者": "reporters",
    "实习记者": "reporters",
    "首席记者": "reporters",
    "记者": "reporters",
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
#: A role suffix written apart from its name (``欧阳修远 摄影报道``) belongs to that name.
_LOOSE_SUFFIX = re.compile(r"(?<=[\u4e00-\u9fff])\s+(图文报道|摄影报道|圖文報導|攝影報導)(?=$|[\s、，,)）])")
#: ``图/张三`` and ``文/李四``: one-character roles, only in that slash or colon form.
_SHORT_ROLE = re.compile(r"(?:(?<=^)|(?<=[\s、，,(（]))(图|文|摄)\s*[/／:：|]\s*")
_SEPARATORS = re.compile(r"[\s、，,;；/／|]+")
_NAME = re.compile(r"^(?:[\u4e00-\u9fff·•]{2,6}|[A-Za-z][A-Za-z .'-]{1,40})$")
_BRACKETS = "()（）[]【】"

#: ``中国战略新兴产业网(…)``, ``本网讯（记者 张三）…``, ``(记者 张三)``: a bracketed lead.
_BRACKET_LEAD = re.compile(
    r"^\s*(?P<outlet>(?:" + re.escape(site.SITE_NAME) + r"|本网|本报|[\u4e00-\u9fff]{2,12}?)?讯?)"
    r"\s*[(（](?P<roles>[^()（）]{1,80})[)）]\s*(?P<rest>.*)$",
    re.S,
)
#: ``中国战略新兴产业网讯 记者 李四 王五 报道``: the roles run from 讯 to 报道.
_XUN_LEAD = re.compile(
    r"^\s*(?P<outlet>[\u4e00-\u9fff]{0,12}讯)\s*(?P<roles>(?:" + _ROLE_ALT + r").{1,60}?报道)"
    r"\s*[。:：,，]?\s*(?P<rest>.*)$",
    re.S,
)
#: A ``key:value`` metadata pair.
META_KEY = re.compile(r"(?P<key>" + _ROLE_ALT + r"|图|文)\s*[:：/／]\s*")


@dataclass
class Byline:
    """The people and outlet an article names, by role."""

    reporters: list[str] = field(default_factory=list)
    correspondents: list[str] = field(default_factory=list)
    photographers: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    source: str | None = None
    editor: str | None = None

    def add(self, role: str, value: str) -> None:
        """Add a name to a person role, or set the source or editor."""
        if role in PERSON_ROLES:
            names: list[str] = getattr(self, role)
            if value not in names:
                names.append(value)
        elif role == "source":
            self.source = self.source or _outlet(value)
        elif role == "editor":
            self.editor = self.editor or value

    def merge(self, other: Byline) -> None:
        """Take what ``other`` found and this byline lacks."""
        for role in PERSON_ROLES:
            for name in getattr(other, role):
                self.add(role, name)
        if other.source:
            self.add("source", other.source)
        if other.editor:
            self.add("editor", other.editor)

    def __bool__(self) -> bool:
        return any(getattr(self, r) for r in PERSON_ROLES) or bool(self.source or self.editor)


def _outlet(value: str) -> str | None:
    """The source outlet, or None when the source is the portal itself."""
    value = value.strip(" 。" + _BRACKETS)
    return None if not value or value == site.SITE_NAME or value in ("本网", "本站") else value


def _split_suffix(token: str) -> tuple[str, tuple[str, ...]]:
    for suffix, roles in NAME_SUFFIXES:
        if token.endswith(suffix) and len(token) > len(suffix):
            return token[: -len(suffix)], roles
    return token, ()


def parse_roles(text: str, default_role: str | None = None) -> Byline | None:
    """Read a run of role words and names (``记者 张三 通讯员 李四``) into a Byline.

    Returns None when a token is neither a role word nor a plausible name, because then the text
    is prose, not a byline, and must stay in the body.
    """
    text = _LOOSE_SUFFIX.sub(r"\1", text)
    text = _SHORT_ROLE.sub(lambda m: " 摄影 " if m.group(1) in "图摄" else " 作者 ", text)
    text = _ROLE_WORD.sub(lambda m: f" {m.group(0)} ", text)
    byline, role = Byline(), default_role
    for token in _SEPARATORS.split(text.strip(" :：" + _BRACKETS)):
        token = token.strip(":：" + _BRACKETS)
        if not token or token in ("报道", "摄", "報導", "報道", "攝"):
            continue
        if token in ROLE_WORDS:
            role = ROLE_WORDS[token]
            continue
        name, glued = _split_suffix(token)
        if role in ("source", "editor"):
            byline.add(role, token)
            continue
        if not _NAME.match(name):
            return None
        for glued_role in glued or (role or "reporters",):
            byline.add(glued_role, name)
        if glued and not role:
            role = glued[0]
    return byline if byline else None


def parse_meta_line(text: str) -> Byline | None:
    """Read a line made only of ``key:value`` pairs (``来源:经济日报 作者:张三``), else None.

    A line that only cites the portal itself (``来源：中国战略新兴产业网``) is still metadata: it
    gives an empty Byline, not None, so that it leaves the body all the same.
    """
    stripped = text.strip().strip(_BRACKETS).strip()
    pairs = list(META_KEY.finditer(stripped))
    if not pairs or pairs[0].start() != 0:
        return None
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
        else:
            byline.add(role, value.split()[0])
    return byline


def split_lead(paragraph: str) -> tuple[Byline | None, str]:
    """Split a body's first paragraph into its byline and the prose after it.

    ``中国战略新兴产业网讯（记者 张三）11月24日…`` gives the byline and ``11月24日…``; a paragraph
    that opens with no byline comes back whole, with None.
    """
    for pattern in (_BRACKET_LEAD, _XUN_LEAD):
        match = pattern.match(paragraph)
        if not match:
            continue
        outlet = match.group("outlet") or ""
        roles = match.group("roles")
        if pattern is _BRACKET_LEAD and not outlet and not _ROLE_WORD.search(roles):
            continue
        byline = parse_roles(roles)
        if byline is not None:
            return byline, match.group("rest").strip()
    meta = parse_meta_line(paragraph)
    if meta is not None:
        return meta, ""
    if len(paragraph) <= 40 and _ROLE_WORD.match(paragraph.strip()):
        standalone = parse_roles(paragraph)
        if standalone is not None:
            return standalone, ""
    return None, paragraph
