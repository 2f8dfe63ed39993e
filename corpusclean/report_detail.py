"""What an HTML run report shows beyond the counts: a few real examples per rule, the distribution of every
filter's measured value, duplicate-cluster sizes and CPU time per stage.

Collected only when a report asks for it (``Pipeline.observe``): a worker's
:class:`~corpusclean.chunk_observer.ChunkObserver` watches
its chunk go through the stages and leaves one :class:`Detail` on the chunk's first document
(``doc.scratch[CHUNK_DETAIL]``), which is how it reaches :class:`~corpusclean.summary.Summary` on every
engine path (encoded in the worker, packed back to the main process, spilled before deduplication). A
``Detail`` is addable like the summary: examples keep the first few per rule in input order, histograms
have fixed bins, so chunks merge in any process and the report does not depend on the number of workers.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from corpusclean.document import Document, Rejection, Removal
from corpusclean.stage import Limit

# Examples kept per rule: enough to see what a rule does, few enough that a report of a billion documents
# stays a page.
EXAMPLES = 3
# Characters of a rejected document shown, and of context either side of a removed piece.
EXCERPT = 200
CONTEXT = 80
# Bins of a histogram: a share's cover [0, min(1, SHARE_SPAN * threshold)] (where the cut is visible, also
# for a threshold of 0.01) plus one bin for the values above; a count is binned by tenths of a decade.
SHARE_BINS = 40
SHARE_SPAN = 3
COUNT_BINS_PER_DECADE = 10
# The key of doc.scratch that carries a chunk's Detail (on the chunk's first document).
CHUNK_DETAIL = "report_detail"


@dataclass
class Histogram:
    """How the documents reaching a filter spread over one measured value, and the threshold applied.

    Bins are fixed by the scale and the threshold, so histograms of any chunks of one run add up.

    >>> share = Histogram(threshold=0.25)
    >>> share.upper, share.bin(0.0), share.bin(0.37), share.bin(0.8), share.edges(40)
    (0.75, 0, 19, 40, (0.75, 1.0))
    >>> count = Histogram(threshold=30, bound="min", scale="count")
    >>> count.bin(0), count.bin(9), count.bin(30), count.edges(10)
    (0, 10, 14, (9.0, 11.589254117941675))
    """

    threshold: float
    bound: str = "max"
    scale: str = "share"
    bins: Counter[int] = field(default_factory=Counter)

    @classmethod
    def of(cls, limit: Limit) -> Histogram:
        return cls(threshold=limit.threshold, bound=limit.bound, scale=limit.scale)

    @property
    def upper(self) -> float:
        """The top of a share's regular bins (values above it share one more bin)."""
        return min(1.0, SHARE_SPAN * self.threshold) if self.threshold > 0 else 1.0

    @property
    def documents(self) -> int:
        return sum(self.bins.values())

    def bin(self, value: float) -> int:
        if self.scale == "share":
            if value > self.upper:
                return SHARE_BINS
            return min(max(int(value / self.upper * SHARE_BINS), 0), SHARE_BINS - 1)
        return max(int(math.log10(max(value, 0) + 1) * COUNT_BINS_PER_DECADE), 0)

    def edges(self, index: int) -> tuple[float, float]:
        """The values bin ``index`` holds, from the first up to (not including) the second."""
        if self.scale == "share":
            if index >= SHARE_BINS:
                return self.upper, 1.0
            width = self.upper / SHARE_BINS
            return index * width, (index + 1) * width
        return 10 ** (index / COUNT_BINS_PER_DECADE) - 1, 10 ** ((index + 1) / COUNT_BINS_PER_DECADE) - 1

    def add(self, value: float) -> None:
        self.bins[self.bin(value)] += 1

    def update(self, other: Histogram) -> None:
        if (other.threshold, other.bound, other.scale) != (self.threshold, self.bound, self.scale):
            raise ValueError(f"cannot add a histogram of threshold {other.threshold} ({other.bound}, {other.scale}) "
                             f"to one of {self.threshold} ({self.bound}, {self.scale})")
        self.bins.update(other.bins)


@dataclass
class Detail:
    """The addable part of a run's account that only the HTML report shows.

    >>> a, b = Detail(), Detail()
    >>> a.seconds["rules"] += 0.5; b.seconds["rules"] += 0.25; b.clusters[2] += 1
    >>> a.update(b); a.seconds["rules"], a.clusters[2]
    (0.75, 1)
    """

    removals: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    rejections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    signals: dict[str, Histogram] = field(default_factory=dict)
    clusters: Counter[int] = field(default_factory=Counter)
    seconds: Counter[str] = field(default_factory=Counter)  # CPU seconds per stage (all processes)
    wall: Counter[str] = field(default_factory=Counter)  # wall-clock seconds per stage (summed over workers)

    def wants(self, examples: dict[str, list[dict[str, Any]]], key: str) -> bool:
        """Whether ``examples`` has room for another example of rule ``key``."""
        return len(examples.get(key, ())) < EXAMPLES

    def add_document(self, doc: Document) -> None:
        """What a finished document adds: an example of its rejection, or its duplicate cluster's size."""
        if doc.rejected is not None:
            key = f"{doc.rejected.stage}/{doc.rejected.rule}"
            if self.wants(self.rejections, key):
                self.rejections.setdefault(key, []).append(rejection_example(doc.id, doc.text, doc.rejected))
            return
        size = doc.meta.get("dup_count")
        if isinstance(size, int):
            self.clusters[size] += 1

    def update(self, other: Detail) -> None:
        for mine, theirs in ((self.removals, other.removals), (self.rejections, other.rejections)):
            for key, examples in theirs.items():
                kept = mine.setdefault(key, [])
                kept.extend(examples[:EXAMPLES - len(kept)])
        for key, histogram in other.signals.items():
            if key in self.signals:
                self.signals[key].update(histogram)
            else:
                self.signals[key] = Histogram(histogram.threshold, histogram.bound, histogram.scale,
                                              Counter(histogram.bins))
        self.clusters.update(other.clusters)
        for mine_times, their_times in ((self.seconds, other.seconds), (self.wall, other.wall)):
            for key, seconds in their_times.items():
                mine_times[key] += seconds


def visible(text: str) -> str:
    """``text`` with the characters a page would not show (controls, zero-width and format characters,
    private use, odd spaces) written as ``<U+XXXX>``, so a removal of them can be seen.

    >>> visible("深圳\\u200b\\u3000市")
    '深圳<U+200B><U+3000>市'
    """
    return "".join(ch if ch in "\n\t " or unicodedata.category(ch)[0] not in "CZ" else f"<U+{ord(ch):04X}>"
                   for ch in text)


def _clip_left(text: str, size: int = CONTEXT) -> str:
    return text if len(text) <= size else "…" + text[-size:]


def _clip_right(text: str, size: int = CONTEXT) -> str:
    return text if len(text) <= size else text[:size] + "…"


def removal_example(doc_id: str, before: str, after: str, removal: Removal) -> dict[str, Any]:
    """One removal shown in place: ``head`` and ``tail`` are the text around ``removed`` in ``before`` (the
    text as the stage saw it, where ``removal.line`` points), ``after`` the same line once the stage was
    done when that can be told (a span taken out of a line that stayed; ``None`` otherwise).

    >>> text = "北京暴雨预警\\n本文来源：某某网\\n市气象台发布通知。"
    >>> receipt = Removal("rules", "source", "本文来源：某某网", line=1)
    >>> ex = removal_example("a", text, "北京暴雨预警\\n市气象台发布通知。", receipt)
    >>> ex["head"], ex["removed"], ex["tail"]
    ('北京暴雨预警\\n', '本文来源：某某网', '\\n市气象台发布通知。')
    >>> ex = removal_example("b", "电话13800138000联系", "电话<PHONE>联系",
    ...                      Removal("pii", "phone", "13800138000", kind="span", line=0))
    >>> ex["head"], ex["tail"], ex["after"]
    ('电话', '联系', '电话<PHONE>联系')
    """
    example: dict[str, Any] = {"id": doc_id, "kind": removal.kind, "line": removal.line,
                               "removed": _clip_right(removal.text, 4 * CONTEXT), "head": "", "tail": "",
                               "after": None}
    lines = before.split("\n")
    at = removal.line
    if at is not None and 0 <= at < len(lines):
        if removal.kind in ("line", "block"):
            end = at + removal.text.count("\n") + 1
            example["head"] = _clip_left(lines[at - 1]) + "\n" if at > 0 else ""
            example["tail"] = "\n" + _clip_right(lines[end]) if end < len(lines) else ""
            return example
        start = lines[at].find(removal.text)
        if start >= 0:
            example["head"] = _clip_left(lines[at][:start])
            example["tail"] = _clip_right(lines[at][start + len(removal.text):])
            after_lines = after.split("\n")
            if len(after_lines) == len(lines):  # no line came or went: line ``at`` is the same line after
                low = max(start - CONTEXT, 0)
                example["after"] = ("…" if low else "") + _clip_right(after_lines[at][low:], 2 * CONTEXT)
            return example
    start = before.find(removal.text) if removal.text else -1
    if start >= 0:
        example["head"] = _clip_left(before[:start])
        example["tail"] = _clip_right(before[start + len(removal.text):])
    return example


def rejection_example(doc_id: str, text: str, rejection: Rejection) -> dict[str, Any]:
    """A rejected document as the report shows it: its id, its first :data:`EXCERPT` characters, the measured
    value and threshold, and the rejection's details (large ones, such as undecodable raw bytes, left out).

    >>> ex = rejection_example("7", "首页\\n新闻", Rejection("length", "too_few_cjk", value=4, threshold=30))
    >>> ex["text"], ex["value"], ex["threshold"]
    ('首页\\n新闻', 4, 30)
    """
    detail = {key: _clip_right(str(value), 120) for key, value in rejection.detail.items()
              if key not in ("raw", "raw_b64")}
    return {"id": doc_id, "text": _clip_right(text, EXCERPT), "value": rejection.value,
            "threshold": rejection.threshold, "detail": detail}


def chunk_detail(docs: list[Document]) -> Detail | None:
    """The detail a :class:`ChunkObserver` left on ``docs``, if one did."""
    return docs[0].scratch.get(CHUNK_DETAIL) if docs else None
