"""Document quality signals for Chinese text: pure measurements, no decisions.

The quality filter stages (``length``, ``language``, ``repetition``, ``structure``, ``composition``,
``spam``) call these functions and compare the results with thresholds from the recipe;
``corpusclean stats`` calls the same functions to print their distributions over a corpus, so the
thresholds a user picks are measured with exactly the code that applies them.

Everything is designed for Chinese rather than translated from English filters:

* CJK ideographs are letters, never "special characters"; full-width punctuation is punctuation.
* Repetition works on characters (Chinese has no spaces to split words on): the Gopher/FineWeb word
  n-gram measures are computed over the sequence of non-space, non-punctuation characters.
* Sentence ends include 。！？…；： and lines that close with a quote or bracket after them.
* Line-based measures are weighted by characters, so a long article followed by a short list of
  links is judged mostly by the article (the list is the boilerplate stages' job).

Character classes are looked up in one table over the code points (numpy), so all ratios of a document
cost one pass.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

# Character classes, one per code point (see _class_table).
SPACE, CJK, LATIN, DIGIT, LETTER, PUNCT, SYMBOL, OTHER = range(8)
CLASS_NAMES = ("space", "cjk", "latin", "digit", "other_letter", "punct", "symbol", "other")

# CJK ideograph ranges, the same as corpusclean.stages.min_length.count_cjk.
_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F))
_LATIN_RANGES = ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F), (0x1E00, 0x1EFF), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))

# A line "ends a sentence" if, after closing quotes and brackets, it ends with one of these.
SENTENCE_END = frozenset("。．.！!？?…；;：:～~")
CLOSERS = "”’\"'」』）)】》〉］]｝}"

# A bracketed note closing a paragraph: "。（马艳）", "。(新华社记者王新庆摄)".
_TRAILING_NOTE = re.compile(r"[(（][^()（）]{1,30}[)）]$")

# Line openers that make a line a list item: bullets, "1." "1、" "(1)" "（一）" "一、" "①" "第一，".
_LIST_ITEM = re.compile(
    r"^\s*(?:[•·●○◦■□▪▫◆◇★☆►▶▸▹‣⁃※→√\-*+]"
    r"|[0-9０-９]{1,3}\s*[.、．)）:：]"
    r"|[(（][0-9０-９一二三四五六七八九十]{1,3}[)）]"
    r"|[一二三四五六七八九十]{1,3}\s*、"
    r"|[①-⑳⑴-⒇⒈-⒛㈠-㈩])"
)

# Masking residue: runs of three or more mask characters (censored words, hidden phone numbers).
_MASK_CHARS = "*＊×xX□■○●"
_MASK = re.compile(r"[*＊×xX□■○●](?: ?[*＊×xX□■○●]){2,}")
# Mojibake residue cheap enough to compute everywhere: replacement characters and the classic
# "锟斤拷"/"烫烫烫"/"屯屯屯" strings left by decoding U+FFFD or uninitialised memory as GBK.
_MOJIBAKE = re.compile(r"\ufffd+|(?:锟斤拷)+|(?:烫){3,}|(?:屯){3,}")


@functools.cache
def _class_table() -> np.ndarray:
    """Class of every code point, built once per process (about 0.1 s)."""
    table = np.full(0x110000, LETTER, dtype=np.uint8)
    for cp in range(0x10000):
        cat = unicodedata.category(chr(cp))
        if cat[0] == "L":
            continue
        if chr(cp).isspace():
            table[cp] = SPACE
        elif cat == "Nd":
            table[cp] = DIGIT
        elif cat[0] == "N":
            table[cp] = SYMBOL  # ① Ⅻ ½: numbering and fractions, not running digits
        elif cat[0] == "P":
            table[cp] = PUNCT
        elif cat[0] == "S":
            table[cp] = SYMBOL
        elif cat[0] == "M":
            table[cp] = LETTER  # combining marks belong to the letter they modify
        else:
            table[cp] = OTHER  # controls, format characters, private use, surrogates, unassigned
    table[0x1F000:0x1FB00] = SYMBOL  # emoji and pictographs
    table[0xE0000:] = OTHER  # tags, variation selectors supplement, private use planes
    for lo, hi in _LATIN_RANGES:
        table[lo : hi + 1] = LATIN
    table[0xD7] = SYMBOL  # ×
    table[0xF7] = SYMBOL  # ÷
    for lo, hi in _CJK_RANGES:
        table[lo : hi + 1] = CJK
    table[0xFFFD] = OTHER
    return table


def codepoints(text: str) -> np.ndarray:
    """The code points of ``text`` as a numpy array (no copy of the characters beyond one encode)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def char_classes(text: str) -> np.ndarray:
    """Class id (``SPACE`` ... ``OTHER``) of each character of ``text``."""
    return _class_table()[codepoints(text)]


def class_counts(text: str) -> dict[str, int]:
    """How many characters of each class ``text`` has.

    >>> class_counts("深圳 2020 年GDP增长，")
    {'space': 2, 'cjk': 5, 'latin': 3, 'digit': 4, 'other_letter': 0, 'punct': 1, 'symbol': 0, 'other': 0}
    """
    counts = np.bincount(char_classes(text), minlength=len(CLASS_NAMES))
    return dict(zip(CLASS_NAMES, (int(c) for c in counts), strict=True))


def composition(text: str) -> dict[str, float]:
    """Shares of the non-space characters: CJK among letters, and digits, Latin letters, symbols,
    masking residue and mojibake residue among all non-space characters.

    ``cjk_ratio`` is CJK ideographs over all letters (CJK + Latin + other scripts: kana, hangul,
    Cyrillic...), so Japanese with its kana and English score low while a Chinese text quoting a few
    English names stays near 1.

    >>> c = composition("深圳市GDP增长3%。")
    >>> round(c["cjk_ratio"], 2), round(c["latin_ratio"], 2), round(c["digit_ratio"], 2)
    (0.62, 0.27, 0.09)
    """
    counts = class_counts(text)
    chars = len(text) - counts["space"]
    letters = counts["cjk"] + counts["latin"] + counts["other_letter"]
    denominator = max(chars, 1)
    return {
        "cjk_ratio": counts["cjk"] / letters if letters else 0.0,
        "latin_ratio": counts["latin"] / denominator,
        "digit_ratio": counts["digit"] / denominator,
        "symbol_ratio": (counts["symbol"] + counts["other"]) / denominator,
        "mask_ratio": mask_chars(text) / denominator,
        "mojibake_ratio": mojibake_chars(text) / denominator,
    }


def mask_chars(text: str) -> int:
    """Characters in masking residue: runs of 3+ ``*``/``＊``/``×``/``□``... as left by censoring.

    >>> mask_chars("乘坐 CZ***74 航班，电话138****5678")
    7
    """
    if not any(c in text for c in _MASK_CHARS):
        return 0
    return sum(len(m.group().replace(" ", "")) for m in _MASK.finditer(text))


def mojibake_chars(text: str) -> int:
    """Characters in obvious mojibake residue: U+FFFD runs and 锟斤拷/烫烫烫/屯屯屯 strings.

    >>> mojibake_chars("锟斤拷锟斤拷正文\\ufffd")
    7
    """
    if "\ufffd" not in text and "锟斤拷" not in text and "烫烫烫" not in text and "屯屯屯" not in text:
        return 0
    return sum(len(m.group()) for m in _MOJIBAKE.finditer(text))


def mojibake_ratio(text: str, meta: dict[str, Any] | None = None) -> float:
    """Share of the document lost to mojibake: residue still in ``text`` plus the characters the
    ``mojibake`` repair stage cut (``meta["mojibake"]["lost_chars"]``), over the characters there were.

    >>> round(mojibake_ratio("正文正文\ufffd", {"mojibake": {"lost_chars": 5}}), 2)
    0.6
    """
    lost = 0
    repair = (meta or {}).get("mojibake")
    if isinstance(repair, dict) and isinstance(repair.get("lost_chars"), int):
        lost = repair["lost_chars"]
    residue = mojibake_chars(text)
    return (residue + lost) / max(_nonspace_len(text) + lost, 1)


def ends_sentence(line: str) -> bool:
    """Whether ``line`` ends like a sentence, Chinese or Western punctuation alike.

    A closing attribution in brackets after the sentence end, as news paragraphs have, is looked past.

    >>> ends_sentence("他说：“我们一起努力。”"), ends_sentence("首页 新闻 体育"), ends_sentence("Done.")
    (True, False, True)
    >>> ends_sentence("该公司推出九八冰箱新系列。（马艳）"), ends_sentence("国泰民安（篆刻）")
    (True, False)
    """
    line = _TRAILING_NOTE.sub("", line.rstrip()).rstrip(CLOSERS)
    return bool(line) and line[-1] in SENTENCE_END


_SPACES = (" ", "\t", "\n", "\r", "\u3000", "\xa0")


def _nonspace_len(text: str) -> int:
    """Non-space characters of ``text`` (the common layout spaces; str.count runs in C)."""
    return len(text) - sum(text.count(space) for space in _SPACES) if text else 0


def line_structure(text: str, *, short_line_chars: int = 10) -> dict[str, float]:
    """Character-weighted line signals: the share of characters in lines that do not end a sentence,
    in lines shorter than ``short_line_chars`` non-space characters, and in list items.

    Hard-wrapped text (old BBS posts and essays break lines mid-sentence at a fixed width) is read as
    the paragraphs it is: a line at least 85% as long as the document's long lines (its 90th
    percentile, if that is 20+ characters) continues into the next one, and the joined lines count as
    ending a sentence if the last one does. Titles, menu items and links vary in length and do not join.
    Weighting by characters means a long article with a short headline scores low.

    >>> s = line_structure("首页\\n新闻\\n体育\\n财经")
    >>> s["no_end_punct_frac"], s["short_line_frac"]
    (1.0, 1.0)
    >>> wrapped = ("今天天气很好，我们一起去公园散步，看见湖边\\n"
    ...            "的柳树发了新芽，孩子们在草地上追逐嬉戏，老人\\n们坐在长椅上聊天。")
    >>> line_structure("标题\\n" + wrapped)["no_end_punct_frac"] < 0.2
    True
    """
    sizes = [(line, _nonspace_len(line)) for line in text.split("\n")]
    present = sorted(size for _, size in sizes if size)
    width = present[int(0.9 * (len(present) - 1))] if present else 0
    wrap_at = 0.85 * width if width >= 20 else float("inf")
    total = no_end = short = listed = 0
    lines = 0
    unit = 0  # characters of wrapped lines waiting for the line that ends their sentence
    for line, size in sizes:
        if not size:
            no_end += unit
            unit = 0
            continue
        lines += 1
        total += size
        if ends_sentence(line):
            unit = 0
        elif size >= wrap_at:
            unit += size
        else:
            no_end += unit + size
            unit = 0
        if size < short_line_chars:
            short += size
        if _LIST_ITEM.match(line):
            listed += size
    no_end += unit
    denominator = max(total, 1)
    return {
        "lines": lines,
        "no_end_punct_frac": no_end / denominator,
        "short_line_frac": short / denominator,
        "list_frac": listed / denominator,
    }


def _dup_fractions(items: Sequence[str]) -> tuple[float, float]:
    """Gopher's duplicate measures: share of items that repeat an earlier one, and share of characters
    in those repeats."""
    seen: set[str] = set()
    dup = dup_chars = total_chars = 0
    for item in items:
        total_chars += len(item)
        if item in seen:
            dup += 1
            dup_chars += len(item)
        else:
            seen.add(item)
    return (dup / len(items) if items else 0.0, dup_chars / total_chars if total_chars else 0.0)


def duplicate_lines(text: str) -> dict[str, float]:
    """Shares of lines and paragraphs (blank-line separated) that repeat an earlier one, and of the
    characters in them (Gopher's ``dup_line_frac``, ``dup_para_frac`` and their ``_char_`` forms).

    >>> d = duplicate_lines("毕节网\\n正文一。\\n毕节网\\n正文二。")
    >>> d["dup_line_frac"], round(d["dup_line_char_frac"], 2)
    (0.25, 0.21)
    """
    lines = [line.strip() for line in text.split("\n")]
    lines = [line for line in lines if line]
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text)]
    paragraphs = [p for p in paragraphs if p]
    dup_line, dup_line_chars = _dup_fractions(lines)
    dup_para, dup_para_chars = _dup_fractions(paragraphs)
    return {
        "dup_line_frac": dup_line,
        "dup_line_char_frac": dup_line_chars,
        "dup_para_frac": dup_para,
        "dup_para_char_frac": dup_para_chars,
    }


def content_codepoints(text: str) -> np.ndarray:
    """Code points of the characters that n-gram measures see: letters, digits and symbols (no spaces,
    no punctuation), as Gopher's word n-grams ignore spacing and punctuation."""
    cps = codepoints(text)
    classes = _class_table()[cps]
    keep = (classes != SPACE) & (classes != PUNCT)
    return cps[keep].astype(np.uint64)


# Odd 64-bit multiplier for the rolling polynomial hash; arithmetic wraps modulo 2**64 (deterministic).
_HASH_BASE = np.uint64(0x9E3779B97F4A7C15)


def ngram_repetition(text: str, *, top_ns: Iterable[int] = (2, 3, 4),
                     dup_ns: Iterable[int] = (5, 6, 7, 8, 9, 10)) -> dict[str, float]:
    """Gopher's n-gram repetition measures over characters instead of words.

    ``top_{n}gram_frac``: share of characters covered by the most frequent character n-gram
    (its count times n, over all content characters). ``dup_{n}gram_frac``: share of characters that
    lie inside any n-gram occurring more than once. N-grams are hashed with a rolling 64-bit polynomial
    hash and counted with numpy, so a 10,000-character page costs about a millisecond per n.

    >>> r = ngram_repetition("好好学习天天向上" * 8)
    >>> round(r["top_2gram_frac"], 2), r["dup_10gram_frac"]
    (0.25, 1.0)
    >>> ngram_repetition("天地玄黄宇宙洪荒日月盈昃辰宿列张")["dup_5gram_frac"]
    0.0
    """
    top_ns = sorted(set(top_ns))
    dup_ns = sorted(set(dup_ns))
    wanted = set(top_ns) | set(dup_ns)
    out: dict[str, float] = {f"top_{n}gram_frac": 0.0 for n in top_ns}
    out.update({f"dup_{n}gram_frac": 0.0 for n in dup_ns})
    cps = content_codepoints(text)
    total = len(cps)
    if not wanted or total == 0:
        return out
    hashes = cps.copy()
    with np.errstate(over="ignore"):
        for n in range(1, max(wanted) + 1):
            if n > 1:
                # h_n[i] = h_{n-1}[i] * B + c[i + n - 1]: one multiply-add per extra character.
                hashes = hashes[:-1] * _HASH_BASE + cps[n - 1 :]
            if n not in wanted or len(hashes) == 0:
                continue
            if n in dup_ns:
                order = np.argsort(hashes)
                ordered = hashes[order]
            else:
                ordered = np.sort(hashes)
            same = ordered[1:] == ordered[:-1]
            if n in top_ns:
                # Longest run of equal hashes = count of the most frequent n-gram.
                edges = np.flatnonzero(np.concatenate(([True], ~same, [True])))
                out[f"top_{n}gram_frac"] = min(1.0, float(np.diff(edges).max()) * n / total)
            if n in dup_ns and same.any():
                repeated = np.zeros(len(ordered), dtype=bool)
                repeated[1:] |= same
                repeated[:-1] |= same
                starts = order[repeated]
                cover = np.zeros(total + 1, dtype=np.int32)
                cover[starts] += 1  # starts are distinct positions, so plain fancy indexing adds correctly
                cover[starts + n] -= 1
                out[f"dup_{n}gram_frac"] = float(np.count_nonzero(np.cumsum(cover[:-1]))) / total
    return out


_PHRASE_SPLIT = re.compile(r"[\s\u3000，,。．.！!？?；;：:、|/\\·•—\-_()（）\[\]【】《》<>「」『』“”\"'‘’]+")


def repeated_phrases(text: str, *, min_repeats: int = 3, min_chars: int = 2) -> float:
    """Share of characters in phrases (runs between punctuation or spaces) that occur ``min_repeats``
    or more times: the signature of SEO keyword stuffing ("深圳劳务派遣 深圳劳务派遣公司 ...").

    Counts every occurrence beyond the first, over all non-space characters.

    >>> round(repeated_phrases("劳务派遣，劳务派遣，劳务派遣，正规公司"), 2)
    0.42
    >>> repeated_phrases("今天，我们去公园。明天，我们去学校。")
    0.0
    """
    phrases = [p for p in _PHRASE_SPLIT.split(text) if len(p) >= min_chars]
    if not phrases:
        return 0.0
    counts = Counter(phrases)
    repeated = sum(len(p) * (c - 1) for p, c in counts.items() if c >= min_repeats)
    return min(1.0, repeated / max(_nonspace_len(text), 1))


# --- spam keywords -----------------------------------------------------------------------------------------

class KeywordPack:
    """A spam keyword pack (``rules/quality/spam_keywords.toml`` or a user's file of the same schema).

    Keywords are matched with one Aho-Corasick automaton (ahocorasick-rs) on the Simplified, lower-cased
    view of the text, so the cost does not grow with the number of keywords and Traditional spam matches
    too. The automaton is rebuilt after unpickling (stages travel to worker processes).
    """

    def __init__(self, path: str | None = None) -> None:
        import tomllib

        self.path = str(path) if path else str(builtin_quality_dir() / "spam_keywords.toml")
        try:
            with open(self.path, "rb") as handle:
                data = tomllib.load(handle)
        except OSError as exc:
            raise ValueError(f"{self.path}: cannot read keyword pack: {exc.strerror or exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{self.path}: not valid TOML: {exc}") from None
        meta = data.get("pack", {})
        self.id = str(meta.get("id", "spam_keywords"))
        self.version = str(meta.get("version", ""))
        self.groups: dict[str, list[str]] = {}
        for group in data.get("groups", []):
            keywords = group.get("keywords")
            if not group.get("id") or not isinstance(keywords, list) or not keywords:
                raise ValueError(f"{self.path}: each [[groups]] table needs an 'id' and a non-empty 'keywords' list")
            self.groups[group["id"]] = [_keyword_view(k) for k in keywords if k]
        if not self.groups:
            raise ValueError(f"{self.path}: no [[groups]] of keywords")
        self.examples = data.get("groups", [])
        self._automaton: object | None = None
        self._entries: list[tuple[int, str]] = []

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state["_automaton"] = None
        return state

    def _build(self) -> object:
        try:
            import ahocorasick_rs
        except ImportError:
            raise ImportError("the spam filter needs ahocorasick-rs: pip install ahocorasick-rs") from None
        self._entries = [(len(k), group) for group, keywords in self.groups.items() for k in keywords]
        return ahocorasick_rs.AhoCorasick([k for keywords in self.groups.values() for k in keywords])

    def matches(self, text: str) -> list[tuple[int, int, str]]:
        """``(start, end, group)`` of every keyword occurrence in ``text`` (overlapping ones included)."""
        if self._automaton is None:
            self._automaton = self._build()
        view = _keyword_view(text)
        found = self._automaton.find_matches_as_indexes(view, overlapping=True)  # type: ignore[attr-defined]
        return [(start, end, self._entries[index][1]) for index, start, end in found]


def _keyword_view(text: str) -> str:
    from corpusclean.script import fold_to_simplified

    return fold_to_simplified(text).lower()


def builtin_quality_dir() -> Path:
    """``rules/quality`` inside the installed package, or in the source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "rules" / "quality", here.parent / "rules" / "quality"):
        if candidate.is_dir():
            return candidate
    raise ValueError("built-in quality rules not found (rules/quality); reinstall corpusclean")


@functools.cache
def default_keywords() -> KeywordPack:
    return KeywordPack()


def keyword_density(text: str, pack: KeywordPack | None = None) -> float:
    """Share of non-space characters inside spam keywords (overlaps counted once).

    >>> round(keyword_density("澳门新葡京百家乐，注册送彩金！"), 2)
    0.87
    >>> keyword_density("警方破获一起网络赌博案，抓获犯罪嫌疑人12名。")
    0.0
    """
    pack = pack or default_keywords()
    found = pack.matches(text)
    if not found:
        return 0.0
    covered = 0
    reach = -1
    for start, end, _ in sorted(found):
        if end > reach:
            covered += end - max(start, reach)
            reach = end
    return min(1.0, covered / max(_nonspace_len(text), 1))


# --- everything at once (for `corpusclean stats`) ------------------------------------------------------------

def measure(text: str, *, meta: dict[str, Any] | None = None, keywords: KeywordPack | None = None,
            language: bool = True) -> dict[str, float | str]:
    """Every quality signal of one text, by the names the filter stages use in their rejects.

    ``meta`` is the document's metadata from earlier stages (the mojibake repair's lost characters).

    >>> m = measure("今天天气很好，我们去公园散步。")
    >>> m["cjk_chars"], m["language"], m["no_end_punct_frac"]
    (13, 'zh', 0.0)
    """
    from corpusclean.language_id import identify

    counts = class_counts(text)
    out: dict[str, float | str] = {"chars": len(text) - counts["space"], "cjk_chars": counts["cjk"]}
    out.update(composition(text))
    out["mojibake_ratio"] = mojibake_ratio(text, meta)
    if language:
        out["language"], out["language_score"] = identify(text)
    out.update(duplicate_lines(text))
    out.update(ngram_repetition(text))
    structure = line_structure(text)
    out.update({k: v for k, v in structure.items() if k != "lines"})
    out["keyword_density"] = keyword_density(text, keywords)
    out["repeated_phrase_frac"] = repeated_phrases(text)
    return out


def check_fraction(name: str, value: float) -> float:
    """``value`` if it is a share in [0, 1]; otherwise a ``ValueError`` naming the parameter.

    >>> check_fraction("max_digit_ratio", 1.5)
    Traceback (most recent call last):
    ...
    ValueError: max_digit_ratio must be a number between 0 and 1, got 1.5
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a number between 0 and 1, got {value!r}")
    return float(value)
