"""Character-bigram association: how strongly each pair of neighbouring characters goes together in news prose.

:func:`~corpusclean.quality.wordlike.word_share` asks whether neighbours form a dictionary word. Text whose
words are real but whose order is not (the words of each sentence shuffled: every word is in the dictionary,
the commas land anywhere) passes that test; so does soup that happens to draw common pairs. What such text
lacks is the glue between words: 的 after a noun, 了 after a verb, a comma after a clause, 。 at the end. A
table of pointwise mutual information over character pairs, ``log P(ab) / (P(a) P(b))``, counted on People's
Daily 1998, measures that glue: prose averages 0.5-3, soup and shuffled characters -1.5 to -2.5 (pairs
never seen in a month of news weigh :data:`UNSEEN`).

The table ships as data (``bigram_pmi.npz``, written by ``benchmarks/fit_quality.py`` from the People's Daily
documents of its fit half: pairs seen at least twice, about 80,000, keys and PMI quantised to 1/16). Pairs
are read on the Traditional->Simplified folded view, so Traditional text reads as its Simplified form; digits
read as one character ``0`` and Latin letters as ``a``; punctuation of :data:`PUNCT` is kept (its place is
part of the grammar); every other character breaks the chain. Only the first ``MAX_CHARS`` characters are
read.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from corpusclean.text.codepoints import code_points, joined_prefixes, seams, segment_totals

TABLE = Path(__file__).with_name("bigram_pmi.npz")
# Characters of a document read (beyond this, the mean is settled).
MAX_CHARS = 4000
# The PMI of a pair the table does not hold (unseen, or seen once, in the fitting text), and the range of
# PMI values kept: a pair seen in a few documents only cannot vouch for more than that.
UNSEEN = -3.0
PMI_MAX = 8.0
# A pair at or above this PMI is a "strong" pair: the two characters go together (mostly inside words).
STRONG = 2.0
# Punctuation whose position counts.
PUNCT = "，。、；：！？“”（）《》…—"
# Quantisation step of the shipped PMI values.
STEP = 16
# The matrix's value for a pair that is not read (a character that breaks the chain): below every PMI value.
_NO_PAIR = -128
# bigram_pmi_batch packs a text's three sums in one integer: the values + 128 in bits 0-23, the strong pairs
# from bit 24, the pairs read from bit 41; 255 * _MAX_PAIRS < 2 ** 24 keeps each in its bits.
_STRONG_AT, _COUNT_AT, _MAX_PAIRS = 24, 41, 65_000


@functools.cache
def key_map() -> np.ndarray:
    """Code point (BMP) -> the code point a pair is keyed on (folded to Simplified; ``0`` for digits, ``a``
    for Latin letters), or 0 for characters that break the chain.

    >>> m = key_map()
    >>> chr(m[ord("經")]), chr(m[ord("7")]), chr(m[ord("Ｂ")]), int(m[ord(" ")])
    ('经', '0', 'a', 0)
    """
    from corpusclean.text.script import _tables as script_tables

    cps = np.arange(0x10000, dtype=np.uint32)
    folded = np.asarray(script_tables().fold_array[:0x10000], dtype=np.uint32)
    folded = np.where(folded < 0x10000, folded, 0)
    cjk = ((folded >= 0x4E00) & (folded <= 0x9FFF)) | ((folded >= 0x3400) & (folded <= 0x4DBF))
    out = np.where(cjk, folded, 0).astype(np.uint32)
    for char in PUNCT:
        out[ord(char)] = ord(char)
    digits = ((cps >= 0x30) & (cps <= 0x39)) | ((cps >= 0xFF10) & (cps <= 0xFF19))
    latin = ((cps | 0x20) >= 0x61) & ((cps | 0x20) <= 0x7A) & (cps < 0x80)
    latin |= ((cps >= 0xFF21) & (cps <= 0xFF3A)) | ((cps >= 0xFF41) & (cps <= 0xFF5A))
    out[digits] = ord("0")
    out[latin] = ord("a")
    return out


def pair_keys(text: str, *, max_chars: int = MAX_CHARS) -> np.ndarray:
    """The keys (``a << 16 | b``, uint32) of the adjacent character pairs of ``text`` that the table reads.

    >>> [hex(k) for k in pair_keys("中國 12")]
    ['0x4e2d56fd', '0x300030']
    """
    cps = code_points(text[:max_chars])
    mapped = key_map()[np.minimum(cps, 0xFFFF)]
    mapped[cps > 0xFFFF] = 0
    first, second = mapped[:-1], mapped[1:]
    both = (first != 0) & (second != 0)
    return (first[both] << 16) | second[both]


@functools.cache
def _table() -> tuple[np.ndarray, np.ndarray, int]:
    """The shipped table (:data:`TABLE`, read when first needed) unpacked for lookup: the id of each BMP code
    point (0: a character that breaks the chain; 1: one that reads but is in no pair of the table; 2...: the
    table's characters), and the quantised PMI of every pair of ids as one dense ``ids x ids`` matrix (about
    2,900 characters: 8 MB of int8; a binary search over the 46,000 sorted keys cost 4 times as much)."""
    path = TABLE
    try:
        with np.load(path) as data:
            keys, values = data["keys"], data["pmi"]
    except (OSError, KeyError, ValueError) as exc:
        raise ValueError(f"{path}: cannot read the bigram table: {exc}") from None
    if keys.dtype != np.uint32 or values.dtype != np.int8 or keys.shape != values.shape:
        raise ValueError(f"{path}: the bigram table needs uint32 'keys' and int8 'pmi' of one length")
    if len(values) and values.min() == _NO_PAIR:
        raise ValueError(f"{path}: the bigram table's PMI values must be above {_NO_PAIR}")
    chars = np.union1d(keys >> 16, keys & 0xFFFF)
    # The characters with the most partners (the most frequent) first: the pairs of running text then fall in
    # a corner of the matrix that stays in the CPU caches. The ids are labels only: no value depends on them.
    partners = np.bincount(keys >> 16, minlength=0x10000) + np.bincount(keys & 0xFFFF, minlength=0x10000)
    chars = chars[np.lexsort((chars, -partners[chars]))]
    own = np.zeros(0x10000, dtype=np.int32)
    own[chars] = np.arange(2, len(chars) + 2)
    mapped = key_map()
    ids = np.where(mapped != 0, np.maximum(own[mapped], 1), 0).astype(np.int32)
    size = len(chars) + 2
    matrix = np.full((size, size), round(UNSEEN * STEP), dtype=np.int8)
    # A pair with a character that breaks the chain (id 0) is not read: it weighs nothing in the sums.
    matrix[0, :] = matrix[:, 0] = _NO_PAIR
    matrix = matrix.ravel()
    matrix[own[keys >> 16].astype(np.intp) * size + own[keys & 0xFFFF]] = values
    return ids, matrix, size


@functools.cache
def _packed_sums() -> np.ndarray:
    """Each quantised PMI value (as its byte) -> one integer that packs what a text's sums need: the value
    plus 128, whether it is strong, and 1 for a pair read (:data:`_NO_PAIR`: 0 for all three). Summed over a
    text's pairs, the three sums stay in their own bits (:data:`_MAX_PAIRS` pairs at most)."""
    values = np.arange(256, dtype=np.int64)
    values = np.where(values >= 128, values - 256, values)  # the signed value of each byte
    packed = (values + 128) | ((values >= STRONG * STEP).astype(np.int64) << _STRONG_AT) | (1 << _COUNT_AT)
    packed[_NO_PAIR & 0xFF] = 0
    return packed


def bigram_pmi(text: str, *, max_chars: int = MAX_CHARS, cps: np.ndarray | None = None) -> tuple[float, float]:
    """``(mean PMI, share of strong pairs)`` over the pairs of ``text`` the table reads; ``(0.0, 0.0)``
    without any. ``cps``: the code points of ``text``, when the caller has them.

    >>> prose, strong = bigram_pmi("中国经济持续发展，人民生活水平不断提高。")
    >>> prose > 1, strong > 0.4
    (True, True)
    >>> bigram_pmi("济提中高人续平持，活断民生。")[0] < 0
    True
    """
    ids, matrix, size = _table()
    cps = code_points(text[:max_chars]) if cps is None else cps[:max_chars]
    mapped = ids[np.minimum(cps, 0xFFFF)]  # beyond the BMP: U+FFFF, which breaks the chain (id 0)
    first, second = mapped[:-1], mapped[1:]
    both = (first != 0) & (second != 0)
    if not both.any():
        return 0.0, 0.0
    quantised = matrix[(first.astype(np.intp) * size + second)[both]]
    return float(quantised.mean()) / STEP, float(np.count_nonzero(quantised >= STRONG * STEP)) / len(quantised)


def bigram_pmi_batch(cps: list[np.ndarray], *, max_chars: int = MAX_CHARS,
                     joined: tuple[np.ndarray, np.ndarray] | None = None) -> list[tuple[float, float]]:
    """:func:`bigram_pmi` of many texts, given as their code points, in a few numpy calls: the same values
    (each mean is a sum of integers, exact in any order, divided as :func:`bigram_pmi` divides it).
    ``joined``: :func:`~corpusclean.text.codepoints.joined_prefixes` of ``cps``, when the caller has it.

    >>> texts = ["中国经济持续发展，人民生活水平不断提高。", "", "济提中高人续平持，活断民生。"]
    >>> bigram_pmi_batch([code_points(t) for t in texts]) == [bigram_pmi(t) for t in texts]
    True
    """
    pmi, strong = bigram_pmi_arrays(cps, max_chars=max_chars, joined=joined)
    return list(zip(pmi.tolist(), strong.tolist(), strict=True))


def bigram_pmi_arrays(cps: list[np.ndarray], *, max_chars: int = MAX_CHARS,
                      joined: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`bigram_pmi_batch` as two ``float64`` arrays (mean PMI, share of strong pairs): the same values,
    each sum of integers divided in ``float64`` as Python divides it."""
    ids, matrix, size = _table()
    flat, offsets = joined if joined is not None else joined_prefixes(cps, max_chars)
    # Beyond the BMP a code point reads as U+FFFF (clipped), which breaks the chain.
    mapped = np.take(ids, flat, mode="clip")
    pair_at = mapped[:-1] * size
    pair_at += mapped[1:]
    quantised = np.take(matrix, pair_at)  # np.take: indexing with int32 keys would first copy them as intp
    # Pairs of text k: offsets[k] .. offsets[k + 1] - 2 (none straddles two texts).
    starts = np.minimum(offsets[:-1], len(quantised))
    ends = np.maximum(np.minimum(offsets[1:] - 1, len(quantised)), starts)
    if len(ends) and int((ends - starts).max()) > _MAX_PAIRS:
        both = quantised != _NO_PAIR
        count = segment_totals(both, starts, ends)
        total = segment_totals(np.where(both, quantised, 0), starts, ends)
        strong = segment_totals(both & (quantised >= STRONG * STEP), starts, ends)
    else:
        # One sum of the packed values instead of three, per text from its first pair to the next text's (the
        # pair that straddles two texts weighs 0; a text without pairs, 0).
        values = np.take(_packed_sums(), quantised.view(np.uint8))
        values[seams(offsets)] = 0
        packed = np.zeros(len(starts), dtype=np.int64)
        begun = int(np.searchsorted(starts, len(values)))  # the texts with a pair: all before the last pair
        if begun:
            packed[:begun] = np.add.reduceat(values, starts[:begun])
        packed[ends <= starts] = 0
        count = packed >> _COUNT_AT
        strong = (packed >> _STRONG_AT) & ((1 << (_COUNT_AT - _STRONG_AT)) - 1)
        total = (packed & ((1 << _STRONG_AT) - 1)) - 128 * count
    read = count > 0
    pairs = np.maximum(count, 1)
    return np.where(read, total / pairs / STEP, 0.0), np.where(read, strong / pairs, 0.0)


def fit_table(texts: list[str], *, min_count: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """``(keys, quantised PMI)`` of the pairs seen at least ``min_count`` times in ``texts`` (what
    ``benchmarks/fit_quality.py`` writes to :data:`TABLE`)."""
    keys = np.concatenate([pair_keys(t, max_chars=len(t)) for t in texts])
    unique, counts = np.unique(keys, return_counts=True)
    firsts = np.bincount(unique >> 16, weights=counts, minlength=0x10000)
    seconds = np.bincount(unique & 0xFFFF, weights=counts, minlength=0x10000)
    total = counts.sum()
    pmi = np.log(counts * total / (firsts[unique >> 16] * seconds[unique & 0xFFFF]))
    keep = counts >= min_count
    quantised = np.round(np.clip(pmi[keep], UNSEEN, PMI_MAX) * STEP)
    return unique[keep].astype(np.uint32), np.clip(quantised, -128, 127).astype(np.int8)
