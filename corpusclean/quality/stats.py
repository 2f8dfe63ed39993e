"""Distributions of the quality signals over a corpus: the numbers behind ``corpusclean stats``.

Thresholds should come from measurement; this is the measuring tool. It runs exactly the signal functions
the filter stages run (:func:`corpusclean.quality.signals.measure`), optionally after the recipe's editing
stages (so the text measured is the text the filters will see), and reports percentiles per signal.
"""

from __future__ import annotations

import itertools
from array import array
from collections import Counter
from collections.abc import Iterable
from typing import Any

from corpusclean.document import Document
from corpusclean.pipeline import Pipeline
from corpusclean.quality.score import default_model, features
from corpusclean.quality.signals import KeywordPack, measure
from corpusclean.stage import Editor

PERCENTILES = (1, 5, 25, 50, 75, 95, 99)
# Bands of the quality score shown by ``render`` (the default recipe drops below 0.1).
QUALITY_BANDS = (0.1, 0.5, 0.9)


def editing_stages(pipeline: Pipeline) -> Pipeline:
    """The part of ``pipeline`` that rewrites text (its :class:`Editor` stages), without any filter or
    deduplication: what a document looks like when the quality filters see it."""
    return Pipeline([stage for stage in pipeline.stages if isinstance(stage, Editor)])


class SignalStats:
    """Per-signal values over the documents seen (8 bytes per document per signal), plus language counts.

    >>> stats = SignalStats()
    >>> stats.add_text("今天天气很好，我们去公园散步。")
    >>> stats.add_text("首页\\n新闻\\n体育")
    >>> stats.documents, sorted(stats.values["no_end_punct_frac"])
    (2, [0.0, 1.0])
    """

    def __init__(self, *, keywords: KeywordPack | None = None, language: bool = True) -> None:
        self.keywords = keywords
        self.language = language
        self.values: dict[str, array] = {}
        self.languages: Counter[str] = Counter()
        self.documents = 0

    def add_text(self, text: str, meta: dict[str, Any] | None = None) -> None:
        signals = measure(text, meta=meta, keywords=self.keywords, language=self.language)
        signals["quality"] = default_model().score(features(text))
        self.documents += 1
        for name, value in signals.items():
            if isinstance(value, str):
                self.languages[value or "?"] += 1
            else:
                self.values.setdefault(name, array("d")).append(float(value))

    def add_docs(self, docs: Iterable[Document]) -> None:
        for doc in docs:
            if doc.rejected is None:
                self.add_text(doc.text, doc.meta)

    def percentiles(self, name: str, qs: Iterable[int] = PERCENTILES) -> dict[int, float]:
        """Percentiles of one signal (nearest-rank on the sorted values, as numpy's ``method="lower"``)."""
        import numpy as np

        values = np.frombuffer(self.values[name], dtype=np.float64) if name in self.values else np.zeros(0)
        if not len(values):
            return {q: float("nan") for q in qs}
        return {q: float(np.percentile(values, q, method="lower")) for q in qs}

    def quality_bands(self) -> dict[str, float]:
        """Share of the documents in each band of the quality score (``"<0.1"``, ``"0.1-0.5"``, ...)."""
        import numpy as np

        values = np.frombuffer(self.values.get("quality", array("d")), dtype=np.float64)
        edges = (0.0, *QUALITY_BANDS, 1.0)
        names = [f"<{QUALITY_BANDS[0]}"] + [f"{lo}-{hi}" for lo, hi in itertools.pairwise(QUALITY_BANDS)]
        names.append(f">={QUALITY_BANDS[-1]}")
        counts = np.histogram(values, bins=edges)[0] if len(values) else np.zeros(len(names))
        return {name: float(count) / max(len(values), 1) for name, count in zip(names, counts, strict=True)}

    def as_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "quality_bands": {name: round(share, 4) for name, share in self.quality_bands().items()},
            "percentiles": {name: {f"p{q}": round(v, 4) for q, v in self.percentiles(name).items()}
                            for name in self.values},
            "languages": dict(self.languages.most_common()),
        }

    def render(self) -> str:
        """A plain-text table: one row per signal, one column per percentile."""
        header = f"{'signal':<22}" + "".join(f"{'p' + str(q):>10}" for q in PERCENTILES)
        rows = [f"{self.documents:,} documents", header]
        for name in self.values:
            cells = "".join(f"{_fmt(v):>10}" for v in self.percentiles(name).values())
            rows.append(f"{name:<22}{cells}")
        if "quality" in self.values:
            bands = ", ".join(f"{name} {share:.1%}" for name, share in self.quality_bands().items())
            rows.append(f"quality score bands: {bands}")
        if self.languages:
            total = sum(self.languages.values())
            shares = ", ".join(f"{code} {count / total:.1%}" for code, count in self.languages.most_common(8))
            rows.append(f"languages: {shares}")
        return "\n".join(rows)


def _fmt(value: float) -> str:
    if value != value:  # NaN
        return "-"
    if value == int(value) and abs(value) >= 10:
        return f"{int(value):,}"
    return f"{value:.3f}"
