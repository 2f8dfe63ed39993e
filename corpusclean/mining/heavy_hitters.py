"""Counting which keys occur in many documents, in memory that does not grow with the corpus.

Most lines of a corpus are unique, so counting every line's key in a dict would hold the whole corpus's
lines in memory. A count-min sketch (a few fixed-size arrays of counters, updated with numpy for a whole
batch of keys at once) estimates every key's count; only keys whose estimate reaches ``track_from`` are
admitted to an exact table, which keeps their count from then on and a small random sample of the lines
that carried them (reservoir sampling with a seeded generator, so the same input gives the same sample).
The sketch never under-counts, so no frequent key is missed; the few keys it over-counts are admitted
early and simply stay small. When the table holds ``max_tracked`` keys, the less frequent half is dropped
and the admission bar rises above them, so memory stays bounded whatever the input.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from corpusclean.dedup.shingles import fmix64


@dataclass(slots=True)
class Tracked:
    """One admitted key: documents counted since admission (``docs``), how many of them carried it with the
    caller's flag set (``flagged``; for mining: at a document's head or tail), an upper bound on the documents
    missed before admission (``before``), and a random sample of the lines that carried it."""

    docs: int = 0
    flagged: int = 0
    before: int = 0
    sample: list[str] = field(default_factory=list)

    @property
    def estimate(self) -> int:
        return self.docs + self.before


class HeavyHitters:
    """Keys seen in at least ``track_from`` documents, with counts and samples.

    >>> hh = HeavyHitters(track_from=2, sample_size=2)
    >>> for doc in range(5):
    ...     hh.add(np.array([7, 100 + doc], dtype=np.uint64), np.array([0, 1]), ["版权所有", f"正文{doc}"],
    ...            flags=np.array([True, False]))
    >>> sorted(hh.frequent(3))
    [7]
    >>> hh.tracked[7].estimate, hh.tracked[7].flagged, hh.tracked[7].sample
    (5, 4, ['版权所有', '版权所有'])
    """

    def __init__(self, *, width: int = 1 << 21, depth: int = 2, track_from: int = 3, max_tracked: int = 200_000,
                 sample_size: int = 8, seed: int = 1) -> None:
        if width < 1 or width & (width - 1):
            raise ValueError(f"width must be a power of two, got {width}")
        if not 1 <= depth <= 3:
            raise ValueError(f"depth must be 1, 2 or 3, got {depth}")
        if track_from < 1 or max_tracked < 2 or sample_size < 1:
            raise ValueError(f"track_from, max_tracked, sample_size must be positive, got "
                             f"{track_from}, {max_tracked}, {sample_size}")
        self.width, self.depth = width, depth
        self.bits = width.bit_length() - 1
        self.sketch = np.zeros((depth, width), dtype=np.uint32)
        self.track_from = track_from
        self.max_tracked = max_tracked
        self.sample_size = sample_size
        self.tracked: dict[int, Tracked] = {}
        self._random = random.Random(seed)

    def add(self, keys: np.ndarray, carriers: np.ndarray, lines: Sequence[str], *,
            flags: np.ndarray | None = None) -> None:
        """Count ``keys`` (uint64; each key at most once per document: deduplicate before), ``lines[carriers[i]]``
        being the text that carried ``keys[i]`` (only the lines of tracked keys are looked at)."""
        if len(keys) == 0:
            return
        mixed = fmix64(keys)
        estimate = np.full(len(keys), np.iinfo(np.uint32).max, dtype=np.uint32)
        mask = np.uint64(self.width - 1)
        for row in range(self.depth):
            cells = ((mixed >> np.uint64(row * self.bits)) & mask).astype(np.intp)
            np.add.at(self.sketch[row], cells, 1)
            np.minimum(estimate, self.sketch[row][cells], out=estimate)
        for index in np.flatnonzero(estimate >= self.track_from).tolist():
            flagged = bool(flags[index]) if flags is not None else False
            self._count(int(keys[index]), lines[int(carriers[index])], int(estimate[index]), flagged)
        if len(self.tracked) > self.max_tracked:
            self._prune()

    def _count(self, key: int, line: str, estimate: int, flagged: bool) -> None:
        entry = self.tracked.get(key)
        if entry is None:
            entry = self.tracked[key] = Tracked(before=min(estimate, self.track_from) - 1)
        entry.docs += 1
        entry.flagged += flagged
        if len(entry.sample) < self.sample_size:
            entry.sample.append(line)
        else:  # reservoir sampling: every carrier so far has the same chance to be in the sample
            slot = self._random.randrange(entry.docs)
            if slot < self.sample_size:
                entry.sample[slot] = line

    def _prune(self) -> None:
        counts = sorted(entry.estimate for entry in self.tracked.values())
        bar = counts[len(counts) // 2]
        self.tracked = {key: entry for key, entry in self.tracked.items() if entry.estimate > bar}
        self.track_from = max(self.track_from, bar + 1)

    def frequent(self, min_docs: int) -> list[int]:
        """Tracked keys whose estimated document count reaches ``min_docs``, most frequent first."""
        found = [(entry.estimate, key) for key, entry in self.tracked.items() if entry.estimate >= min_docs]
        return [key for _, key in sorted(found, key=lambda pair: (-pair[0], pair[1]))]
