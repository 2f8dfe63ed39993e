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
