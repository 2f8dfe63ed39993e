"""Trim line ends, fold runs of blank lines, and drop the document's leading and trailing blank lines."""

from __future__ import annotations

import re

from corpusclean.document import Document
from corpusclean.stage import Editor

_LAYOUT_SPACE = " \t\u3000\xa0"  # what page extraction leaves at line ends (U+3000: ideographic space)


class Whitespace(Editor):
    """Tidy the layout whitespace that page extraction leaves; never touches characters inside a line.

    Line ends are trimmed, runs of more than ``max_blank_lines`` blank lines are folded, and leading and
    trailing blank lines dropped. Blank lines carry no content, so folding them leaves no receipt.

    >>> doc = Document(id="1", text="  标题  \\n\\n\\n\\n正文。 \\n")
    >>> Whitespace().edit(doc)
    '  标题\\n\\n正文。'
    >>> Whitespace(max_blank_lines=0).edit(Document(id="2", text="第一段。\\n\\n第二段。"))
    '第一段。\\n第二段。'
    """

    name = "whitespace"

    def __init__(self, *, max_blank_lines: int = 1) -> None:
        if max_blank_lines < 0:
            raise ValueError(f"max_blank_lines must be >= 0, got {max_blank_lines}")
        self.max_blank_lines = max_blank_lines
        self._too_many = "\n" * (max_blank_lines + 2)
        self._blank_run = re.compile(self._too_many + "\n*")
        self._fold = "\n" * (max_blank_lines + 1)

    def edit(self, doc: Document) -> str:
        text = doc.text
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        # Per-line rstrip: several times faster than a regex scanning every character for a space class.
        text = "\n".join([line.rstrip(_LAYOUT_SPACE) for line in text.split("\n")])
        if self._too_many in text:
            text = self._blank_run.sub(self._fold, text)
        return text.strip("\n").rstrip()
