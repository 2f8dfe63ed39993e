"""Mojibake repair for Chinese text: one small fix per way text gets broken, each gated and explainable.

Modelled on ftfy: every fix is a pure function named for what it does, whose docstring says why and
shows an example; :func:`looks_broken` is a separate cheap test that keeps clean text away from every
fix; :func:`fix_mojibake` applies the fixes until nothing changes and returns the names of the steps
taken, so a repair can be explained and replayed. A fix replaces text only when the result is
measurably more plausible (:mod:`corpusclean.text.plausibility`, built from jieba's word counts).

What is covered, by the issue's classes:

1. UTF-8 bytes decoded as GBK/GB18030 (浣犲ソ), as Big5, or as Latin-1/cp1252 (ä½ å¥½):
   :func:`decode_utf8_read_as_gbk`, :func:`decode_utf8_read_as_big5`, :func:`decode_utf8_read_as_latin1`.
   A byte the wrong decoder threw away (shown as U+FFFD) is guessed from the plausibility score.
2. GBK/GB18030/Big5 bytes decoded as Latin-1/cp1252 (ÄãºÃ): :func:`decode_gbk_read_as_latin1`; as a
   Cyrillic code page, which charset detectors often guess for GBK (ДгєГ): :func:`decode_gbk_read_as_cyrillic`.
3. Replacement-character residue (U+FFFD, 锟斤拷, 烫烫烫, 屯屯屯): :func:`remove_replacement_residue`.
4. Pinyin glued after converted characters (協(xié)作): :func:`remove_glued_pinyin`.
5. Byte-shifted double-byte runs (?shù)厝罕娋蜆I): :func:`realign_shifted_double_bytes`.

Latin-script mojibake (cafÃ©) is left to ftfy (:func:`fix_latin_mojibake`), with width folding and quote
uncurling off: full-width Chinese punctuation and curly quotes are content.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from corpusclean.text import table_cache
from corpusclean.text.charclass import regex_class
from corpusclean.text.codepoints import NUMPY_MIN_CHARS, code_points
from corpusclean.text.lost_bytes import (
    encode_with_lost_bytes,
    fill_lost_bytes,
    lost_by_cp1252,
    lost_by_gb18030,
    lost_by_gbk,
)
from corpusclean.text.plausibility import is_cjk, text_cost

# A repair must lower the mean cost per character by at least this much (log10 units): mojibake runs
# cost 5-8, the Chinese they hide 1.5-3, so real repairs clear it by far; near-ties are left alone.
MIN_GAIN = 1.0

_CJK_CLASS = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

# --- the cheap gate ------------------------------------------------------------------------------------


@functools.cache
def _utf8_lead_as_gbk() -> str:
    """Characters that a UTF-8 lead byte (E2-E9, EF: CJK, punctuation, full-width forms) followed by a
    continuation byte becomes when read as GBK: every third character of 浣犲ソ-style mojibake is one."""
    chars = []
    for lead in [*range(0xE2, 0xEA), 0xEF]:
        for trail in range(0x80, 0xC0):
            with contextlib.suppress(UnicodeDecodeError):
                chars.append(bytes([lead, trail]).decode("gbk"))
    return "".join(chars)


# Pinyin vowels with a tone mark.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"

# cp1252's characters for bytes 0x80-0x9F (ftfy calls reading them back "sloppy" decoding).
_CP1252_HIGH = "".join(bytes([b]).decode("cp1252", errors="ignore") for b in range(0x80, 0xA0))
_LATIN1_RUN_CHARS = "\x80-\xff" + re.escape(_CP1252_HIGH)
# The Cyrillic code pages charset detectors take GBK bytes for, their characters for bytes 0x80-0xFF, and
# the Cyrillic letters such mojibake is mostly made of.
_CYRILLIC_CODECS = ("cp1251", "iso8859_5", "koi8_r", "mac_cyrillic")
_CYRILLIC_PAIRS = tuple((codepage, codec) for codepage in _CYRILLIC_CODECS for codec in ("gb18030", "big5"))
_CYRILLIC_HIGH = regex_class({ord(ch) for codec in _CYRILLIC_CODECS
                              for ch in bytes(range(0x80, 0x100)).decode(codec, errors="ignore")})
_CYRILLIC_LETTERS = [*range(0x401, 0x460), 0x490, 0x491]
_CYRILLIC = regex_class(_CYRILLIC_LETTERS)
# The five bytes cp1252 leaves undefined; a strict cp1252 decoder shows them as U+FFFD.


@functools.cache
def _gate() -> re.Pattern[str]:
    """One pattern for every way text can look broken, so that clean text costs a single C-level scan.

    It starts with the class of every character a sign of breakage can start with, which lets the
    regex engine skip ahead to candidates (an alternation whose branches start with different classes
    would be tried at every position); each branch then checks, by a look-behind, the character just
    consumed.
    """
    marks = re.escape(_utf8_lead_as_gbk())
    return re.compile(
        rf"[{marks}\x80-\xff(?\ufffd锟烫屯{_CYRILLIC}]"
        r"(?:"
        # replacement residue: U+FFFD, 锟斤拷, 烫烫烫, 屯屯屯
        r"(?<=\ufffd)|(?<=锟)斤拷|(?<=烫)烫烫|(?<=屯)屯屯"
        # UTF-8 read as GBK: a mark every third character, or a two-character word's three
        rf"|(?<=[{marks}])[^\x00-\x7f]{{2}}(?:[{marks}]|(?![^\x00-\x7f]))"
        # bytes read as Latin-1
        rf"|(?<=[\xc0-\xff])[{_LATIN1_RUN_CHARS}]|(?<=[\x80-\xbf])[\xc0-\xff]"
        # glued pinyin, byte-shifted runs
        rf"|(?<=[(?\ufffd])[a-zü]*[{_TONED}]"
        # bytes read as a Cyrillic code page: two Cyrillic letters in a row
        rf"|(?<=[{_CYRILLIC}])[{_CYRILLIC}]"
        r")"
    )


@functools.cache
def gate_signs() -> str:
    """Characters of which every match of :func:`looks_broken`'s pattern holds at least one: U+FFFD,
    锟, 烫 and 屯 (residue), the GBK characters of UTF-8 lead bytes (UTF-8 read as GBK), À-ÿ (bytes read
    as Latin-1: every branch has one of C0-FF), pinyin's toned vowels (glued pinyin, shifted runs) and
    Cyrillic letters (bytes read as a Cyrillic code page).

    Text without any of them looks clean without a regex scan; a pass that already looks at every
    character (normalize's table of character steps) can tell so on the way, and deleting or replacing
    characters by others outside this set cannot make text look broken.

    >>> "锟" in gate_signs(), "浣" in gate_signs(), "ǎ" in gate_signs(), "中" in gate_signs()
    (True, True, True, False)
    """
    cyrillic = "".join(map(chr, _CYRILLIC_LETTERS))
    return "\ufffd锟烫屯" + _utf8_lead_as_gbk() + "".join(map(chr, range(0xC0, 0x100))) + _TONED + cyrillic


def looks_broken(text: str) -> bool:
    """Cheap test: could any fix apply? Clean text (almost always) answers False after one C-level pass.

    >>> looks_broken("深圳开始对口帮扶毕节。"), looks_broken("浣犲ソ涓栫晫"), looks_broken("協(xié)作")
    (False, True, True)
    >>> looks_broken("打开浏览器。" * 100), looks_broken("打开浏览器." * 100)  # 浏 is a sign, the "." completes it
    (False, True)
    """
    if len(text) >= NUMPY_MIN_CHARS:
        verdict = _looks_broken_by_signs(text)
        if verdict is not None:
            return verdict
    return _gate().search(text) is not None


_MARK, _OTHER_SIGN = 1, 2


@functools.cache
def _sign_table() -> Any:
    """Per BMP character: _MARK for the GBK characters of UTF-8 lead bytes, _OTHER_SIGN for the other
    :func:`gate_signs` (锟 is both). Astral characters are clipped to U+FFFF, which is neither."""
    table = np.zeros(0x10000, dtype=np.uint8)
    table[[ord(ch) for ch in _utf8_lead_as_gbk()]] = _MARK
    others = [ord(ch) for ch in gate_signs() if ch not in _utf8_lead_as_gbk()]
    table[others] |= _OTHER_SIGN
    table[ord("锟")] |= _OTHER_SIGN
    return table


def _looks_broken_by_signs(text: str) -> bool | None:
    """:func:`looks_broken` by a table of signs, where it can tell: no sign at all (most clean text) is
    False; signs that are all GBK characters of UTF-8 lead bytes (浏, 楠, 椹 are common in names and
    words) can only start the "UTF-8 read as GBK" branch, checked here for every one of them at once.
    None when other signs are there: the regex decides.

    >>> [_looks_broken_by_signs(text) for text in ("深圳" * 300, "姓楠的人。" * 200, "姓楠的人." * 200)]
    [False, False, True]
    >>> _looks_broken_by_signs("锟斤拷" * 200) is None
    True
    """
    codes = code_points(text)
    signs = _sign_table().take(codes, mode="clip")
    found = int(signs.max())
    if found == 0:
        return False
    if found != _MARK:
        return None
    # A mark, two non-ASCII characters, then a mark, an ASCII character or the end (the gate's branch),
    # at every position at once (shifted slices: cheaper than gathering the marks' neighbours).
    marks = signs.view(bool)  # (all 0 or 1 here)
    wide = codes > 0x7F
    third = np.append(marks[3:] | ~wide[3:], True)
    return bool((marks[:-2] & wide[1:-1] & wide[2:] & third).any())


# --- helpers -------------------------------------------------------------------------------------------


def _better(new: str, old: str) -> bool:
    return "\ufffd" not in new and text_cost(new) <= text_cost(old) - MIN_GAIN


# --- class 1 and 2: text decoded with the wrong codec --------------------------------------------------

_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


@functools.cache
def _runs_that_may_be_utf8(encoding: str) -> re.Pattern[str]:
    """The non-ASCII runs whose bytes in ``encoding`` may be UTF-8: those that start with U+FFFD (a lost
    byte, guessed later) or with a double-byte character that is a UTF-8 lead byte (C2-F4) and a
    continuation byte (80-BF). Every other run fails to decode, so re-encoding it is wasted work: on
    clean Chinese text that reaches the fixes, this skips ~85% of the runs.
    """
    starts = []
    for lead in range(0xC2, 0xF5):
        for trail in range(0x80, 0xC0):
            with contextlib.suppress(UnicodeDecodeError):
                starts.append(bytes([lead, trail]).decode(encoding))
    # The class comes first so that the engine skips ahead; the look-behind keeps runs whole.
    return re.compile(rf"[{regex_class(map(ord, ''.join(starts) + chr(0xFFFD)))}](?<![^\x00-\x7f].)[^\x00-\x7f]*")


def _redecode_runs(text: str, pattern: re.Pattern[str], redecode: Callable[[re.Match[str]], str | None]) -> str:
    def replace(match: re.Match[str]) -> str:
        run = match.group()
        fixed = redecode(match)
        return fixed if fixed is not None and _better(fixed, run) else run

    return pattern.sub(replace, text)


def _again_on_repaired_lines(text: str, fixed: str, pattern: re.Pattern[str],
                             redecode: Callable[[re.Match[str]], str | None]) -> str:
    """``fixed`` (``text`` after a first pass) with a second, looser pass of ``redecode`` over the lines the
    first pass changed: a line that has shown one kind of mojibake holds shorter runs of it too."""
    if fixed == text:
        return text
    return "\n".join(_redecode_runs(new, pattern, redecode) if new != old else new
                     for old, new in zip(text.split("\n"), fixed.split("\n"), strict=True))


def _context(match: re.Match[str]) -> dict[str, Any]:
    """The text around a run, as :func:`fill_lost_bytes` takes it."""
    text, end = match.string, match.end()
    after = text[end : end + 3]
    while not after.isascii():
        after = after[:-1]
    start = match.start()
    line_start = max(text.rfind("\n", 0, start) + 1, start - 1000)
    return {"before": text[line_start:start], "after": after,
            "text_ends": end + len(after) == len(text)}


_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def _utf8_from_gbk(match: re.Match[str], *, gb18030: bool) -> str | None:
    """The UTF-8 text whose bytes a GBK/GB18030 decoder showed as the run, lost bytes filled in;
    ``gb18030``: the text shows it was GB18030 (private-use characters)."""
    run = match.group()
    try:
        parts = encode_with_lost_bytes(run, "gb18030")
    except UnicodeEncodeError:
        return None
    if None not in parts:
        try:
            return b"".join(p for p in parts if p is not None).decode("utf-8")
        except UnicodeDecodeError:
            return None
    lost, codecs = (lost_by_gb18030, ("gb18030",)) if gb18030 else (lost_by_gbk, ("gbk", "gb18030"))
    context = _context(match)
    fixed = fill_lost_bytes(parts, lost, **context)
    if fixed is None:
        return None
    # Lost bytes were checked against the bytes after them one at a time; check the whole: the decoder
    # must show the repaired text exactly as the run.
    # When fewer than three bytes after the run are known, a GB18030 four-byte form (lead, digit, lead,
    # digit) may reach past them and show as one U+FFFD here: then the run's own part is compared.
    after = context["after"]
    data = fixed.encode("utf-8") + after.encode("ascii")
    known = len(after) == 3 or context["text_ends"]
    for codec in codecs:
        decoded = data.decode(codec, "replace")
        if decoded == run + after or (not known and decoded.startswith(run)):
            return fixed
    return None


def decode_utf8_read_as_gbk(text: str) -> str:
    """Re-decode runs that are UTF-8 bytes shown through GBK/GB18030.

    Why: a UTF-8 page read as GBK (a wrong charset header, a Windows tool) turns every two Chinese
    characters into three odd ones. The bytes are all still there, except that an odd byte at the end of
    a run is replaced by U+FFFD: that byte is guessed from the plausibility of the result.

    >>> decode_utf8_read_as_gbk("浣犲ソ涓栫晫")
    '你好世界'
    >>> decode_utf8_read_as_gbk("鎴戜滑鐨勪腑鏂囥��")
    '我们的中文。'
    >>> decode_utf8_read_as_gbk("浣溪沙")
    '浣溪沙'
    """
    # GB18030 shows GBK's user-defined rows as private-use characters where GBK loses a byte: one such
    # character anywhere in the text tells which decoder it was, and so which bytes it can have lost.
    gb18030 = _PRIVATE_USE.search(text) is not None
    return _redecode_runs(text, _runs_that_may_be_utf8("gb18030"),
                          lambda match: _utf8_from_gbk(match, gb18030=gb18030))


def decode_utf8_read_as_big5(text: str) -> str:
    """Re-decode runs that are UTF-8 bytes shown through Big5.

    Why: the same accident on a Traditional-Chinese system. Big5 has no characters for many UTF-8 byte
    pairs, so most such text has lost bytes for good; only runs that survived whole are repaired.

    >>> decode_utf8_read_as_big5("雿末末")
    '雿末末'
    >>> decode_utf8_read_as_big5("銝剜��")  # lost bytes: left for the residue fix and the filter
    '銝剜��'
    """

    def redecode(match: re.Match[str]) -> str | None:
        run = match.group()
        if "\ufffd" in run:
            return None
        try:
            return run.encode("big5").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return None

    return _redecode_runs(text, _runs_that_may_be_utf8("big5"), redecode)


# A run of Latin-1/cp1252 signs; an ASCII letter or sign right after one may be a GBK/Big5 trail byte.
_LATIN1_RUN = re.compile(
    rf"[{_LATIN1_RUN_CHARS}](?:[{_LATIN1_RUN_CHARS}\ufffd]|(?<=[{_LATIN1_RUN_CHARS}])[\x40-\x7e]"
    rf"| (?=[{_LATIN1_RUN_CHARS}\ufffd]))+"
)


def _sloppy_cp1252_bytes(run: str, *, min_high: int = 2) -> bytes | None:
    # A run of no-break spaces, dashes and curly quotes is punctuation, not mojibake: it takes at least
    # two Latin-1 letters or signs to try a re-decoding.
    if sum("\xa1" <= ch <= "\xff" for ch in run) < min_high:
        return None
    out = bytearray()
    if "\ufffd" in run:
        return None
    for ch in run:
        o = ord(ch)
        if o < 0x100:
            out.append(o)
        else:
            try:
                out += ch.encode("cp1252")
            except UnicodeEncodeError:
                return None
    return bytes(out)


def decode_utf8_read_as_latin1(text: str) -> str:
    """Re-decode runs that are UTF-8 bytes shown through Latin-1 or Windows-1252.

    Why: the commonest mojibake on the web. Each Chinese character becomes three Latin-1 signs; the
    byte 0xA0 (a no-break space) often reaches us as a plain space, so spaces inside a run are tried as
    0xA0 when the run does not decode otherwise.

    >>> decode_utf8_read_as_latin1("ä½ å¥½ï¼Œä¸–ç•Œ")
    '你好，世界'
    >>> decode_utf8_read_as_latin1("Ã—2 Müller")
    'Ã—2 Müller'
    """

    def redecode(match: re.Match[str]) -> str | None:
        run = match.group()
        pieces = [_sloppy_cp1252_bytes(piece, min_high=0) for piece in run.split("\ufffd")]
        # (A lost byte counts as a sign: "ã€\ufffd" is 、 between two digits.)
        if any(piece is None for piece in pieces) or sum("\xa1" <= ch <= "\xff" or ch == "\ufffd" for ch in run) < 2:
            return None
        for nbsp in (False, True):
            chunks = [piece.replace(b" ", b"\xa0") if nbsp else piece for piece in pieces]  # type: ignore[union-attr]
            if len(chunks) == 1:
                try:
                    decoded = chunks[0].decode("utf-8")
                except UnicodeDecodeError:
                    continue
            else:
                parts: list[bytes | None] = [chunks[0]]
                for chunk in chunks[1:]:
                    parts += [None, chunk]
                filled = fill_lost_bytes(parts, lost_by_cp1252, **_context(match))
                if filled is None:
                    continue
                decoded = filled
            if any(is_cjk(ch) or 0x3000 <= ord(ch) <= 0x303F or 0xFF00 <= ord(ch) <= 0xFFEF for ch in decoded):
                return decoded
            return None
        return None

    return _redecode_runs(text, _LATIN1_RUN, redecode)


def decode_gbk_read_as_latin1(text: str) -> str:
    """Re-decode runs that are GBK/GB18030 or Big5 bytes shown through Latin-1 or Windows-1252.

    Why: a GBK page decoded as ISO-8859-1 (the HTTP default) turns every Chinese character into two
    accented Latin letters. The codec whose result is most plausible wins (GB18030 first, then Big5).

    >>> decode_gbk_read_as_latin1("ÄãºÃ£¬ÊÀ½ç")
    '你好，世界'
    >>> decode_gbk_read_as_latin1("Ærøskøbing")
    'Ærøskøbing'
    """

    def redecode(match: re.Match[str], min_high: int = 2) -> str | None:
        data = _sloppy_cp1252_bytes(match.group(), min_high=min_high)
        if data is None:
            return None
        try:
            data.decode("utf-8")
            return None  # valid UTF-8: Latin-script mojibake, ftfy's case
        except UnicodeDecodeError:
            pass
        best, best_cost = None, float("inf")
        for encoding in ("gb18030", "big5"):
            try:
                decoded = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            cost = text_cost(decoded)
            if cost < best_cost:
                best, best_cost = decoded, cost
        return best

    # Once a line has shown it is GBK/Big5 read as Latin-1, a one-character run ("¥D" for 主) is too.
    return _again_on_repaired_lines(text, _redecode_runs(text, _LATIN1_RUN, redecode), _LATIN1_RUN,
                                    lambda match: redecode(match, 1))


# A run of Cyrillic code pages' signs (an ASCII letter or sign right after one may be a GBK/Big5 trail
# byte), and how plausible its re-decoding must be: Cyrillic read as GBK is text too (Москва is 填耜忄, cost
# 6.0), so the repair must read as Chinese on its own (real sentences cost 1.5-3), not merely beat the
# Cyrillic (9).
_CYRILLIC_RUN = re.compile(
    rf"[{_CYRILLIC_HIGH}](?:[{_CYRILLIC_HIGH}]|(?<=[{_CYRILLIC_HIGH}])[\x40-\x7e]| (?=[{_CYRILLIC_HIGH}]))+"
)
_CYRILLIC_LETTER = re.compile(f"[{_CYRILLIC}]")
# Words as Russian writes them: lower case, a capital first, or all capitals (an acronym). Mojibake mixes the
# cases at random ("ФњЕФЮЛжУЃК"), so a run of such words is taken for Russian, not repaired on its own.
_CYRILLIC_WORD = r"(?:[А-ЯЁ]?[а-яё]+|[А-ЯЁ]+)"
_CYRILLIC_WORDS = re.compile(rf"{_CYRILLIC_WORD}(?:[\s,.«»—\-]+{_CYRILLIC_WORD})*")
MAX_CYRILLIC_REPAIR_COST = 3.5


def _decode_with_soft_hyphens(data: bytes, encoding: str, *, max_lost: int = 16) -> str | None:
    """``data`` decoded, or None; where a double-byte character breaks off, a 0xAD byte is put back (at most
    ``max_lost`` times). Why: 0xAD is a soft hyphen in the Cyrillic code pages (and Latin-1), which
    extractors drop as invisible; GBK uses it as a trail byte (原 D4 AD, 经 BE AD), so those characters
    come through with a byte missing and nothing in its place. The decoder notices only where the bytes
    stop pairing up, which can be a character or two after the loss: each of the last few positions is
    tried, and the most plausible reading wins.

    >>> _decode_with_soft_hyphens("硕士学位证书原件，函报暂交复印件".encode("gbk").replace(b"\\xad", b""), "gbk")
    '硕士学位证书原件，函报暂交复印件'
    """
    for lost in range(max_lost + 1):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as error:
            at = error.start
        if lost == max_lost:
            return None
        best, best_cost = None, float("inf")
        for lead in range(max(0, at - 6), at + 1):
            if data[lead] < 0x81 or data[lead + 1:lead + 2] == b"\xad":
                continue
            candidate = data[:lead + 1] + b"\xad" + data[lead + 1:]
            cost = text_cost(candidate.decode(encoding, errors="replace"))
            if cost < best_cost:
                best, best_cost = candidate, cost
        if best is None:
            return None
        data = best
    return None


def decode_gbk_read_as_cyrillic(text: str) -> str:
    """Re-decode runs that are GBK/GB18030 or Big5 bytes shown through a Cyrillic code page (Windows-1251,
    ISO-8859-5, KOI8-R, Mac Cyrillic).

    Why: a GBK page without a declared charset, given to a charset detector, is often taken for
    Cyrillic (trafilatura's text of such a page in the development set came as ISO-8859-5), and every
    Chinese character becomes two Cyrillic letters or signs. The code page and codec whose result is
    most plausible win. A run is repaired when its re-decoding reads as Chinese: at least four characters
    (two, on a line that has shown this mojibake already) of a plausibility cost no higher than real
    sentences', which Russian words read as GBK do not reach; on a line repaired so, any run that reads
    better re-decoded.

    >>> decode_gbk_read_as_cyrillic("ДгєГЈ¬КАЅзЎЈОТГЗµДЦРОД")
    '你好，世界。我们的中文'
    >>> decode_gbk_read_as_cyrillic("Москва — столица России")
    'Москва — столица России'
    """
    used: set[tuple[str, str]] = set()  # the code page and codec of each run the first pass re-decoded

    def redecode(match: re.Match[str], min_chars: int = 4, max_cost: float = MAX_CYRILLIC_REPAIR_COST,
                 min_letters: int = 2, max_lost: int = 0,
                 pairs: tuple[tuple[str, str], ...] = _CYRILLIC_PAIRS) -> str | None:
        run = match.group()
        if min_letters and (len(_CYRILLIC_LETTER.findall(run)) < min_letters
                            or _CYRILLIC_WORDS.fullmatch(run.strip())):
            return None
        best, best_cost, best_pair = None, max_cost, None
        for codepage, encoding in pairs:
            try:
                data = run.encode(codepage)
            except UnicodeEncodeError:
                continue
            decoded = _decode_with_soft_hyphens(data, encoding, max_lost=max_lost)
            if decoded is None:
                continue
            cost = text_cost(decoded)
            if len(decoded) >= min_chars and cost <= best_cost:
                best, best_cost, best_pair = decoded, cost, (codepage, encoding)
        if best_pair is not None and pairs is _CYRILLIC_PAIRS:
            used.add(best_pair)
        return best

    fixed = _redecode_runs(text, _CYRILLIC_RUN, redecode)
    # A line that has shown it is GBK read as Cyrillic has short runs too (a menu: "ЪзвГ|веЪѕ" for 首页|艺术,
    # a name) and runs that lost a soft hyphen: there a run need only read better than it did, as in the
    # other fixes (on their own, "КНР КНР" read with a byte put back would pass for Chinese), and only as the
    # document's long runs were read (a short run can read better through another code page, wrongly).
    proven = tuple(pair for pair in _CYRILLIC_PAIRS if pair in used)
    return _again_on_repaired_lines(
        text, fixed, _CYRILLIC_RUN,
        lambda match: redecode(match, min_chars=1, max_cost=float("inf"), min_letters=0, max_lost=16, pairs=proven))


_LATIN_MOJIBAKE = re.compile(rf"[\xc2-\xf4][{_LATIN1_RUN_CHARS}]")


def fix_latin_mojibake(text: str) -> str:
    """Latin-script mojibake (cafÃ©, â€™) through ftfy, on the lines that show its signature only.

    Why: ftfy knows Latin-script mojibake better than we could; but with its defaults it turns
    "，！？" into ASCII and straightens quotes in every Chinese document, so width folding, quote
    uncurling and the other normalisations are off, and clean lines never reach it.

    >>> fix_latin_mojibake("巴黎cafÃ© 的“咖啡”，很好")
    '巴黎café 的“咖啡”，很好'
    """
    if _LATIN_MOJIBAKE.search(text) is None:
        return text
    import ftfy

    config = ftfy.TextFixerConfig(
        unescape_html=False, remove_terminal_escapes=False, fix_latin_ligatures=False,
        fix_character_width=False, uncurl_quotes=False, fix_line_breaks=False,
        fix_surrogates=False, remove_control_chars=False, normalization=None, explain=False,
    )
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if _LATIN_MOJIBAKE.search(line):
            lines[i] = ftfy.fix_text(line, config)
    return "\n".join(lines)


# --- class 3: replacement residue ----------------------------------------------------------------------

# (Each branch starts with its literal character, so that the engine skips ahead to them.)
_RESIDUE = re.compile(r"\ufffd\ufffd*|锟斤拷(?:锟斤拷)*锟?|烫烫烫+|屯屯屯+")


def remove_replacement_residue(text: str, cuts: list[str] | None = None) -> str:
    """Cut U+FFFD runs and the classic residues of replacement characters.

    Why: "锟斤拷" is U+FFFD's UTF-8 bytes read as GBK; "烫烫烫" and "屯屯屯" are MSVC's fill bytes for
    uninitialised memory read as GBK. The characters they stood for are gone; what is left is noise.
    Cut pieces are appended to ``cuts`` (for receipts and the loss count).

    >>> cuts = []
    >>> remove_replacement_residue("锟斤拷锟斤拷中文��", cuts), cuts
    ('中文', ['锟斤拷锟斤拷', '��'])
    >>> remove_replacement_residue("烫伤了")
    '烫伤了'
    """

    def cut(match: re.Match[str]) -> str:
        if cuts is not None:
            cuts.append(match.group())
        return ""

    return _RESIDUE.sub(cut, text)


# --- class 4: glued pinyin -----------------------------------------------------------------------------

# One Mandarin syllable (initial, vowel nucleus, coda) carrying a tone mark.
_SYLLABLE = rf"(?=[a-zü]*[{_TONED}])(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?[aeiouü{_TONED}]{{1,3}}(?:ng|n|r)?"
# (The "(" comes first, the character before it in a look-behind: the engine skips ahead to "(".)
_GLUED_PINYIN = re.compile(rf"\((?<=[{_CJK_CLASS}]\(){_SYLLABLE}\)")


def remove_glued_pinyin(text: str) -> str:
    """Remove one-syllable pinyin glued in ASCII parentheses after a converted Traditional character.

    Why: a broken Simplified->Traditional converter annotates each character it converted with its
    reading: 協(xié)作. Real annotations in prose read a word, not a character converted by a tool, so
    only a single toned syllable right after a character that has a distinct Simplified form goes.

    >>> remove_glued_pinyin("東西部協(xié)作協(xié)議")
    '東西部協作協議'
    >>> remove_glued_pinyin("长城(Chángchéng)和协(xié)字")
    '长城(Chángchéng)和协(xié)字'
    """
    if "(" not in text:
        return text
    from corpusclean.text.script import has_other_simplified_form

    def replace(match: re.Match[str]) -> str:
        return "" if has_other_simplified_form(match.string[match.start() - 1]) else match.group()

    return _GLUED_PINYIN.sub(replace, text)


# --- class 5: byte-shifted double-byte runs ------------------------------------------------------------

# "?" (a lead byte and "(" eaten together), the syllable, ")", then the orphaned trail byte and the
# characters shifted by one byte up to the next ASCII byte that resynchronises the stream.
_SHIFTED = re.compile(
    rf"(?P<prev>[{_CJK_CLASS}])[?\ufffd]\(?{_SYLLABLE}\)(?P<run>[\x40-\x7e]|[^\x00-\x7f]+[\x40-\x7e]?)"
)


_SHIFTED_START = re.compile(rf"[?\ufffd]\(?[a-zü]*[{_TONED}]")


def realign_shifted_double_bytes(text: str, cuts: list[str] | None = None) -> str:
    """Restore a GBK run shifted by a lost byte, or cut it when no realignment is plausible.

    Why: a converter that inserts "(pinyin)" in the middle of a two-byte character splits it: the lead
    byte and "(" decode as "?", and every following character is read one byte off until an ASCII byte
    resynchronises ("當?shù)厝罕娋蜆I" is "當地群眾就業"). The lost byte is chosen as the one whose
    realigned text is most plausible; if none is clearly better, the garbage is cut (into ``cuts``).

    >>> realign_shifted_double_bytes("拓寬當?shù)厝罕娋蜆I渠道")
    '拓寬當地群眾就業渠道'
    >>> realign_shifted_double_bytes("深入對接?xùn)|西部")
    '深入對接東西部'
    """

    if _SHIFTED_START.search(text) is None:  # what every match starts with; rare, and a fast scan
        return text

    def replace(match: re.Match[str]) -> str:
        prev, run = match.group("prev"), match.group("run")
        garbage = match.group()[1:]
        after = match.string[match.end() : match.end() + 3]
        try:
            data = run.encode("gbk")
        except UnicodeEncodeError:
            data = None
        best, best_cost = None, float("inf")
        if data is not None:
            for lead in range(0x81, 0xFF):
                for tail in (data, data[:-1]) if run[-1].isascii() and len(run) > 1 else (data,):
                    try:
                        decoded = (bytes([lead]) + tail).decode("gbk")
                    except UnicodeDecodeError:
                        continue
                    if tail is not data:
                        decoded += run[-1]
                    cost = text_cost(prev + decoded + after)
                    if cost < best_cost:
                        best, best_cost = decoded, cost
        if best is not None and best_cost <= text_cost(prev + garbage + after) - MIN_GAIN:
            return prev + best
        if cuts is not None:
            cuts.append(garbage)
        return prev

    return _SHIFTED.sub(replace, text)


# --- the loop ------------------------------------------------------------------------------------------

# GBK read as Cyrillic goes first: its runs hold Latin-1 signs too (° » · §), which the Latin-1 fixes
# would take for their own runs; it runs only on text with Cyrillic letters.
FIXES: tuple[Callable[..., str], ...] = (
    decode_gbk_read_as_cyrillic,
    decode_utf8_read_as_latin1,
    decode_gbk_read_as_latin1,
    fix_latin_mojibake,
    decode_utf8_read_as_gbk,
    decode_utf8_read_as_big5,
    realign_shifted_double_bytes,
    remove_glued_pinyin,
    remove_replacement_residue,
)
_CUTTING = {realign_shifted_double_bytes, remove_replacement_residue}

# Characters without which a fix's pattern cannot match, so that the fix would return its text as it is:
# Latin-1 letters and signs A1-FF or U+FFFD (the Latin-1 fixes re-decode runs with two of them), pinyin's
# toned vowels (glued pinyin, shifted runs), the residue's U+FFFD, 锟, 烫, 屯. Clean text that trips the
# gate (a word like 浏览器 before ASCII, say) holds none of them as a rule: one look at its characters
# then spares six regex scans of the whole text.
_LATIN1_SIGNS, _TONED_VOWELS, _RESIDUE_SIGNS, _CYRILLIC_SIGNS = 1, 2, 4, 8
_NEEDS: dict[Callable[..., str], int] = {
    decode_utf8_read_as_latin1: _LATIN1_SIGNS, decode_gbk_read_as_latin1: _LATIN1_SIGNS,
    fix_latin_mojibake: _LATIN1_SIGNS, realign_shifted_double_bytes: _TONED_VOWELS,
    remove_glued_pinyin: _TONED_VOWELS, remove_replacement_residue: _RESIDUE_SIGNS,
    decode_gbk_read_as_cyrillic: _CYRILLIC_SIGNS,
}


@functools.cache
def _fix_sign_table() -> Any:
    table = np.zeros(0x10000, dtype=np.uint8)  # (astral characters, clipped to U+FFFF, are none of them)
    table[0xA1:0x100] |= _LATIN1_SIGNS
    table[0xFFFD] |= _LATIN1_SIGNS | _RESIDUE_SIGNS
    table[[ord(ch) for ch in _TONED]] |= _TONED_VOWELS
    table[[ord(ch) for ch in "锟烫屯"]] |= _RESIDUE_SIGNS
    table[_CYRILLIC_LETTERS] |= _CYRILLIC_SIGNS
    return table


def _fix_signs(text: str) -> int:
    """Which of the characters in ``_NEEDS`` the text holds (all, for short text: its scans are cheap).

    >>> _fix_signs("浏览器." * 200) == 0, _fix_signs("協(xǐ)作" * 200) == _TONED_VOWELS
    (True, True)
    """
    if len(text) < NUMPY_MIN_CHARS:
        return _LATIN1_SIGNS | _TONED_VOWELS | _RESIDUE_SIGNS | _CYRILLIC_SIGNS
    return int(np.bitwise_or.reduce(np.take(_fix_sign_table(), code_points(text), mode="clip")))


def fix_mojibake(text: str, *, max_passes: int = 3, cuts: list[tuple[str, str]] | None = None,
                 broken: bool | None = None, signs: int | None = None) -> tuple[str, list[str]]:
    """Apply every fix until the text stops changing; return the text and the names of the steps taken.
    Text cut as unrecoverable is appended to ``cuts`` as (fix name, text). ``broken`` and ``signs``:
    :func:`looks_broken` and :func:`_fix_signs` of ``text`` when the caller measured them already (a chunk's
    documents at once, :func:`corpusclean.stages.mojibake.scan_chunk`); None: measured here.

    >>> fix_mojibake("當(dāng)?shù)厝罕娋蜆I(yè)渠道")
    ('當地群眾就業渠道', ['remove_glued_pinyin', 'realign_shifted_double_bytes', 'remove_glued_pinyin'])
    >>> fix_mojibake("深圳开始对口帮扶毕节。")
    ('深圳开始对口帮扶毕节。', [])
    """
    steps: list[str] = []
    for _ in range(max_passes):
        if not (looks_broken(text) if broken is None else broken):
            break
        changed, broken = False, None
        for fix in FIXES:
            needs = _NEEDS.get(fix)
            if needs is not None:
                if signs is None:
                    signs = _fix_signs(text)
                if not signs & needs:
                    continue
            if fix in _CUTTING:
                cut: list[str] = []
                fixed = fix(text, cut)
                if cuts is not None:
                    cuts.extend((fix.__name__, piece) for piece in cut)
            else:
                fixed = fix(text)
            if fixed != text:
                steps.append(fix.__name__)
                text, changed, signs = fixed, True, None
        if not changed:
            break
    return text, steps


def mojibake_share(text: str, *, min_run: int = 3) -> float:
    """Share of characters that still look like mojibake: U+FFFD, and runs of at least ``min_run``
    characters that cost as much as mojibake does (the measure behind the ``mojibake_filter`` stage).

    >>> mojibake_share("深圳开始对口帮扶毕节。")
    0.0
    >>> mojibake_share("雿�憟賭�����嚗����隞�") > 0.5
    True
    """
    if not text or not looks_broken(text):
        return 0.0
    bad = text.count("\ufffd")
    for match in _expensive_runs(min_run).finditer(text):
        run = match.group()
        if max(run) <= "\uffff":
            bad += len(run)  # every BMP character in the class costs that much
        else:  # astral characters are in the class to be measured one by one
            bad += _expensive_streaks(run, min_run)
    return bad / len(text)


def _expensive_streaks(run: str, min_run: int) -> int:
    from corpusclean.text.plausibility import char_cost

    bad = streak = 0
    for ch in run + "\x00":
        if ch != "\ufffd" and ch != "\x00" and char_cost(ch) >= _MOJIBAKE_CHAR_COST:
            streak += 1
            continue
        if streak >= min_run:
            bad += streak
        streak = 0
    return bad


@functools.cache
def _expensive_runs(min_run: int) -> re.Pattern[str]:
    """Runs of ``min_run`` or more non-ASCII characters other than U+FFFD that cost at least
    ``_MOJIBAKE_CHAR_COST`` (BMP: see :func:`_expensive_bmp`), or are astral (measured per run)."""
    return re.compile(f"[{_expensive_bmp()}\\U00010000-\\U0010ffff]{{{min_run},}}")


def _expensive_bmp() -> str:
    """The regex class of the BMP characters :func:`_expensive_runs` counts. Measuring them costs 0.35 s
    (the character costs are loaded, then asked 65,408 times), so it is done once per machine and kept
    by :mod:`corpusclean.text.table_cache`, keyed by this module's source and everything the costs come from."""
    from corpusclean.text import plausibility

    return table_cache.load_or_build(
        "mojibake", _measure_expensive_bmp, version=1,
        sources=("corpusclean.text.mojibake", *plausibility.TABLE_SOURCES), inputs=plausibility.table_inputs())


def _measure_expensive_bmp() -> str:
    from corpusclean.text.plausibility import char_cost

    expensive = "".join(chr(cp) for cp in range(0x80, 0x10000)
                        if cp != 0xFFFD and char_cost(chr(cp)) >= _MOJIBAKE_CHAR_COST)
    return regex_class(map(ord, expensive))


# Characters costing at least this (rarer than ~1 in 300,000 characters of Chinese) count towards
# residual mojibake when they come in runs.
_MOJIBAKE_CHAR_COST = 5.5
