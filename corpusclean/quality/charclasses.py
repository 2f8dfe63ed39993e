"""One class per code point (space, CJK, Latin, digit, other letter, punctuation, symbol, other), with a
few marks beside it, in one numpy table: every composition ratio of a document costs one lookup pass.

CJK ideographs are letters, never "special characters"; full-width punctuation is punctuation; "|" is
punctuation (a column and menu separator), as in Python's ``string.punctuation``.

>>> [CLASS_NAMES[c] for c in char_classes("深圳 A1，")]
['cjk', 'cjk', 'space', 'latin', 'digit', 'punct']
"""

from __future__ import annotations

import functools
import re
import unicodedata

import numpy as np

from corpusclean.text import table_cache
from corpusclean.text.codepoints import code_points

# Character classes, one per code point (see _class_table).
SPACE, CJK, LATIN, DIGIT, LETTER, PUNCT, SYMBOL, OTHER = range(8)
# Marks in the table beside the class (entry = class * 4 + mark): a phrase separator that is not white space,
# a masking character, a mojibake marker (U+FFFD and the first characters of 锟斤拷/烫烫烫/屯屯屯).
NO_MARK, SEPARATOR_MARK, MASK_MARK, MOJIBAKE_MARK = range(4)
CLASS_NAMES = ("space", "cjk", "latin", "digit", "other_letter", "punct", "symbol", "other")

# CJK ideograph ranges, the same as corpusclean.stages.min_length.count_cjk.
_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F))
_LATIN_RANGES = ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F), (0x1E00, 0x1EFF), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))

# A line "ends a sentence" if, after closing quotes and brackets, it ends with one of these.
SENTENCE_END = frozenset("。．.！!？?…；;：:～~")
CLOSERS = "”’\"'」』）)】》〉］]｝}"

# A bracketed note closing a paragraph: "。（马艳）", "。(新华社记者王新庆摄)".
_TRAILING_NOTE = re.compile(r"[(（][^()（）]{1,30}[)）]$")

# Line openers that make a line a list item: bullets, "1." "1、" "(1)" "（一）" "一、" "①" "第一，".
_LIST_ITEM = re.compile(
    r"^\s*(?:[•·●○◦■□▪▫◆◇★☆►▶▸▹‣⁃※→√\-*+]"
    r"|[0-9０-９]{1,3}\s*[.、．)）:：]"
    r"|[(（][0-9０-９一二三四五六七八九十]{1,3}[)）]"
    r"|[一二三四五六七八九十]{1,3}\s*、"
    r"|[①-⑳⑴-⒇⒈-⒛㈠-㈩])"
)

# Masking residue: runs of three or more mask characters (censored words, hidden phone numbers).
_MASK_CHARS = "*＊×xX□■○●"
_MASK = re.compile(r"[*＊×xX□■○●](?: ?[*＊×xX□■○●]){2,}")
# Mojibake residue cheap enough to compute everywhere: replacement characters and the classic
# "锟斤拷"/"烫烫烫"/"屯屯屯" strings left by decoding U+FFFD or uninitialised memory as GBK.
_MOJIBAKE = re.compile(r"\ufffd+|(?:锟斤拷)+|(?:烫){3,}|(?:屯){3,}")
_MOJIBAKE_MARKERS = "\ufffd锟烫屯"  # each starts at most 3 characters of residue


@functools.cache
def _class_table() -> np.ndarray:
    """``class * 4 + mark`` of every code point (read-only), built once per machine (about 0.05 s; kept by
    :mod:`corpusclean.text.table_cache`, keyed by the Python version and this module's source) and loaded once
    per process."""
    table = table_cache.load_or_build("quality_signals", lambda: _build_class_table().tobytes(), version=1,
                                      sources=("corpusclean.quality.charclasses",))
    return np.frombuffer(table, dtype=np.uint8)


def _build_class_table() -> np.ndarray:
    table = np.full(0x110000, LETTER, dtype=np.uint8)
    for cp in range(0x10000):
        cat = unicodedata.category(chr(cp))
        if cat[0] == "L":
            continue
        if chr(cp).isspace():
            table[cp] = SPACE
        elif cat == "Nd":
            table[cp] = DIGIT
        elif cat[0] == "N":
            table[cp] = SYMBOL  # ① Ⅻ ½: numbering and fractions, not running digits
        elif cat[0] == "P":
            table[cp] = PUNCT
        elif cat[0] == "S":
            table[cp] = SYMBOL
        elif cat[0] == "M":
            table[cp] = LETTER  # combining marks belong to the letter they modify
        else:
            table[cp] = OTHER  # controls, format characters, private use, surrogates, unassigned
    table[0x1F000:0x1FB00] = SYMBOL  # emoji and pictographs
    table[0xE0000:] = OTHER  # tags, variation selectors supplement, private use planes
    for lo, hi in _LATIN_RANGES:
        table[lo : hi + 1] = LATIN
    table[0xD7] = SYMBOL  # ×
    table[0xF7] = SYMBOL  # ÷
    # The vertical bar separates columns of a table ("| 2010年 | SBS |") and menu items: punctuation, as
    # in Python's string.punctuation, not a symbol (a Wikipedia page of tables was 15% "|").
    table[0x7C] = PUNCT
    table[0xFF5C] = PUNCT  # ｜
    for lo, hi in _CJK_RANGES:
        table[lo : hi + 1] = CJK
    table[0xFFFD] = OTHER
    table <<= 2
    for mark, chars in ((SEPARATOR_MARK, _separators()), (MASK_MARK, _MASK_CHARS), (MOJIBAKE_MARK, _MOJIBAKE_MARKERS)):
        for char in chars:
            table[ord(char)] |= mark
    return table


def _separators() -> list[str]:
    """The characters :data:`_PHRASE_SPLIT` splits on, white space left out (its class counts it already)."""
    candidates = set(_PHRASE_SEPARATORS) | {chr(cp) for cp in range(128)}
    return sorted(c for c in candidates if _PHRASE_SPLIT.fullmatch(c) and not c.isspace())


# Classes whose characters n-gram measures see (Gopher's word n-grams ignore spacing and punctuation).
# Characters n-gram measures see: letters and digits (Gopher's word n-grams ignore spacing, punctuation and,
# with the ASCII punctuation it strips, symbols such as the "|" of a table row).
_IS_CONTENT = np.array([entry >> 2 in (CJK, LATIN, DIGIT, LETTER) for entry in range(4 * len(CLASS_NAMES))])
# Classes whose runs make one token (a Latin word, a number), as Gopher's words do (indexed by class).
_IS_RUN = np.array([cls in (LATIN, DIGIT) for cls in range(len(CLASS_NAMES))])


def char_classes(text: str) -> np.ndarray:
    """Class id (``SPACE`` ... ``OTHER``) of each character of ``text``."""
    return _class_table()[code_points(text)] >> 2


_PHRASE_SEPARATORS = r"\s\u3000，,。．.！!？?；;：:、|/\\·•—\-_()（）\[\]【】《》<>「」『』“”\"'‘’"
_PHRASE_SPLIT = re.compile(f"[{_PHRASE_SEPARATORS}]+")
_PHRASES = re.compile(f"[^{_PHRASE_SEPARATORS}]{{2,}}")
