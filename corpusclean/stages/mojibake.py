"""Repair mojibake where the original text can be recovered with confidence (see corpusclean.text.mojibake)."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from corpusclean.document import Document
from corpusclean.stage import Editor
from corpusclean.stages.normalize import COMMON, GATE_SIGN, _bits_table, character_steps, keep_character_steps
from corpusclean.text.codepoints import NUMPY_MIN_CHARS, joined_code_points
from corpusclean.text.mojibake import _MARK, _fix_sign_table, _sign_table, fix_mojibake

# What :func:`scan_chunk` looks up per character, packed in one table: normalize's step bits (below bit 22),
# the gate's signs (2 bits: :func:`~corpusclean.text.mojibake._looks_broken_by_signs`), the signs the fixes
# need (3 bits: :func:`~corpusclean.text.mojibake._fix_signs`).
_SIGN_SHIFT, _FIX_SHIFT = 22, 24
_STEP_MASK = (1 << _SIGN_SHIFT) - 1
# Characters per pass of scan_chunk (texts are not cut): a worker's whole chunk at once held ~15 bytes a
# character for a moment (the code points, the table values, take's intp copy of the code points), which
# raised the worker's peak memory by 2 MiB; passes this long cost no more time than one.
_SCAN_CHARS = 1 << 16


@functools.cache
def _chunk_table() -> Any:
    steps = _bits_table()
    if (int(steps.max()).bit_length() > _SIGN_SHIFT or int(_sign_table().max()) >= 1 << (_FIX_SHIFT - _SIGN_SHIFT)
            or int(_fix_sign_table().max()) >= 1 << (32 - _FIX_SHIFT)):
        raise RuntimeError("normalize's step bits or the mojibake signs outgrew the packed table of scan_chunk")
    return (steps | (_sign_table().astype(np.uint32) << _SIGN_SHIFT)
            | (_fix_sign_table().astype(np.uint32) << _FIX_SHIFT))


def scan_chunk(texts: list[str]) -> list[tuple[int, bool | None, int | None]]:
    """What the mojibake stage measures of each text before any repair, for a chunk at once: one encode of
    the joined texts, one table lookup and one ``bitwise_or.reduceat``, instead of an encode and a lookup
    per document and again per document that some gate sign sends to the fixes. Per text:

    * normalize's character steps (:func:`~corpusclean.stages.normalize.character_steps`, the same value;
      short texts get the ``COMMON`` bits, as there);
    * :func:`~corpusclean.text.mojibake.looks_broken` where the signs decide it (long texts without a sign,
      or whose only signs are GBK characters of UTF-8 lead bytes: their pattern is checked for every such
      character of the chunk at once); None where the gate's regex must (short texts, other signs);
    * the signs the fixes need (:func:`~corpusclean.text.mojibake._fix_signs`), None for short texts.

    >>> texts = ["深圳" * 300, "姓楠的人。" * 200, "姓楠的人." * 200, "浣犲ソ"]
    >>> [verdict for _, verdict, _ in scan_chunk(texts)]
    [False, False, True, None]
    >>> [fix for _, _, fix in scan_chunk(["協(xié)作" * 200, "锟斤拷" * 200])]  # (Latin-1 1, toned 2, residue 4)
    [3, 4]
    >>> [steps == character_steps(Document(id="", text=text)) for text, (steps, _, _) in zip(texts, scan_chunk(texts))]
    [True, True, True, True]
    """
    out: list[tuple[int, bool | None, int | None]] = []
    part: list[str] = []
    size = 0
    for text in texts:
        if part and size + len(text) > _SCAN_CHARS:
            out += _scan_part(part)
            part, size = [], 0
        part.append(text)
        size += len(text)
    return out + _scan_part(part) if part else out


def _scan_part(texts: list[str]) -> list[tuple[int, bool | None, int | None]]:
    """:func:`scan_chunk` of consecutive texts, in one pass."""
    count = len(texts)
    flat, offsets = joined_code_points(texts)
    lengths = np.diff(offsets)
    values = _chunk_table().take(flat, mode="clip")
    found = np.zeros(count, dtype=np.uint32)
    filled = lengths > 0
    if filled.any():  # (reduceat of an empty stretch would give its neighbour's first value)
        found[filled] = np.bitwise_or.reduceat(values, offsets[:-1][filled])
    long = lengths >= NUMPY_MIN_CHARS
    signs = (found >> _SIGN_SHIFT) & 3
    verdicts: list[bool | None] = np.where(signs == 0, False, None).tolist()
    marks_only = long & (signs == _MARK)
    if marks_only.any():
        hit = _mark_pattern_hits(flat, values, offsets, marks_only)
        for k in np.flatnonzero(marks_only).tolist():
            verdicts[k] = bool(hit[k])
    steps = (found & _STEP_MASK).tolist()
    fix_signs = (found >> _FIX_SHIFT).tolist()
    return [(step, verdict, fix_sign) if is_long else (step | COMMON, None, None)
            for step, verdict, fix_sign, is_long in zip(steps, verdicts, fix_signs, long.tolist(), strict=True)]


def _positions(values: np.ndarray, offsets: np.ndarray, which: np.ndarray,
               bit: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where in the texts of ``which`` (a mask over the chunk's texts) ``values`` has ``bit``: the indices into
    the chunk, the text of each and that text's end. Text by text: cheaper than over the whole chunk, most of
    which has no such character, when these texts are few."""
    texts = np.flatnonzero(which)
    starts, ends = offsets[texts].tolist(), offsets[texts + 1].tolist()
    found = [np.flatnonzero(values[start:end] & np.uint32(bit)) + start
             for start, end in zip(starts, ends, strict=True)]
    owner = np.repeat(texts, [len(at) for at in found])
    return np.concatenate(found), owner, offsets[owner + 1]


def _mark_pattern_hits(flat: np.ndarray, values: np.ndarray, offsets: np.ndarray, which: np.ndarray) -> np.ndarray:
    """Per text of ``which``: whether it has the gate's "UTF-8 read as GBK" pattern (a mark, two non-ASCII
    characters, then a mark, an ASCII character or the text's end), as ``_looks_broken_by_signs`` checks it,
    for every mark of those texts at once (marks are rare: gathering around them is cheaper than shifted
    slices of every text)."""
    mark_bit = np.uint32(_MARK << _SIGN_SHIFT)
    at, owner, end = _positions(values, offsets, which, mark_bit)
    room = at + 2 < end
    at, owner, end = at[room], owner[room], end[room]
    third = np.minimum(at + 3, len(flat) - 1)
    hit = ((flat[at + 1] > 0x7F) & (flat[at + 2] > 0x7F)
           & ((at + 3 >= end) | (values[third] & mark_bit != 0) | (flat[third] <= 0x7F)))
    hits = np.zeros(len(which), dtype=bool)
    hits[owner[hit]] = True
    return hits


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
        return self._record(doc, self._repair(doc.text))

    def process_batch(self, docs: list[Document]) -> None:
        """:meth:`edit` on a chunk, with the same results: every document's characters are looked at in one
        numpy pass over the chunk (:func:`scan_chunk`), which leaves normalize its character steps and tells
        most documents with a sign of mojibake that they look clean after all; only the rest are repaired
        one by one. Nothing is changed before every document is done (a chunk stopped by the time budget is
        redone one document at a time).

        >>> docs = [Document(id="1", text="深入對接?xùn)|西部協(xié)作"), Document(id="2", text="深圳" * 300)]
        >>> Mojibake().process_batch(docs)
        >>> [doc.text[:6] for doc in docs], docs[0].meta["mojibake"]["fixes"]
        (['深入對接東西', '深圳深圳深圳'], ['realign_shifted_double_bytes', 'remove_glued_pinyin'])
        """
        done = []
        for doc, (steps, broken, signs) in zip(docs, scan_chunk([doc.text for doc in docs]), strict=True):
            keep_character_steps(doc, steps)
            if steps & GATE_SIGN and broken is not False:
                done.append((doc, self._repair(doc.text, broken=broken, signs=signs)))
        for doc, repair in done:
            doc.text = self._record(doc, repair)

    def _repair(self, text: str, *, broken: bool | None = None,
                signs: int | None = None) -> tuple[str, list[str], list[tuple[str, str]]]:
        """The repaired text, the fixes applied and the pieces cut (:func:`fix_mojibake`), nothing changed."""
        cuts: list[tuple[str, str]] = []
        fixed, steps = fix_mojibake(text, max_passes=self.max_passes, cuts=cuts, broken=broken, signs=signs)
        return fixed, steps, cuts  # (its loop runs the gate)

    def _record(self, doc: Document, repair: tuple[str, list[str], list[tuple[str, str]]]) -> str:
        """Leave the receipts and ``meta`` of ``repair`` (from :meth:`_repair` of ``doc.text``) on ``doc``;
        the text to keep."""
        text, steps, cuts = repair
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
