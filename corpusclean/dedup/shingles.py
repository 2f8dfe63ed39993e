"""The normalised view deduplication compares, and fast hashes of its character n-grams.

Two reposts of one article differ in script (Traditional/Simplified), full-width vs ASCII letters and
digits, spacing and punctuation. The normalised view folds all of that away, so exact duplicates are
found by hashing it and near duplicates by the n-grams ("shingles") of it. Chinese has no spaces, so
shingles are character n-grams, never words.

Hashing n-grams one Python string at a time costs more than the MinHash itself (building the list of
shingles alone runs at a few MB/s), so the n-gram hashes are computed for the whole document at once
with numpy: the text becomes an array of code points and each n-gram hash is a polynomial over n
shifted views of that array, finished with the MurmurHash3 64-bit mixer.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
import unicodedata

import numpy as np

from corpusclean.text import table_cache
from corpusclean.text.codepoints import code_points, joined_code_points
from corpusclean.text.script import fold_to_simplified

# Everything that is not a letter or a digit: whitespace, punctuation (full-width included), symbols,
# and the underscore that ``\w`` counts as a word character.
_NOT_WORD = re.compile(r"[\W_]+")

_MIX1 = np.uint64(0xFF51AFD7ED558CCD)
_MIX2 = np.uint64(0xC4CEB9FE1A85EC53)
_POLY = np.uint64(0x100000001B3)  # the 64-bit FNV prime: odd, so the polynomial step keeps low bits mixed
_S33 = np.uint64(33)


def _fold_char(char: str, script_folded: str | None = None) -> str:
    if script_folded is None:
        script_folded = fold_to_simplified(char)
    view = _NOT_WORD.sub("", unicodedata.normalize("NFKC", script_folded).lower())
    if len(view) <= 1:
        return view
    # A compatibility character that expands to several (½, ㍿): keep it as one character, so the view
    # stays a character-for-character map that numpy can apply.
    return char.lower() if len(char.lower()) == 1 else char


@functools.cache
def _bmp_table() -> np.ndarray:
    """``table[c]``: the code point character ``c`` becomes in the view, or -1 if it is dropped. Built once
    per machine (0.15 s, kept by :mod:`corpusclean.text.table_cache`), loaded once per process (read-only)."""
    from corpusclean.text.script import dictionary_files

    table = table_cache.load_or_build(
        "shingles", lambda: _build_bmp_table().tobytes(), version=1,
        sources=("corpusclean.dedup.shingles", "corpusclean.text.script"), inputs=dictionary_files())
    return np.frombuffer(table, dtype=np.int32)


def _build_bmp_table() -> np.ndarray:
    table = np.full(0x10000, -1, dtype=np.int32)
    codes = [code for code in range(0x10000) if not 0xD800 <= code <= 0xDFFF]  # lone surrogates: not text
    # The script fold is character for character, so the whole plane folds in one call (one call per
    # character cost a second in every worker); the rest of _fold_char follows per character.
    folded_plane = fold_to_simplified("".join(map(chr, codes)))
    for code, script_folded in zip(codes, folded_plane, strict=True):
        folded = _fold_char(chr(code), script_folded)
        if folded:
            table[code] = ord(folded)
    return table


def view_codes(text: str) -> np.ndarray:
    """The normalised view as an array of code points (``uint32``): see :func:`normalized_view`."""
    codes = code_points(text)
    if len(codes) == 0:
        return codes
    mapped = _mapped(codes)
    return mapped[mapped >= 0].astype(np.uint32)


def _mapped(codes: np.ndarray) -> np.ndarray:
    """Each code point's view character (``int32``), or -1 where the view drops it."""
    table = _bmp_table()
    if codes.max() < 0x10000:
        return table[codes]
    astral = codes >= 0x10000
    # Emoji and CJK extension B+ are rare: map each distinct one through the same per-character fold.
    mapped = table[np.where(astral, 0, codes)]
    for code in np.unique(codes[astral]):
        folded = _fold_char(chr(code))
        mapped[codes == code] = ord(folded) if folded else -1
    return mapped


def view_codes_batch(texts: list[str], *, scratch: Scratch | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The views of several texts at once: their code points end to end (``uint32``) and the offsets
    (``len(texts) + 1``) where each text's view starts and the last one ends. One numpy pass over the
    whole batch instead of a dozen calls per text: short documents spent most of their time in call
    overhead. ``view[offsets[i]:offsets[i + 1]]`` equals ``view_codes(texts[i])``. With ``scratch`` the
    view is written into one of its arrays (valid until its next use, see :class:`Scratch`).

    >>> view, offsets = view_codes_batch(["新聞。", "", "ＡＢ c"])
    >>> view.tobytes().decode("utf-32-le"), offsets.tolist()
    ('新闻abc', [0, 2, 2, 5])
    """
    codes, bounds = joined_code_points(texts)
    if len(codes) == 0:
        return codes, bounds
    if scratch is None:
        mapped = _mapped(codes)
        kept = np.flatnonzero(mapped >= 0)
        # The values kept are >= 0, so the int32 -> uint32 view changes no value (and copies nothing).
        return mapped[kept].view(np.uint32), np.searchsorted(kept, bounds)
    size = len(codes)
    if codes.max() < 0x10000:  # every code point indexes the table: "clip" clips nothing
        mapped = np.take(_bmp_table(), codes, out=scratch.take("mapped", np.int32, size), mode="clip")
    else:
        mapped = _mapped(codes)
    kept = np.flatnonzero(np.greater_equal(mapped, 0, out=scratch.take("keep", np.bool_, size)))
    view = np.take(mapped, kept, out=scratch.take("view", np.int32, len(kept)), mode="clip")
    offsets = np.searchsorted(kept, bounds)
    return view.view(np.uint32), offsets


class Scratch:
    """Arrays the batch path reuses from one batch to the next, by name (about 3 MB in all for parts of
    131k characters). Each temporary of such a part is 0.5-1 MB: in a fresh process glibc maps blocks that
    size anew and gives them back when they are freed, so every part paid page faults for a dozen of them
    (half of the signature path's time in a fresh process, as in ``bench_dedup.py``; once the other stages had
    run in the same process, as in ``bench_batch.py``, glibc kept such blocks and there were none). An array
    returned by :meth:`take` is valid until the next ``take`` of the same name; a :class:`Scratch` is for one
    thread (:func:`thread_scratch`)."""

    KEEP = 1 << 18  # elements: larger arrays (a long document alone) are not kept
    _GRAIN = 1 << 14  # sizes are rounded up to a multiple of this, so parts of similar sizes share arrays

    def __init__(self) -> None:
        self._arrays: dict[str, np.ndarray] = {}

    def take(self, name: str, dtype: type, size: int) -> np.ndarray:
        """An uninitialised array of ``size`` elements of ``dtype``."""
        array = self._arrays.get(name)
        if array is not None and array.dtype == dtype and len(array) >= size:
            return array[:size]
        array = np.empty(-(-max(size, 1) // self._GRAIN) * self._GRAIN, dtype=dtype)
        if size <= self.KEEP:
            self._arrays[name] = array
        return array[:size]


_local = threading.local()


def thread_scratch() -> Scratch:
    """This thread's :class:`Scratch`."""
    scratch = getattr(_local, "scratch", None)
    if scratch is None:
        scratch = _local.scratch = Scratch()
    return scratch


def normalized_view(text: str) -> str:
    """The text deduplication compares, character by character: Traditional folded to Simplified,
    NFKC (full-width letters and digits to ASCII), lower case; whitespace, punctuation and symbols
    dropped. It is computed with a lookup table over code points (numpy), not string by string.

    >>> normalized_view("貴州省 黨政代表團，赴廣東！")
    '贵州省党政代表团赴广东'
    >>> normalized_view("ＡＢＣ１２３ 新闻") == normalized_view("abc123新闻")
    True
    """
    return view_codes(text).tobytes().decode("utf-32-le")


def exact_hash(codes: np.ndarray) -> int:
    """A 64-bit hash (BLAKE2b) of a normalised view given as code points: equal views, equal hashes.

    >>> exact_hash(view_codes("新闻。")) == exact_hash(view_codes("新聞"))
    True
    """
    return int.from_bytes(hashlib.blake2b(codes.tobytes(), digest_size=8).digest(), "little")


def exact_hashes(view: np.ndarray, offsets: np.ndarray) -> list[int]:
    """:func:`exact_hash` of each view of joined views (``view[offsets[i]:offsets[i + 1]]``), read from the
    joined array's bytes without a copy; the digests become integers in one step.

    >>> view, offsets = view_codes_batch(["新闻。", "", "新聞"])
    >>> exact_hashes(view, offsets) == [exact_hash(view_codes(t)) for t in ("新闻。", "", "新聞")]
    True
    """
    raw = memoryview(view).cast("B") if len(view) else memoryview(b"")
    bounds = (offsets * view.itemsize).tolist()
    digests = b"".join([hashlib.blake2b(raw[bounds[i]:bounds[i + 1]], digest_size=8).digest()
                        for i in range(len(bounds) - 1)])
    return np.frombuffer(digests, dtype="<u8").tolist()


def fmix64(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser, a bijection that spreads every input bit over the output
    (uint64 in, uint64 out; multiplication wraps, which is the intended arithmetic)."""
    values = values ^ (values >> _S33)
    values = values * _MIX1
    values = values ^ (values >> _S33)
    values = values * _MIX2
    return values ^ (values >> _S33)


def shingle_hashes(codes: np.ndarray, *, ngram: int = 5, seed: int = 1) -> np.ndarray:
    """64-bit hashes of every character ``ngram``-gram of a view given as code points (one per position,
    repeats kept).

    A view shorter than ``ngram`` characters has no shingles (an empty array): such documents can only
    be exact duplicates.

    >>> h = shingle_hashes(view_codes("今天天气很好，今天天气"), ngram=4)
    >>> len(h), bool(h[0] == h[6]), bool(h[0] == h[1])
    (7, True, False)
    """
    if ngram < 1:
        raise ValueError(f"ngram must be >= 1, got {ngram}")
    count = len(codes) - ngram + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint64)
    wide = codes.astype(np.uint64)
    acc = wide[:count] ^ np.uint64(seed & 0xFFFFFFFFFFFFFFFF)
    for offset in range(1, ngram):
        acc *= _POLY
        acc += wide[offset:offset + count]
    return _fmix64_inplace(acc)


def shingle_hashes_batch(view: np.ndarray, offsets: np.ndarray, *, ngram: int = 5,
                         seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """:func:`shingle_hashes` of several views laid end to end (see :func:`view_codes_batch`): the
    hashes of every view, end to end, and the offsets where each view's hashes start. The polynomial runs
    over the whole batch once; n-grams that straddle two views are then left out.

    >>> view, offsets = view_codes_batch(["今天天气很好，今天天气", "很好", "今天天气很好"])
    >>> hashes, starts = shingle_hashes_batch(view, offsets, ngram=4)
    >>> starts.tolist()
    [0, 7, 7, 10]
    >>> bool((hashes[:7] == shingle_hashes(view_codes("今天天气很好，今天天气"), ngram=4)).all())
    True
    """
    if ngram < 1:
        raise ValueError(f"ngram must be >= 1, got {ngram}")
    counts = np.maximum(np.diff(offsets) - (ngram - 1), 0)
    starts = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    total = len(view) - ngram + 1
    if total <= 0 or starts[-1] == 0:
        return np.empty(0, dtype=np.uint64), starts
    wide = view.astype(np.uint64)
    acc = wide[:total] ^ np.uint64(seed & 0xFFFFFFFFFFFFFFFF)
    for offset in range(1, ngram):
        acc *= _POLY
        acc += wide[offset:offset + total]
    if len(offsets) > 2 and ngram > 1:
        inside = np.ones(total, dtype=bool)
        inside[crossing_ngrams(offsets, ngram, total)] = False
        acc = acc[inside]
    return _fmix64_inplace(acc), starts


def crossing_ngrams(offsets: np.ndarray, ngram: int, total: int) -> np.ndarray:
    """The starts (below ``total``) of the n-grams of joined views (``offsets``) that straddle two views: the
    ngram - 1 positions before each boundary between them.

    >>> crossing_ngrams(np.array([0, 4, 6]), 3, 4).tolist()
    [3, 2]
    """
    crossing = (offsets[1:-1, None] - np.arange(1, ngram)).ravel()
    return crossing[(crossing >= 0) & (crossing < total)]


def _fmix64_inplace(values: np.ndarray, scratch: np.ndarray | None = None, *, final: bool = True) -> np.ndarray:
    """:func:`fmix64` without temporaries (the same values; about twice as fast on long arrays); ``scratch``,
    an array of the same shape and dtype, is overwritten. ``final=False`` leaves out the last xorshift (which
    leaves the top 33 bits as they are: a caller that reads bins from them first)."""
    if scratch is None:
        scratch = np.empty_like(values)
    for multiplier in (_MIX1, _MIX2):
        np.right_shift(values, _S33, out=scratch)
        values ^= scratch
        values *= multiplier
    if final:
        np.right_shift(values, _S33, out=scratch)
        values ^= scratch
    return values
