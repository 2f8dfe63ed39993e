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
import itertools
import re
from dataclasses import dataclass, field

from corpusclean.rulepacks.pack import META_FIELDS, Rule, keyword_variants, matching_view, matching_views

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
        # The longest stripped line each keyword's rules may touch (0: no limit). Nearly every keyword hit
        # is a common word in a long line of prose ("记者", "评论"), which every rule owning it leaves alone.
        limits = [rule.max_chars for rule in self.rules]
        self._key_limits = [0 if any(limits[i] == 0 for i in owners) else max(limits[i] for i in owners)
                            for owners in self._owners]

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
        """Line number -> indexes of the rules with a keyword on that line that could act on it (see
        :meth:`_hit_lines`)."""
        return self._hit_lines([text.encode("utf-8", "surrogatepass")])[0]

    def _hit_lines(self, datas: list[bytes]) -> list[dict[int, set[int]]]:
        """For each of ``datas`` (texts encoded), line number -> indexes of the rules with a keyword on that
        line, for the lines some rule could act on: a line longer (stripped) than every one of its rules'
        ``max_chars``, or blank, is left out, as :meth:`_apply_rule` would leave it unchanged whatever happens
        to the other lines (only a rule applied to a line changes its text). Nearly every keyword hit is a
        common word ("记者", "评论") in a long line of prose.

        One scan of the texts joined by line breaks: a keyword never holds one, so no hit straddles two
        texts, and the automaton is called once per chunk rather than once per document."""
        hits: list[dict[int, set[int]]] = [{} for _ in datas]
        if self._automaton is None:
            return hits
        data = b"\n".join(datas)
        ends = list(itertools.accumulate(len(one) + 1 for one in datas))  # where each text's successor starts
        del datas  # the joined copy is all that is read from here on: one chunk's bytes in memory, not two
        owners, key_limits = self._owners, self._key_limits
        doc, doc_end, line_no, line_start, line_end = -1, -1, 0, 0, -1
        found: set[int] | None = None
        limit = -1  # the largest max_chars of the line's rules so far (0: one has none)
        for key, start, _ in self._automaton.find_matches_as_indexes(data, overlapping=True):  # type: ignore[attr-defined]
            if start > line_end:
                if found is not None:
                    _keep_line(hits[doc], data, line_no, line_start, line_end, found, limit)
                    found, limit = None, -1
                if start > doc_end:
                    doc = bisect.bisect_right(ends, start)
                    line_no, line_start = 0, ends[doc - 1] if doc else 0
                    doc_end = ends[doc] - 1
                    line_end = data.find(b"\n", line_start, doc_end)
                    if line_end < 0:
                        line_end = doc_end
                if start > line_end:
                    line_no += data.count(b"\n", line_start, start)
                    line_start = data.rfind(b"\n", 0, start) + 1
                    line_end = data.find(b"\n", start, doc_end)
                    if line_end < 0:
                        line_end = doc_end
            if found is None:
                found = set(owners[key])
            else:
                found.update(owners[key])
            key_limit = key_limits[key]
            if limit != 0 and (key_limit == 0 or key_limit > limit):
                limit = key_limit
        if found is not None:
            _keep_line(hits[doc], data, line_no, line_start, line_end, found, limit)
        return hits

    def apply(self, text: str) -> Outcome:
        """Run every rule over ``text`` (rules in order within a line, lines top to bottom)."""
        return self._apply_lines(text, self._candidates(text), [], {})

    def apply_many(self, texts: list[str]) -> list[Outcome]:
        """:meth:`apply` of each of ``texts``, with one keyword scan for all of them.

        >>> from corpusclean.rulepacks.pack import parse_rule
        >>> rule = parse_rule({"id": "wm", "kind": "span", "keywords": ["毕节网"], "pattern": r"\\s*aej毕节网",
        ...                    "description": "d", "remove": ["x"], "keep": ["y"]}, pack="demo", source="demo")
        >>> [out.text for out in RuleEngine([rule]).apply_many(["一行。AEJ毕节网", "", "毕节网\\n二行。AEJ毕节网"])]
        ['一行。', '', '毕节网\\n二行。']
        """
        found = self._hit_lines([text.encode("utf-8", "surrogatepass") for text in texts])
        # The matching views of every line with a hit, in one lookup for all the texts.
        split = [text.split("\n") if hits else [] for text, hits in zip(texts, found, strict=True)]
        views = iter(matching_views([lines[n] for lines, hits in zip(split, found, strict=True) for n in hits]))
        return [self._apply_lines(text, hits, lines, {n: next(views) for n in hits}) if hits or self._unindexed
                else Outcome(text) for text, hits, lines in zip(texts, found, split, strict=True)]

    def _apply_lines(self, text: str, hits: dict[int, set[int]], lines: list[str], views: dict[int, str]) -> Outcome:
        """:meth:`apply` given the lines of ``text`` that have keyword hits and their rules, ``text`` split
        into ``lines`` (or empty) and the matching views of some of them."""
        if not hits and not self._unindexed:
            return Outcome(text)
        lines = lines or text.split("\n")
        if self._unindexed:
            for number, line in enumerate(lines):
                if line.strip():
                    hits.setdefault(number, set()).update(self._unindexed)
        state = _DocState(lines, views)
        for number in sorted(hits):
            if state.tail_from is not None and number >= state.tail_from:
                break
            if state.removed[number]:
                continue
            for index in sorted(hits[number]):
                if self._apply_rule(self.rules[index], number, state):
                    break
        if not state.cuts and not state.edited:
            return Outcome(text)  # the common case: a line with a keyword that no rule matched
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
        view = state.view(number)
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
        elif rule.keep_beside is not None and state.beside(number, rule.keep_beside):
            return False
        state.remove(rule.id, "line", number, number)
        return True


class _DocState:
    """The lines of one document while rules are applied, and what has been taken out of them."""

    __slots__ = ("_nonblank", "cuts", "edited", "lines", "meta", "removed", "tail_from", "views")

    def __init__(self, lines: list[str], views: dict[int, str]) -> None:
        self.lines = lines
        self.views = views  # line number -> matching view of the line as it is now
        self.removed = [False] * len(lines)
        self.cuts: list[Cut] = []
        self.meta: dict[str, str] = {}
        self.tail_from: int | None = None
        self.edited = False  # a span cut changed a line (a cut of blanks alone leaves no receipt)
        self._nonblank: list[int] | None = None

    def view(self, number: int) -> str:
        """The matching view of line ``number`` as it is now (kept until a span cut changes the line)."""
        view = self.views.get(number)
        if view is None:
            view = self.views[number] = matching_view(self.lines[number])
        return view

    def _nonblank_lines(self) -> list[int]:
        if self._nonblank is None:
            self._nonblank = [i for i, line in enumerate(self.lines) if line.strip()]
        return self._nonblank

    def in_window(self, number: int, where: str, within: int) -> bool:
        nonblank = self._nonblank_lines()
        position = bisect.bisect_left(nonblank, number)
        if where == "head":
            return position < within
        return len(nonblank) - position <= within

    def beside(self, number: int, pattern: re.Pattern[str]) -> bool:
        """Whether ``pattern`` matches (in its matching view) the nearest non-blank line before or after
        line ``number``: what a rule removed earlier still counts as context."""
        nonblank = self._nonblank_lines()
        position = bisect.bisect_left(nonblank, number)
        around = nonblank[max(position - 1, 0):position] + nonblank[position + 1:position + 2]
        return any(pattern.search(self.view(i)) for i in around)

    def remove(self, rule: str, kind: str, first: int, last: int) -> None:
        self.cuts.append(Cut(rule, kind, "\n".join(self.lines[first:last + 1]), first))
        for number in range(first, last + 1):
            self.removed[number] = True


def _keep_line(hits: dict[int, set[int]], data: bytes, number: int, start: int, end: int, found: set[int],
               limit: int) -> None:
    """Enter line ``number`` (``data[start:end]``) with the rules ``found`` on it, unless it is blank or longer
    when stripped than ``limit`` (the largest ``max_chars`` of those rules; 0: one has no limit)."""
    if limit:
        length = len(data[start:end].decode("utf-8", "surrogatepass").strip())
        if not length or length > limit:
            return
    elif not data[start:end].strip():  # ASCII blanks only: a line of other blanks is entered, to no effect
        return
    hits[number] = found


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
    state.views.pop(number, None)
    state.edited = True
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
