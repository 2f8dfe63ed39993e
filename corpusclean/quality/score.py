"""One document quality score in [0, 1]: shallow gradient-boosted trees over measured signals, shipped as data.

Single thresholds cannot separate garbage pages that look like text from text that looks odd: a page of
60 headlines and a People's Daily list of delegates both have no sentence punctuation; character soup has
the composition of prose. Together the signals separate them. :func:`features` measures each document
(the existing composition, structure and repetition signals, :func:`~corpusclean.quality.wordlike.word_share`,
:func:`~corpusclean.quality.bigrams.bigram_pmi`, and evidence of headline pages and shuffled text: title-like
lines and their spread of lengths, numbering, sentence ends stranded inside lines), and :class:`QualityModel`
combines them with trees fitted by ``benchmarks/fit_quality.py`` on clean text and garbage made from real
text, kept in ``score_model.json`` beside this module. Inference walks the trees with numpy; nothing is
downloaded or fitted at run time.

A score explains itself: :meth:`QualityModel.contributions` credits each split a document passes to the
split's feature, so a rejection can name what pulled it down.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from corpusclean.quality.bigrams import bigram_pmi
from corpusclean.quality.charclasses import CJK, DIGIT, LATIN, OTHER, PUNCT, SYMBOL
from corpusclean.quality.signals import Measurements
from corpusclean.quality.wordlike import word_share

MODEL = Path(__file__).with_name("score_model.json")

# The features, in the order of the model file.
FEATURES = (
    "word_share",            # ideographs inside dictionary-word pairs (wordlike.py)
    "bigram_pmi",            # mean PMI of neighbouring characters, People's Daily table (bigrams.py)
    "bigram_strong",         # share of neighbouring pairs with PMI >= 2
    "cjk_ratio",             # ideographs among words
    "digit_ratio",           # digits / non-space characters
    "latin_ratio",           # Latin letters / non-space characters
    "symbol_ratio",          # symbols and other characters / non-space characters
    "punct_ratio",           # punctuation / non-space characters
    "clause_punct",          # ，。、；：！？ per ideograph (capped at 0.3): clauses of running text
    "no_end_punct_frac",     # characters in lines that do not end a sentence (signals.line_structure)
    "short_line_frac",       # characters in lines under 10 characters
    "list_frac",             # characters in list items ("1." "一、" bullets)
    "title_line_frac",       # characters in title-like lines: 4-40 characters, no clause punctuation
    "title_lines",           # log(1 + number of title-like lines): a headline page has dozens
    "title_spread",          # spread of title-like lines' lengths (sd / mean; 0 under 3 of them): couplets
                             # and verse run even, headlines do not
    "numbered_title_frac",   # characters in title-like lines that open with a number ("1." "12、")
    "numbered_frac",         # characters in any line opening with a number or 第N条/章/节
    "spaced_frac",           # characters in lines of 4+ space-separated tokens (tag clouds, table rows)
    "tiny_lines",            # share of lines of at most 4 characters (menus: 首页 新闻 体育)
    "equal_neighbour",       # share of lines of 4-12 characters as long as the line before or after (verse)
    "stranded_end",          # characters in lines with a 。！？ inside but not at their end (shuffled words)
    "punct_start",           # characters in lines opening with clause punctuation
    "dup_line_frac",         # lines repeating an earlier one
    "line_chars",            # log(1 + non-space characters per line)
    "line_count",            # log(1 + lines)
    "headline_evidence",     # title_line_frac x title_lines: many title-like lines and little else
)

# Clause and sentence punctuation, full- and half-width.
_CLAUSE_CHARS = "，。、；：！？,;!?"
_CLAUSE = frozenset("，。、；：！？")
_ENDS = frozenset("。！？!?")
_CLOSE = frozenset("。！？!?”」』）)…；;：:")
_TITLE_MIN, _TITLE_MAX = 4, 40
# A title-like line (stripped): an optional number ("1." "12、" "[3]"), then no clause punctuation.
_TITLE_LINE = re.compile(r"(?:[\[(（]?[0-9０-９]{1,3}[.、．)）\]] ?)?[^，。、；：！？,;!?]+")
# A line of four or more tokens separated by spaces.
_SPACED_LINE = re.compile(r"\s*(?:\S+[ \t\u3000]+){3}\S")
_NUMBERED = re.compile(r"\s*[\[(（]?[0-9０-９]{1,3}\s*[.、．)）\]]")
_NUMBERED_ANY = re.compile(r"\s*(?:[\[(（]?[0-9０-９]{1,3}\s*[.、．)）\]]|第[一二三四五六七八九十百0-9]+[条章节])")
# Characters a line needs for a number or a 第N条 at its start.
_OPENERS = frozenset("[(（0123456789０１２３４５６７８９第")


def features(text: str, measured: Measurements | None = None) -> dict[str, float]:
    """The :data:`FEATURES` of ``text`` (``measured``: its shared :class:`Measurements`, if a stage has one).

    >>> f = features("首页\\n新闻中心\\n人民日报社论：迈向新世纪\\n今天天气很好，我们一起去公园散步。")
    >>> round(f["title_line_frac"], 2), round(f["tiny_lines"], 2), f["word_share"] > 0.9
    (0.11, 0.5, True)
    """
    m = measured if measured is not None else Measurements(text)
    counts = m.counts()
    nonspace = max(m.nonspace(), 1)
    structure = m.line_structure()
    # One pass over the lines. Only short lines can be titles, and clean prose has few of them: the regular
    # expressions run on those alone.
    title_chars = title_count = numbered_title = numbered = spaced = stranded = punct_start = 0
    tiny = equal = lines = total = 0
    title_sizes: list[int] = []
    previous = before = 0  # stripped lengths of the last line and of the one before it
    for line in m.lines():
        stripped = line.strip()
        size = len(stripped)
        if not size:
            continue
        lines += 1
        total += size
        if size <= 4:
            tiny += 1
        if 4 <= size <= 12 and size == previous:
            equal += 1 if before == previous else 2  # this line, and the one before unless counted already
        before, previous = previous, size
        if _TITLE_MIN <= size <= _TITLE_MAX and _TITLE_LINE.fullmatch(stripped):
            title_chars += size
            title_count += 1
            title_sizes.append(size)
            if _NUMBERED.match(stripped):
                numbered_title += size
        if stripped[0] in _OPENERS and _NUMBERED_ANY.match(stripped):
            numbered += size
        elif stripped[0] in _CLAUSE:
            punct_start += size
        if stripped[-1] not in _CLOSE and not _ENDS.isdisjoint(stripped):
            stranded += size
        if " " in line and _SPACED_LINE.match(line):
            spaced += len(line) - line.count(" ")
    cjk = counts[CJK]
    clause = sum(map(text.count, _CLAUSE_CHARS)) if cjk else 0
    cps = m.codepoints()
    pmi, strong = bigram_pmi(text, cps=cps)
    total = max(total, 1)
    spread = 0.0
    if len(title_sizes) >= 3:
        sizes = np.array(title_sizes, dtype=np.float64)
        spread = float(sizes.std() / sizes.mean())
    return {
        "word_share": word_share(text, cjk=counts[CJK], cps=cps),
        "bigram_pmi": pmi,
        "bigram_strong": strong,
        "cjk_ratio": m.cjk_ratio(),
        "digit_ratio": counts[DIGIT] / nonspace,
        "latin_ratio": counts[LATIN] / nonspace,
        "symbol_ratio": (counts[SYMBOL] + counts[OTHER]) / nonspace,
        "punct_ratio": counts[PUNCT] / nonspace,
        "clause_punct": min(0.3, clause / cjk) if cjk else 0.0,
        "no_end_punct_frac": structure["no_end_punct_frac"],
        "short_line_frac": structure["short_line_frac"],
        "list_frac": structure["list_frac"],
        "title_line_frac": title_chars / nonspace,
        "title_lines": math.log1p(title_count),
        "title_spread": spread,
        "numbered_title_frac": numbered_title / nonspace,
        "numbered_frac": numbered / total,
        "spaced_frac": spaced / nonspace,
        "tiny_lines": tiny / max(lines, 1),
        "equal_neighbour": equal / max(lines, 1),
        "stranded_end": stranded / total,
        "punct_start": punct_start / total,
        "dup_line_frac": m.duplicate_lines()["dup_line_frac"],
        "line_chars": math.log1p(nonspace / max(structure["lines"], 1)),
        "line_count": math.log1p(lines),
        "headline_evidence": title_chars / nonspace * math.log1p(title_count),
    }


class QualityModel:
    """The fitted model: a small ensemble of shallow regression trees (gradient boosting), whose leaves add
    up to the logit of the probability that a document is clean text: ``score = 1 / (1 + exp(-logit))``.

    Trees, not a weighted sum: the evidence is not linear. Word-likeness below 0.5 settles that a page is
    soup whatever its layout, while above 0.6 it says little; many short unpunctuated lines mean a headline
    page unless they run at even lengths (verse, couplets). A tree says "below this, whatever else".

    The model file (JSON) holds ``features`` (names, in order), ``depth``, ``base`` (the logit before any
    tree), and per tree, in heap order (node ``i`` has children ``2i + 1`` and ``2i + 2``), the ``feature``
    and ``threshold`` of each split (go right when the value is greater) and the ``value`` of every node (a
    split's value: the mean of its leaves over the fit's documents). A file whose features are not
    :data:`FEATURES` is refused: a score over misread columns would be garbage.

    >>> model = default_model()
    >>> model.score(features("中国经济持续发展，人民生活水平不断提高，社会保持和谐稳定。" * 3)) > 0.9
    True
    """

    def __init__(self, path: str | Path = MODEL) -> None:
        self.path = str(path)
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ValueError(f"{path}: cannot read the quality model: {exc.strerror or exc}") from None
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: not valid JSON: {exc}") from None
        names = tuple(data.get("features", ()))
        if names != FEATURES:
            raise ValueError(f"{path}: the model is for features {list(names)}, this version measures {list(FEATURES)}")
        try:
            self.depth = int(data["depth"])
            self.base = float(data["base"])
            self.feature = np.array(data["feature"], dtype=np.intp)
            self.threshold = np.array(data["threshold"], dtype=np.float64)
            self.value = np.array(data["value"], dtype=np.float64)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}: the model needs depth, base, feature, threshold and value: {exc}") from None
        splits, nodes = 2 ** self.depth - 1, 2 ** (self.depth + 1) - 1
        trees = len(self.feature)
        if self.depth < 1 or self.feature.shape != (trees, splits) or self.threshold.shape != (trees, splits) \
                or self.value.shape != (trees, nodes) or not trees:
            raise ValueError(f"{path}: trees of depth {self.depth} need {splits} splits and {nodes} node values each")
        if self.feature.min() < 0 or self.feature.max() >= len(FEATURES):
            raise ValueError(f"{path}: a split names a feature outside 0..{len(FEATURES) - 1}")
        self.version = str(data.get("version", ""))
        self.fit = data.get("fit", {})
        self._rows = np.arange(trees)
        # Flat copies for the walk: split j of tree t is at t * splits + j, node i at t * nodes + i.
        self._split_at = self._rows * splits
        self._node_at = self._rows * nodes
        self._feature_flat = self.feature.ravel()
        self._threshold_flat = self.threshold.ravel()
        self._value_flat = self.value.ravel()
        self._zeros = np.zeros(trees, dtype=np.intp)

    def _vector(self, values: dict[str, float]) -> np.ndarray:
        return np.fromiter(map(values.__getitem__, FEATURES), dtype=np.float64, count=len(FEATURES))

    def _paths(self, x: np.ndarray) -> list[np.ndarray]:
        """The node each tree reaches at each depth, root first (all trees at once)."""
        node = np.zeros(len(self.feature), dtype=np.intp)
        path = [node]
        for _ in range(self.depth):
            at = self._split_at + node
            node = 2 * node + 1 + (x[self._feature_flat[at]] > self._threshold_flat[at])
            path.append(node)
        return path

    def logit(self, values: dict[str, float]) -> float:
        x = self._vector(values)
        node = self._zeros
        for _ in range(self.depth):
            at = self._split_at + node
            node = 2 * node + 1 + (x[self._feature_flat[at]] > self._threshold_flat[at])
        return self.base + float(self._value_flat[self._node_at + node].sum())

    def score(self, values: dict[str, float]) -> float:
        """The probability the fit gives that the document is clean text."""
        return 1.0 / (1.0 + math.exp(-self.logit(values)))

    def expected_logit(self) -> float:
        """The logit before any split is read: ``base`` plus every tree's root value."""
        return self.base + float(self.value[:, 0].sum())

    def contributions(self, values: dict[str, float]) -> dict[str, float]:
        """Each feature's part of the logit (negative: pulls the score down), largest pull first: every
        split a document passes moves it from the value of one node to that of its child, and the move is
        credited to the split's feature. The parts add up to ``logit - expected_logit()``."""
        path = self._paths(self._vector(values))
        parts = np.zeros(len(FEATURES))
        for parent, child in itertools.pairwise(path):
            moves = self._value_flat[self._node_at + child] - self._value_flat[self._node_at + parent]
            np.add.at(parts, self._feature_flat[self._split_at + parent], moves)
        order = np.argsort(parts, kind="stable")
        return {FEATURES[i]: float(parts[i]) for i in order}

    def describe(self) -> dict[str, Any]:
        return {"model": Path(self.path).name, "version": self.version}


@functools.cache
def default_model() -> QualityModel:
    return QualityModel()
