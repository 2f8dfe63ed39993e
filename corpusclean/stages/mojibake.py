"""Repair mojibake where the original text can be recovered with confidence (see corpusclean.text.mojibake)."""

from __future__ import annotations

from typing import Any

from corpusclean.document import Document
from corpusclean.stage import Editor
from corpusclean.stages.normalize import GATE_SIGN, character_steps
from corpusclean.text.mojibake import fix_mojibake


class Mojibake(Editor):
    """Apply the mojibake fixes to documents that look broken; record the steps in ``meta["mojibake"]``
    and leave a ``span`` receipt for every piece of garbage that could not be recovered and was cut.
    ``meta["mojibake"]["guessed_bytes"]`` counts the lost bytes (U+FFFD) a repair filled in by guessing.

    Clean text costs one look at every character (:func:`~corpusclean.stages.normalize.character_steps`,
    which the normalize stage then reuses); only text holding a character some sign of mojibake needs
    (:func:`~corpusclean.text.mojibake.gate_signs`) is searched with the gate's regex
    (:func:`~corpusclean.text.mojibake.looks_broken`).

    >>> doc = Document(id="1", text="深入對接?xùn)|西部協(xié)作��")
    >>> Mojibake().edit(doc)
    '深入對接東西部協作'
    >>> doc.meta["mojibake"]["fixes"], doc.meta["mojibake"]["lost_chars"]
    (['realign_shifted_double_bytes', 'remove_glued_pinyin', 'remove_replacement_residue'], 2)
    >>> doc = Document(id="2", text="瀹為檯涓婂彧鏄\ufffd")  # 实际上只是 read as GBK, its last byte lost
    >>> Mojibake().edit(doc), doc.meta["mojibake"]["guessed_bytes"]
    ('实际上只是', 1)
    """

    name = "mojibake"

    def __init__(self, *, max_passes: int = 3) -> None:
        if max_passes < 1:
            raise ValueError(f"max_passes must be >= 1, got {max_passes}")
        self.max_passes = max_passes

    def describe(self) -> dict[str, Any]:
        import ftfy
        import jieba

        return {"stage": self.name, "max_passes": self.max_passes, "ftfy": ftfy.__version__,
                "jieba": jieba.__version__}

    def edit(self, doc: Document) -> str:
        if not character_steps(doc) & GATE_SIGN:
            return doc.text
        cuts: list[tuple[str, str]] = []
        text, steps = fix_mojibake(doc.text, max_passes=self.max_passes, cuts=cuts)  # (its loop runs the gate)
        if not steps and not cuts:
            return doc.text
        for rule, piece in cuts:
            doc.record_removal(self.name, rule, piece, kind="span")
        if steps:
            doc.meta["mojibake"] = {"fixes": steps, "lost_chars": sum(len(piece) for _, piece in cuts)}
            # A byte the wrong decoder threw away (U+FFFD) that a repair filled in is a guess, right for
            # ~93% of such characters (benchmarks/bench_normalize.py): say how many there were.
            guessed = doc.text.count("\ufffd") - text.count("\ufffd") - sum(p.count("\ufffd") for _, p in cuts)
            if guessed > 0:
                doc.meta["mojibake"]["guessed_bytes"] = guessed
        return text
