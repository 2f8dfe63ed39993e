"""Scores for cleaned Chinese text against gold text: character multisets, snippet checks, labelled lines.

Chinese has no spaces to split words on, and gold texts differ from extracted text in layout (hard-wrapped
lines, full- or half-width punctuation, Traditional or Simplified script). So texts are compared as
*multisets of non-space characters* after NFKC and Traditional->Simplified folding: precision is the share
of output characters that are in the gold, recall the share of gold characters that are in the output.

Labelled lines (the seeds) are checked by *runs*: a line counts as present to the extent its characters
occur in the output in runs of at least ``MIN_RUN`` characters (or the whole line when shorter), so a
common character or two elsewhere in the text does not make a removed line look kept.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from corpusclean.text.script import fold_to_simplified

MIN_RUN = 8


def fold(text: str) -> str:
    """The comparison form of ``text``: NFKC, Traditional folded to Simplified, whitespace removed.

    >>> fold("國際在線， 版權 聲明")
    '国际在线,版权声明'
    """
    return "".join(fold_to_simplified(unicodedata.normalize("NFKC", text)).split())


def fold_lines(text: str) -> str:
    """Like :func:`fold` but keeps line breaks, so matched runs cannot join the end of one line to the
    start of the next.

    >>> fold_lines("第一行 內容\\n\\n第二行")
    '第一行内容\\n第二行'
    """
    return "\n".join(f for line in text.split("\n") if (f := fold(line)))


@dataclass(frozen=True, slots=True)
class PRF:
    """Precision, recall and F1 of one output against its gold (or their macro average)."""

    precision: float
    recall: float
    f1: float

    def as_dict(self) -> dict[str, float]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def char_prf(output: str, gold: str) -> PRF:
    """Character-multiset precision and recall of ``output`` against ``gold``.

    An empty output scores precision 0 against a non-empty gold (nothing right was produced), and two
    empty texts agree perfectly.

    >>> s = char_prf("新华社北京电 今天天气很好。", "今天天氣很好。")
    >>> round(s.precision, 2), s.recall
    (0.54, 1.0)
    """
    out, ref = Counter(fold(output)), Counter(fold(gold))
    n_out, n_ref = sum(out.values()), sum(ref.values())
    if not n_out and not n_ref:
        return PRF(1.0, 1.0, 1.0)
    common = sum((out & ref).values())
    precision = common / n_out if n_out else 0.0
    recall = common / n_ref if n_ref else 0.0
    return PRF(precision, recall, _f1(precision, recall))


def macro(scores: Iterable[PRF]) -> PRF:
    """Mean precision, mean recall and mean F1 over documents (each page weighs the same).

    >>> macro([PRF(1.0, 0.5, 2 / 3), PRF(0.5, 1.0, 2 / 3)]).precision
    0.75
    """
    scores = list(scores)
    if not scores:
        raise ValueError("macro() needs at least one score, got none")
    n = len(scores)
    return PRF(sum(s.precision for s in scores) / n, sum(s.recall for s in scores) / n, sum(s.f1 for s in scores) / n)


def contains(text: str, snippet: str) -> bool:
    """Whether ``snippet`` occurs in ``text``, compared in folded form (script, width and spaces ignored).

    >>> contains("武漢的聲音：有英勇的你", "武汉的声音")
    True
    """
    return fold(snippet) in fold(text)


def consume_runs(line: str, text: str, *, min_run: int = MIN_RUN) -> tuple[int, str]:
    """How many characters of ``line`` occur in ``text`` inside common runs of at least ``min_run`` characters
    (the whole ``line`` when it is shorter), and ``text`` with those runs blanked out, so that a later line
    cannot be credited with the same characters. Both arguments should already be folded.

    Greedy from the left: at each position take the longest prefix of the rest of ``line`` that occurs in
    ``text``; count it if long enough, otherwise skip one character. Real text repeats phrases across
    paragraphs, which is why matched runs are used up.

    >>> n, rest = consume_runs("认真落实中央和省市部署要求", "一是认真落实中央和省市部署要求。")
    >>> n, rest.replace(chr(0), "_")
    (13, '一是_____________。')
    """
    need = min(min_run, len(line))
    if not need:
        return 0, text
    found = 0
    i = 0
    while i + need <= len(line):
        if line[i:i + need] not in text:
            i += 1
            continue
        lo, hi = i + need, len(line)  # longest j with line[i:j] in text, by bisection
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if line[i:mid] in text:
                lo = mid
            else:
                hi = mid - 1
        text = text.replace(line[i:lo], "\x00" * (lo - i), 1)
        found += lo - i
        i = lo
    return found, text


def run_chars(line: str, text: str, *, min_run: int = MIN_RUN) -> int:
    """The count of :func:`consume_runs`: characters of ``line`` found in ``text`` in runs, not scattered.

    >>> run_chars("本网讯近日秦如培率团赴深圳", "近日秦如培率团赴深圳进行招商引资")
    10
    >>> run_chars("相关新闻", "正文。相关新闻")
    4
    >>> run_chars("相关新闻", "正文相关。")
    0
    """
    return consume_runs(line, text, min_run=min_run)[0]


@dataclass
class RuleShare:
    """What one rule removed from the labelled documents: receipts, characters, and how many of those
    characters were content (from ``keep`` lines) rather than boilerplate."""

    removals: int = 0
    chars: int = 0
    content_chars: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"removals": self.removals, "chars": self.chars, "content_chars": self.content_chars}


@dataclass
class LineScore:
    """How one labelled document came out of the pipeline.

    ``drop_gone`` counts boilerplate lines of which less than half is left; ``drop_chars_left`` and
    ``keep_chars_present`` are character counts found by :func:`run_chars`; ``absent_found`` lists the
    strings that must not remain but did.
    """

    drop_lines: int = 0
    drop_gone: int = 0
    drop_chars: int = 0
    drop_chars_left: int = 0
    keep_chars: int = 0
    keep_chars_present: int = 0
    absent_found: list[str] = field(default_factory=list)
    rejected: str | None = None
    rules: dict[str, RuleShare] = field(default_factory=dict)

    @property
    def drop_recall(self) -> float:
        return self.drop_gone / self.drop_lines if self.drop_lines else 1.0

    @property
    def content_kept(self) -> float:
        return self.keep_chars_present / self.keep_chars if self.keep_chars else 1.0

    @property
    def removed_chars(self) -> int:
        return sum(r.chars for r in self.rules.values())

    @property
    def removal_precision(self) -> float:
        """Share of the characters removed by receipts that were not content: boilerplate precision."""
        removed = self.removed_chars
        return 1 - sum(r.content_chars for r in self.rules.values()) / removed if removed else 1.0

    def add(self, other: LineScore) -> None:
        """Fold ``other`` into this total (the overall score is the sum of the documents')."""
        for name in ("drop_lines", "drop_gone", "drop_chars", "drop_chars_left", "keep_chars", "keep_chars_present"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.absent_found.extend(other.absent_found)
        for rule, share in other.rules.items():
            mine = self.rules.setdefault(rule, RuleShare())
            mine.removals += share.removals
            mine.chars += share.chars
            mine.content_chars += share.content_chars

    def as_dict(self) -> dict[str, object]:
        return {
            "drop_lines": self.drop_lines, "drop_lines_gone": self.drop_gone,
            "boilerplate_line_recall": round(self.drop_recall, 4),
            "boilerplate_chars_left": self.drop_chars_left, "boilerplate_chars": self.drop_chars,
            "content_chars": self.keep_chars, "content_chars_present": self.keep_chars_present,
            "content_kept": round(self.content_kept, 4),
            "removed_chars": self.removed_chars, "removal_precision": round(self.removal_precision, 4),
            "absent_found": self.absent_found, "rejected": self.rejected,
            "rules": {rule: share.as_dict() for rule, share in sorted(self.rules.items())},
        }


def score_lines(output: str, *, keep: Sequence[str], drop: Sequence[str], absent: Sequence[str] = (),
                removals: Iterable[tuple[str, str]] = (), rejected: str | None = None) -> LineScore:
    """Score one cleaned document against its line labels.

    ``removals`` are ``(rule id, removed text)`` pairs from the removal receipts; each rule's removed
    characters are split into content (found in the ``keep`` lines) and the rest. A rejected document has
    empty ``output``: all its boilerplate is gone and so is all its content.

    >>> s = score_lines("正文第一段，讲的是扶贫。\\n责任编辑：张三",
    ...                 keep=["正文第一段，讲的是扶贫。"], drop=["责任编辑：张三", "相关新闻"])
    >>> s.drop_gone, s.drop_lines, s.content_kept
    (1, 2, 1.0)
    """
    text = fold_lines(output)
    score = LineScore(rejected=rejected)
    unmatched = text
    for line in drop:
        folded = fold(line)
        if not folded:
            continue
        left, unmatched = consume_runs(folded, unmatched)
        score.drop_lines += 1
        score.drop_chars += len(folded)
        score.drop_chars_left += left
        score.drop_gone += left * 2 < len(folded)
    keep_text = "\n".join(fold(line) for line in keep)
    unmatched = text
    for line in keep:
        folded = fold(line)
        present, unmatched = consume_runs(folded, unmatched)
        score.keep_chars += len(folded)
        score.keep_chars_present += present
    score.absent_found = [s for s in absent if s in output or fold(s) in text]
    for rule, removed in removals:
        share = score.rules.setdefault(rule, RuleShare())
        share.removals += 1
        for piece in fold_lines(removed).split("\n"):
            share.chars += len(piece)
            share.content_chars += run_chars(piece, keep_text)
    return score
