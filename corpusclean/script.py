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

# Tables whose single-character entries link Traditional, Simplified and regional variant forms.
# JPVariants (Japanese shinjitai) is left out on purpose: it would merge Japanese forms into Chinese.
_CHARACTER_TABLES = ("TSCharacters.txt", "STCharacters.txt")
_VARIANT_TABLES = ("TWVariants.txt", "TWVariantsRev.txt", "HKVariants.txt", "HKVariantsRev.txt")

# Character classes in the detection lookup array.
_NEUTRAL, _TRADITIONAL, _SIMPLIFIED = 0, 1, 2


def _dictionary_dir() -> str:
    import opencc

    return os.path.join(os.path.dirname(opencc.__file__), "dictionary")


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


@functools.cache
def _tables() -> _Tables:
    ts = _read_candidates("TSCharacters.txt")
    st = _read_candidates("STCharacters.txt")
    links: list[tuple[str, str]] = []
    for name in _CHARACTER_TABLES + _VARIANT_TABLES:
        links += [(s, c) for s, cands in _read_candidates(name).items() for c in cands if c != s]

    parent: dict[str, str] = {}

    def find(char: str) -> str:
        while parent.setdefault(char, char) != char:
            parent[char] = parent[parent[char]]
            char = parent[char]
        return char

    for a, b in links:
        parent[find(a)] = find(b)
    families: dict[str, list[str]] = collections.defaultdict(list)
    for char in list(parent):
        families[find(char)].append(char)

    def is_simplified_form(char: str) -> bool:
        # Written in Simplified text: OpenCC never converts it to Simplified, or lists itself as a candidate.
        return char not in ts or char in ts[char]

    # How often OpenCC's own Simplified phrase list uses a character: the most used member of a
    # family is its representative, so the fold changes as little Simplified text as possible.
    usage: collections.Counter[str] = collections.Counter()
    with open(os.path.join(_dictionary_dir(), "STPhrases.txt"), encoding="utf-8") as handle:
        for line in handle:
            usage.update(line.partition("\t")[0])
    chosen: collections.Counter[str] = collections.Counter(c for s, cands in ts.items() for c in cands if c != s)

    fold: dict[int, str] = {}
    for members in families.values():
        rep = min(members, key=lambda c: (not is_simplified_form(c), -usage[c], -chosen[c], ord(c)))
        fold.update({ord(c): rep for c in members if c != rep})

    traditional_only = frozenset(c for c in parent if not is_simplified_form(c) and c not in st)
    simplified_only = frozenset(c for c, cands in st.items() if c not in cands and c not in ts)

    fold_array = np.arange(0x110000, dtype=np.uint32)
    fold_array[list(fold)] = [ord(v) for v in fold.values()]
    classes = np.zeros(0x110000, dtype=np.uint8)
    classes[[ord(c) for c in traditional_only]] = _TRADITIONAL
    classes[[ord(c) for c in simplified_only]] = _SIMPLIFIED
    return _Tables(fold, fold_array, classes, traditional_only, simplified_only)


def _fold_table() -> dict[int, str]:
    """The folding map as a ``str.translate`` table (code point -> representative character)."""
    return _tables().fold


def _simplified_only() -> frozenset[str]:
    """Characters that exist only in Simplified script (they have a different Traditional form)."""
    return _tables().simplified_only


def _traditional_only() -> frozenset[str]:
    """Characters that exist only in Traditional script (or a regional Traditional variant)."""
    return _tables().traditional_only


def _code_points(text: str) -> np.ndarray:
    # surrogatepass: a lone surrogate left by a broken decoder must not make folding raise.
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


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
    return _tables().fold_array[_code_points(text)].tobytes().decode("utf-32-le", "surrogatepass")


def script_counts(text: str, *, sample: int = 20_000) -> tuple[int, int]:
    """Numbers of Traditional-only and Simplified-only characters in the first ``sample`` characters.

    >>> script_counts("後來頭髮乾了，后来")  # 乾 了 后 belong to both scripts
    (4, 1)
    """
    head = text[:sample]
    if head.isascii():
        return 0, 0
    counts = np.bincount(_tables().classes[_code_points(head)], minlength=3)
    return int(counts[_TRADITIONAL]), int(counts[_SIMPLIFIED])


def detect_script(text: str, *, sample: int = 20_000) -> str:
    """``simplified``, ``traditional``, ``mixed`` or ``none`` (no Chinese characters that tell).

    Only characters that belong to one script count (國 or 国, not 中 or 的); a document is
    ``mixed`` when neither script has 90% of them.

    >>> detect_script("貴州省黨政代表團"), detect_script("贵州省党政代表团"), detect_script("hello")
    ('traditional', 'simplified', 'none')
    >>> detect_script("贵州省黨政代表團")
    'mixed'
    """
    trad, simp = script_counts(text, sample=sample)
    if trad == simp == 0:
        return "none"
    share = trad / (trad + simp)
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
    return bool((_tables().classes[_code_points(text)] == _TRADITIONAL).any())
