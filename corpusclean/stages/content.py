"""Remove the lines of a page's text that are not the article, judged line by line by a small fitted model.

Rules and the structural detectors remove boilerplate they can name; what is left around an article on real
pages is generic: related-article items ending in a date or a comment count, the page title with its
section and site chain, short labels ("更多", "分享到"), code and layout residue, other stories' teasers. The
``content`` stage measures every line for these shapes and for where it lies relative to the body of prose
(:mod:`corpusclean.content.features`), scores it with gradient-boosted trees shipped as data
(:mod:`corpusclean.content.model`, fitted by ``benchmarks/fit_content.py``) and removes the lines that score
under ``threshold``. Each removal leaves a receipt ``content/<reason>``, the feature family that lowered the
line's score most: ``related_list``, ``title_chain``, ``short_label``, ``code_residue``, ``teaser`` or
``low_score``.

A document whose every line is prose (20+ characters ending a sentence or carrying clauses) is not scored:
nothing in it has the shape of boilerplate, and most of a clean corpus is like that.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from corpusclean.content.features import PROSE_MIN, _is_prose, line_features
from corpusclean.content.model import WEIGHTS_PATH, LineModel
from corpusclean.document import Document
from corpusclean.stage import Editor


def all_prose(lines: list[str]) -> bool:
    """Whether every non-blank line is prose, so the document needs no scoring.

    >>> all_prose(["今天上午，市政府召开新闻发布会，介绍了今年以来全市经济运行情况。", ""])
    True
    >>> all_prose(["今天上午，市政府召开新闻发布会，介绍了今年以来全市经济运行情况。", "更多"])
    False
    """
    for line in lines:
        body = line.strip()
        if body and (len(body) < PROSE_MIN or not _is_prose(body, len(body))):
            return False
    return True


class Content(Editor):
    """Score every line with the shipped model and drop those under ``threshold``, each with a receipt.

    >>> text = "\\n".join(["某地举行活动_地方新闻_某某网",
    ...                   "今天上午，市政府召开新闻发布会，介绍了今年以来全市经济运行情况。",
    ...                   "据介绍，全市生产总值同比增长百分之五，高于全省平均水平。", "}"])
    >>> doc = Document(id="1", text=text)
    >>> print(Content().edit(doc))
    今天上午，市政府召开新闻发布会，介绍了今年以来全市经济运行情况。
    据介绍，全市生产总值同比增长百分之五，高于全省平均水平。
    >>> [(r.rule, r.line) for r in doc.removals]
    [('title_chain', 0), ('code_residue', 3)]
    """

    name = "content"

    def __init__(self, *, threshold: float | None = None, weights: str | None = None) -> None:
        if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, int | float)
                                      or not 0 < threshold < 1):
            raise ValueError(f"threshold must be a number in (0, 1), got {threshold!r}")
        if weights is not None and not Path(weights).is_file():
            raise ValueError(f"weights: no such file {weights!r}")
        self.threshold = threshold
        self.weights = weights
        self._model = LineModel.load(weights, threshold=threshold)

    def describe(self) -> dict[str, Any]:
        return {"stage": self.name, "threshold": self._model.threshold, "weights": self.weights or WEIGHTS_PATH.name}

    def edit(self, doc: Document) -> str:
        text = doc.text
        lines = text.split("\n")
        if all_prose(lines):
            return text
        features = line_features(lines)
        scores = self._model.scores(lines, features)
        drop = [i for i, score in enumerate(scores) if score < self._model.threshold]
        if not drop:
            return text
        for i in drop:
            doc.record_removal(self.name, self._model.reason(features[i]), lines[i], kind="line", line=i)
        dropped = set(drop)
        return "\n".join(line for i, line in enumerate(lines) if i not in dropped)
