"""The record every stage reads and writes, and the receipts of what was removed from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Removal:
    """A receipt for one piece of text taken out of a document.

    ``kind`` says what was cut: ``line`` (a whole line), ``span`` (a substring of a line), ``block``
    (several lines) or ``chars`` (characters dropped by a normaliser). ``line`` is the 0-based index of
    the line in the text *as the stage saw it*, so ``corpusclean explain`` can show it in place.
    """

    stage: str
    rule: str
    text: str
    kind: str = "line"
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"stage": self.stage, "rule": self.rule, "kind": self.kind, "text": self.text}
        if self.line is not None:
            out["line"] = self.line
        return out


@dataclass(slots=True)
class Rejection:
    """Why a whole document was dropped: the stage, the rule, and for filters the measured value and threshold."""

    stage: str
    rule: str
    value: float | None = None
    threshold: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"stage": self.stage, "rule": self.rule}
        if self.value is not None:
            out["value"] = self.value
        if self.threshold is not None:
            out["threshold"] = self.threshold
        out.update(self.detail)
        return out


@dataclass(slots=True)
class Document:
    """One document flowing through the pipeline.

    ``fields`` holds the input record's other JSON fields, carried through to the output untouched;
    ``meta`` holds what corpusclean learnt (encoding, script, byline fields, duplicate cluster...).
    ``scratch`` is for values one stage computes for a later one in the same run (a MinHash signature,
    say); it is never written out.

    >>> doc = Document(id="a", text="你好")
    >>> doc.record_removal("rules", "demo", "广告", kind="span", line=0)
    >>> [r.rule for r in doc.removals]
    ['demo']
    """

    id: str
    text: str
    source: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    removals: list[Removal] = field(default_factory=list)
    rejected: Rejection | None = None
    chars_in: int = -1
    scratch: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.chars_in < 0:
            self.chars_in = len(self.text)

    def record_removal(self, stage: str, rule: str, text: str, *, kind: str = "line", line: int | None = None) -> None:
        self.removals.append(Removal(stage=stage, rule=rule, text=text, kind=kind, line=line))

    def reject(self, stage: str, rule: str, *, value: float | None = None, threshold: float | None = None,
               **detail: Any) -> None:
        self.rejected = Rejection(stage=stage, rule=rule, value=value, threshold=threshold, detail=detail)
