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

import numpy as np

from corpusclean.document import Document
from corpusclean.stage import Editor
from corpusclean.text import table_cache
from corpusclean.text.charclass import regex_class
from corpusclean.text.codepoints import NUMPY_MIN_CHARS, code_points
from corpusclean.text.mojibake import gate_signs

# Kinds of removed characters, by Unicode category or code point; the kind is the receipt's rule id.
_FORMAT_INVISIBLE = {0x00AD: "soft_hyphen", 0xFEFF: "bom", 0x180E: "zero_width"}
_FORMAT_INVISIBLE.update({cp: "zero_width" for cp in [*range(0x200B, 0x2010), *range(0x2060, 0x2065)]})
_FORMAT_INVISIBLE.update({cp: "bidi_control" for cp in [*range(0x202A, 0x202F), *range(0x2066, 0x2070)]})
_FORMAT_INVISIBLE.update({cp: "zero_width" for cp in range(0xFFF9, 0xFFFC)})
_LINE_BREAKS = {"\r\n": "\n", "\r": "\n", "\x0b": "\n", "\x0c": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n"}
_LINE_BREAK = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _removal_kind(ch: str) -> str | None:
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


_kind_of = functools.cache(_removal_kind)


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

    return _invisible().sub(check, text)


@functools.cache
def _invisible_bmp_points() -> tuple[int, ...]:
    # Measured from this Python's Unicode database (what is unassigned changes between versions): the
    # BMP takes ~0.08 s, so it is measured once per machine (corpusclean.text.table_cache, keyed by the Python
    # version and this module's source). Astral characters are left to :func:`_kind_of` one by one.
    return table_cache.load_or_build("normalize", _measure_invisible_bmp_points, version=1,
                                     sources=("corpusclean.stages.normalize",))


def _measure_invisible_bmp_points() -> tuple[int, ...]:
    return tuple(cp for cp in range(0x10000) if not 0xD800 <= cp < 0xE000 and _removal_kind(chr(cp)))


def _invisible_bmp() -> str:
    return regex_class(_invisible_bmp_points())


@functools.cache
def _invisible() -> re.Pattern[str]:
    """Exactly the BMP characters :func:`_kind_of` removes, and every astral character."""
    return re.compile(f"[{_invisible_bmp()}\\U00010000-\\U0010ffff]")


# Blanks: every width of space becomes " ". Tabs stay (they can separate table cells).
_SPACES = re.compile("[\xa0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WIDE_PUNCT = "\u3001-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
_WIDE_PUNCT_CHARS = "".join(chr(cp) for a, b in re.findall("(.)-(.)", _WIDE_PUNCT) for cp in range(ord(a), ord(b) + 1))


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


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
    return _fold_blank_runs(_SPACES.sub(" ", text))


# Which blank runs change, and into what (see _fold_runs): a run at a line edge goes; a lone blank goes
# beside a full-width mark, between Chinese and a digit, "*" or a non-ASCII sign, and a lone tab between
# Chinese; a longer run goes between Chinese and Chinese, a digit, "*" or a non-ASCII sign, and becomes
# one space elsewhere. A lone space between two Chinese characters, or between Chinese and a Latin word,
# stays. Two passes of the C engine do this (:func:`_dropped_blanks`, then longer runs become a space)
# without a Python call per run. Each pattern starts with the blank, so the engine skips ahead to blanks
# (to spaces alone, faster, when the text has no tab); each run is matched whole, from its first blank.
_LEADING_BLANKS = re.compile("\n[ \t]+")
_WIDE = f"[{_HAN}{_WIDE_PUNCT}]"
_WIDE_NOT_HAN = f"[{_WIDE_PUNCT}]"
_DIGIT_STAR_OR_FOREIGN = f"[^\x00-\x29\x2b-\x2f\x3a-\x7f{_HAN}{_WIDE_PUNCT}]"  # 0-9, *, non-ASCII not wide
_LONE_BLANK_GOES = (
    rf"(?<={_WIDE}\s)(?={_DIGIT_STAR_OR_FOREIGN}|{_WIDE_NOT_HAN})"
    rf"|(?<={_DIGIT_STAR_OR_FOREIGN}\s)(?={_WIDE})|(?<={_WIDE_NOT_HAN}\s)(?={_WIDE})"
)


def _blank_runs_to_check(blank: str) -> re.Pattern[str]:
    """Every run :func:`_fold_runs` may change (the reference the faster passes are tested against)."""
    return re.compile(
        rf"{blank}(?:{blank}+"
        rf"|(?<![^\n]{blank})|(?![^\n])"  # line edges
        rf"|{_LONE_BLANK_GOES}"
        rf"|(?<={_WIDE}\t)(?={_WIDE}))"
    )


def _dropped_blanks(blank: str) -> re.Pattern[str]:
    """The runs of ``blank`` that go: at a line edge, lone where a lone blank goes, longer where a longer
    run goes."""
    return re.compile(
        rf"{blank}(?<!{blank}{blank})"  # the run's first blank
        rf"(?:(?<![^\n]{blank}){blank}*|{blank}*(?![^\n])"  # line edges
        rf"|(?!{blank})(?:{_LONE_BLANK_GOES}" + (rf"|(?<={_WIDE}\t)(?={_WIDE})" if blank == "\t" else "") + ")"
        rf"|(?<={_WIDE}{blank}){blank}+(?={_WIDE}|{_DIGIT_STAR_OR_FOREIGN})"
        rf"|(?<={_DIGIT_STAR_OR_FOREIGN}{blank}){blank}+(?={_WIDE}))"
    )


_TAB_BETWEEN_WIDE = re.compile(f"\t(?<={_WIDE}\t)(?={_WIDE})")
# One pass over every blank (what the passes below are tested against): its pattern starts with a class,
# which the engine tests at every character, at three times the cost of a pattern that starts with one.
_BLANK_RUN_TO_CHECK = _blank_runs_to_check("[ \t]")
# A run of both spaces and tabs, matched whole from its first blank (one pattern for each kind of first
# blank, so that each starts with a literal character).
_TAB_BESIDE_SPACE = re.compile("\t(?:(?<= \t)| )")  # ("\t " in text: slow on text with many spaces)
_MIXED_RUN_FROM_SPACE = re.compile(" (?<![ \t] )[ \t]*\t[ \t]*")
_MIXED_RUN_FROM_TAB = re.compile("\t(?<![ \t]\t)[ \t]* [ \t]*")
_DROPPED_SPACES = _dropped_blanks(" ")
_DROPPED_TABS = _dropped_blanks("\t")
# What is left after those passes of runs longer than one: each becomes one space.
_SPACE_RUN = re.compile("  +")
_TAB_RUN = re.compile("\t\t+")


def _fold_blank_runs(text: str) -> str:
    if "\t" not in text:
        if " " not in text:
            return text
        return _SPACE_RUN.sub(" ", _DROPPED_SPACES.sub("", text))
    text = _TAB_BETWEEN_WIDE.sub("", text)  # a tab between Chinese characters or marks separates nothing
    if _TAB_BESIDE_SPACE.search(text) is not None:
        # A run of spaces and tabs becomes what two spaces between the same characters become ("" or " ",
        # never a tab: see _fold_runs), so it can be written as two spaces first.
        text = _MIXED_RUN_FROM_TAB.sub("  ", _MIXED_RUN_FROM_SPACE.sub("  ", text))
    # No space touches a tab, so every blank run is all spaces or all tabs, and no run's neighbours are
    # blanks the other passes change: passes whose patterns start with one literal character (which the
    # engine skips ahead to) give what one pass of the "[ \t]" pattern does, at a fraction of its cost.
    # (Removing runs never changes what another run stands between: their neighbours are not blanks.)
    text = _SPACE_RUN.sub(" ", _DROPPED_SPACES.sub("", text))
    return _TAB_RUN.sub(" ", _DROPPED_TABS.sub("", text))


def _fold_runs(text: str, runs: re.Pattern[str]) -> str:
    """Each blank run ``runs`` matches becomes one blank or none, by what stands either side of it: the
    rule, spelled out (the passes of :func:`_fold_blank_runs` are tested against it)."""

    def blank(match: re.Match[str]) -> str:
        start, end = match.span()
        s = match.string
        if start == 0 or end == len(s) or s[start - 1] == "\n" or s[end] == "\n":
            return ""  # line edges
        left, right = s[start - 1], s[end]
        # String comparisons, not regex calls: this runs for every blank run that may change.
        han_left, han_right = _is_han(left), _is_han(right)
        wide_left = han_left or left in _WIDE_PUNCT_CHARS
        wide_right = han_right or right in _WIDE_PUNCT_CHARS
        if wide_left and wide_right:
            return " " if han_left and han_right and match.group() == " " else ""
        if (wide_left and ("0" <= right <= "9" or not right.isascii() or right == "*")) or (
            wide_right and ("0" <= left <= "9" or not left.isascii() or left == "*")
        ):
            return ""
        if match.group() == "\t":
            return "\t"
        return " "

    return runs.sub(blank, text)


_FULLWIDTH_ALNUM = {cp: cp - 0xFEE0 for cp in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]}
_FULLWIDTH_ALNUM_CHARS = "\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"
# "[x][x]*" rather than "[x]+": a pattern that starts with a class lets the engine skip ahead to it.
_FULLWIDTH_ALNUM_RUN = re.compile(f"[{_FULLWIDTH_ALNUM_CHARS}][{_FULLWIDTH_ALNUM_CHARS}]*")


def halfwidth_alnum(text: str) -> str:
    """Full-width Latin letters and digits (２０２１, ＡＢＣ) become ASCII.

    They are a typing artefact of Chinese input methods, not content: "２０２１年" and "2021年" are the
    same text, and tokenizers and deduplication should see them so. Full-width punctuation is content
    and stays.

    >>> halfwidth_alnum("２０２１年，ＧＤＰ增长")
    '2021年，GDP增长'
    """
    return _FULLWIDTH_ALNUM_RUN.sub(lambda m: m.group().translate(_FULLWIDTH_ALNUM), text)


# Half-width punctuation between Chinese characters. The character before must be Chinese or a closing
# mark (so 3.14, 1,000, URLs, code and English sentences are never touched) and the one after Chinese, a
# quote, the end of the line, or (for , ; :) a digit. One pattern per mark, each starting with the mark
# itself: the engine skips ahead to it as fast as str.find, and every match is replaced by a plain string.
_BEFORE_PUNCT = f"[{_HAN}”’》）」』]"
_NARROW_PUNCT = {
    mark: (re.compile(rf"{re.escape(mark)}(?<={_BEFORE_PUNCT}.)(?={after}|\n|$)"), wide)
    for mark, wide, after in [
        *((m, w, f"[{_HAN}“‘《（「『0-9]") for m, w in zip(",;:!?", "，；：！？", strict=True)),
        (".", "。", f"[{_HAN}“‘《（「』”’]"),
    ]
}
_NARROW_PARENS = re.compile(rf"\((?<=[{_HAN}]\()([{_HAN}{_WIDE_PUNCT}0-9]+)\)")


def _widen_marks(text: str, present: int | None = None) -> str:
    # A mark stands between two non-blanks, so widening it never changes what a blank run is next to.
    # Nor does it change whether another mark qualifies: the marks apply in any order.
    # ``present``: the step bits of the text, when known (one bit per mark; see _steps_with_work).
    for mark, (pattern, wide) in _NARROW_PUNCT.items():
        if (mark in text) if present is None else (present & _COMMON_BITS[mark]):
            text = pattern.sub(wide, text)
    return text


def _wide_parens(match: re.Match[str]) -> str:
    return f"（{match[1]}）"  # (a function: sub() parses a template at every call)


_BLANK_AFTER_PAREN = re.compile("）[ \t]")


def _refold_after_parens(text: str) -> str:
    """Fold again the lines where a blank follows a now full-width parenthesis: it may be padding too.
    Blank runs elsewhere are as fold_blanks left them (folding again would not change them), and
    folding looks at nothing across a line break, so each such line is folded on its own.

    >>> _refold_after_parens("惠州（分厂） 有限公司\\n A  B ")
    '惠州（分厂）有限公司\\n A  B '
    """
    pieces: list[str] = []
    done = 0
    for match in _BLANK_AFTER_PAREN.finditer(text):
        start = text.rfind("\n", 0, match.start()) + 1
        if start < done:
            continue  # a line already folded
        end = text.find("\n", match.end())
        end = len(text) if end < 0 else end
        pieces += [text[done:start], _fold_blank_runs(text[start:end])]
        done = end
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


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
    text = _widen_marks(text)
    if "(" in text:
        text = _NARROW_PARENS.sub(r"（\1）", text)
    return text


_MASK = re.compile(r"[*＊]{3,}|[xX×]{4,}")
# Its two kinds of run, counted apart: a pattern that starts with a class lets the engine skip ahead
# to it, one that starts with a choice is tried at every character. (The runs share no character.)
_MASK_STARS = re.compile(r"[*＊][*＊]{2,}")
_MASK_CROSSES = re.compile(r"[xX×][xX×]{3,}")
_MASK_HINTS = ("***", "＊＊＊", "xxxx", "XXXX", "××××")


def count_masking(text: str, present: int | None = None) -> int:
    """Runs of masking characters ("******", "CZ***74"): the page hid something. Counted, not removed:
    the sentence around them is still text, and the count is a quality signal for the filters.
    ``present``: the step bits of the text, when known (only the signs it holds are looked for).

    >>> count_masking("乘坐CZ***74航班，电话138****1234")
    2
    """
    if not any((hint[0] in text if present is None else present & _COMMON_BITS[hint[0]]) and hint in text
               for hint in _MASK_HINTS):  # one character first: faster
        return 0
    return len(_MASK_STARS.findall(text)) + len(_MASK_CROSSES.findall(text))


# --- which steps have work: one pass over the text ----------------------------------------------------

# Each character some step acts on has a bit saying which step; the OR of the bits over the text says
# which steps to run. Clean text holds few or none of the rare characters, so most steps are skipped
# without a pass of their own. The common ones (blanks, ASCII marks, masking signs) have a bit each too,
# read from the numpy pass over long texts, so that later steps need not look for them one by one (in
# Chinese text even ``"*" in text`` is slow: memchr stops at every 个, U+4E2A). Short texts get all of
# these bits (``COMMON``: "may be there") and the steps look for themselves.
LINE_BREAK, SURROGATE, INVISIBLE, IDEOGRAPHIC_SPACE, NO_BREAK_SPACE, OTHER_SPACE, FULLWIDTH_ALNUM = (
    1, 2, 4, 8, 16, 32, 64
)
_MASK_SIGN_CHARS = "".join(hint[0] for hint in _MASK_HINTS)
_COMMON_BITS = {ch: 128 << i for i, ch in enumerate(" \t(" + "".join(_NARROW_PUNCT) + _MASK_SIGN_CHARS)}
SPACE, TAB, NARROW_PAREN = _COMMON_BITS[" "], _COMMON_BITS["\t"], _COMMON_BITS["("]
MASK_SIGNS = sum(_COMMON_BITS[ch] for ch in _MASK_SIGN_CHARS)
COMMON = sum(_COMMON_BITS.values())
_LATIN_MASK_SIGNS = _COMMON_BITS["x"] | _COMMON_BITS["X"]
# Not a step of its own: a character some match of the mojibake gate needs (mojibake.gate_signs). Text
# without one looks clean to the mojibake stage and filter, and no step here puts one in (they delete
# characters or write blanks, line breaks, ASCII and full-width marks), except a surrogate's replacement.
GATE_SIGN = 128 << len(_COMMON_BITS)
_WIDE_SPACES = frozenset("\xa0\u1680\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B))))


def _step_bits(ch: str) -> int:
    """The step of :class:`Normalize` that acts on ``ch`` (0 if none of the gated ones does).

    >>> _step_bits("\\u3000") == IDEOGRAPHIC_SPACE, _step_bits("\\u200b") == INVISIBLE, _step_bits("中")
    (True, True, 0)
    >>> _step_bits("\\ufffd") == GATE_SIGN, _step_bits("×") == _COMMON_BITS["×"] | GATE_SIGN
    (True, True)
    """
    if ch in _gate_signs():
        return _one_step(ch) | GATE_SIGN
    return _one_step(ch)


_gate_signs = functools.cache(lambda: frozenset(gate_signs()))


def _one_step(ch: str) -> int:
    if ch in "\r\x0b\x0c\x85\u2028\u2029":
        return LINE_BREAK
    if "\ud800" <= ch <= "\udfff":
        return SURROGATE
    if ch == "\u3000":
        return IDEOGRAPHIC_SPACE
    if ch == "\xa0":
        return NO_BREAK_SPACE
    if ch in _WIDE_SPACES:
        return OTHER_SPACE
    if 0xFF10 <= ord(ch) <= 0xFF5A and ord(ch) in _FULLWIDTH_ALNUM:
        return FULLWIDTH_ALNUM
    if ord(ch) > 0xFFFF or _kind_of(ch):  # astral characters are checked one by one by remove_invisible
        return INVISIBLE
    return _COMMON_BITS.get(ch, 0)


@functools.cache
def _rare() -> re.Pattern[str]:
    """Every character :func:`_step_bits` gives a bit (for short texts)."""
    return re.compile(
        f"[{_invisible_bmp()}\\U00010000-\\U0010ffff\\r\\x0b\\x0c\\x85\\u2028\\u2029\\ud800-\\udfff"
        f"{_SPACES.pattern[1:-1]}{_FULLWIDTH_ALNUM_CHARS}{regex_class(map(ord, gate_signs()))}]"
    )


@functools.cache
def _bits_table() -> Any:
    """:func:`_step_bits` of every BMP character, as a numpy lookup table (for long texts). Astral code
    points are clipped to U+FFFF, a noncharacter, so they get the INVISIBLE bit as in :func:`_step_bits`."""
    table = np.zeros(0x10000, dtype=np.uint32)
    candidates = [*_invisible_bmp_points(), *range(0xD800, 0xE000), *map(ord, "\r\x0b\x0c\x85\u2028\u2029"),
                  *map(ord, _WIDE_SPACES), *_FULLWIDTH_ALNUM, *map(ord, _COMMON_BITS), *map(ord, gate_signs())]
    for cp in candidates:
        table[cp] = _step_bits(chr(cp))
    table[0xFFFF] |= INVISIBLE
    return table


def _steps_with_work(text: str) -> int:
    """The OR of :func:`_step_bits` over ``text``: one C-level pass (numpy for long texts).

    >>> _steps_with_work("深圳\\u3000毕节") == IDEOGRAPHIC_SPACE | COMMON, _steps_with_work("深圳毕节。" * 200)
    (True, 0)
    >>> _steps_with_work("深圳, 毕节" * 200) == _COMMON_BITS[","] | SPACE
    True
    """
    if len(text) < NUMPY_MIN_CHARS:
        bits = COMMON
        for ch in set(_rare().findall(text)):
            bits |= _step_bits(ch)
        return bits
    return int(np.bitwise_or.reduce(np.take(_bits_table(), code_points(text), mode="clip")))


# Scratch entries that hold the string they describe and count only while ``doc.text`` is that very
# object (an editor in between leaves a new string): the step bits of a text, measured by the mojibake
# stage and reused here; and normalize's output when it holds no gate sign, for the mojibake filter.
_STEPS_SCRATCH = "normalize_steps"
_NO_GATE_SIGN_SCRATCH = "normalize_no_gate_sign"


def character_steps(doc: Document, *, take: bool = False) -> int:
    """:func:`_steps_with_work` of ``doc.text``, kept in ``doc.scratch`` for :class:`Normalize`: the
    mojibake stage, which runs first, reads its :data:`GATE_SIGN` bit instead of scanning clean text with
    the gate's regex, and normalize, which takes the value out (``take``), need not look at every character again.

    >>> doc = Document(id="1", text="深圳\u3000毕节")
    >>> character_steps(doc) & (GATE_SIGN | IDEOGRAPHIC_SPACE) == IDEOGRAPHIC_SPACE
    True
    >>> character_steps(doc, take=True) == character_steps(doc), "normalize_steps" in doc.scratch
    (True, True)
    """
    found = doc.scratch.pop(_STEPS_SCRATCH, None) if take else doc.scratch.get(_STEPS_SCRATCH)
    if found is not None and found[0] is doc.text:
        return found[1]
    steps = _steps_with_work(doc.text)
    if not take:
        doc.scratch[_STEPS_SCRATCH] = (doc.text, steps)
    return steps


def keep_character_steps(doc: Document, steps: int) -> None:
    """Keep ``steps``, the :func:`_steps_with_work` of ``doc.text`` measured elsewhere (for a whole chunk at
    once: :func:`corpusclean.stages.mojibake.scan_chunk`), where :func:`character_steps` finds it.

    >>> doc = Document(id="1", text="深圳毕节")
    >>> keep_character_steps(doc, 0)
    >>> character_steps(doc)
    0
    """
    doc.scratch[_STEPS_SCRATCH] = (doc.text, steps)


def take_no_gate_sign(doc: Document) -> bool:
    """True when normalize left ``doc.text`` as it is now and found no :data:`GATE_SIGN` character in its
    input: then the text holds none (no step puts one in), so no mojibake match. Takes the entry out of
    ``doc.scratch`` (for the mojibake filter, which runs next).

    >>> doc = Document(id="1", text="\ufeff深圳 1996 年")
    >>> doc.text = Normalize().edit(doc)
    >>> take_no_gate_sign(doc), take_no_gate_sign(doc)
    (True, False)
    """
    return doc.scratch.pop(_NO_GATE_SIGN_SCRATCH, None) is doc.text


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
        steps = character_steps(doc, take=True)
        if steps & LINE_BREAK:
            text = _LINE_BREAK.sub(lambda m: _LINE_BREAKS[m.group()], text)
        if steps & SURROGATE:
            surrogates = len(_SURROGATE.findall(text))
            text = _SURROGATE.sub(self.surrogate, text)
            steps |= _step_bits(self.surrogate) if self.surrogate else 0
        if steps & INVISIBLE:
            text = remove_invisible(text, removed)
        if steps & IDEOGRAPHIC_SPACE:
            text = text.replace("\u3000", " ")
        if steps & NO_BREAK_SPACE:
            text = text.replace("\xa0", " ")
        if steps & OTHER_SPACE:
            text = _SPACES.sub(" ", text)
        if steps & (SPACE | TAB | IDEOGRAPHIC_SPACE | NO_BREAK_SPACE | OTHER_SPACE):
            text = _fold_blank_runs(text)
        if self.alnum == "halfwidth" and steps & FULLWIDTH_ALNUM:
            text = halfwidth_alnum(text)
        if self.punctuation == "fullwidth":
            text = _widen_marks(text, steps)
            # (A search first: most texts have none, and sub() with a template costs more than the scan.)
            if steps & NARROW_PAREN and _NARROW_PARENS.search(text) is not None:
                text = _refold_after_parens(_NARROW_PARENS.sub(_wide_parens, text))
        for kind, chars in removed.items():
            if kind in ("private_use", "unassigned", "control"):
                doc.record_removal(self.name, kind, "".join(chars), kind="chars")
        masked = 0
        if steps & (MASK_SIGNS | FULLWIDTH_ALNUM):
            masked = count_masking(text, steps | (_LATIN_MASK_SIGNS if steps & FULLWIDTH_ALNUM else 0))  # ｘ -> x
        if removed or surrogates or masked:
            meta: dict[str, Any] = {}
            if removed:
                meta["removed"] = {kind: len(chars) for kind, chars in sorted(removed.items())}
            if surrogates:
                meta["surrogates"] = surrogates
            if masked:
                meta["masked"] = masked
            doc.meta["normalize"] = meta
        if not steps & GATE_SIGN:  # (steps holds the surrogate's replacement's bits when there was one)
            doc.scratch[_NO_GATE_SIGN_SCRATCH] = text
        return text
