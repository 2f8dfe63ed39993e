"""Find each document's own watermark by its shape and remove it everywhere in that document.

Sites stamp their name on every paragraph ("…表示感谢。AEJ毕节网"), put it on lines of its own, or in front
of every paragraph. No list of site names can keep up, but the shape gives it away: one short string ends
(or starts) most lines of the document, sits right after the sentence-final punctuation (or alone), and is
not prose. The detector looks for exactly that, per document, and removes the string wherever it ends,
starts or fills a line; every removal names the detector (``repeated_suffix``, ``repeated_prefix``,
``standalone_line``, ``inline``).

Content must never be eaten, so a candidate must pass every guard:

* it ends (or starts) at least ``min_count`` lines and ``min_share`` of the lines that could carry it
  (the lines that end a paragraph, plus its own), so hard-wrapped text is judged by its paragraphs;
* it is 2–``max_chars`` characters with at least two letters (no punctuation-only, number or date strings)
  and has no sentence punctuation inside (prose carries it, watermarks don't);
* at least ``min_evidence_share`` of its occurrences are *evidence*: the line is the string alone, or the
  string is all that follows the line's last sentence end (suffix) or sits before a separator or inside
  brackets at the start of a prose line (prefix). Only evidence proposes candidates, so prose costs little.
  A shared word ending like "发展" in hard-wrapped text, a unit column ("万元") in a table, or anaphora
  ("我们要…") in a speech fails this;
* a string only ever seen alone on its lines must end like a site name (``rules/detectors/watermark.toml``),
  so a song's chorus or a table cell stays;
* it is not on the ``never`` list of that file (emoji codes, laughter, "（完）").
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

from corpusclean.document import Document
from corpusclean.rulepacks.pack import builtin_dir
from corpusclean.stage import Editor
from corpusclean.text.script import fold_to_simplified

# Sentence-final punctuation: a line of prose ends with one of these, a watermark glued to it follows one.
SENTENCE_END = frozenset("。！？!?…；;")
# Closing quotes/brackets that may follow the sentence end ("…说。”AEJ毕节网").
CLOSERS = frozenset("”’」』）)】]》〉")
OPENERS = frozenset("“‘「『（(【[《〈")
# Separators between a prefix watermark and the paragraph ("AEJ毕节网 | 正文", "【AEJ毕节网】正文").
PREFIX_SEPARATORS = frozenset("|｜丨")
_TRIM = " \t\u3000\xa0|｜丨"
_LETTER = re.compile(r"[^\W\d_]")
_DIGITS = re.compile(r"\d")
_PROSE = re.compile(r"[。！？!?；;，,]")
# The last sentence end of a line (none after it), closing quotes, then the tail to the line end.
_TAIL = re.compile(r"[。！？!?…；;][”’」』）)】\]》〉]*([^。！？!?…；;]+)$")
# A bracketed head ("【看看新闻】") or a token followed by spaces or a bar ("AEJ毕节网 | ").
_HEAD = re.compile(r"([“‘「『（(【\[《〈][^”’」』）)】\]》〉]+[”’」』）)】\]》〉]|[^\s|｜丨]+(?=[\s|｜丨]))")
MAX_ROUNDS = 4
# Every character ``str.isspace`` (and so ``str.strip``) counts as white space, except the line break.
BLANKS = "\t\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


@functools.cache
def evidence_keys(max_chars: int) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Two whole-text patterns, run once per document before any per-line work, giving for every line that
    could be evidence of a watermark a two-character key: every line that is evidence of a string ``t``
    gets the same key as ``t``, so a string with ``min_count`` pieces of evidence has a key found that often.

    * ``suffix`` runs over the reversed text (``("\\n" + text + "\\n")[::-1]``) and keys a line by the last two
      characters before its trailing blanks and bars. Only lines that could carry a suffix are keyed: they
      have no sentence end or colon last, and a sentence end within ``max_chars + 7`` characters of the end
      (where :func:`glued_tail` looks), or are at most ``max_chars`` long (alone on their line);
    * ``prefix`` runs over ``"\\n" + text + "\\n"`` and keys a line by its first two characters. Only lines
      that could carry a prefix are keyed: their first token of at most ``max_chars`` characters is followed
      by a blank or bar (a token head, or a short line), or they open with a short bracketed head or a bar.

    Keys holding a sentence end are left out: a string containing one is never a watermark.

    >>> suffix, prefix = evidence_keys(30)
    >>> prose = "王荣首先代表毕节市委、市政府，对秦如培一行的到来表示热烈欢迎，对长期以来的帮助表示感谢。"
    >>> text = "\\n".join([prose + "AEJ毕节网", "AEJ毕节网", prose, "【看看新闻】" + prose])
    >>> [k[::-1] for k in suffix.findall(("\\n" + text + "\\n")[::-1])], prefix.findall("\\n" + text + "\\n")
    (['节网', '节网'], ['AE', '【看'])
    """
    end, opener, closer = "。！？!?…；;", "“‘「『（(【\\[《〈", "”’」』）)】\\]》〉"
    # White space spelt out (not \s): the engine tests a spelt-out class with one table look-up.
    blank = f"[{BLANKS}]"  # any white space but the line break
    suffix = re.compile(
        rf"\n{blank}*+(?![\n:：{end}])"  # a blank line, or one ending a sentence, is no evidence
        rf"(?=[^\n{end}]{{0,{max_chars + 7}}}+(?:[{end}]|{blank}*+\n))"
        rf"[{BLANKS}|｜丨]*+([^{BLANKS}\n|｜丨{end}][^\n{end}])"
    )
    # A first token holding a sentence end makes a head (or short line) that is never a watermark.
    prefix = re.compile(
        rf"\n{blank}*+"
        rf"(?=[^{BLANKS}\n|｜丨{end}]{{1,{max_chars}}}+[{BLANKS}\n|｜丨]"
        rf"|[{opener}][^{closer}\n]{{1,{max(1, max_chars - 2)}}}+[{closer}]|[|｜丨])"
        rf"([^{BLANKS}\n{end}][^\n{end}])"
    )
    return suffix, prefix


def load_lists(path: str | Path | None = None) -> tuple[tuple[str, ...], tuple[re.Pattern[str], ...]]:
    """``(site_name_endings, never patterns)`` from a watermark word-list file (the built-in one when
    ``path`` is None). Every ``never`` entry must match each of its ``examples``.

    >>> endings, never = load_lists()
    >>> "网" in endings, any(p.fullmatch("[微笑]") for p in never)
    (True, True)
    """
    path = Path(path) if path is not None else builtin_dir() / "detectors" / "watermark.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"lists: cannot read {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"lists: {path} is not valid TOML: {exc}") from None
    unknown = set(data) - {"version", "site_name_endings", "never"}
    if unknown:
        known = "version, site_name_endings, never"
        raise ValueError(f"lists: {path} has unknown key {sorted(unknown)[0]!r} (known: {known})")
    endings = data.get("site_name_endings", [])
    if not isinstance(endings, list) or not all(isinstance(e, str) and e for e in endings):
        raise ValueError(f"lists: {path}: site_name_endings must be a list of non-empty strings")
    compiled = []
    for entry in data.get("never", []):
        if not isinstance(entry, dict) or not isinstance(entry.get("pattern"), str):
            raise ValueError(f"lists: {path}: each [[never]] entry needs a 'pattern' string, got {entry!r}")
        try:
            pattern = re.compile(entry["pattern"])
        except re.error as exc:
            raise ValueError(f"lists: {path}: bad never pattern {entry['pattern']!r}: {exc}") from None
        for example in entry.get("examples", []):
            if not pattern.fullmatch(example):
                raise ValueError(
                    f"lists: {path}: never pattern {entry['pattern']!r} does not match its example {example!r}"
                )
        compiled.append(pattern)
    return tuple(fold_to_simplified(e).lower() for e in endings), tuple(compiled)


def glued_tail(line: str, *, max_chars: int) -> str | None:
    """What a stripped line carries after its last sentence end (and any closing quotes), when that is
    short: the one place a suffix stamp sits. None for a line that ends a sentence or has none near its end.

    >>> glued_tail("王荣说，吃水不忘挖井人。”AEJ毕节网", max_chars=30), glued_tail("推动发展。", max_chars=30)
    ('AEJ毕节网', None)
    """
    if line[-1] in SENTENCE_END:
        return None  # most lines of prose: nothing after the sentence
    match = _TAIL.search(line, max(0, len(line) - max_chars - 8))
    if match is None:
        return None
    tail = match.group(1).strip(_TRIM)
    return tail if 0 < len(tail) <= max_chars else None


def separated_head(line: str, *, max_chars: int) -> str | None:
    """What a stripped prose line carries before its first separator: the one place a prefix stamp sits
    ("AEJ毕节网 | 正文…", "【AEJ毕节网】正文…"). None when it has no such head or is not prose.

    >>> separated_head("【看看新闻】今天多云。", max_chars=30), separated_head("我们要坚持，不动摇。", max_chars=30)
    ('【看看新闻】', None)
    """
    match = _HEAD.match(line, 0, max_chars + 2)
    if match is None:
        return None
    head = match.group(1)
    return head if _PROSE.search(line, len(head)) else None


@functools.cache
def glued_patterns(max_chars: int) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """:func:`glued_tail` and :func:`separated_head` of many lines at once, over stripped lines joined by
    line breaks with one more at each end. ``tails`` runs over that text reversed and finds, reversed, what
    follows each line's last sentence end when it is at most ``max_chars + 7`` long (closing quotes, then the
    tail :func:`glued_tail` strips of separators); ``heads`` finds each line's head.

    >>> tails, heads = glued_patterns(30)
    >>> lines = ["王荣说，吃水不忘挖井人。”AEJ毕节网", "推动发展。", "【看看新闻】今天多云。", "AEJ毕节网 | 今天，多云"]
    >>> every = "\\n" + "\\n".join(lines) + "\\n"
    >>> [found[::-1] for found in tails.findall(every[::-1])], heads.findall(every)
    (['”AEJ毕节网'], ['【看看新闻】', 'AEJ毕节网'])
    """
    end, opener, closer = "。！？!?…；;", "“‘「『（(【\\[《〈", "”’」』）)】\\]》〉"
    tails = re.compile(rf"\n([^{end}\n]{{1,{max_chars + 7}}}+)[{end}]")
    # The head separated_head takes (bracketed first, never both: an atomic group), then prose after it.
    heads = re.compile(
        rf"\n((?>[{opener}][^{closer}\n]{{1,{max_chars}}}[{closer}]"
        rf"|[^{BLANKS}\n|｜丨]{{1,{max_chars + 1}}}+(?=[{BLANKS}|｜丨])))"
        rf"(?=[^\n。！？!?；;，,]*+[。！？!?；;，,])"
    )
    return tails, heads


def _balanced(text: str) -> bool:
    """Whether every opening bracket or quote in ``text`` is closed after it, and none is closed unopened.

    >>> _balanced("（来源：毕节网）"), _balanced("（详情请点击链接"), _balanced("网）")
    (True, False, False)
    """
    depth = 0
    for char in text:
        if char in OPENERS:
            depth += 1
        elif char in CLOSERS:
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


_CLOSING = "".join(sorted(CLOSERS))
# A line ending a sentence, possibly inside closing quotes, in lines joined by line breaks, reversed.
_SENTENCE_LINE = re.compile(f"\n([{re.escape(_CLOSING)}]*+[{re.escape(''.join(sorted(SENTENCE_END)))}][^\n]*)")
_SENTENCE_LINE_END = re.compile(f"\n[{re.escape(_CLOSING)}]*+[{re.escape(''.join(sorted(SENTENCE_END)))}]")


@functools.lru_cache(maxsize=4096)
def _looks_like_watermark(text: str, min_chars: int, max_chars: int, never: tuple[re.Pattern[str], ...]) -> bool:
    if not min_chars <= len(text) <= max_chars:
        return False
    letters = len(_LETTER.findall(text))
    if letters < 2 or letters < len(_DIGITS.findall(text)):
        return False
    if any(char in SENTENCE_END for char in text) or text[-1] in ":：":
        return False  # prose, or a label that introduces what follows ("详情请点击链接：")
    if not _balanced(text):
        return False  # a cut through a bracketed phrase is not a unit
    return not any(p.fullmatch(text) for p in never)


@functools.lru_cache(maxsize=4096)
def _ends_like_site(text: str, endings: tuple[str, ...]) -> bool:
    return fold_to_simplified(text).lower().endswith(endings)


def _repeats(keys: list[str], count: int) -> bool:
    """Whether some key occurs at least ``count`` times in ``keys``.

    >>> _repeats(["节网", "节网", "AE", "节网"], 3), _repeats(["节网", "AE"], 3)
    (True, False)
    """
    # Most documents have fewer keys than that in all: no Counter to build.
    return len(keys) >= count and max(Counter(keys).values()) >= count


class Watermark(Editor):
    """Remove a string that the document repeats at line ends, line starts or alone on lines.

    >>> lines = ["王荣首先表示热烈欢迎。AEJ毕节网", "AEJ毕节网", "秦如培说，吃水不忘挖井人。AEJ毕节网",
    ...          "双方就产业合作进行了商谈。AEJ毕节网", "主要负责同志参加座谈。"]
    >>> doc = Document(id="1", text="\\n".join(lines))
    >>> print(Watermark().edit(doc))
    王荣首先表示热烈欢迎。
    秦如培说，吃水不忘挖井人。
    双方就产业合作进行了商谈。
    主要负责同志参加座谈。
    >>> sorted({r.rule for r in doc.removals})
    ['repeated_suffix', 'standalone_line']
    """

    name = "watermark"

    def __init__(self, *, min_count: int = 3, min_share: float = 0.25, min_chars: int = 2, max_chars: int = 30,
                 min_evidence_share: float = 0.5, prefixes: bool = True, inline: bool = True,
                 lists: str | None = None) -> None:
        if min_count < 2:
            raise ValueError(f"min_count must be >= 2, got {min_count}")
        if not 0 < min_share <= 1:
            raise ValueError(f"min_share must be in (0, 1], got {min_share}")
        if not 2 <= min_chars <= max_chars:
            raise ValueError(f"need 2 <= min_chars <= max_chars, got min_chars={min_chars}, max_chars={max_chars}")
        if not 0 <= min_evidence_share <= 1:
            raise ValueError(f"min_evidence_share must be in [0, 1], got {min_evidence_share}")
        self.min_count = min_count
        self.min_share = min_share
        self.min_chars = min_chars
        self.max_chars = max_chars
        self.min_evidence_share = min_evidence_share
        self.prefixes = prefixes
        self.inline = inline
        self.lists = lists
        self._site_endings, self._never = load_lists(lists)

    def describe(self) -> dict[str, Any]:
        return {"stage": self.name, "min_count": self.min_count, "min_share": self.min_share,
                "min_chars": self.min_chars, "max_chars": self.max_chars,
                "min_evidence_share": self.min_evidence_share, "prefixes": self.prefixes,
                "inline": self.inline, "lists": self.lists or "builtin"}

    # -- detection ---------------------------------------------------------------------------------------

    def looks_like_watermark_string(self, text: str) -> bool:
        """The string guards: length, letters, no sentence punctuation inside, not on the ``never`` list.

        >>> wm = Watermark()
        >>> [wm.looks_like_watermark_string(s) for s in ["AEJ毕节网", "2019年", "——", "的发展。", "[微笑]", "记者："]]
        [True, False, False, False, False, False]
        """
        # Tables and lists offer the same strings line after line and round after round: remembered.
        return _looks_like_watermark(text, self.min_chars, self.max_chars, self._never)

    def _ends_like_site(self, text: str) -> bool:
        return _ends_like_site(text, self._site_endings)

    def detect(self, lines: list[str], *, at_end: bool) -> str | None:
        """The watermark that ends (``at_end``) or starts the stripped non-blank ``lines``, or None.

        Candidates come only from evidence (what follows a line's last sentence end, what precedes a prose
        line's first separator, short lines that repeat exactly): :func:`glued_tail` and
        :func:`separated_head` for every line at once, by :func:`glued_patterns` over the joined lines.
        """
        every = "\n" + "\n".join(lines) + "\n"
        return self._detect(lines, every, every[::-1], self._alone(lines), at_end=at_end)

    def _alone(self, lines: list[str]) -> Counter[str]:
        """How often each line short enough to be a watermark on its own occurs."""
        limit = self.max_chars
        return Counter([line for line in lines if len(line) <= limit])

    def _glued(self, every: str, reverse: str, *, at_end: bool) -> list[str]:
        """:func:`glued_tail` (``at_end``) or :func:`separated_head` of every line in ``every`` (stripped lines
        joined by line breaks, with one more at each end; ``reverse`` is it reversed), None left out."""
        limit = self.max_chars
        tails, heads = glued_patterns(limit)
        if not at_end:
            return heads.findall(every)
        found = []
        for reversed_tail in tails.findall(reverse):
            tail = reversed_tail[::-1]
            closers = len(tail) - len(tail.lstrip(_CLOSING))
            tail = tail[min(closers, len(tail) - 1) :].strip(_TRIM)  # as glued_tail's closers* before the tail
            if 0 < len(tail) <= limit:
                found.append(tail)
        return found

    def _detect(self, lines: list[str], every: str, reverse: str, alone: Counter[str], *, at_end: bool) -> str | None:
        """:meth:`detect` given ``every`` line joined by line breaks, with one more at each end, ``reverse``d,
        and the count of each line short enough to be a watermark alone, which both directions share."""
        if len(lines) < self.min_count:
            return None
        found = self._glued(every, reverse, at_end=at_end)
        glued = Counter(found)
        evidence = Counter(alone)
        evidence.update(found)
        candidates = [t for t, n in evidence.items() if n >= self.min_count and self.looks_like_watermark_string(t)]
        if not candidates:
            return None
        # A stamp rides on paragraphs, so its share is of the lines that end a paragraph or carry it: in
        # hard-wrapped text most lines stop mid-sentence and could never carry one.
        para_ends = -1  # counted when a candidate needs it
        # No line holds a line break, so in ``every`` each "candidate\n" ("\ncandidate") is one line ending
        # (starting) with the candidate: counted in C, whatever the number of candidates.
        ending: str | None = None
        for candidate in sorted(candidates, key=lambda t: (-len(t), -evidence[t], t)):
            # Only seen alone on its lines (table cells, a chorus): a watermark only if it names a site. Tested
            # first, as it needs no counting.
            if glued.get(candidate, 0) == 0 and not self._ends_like_site(candidate):
                continue
            probe = candidate + "\n" if at_end else "\n" + candidate
            occurrences = every.count(probe)
            body = candidate.rstrip(_CLOSING)
            if at_end and body:
                # Every line ending with the candidate ends a sentence exactly when the candidate does.
                carried_ends = occurrences if body[-1] in SENTENCE_END else 0
            else:
                if ending is None:  # the lines that end a sentence (reversed twice: in reverse order)
                    ending = ("\n" + "\n".join(_SENTENCE_LINE.findall(reverse)) + "\n")[::-1]
                carried_ends = ending.count(probe)
            if para_ends < 0:
                para_ends = len(_SENTENCE_LINE_END.findall(reverse))
            eligible = occurrences + para_ends - carried_ends
            if occurrences < self.min_share * eligible:
                continue
            if evidence[candidate] < self.min_evidence_share * occurrences:
                continue
            return candidate
        return None

    def might_have_watermark(self, text: str) -> tuple[bool, bool]:
        """Whether ``text`` might have a watermark as a suffix, and as a prefix (False when ``prefixes`` is
        off). False is a proof: no string has ``min_count`` pieces of evidence in that direction, so
        :meth:`detect` has no candidate to weigh. It is what nearly every document shows, decided by a pass
        of the regular-expression engine (:func:`evidence_keys`) in each direction without splitting the text
        into lines. A document that might have a suffix is read line by line anyway: its prefixes are then
        left to :meth:`detect` (True), which costs less than the pass.

        >>> wm = Watermark()
        >>> wm.might_have_watermark("今天多云。AEJ毕节网\\n明天有雨。AEJ毕节网\\nAEJ毕节网")
        (True, True)
        >>> wm.might_have_watermark("王荣首先表示热烈欢迎，对长期以来的帮助表示感谢。\\n秦如培说，吃水不忘挖井人。")
        (False, False)
        """
        suffix, prefix = evidence_keys(self.max_chars)
        forward = "\n" + text + "\n"
        if _repeats(suffix.findall(forward[::-1]), self.min_count):
            return True, self.prefixes
        if not self.prefixes:
            return False, False
        return False, _repeats(prefix.findall(forward), self.min_count)

    # -- removal -----------------------------------------------------------------------------------------

    def edit(self, doc: Document) -> str:
        # On the first round a direction without candidates cannot give a watermark: most documents have
        # none in either, and are decided without splitting the text into lines.
        suffix_candidates, prefix_candidates = self.might_have_watermark(doc.text)
        if not suffix_candidates and not prefix_candidates:
            return doc.text
        lines = doc.text.split("\n")
        alive = list(range(len(lines)))
        found: list[str] = []
        for _ in range(MAX_ROUNDS):
            stripped = [line for line in map(str.strip, (lines[i] for i in alive) if found else lines) if line]
            every = "\n" + "\n".join(stripped) + "\n"
            reverse, alone = every[::-1], self._alone(stripped)
            hit = self._detect(stripped, every, reverse, alone, at_end=True) if suffix_candidates or found else None
            at_end = True
            if hit is None and self.prefixes and (prefix_candidates or found):
                hit, at_end = self._detect(stripped, every, reverse, alone, at_end=False), False
            if hit is None:
                break
            found.append(hit)
            alive = self._remove(doc, lines, alive, hit, at_end=at_end)
        if not found:
            return doc.text
        if self.inline:
            self._remove_inline(doc, lines, alive, found)
        return "\n".join(lines[i] for i in alive)

    def _remove(self, doc: Document, lines: list[str], alive: list[int], mark: str, *, at_end: bool) -> list[int]:
        kept = []
        for i in alive:
            line = lines[i]
            body = line.strip()
            if body == mark:
                doc.record_removal(self.name, "standalone_line", line, kind="line", line=i)
                continue
            if at_end and body.endswith(mark):
                head = line.rstrip()
                lines[i] = head[: len(head) - len(mark)].rstrip(_TRIM)
                doc.record_removal(self.name, "repeated_suffix", mark, kind="span", line=i)
            elif not at_end and body.startswith(mark):
                indent = line[: len(line) - len(line.lstrip())]
                lines[i] = indent + body[len(mark) :].lstrip(_TRIM)
                doc.record_removal(self.name, "repeated_prefix", mark, kind="span", line=i)
            kept.append(i)
        return kept

    def _remove_inline(self, doc: Document, lines: list[str], alive: list[int], marks: list[str]) -> None:
        # Elsewhere in a line only as a separate token after a sentence end or a space ("…感谢。AEJ毕节网 王荣说"),
        # never inside a sentence ("据AEJ毕节网报道" is content).
        alternatives = "|".join(re.escape(m) for m in sorted(marks, key=len, reverse=True))
        pattern = re.compile(rf"(?:(?<=[。！？!?…；;”」』）)])|[ \t\u3000\xa0]+)(?:{alternatives})(?=[ \t\u3000\xa0])")
        for i in alive:
            line = lines[i]
            if not any(m in line for m in marks):
                continue
            for match in pattern.finditer(line):
                doc.record_removal(self.name, "inline", match.group().strip(), kind="span", line=i)
            lines[i] = pattern.sub("", line)
