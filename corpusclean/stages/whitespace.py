"""Trim line ends, fold runs of blank lines, and drop the document's leading and trailing blank lines."""

from __future__ import annotations

import re

from corpusclean.document import Document
from corpusclean.stage import Editor

_BLANK_RUN = re.compile(r"\n{3,}")
_TRAILING = re.compile(r"[ \t\u3000\xa0]+\n")


class Whitespace(Editor):
    """Tidy the layout whitespace that page extraction leaves; never touches characters inside a line.

    Blank lines carry no content, so folding them leaves no receipt.

    >>> doc = Document(id="1", text="  标题  \\n\\n\\n\\n正文。 \\n")
    >>> Whitespace().edit(doc)
    '  标题\\n\\n正文。'
    """

    name = "whitespace"

    def __init__(self, *, max_blank_lines: int = 1) -> None:
        if max_blank_lines < 0:
            raise ValueError(f"max_blank_lines must be >= 0, got {max_blank_lines}")
        self.max_blank_lines = max_blank_lines
        self._fold = "\n" * (max_blank_lines + 1)

    def edit(self, doc: Document) -> str:
        text = doc.text
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = _TRAILING.sub("\n", text + "\n")
        text = _BLANK_RUN.sub(self._fold, text) if self.max_blank_lines < 2 else text
        return text.strip("\n").rstrip()
