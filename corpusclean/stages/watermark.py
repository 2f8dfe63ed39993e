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

import re
import tomllib
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

from corpusclean.document import Document
from corpusclean.script import fold_to_simplified
from corpusclean.stage import Editor

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


def builtin_rules_dir() -> Path:
    """The ``rules/`` folder: inside the installed package, or at the top of a source checkout."""
    installed = resources.files("corpusclean").joinpath("rules")
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parents[2] / "rules"


def load_lists(path: str | Path | None = None) -> tuple[tuple[str, ...], tuple[re.Pattern[str], ...]]:
    """``(site_name_endings, never patterns)`` from a watermark word-list file (the built-in one when
    ``path`` is None). Every ``never`` entry must match each of its ``examples``.

    >>> endings, never = load_lists()
    >>> "网" in endings, any(p.fullmatch("[微笑]") for p in never)
    (True, True)
    """
    path = Path(path) if path is not None else builtin_rules_dir() / "detectors" / "watermark.toml"
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


def _ends_sentence(line: str) -> bool:
    """Whether a line ends a sentence, possibly inside closing quotes ("…说。”")."""
    stripped = line.rstrip("".join(CLOSERS))
    return bool(stripped) and stripped[-1] in SENTENCE_END


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
    ['watermark/repeated_suffix', 'watermark/standalone_line']
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
        if not self.min_chars <= len(text) <= self.max_chars:
            return False
        letters = len(_LETTER.findall(text))
        if letters < 2 or letters < len(_DIGITS.findall(text)):
            return False
        if any(char in SENTENCE_END for char in text) or text[-1] in ":：":
            return False  # prose, or a label that introduces what follows ("详情请点击链接：")
        if not _balanced(text):
            return False  # a cut through a bracketed phrase is not a unit
        return not any(p.fullmatch(text) for p in self._never)

    def _ends_like_site(self, text: str) -> bool:
        folded = fold_to_simplified(text).lower()
        return folded.endswith(self._site_endings)

    def detect(self, lines: list[str], *, at_end: bool) -> str | None:
        """The watermark that ends (``at_end``) or starts the stripped non-blank ``lines``, or None.

        Candidates come only from evidence (what follows a line's last sentence end, what precedes a prose
        line's first separator, short lines that repeat exactly), so in a document of plain prose the cost
        is a glance at each line's end and nothing is ever scanned for.
        """
        if len(lines) < self.min_count:
            return None
        limit = self.max_chars
        alone = Counter(line for line in lines if len(line) <= limit)
        pick = glued_tail if at_end else separated_head
        glued = Counter(found for found in (pick(line, max_chars=limit) for line in lines) if found)
        evidence = {mark: count + alone.get(mark, 0) for mark, count in glued.items()}
        for mark, count in alone.items():
            evidence.setdefault(mark, count)
        candidates = [t for t, n in evidence.items() if n >= self.min_count and self.looks_like_watermark_string(t)]
        if not candidates:
            return None
        # A stamp rides on paragraphs, so its share is of the lines that end a paragraph or carry it: in
        # hard-wrapped text most lines stop mid-sentence and could never carry one.
        ends = [_ends_sentence(line) for line in lines]
        para_ends = sum(ends)
        for candidate in sorted(candidates, key=lambda t: (-len(t), -evidence[t], t)):
            occurrences = carried_ends = 0
            for line, is_end in zip(lines, ends, strict=True):
                if line.endswith(candidate) if at_end else line.startswith(candidate):
                    occurrences += 1
                    carried_ends += is_end
            eligible = occurrences + para_ends - carried_ends
            if occurrences < self.min_share * eligible:
                continue
            if evidence[candidate] < self.min_evidence_share * occurrences:
                continue
            if glued.get(candidate, 0) == 0 and not self._ends_like_site(candidate):
                continue
            return candidate
        return None

    # -- removal -----------------------------------------------------------------------------------------

    def edit(self, doc: Document) -> str:
        lines = doc.text.split("\n")
        alive = list(range(len(lines)))
        found: list[str] = []
        for _ in range(MAX_ROUNDS):
            stripped = [line for line in (lines[i].strip() for i in alive) if line]
            hit = self.detect(stripped, at_end=True)
            at_end = True
            if hit is None and self.prefixes:
                hit, at_end = self.detect(stripped, at_end=False), False
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
                doc.record_removal(self.name, "watermark/standalone_line", line, kind="line", line=i)
                continue
            if at_end and body.endswith(mark):
                head = line.rstrip()
                lines[i] = head[: len(head) - len(mark)].rstrip(_TRIM)
                doc.record_removal(self.name, "watermark/repeated_suffix", mark, kind="span", line=i)
            elif not at_end and body.startswith(mark):
                indent = line[: len(line) - len(line.lstrip())]
                lines[i] = indent + body[len(mark) :].lstrip(_TRIM)
                doc.record_removal(self.name, "watermark/repeated_prefix", mark, kind="span", line=i)
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
                doc.record_removal(self.name, "watermark/inline", match.group().strip(), kind="span", line=i)
            lines[i] = pattern.sub("", line)
