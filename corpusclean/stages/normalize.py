"""Make every document well-formed, plain UTF-8 text before the rules and deduplication see it.

Removes invisible and meaningless code points, normalises line endings and blanks, takes out the padding
spaces page extraction leaves inside Chinese text, and (recipe options) puts punctuation and Latin
letters into the widths Chinese corpora use. Each step is a small function; the stage keeps per-document
counts in ``meta["normalize"]`` and a ``chars`` receipt for what it removed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

from corpusclean.document import Document
from corpusclean.stage import Editor

# Everything a clean Chinese page is made of; text with nothing outside it skips the per-character work.
_ORDINARY = re.compile(
    "[^\n\x20-\x7e\xa1-\xac\xae-\xff\u4e00-\u9fff\u3001-\u303f\uff01-\uffee\u2010-\u2027\u2030-\u205e]"
)

# Kinds of removed characters, by Unicode category or code point; the kind is the receipt's rule id.
_FORMAT_INVISIBLE = {0x00AD: "soft_hyphen", 0xFEFF: "bom", 0x180E: "zero_width"}
_FORMAT_INVISIBLE.update({cp: "zero_width" for cp in [*range(0x200B, 0x2010), *range(0x2060, 0x2065)]})
_FORMAT_INVISIBLE.update({cp: "bidi_control" for cp in [*range(0x202A, 0x202F), *range(0x2066, 0x2070)]})
_FORMAT_INVISIBLE.update({cp: "zero_width" for cp in range(0xFFF9, 0xFFFC)})
_LINE_BREAKS = {"\r\n": "\n", "\r": "\n", "\x0b": "\n", "\x0c": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n"}
_LINE_BREAK = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
_SURROGATE = re.compile("[\ud800-\udfff]")


@functools.cache
def _kind_of(ch: str) -> str | None:
    """Why ``ch`` is removed (the receipt rule), or None to keep it."""
    cp = ord(ch)
    kind = _FORMAT_INVISIBLE.get(cp)
    if kind:
        return kind
    category = unicodedata.category(ch)
    if category == "Cc":
        return None if ch in "\n\t" else "control"
    if category == "Co":
        return "private_use"
    if category == "Cn":
        return "unassigned"
    return None


def remove_invisible(text: str, removed: dict[str, list[str]]) -> str:
    """Drop control, zero-width, BOM, soft-hyphen, bidi, private-use and unassigned code points.

    They are invisible or meaningless in training text (private-use characters are icon-font glyphs),
    and they split words for deduplication. What was removed is collected in ``removed`` by kind.

    >>> removed = {}
    >>> remove_invisible("\\ufeff深圳\\u200b毕节\\x07\\ue000", removed)
    '深圳毕节'
    >>> sorted(removed)
    ['bom', 'control', 'private_use', 'zero_width']
    """
    def check(match: re.Match[str]) -> str:
        ch = match.group()
        kind = _kind_of(ch)
        if kind is None:
            return ch
        removed.setdefault(kind, []).append(ch)
        return ""

    return _ORDINARY.sub(check, text)


# Blanks: every width of space becomes " ". Tabs stay (they can separate table cells).
_SPACES = re.compile("[\xa0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_BLANK_RUN = re.compile("[ \t]+")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WIDE_PUNCT = "\u3001-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
_IS_HAN = re.compile(f"[{_HAN}]")
_IS_WIDE = re.compile(f"[{_HAN}{_WIDE_PUNCT}]")
_IS_DIGIT = re.compile("[0-9]")


def fold_blanks(text: str) -> str:
    """Turn no-break, ideographic and other wide spaces into plain spaces, fold runs of blanks, trim
    each line, and drop the padding spaces page extraction leaves inside Chinese text.

    Chinese prose has no spaces: a space next to full-width punctuation, or between a Chinese character
    and a number, is layout padding. Between two Chinese characters only a single ordinary space is
    kept (it may separate keywords or verse halves); wider runs (no-break or ideographic spaces, several
    blanks) are padding. Spaces between Latin words and numbers, and between Chinese and Latin words,
    are kept (folded to one).

    >>> fold_blanks(" 1996 \\xa0年深圳，11 \\xa0 \\xa028 \\xa0 \\xa0下午 CZ***74 \\xa0航班")
    '1996年深圳，11 28下午 CZ***74航班'
    >>> fold_blanks("使用  Python 3.11 编程，北京 上海\\u3000\\u3000广州")
    '使用 Python 3.11编程，北京 上海广州'
    """
    text = _SPACES.sub(" ", text)
    if " " not in text and "\t" not in text:
        return text

    def blank(match: re.Match[str]) -> str:
        start, end = match.span()
        s = match.string
        if start == 0 or end == len(s) or s[start - 1] == "\n" or s[end] == "\n":
            return ""  # line edges
        left, right = s[start - 1], s[end]
        wide_left, wide_right = _IS_WIDE.match(left), _IS_WIDE.match(right)
        if wide_left and wide_right:
            if _IS_HAN.match(left) and _IS_HAN.match(right) and match.group() == " ":
                return " "
            return ""
        if (wide_left and (_IS_DIGIT.match(right) or not right.isascii())) or (
            wide_right and (_IS_DIGIT.match(left) or not left.isascii())
        ):
            return ""
        if (wide_left and right in "*＊") or (wide_right and left in "*＊"):
            return ""
        if (wide_left or wide_right) and (_IS_DIGIT.match(left) or _IS_DIGIT.match(right)):
            return ""
        if match.group() == "\t":
            return "\t"
        return " "

    return _BLANK_RUN.sub(blank, text)


_FULLWIDTH_ALNUM = {cp: cp - 0xFEE0 for cp in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]}
_FULLWIDTH_ALNUM_RUN = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+")


def halfwidth_alnum(text: str) -> str:
    """Full-width Latin letters and digits (２０２１, ＡＢＣ) become ASCII.

    They are a typing artefact of Chinese input methods, not content: "２０２１年" and "2021年" are the
    same text, and tokenizers and deduplication should see them so. Full-width punctuation is content
    and stays.

    >>> halfwidth_alnum("２０２１年，ＧＤＰ增长")
    '2021年，GDP增长'
    """
    return _FULLWIDTH_ALNUM_RUN.sub(lambda m: m.group().translate(_FULLWIDTH_ALNUM), text)


# Half-width punctuation between Chinese characters. The character before must be Chinese (so 3.14,
# 1,000, URLs, code and English sentences are never touched) and the one after Chinese, a quote, the
# end of the line, or (for , ; :) a digit.
_NARROW_PUNCT = re.compile(rf"([,;:!?])(?=[{_HAN}“‘《（「『0-9]|\n|$)|(\.)(?=[{_HAN}“‘《（「』”’]|\n|$)")
_BEFORE_PUNCT = re.compile(f"[{_HAN}”’》）」』]")
_TO_WIDE = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？", ".": "。"}
_NARROW_PARENS = re.compile(rf"(?<=[{_HAN}])\(([{_HAN}{_WIDE_PUNCT}0-9]+)\)")


def fullwidth_punctuation(text: str) -> str:
    """Half-width punctuation inside Chinese sentences becomes full-width: ",。" style.

    The convention of Chinese text and corpora; mixed widths make the same sentence look like two to
    deduplication. A mark is converted only when a Chinese character stands before it, so numbers,
    URLs, code and English text keep theirs; parentheses only when they hold Chinese (not pinyin).

    >>> fullwidth_punctuation("兩省進行座談交流,深入對接.伯恩光學(惠州)")
    '兩省進行座談交流，深入對接。伯恩光學（惠州）'
    >>> fullwidth_punctuation("圆周率3.14,共1,000人,见 http://a.cn/x?a=1.")
    '圆周率3.14,共1,000人，见 http://a.cn/x?a=1.'
    """
    def widen(match: re.Match[str]) -> str:
        start = match.start()
        if start and _BEFORE_PUNCT.match(match.string, start - 1):
            return _TO_WIDE[match.group()]
        return match.group()

    text = _NARROW_PUNCT.sub(widen, text)
    if "(" in text:
        text = _NARROW_PARENS.sub(r"（\1）", text)
    return text


_MASK = re.compile(r"[*＊]{3,}|[xX×]{4,}")
_MASK_HINTS = ("***", "＊＊＊", "xxxx", "XXXX", "××××")


def count_masking(text: str) -> int:
    """Runs of masking characters ("******", "CZ***74"): the page hid something. Counted, not removed:
    the sentence around them is still text, and the count is a quality signal for the filters.

    >>> count_masking("乘坐CZ***74航班，电话138****1234")
    2
    """
    if not any(hint in text for hint in _MASK_HINTS):
        return 0
    return len(_MASK.findall(text))


_MODES_PUNCT = ("fullwidth", "keep")
_MODES_ALNUM = ("halfwidth", "keep")


class Normalize(Editor):
    """Well-formed text: invisible characters out, one kind of line break and space, no padding in
    Chinese text, Chinese punctuation widths (``punctuation``) and ASCII letters and digits (``alnum``).

    >>> doc = Document(id="1", text="\\ufeff 1996 \\xa0年,深圳\\u200b开始对口帮扶.\\r\\n２０２１年")
    >>> Normalize().edit(doc)
    '1996年，深圳开始对口帮扶。\\n2021年'
    >>> doc.meta["normalize"]["removed"]
    {'bom': 1, 'zero_width': 1}
    """

    name = "normalize"

    def __init__(self, *, punctuation: str = "fullwidth", alnum: str = "halfwidth", surrogate: str = "\ufffd") -> None:
        if punctuation not in _MODES_PUNCT:
            raise ValueError(f"punctuation must be one of {', '.join(_MODES_PUNCT)}, got {punctuation!r}")
        if alnum not in _MODES_ALNUM:
            raise ValueError(f"alnum must be one of {', '.join(_MODES_ALNUM)}, got {alnum!r}")
        if len(surrogate) > 1:
            raise ValueError(f"surrogate must be one character or empty, got {surrogate!r}")
        self.punctuation = punctuation
        self.alnum = alnum
        self.surrogate = surrogate

    def describe(self) -> dict[str, Any]:
        return {"stage": self.name, "punctuation": self.punctuation, "alnum": self.alnum,
                "unicode": unicodedata.unidata_version}

    def edit(self, doc: Document) -> str:
        text = doc.text
        removed: dict[str, list[str]] = {}
        surrogates = 0
        if _ORDINARY.search(text) is not None or "\r" in text:
            text = _LINE_BREAK.sub(lambda m: _LINE_BREAKS[m.group()], text)
            if _SURROGATE.search(text):
                surrogates = len(_SURROGATE.findall(text))
                text = _SURROGATE.sub(self.surrogate, text)
            text = remove_invisible(text, removed)
        text = fold_blanks(text)
        if self.alnum == "halfwidth":
            text = halfwidth_alnum(text)
        if self.punctuation == "fullwidth":
            widened = fullwidth_punctuation(text)
            if widened != text:  # a space next to a now full-width mark is padding too
                text = fold_blanks(widened)
        for kind, chars in removed.items():
            if kind in ("private_use", "unassigned", "control"):
                doc.record_removal(self.name, kind, "".join(chars), kind="chars")
        masked = count_masking(text)
        if removed or surrogates or masked:
            meta: dict[str, Any] = {}
            if removed:
                meta["removed"] = {kind: len(chars) for kind, chars in sorted(removed.items())}
            if surrogates:
                meta["surrogates"] = surrogates
            if masked:
                meta["masked"] = masked
            doc.meta["normalize"] = meta
        return text
