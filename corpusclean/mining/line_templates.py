"""Turn the observed variants of a templated line into one regular expression that generalises over them.

"版权所有 © 2019 新华网 未经授权禁止转载" and "版權所有 © 2023 人民網 未經授權禁止轉載" are one template: a fixed
skeleton with a date and a site name that vary. The variants are compared in the rules' matching view
(:func:`corpusclean.rulepacks.pack.matching_view`: Simplified, lower-case, half-width punctuation), cut into tokens
(a run of digits is one token, a run of spaces is one token, any other character is a token), and aligned
one after the other (``difflib``, longest matching blocks): what every variant shares is the skeleton,
what differs becomes a gap. Each gap turns into a bounded wildcard over the kinds of characters seen in it
(``\\w{1,6}`` for site names, digits as ``\\d+`` everywhere since next year's date will differ
too), the skeleton is escaped, and the whole line is anchored: the rule removes lines that are nothing but
the template, never a sentence that quotes part of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from corpusclean.rulepacks.pack import keyword_variants, matching_view

_DIGITS = "\x00d"
_SPACE = "\x00s"
_GAP = "\x00g"
_TOKEN = re.compile(r"\d+|\s+|.", re.DOTALL)
_WORD_CHAR = re.compile(r"[\w]", re.UNICODE)
_MAX_GAP = 30
_KEYWORD_CHARS = 6


@dataclass(frozen=True, slots=True)
class Template:
    """A generalised line: the regular expression (over the matching view), a keyword every match contains,
    and how much of a typical variant is fixed skeleton (``literal_chars``) or gap (``gaps``)."""

    pattern: str
    keyword: str
    literal_chars: int
    gaps: int


def _tokens(view: str) -> list[str]:
    out = []
    for token in _TOKEN.findall(view):
        if token[0].isdigit() and token.isdigit():
            out.append(_DIGITS)
        elif token.isspace():
            out.append(_SPACE)
        else:
            out.append(token)
    return out


def _align(skeleton: list[str], tokens: list[str]) -> list[str]:
    """The part of ``skeleton`` that ``tokens`` shares, with a gap wherever either side has more."""
    matcher = SequenceMatcher(None, skeleton, tokens, autojunk=False)
    out: list[str] = []
    at_a = at_b = 0
    for a, b, size in matcher.get_matching_blocks():
        if a > at_a or b > at_b:
            out.append(_GAP)
        out.extend(skeleton[a:a + size])
        at_a, at_b = a + size, b + size
    return _collapse(out)


def _collapse(skeleton: list[str]) -> list[str]:
    """Merge neighbouring gaps, and fold into the gap a literal run between two gaps that holds fewer than
    two word characters (a chance match of one character inside two different site names)."""
    runs: list[list[str]] = []
    for token in skeleton:
        is_gap = token == _GAP
        if runs and (runs[-1][0] == _GAP) == is_gap:
            if not is_gap:
                runs[-1].append(token)
            continue
        runs.append([token])
    out: list[str] = []
    for number, run in enumerate(runs):
        if run[0] == _GAP:
            if not out or out[-1] != _GAP:
                out.append(_GAP)
            continue
        between_gaps = 0 < number < len(runs) - 1
        words = sum(1 for token in run if not token.startswith("\x00") and _WORD_CHAR.match(token))
        if between_gaps and words < 2:
            if out[-1] != _GAP:
                out.append(_GAP)
            continue
        out.extend(run)
    collapsed: list[str] = []
    for token in out:
        if token == _GAP and collapsed and collapsed[-1] == _GAP:
            continue
        collapsed.append(token)
    return collapsed


def _literal(token: str) -> str:
    if token == _DIGITS:
        return r"\d+"
    if token == _SPACE:
        return r"\s*"
    if token.isspace():
        return r"\s*"
    if not _WORD_CHAR.match(token):  # punctuation: one page drops the final 。 or the © another keeps
        return re.escape(token) + "?"
    return re.escape(token)


def _gap_class(seen: list[str]) -> str:
    """A character class for what a gap held: ``\\w`` (Chinese characters, letters, digits; a class over the
    CJK range would cost milliseconds to compile under the rules' IGNORECASE), spaces, and the punctuation
    seen."""
    chars = "".join(seen)
    parts: list[str] = []
    if re.search(r"\w", chars):
        parts.append(r"\w")
    if re.search(r"\s", chars):
        parts.append(r"\s")
    parts.extend(re.escape(char) for char in sorted({c for c in chars if not re.match(r"[\w\s]", c)}))
    if parts == [r"\w"]:
        return parts[0]
    return "[" + "".join(parts) + "]" if parts else "."


def generalise(lines: list[str]) -> Template | None:
    """One anchored pattern matching every line in ``lines`` (most frequent first), or None when what
    they share is too little to be a safe rule (under 4 fixed characters, under half of the longest line, or
    a gap over 30 characters: a sentence that recurs inside different paragraphs is no template).

    >>> t = generalise(["版权所有 © 2019 新华网 未经授权禁止转载", "版權所有 © 2023 人民網 未經授權禁止轉載",
    ...                 "版权所有 © 2005-2024 中国新闻网 未经授权禁止转载"])
    >>> print(t.pattern)
    ^\\s*版权所有\\s*©?\\s*\\d+[\\w\\s\\-]{1,15}网\\s*未经授权禁止转载\\s*$
    >>> bool(re.search(t.pattern, matching_view("版权所有 © 2025 光明网 未经授权禁止转载"))), t.keyword
    (True, '未经授权禁止')
    >>> bool(re.search(t.pattern, matching_view("据悉，该网站版权所有，未经授权禁止转载。")))
    False
    """
    views = [matching_view(line).strip() for line in lines if line.strip()]
    if not views:
        return None
    skeleton = _tokens(views[0])
    for view in views[1:]:
        skeleton = _align(skeleton, _tokens(view))
    skeleton = _collapse(skeleton)
    # Phase 1: literal skeleton with lazy gaps, to read what each variant has in each gap.
    probe = "".join("(.*?)" if token == _GAP else _literal(token) for token in skeleton)
    probe_re = re.compile(r"^\s*" + probe + r"\s*$")
    gaps = skeleton.count(_GAP)
    seen: list[list[str]] = [[] for _ in range(gaps)]
    for view in views:
        match = probe_re.match(view)
        if match is None:
            return None
        for number, value in enumerate(match.groups()):
            seen[number].append(value)
    pieces, gap_number = [], 0
    for token in skeleton:
        if token != _GAP:
            pieces.append(_literal(token))
            continue
        values = seen[gap_number]
        gap_number += 1
        shortest, longest = min(map(len, values)), max(map(len, values))
        if longest == 0:
            continue
        high = min(_MAX_GAP, longest + max(3, longest // 2))
        if longest > _MAX_GAP:
            return None
        pieces.append(f"{_gap_class(values)}{{{min(1, shortest)},{high}}}")
    body = "".join(pieces)
    pattern = r"^\s*" + re.sub(r"(?:\\s\*)+", r"\\s*", body) + r"\s*$"
    pattern = pattern.replace(r"\s*\s*", r"\s*")
    literal_chars = sum(1 for token in skeleton if not token.startswith("\x00") and not token.isspace())
    longest = max(len(re.sub(r"\s+", "", view)) for view in views)
    if literal_chars < 4 or literal_chars * 2 < longest:
        return None
    keyword = _keyword(skeleton)
    if keyword is None:
        return None
    compiled = re.compile(pattern)
    if not all(compiled.search(view) for view in views):
        return None
    return Template(pattern=pattern, keyword=keyword, literal_chars=literal_chars, gaps=gaps)


def _keyword(skeleton: list[str]) -> str | None:
    """The longest run of fixed word characters (no digits), cut to a few characters so its raw spellings
    (Traditional variants) stay few: the pre-filter the rule engine scans for."""
    best: list[str] = []
    run: list[str] = []
    for token in [*skeleton, _GAP]:
        if not token.startswith("\x00") and _WORD_CHAR.match(token) and not token.isdigit():
            run.append(token)
            continue
        if len(run) > len(best):
            best = run
        run = []
    if len(best) < 2:
        return None
    for size in (_KEYWORD_CHARS, 4, 3, 2):
        keyword = "".join(best[:size])
        try:
            keyword_variants(keyword)
        except ValueError:
            continue
        return keyword
    return None
