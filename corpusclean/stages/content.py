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

Prose lines (20+ characters ending a sentence or carrying clauses) inside the main stretch of prose are not
scored, and a document made of prose alone is not measured at all: nothing in them has the shape of
boilerplate, most of a clean corpus is like that, and the article's paragraphs are safe by construction.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from corpusclean.content.features import PROSE_MIN, _is_prose
from corpusclean.content.model import WEIGHTS_PATH, LineModel
from corpusclean.document import Document
from corpusclean.stage import Editor

# A line that is not prose by its ending: blank-free and under 20 characters, or not ending a sentence. Found
# over the whole text in one pass, it decides whether a document needs measuring at all.
_NOT_PROSE_END = re.compile(
    r"(?m)^[^\S\n]*\S(?:[^\n]{0,18}?[^\S\n]*$|[^\n]*[^\s。！？!?…；;.．~～”」』’\"'）)】》][^\S\n]*$)"
)


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

    Three lines of a forum page (CWCED, shortened): the thread's title, a post, the thread's back link.

    >>> text = "\\n".join(["| | 《清洁》：东方式内敛与摇滚现实绘 |",
    ...                   "| 眉间尺 | 不得不承认，如果没有张曼玉在戛纳封后，就很少有人会去关注《清洁》这部法国电影。 |",
    ...                   "| | ←返回 |"])
    >>> doc = Document(id="1", text=text)
    >>> print(Content().edit(doc))
    | | 《清洁》：东方式内敛与摇滚现实绘 |
    | 眉间尺 | 不得不承认，如果没有张曼玉在戛纳封后，就很少有人会去关注《清洁》这部法国电影。 |
    >>> [(r.stage, r.line, r.text) for r in doc.removals]
    [('content', 2, '| | ←返回 |')]
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
        if _NOT_PROSE_END.search(text) is None:
            return text  # every line ends a sentence and is long: prose alone
        lines = text.split("\n")
        if all_prose(lines):
            return text
        scores, measured, features = self._model.judge(lines)
        drop = [(i, row) for i, row in zip(measured, features, strict=True) if scores[i] < self._model.threshold]
        if not drop:
            return text
        for i, row in drop:
            doc.record_removal(self.name, self._model.reason(row), lines[i], kind="line", line=i)
        dropped = {i for i, _ in drop}
        return "\n".join(line for i, line in enumerate(lines) if i not in dropped)
