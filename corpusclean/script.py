"""Traditional/Simplified script: a fast character-level folding view, and script detection.

The folding view maps every Traditional character to one Simplified character, one for one, so the
folded text has the same length and offsets as the original: rules and deduplication match on the
folded view and cut from the original. It is built from OpenCC's own character tables (shipped by
opencc-python-reimplemented), not a hand-typed list. Phrase-level conversion (e.g. 乾燥 vs 干燥) is the
job of the conversion stage; for matching and dedup, characters are enough.
"""

from __future__ import annotations

import functools
import os
import re

_VARIANT_TABLES = ("TWVariantsRev.txt", "HKVariantsRev.txt")


def _dictionary_dir() -> str:
    import opencc

    return os.path.join(os.path.dirname(opencc.__file__), "dictionary")


def _read_table(name: str) -> dict[str, str]:
    table = {}
    with open(os.path.join(_dictionary_dir(), name), encoding="utf-8") as handle:
        for line in handle:
            source, _, targets = line.rstrip("\n").partition("\t")
            target = targets.split(" ")[0]
            if len(source) == 1 and len(target) == 1 and source != target:
                table[source] = target
    return table


@functools.cache
def _fold_table() -> dict[int, str]:
    mapping: dict[str, str] = {}
    for name in _VARIANT_TABLES:
        mapping.update(_read_table(name))
    traditional = _read_table("TSCharacters.txt")
    # Variant first (臺 -> 台 via TW table), then Traditional -> Simplified on the result.
    for source, target in list(mapping.items()):
        mapping[source] = traditional.get(target, target)
    mapping.update({k: v for k, v in traditional.items() if k not in mapping})
    return {ord(k): v for k, v in mapping.items()}


@functools.cache
def _simplified_only() -> frozenset[str]:
    """Characters that exist only in Simplified script (they have a different Traditional form)."""
    table = _read_table("STCharacters.txt")
    folded = _fold_table()
    return frozenset(c for c in table if ord(c) not in folded)


def fold_to_simplified(text: str) -> str:
    """Same-length Simplified view of ``text``, character for character.

    >>> fold_to_simplified("貴州省黨政代表團赴廣東省學習考察")
    '贵州省党政代表团赴广东省学习考察'
    >>> s = "版權聲明：未經授權不得轉載"
    >>> len(fold_to_simplified(s)) == len(s)
    True
    """
    return text.translate(_fold_table())


_HAN = re.compile(r"[\u4e00-\u9fff]")


def detect_script(text: str, *, sample: int = 20_000) -> str:
    """``simplified``, ``traditional``, ``mixed`` or ``none`` (no Chinese characters that tell).

    >>> detect_script("貴州省黨政代表團"), detect_script("贵州省党政代表团"), detect_script("hello")
    ('traditional', 'simplified', 'none')
    """
    head = text[:sample]
    folded = _fold_table()
    simplified_only = _simplified_only()
    trad = simp = 0
    for char in _HAN.findall(head):
        if ord(char) in folded:
            trad += 1
        elif char in simplified_only:
            simp += 1
    if trad == simp == 0:
        return "none"
    share = trad / (trad + simp)
    if share >= 0.9:
        return "traditional"
    if share <= 0.1:
        return "simplified"
    return "mixed"


def has_traditional(text: str) -> bool:
    """Cheap test for any Traditional-only character (so only those documents pay for conversion)."""
    return text != text.translate(_fold_table())
