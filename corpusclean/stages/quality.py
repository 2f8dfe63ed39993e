"""Score every document in [0, 1] and drop those below ``min_score``: the garbage single thresholds let through."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from corpusclean.document import Document
from corpusclean.quality.score import FEATURES, QualityModel, default_model, feature_matrix, features
from corpusclean.quality.signals import check_fraction, shared
from corpusclean.stage import Filter, Limit

# Signals named in a reject receipt: the ones pulling the score down most.
_NAMED = 3


class Quality(Filter):
    """Reject a document whose quality score (:mod:`corpusclean.quality.score`: shallow gradient-boosted trees
    over word-likeness, character-bigram association, composition, line structure and headline-page
    evidence, fitted by ``benchmarks/fit_quality.py``) is below ``min_score`` (rule ``quality_score``); the
    receipt names the ``signals`` that pulled it down most, with each one's value and part of the logit.
    Every kept document gets ``meta.quality``, the score rounded to 3 decimals, so a corpus can be cut again
    later (head, middle, tail) without running anything. ``model``: a model file of the same schema
    (default: the shipped ``score_model.json``).

    >>> text = "一九九八年，中国经济持续发展，人民生活水平不断提高。各地积极推进改革，农村经济全面发展。"
    >>> prose = Document(id="1", text=text)
    >>> Quality().check(prose)
    >>> prose.rejected is None, prose.meta["quality"] > 0.9
    (True, True)

    The same characters in random order: the sentence ends inside the line, and neighbours never go together.
    (One line this short is often not caught: of the first eight shuffles, seeds 0 to 7, seven score above the
    cut with version 6 of the model (0.063 to 0.96; seed 2's, this example's until version 5, 0.046 → 0.063),
    five with version 5 (0.82 to 0.95) and version 4 (0.38 to 0.74); of eight documents of four shuffled lines,
    six are caught.)

    >>> import random
    >>> soup = Document(id="2", text="".join(random.Random(1).sample(text, len(text))))
    >>> Quality().check(soup)
    >>> soup.rejected.rule, [name for name, value, part in soup.rejected.detail["signals"]]
    ('quality_score', ['punct_pair', 'word_share', 'no_end_punct_frac'])
    """

    name = "quality"

    def __init__(self, *, min_score: float = 0.05, model: str | None = None) -> None:
        self.min_score = check_fraction("min_score", min_score)
        self._model: QualityModel | None = QualityModel(model) if model else None

    @property
    def model(self) -> QualityModel:
        if self._model is None:
            self._model = default_model()
        return self._model

    def check(self, doc: Document) -> None:
        values = features(doc.text, shared(doc))
        self._decide(doc, [values[name] for name in FEATURES], self.model.score(values))

    def process_batch(self, docs: list[Document]) -> None:
        """:meth:`check` on a chunk of documents, with the same results: the features are computed for the
        chunk at once, as the columns of one matrix (:func:`~corpusclean.quality.score.feature_matrix`), and
        the trees read it whole (per document, the stage's cost was numpy's fixed cost per call).

        >>> texts = ["一九九八年，中国经济持续发展，人民生活水平不断提高。", "首页\\n新闻\\n体育\\n财经\\n娱乐"]
        >>> one = [Document(id=str(n), text=t) for n, t in enumerate(texts)]
        >>> many = [Document(id=str(n), text=t) for n, t in enumerate(texts)]
        >>> for doc in one:
        ...     Quality().check(doc)
        >>> Quality().process_batch(many)
        >>> def result(doc): return doc.meta, doc.rejected and doc.rejected.as_dict()
        >>> [result(doc) for doc in one] == [result(doc) for doc in many], many[1].rejected.rule
        (True, 'quality_score')
        """
        if not docs:
            return
        x = feature_matrix([doc.text for doc in docs], [shared(doc) for doc in docs])
        scores = self.model.matrix_scores(x)
        for doc, row, score in zip(docs, x, scores, strict=True):
            self._decide(doc, row, score)

    def _decide(self, doc: Document, row: Sequence[float], score: float) -> None:
        """Reject ``doc`` or record its score; ``row``: its features in the order of :data:`FEATURES`."""
        if score < self.min_score:
            values = dict(zip(FEATURES, map(float, row), strict=True))
            pulls = list(self.model.contributions(values).items())[:_NAMED]
            doc.reject(self.name, "quality_score", value=round(score, 4), threshold=self.min_score,
                       signals=[[name, round(values[name], 4), round(part, 2)] for name, part in pulls])
            return
        doc.meta["quality"] = round(score, 3)

    def limits(self) -> tuple[Limit, ...]:
        return (Limit("quality_score", self.min_score, "min"),)

    def measure(self, doc: Document) -> dict[str, float]:
        """The score :meth:`check` gave (kept in ``meta.quality`` or the rejection), not scored again."""
        if doc.rejected is not None and doc.rejected.stage == self.name and doc.rejected.value is not None:
            return {"quality_score": doc.rejected.value}
        return {"quality_score": doc.meta["quality"]} if "quality" in doc.meta else {}

    def describe(self) -> dict[str, Any]:
        return {"stage": self.name, "min_score": self.min_score, **self.model.describe()}
