"""Turn the bytes of a page or text file into text, detecting the legacy encodings of Chinese sites."""

from __future__ import annotations

import codecs
import re

_DECLARED = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "big5-hkscs": "big5hkscs"}


class UndecodableError(ValueError):
    """The bytes are not text in any encoding corpusclean recognises."""


def canonical(name: str) -> str | None:
    """Python codec name for a declared charset, widening GB2312/GBK to their superset GB18030.

    >>> canonical("GB2312"), canonical("UTF-8"), canonical("nonsense")
    ('gb18030', 'utf-8', None)
    """
    name = _ALIASES.get(name.lower(), name.lower())
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a ``<meta>`` tag within its first 4 KB, if any."""
    match = _DECLARED.search(data[:4096])
    return canonical(match.group(1).decode("ascii")) if match else None


def _common_share(text: str, codec: str, lead_lo: int, lead_hi: int) -> float:
    """Share of the CJK characters in ``text`` that are among the common characters of ``codec``
    (GB2312 level 1 or Big5's frequent set): right decodings score high, cross-decoded garbage low."""
    cjk = [c for c in text[:4000] if "\u4e00" <= c <= "\u9fff"]
    if not cjk:
        return 0.0
    hits = 0
    for c in cjk:
        try:
            if lead_lo <= c.encode(codec)[0] <= lead_hi:
                hits += 1
        except UnicodeEncodeError:
            pass
    return hits / len(cjk)


def _plausibility(text: str, encoding: str) -> float:
    if encoding == "big5":
        return _common_share(text, "big5", 0xA4, 0xC6)
    return _common_share(text, "gb2312", 0xB0, 0xD7)


def decode_bytes(data: bytes, declared: str | None = None, *, max_error_rate: float = 0.01) -> tuple[str, str]:
    """Decode ``data``; returns ``(text, encoding)``.

    Valid UTF-8 wins; otherwise GB18030 and Big5 (and a declared charset) are tried, the one with fewest
    undecodable bytes wins, and a tie between the Chinese codecs goes to the one whose characters are the
    common ones of its own character set (Big5 bytes decode as GBK without error, but as rare characters).
    Up to ``max_error_rate`` undecodable characters are replaced by U+FFFD; beyond that
    :class:`UndecodableError` is raised.

    >>> decode_bytes("你好，世界。今天天气很好".encode("gbk"))
    ('你好，世界。今天天气很好', 'gb18030')
    >>> decode_bytes("你好，世界。今天天氣很好".encode("big5"))
    ('你好，世界。今天天氣很好', 'big5')
    >>> decode_bytes(bytes([0xEF, 0xBB, 0xBF]) + b"hello")
    ('hello', 'utf-8')
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    candidates = ["gb18030", "big5"]
    if declared and declared not in candidates and declared not in ("utf-8", "utf-16"):
        candidates.insert(0, declared)
    scored = []
    for encoding in candidates:
        try:
            text = data.decode(encoding, errors="replace")
        except LookupError:
            continue
        errors = text.count("\ufffd")
        scored.append((errors, -_plausibility(text, encoding), encoding, text))
    if not scored:
        raise UndecodableError("not valid text in UTF-8, GB18030 or Big5")
    errors, _, encoding, text = min(scored)
    if errors > max_error_rate * max(len(text), 1):
        raise UndecodableError(f"not valid text in UTF-8, GB18030 or Big5 ({errors} undecodable bytes)")
    return text, encoding
