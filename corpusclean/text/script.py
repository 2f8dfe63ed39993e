"""Traditional/Simplified script: a fast character-level folding view, and script detection.

The folding view maps every character to one representative of its Traditional/Simplified family,
one for one, so the folded text has the same length and offsets as the original: rules and
deduplication match on the folded view and cut from the original. It is built from OpenCC's own
character tables (shipped by opencc-python-reimplemented), not a hand-typed list. Phrase-level
conversion (e.g. 乾燥 vs 干燥) is the job of the conversion stage; for matching and dedup, characters
are enough.

Why families and not OpenCC's first candidate: a Simplified original and its Traditional repost must
fold to the same text. Taking OpenCC's first Traditional->Simplified candidate breaks that wherever a
converter picks another candidate or a regional variant table names a Simplified character
(了解 -> 瞭解 kept 瞭; 什么 -> 什麼 folded to 什么, but the TW variant table sent the Simplified 么 to 幺).
So the characters that OpenCC's character and variant tables link, in either direction and through any
candidate, form a family (干 乾 幹 榦; 了 瞭; 么 幺 麼 麽), and every member folds to one Simplified
representative. Families are small (at most 6 characters), so nothing unrelated is merged.

Speed: folding and detection run on every document, so they use a code-point lookup array over the
UTF-32 form of the text (numpy) instead of ``str.translate`` with a dict (about 5x faster), and
skip ASCII-only text outright.
"""

from __future__ import annotations

import collections
import functools
import os
from typing import NamedTuple

import numpy as np

from corpusclean.text import table_cache
from corpusclean.text.codepoints import code_points, joined_code_points, segment_bincounts

# Tables whose single-character entries link Traditional, Simplified and regional variant forms.
# JPVariants (Japanese shinjitai) is left out on purpose: it would merge Japanese forms into Chinese.
_CHARACTER_TABLES = ("TSCharacters.txt", "STCharacters.txt")
_VARIANT_TABLES = ("TWVariants.txt", "TWVariantsRev.txt", "HKVariants.txt", "HKVariantsRev.txt")

# Character classes in the detection lookup array. _CONVERTIBLE: written in both scripts, but OpenCC's
# Simplified->Traditional table may change it in context (干 -> 乾/幹, 后 -> 後); it tells no script.
_NEUTRAL, _TRADITIONAL, _SIMPLIFIED, _CONVERTIBLE = 0, 1, 2, 3


def _dictionary_dir() -> str:
    return os.path.join(table_cache.package_dir("opencc"), "dictionary")


def dictionary_files() -> list[str]:
    """The OpenCC dictionary files the folding tables are built from."""
    names = (*_CHARACTER_TABLES, *_VARIANT_TABLES, "STPhrases.txt")
    return [os.path.join(_dictionary_dir(), name) for name in names]


def _read_candidates(name: str) -> dict[str, list[str]]:
    """One OpenCC dictionary file as ``{source: [candidates]}``, single characters only."""
    table = {}
    with open(os.path.join(_dictionary_dir(), name), encoding="utf-8") as handle:
        for line in handle:
            source, _, targets = line.rstrip("\n").partition("\t")
            candidates = [t for t in targets.split(" ") if len(t) == 1]
            if len(source) == 1 and candidates:
                table[source] = candidates
    return table


def _read_table(name: str) -> dict[str, str]:
    """One OpenCC dictionary file as ``{source: first candidate}``, single characters that change."""
    return {s: c[0] for s, c in _read_candidates(name).items() if c[0] != s}


class _Tables(NamedTuple):
    fold: dict[int, str]
    fold_array: np.ndarray  # code point -> folded code point, all of Unicode
    classes: np.ndarray  # code point -> _NEUTRAL / _TRADITIONAL / _SIMPLIFIED
    traditional_only: frozenset[str]
    simplified_only: frozenset[str]


# Bump when what _fold_sets returns changes shape (its code is in the cache key anyway).
TABLE_VERSION = 1


@functools.cache
def _tables() -> _Tables:
    """The folding and detection tables, built from OpenCC's dictionaries once per machine (0.15 s; kept
    by :mod:`corpusclean.text.table_cache`) and loaded once per process (a few ms)."""
    return _make_tables(*table_cache.load_or_build("script", _fold_sets, version=TABLE_VERSION,
                                                   sources=("corpusclean.text.script",), inputs=dictionary_files()))


def _make_tables(fold_chars: dict[str, str], convertible: str, traditional_only: str,
                 simplified_only: str) -> _Tables:
    """The lookup arrays (a few ms) from what :func:`_fold_sets` returns."""
    fold = {ord(k): v for k, v in fold_chars.items()}
    fold_array = np.arange(0x110000, dtype=np.uint32)
    fold_array[list(fold)] = [ord(v) for v in fold.values()]
    classes = np.zeros(0x110000, dtype=np.uint8)
    classes[[ord(c) for c in convertible]] = _CONVERTIBLE
    classes[[ord(c) for c in traditional_only]] = _TRADITIONAL
    classes[[ord(c) for c in simplified_only]] = _SIMPLIFIED
    return _Tables(fold, fold_array, classes, frozenset(traditional_only), frozenset(simplified_only))


def _fold_sets() -> tuple[dict[str, str], str, str, str]:
    """What the tables are made of: the fold (character -> its family's Simplified representative), and
    the characters OpenCC may convert from Simplified, the Traditional-only and the Simplified-only ones
    (each a string, in a fixed order)."""
    ts = _read_candidates("TSCharacters.txt")
    st = _read_candidates("STCharacters.txt")

    def is_simplified_form(char: str) -> bool:
        # Written in Simplified text: OpenCC never converts it to Simplified, or lists itself as a candidate.
        return char not in ts or char in ts[char]

    def to_simplified(char: str) -> str:
        # OpenCC's first candidate, or for 瞭 (瞭 了), 藉 (藉 借), 覆 (覆 复) the first one that differs:
        # converters write 了解 -> 瞭解, so the fold must bring 瞭 back to 了.
        cands = ts.get(char, ())
        if char not in cands:
            return cands[0] if cands else char
        return next((c for c in cands if c not in ts), char)  # 着 (着 著): 著 is no Simplified form

    # Characters written in Simplified text: they never fold to another one (the TW table's 么 -> 幺).
    simplified_chars = set(st) | {c for cands in ts.values() for c in cands}
    fold_chars = {c: to_simplified(c) for c in ts if to_simplified(c) != c}
    # Regional variant pairs (TW/HK tables): 裡/裏, 為/爲 fold like the standard form; where both forms
    # are written in Simplified text (着/著, 抬/擡), the one OpenCC's Simplified phrase list uses more wins.
    usage: collections.Counter[str] = collections.Counter()
    with open(os.path.join(_dictionary_dir(), "STPhrases.txt"), encoding="utf-8") as handle:
        for line in handle:
            usage.update(line.partition("\t")[0])
    for name in _VARIANT_TABLES:
        for source, cands in _read_candidates(name).items():
            a, b = fold_chars.get(source, source), fold_chars.get(cands[0], cands[0])
            if a == b or (a in fold_chars) or (b in fold_chars):
                continue
            if a in simplified_chars and b in simplified_chars:
                keep, other = (a, b) if (usage[a], a) > (usage[b], b) else (b, a)
            elif a in simplified_chars:
                keep, other = a, b
            else:
                keep, other = b, a
            for char in {source, cands[0]} - {keep}:
                if char not in fold_chars or fold_chars[char] == other:
                    fold_chars[char] = keep
            for char, target in fold_chars.items():
                if target == other:
                    fold_chars[char] = keep
    # A rare Simplified variant whose Traditional forms all fold to one other character (锺 -> 鍾 -> 钟)
    # folds there too, so that it and its Traditional repost meet.
    for source, cands in st.items():
        targets = {fold_chars.get(c, c) for c in cands}
        if source not in ts and source not in cands and len(targets) == 1 and source not in targets:
            fold_chars[source] = targets.pop()
    for char, target in fold_chars.items():  # idempotent: follow chains (薴 -> 苧 -> 苎)
        seen = {char}
        while target in fold_chars and target not in seen:
            seen.add(target)
            target = fold_chars[target]
        fold_chars[char] = target
    known = set(ts) | set(fold_chars)
    traditional_only = sorted(c for c in known if not is_simplified_form(c) and c not in st)
    simplified_only = sorted(c for c, cands in st.items() if c not in cands and c not in ts)
    return fold_chars, "".join(st), "".join(traditional_only), "".join(simplified_only)


def _fold_table() -> dict[int, str]:
    """The folding map as a ``str.translate`` table (code point -> representative character)."""
    return _tables().fold


def _simplified_only() -> frozenset[str]:
    """Characters that exist only in Simplified script (they have a different Traditional form)."""
    return _tables().simplified_only


def _traditional_only() -> frozenset[str]:
    """Characters that exist only in Traditional script (or a regional Traditional variant)."""
    return _tables().traditional_only


def has_other_simplified_form(ch: str) -> bool:
    """Whether :func:`fold_to_simplified` changes the one character ``ch``: a dictionary look-up, for callers
    that ask of one character at a time (a numpy pass costs microseconds however short the text).

    >>> has_other_simplified_form("協"), has_other_simplified_form("协"), has_other_simplified_form("a")
    (True, False, False)
    """
    return _tables().fold.get(ord(ch), ch) != ch


def fold_to_simplified(text: str) -> str:
    """Same-length Simplified view of ``text``, character for character.

    A Traditional repost and its Simplified original fold to the same text, whichever converter made it.

    >>> fold_to_simplified("貴州省黨政代表團赴廣東省學習考察")
    '贵州省党政代表团赴广东省学习考察'
    >>> fold_to_simplified("瞭解頭髮乾燥") == fold_to_simplified("了解头发干燥")
    True
    >>> s = "版權聲明：未經授權不得轉載"
    >>> len(fold_to_simplified(s)) == len(s)
    True
    """
    if text.isascii():
        return text
    return _tables().fold_array[code_points(text)].tobytes().decode("utf-32-le", "surrogatepass")


def script_counts(text: str, *, sample: int = 20_000) -> tuple[int, int]:
    """Numbers of Traditional-only and Simplified-only characters in the first ``sample`` characters.

    >>> script_counts("後來頭髮乾了，后来")  # 乾 了 后 belong to both scripts
    (4, 1)
    """
    head = text[:sample]
    if head.isascii():
        return 0, 0
    counts = np.bincount(_tables().classes[code_points(head)], minlength=4)
    return int(counts[_TRADITIONAL]), int(counts[_SIMPLIFIED])


def script_counts_many(texts: list[str]) -> list[tuple[int, int]]:
    """:func:`script_counts` of each of ``texts`` in full (``sample=len(text)``), the same numbers, from one
    lookup and one ``bincount`` over the texts end to end instead of a few numpy calls per text.

    >>> script_counts_many(["後來頭髮乾了，后来", "", "hello", "贵州省黨政"])
    [(4, 1), (0, 0), (0, 0), (1, 1)]
    """
    cps, bounds = joined_code_points(texts)
    classes = _tables().classes[cps]
    counts = segment_bincounts(classes, bounds, 4)
    return list(zip(counts[:, _TRADITIONAL].tolist(), counts[:, _SIMPLIFIED].tolist(), strict=True))


def detect_script(text: str, *, sample: int = 20_000) -> str:
    """``simplified``, ``traditional``, ``mixed`` or ``none`` (no Chinese characters that tell).

    Only characters that belong to one script count (國 or 国, not 中 or 的); a document is
    ``mixed`` when neither script has 90% of them.

    >>> detect_script("貴州省黨政代表團"), detect_script("贵州省党政代表团"), detect_script("hello")
    ('traditional', 'simplified', 'none')
    >>> detect_script("贵州省黨政代表團")
    'mixed'
    """
    return script_label(*script_counts(text, sample=sample))


def script_label(traditional: int, simplified: int) -> str:
    """The script named by counts of Traditional-only and Simplified-only characters.

    >>> script_label(40, 1), script_label(0, 12), script_label(5, 5), script_label(0, 0)
    ('traditional', 'simplified', 'mixed', 'none')
    """
    if traditional == simplified == 0:
        return "none"
    share = traditional / (traditional + simplified)
    if share >= 0.9:
        return "traditional"
    if share <= 0.1:
        return "simplified"
    return "mixed"


def has_traditional(text: str) -> bool:
    """Cheap test for any Traditional-only character (so only those documents pay for conversion).

    >>> has_traditional("头发很干燥"), has_traditional("頭髮很乾燥"), has_traditional("著名的乾隆")
    (False, True, False)
    """
    if text.isascii():
        return False
    return bool((_tables().classes[code_points(text)] == _TRADITIONAL).any())


def has_simplified_convertible(text: str) -> bool:
    """Whether OpenCC's Simplified->Traditional conversion could change anything in ``text``.

    Wider than "has a Simplified-only character": 推荐 becomes 推薦 though 荐 is also a Traditional
    character, so a Simplified->Traditional conversion may skip only text with none of these.

    >>> [has_simplified_convertible(t) for t in ("推荐文章", "推薦文章", "文章")]
    [True, False, False]
    """
    if text.isascii():
        return False
    return bool((_tables().classes[code_points(text)] >= _SIMPLIFIED).any())
