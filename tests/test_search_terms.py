"""The index terms: folding and bigrams equal their plain definitions, for every class of text.

``fold`` and ``grams`` take short cuts (full-width forms replaced before NFKC, bigrams laid out by
array slices); here they are held to the definitions written the plain way, character by character.
"""

from __future__ import annotations

import random
import unicodedata

import pytest

from archive.search import SENTINEL, START, fold, grams

pytestmark = pytest.mark.unit

PRIVATE = {chr(c): chr(0xE100 + c) for c in range(128) if not chr(c).isalnum()}


def plain_fold(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def plain_grams(text: str | None) -> str:
    folded = "".join(PRIVATE.get(c, c) for c in plain_fold(text)) + SENTINEL
    return START + " " + " ".join(folded[i : i + 2] for i in range(len(folded) - 1))


CLASSES = {
    "nothing": ["", None],
    "one character": ["中", "a", "，", " ", "\u3000", "\U00020000"],
    "chinese with full-width punctuation": ["新能源汽车产业，持续向好。", "“十四五”规划（2021—2025年）：发展！", "据《经济日报》报道；"],
    "full-width latin and digits": ["５Ｇ基站", "ＡＩ芯片ＡＢＣ", "ｉＰｈｏｎｅ１２", "２０２０年"],
    "ideographic and ascii spaces": ["记者\u3000王小明", "北京 上海\u3000\u3000广州", "  \t\n "],
    "marks after full-width forms": ["＜\u0338", "＝\u0338", "Ａ\u0301", "ｅ\u0301\u0323", "＞\u0338\u0338"],
    "marks after ascii": ["<\u0338", "e\u0301", "A\u030a"],
    "compatibility forms": ["ﬁ", "①②", "㈱", "Ⅻ", "㎡", "\u212b", "ｶﾀｶﾅ"],
    "hangul jamo that compose": ["\u1100\u1161\u11a8", "\u1100\u1161", "가각"],
    "cases beyond ascii": ["ΑΒΓ", "ДЖЗ", "İstanbul", "ß", "ǅ"],
    "astral and private": ["😀新闻😀", "\U00020000\U0002a6d6", "\ue000\ue001", "\uf8ff"],
    "lone surrogates": ["\ud800", "a\udc00b", "中\udfff"],
    "ascii punctuation and controls": ["a,b.c<d>e=f", "\x00\x01\x7f", "5G/6G-网络_[1]{2}", "\"'`~!@#$%^&*()"],
}


@pytest.mark.parametrize("text", [t for texts in CLASSES.values() for t in texts],
                         ids=[f"{name}-{i}" for name, texts in CLASSES.items() for i in range(len(texts))])
def test_fold_and_grams_are_their_definitions(text):
    assert fold(text) == plain_fold(text)
    assert grams(text) == plain_grams(text)


def test_random_mixtures_are_their_definitions():
    alphabet = [c for texts in CLASSES.values() for t in texts if t for c in t] + list("中国产业新兴")
    rng = random.Random(17)
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 9)))
        assert (fold(text), grams(text)) == (plain_fold(text), plain_grams(text)), repr(text)


def test_every_full_width_form_folds_as_nfkc_does():
    for code in [0x3000, *range(0xFF00, 0xFFF0)]:
        for text in (chr(code), chr(code) + "\u0338", "中" + chr(code) + "\u0301"):
            assert fold(text) == plain_fold(text), hex(code)
