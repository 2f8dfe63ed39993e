"""Hashing and counting helpers behind the n-gram repetition measures: rolling polynomial hashes of
character n-grams and the cheap upper bounds that settle most documents before any n-gram is counted.

Pure numpy over code-point and class arrays; :class:`corpusclean.quality.signals.Measurements` calls them.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from corpusclean.quality.charclasses import CJK, DIGIT, LATIN, LETTER


def _polynomial_hash(cps: np.ndarray, n: int, known: dict[int, np.ndarray]) -> np.ndarray:
    """Hashes of every n-gram of ``cps`` (see :meth:`Measurements._ngram_keys`), each length built from
    two shorter ones and remembered in ``known``: h_n[i] = h_half[i] * B**(n - half) + h_(n - half)[i + half]."""
    if n == 1:
        return cps
    found = known.get(n)
    if found is None:
        half = n // 2
        low, high = _polynomial_hash(cps, half, known), _polynomial_hash(cps, n - half, known)
        size = max(len(cps) - n + 1, 0)
        # Array arithmetic on unsigned integers wraps silently (only numpy scalars warn on overflow).
        found = known[n] = low[:size] * _power(n - half) + high[half : half + size]
    return found


@functools.cache
def _power(k: int) -> np.uint64:
    return np.uint64(pow(int(_HASH_BASE), k, 1 << 64))


# B**k for the hash of a multi-character token (characters further than 4,096 into a run reuse powers).
_POWERS = np.array([pow(0x9E3779B97F4A7C15, k, 1 << 64) for k in range(4096)], dtype=np.uint64)


def _largest_count(n: int, limit: float, total: int) -> int:
    """The largest count c with ``min(1, c * n / total) <= limit``, computed with the same float
    arithmetic as the measure itself so bound and measure can never disagree (n = 0: no n-grams)."""
    if limit >= 1 or n <= 0:
        return total
    count = int(limit * total / n)
    while count > 0 and count * n / total > limit:
        count -= 1
    while (count + 1) * n / total <= limit:
        count += 1
    return count


def _top_allowed(rooms: Sequence[tuple[int, int]], total: int, extras: list[int], per_length: int) -> int:
    """The largest count ``k`` of the most frequent character pair that keeps every ``top_n`` share within its
    limit (``rooms``: each n with the largest count of characters its limit allows), when the n largest extra
    characters of the runs sum to at most ``sum(extras[:n])`` and the largest (extra characters x runs of that
    length) is at most ``per_length`` (see :meth:`Measurements.ngrams_within`):
    ``k * n + min(k * sum(extras[:n]), n * per_length) <= room``."""
    allowed = total
    for n, room in rooms:
        fits = room // (n + sum(extras[:n]))
        if room >= n * per_length:
            fits = max(fits, (room - n * per_length) // n)
        allowed = min(allowed, fits)
    return allowed


def _char_gram_keys(chars: np.ndarray, pairs: np.ndarray, n: int) -> np.ndarray:
    """A 32-bit hash of every character n-gram of ``chars`` (uint32; ``pairs`` are its 2-gram keys, n >= 3), for
    bounds only: a collision merges two n-grams, which can only raise a repeat count. A new array."""
    keys = pairs
    for start in range(2, n - 1, 2):  # two more characters at a time
        keys = keys[:-2] * _HASH32 + pairs[start:]
    if n % 2:
        keys = keys[:-1] * _HASH32 + chars[n - 1:]
    return keys


def _top_within(chars: np.ndarray, pairs: np.ndarray, ordered: np.ndarray, extras: list[int],
                top: Sequence[tuple[int, float]], total: int) -> bool:
    """The top n-gram bound of :meth:`Measurements.ngrams_within` once more, tighter: ``k`` is at most the count
    ``c`` of the most frequent character n-gram (a token n-gram's first n characters occur wherever it does;
    ``ordered`` are the sorted pair keys), and ``k * L <= c * n`` plus, for each Latin word or number in the
    n-gram, its extra characters times ``min(c, words and numbers of its length)``."""
    same_length = Counter(extras)
    for n, limit in top:
        if limit >= 1:
            continue
        keys = ordered if n == 2 else np.sort(_char_gram_keys(chars, pairs, n))
        if len(keys) == 0:
            continue
        most = _longest_run(keys)
        # The n largest of extra * min(most, same_length[extra]) over the runs, read per number of extras.
        spread, left = 0, n
        for value, times in sorted(((extra * min(most, times), times) for extra, times in same_length.items()),
                                   reverse=True):
            if left <= 0:
                break
            spread += value * min(left, times)
            left -= times
        if most * n + spread > _largest_count(1, limit, total):
            return False
    return True


def _longest_run(ordered: np.ndarray) -> int:
    """How often the most frequent key of ``ordered`` (sorted, not empty) occurs.

    >>> _longest_run(np.array([1, 2, 2, 2, 5, 5])), _longest_run(np.array([7])), _longest_run(np.array([1, 1, 3]))
    (3, 1, 2)
    """
    breaks = np.flatnonzero(ordered[1:] != ordered[:-1])
    if not len(breaks):
        return len(ordered)
    inner = int((breaks[1:] - breaks[:-1]).max()) if len(breaks) > 1 else 0
    return max(int(breaks[0]) + 1, len(ordered) - 1 - int(breaks[-1]), inner)


def _covered_by_repeats(keys: np.ndarray, n: int, size: int) -> int:
    """Characters (of ``size``) inside an n-gram whose key occurs twice or more (``keys[i]`` is the n-gram at
    character ``i``)."""
    order = np.argsort(keys)
    ordered = keys[order]
    same = ordered[1:] == ordered[:-1]
    repeated = np.zeros(len(keys), dtype=bool)
    repeated[1:] |= same
    repeated[:-1] |= same
    starts = np.zeros(len(keys), dtype=np.int8)
    starts[order[repeated]] = 1
    return int(np.count_nonzero(np.convolve(starts, _ONES[:n])[:size]))


def _run_extras(entries: bytes) -> tuple[list[int], int]:
    """From the characters' table entries (:meth:`Measurements.classes` as bytes): the characters beyond the
    first of each Latin word or number, largest first, and the largest (extra characters x words and numbers
    with that many). A word or number is a run of characters of one class; bytes.translate marks the class's
    characters and bytes.split cuts its runs out, in C.

    >>> from corpusclean.quality.charclasses import _class_table
    >>> from corpusclean.text.codepoints import code_points
    >>> _run_extras(_class_table()[code_points("GDP增长2020年，5G和H1N1与CPI")].tobytes())  # 4 + 3 + 3 characters
    ([3, 2, 2], 4)
    """
    extras = [len(run) - 1 for table in _RUN_BYTES for run in entries.translate(table).split() if len(run) > 1]
    extras.sort(reverse=True)
    per_length = same = last = 0
    for extra in extras:
        same = same + 1 if extra == last else 1
        last = extra
        if extra * same > per_length:
            per_length = extra * same
    return extras, per_length


# For _run_extras: table entries (class * 4 + mark) of one run class as b"x", every other byte as a space.
_RUN_BYTES = tuple(bytes(0x78 if entry >> 2 == cls else 0x20 for entry in range(256)) for cls in (LATIN, DIGIT))


def _lost_chars(meta: dict[str, Any] | None) -> int:
    """Characters the ``mojibake`` repair stage cut (``meta["mojibake"]["lost_chars"]``), 0 if none recorded."""
    repair = (meta or {}).get("mojibake")
    if isinstance(repair, dict) and isinstance(repair.get("lost_chars"), int):
        return repair["lost_chars"]
    return 0


def _has_run_longer(keys: np.ndarray, count: int) -> bool:
    """Whether some key occurs more than ``count`` times (``count >= 1``)."""
    ordered = np.sort(keys)
    return bool((ordered[count:] == ordered[:-count]).any())


_ONES = np.ones(32, dtype=np.int8)
_ONES64 = np.ones(32, dtype=np.int64)
_TOP_BIT = np.uint64(1 << 63)


_S21 = np.uint64(21)
_S16 = np.uint32(16)
_HASH32 = np.uint32(0x9E3779B1)  # odd 32-bit multiplier (bounds only)
# Table entries (class * 4 + mark) of the content classes CJK..LETTER and of the run classes LATIN..DIGIT.
_CONTENT_LO, _CONTENT_SPAN = np.uint8(4 * CJK), np.uint8(4 * (LETTER - CJK + 1))
_S42 = np.uint64(42)
# Odd 64-bit multiplier for the rolling polynomial hash; arithmetic wraps modulo 2**64 (deterministic).
_HASH_BASE = np.uint64(0x9E3779B97F4A7C15)


