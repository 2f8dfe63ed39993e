"""Remove lines that the page's own markup places outside the article (HTML and WARC input only).

trafilatura keeps some blocks that the page itself labels as something else: a list of teasers of other
stories in a container whose class says "related" or "recommend", or a block that is mostly links outside
the article. The reader keeps that evidence for every line (:mod:`corpusclean.io.dom_evidence`); text input
has none, and this stage then leaves the document as it is. Every removal leaves a receipt naming why:

``related_block``
    the line's block, or a container around it, has a class or id of the *related* group ("related",
    "recommend", "tuijian", "xgxw", "more", "guess"…): other stories, not this one.
``link_block``
    most of the line's block is link text, outside the block readability's scoring takes for the article.

The lines kept must still hold a line of prose (``min_prose_chars`` characters ending a sentence): where
the evidence would take every sentence, it is taken to be wrong about this page (an article whose own
container is named "more") and nothing is removed.
"""

from __future__ import annotations

import re
from typing import Any

from corpusclean.document import Document
from corpusclean.io.dom_evidence import realign
from corpusclean.io.parse import DOM_LINES, DOM_TEXT
from corpusclean.stage import Editor

_SENTENCE_END = re.compile(r"[。！？!?][”’」』）)]*\s*$")


class DomChrome(Editor):
    """Drop the lines a page's DOM marks as related stories or link blocks (see the module docstring).

    >>> text = "标题\\n正文第一段，讲的是这件事情的经过和最后的结果。\\n另一篇报道的导语，与本文无关。"
    >>> doc = Document(id="p", text=text)
    >>> doc.scratch["dom_text"] = doc.text
    >>> plain = {"matched": 1.0, "words_related": 0.0, "link_density": 0.0, "in_article": 1.0}
    >>> doc.scratch["dom_lines"] = [plain, plain, {**plain, "words_related": 1.0, "in_article": 0.0}]
    >>> DomChrome().edit(doc)
    '标题\\n正文第一段，讲的是这件事情的经过和最后的结果。'
    >>> [(r.rule, r.text) for r in doc.removals]
    [('related_block', '另一篇报道的导语，与本文无关。')]
    """

    name = "dom_chrome"
    reads_dom_evidence = True

    def __init__(self, *, min_link_density: float = 0.5, min_prose_chars: int = 20) -> None:
        if not 0.0 < min_link_density <= 1.0:
            raise ValueError(f"min_link_density must be in (0, 1], got {min_link_density}")
        if min_prose_chars < 1:
            raise ValueError(f"min_prose_chars must be >= 1, got {min_prose_chars}")
        self.min_link_density = min_link_density
        self.min_prose_chars = min_prose_chars

    def describe(self) -> dict[str, Any]:
        return {"min_link_density": self.min_link_density, "min_prose_chars": self.min_prose_chars}

    def reason(self, row: dict[str, float]) -> str | None:
        """Why the line this evidence describes is not the article's, or None."""
        if not row.get("matched"):
            return None
        if row.get("words_related", 0.0) > 0.5:
            return "related_block"
        if row.get("link_density", 0.0) >= self.min_link_density and row.get("in_article", 0.0) < 0.5:
            return "link_block"
        return None

    def _prose(self, line: str) -> bool:
        stripped = line.strip()
        return len(stripped) >= self.min_prose_chars and _SENTENCE_END.search(stripped) is not None

    def edit(self, doc: Document) -> str:
        rows, parsed = doc.scratch.get(DOM_LINES), doc.scratch.get(DOM_TEXT)
        if not rows or parsed is None:
            return doc.text
        lines = doc.text.split("\n")
        reasons = [self.reason(row) if line.strip() else None
                   for line, row in zip(lines, realign(parsed, rows, doc.text), strict=True)]
        if not any(reasons):
            return doc.text
        if not any(self._prose(line) for line, why in zip(lines, reasons, strict=True) if why is None):
            return doc.text
        for i, (line, why) in enumerate(zip(lines, reasons, strict=True)):
            if why is not None:
                doc.record_removal(self.name, why, line, kind="line", line=i)
        return "\n".join(line for line, why in zip(lines, reasons, strict=True) if why is None)
