"""Text as an array of code points: what the stages' lookup tables (character classes, the script fold, the
deduplication view, signs of mojibake) are indexed with."""

from __future__ import annotations

import numpy as np

# Below this many characters a regex pass over the text costs less than a table lookup over its code points
# (numpy's fixed cost per call, ~3 us): the stages that can do either pick by length.
NUMPY_MIN_CHARS = 512


def code_points(text: str) -> np.ndarray:
    """The code points of ``text`` as ``uint32``: one encode, no per-character work. A lone surrogate (left
    by a broken decoder) is kept as its code point instead of making the encode fail.

    >>> code_points("深圳 1996").tolist()[:3], code_points("\\ud800").tolist()
    ([28145, 22323, 32], [55296])
    """
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def joined_code_points(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The code points of ``texts`` end to end, from one encode, and where each text starts: ``(flat,
    offsets)``, text ``k`` at ``flat[offsets[k]:offsets[k + 1]]``, the same values as ``code_points(texts[k])``
    (a lone surrogate at the end of one text and the start of the next stays two code points: Python strings
    never pair them up).

    >>> flat, offsets = joined_code_points(["中国", "", "a\\ud800"])
    >>> flat.tolist() == code_points("中国a\\ud800").tolist(), offsets.tolist()
    (True, [0, 2, 2, 4])
    """
    offsets = np.zeros(len(texts) + 1, dtype=np.intp)
    np.cumsum(np.fromiter(map(len, texts), dtype=np.intp, count=len(texts)), out=offsets[1:])
    return code_points("".join(texts)), offsets



def joined_prefixes(arrays: list[np.ndarray], max_chars: int | None) -> tuple[np.ndarray, np.ndarray]:
    """The first ``max_chars`` code points (None: all) of each of ``arrays`` end to end, for one lookup over
    many documents (numpy's fixed cost per call is paid once per chunk, not once per document): ``(flat,
    offsets)``, array ``k`` at ``flat[offsets[k]:offsets[k + 1]]``.

    >>> flat, offsets = joined_prefixes([code_points("中国人"), code_points(""), code_points("经济")], 2)
    >>> flat.tolist() == code_points("中国经济").tolist(), offsets.tolist()
    (True, [0, 2, 2, 4])
    """
    parts = arrays if max_chars is None else [array[:max_chars] for array in arrays]
    offsets = np.zeros(len(parts) + 1, dtype=np.intp)
    np.cumsum(np.fromiter(map(len, parts), dtype=np.intp, count=len(parts)), out=offsets[1:])
    flat = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint32)
    return flat, offsets


def seams(offsets: np.ndarray) -> np.ndarray:
    """The indices ``i`` of the neighbouring pairs ``(flat[i], flat[i + 1])`` of :func:`joined_prefixes`'s
    ``flat`` that straddle two arrays.

    >>> seams(np.array([0, 2, 2, 4])).tolist()
    [1]
    """
    inner = offsets[1:-1]
    return np.unique(inner[(inner > 0) & (inner < offsets[-1])]) - 1


def segment_totals(values: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """``values[starts[k]:ends[k]].sum()`` for every ``k`` (integers or booleans: exact), from one running sum,
    as an ``int64`` array.

    >>> segment_totals(np.array([1, 2, 3, 4]), np.array([0, 1, 4]), np.array([2, 4, 4])).tolist()
    [3, 9, 0]
    >>> segment_totals(np.array([True, False, True]), np.array([0, 1]), np.array([3, 3])).tolist()
    [2, 1]
    """
    running = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(values, dtype=np.int64, out=running[1:])
    return running[ends] - running[starts]


def segment_bincounts(values: np.ndarray, bounds: np.ndarray, width: int) -> np.ndarray:
    """``np.bincount(values[bounds[k]:bounds[k + 1]], minlength=width)`` for every ``k`` (values below
    ``width``), as the rows of one ``int64`` matrix: a single ``bincount`` over keys ``k * width + value``
    instead of one call per segment (numpy's fixed cost per call was most of the time on a chunk of
    web-sized documents).

    >>> segment_bincounts(np.array([1, 0, 1, 2], dtype=np.uint8), np.array([0, 3, 3, 4]), 3).tolist()
    [[1, 2, 0], [0, 0, 0], [0, 0, 1]]
    """
    segments = len(bounds) - 1
    key_type = np.int32 if segments * width < 2**31 else np.intp  # half the bytes of intp: a faster pass
    keys = np.repeat(np.arange(0, segments * width, width, dtype=key_type), np.diff(bounds))
    keys += values
    return np.bincount(keys, minlength=segments * width).reshape(segments, width)
