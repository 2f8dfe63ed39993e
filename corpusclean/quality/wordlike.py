"""Word-likeness: how much of a text reads as words of the language, measured with jieba's dictionary.

Character soup (real characters at their real frequencies, no words) passes every measure of composition,
structure and repetition: its characters are CJK, its lines end in 。 where the page's did, nothing repeats.
What it lacks is words. Chinese words are mostly two or more characters long, and any two adjacent characters
of real prose are very often two characters of one dictionary word (中国, 经济, 发展); random neighbours rarely
are. So :func:`word_share` is the share of a text's ideographs that sit next to a neighbour with which they
form two consecutive characters of a word of jieba's dictionary (349,046 words, every word of two or more
characters whatever its count: 298,526 pairs), on the Traditional->Simplified folded view, so Traditional
text scores as its Simplified form does.

Measured (benchmarks/fit_quality.py prints it; People's Daily 1998, 三国演义, eval gold texts, seeds, and
the same converted to Traditional): clean text 0.65-0.97 (classical 三国演义 lowest, 0.65-0.77); soup made
from People's Daily 0.09-0.44. A per-character bigram log-likelihood was the other candidate; it needs a
table fitted on a corpus, where the dictionary pairs come with a dependency the package already has.

It is a lookup per character, vectorised: each folded code point maps to a small id (characters of the
dictionary's pairs; 0 for anything else), and the pair ``(a, b)`` is bit ``a * N + b`` of a bitset
(about 8,400 characters, 9 MB). Only the first ``MAX_CHARS`` characters are read: a page's word-likeness
is settled long before that, and the cost per document stays bounded.
"""

from __future__ import annotations

import functools
import itertools
import os

import numpy as np

from corpusclean.text import table_cache
from corpusclean.text.codepoints import code_points, joined_prefixes, seams, segment_totals

# Characters of a document read by word_share (beyond this, the share is settled).
MAX_CHARS = 4000
# Bump when the tables' contents or shape change.
TABLE_VERSION = 2


def _jieba_dict_path() -> str:
    return os.path.join(table_cache.package_dir("jieba"), "dict.txt")


def _build_tables() -> tuple[bytes, bytes, int]:
    """From jieba's dictionary: the id of each BMP code point (uint16, after folding to Simplified; 0 for
    characters in no pair), the pair bitset, and the number of ids."""
    from corpusclean.text.script import _tables as script_tables
    from corpusclean.text.script import fold_to_simplified

    pairs: set[str] = set()
    with open(_jieba_dict_path(), encoding="utf-8") as handle:
        entries = [line.split(" ", 2) for line in handle]
    entries = [entry for entry in entries if len(entry[0]) >= 2]
    folded = fold_to_simplified("\n".join(entry[0] for entry in entries))
    # How often each character occurs in the dictionary's words, weighted by their counts.
    weight: dict[str, int] = {}
    for word, entry in zip(folded.split("\n"), entries, strict=True):
        count = int(entry[1]) if len(entry) > 1 and entry[1].strip().isdigit() else 0
        for a, b in itertools.pairwise(word):
            if _is_cjk(a) and _is_cjk(b):
                pairs.add(a + b)
        for char in word:
            weight[char] = weight.get(char, 0) + count
    # Frequent characters first: the pairs of running text then fall in a small corner of the bitset (a few
    # hundred kB instead of 5.7 MB), which stays in the CPU caches. The ids are labels only: which pairs are
    # set, and so every value, does not depend on them.
    chars = sorted({c for pair in pairs for c in pair}, key=lambda c: (-weight.get(c, 0), c))
    size = len(chars) + 1
    ids = np.zeros(0x10000, dtype=np.uint16)
    for number, char in enumerate(chars, start=1):
        ids[ord(char)] = number
    # Read through the fold: a Traditional code point takes the id of its Simplified form.
    fold = np.asarray(script_tables().fold_array[:0x10000], dtype=np.int64)
    ids = np.where(fold <= 0xFFFF, ids[np.minimum(fold, 0xFFFF)], 0).astype(np.uint16)
    bits = np.zeros((size * size + 7) // 8, dtype=np.uint8)
    keys = np.array([ids[ord(p[0])].astype(np.int64) * size + ids[ord(p[1])] for p in pairs], dtype=np.int64)
    np.bitwise_or.at(bits, keys >> 3, (1 << (keys & 7)).astype(np.uint8))
    return ids.tobytes(), bits.tobytes(), size


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


@functools.cache
def _tables() -> tuple[np.ndarray, np.ndarray, int]:
    """The id table and bitset, built once per machine (about 1 s; kept by :mod:`corpusclean.text.table_cache`)
    and loaded once per process."""
    from corpusclean.text.script import dictionary_files

    ids, bits, size = table_cache.load_or_build(
        "wordlike", _build_tables, version=TABLE_VERSION,
        sources=("corpusclean.quality.wordlike", "corpusclean.text.script"),
        inputs=(_jieba_dict_path(), *dictionary_files()))
    # Ids as int32: pair keys are computed without a cast (size ** 2 < 2 ** 31 for jieba's table, about 7e7).
    return np.frombuffer(ids, dtype=np.uint16).astype(np.int32 if size < 46340 else np.int64), \
        np.frombuffer(bits, dtype=np.uint8), size


def word_share(text: str, *, max_chars: int = MAX_CHARS, cjk: int | None = None,
               cps: np.ndarray | None = None) -> float:
    """Share of the ideographs of ``text`` (its first ``max_chars`` characters) that form two consecutive
    characters of a dictionary word with the character before or after them; 0.0 without ideographs.
    ``cjk``: the text's number of ideographs, when the caller has counted them already; ``cps``: its code
    points, when the caller has them (a shared :class:`~corpusclean.quality.signals.Measurements`).

    >>> round(word_share("中国经济持续发展，人民生活水平不断提高。"), 2)
    1.0
    >>> word_share("經濟發展") == word_share("经济发展")
    True
    >>> word_share("济提中高人续平持") < 0.5
    True
    """
    ids, bits, size = _tables()
    cps = code_points(text[:max_chars]) if cps is None else cps[:max_chars]
    total = cjk if cjk is not None and len(text) <= max_chars else int(np.count_nonzero(_ideographs(cps)))
    if not total:
        return 0.0
    # Code points beyond the BMP read as U+FFFF, whose id is 0 (no pair).
    wide = ids[np.minimum(cps, 0xFFFF)].astype(np.int64)
    # Id 0 (a character in no pair) is in no pair of the bitset, so its pairs never hit.
    keys = wide[:-1] * size + wide[1:]
    hit = ((bits[keys >> 3] >> (keys & 7).astype(np.uint8)) & 1).astype(bool)
    covered = np.zeros(len(cps), dtype=bool)
    covered[:-1] = hit
    covered[1:] |= hit
    # Ideographs outside every pair (rare characters) count as not covered.
    return float(np.count_nonzero(covered)) / total


def word_share_batch(cps: list[np.ndarray], cjk: list[int], *, max_chars: int = MAX_CHARS,
                     joined: tuple[np.ndarray, np.ndarray] | None = None) -> list[float]:
    """:func:`word_share` of many texts, given as their code points and their numbers of ideographs, in a
    few numpy calls: the same values. ``joined``: :func:`~corpusclean.text.codepoints.joined_prefixes` of
    ``cps``, when the caller has it.

    >>> texts = ["中国经济持续发展，人民生活水平不断提高。", "", "济提中高人续平持"]
    >>> from corpusclean.quality.signals import Measurements
    >>> cjk = [Measurements(t).class_counts()["cjk"] for t in texts]
    >>> word_share_batch([code_points(t) for t in texts], cjk) == [word_share(t) for t in texts]
    True
    """
    return word_shares(cps, np.asarray(cjk, dtype=np.int64), max_chars=max_chars, joined=joined).tolist()


def word_shares(cps: list[np.ndarray], cjk: np.ndarray, *, max_chars: int = MAX_CHARS,
                joined: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """:func:`word_share_batch` as a ``float64`` array (``cjk``: the texts' numbers of ideographs, an array):
    the same values, each count divided in ``float64`` as Python divides it."""
    ids, bits, size = _tables()
    flat, offsets = joined if joined is not None else joined_prefixes(cps, max_chars)
    starts, ends = offsets[:-1], offsets[1:]
    totals = cjk
    if any(len(array) > max_chars for array in cps):
        counted = segment_totals(_ideographs(flat), starts, ends)
        lengths = np.fromiter(map(len, cps), dtype=np.intp, count=len(cps))
        totals = np.where(lengths > max_chars, counted, cjk)
    # Beyond the BMP a code point reads as U+FFFF (clipped), whose id is 0.
    wide = np.take(ids, flat, mode="clip")
    keys = wide[:-1] * size
    keys += wide[1:]
    shift = keys.astype(np.uint8)
    shift &= 7
    keys >>= 3
    hit = np.take(bits, keys)  # np.take: indexing with int32 keys would first copy them as intp
    hit >>= shift
    hit &= 1
    hit = hit.view(bool)
    hit[seams(offsets)] = False
    covered = np.zeros(len(flat), dtype=bool)
    covered[:-1] = hit
    covered[1:] |= hit
    # Characters not covered are the fewer: count those, by their positions.
    missing = np.flatnonzero(~covered)
    found = (ends - starts) - (np.searchsorted(missing, ends) - np.searchsorted(missing, starts))
    return np.divide(found, totals, out=np.zeros(len(cps)), where=totals > 0)


def _ideographs(cps: np.ndarray) -> np.ndarray:
    return ((cps >= 0x4E00) & (cps <= 0x9FFF)) | ((cps >= 0x3400) & (cps <= 0x4DBF)) | \
        ((cps >= 0xF900) & (cps <= 0xFAFF)) | ((cps >= 0x20000) & (cps <= 0x3134F))
