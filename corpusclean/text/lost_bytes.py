"""Guessing the bytes a wrong decoder threw away.

A decoder that meets a byte it cannot use shows U+FFFD for it and goes on with the next byte: with
CPython's gbk, gb18030, big5 and cp1252 decoders every U+FFFD stands for exactly one lost byte (checked
on real sentences: the other characters re-encoded plus one byte per U+FFFD give the original length).
Two things narrow down what the byte was: the decoder threw it away, so it is a byte that decoder
cannot use before the bytes that follow (for GBK: 0x80, 0xFF, a user-defined row, an unmapped cell;
for cp1252 one of five bytes); and the result must be UTF-8. Of 128 bytes, ~7 are usually left; the
most plausible reading of the whole run (:func:`~corpusclean.text.plausibility.best_reading`) picks among
them. :mod:`corpusclean.text.mojibake` calls this for the runs it re-decodes.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable

from corpusclean.text.plausibility import best_reading, context_cost, pair_bonus

# The bytes a cp1252 decoder cannot map: it shows U+FFFD for each.
CP1252_UNDEFINED = (0x81, 0x8D, 0x8F, 0x90, 0x9D)

# (the known bytes after a lost byte, whether unknown bytes follow them) -> the bytes it can have been
LostBytes = Callable[[bytes, bool], frozenset[int]]


def lost_by_gbk(following: bytes, cut: bool) -> frozenset[int]:
    r"""The bytes a GBK or a GB18030 decoder would have thrown away before ``following``.

    >>> [f"{b:X}" for b in sorted(lost_by_gbk(b"\xe4", False))]  # before a UTF-8 lead byte E4
    ['80', 'A2', 'AA', 'AB', 'AC', 'AD', 'AE', 'AF', 'F8', 'F9', 'FA', 'FB', 'FC', 'FD', 'FE', 'FF']
    >>> len(lost_by_gbk(b"\n", False)), 0xE4 in lost_by_gbk(b"\xb8", False)
    (128, False)
    """
    return _lost_before(following, cut, ("gbk", "gb18030"))


def lost_by_gb18030(following: bytes, cut: bool) -> frozenset[int]:
    r"""The bytes a GB18030 decoder would have thrown away. It maps GBK's user-defined rows to private-use
    characters, so fewer bytes are lost: text that shows such characters was read with GB18030.

    >>> 0xAA in lost_by_gbk(b"\xe4", False), 0xAA in lost_by_gb18030(b"\xe4", False)
    (True, False)
    """
    return _lost_before(following, cut, ("gb18030",))


def _lost_before(following: bytes, cut: bool, codecs: tuple[str, ...]) -> frozenset[int]:
    # A two-byte pair needs one following byte; only GB18030's four-byte forms (a digit second) need three.
    if following and not 0x30 <= following[0] <= 0x39:
        following, cut = following[:1], False
    return _lost_cached(following, cut, codecs)


@functools.cache
def _lost_cached(following: bytes, cut: bool, codecs: tuple[str, ...]) -> frozenset[int]:
    if cut and len(following) < 3:
        return _HIGH_BYTES  # it depends on bytes not known yet: the whole result is checked at the end
    return frozenset(
        byte for byte in _HIGH_BYTES
        if any((bytes([byte]) + following).decode(codec, "replace") == "\ufffd" + following.decode(codec, "replace")
               for codec in codecs))


_HIGH_BYTES = frozenset(range(0x80, 0x100))


def lost_by_cp1252(following: bytes, cut: bool) -> frozenset[int]:
    """cp1252 has five undefined bytes, whatever follows them."""
    return _CP1252_LOST


_CP1252_LOST = frozenset(CP1252_UNDEFINED)


_UTF8_LENGTH = bytes(1 if b < 0x80 else 2 if 0xC2 <= b < 0xE0 else 3 if 0xE0 <= b < 0xF0 else 4 if 0xF0 <= b < 0xF5
                     else 0 for b in range(256))
_LEAD_BYTES = {2: range(0xC2, 0xE0), 3: range(0xE0, 0xF0), 4: range(0xF0, 0xF5)}
_CONTINUATION_BYTES = range(0x80, 0xC0)
# More lost bytes than this in one character (64^3 readings) is not worth guessing.
_MAX_LOST_PER_CHARACTER = 2


def _shapes(seq: list[int | None], start: int, end: int) -> list[list[tuple[int, int]]]:
    """The ways ``seq[start:end]`` (a byte, or None for a lost one) splits into UTF-8 characters: unique
    unless a lost byte may be a lead byte of several lengths."""
    if start == end:
        return [[]]
    byte = seq[start]
    lengths = (2, 3, 4) if byte is None else (_UTF8_LENGTH[byte],) if _UTF8_LENGTH[byte] else ()
    shapes = []
    for length in lengths:
        stop = start + length
        if stop > end or any(b is not None and not 0x80 <= b < 0xC0 for b in seq[start + 1 : stop]):
            continue
        shapes += [[(start, stop), *rest] for rest in _shapes(seq, stop, end)]
    return shapes[:4]


def _character_readings(full: list[int | None], start: int, end: int, lost: LostBytes,
                        text_ends: bool) -> tuple[str, ...]:
    """The characters that the bytes ``full[start:end]`` may spell, lost bytes filled in every way the
    decoder and UTF-8 allow. ``full`` holds the run's bytes and a few known bytes after it;
    ``text_ends``: nothing follows those."""
    holes = [k for k in range(start, end) if full[k] is None]
    if not holes:
        try:
            return (bytes(full[start:end]).decode("utf-8"),)  # type: ignore[arg-type]
        except UnicodeDecodeError:
            return ()
    if len(holes) > _MAX_LOST_PER_CHARACTER:
        return ()
    trial = list(full)
    readings: list[str] = []

    def fill(index: int) -> None:  # right to left: the bytes after a lost byte are known when it is tried
        if index < 0:
            with contextlib.suppress(UnicodeDecodeError):
                readings.append(bytes(trial[start:end]).decode("utf-8"))  # type: ignore[arg-type]
            return
        k = holes[index]
        following = bytearray()
        cut = False
        for b in trial[k + 1 : k + 4]:
            if b is None:
                cut = True
                break
            following.append(b)
        else:
            cut = len(following) < 3 and not text_ends  # the end of what is known, not of the text
        possible = lost(bytes(following), cut)
        for byte in _LEAD_BYTES[end - start] if k == start else _CONTINUATION_BYTES:
            if byte in possible:
                trial[k] = byte
                fill(index - 1)
        trial[k] = None

    fill(len(holes) - 1)
    return tuple(readings)


# An ASCII number beside a run is read as this numeral, so that 12月 and 8个 have word evidence (三月,
# 三个) like 十二月 has. In jieba's dictionary 三个 is a commoner word than 三中 (二中 beats 二个, and 一
# forms many words that are not numbers).
_DIGIT_STAND_IN = "三"


def fill_lost_bytes(parts: list[bytes | None], lost: LostBytes, *, before: str = "", after: str = "",
                     text_ends: bool = True) -> str | None:
    r"""The most plausible UTF-8 text that byte chunks spell, where ``None`` stands for one byte a decoder
    threw away. ``before``/``after``: the text around the run (``after``: up to three ASCII characters,
    ``text_ends``: nothing follows them). None when no filling gives UTF-8.

    >>> "实际上只是".encode("utf-8").decode("gbk", errors="replace")  # 是 is E6 98 AF: AF lost at the end
    '瀹為檯涓婂彧鏄\ufffd'
    >>> fill_lost_bytes(encode_with_lost_bytes('瀹為檯涓婂彧鏄\ufffd', "gb18030"), lost_by_gbk)
    '实际上只是'
    """
    seq: list[int | None] = []
    for part in parts:
        if part is None:
            seq.append(None)
        else:
            seq.extend(part)
    tail = after[:3].encode("ascii")
    full = seq + list(tail)
    positions: list[tuple[str, ...]] = []
    n = len(seq)
    start = 0
    while start < n:
        # A known ASCII or lead byte always starts a character: split there, so shapes stay few.
        end = start + 1
        while end < n and (seq[end] is None or 0x80 <= seq[end] < 0xC0):  # type: ignore[operator]
            end += 1
        options = []
        for shape in _shapes(seq, start, end):
            chars = [_character_readings(full, a, b, lost, text_ends) for a, b in shape]
            if all(chars):
                options.append(chars)
        if not options:
            return None
        if len(options) > 1:
            options.sort(key=lambda chars: best_reading(chars)[0] / len(chars))
        positions += options[0]
        start = end
    from corpusclean.text.script import _simplified_only, _traditional_only

    known = [chars[0] for chars in positions if len(chars) == 1]
    traditional = sum(ch in _traditional_only() for ch in known)
    simplified = sum(ch in _simplified_only() for ch in known)
    other_script = _simplified_only() if traditional > simplified else _traditional_only()
    contexts: dict[int, list[str]] = {}
    lead: list[tuple[str, ...]] = []
    trail: list[tuple[str, ...]] = []
    if before[-1:].isdigit() and before[-1:].isascii():
        contexts[0] = ["after_digit"]
        lead = [(_DIGIT_STAND_IN,)]
    last = len(positions) - 1
    if after[:1].isdigit() and after.isascii():
        contexts.setdefault(last, []).append("before_digit")
        trail = [(_DIGIT_STAND_IN,)]
    elif after[:1] in ("\n", "\r") or (not after and text_ends):
        contexts.setdefault(last, []).append("line_end")
    penalties: dict[int, dict[str, float]] = {}
    for index, chars in enumerate(positions):
        if len(chars) == 1:
            continue
        names = contexts.get(index, ())
        # An ideograph and a punctuation mark beside it, one of them known (吗？, 说：).
        previous = positions[index - 1] if index else ("",)
        following = positions[index + 1] if index + 1 < len(positions) else ("",)
        penalties[index + len(lead)] = {
            ch: sum(context_cost(ch, name) for name in names)
            - (pair_bonus(previous[0], ch) if len(previous) == 1 and previous[0] else 0.0)
            - (pair_bonus(ch, following[0]) if len(following) == 1 and following[0] else 0.0)
            for ch in chars}
    text = best_reading(lead + positions + trail, other_script=other_script, penalties=penalties)[1]
    return text[len(lead) : len(text) - len(trail)]



def encode_with_lost_bytes(run: str, encoding: str) -> list[bytes | None]:
    parts: list[bytes | None] = []
    for i, piece in enumerate(run.split("\ufffd")):
        if i:
            parts.append(None)
        if piece:
            parts.append(piece.encode(encoding))
    return parts


