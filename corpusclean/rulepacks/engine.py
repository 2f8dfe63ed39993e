"""Apply rules to a text: one Aho-Corasick keyword pass finds candidate lines, regexes confirm there.

The cost of a document is one scan of its raw text for the keywords of *all* rules at once (plus a
regex on the few lines that hold a keyword), so adding rules does not add passes over the text. The scan
is ahocorasick-rs's DFA (Rust): one table lookup per character. pyahocorasick, tried first, slows with
the number of distinct first characters of the keywords (its trie nodes scan their children): 25 MB/s
against the DFA's ~270 MB/s on the built-in packs' ~1,500 keyword spellings (benchmarks/bench_rules.py). The
scan runs on the raw text, without folding it first (folding a whole text costs more than the scan):
each keyword is entered in every raw spelling that folds to it (see
:func:`corpusclean.rulepacks.pack.keyword_variants`). Only candidate lines are folded into the matching view.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from corpusclean.rulepacks.pack import META_FIELDS, Rule, keyword_variants, matching_view

_SENTENCE_END = re.compile(r"[。！？!?]")


@dataclass(slots=True)
class Cut:
    """One removal: the rule, what kind of piece, its original text and 0-based line in the input."""

    rule: str
    kind: str
    text: str
    line: int


@dataclass(slots=True)
class Outcome:
    text: str
    cuts: list[Cut] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)


class RuleEngine:
    """Rules compiled into one keyword automaton; :meth:`apply` cleans a text.

    >>> from corpusclean.rulepacks.pack import parse_rule
    >>> rule = parse_rule({"id": "wm", "kind": "span", "keywords": ["毕节网"], "pattern": r"\\s*aej毕节网",
    ...                    "description": "d", "remove": ["x"], "keep": ["y"]}, pack="demo", source="demo")
    >>> out = RuleEngine([rule]).apply("会见了秦如培一行。AEJ毕节网\\nAEJ毕节网\\n( 编辑:周珊 )")
    >>> out.text
    '会见了秦如培一行。\\n( 编辑:周珊 )'
    >>> [(c.rule, c.kind, c.text, c.line) for c in out.cuts]
    [('wm', 'span', 'AEJ毕节网', 0), ('wm', 'span', 'AEJ毕节网', 1)]
    """

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = list(rules)
        self._unindexed = tuple(i for i, rule in enumerate(self.rules) if not rule.keywords)
        self._owners: list[tuple[int, ...]] = []
        self.keys: list[str] = []
        self._automaton = self._build_automaton()

    def __reduce__(self) -> tuple[type, tuple[list[Rule]]]:
        # Rebuild the automaton on unpickling (worker processes) instead of shipping it.
        return (RuleEngine, (self.rules,))

    def _build_automaton(self) -> object | None:
        owners: dict[str, set[int]] = {}
        for index, rule in enumerate(self.rules):
            for keyword in rule.keywords:
                if "\n" in keyword:
                    raise ValueError(f"{rule.source}: rule {rule.id!r}: keyword {keyword!r} spans lines")
                try:
                    variants = keyword_variants(keyword)
                except ValueError as exc:
                    raise ValueError(f"{rule.source}: rule {rule.id!r}: {exc}") from None
                for variant in variants:
                    owners.setdefault(variant, set()).add(index)
            for spelling in rule.spellings:  # as written too: 'CopyRight' is no case variant of 'copyright'
                owners.setdefault(spelling, set()).add(index)
        if not owners:
            return None
        try:
            import ahocorasick_rs
        except ImportError:  # pragma: no cover - a declared dependency
            raise ImportError("the rules stage needs ahocorasick-rs: pip install ahocorasick-rs") from None
        keys = list(owners)
        self.keys = keys  # every raw spelling scanned for (benchmarks compare scanners on the same keys)
        self._owners = [tuple(sorted(owners[key])) for key in keys]
        # A DFA: one table lookup per character whatever the number of keywords and their first characters.
        # Over UTF-8 bytes: no byte-to-character offset conversion, and line numbers are the same either way.
        return ahocorasick_rs.BytesAhoCorasick([key.encode("utf-8") for key in keys],
                                               implementation=ahocorasick_rs.Implementation.DFA)

    def _candidates(self, text: str) -> dict[int, set[int]]:
        """Line number -> indexes of rules with a keyword on that line."""
        hits: dict[int, set[int]] = {}
        if self._automaton is None:
            return hits
        data = text.encode("utf-8", "surrogatepass")
        line_no, line_start = 0, 0
        line_end = data.find(b"\n")
        if line_end < 0:
            line_end = len(data)
        owners = self._owners
        for key, start, _ in self._automaton.find_matches_as_indexes(data, overlapping=True):  # type: ignore[attr-defined]
            if start > line_end:  # keywords never hold a newline, so a hit lies inside one line
                line_no += data.count(b"\n", line_start, start)
                line_start = data.rfind(b"\n", 0, start) + 1
                line_end = data.find(b"\n", start)
                if line_end < 0:
                    line_end = len(data)
            found = hits.get(line_no)
            if found is None:
                hits[line_no] = set(owners[key])
            else:
                found.update(owners[key])
        return hits

    def apply(self, text: str) -> Outcome:
        """Run every rule over ``text`` (rules in order within a line, lines top to bottom)."""
        hits = self._candidates(text)
        if not hits and not self._unindexed:
            return Outcome(text)
        lines = text.split("\n")
        if self._unindexed:
            for number, line in enumerate(lines):
                if line.strip():
                    hits.setdefault(number, set()).update(self._unindexed)
        state = _DocState(lines)
        for number in sorted(hits):
            if state.tail_from is not None and number >= state.tail_from:
                break
            if state.removed[number]:
                continue
            for index in sorted(hits[number]):
                if self._apply_rule(self.rules[index], number, state):
                    break
        kept = [line for number, line in enumerate(state.lines)
                if not state.removed[number] and (state.tail_from is None or number < state.tail_from)]
        return Outcome("\n".join(kept), state.cuts, state.meta)

    def _apply_rule(self, rule: Rule, number: int, state: _DocState) -> bool:
        """Try one rule on one line; True when the line is gone (later rules skip it)."""
        line = state.lines[number]
        stripped = line.strip()
        if not stripped:
            return True
        if rule.max_chars and len(stripped) > rule.max_chars:
            return False
        if rule.where != "anywhere" and not state.in_window(number, rule.where, rule.within):
            return False
        view = matching_view(line)
        match = rule.matches(view)
        if match is None:
            return False
        kind = rule.kind
        if kind == "span":
            return _cut_spans(rule, number, line, view, state)
        if kind == "block":
            last = number
            for following in range(number + 1, min(len(state.lines), number + 1 + 4 * rule.max_lines)):
                if last - number >= rule.max_lines:
                    break
                text = state.lines[following]
                if state.removed[following]:
                    break
                if not text.strip():
                    continue
                if rule.continues is None or not rule.continues.search(matching_view(text)):
                    break
                last = following
            state.remove(rule.id, "block" if last > number else "line", number, last)
            return True
        if kind == "tail":
            after = state.lines[number + 1:]
            if any(len(s) > rule.after_max_chars and _SENTENCE_END.search(s) for s in map(str.strip, after)):
                return False
            state.cuts.append(Cut(rule.id, "block", "\n".join(state.lines[number:]).rstrip(), number))
            state.tail_from = number
            return True
        if kind == "meta":
            _take_meta(rule, line, match, state.meta)
        state.remove(rule.id, "line", number, number)
        return True


class _DocState:
    """The lines of one document while rules are applied, and what has been taken out of them."""

    __slots__ = ("_nonblank", "cuts", "lines", "meta", "removed", "tail_from")

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.removed = [False] * len(lines)
        self.cuts: list[Cut] = []
        self.meta: dict[str, str] = {}
        self.tail_from: int | None = None
        self._nonblank: list[int] | None = None

    def in_window(self, number: int, where: str, within: int) -> bool:
        if self._nonblank is None:
            self._nonblank = [i for i, line in enumerate(self.lines) if line.strip()]
        position = bisect.bisect_left(self._nonblank, number)
        if where == "head":
            return position < within
        return len(self._nonblank) - position <= within

    def remove(self, rule: str, kind: str, first: int, last: int) -> None:
        self.cuts.append(Cut(rule, kind, "\n".join(self.lines[first:last + 1]), first))
        for number in range(first, last + 1):
            self.removed[number] = True


def _cut_spans(rule: Rule, number: int, line: str, view: str, state: _DocState) -> bool:
    assert rule.pattern is not None or rule.keywords  # guaranteed by parse_rule
    spans = ([m.span() for m in rule.pattern.finditer(view) if m.end() > m.start()] if rule.pattern is not None
             else [m.span() for k in rule.keywords for m in re.finditer(re.escape(k), view)])
    if not spans:
        return False
    pieces, position = [], 0
    for start, end in sorted(spans):
        if start < position:
            continue
        pieces.append(line[position:start])
        cut = line[start:end]
        if cut.strip():
            state.cuts.append(Cut(rule.id, "span", cut.strip(), number))
        position = end
    pieces.append(line[position:])
    new_line = "".join(pieces)
    state.lines[number] = new_line
    if not new_line.strip():
        state.removed[number] = True
        return True
    return False


def _take_meta(rule: Rule, line: str, match: re.Match[str], meta: dict[str, str]) -> None:
    """Copy named groups into ``meta`` from the *original* line (same offsets as the view)."""
    for name in sorted(match.re.groupindex, key=lambda n: (n.split("_")[0], n)):
        start, end = match.span(name)
        if start < 0:
            continue
        value = line[start:end].strip(" \t\u3000\xa0|｜:：")
        field_name = name.split("_")[0]
        if value and field_name in META_FIELDS and field_name not in meta:
            meta[field_name] = value


def check_rule(rule: Rule) -> list[str]:
    """Run a rule's own examples; returns one message per failing example (empty when all pass).

    A ``remove`` example of a span rule must lose a piece; of any other kind it must disappear whole.
    A ``keep`` example must come out unchanged.
    """
    engine = RuleEngine([rule])
    failures = []
    for number, example in enumerate(rule.remove):
        out = engine.apply(example)
        gone = bool(out.cuts) and (out.text != example if rule.kind == "span" else not out.text.strip())
        if not gone:
            failures.append(f"{rule.id}: remove example {number + 1} not removed: {example!r} -> {out.text!r}")
        elif number == 0 and rule.expect_meta and out.meta != rule.expect_meta:
            failures.append(f"{rule.id}: remove example 1 gave meta {out.meta}, expected {rule.expect_meta}")
    for number, example in enumerate(rule.keep):
        out = engine.apply(example)
        if out.cuts or out.text != example:
            failures.append(f"{rule.id}: keep example {number + 1} was cut: {example!r} -> {out.text!r}")
    return failures
