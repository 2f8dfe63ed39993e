"""Fingerprints of lines for mining templated boilerplate: an exact key and LSH band keys per line.

Templated lines differ from page to page in their dates and in the site's name ("版权所有 © 2019 新华网"
vs "版權所有 © 2023 人民網"). So a line is compared through its *template view*: Traditional folded to
Simplified (:func:`corpusclean.text.script.fold_to_simplified`), full-width letters and digits to ASCII, lower
case, whitespace and punctuation dropped, and every run of digits collapsed to one ``0``. Two lines with the
same template view get the same *exact key*; lines whose views share most of their character n-grams share
at least one *band key* with high probability (MinHash LSH, :mod:`corpusclean.dedup.lsh`).

Per-line numpy calls would cost more than the hashing (a few microseconds each, on lines of 30
characters), so a whole batch of lines is processed as one array: the lines are joined, mapped to view code
points with one table lookup, shingled with :func:`corpusclean.dedup.shingles.shingle_hashes`, and each line's
MinHash minima are taken with ``np.minimum.reduceat`` over its run of shingles.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from corpusclean.dedup.lsh import band_keys
from corpusclean.dedup.shingles import fmix64, shingle_hashes
from corpusclean.text.codepoints import code_points
from corpusclean.text.script import fold_to_simplified

_DIGIT = ord("0")
_NEWLINE = ord("\n")
_EXACT_SALT = np.uint64(0x5BD1E9955BD1E995)


@functools.cache
def _view_table() -> np.ndarray:
    """``table[c]``: the template-view code point of BMP character ``c``; -1 for dropped characters."""
    chars = "".join(chr(c) if not 0xD800 <= c <= 0xDFFF else " " for c in range(0x10000))
    folded = fold_to_simplified(chars)
    table = np.full(0x10000, -1, dtype=np.int64)
    for code, char in enumerate(folded):
        if 0xFF10 <= code <= 0xFF5A:  # full-width digits and letters: their ASCII forms
            char = chr(code - 0xFEE0)
        if char.isdigit():
            table[code] = _DIGIT
        elif char.isalnum():
            table[code] = ord(char.lower()) if len(char.lower()) == 1 else ord(char)
    return table


def template_view(line: str) -> str:
    """The string a line is compared by: folded script, no punctuation or spaces, digit runs as ``0``.

    >>> template_view("版權所有 © 2005-2023 人民網")
    '版权所有0人民网'
    >>> template_view("Copyright ２０１９ ＸＨ") == template_view("copyright 2019 xh")
    True
    """
    codes, _ = _view_arrays(line, 1)
    return codes.astype(np.uint32).tobytes().decode("utf-32-le", "surrogatepass")


def _view_arrays(joined: str, count: int) -> tuple[np.ndarray, np.ndarray]:
    """View code points of ``count`` newline-joined lines and the line number of each code point."""
    raw = code_points(joined)
    table = _view_table()
    astral = raw >= 0x10000
    mapped = table[np.where(astral, 0, raw)]
    if astral.any():  # CJK extension B+ and emoji: kept as they are (rare; never digits or punctuation)
        mapped = np.where(astral, raw.astype(np.int64), mapped)
    line_of = np.cumsum(raw == _NEWLINE)
    keep = mapped >= 0
    codes, lines = mapped[keep], line_of[keep]
    if len(codes) > 1:  # collapse digit runs within a line: 2005-2023 and 2019 both become 0
        repeat = (codes[1:] == _DIGIT) & (codes[:-1] == _DIGIT) & (lines[1:] == lines[:-1])
        first = np.r_[True, ~repeat]
        codes, lines = codes[first], lines[first]
    return codes, lines


@dataclass(slots=True)
class LineKeys:
    """Fingerprints of a batch of lines: ``lengths[i]`` view characters, ``exact[i]`` (uint64) and
    ``bands[i]`` (uint64 per band; 0 where the line is too short to have shingles)."""

    lengths: np.ndarray
    exact: np.ndarray
    bands: np.ndarray


def line_keys(lines: list[str], *, ngram: int = 3, bands: int = 12, rows: int = 2, seed: int = 1) -> LineKeys:
    """Exact and band keys for each line (lines must not contain a newline).

    >>> keys = line_keys(["本站所有文章版权归新华网所有，未经许可不得转载",
    ...                   "本站所有文章版權歸人民網所有，未經許可不得轉載",
    ...                   "北京市今天发布暴雨蓝色预警，请市民注意出行安全"])
    >>> int((keys.bands[0] == keys.bands[1]).sum()) > 0, int((keys.bands[0] == keys.bands[2]).sum())
    (True, 0)
    >>> bool(line_keys(["2019年版权所有"]).exact[0] == line_keys(["2023年版权所有"]).exact[0])
    True
    """
    if ngram < 1 or bands < 1 or rows < 1:
        raise ValueError(f"ngram, bands and rows must be >= 1, got {ngram}, {bands}, {rows}")
    count = len(lines)
    out_bands = np.zeros((count, bands), dtype=np.uint64)
    if count == 0:
        return LineKeys(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64), out_bands)
    codes, line_of = _view_arrays("\n".join(lines), count)
    lengths = np.bincount(line_of, minlength=count)
    starts = np.r_[0, np.cumsum(lengths)[:-1]]
    position = np.arange(len(codes)) - starts[line_of]
    # Exact key: an order-sensitive hash of each line's view (xor of position-tagged code points).
    tagged = fmix64((codes.astype(np.uint64) | (position.astype(np.uint64) << np.uint64(32))) ^ _EXACT_SALT)
    exact = np.zeros(count, dtype=np.uint64)
    present = lengths > 0
    exact[present] = np.bitwise_xor.reduceat(tagged, starts[present])
    exact = fmix64(exact ^ lengths.astype(np.uint64))
    # Shingles that lie inside one line; each line's run of them is contiguous.
    shingles = shingle_hashes(codes.astype(np.uint32), ngram=ngram, seed=seed)
    inside = (position[: len(shingles)] + ngram) <= lengths[line_of[: len(shingles)]]
    shingles, owner = shingles[inside], line_of[: len(shingles)][inside]
    if len(shingles):
        per_line = np.bincount(owner, minlength=count)
        has = per_line > 0
        run_starts = np.r_[0, np.cumsum(per_line)[:-1]][has]
        num_perm = bands * rows
        sig = np.empty((int(has.sum()), num_perm), dtype=np.uint32)
        multipliers, offsets = _permutations(num_perm, seed)
        for column in range(num_perm):
            # Multiply-shift hashing: the high 32 bits of a*x + b (a odd) are a fresh permutation-like hash.
            values = ((shingles * multipliers[column] + offsets[column]) >> np.uint64(32)).astype(np.uint32)
            sig[:, column] = np.minimum.reduceat(values, run_starts)
        for band in range(bands):
            out_bands[has, band] = band_keys(sig, band, rows=rows, seed=seed) | np.uint64(1)
    return LineKeys(lengths.astype(np.int64), exact, out_bands)


@functools.cache
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    multipliers = rng.integers(1, 2**63, size=num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    offsets = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)
    return multipliers, offsets
