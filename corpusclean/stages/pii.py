"""Mask personal data: e-mail addresses, mainland mobile numbers, resident ID numbers and IPv4 addresses.

A model trained on a crawl can repeat a phone number or an ID-card number it saw; the number itself teaches
nothing. Each match is replaced by a placeholder (``<EMAIL>``, ``<PHONE>``, ``<ID_NUMBER>``, ``<IP>``) that
keeps the sentence readable, and leaves a receipt ``pii/<kind>`` holding the original, so the rejects file
can restore it (keep that file as private as the input).

What is not personal data must stay: dates, amounts, order and tracking numbers, and digit runs inside longer
numbers. So a mobile number is 11 digits starting 13-19 with no digit or letter glued on either side, and
not right after a word that says it is another kind of number (订单号, 单号, 编号, 卡号...); an ID number
is 18 characters whose birth date is a real date and whose last character is the ISO 7064 check digit of
the other 17 (a random 18-digit number passes one time in eleven, an order number almost never also
carries a valid date); an IPv4 address is four numbers up to 255, not a version number after "v"/"版本".
Hotlines ("服务热线：400-…") are the ``rules`` stage's business: whole lines of page chrome, removed there.

>>> stage = Pii()
>>> from corpusclean.document import Document
>>> doc = Document(id="1", text="联系人张伟，手机13912345678，邮箱zhang.wei@example.cn。")
>>> stage.process(doc)
>>> doc.text
'联系人张伟，手机<PHONE>，邮箱<EMAIL>。'
>>> [(r.rule, r.text) for r in doc.removals]
[('phone', '13912345678'), ('email', 'zhang.wei@example.cn')]
>>> doc = Document(id="2", text="订单号13912345678已发货，金额139123.45元，2022年01月17日。")
>>> stage.process(doc); doc.text
'订单号13912345678已发货，金额139123.45元，2022年01月17日。'
"""

from __future__ import annotations

import bisect
import datetime
import re
from collections.abc import Iterable
from typing import Any

from corpusclean.document import Document
from corpusclean.stage import Editor

KINDS = ("email", "phone", "id_number", "ip")
PLACEHOLDERS = {"email": "<EMAIL>", "phone": "<PHONE>", "id_number": "<ID_NUMBER>", "ip": "<IP>"}

_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_PATTERN = re.compile(
    r"(?P<email>(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![A-Za-z0-9-]))"
    r"|(?P<id_number>(?<![0-9A-Za-z])[1-9]\d{16}[0-9Xx](?![0-9A-Za-z]))"
    r"|(?P<phone>(?<![0-9A-Za-z+])(?<!\d\.)(?:(?:\+|00)86[ -]?|86[ -])?1[3-9]\d(?:\d{8}|[ -]\d{4}[ -]\d{4})"
    r"(?![0-9A-Za-z]|\.\d))"
    rf"|(?P<ip>(?<![\w.])(?:{_OCTET}\.){{3}}{_OCTET}(?![\w.]|\.\d))",
    re.ASCII,
)
# Words that name a number as something else than a phone number, right before it (with a colon or not).
_OTHER_NUMBER = re.compile(r"(?:订单|单号|编号|卡号|账号|帐号|流水号|运单|快递|条码|工号|学号|QQ|qq|No\.?)[:：\s#]*$")
_VERSION = re.compile(r"(?:[vV]|版本|version\s?)$")
# Where a match can be: an "@" (e-mail), or a run of digits and separators at least 7 long (phone, ID
# number, dotted quad). Found with a pattern that starts with a character set, which the regex engine scans
# for in C: ~200 MB/s on Chinese prose, where the full pattern tried at every position runs at ~60 MB/s.
_NUMERIC_RUN = re.compile(r"[+0-9][0-9 .+-]{5,}[0-9Xx]")
# Most documents hold no such run: this simpler pattern rules them out at ~400 MB/s before the one above.
_MAYBE_RUN = re.compile(r"[0-9][0-9 .-]{5}")
# Characters of context the full pattern's look-behinds and look-aheads need around a run.
_CONTEXT = 3
# The two patterns above over a chunk's texts encoded as ASCII with one "?" per other character (so a byte
# offset is a character offset; their classes are ASCII). In _MAYBE_DIGIT_RUN every digit was translated to
# "0" (_DIGITS_TO_ZERO): a pattern that opens with a literal is searched for with a fast loop, not a
# character-set test per character (about 6x as fast as _MAYBE_RUN on Chinese text).
_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")
_MAYBE_DIGIT_RUN = re.compile(rb"0[0 .-]{5}")
_NUMERIC_RUN_ASCII = re.compile(_NUMERIC_RUN.pattern.encode("ascii"))
# Every character the full pattern can consume. A match lies within one stretch of them, and the look-aheads
# read a character outside every stretch as they read the end of the text (it is neither a letter, a digit,
# "-" nor "."), so searching each stretch with pos/endpos finds what a search of the whole text finds; only
# the stretches with a digit or an "@" can hold a match. The full pattern tries its four alternatives and their
# look-behinds at every position (~5 MB/s on Chinese prose): on a text with an "@" this skips the prose.
_STRETCH_ASCII = re.compile(rb"[A-Za-z0-9._%+@ -]+")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def valid_id_number(number: str) -> bool:
    """Whether an 18-character resident ID number has a real birth date and the right check character.

    >>> valid_id_number("11010519491231002X"), valid_id_number("110105194912310021")
    (True, False)
    >>> valid_id_number("110105194902300028")   # 30 February
    False
    """
    if len(number) != 18 or not number[:17].isdigit():
        return False
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if not datetime.date(1900, 1, 1) <= born <= datetime.date(2100, 1, 1):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def find_pii(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, kind)`` of every piece of personal data in ``text``, in order.

    >>> find_pii("服务器 192.168.1.20 已上线，v1.2.3.4 版本")
    [(4, 16, 'ip')]
    """
    return _find_in(text, _candidates(text))


def _find_in(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """:func:`find_pii` searching only ``spans`` of ``text`` (those of :func:`_candidates`)."""
    found: list[tuple[int, int, str]] = []
    for start, end in spans:
        for match in _PATTERN.finditer(text, start, end):
            found += _accepted(text, match)
    return found


def find_pii_many(texts: list[str]) -> list[list[tuple[int, int, str]]]:
    """:func:`find_pii` of each of ``texts`` (a worker's chunk), the same lists: the gate of
    :func:`_candidates` (an "@", else a digit followed by five digits, spaces, dots or hyphens) and the digit
    runs are found over the texts joined by line breaks (which none of their patterns reads) in one ASCII
    encode, one ``bytes.translate`` and passes of bytes patterns; only the texts they let through are
    searched one by one, those with an "@" only in their stretches of characters a match can hold that have a
    digit or an "@" (see ``_STRETCH_ASCII``).

    >>> texts = ["无", "手机13912345678", "2020年1月17日", "", "邮箱a@b.cn", "IP 10.0.0.1。𠀀\\ud800"]
    >>> find_pii_many(texts) == [find_pii(text) for text in texts]
    True
    """
    out: list[list[tuple[int, int, str]]] = [[] for _ in texts]
    if not texts:
        return out
    joined = "\n".join(texts)
    # One byte per character: "?" stands for every non-ASCII one (surrogates and astral characters too).
    data = joined.encode("ascii", "replace")
    starts = [0] * (len(texts) + 1)
    position = 0
    for k, text in enumerate(texts):
        starts[k] = position
        position += len(text) + 1
    starts[-1] = position  # one past the separator after the last text
    zeros = data.translate(_DIGITS_TO_ZERO)
    # Texts with an "@": what the full pattern finds over the whole text (_candidates), from the stretches.
    at = data.find(b"@")
    spans: list[tuple[int, int]]
    while at >= 0:
        k = bisect.bisect_right(starts, at) - 1
        start, text = starts[k], texts[k]
        spans = []
        for stretch in _STRETCH_ASCII.finditer(zeros, start, start + len(text)):
            first, end = stretch.span()
            if zeros.find(b"0", first, end) >= 0 or zeros.find(b"@", first, end) >= 0:
                spans.append((first - start, end - start))
        out[k] = _find_in(text, spans)
        at = data.find(b"@", starts[k + 1])
    hit = _MAYBE_DIGIT_RUN.search(zeros)
    while hit is not None:
        k = bisect.bisect_right(starts, hit.start()) - 1
        start, text = starts[k], texts[k]
        if "@" not in text:
            out[k] = _find_in(text, _around_runs(_NUMERIC_RUN_ASCII.finditer(data, start, start + len(text)),
                                                 start, len(text)))
        hit = _MAYBE_DIGIT_RUN.search(zeros, starts[k + 1])
    return out


def _candidates(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` the full pattern must search: the whole text when it holds an "@", else each
    digit run with the context its look-arounds read (searched with ``pos``/``endpos``: look-behinds see
    before ``pos``)."""
    if "@" in text:
        return [(0, len(text))]
    if not _MAYBE_RUN.search(text):
        return []
    return _around_runs(_NUMERIC_RUN.finditer(text), 0, len(text))


def _around_runs(runs: Iterable[re.Match[Any]], offset: int, length: int) -> list[tuple[int, int]]:
    """The spans of a text of ``length`` characters (at ``offset`` in the string searched) that each digit run
    of ``runs`` covers with the context the full pattern's look-arounds read, overlapping spans merged."""
    spans: list[tuple[int, int]] = []
    for run in runs:
        start, end = run.start() - offset, min(length, run.end() - offset + _CONTEXT)
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _accepted(text: str, match: re.Match[str]) -> list[tuple[int, int, str]]:
    """``[(start, end, kind)]`` for a match that passes its kind's check (check digit, the words before)."""
    kind = match.lastgroup
    assert kind is not None
    start, end = match.span()
    before = text[max(0, start - 12):start]
    if kind == "id_number" and not valid_id_number(match.group()):
        return []
    if kind == "phone" and _OTHER_NUMBER.search(before):
        return []
    if kind == "ip" and _VERSION.search(before.rstrip()):
        return []
    return [(start, end, kind)]


class Pii(Editor):
    """Replace personal data by placeholders, one receipt per piece (``pii/<kind>``, the original text).

    ``kinds`` chooses what is masked (default: all of ``email``, ``phone``, ``id_number``, ``ip``).
    """

    name = "pii"

    def __init__(self, *, kinds: list[str] | None = None) -> None:
        chosen = list(KINDS if kinds is None else kinds)
        unknown = [k for k in chosen if k not in KINDS]
        if unknown:
            raise ValueError(f"kinds: unknown kind {unknown[0]!r} (known: {', '.join(KINDS)})")
        self.kinds = frozenset(chosen)

    def describe(self) -> dict[str, Any]:
        return {"stage": self.name, "kinds": sorted(self.kinds)}

    def edit(self, doc: Document) -> str:
        return self._mask(doc, find_pii(doc.text))

    def process_batch(self, docs: list[Document]) -> None:
        """:meth:`edit` on a chunk, with the same results (:func:`find_pii_many`); nothing is changed before
        every document is searched (a chunk stopped by the time budget is redone one by one).

        >>> docs = [Document(id="1", text="正文。"), Document(id="2", text="手机13912345678。")]
        >>> Pii().process_batch(docs)
        >>> [doc.text for doc in docs]
        ['正文。', '手机<PHONE>。']
        """
        found = find_pii_many([doc.text for doc in docs])
        for doc, pieces in zip(docs, found, strict=True):
            if pieces:
                doc.text = self._mask(doc, pieces)

    def _mask(self, doc: Document, found: list[tuple[int, int, str]]) -> str:
        """``doc.text`` with the pieces of ``found`` (of :func:`find_pii`) of the chosen kinds masked, a
        receipt each."""
        text = doc.text
        found = [f for f in found if f[2] in self.kinds]
        if not found:
            return text
        pieces = []
        last = 0
        for start, end, kind in found:
            pieces.append(text[last:start])
            pieces.append(PLACEHOLDERS[kind])
            doc.record_removal(self.name, kind, text[start:end], kind="span", line=text.count("\n", 0, start))
            last = end
        pieces.append(text[last:])
        return "".join(pieces)
