"""The content scorer's model: small gradient-boosted trees over the line features, scored with numpy.

The trees ship as data in the package (``weights.json``, written by ``benchmarks/fit_content.py``, the only
place scikit-learn is used). A line's score is the probability that it is article text; lines under the
threshold are removed. All trees are walked at once, one numpy step per level, so a document costs a few dozen
array operations whatever its length.

Why a line was removed is the feature family (:data:`~corpusclean.content.features.FAMILIES`) that pulled its
score down the most, summed along the paths the line took through the trees (each split's change of the
node value is charged to the split's feature): ``related_list``, ``title_chain``, ``short_label``,
``code_residue``, ``teaser``; ``low_score`` when none of them lowered it and the line simply lacks what prose has.

>>> model = LineModel.load()
>>> lines = ["今天上午，市政府召开新闻发布会，介绍了今年以来全市经济运行情况。", "",
...          "据介绍，全市生产总值同比增长百分之五，高于全省平均水平。"]
>>> model.keep(lines)  # prose inside the body of prose is settled, blank lines are never judged
[True, True, True]
>>> 0 < model.threshold < 1
True
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from corpusclean.content.features import FAMILIES, NAMES, context, line_features, settled

WEIGHTS_PATH = Path(__file__).with_name("weights.json")
REASONS = ("related_list", "title_chain", "short_label", "code_residue", "teaser")


@dataclass(frozen=True)
class LineModel:
    """A fitted tree ensemble, flattened: node arrays of all trees end to end, ``roots`` the first node of each.

    ``feature`` is -1 at a leaf; a line goes left when its feature value is ``<= threshold``. The log-odds of a
    line are ``init + rate * sum(value at the leaf of each tree)``.
    """

    feature: np.ndarray
    threshold_at: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    roots: np.ndarray
    depth: int
    init: float
    rate: float
    threshold: float

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LineModel:
        names = data.get("features", [])
        if list(names) != list(NAMES):
            changed = sorted(set(NAMES) ^ set(names))
            raise ValueError(f"content weights were fitted on other features ({changed or 'order differs'}): "
                             "run benchmarks/fit_content.py again")
        threshold = float(data["threshold"])
        if not 0 < threshold < 1:
            raise ValueError(f"content threshold must be in (0, 1), got {threshold!r}")
        feature, cut, left, right, value, roots = [], [], [], [], [], []
        for tree in data["trees"]:
            base = len(feature)
            roots.append(base)
            feature += tree["feature"]
            cut += tree["threshold"]
            # Leaves point at themselves, so walking past a leaf stays on it.
            left += [base + (c if c >= 0 else i) for i, c in enumerate(tree["left"])]
            right += [base + (c if c >= 0 else i) for i, c in enumerate(tree["right"])]
            value += tree["value"]
        return cls(feature=np.asarray(feature, dtype=np.intp), threshold_at=np.asarray(cut, dtype=np.float64),
                   left=np.asarray(left, dtype=np.intp), right=np.asarray(right, dtype=np.intp),
                   value=np.asarray(value, dtype=np.float64), roots=np.asarray(roots, dtype=np.intp),
                   depth=int(data["depth"]), init=float(data["init"]), rate=float(data["rate"]), threshold=threshold)

    @classmethod
    def load(cls, path: str | Path | None = None, *, threshold: float | None = None) -> LineModel:
        """The model in ``path`` (default: the one shipped in the package), optionally with another threshold."""
        data = dict(_read(str(path or WEIGHTS_PATH))["text"])
        if threshold is not None:
            data["threshold"] = threshold
        return cls.from_dict(data)

    def leaves(self, features: np.ndarray) -> np.ndarray:
        """The leaf each line reaches in each tree (rows: lines, columns: trees)."""
        rows = np.arange(len(features))[:, None]
        node = np.broadcast_to(self.roots, (len(features), len(self.roots))).copy()
        safe = np.maximum(self.feature, 0)
        for _ in range(self.depth):
            values = features[rows, safe[node]]
            node = np.where(values <= self.threshold_at[node], self.left[node], self.right[node])
        return node

    def scores(self, lines: list[str], features: np.ndarray | None = None) -> np.ndarray:
        """Probability that each line is article text (blank lines: 1), or each row of ``features``."""
        features = line_features(lines) if features is None else features
        if not len(features):
            return np.zeros(0)
        logit = self.init + self.rate * self.value[self.leaves(features)].sum(axis=1)
        out = 1.0 / (1.0 + np.exp(-logit))
        out[features[:, 0] == 0] = 1.0  # bias_nonblank is 0 only on blank lines
        return out

    def judge(self, lines: list[str]) -> tuple[np.ndarray, list[int], np.ndarray]:
        """Scores of every line as the stage uses them: blank lines and prose inside the main stretch of prose
        (:func:`~corpusclean.content.features.settled`) score 1 unmeasured; the others are measured and scored.
        Returns the scores, the measured lines' indices and their feature rows."""
        out = np.ones(len(lines))
        ctx = context(lines)
        done = set(settled(ctx))
        measured = [i for i in ctx.nonblank if i not in done]
        if not measured:
            return out, measured, np.zeros((0, len(NAMES)))
        features = line_features(lines, measured, ctx)
        out[measured] = self.scores(lines, features)
        return out, measured, features

    def keep(self, lines: list[str]) -> list[bool]:
        return [bool(s >= self.threshold) for s in self.judge(lines)[0]]

    def contributions(self, row: np.ndarray) -> np.ndarray:
        """Each feature's share of one line's log-odds: along the line's path in every tree, the change of the
        node value at each split, charged to the split's feature."""
        out = np.zeros(len(NAMES))
        for root in self.roots:
            node = int(root)
            while self.feature[node] >= 0:
                f = int(self.feature[node])
                child = int(self.left[node] if row[f] <= self.threshold_at[node] else self.right[node])
                out[f] += self.rate * (self.value[child] - self.value[node])
                node = child
        return out

    def reason(self, row: np.ndarray) -> str:
        """The family whose features lowered this line's score the most (``low_score`` when none of the named
        families lowered it).

        >>> model = LineModel.load()
        >>> lines = ["今天上午，市政府召开新闻发布会，介绍了今年以来全市经济运行情况。", "}"]
        >>> model.reason(line_features(lines)[1])
        'code_residue'
        """
        sums = dict.fromkeys(REASONS, 0.0)
        for family, value in zip(FAMILIES, self.contributions(row), strict=True):
            if family in sums:
                sums[family] += value
        family, value = min(sums.items(), key=lambda kv: kv[1])
        return family if value < 0 else "low_score"


@functools.cache
def _read(path: str) -> dict[str, Any]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data.get("version") != 1 or "text" not in data:
        raise ValueError(f"{path}: not a content weights file of version 1 with a 'text' model")
    return data


__all__ = ["REASONS", "WEIGHTS_PATH", "LineModel"]
