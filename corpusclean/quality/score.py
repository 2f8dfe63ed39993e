"""One document quality score in [0, 1]: shallow gradient-boosted trees over measured signals, shipped as data.

Single thresholds cannot separate garbage pages that look like text from text that looks odd: a page of
60 headlines and a People's Daily list of delegates both have no sentence punctuation; character soup has
the composition of prose. Together the signals separate them. :func:`features` measures each document
(the existing composition, structure and repetition signals, :func:`~corpusclean.quality.wordlike.word_share`,
:func:`~corpusclean.quality.bigrams.bigram_pmi`, and evidence of headline pages and shuffled text: title-like
lines and their spread of lengths, numbering, sentence ends stranded inside lines), and :class:`QualityModel`
combines them with trees fitted by ``benchmarks/fit_quality.py`` on clean text and garbage made from real
text, kept in ``score_model.json`` beside this module. Inference walks the trees with numpy; nothing is
downloaded or fitted at run time.

A score explains itself: :meth:`QualityModel.contributions` credits each split a document passes to the
split's feature, so a rejection can name what pulled it down.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from corpusclean.quality.bigrams import MAX_CHARS as BIGRAM_CHARS
from corpusclean.quality.bigrams import bigram_pmi_arrays
from corpusclean.quality.charclasses import (
    _LIST_ITEM,
    CJK,
    CLASS_NAMES,
    CLOSERS,
    DIGIT,
    LATIN,
    OTHER,
    PUNCT,
    SENTENCE_END,
    SPACE,
    SYMBOL,
)
from corpusclean.quality.signals import Measurements, ends_sentence
from corpusclean.quality.wordlike import MAX_CHARS as WORD_CHARS
from corpusclean.quality.wordlike import word_shares
from corpusclean.text.codepoints import joined_prefixes, segment_totals
from corpusclean.text.tables import cells_as_lines

MODEL = Path(__file__).with_name("score_model.json")

# The features, in the order of the model file.
FEATURES = (
    "word_share",            # ideographs inside dictionary-word pairs (wordlike.py)
    "bigram_pmi",            # mean PMI of neighbouring characters, People's Daily table (bigrams.py)
    "bigram_strong",         # share of neighbouring pairs with PMI >= 2
    "cjk_ratio",             # ideographs among words
    "digit_ratio",           # digits / non-space characters
    "latin_ratio",           # Latin letters / non-space characters
    "symbol_ratio",          # symbols and other characters / non-space characters
    "punct_ratio",           # punctuation / non-space characters
    "clause_punct",          # ，。、；：！？ per ideograph (capped at 0.3): clauses of running text
    "no_end_punct_frac",     # characters in lines that do not end a sentence (signals.line_structure)
    "short_line_frac",       # characters in lines under 10 characters
    "list_frac",             # characters in list items ("1." "一、" bullets)
    "title_line_frac",       # characters in title-like lines: 4-40 characters, no clause punctuation
    "title_lines",           # log(1 + number of title-like lines): a headline page has dozens
    "title_spread",          # spread of title-like lines' lengths (sd / mean; 0 under 3 of them): couplets
                             # and verse run even, headlines do not
    "numbered_title_frac",   # characters in title-like lines that open with a number ("1." "12、")
    "numbered_frac",         # characters in any line opening with a number or 第N条/章/节
    "spaced_frac",           # characters in lines of 4+ space-separated tokens (tag clouds, table rows)
    "tiny_lines",            # share of lines of at most 4 characters (menus: 首页 新闻 体育)
    "equal_neighbour",       # share of lines of 4-12 characters as long as the line before or after (verse)
    "stranded_end",          # characters in lines with a 。！？ inside but not at their end (shuffled words)
    "punct_start",           # characters in lines opening with clause punctuation
    "dup_line_frac",         # lines repeating an earlier one
    "line_chars",            # log(1 + non-space characters per line)
    "line_count",            # log(1 + lines)
    "headline_evidence",     # title_line_frac x title_lines: many title-like lines and little else
    "punct_pair",            # clause marks next to another, one of them ，、；：。 (，， 。。 、、): shuffled words
)

# Clause and sentence punctuation, full- and half-width.
_CLAUSE_CHARS = "，。、；：！？,;!?"
_CLAUSE = frozenset("，。、；：！？")
_ENDS = frozenset("。！？!?")
_CLOSE = frozenset("。！？!?”」』）)…；;：:")
_TITLE_MIN, _TITLE_MAX = 4, 40
# A title-like line (stripped): an optional number ("1." "12、" "[3]"), then no clause punctuation.
_TITLE_LINE = re.compile(r"(?:[\[(（]?[0-9０-９]{1,3}[.、．)）\]] ?)?[^，。、；：！？,;!?]+")
# A line of four or more tokens separated by spaces.
_SPACED_LINE = re.compile(r"\s*(?:\S+[ \t\u3000]+){3}\S")
_NUMBERED = re.compile(r"\s*[\[(（]?[0-9０-９]{1,3}\s*[.、．)）\]]")
_NUMBERED_ANY = re.compile(r"\s*(?:[\[(（]?[0-9０-９]{1,3}\s*[.、．)）\]]|第[一二三四五六七八九十百0-9]+[条章节])")
# Characters a line needs for a number or a 第N条 at its start.
_OPENERS = frozenset("[(（0123456789０１２３４５６７８９第")
# Two clause marks side by side with one of these among them (，， 。。 、， ：。; not ！！ or ？！) are rare
# in written text (a typo) and common where words were shuffled.
_SOFT_CHARS = "，、；：,;。"
# Flags of _char_tables()'s first table (_BLANK: " " itself).
_SPACE, _END, _SENTENCE, _GAP, _CLAUSE_MARK, _NEWLINE, _BLANK, _SOFT = 1, 2, 4, 8, 16, 32, 64, 128
# The first characters of charclasses._LIST_ITEM's alternatives (a list item's opener).
_LIST_OPENER = re.compile(r"[•·●○◦■□▪▫◆◇★☆►▶▸▹‣⁃※→√\-*+0-9０-９(（一二三四五六七八九十①-⑳⑴-⒇⒈-⒛㈠-㈩]")


def features(text: str, measured: Measurements | None = None) -> dict[str, float]:
    """The :data:`FEATURES` of ``text`` (``measured``: its shared :class:`Measurements`, if a stage has one).

    >>> f = features("首页\\n新闻中心\\n人民日报社论：迈向新世纪\\n今天天气很好，我们一起去公园散步。")
    >>> round(f["title_line_frac"], 2), round(f["tiny_lines"], 2), f["word_share"] > 0.9
    (0.11, 0.5, True)
    """
    return features_batch([text], [measured])[0]


def features_batch(texts: list[str], measured: list[Measurements | None] | None = None) -> list[dict[str, float]]:
    """:func:`features` of many texts (``measured``: their shared :class:`Measurements`, or None each). The
    stage's cost was numpy's fixed cost per call and a Python pass over each document's lines, not the
    length of the text: here the word and bigram lookups and the line pass run once over all the texts end
    to end, and the regular expressions only on the few lines that could match them.

    >>> texts = ["首页\\n新闻中心\\n人民日报社论：迈向新世纪", "今天天气很好，我们一起去公园散步。", ""]
    >>> [round(f["tiny_lines"], 2) for f in features_batch(texts)]
    [0.67, 0.0, 0.0]
    """
    return [dict(zip(FEATURES, row, strict=True)) for row in feature_rows(texts, measured)]


def feature_rows(texts: list[str], measured: list[Measurements | None] | None = None) -> list[list[float]]:
    """:func:`features_batch` as rows of values in the order of :data:`FEATURES` (what the trees read).

    A text with table rows is measured as its cells, one per line: a page laid out in tables is prose in
    cells, and its pipes would read as lines that never end a sentence (the shared measurements of the text
    itself then do not apply).
    """
    return feature_matrix(texts, measured).tolist()


def feature_matrix(texts: list[str], measured: list[Measurements | None] | None = None) -> np.ndarray:
    """:func:`feature_rows` as one ``float64`` matrix, a row per text (what :meth:`QualityModel.matrix_scores`
    reads). Every feature is computed for the chunk at once, as a column: integer sums per line and per text
    (segment sums over the texts end to end), divided in ``float64`` as Python divides them, the logarithms
    taken with :func:`math.log1p`: the same values as one text at a time, without a Python pass per text.
    """
    views = [cells_as_lines(text) for text in texts]
    ms = [m if m is not None and view is text else Measurements(view)
          for text, view, m in zip(texts, views, measured or [None] * len(texts), strict=True)]
    texts = views
    cps = [m.codepoints() for m in ms]
    # The texts are joined once: when no text is longer than the lookups read, the line pass and both lookups
    # share them. Each reads its table at the code points clipped to the BMP (np.take's mode "clip": beyond it,
    # U+FFFF, in no table), without an array of clipped indices.
    flat, offsets = joined_prefixes(cps, None)
    joined = None
    if BIGRAM_CHARS == WORD_CHARS:
        if offsets[-1] == 0 or int(np.diff(offsets).max()) <= WORD_CHARS:
            joined = (flat, offsets)
        else:
            joined = joined_prefixes(cps, WORD_CHARS)
    counts = np.array([m.counts() for m in ms], dtype=np.int64).reshape(len(ms), len(CLASS_NAMES))
    columns = _line_pass(texts, flat=flat, offsets=offsets, counts=counts)
    columns["word_share"] = word_shares(cps, counts[:, CJK], joined=joined)
    columns["bigram_pmi"], columns["bigram_strong"] = bigram_pmi_arrays(cps, joined=joined)
    columns["cjk_ratio"] = np.array([m.cjk_ratio() for m in ms], dtype=np.float64)
    columns["dup_line_frac"] = np.array([m.duplicate_lines()["dup_line_frac"] for m in ms], dtype=np.float64)
    x = np.empty((len(texts), len(FEATURES)), dtype=np.float64)
    for column, name in enumerate(FEATURES):
        x[:, column] = columns[name]
    return x


def _log1p(values: np.ndarray) -> np.ndarray:
    """:func:`math.log1p` of each value (numpy's own may differ in the last bit), as ``float64``."""
    return np.fromiter(map(math.log1p, values.tolist()), dtype=np.float64, count=len(values))


@functools.cache
def _char_tables() -> tuple[np.ndarray, ...]:
    """Lookup tables over the BMP (beyond it, read U+FFFF, in none of them): flags (white space as
    ``str.isspace`` and ``str.strip`` see it, :data:`_ENDS`, ``SENTENCE_END``, ...), closers, openers, clause
    marks, list openers, what ends_sentence can find last, closers that are not brackets."""
    flags = np.zeros(0x10000, dtype=np.uint8)
    flags[[c for c in range(0x3001) if chr(c).isspace()]] |= _SPACE
    flags[[ord(c) for c in _ENDS]] |= _END
    flags[[ord(c) for c in SENTENCE_END]] |= _SENTENCE
    flags[[ord(c) for c in " \t\u3000"]] |= _GAP
    flags[[ord(c) for c in _CLAUSE_CHARS]] |= _CLAUSE_MARK
    flags[ord("\n")] |= _NEWLINE
    flags[ord(" ")] |= _BLANK
    flags[[ord(c) for c in _SOFT_CHARS]] |= _SOFT
    tables = [flags]
    for group in (_CLOSE, _OPENERS, _CLAUSE):
        table = np.zeros(0x10000, dtype=bool)
        table[[ord(c) for c in group]] = True
        tables.append(table)
    # The characters a list item (charclasses._LIST_ITEM) can start with, after its white space.
    table = np.zeros(0x10000, dtype=bool)
    table[[found.start() for found in _LIST_OPENER.finditer("".join(map(chr, range(0x10000))))]] = True
    tables.append(table)
    # What signals.ends_sentence can find last once white space is stripped: a sentence end, a closer, or the
    # closing bracket of a note.
    closing = np.zeros(0x10000, dtype=bool)
    closing[[ord(c) for c in (*SENTENCE_END, *CLOSERS, ")", "）")]] = True
    tables.append(closing)
    # The closers ends_sentence strips that no bracketed note can end with.
    closer = np.zeros(0x10000, dtype=bool)
    closer[[ord(c) for c in CLOSERS if c not in ")）"]] = True
    tables.append(closer)
    return tuple(tables)


def _within(positions: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """How many of the sorted ``positions`` fall in each range ``starts[i] .. ends[i] - 1``."""
    return np.searchsorted(positions, ends) - np.searchsorted(positions, starts)


@functools.cache
def _number_tables() -> tuple[np.ndarray, ...]:
    """Over the BMP: the digits of the opening numbers (``[0-9０-９]``), what may follow one in _NUMBERED,
    _NUMBERED_ANY or charclasses._LIST_ITEM (white space or a mark), the Chinese numerals of _LIST_ITEM's
    "一、", and what may follow them (white space or 、)."""
    space = [c for c in range(0x3001) if chr(c).isspace()]
    tables = []
    for chars, extra in (("0123456789０１２３４５６７８９", ".、．)）]:："), ("一二三四五六七八九十", "、")):
        run, after = np.zeros(0x10000, dtype=bool), np.zeros(0x10000, dtype=bool)
        run[[ord(c) for c in chars]] = True
        after[space + [ord(c) for c in extra]] = True
        tables += [run, after]
    return tuple(tables)


def _may_number(flat: np.ndarray, firsts: np.ndarray, lasts: np.ndarray, lines: np.ndarray, first_char: np.ndarray,
                run_table: np.ndarray, after_table: np.ndarray) -> np.ndarray:
    """Which of ``lines`` (indices; ``first_char``: the first character of each line) a regular expression of
    an opening number (1-3 characters of ``run_table``, white space, a mark) may match: those that do not
    open with such a character, and those whose run of them is at most 3 long and followed, in the line, by
    a character of ``after_table``. (A run of 4 leaves a character of the run after any 1-3 of them.) Most
    lines that open with a digit are dates and figures ("2020年"), which this leaves out without reading."""
    may = ~run_table[first_char[lines]]
    alive = ~may  # still in the opening run
    start, last = firsts[lines], lasts[lines]
    for step in (1, 2, 3):
        inside = start + step <= last
        char = _bmp(flat, np.minimum(start + step, last))
        in_run = inside & run_table[char]
        may |= alive & ~in_run & inside & after_table[char]
        alive &= in_run
    return may


def _bmp(flat: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The code points at positions ``at`` as indices of a BMP table (beyond it, U+FFFF)."""
    return np.minimum(flat[at], 0xFFFF, dtype=np.intp)


def _line_pass(texts: list[str], *, flat: np.ndarray, offsets: np.ndarray, counts: np.ndarray) -> dict[str, np.ndarray]:
    """Every feature but the lookups (``word_share``, ``bigram_pmi``, ``bigram_strong``) and the two the
    shared measurements keep (``cjk_ratio``, ``dup_line_frac``), as columns, one value per text, from its
    lines (split at "\\n") that are not blank once stripped. ``flat``, ``offsets``: the code points of all
    texts end to end and where each starts; ``counts``: each text's characters per class (a row per text).

    Only one pass reads every character (the flags of :func:`_char_tables`); lines, their ends and the
    characters counted in them come from the positions of flagged characters (white space and punctuation),
    a small share of the text; per-line values are summed per text with one running sum each. The regular
    expressions run only on lines whose length or first character lets them match."""
    flag_table, close_table, opener_table, clause_table, list_table, closing_table, closer_table = _char_tables()
    count = len(texts)
    size = len(flat)
    flags = np.take(flag_table, flat, mode="clip")
    marked = np.flatnonzero(flags != 0)  # a boolean's nonzero: half the time of a byte array's
    marks = flags[marked]

    def where(flag: int) -> np.ndarray:
        return marked[(marks & flag) > 0]

    space = where(_SPACE)
    # A line starts after each "\\n" and at each text's start: two sorted runs, merged (a stable sort of two
    # runs is one merge), without repeats.
    line_starts = np.concatenate((offsets[:-1], where(_NEWLINE) + 1))
    line_starts = np.sort(line_starts[line_starts < size], kind="stable")
    if len(line_starts) > 1:
        line_starts = line_starts[np.concatenate(([True], line_starts[1:] != line_starts[:-1]))]
    # The full line (for spaced lines): from its start to its "\\n" or the text's end.
    line_ends = np.append(line_starts[1:], size) if size else line_starts
    line_ends -= (line_ends > 0) & (flat[np.maximum(line_ends - 1, 0)] == 10) & (line_ends > line_starts)
    # Each line's first and last non-space character: past the run of white space at its start, before the
    # run at its end (runs of consecutive white-space positions).
    run_first = run_last = space
    run_at = np.zeros(0, dtype=np.intp)  # where each run starts in ``space``
    if len(space):
        breaks = np.flatnonzero(space[1:] != space[:-1] + 1) + 1
        run = np.zeros(len(space), dtype=np.intp)
        run[breaks] = 1
        run = np.cumsum(run)
        run_at = np.concatenate(([0], breaks))
        run_first = space[run_at][run]
        run_last = space[np.concatenate((breaks - 1, [len(space) - 1]))][run]
    firsts, lasts = line_starts.copy(), line_ends - 1
    if len(space):
        at = np.minimum(np.searchsorted(space, firsts), len(space) - 1)
        inside = space[at] == firsts
        firsts[inside] = run_last[at[inside]] + 1
        at = np.minimum(np.searchsorted(space, lasts), len(space) - 1)
        inside = space[at] == lasts
        lasts[inside] = run_first[at[inside]] - 1
    lines = np.flatnonzero(firsts < line_ends)
    firsts, lasts = firsts[lines], lasts[lines]
    sizes = lasts - firsts + 1
    owner = np.searchsorted(offsets, firsts, side="right") - 1
    # Lines of each text: line_at[k] .. line_at[k + 1].
    line_at = np.searchsorted(owner, np.arange(count + 1), side="left")

    def per_text(values: np.ndarray) -> np.ndarray:
        return segment_totals(values, line_at[:-1], line_at[1:])

    full_start, full_end = line_starts[lines], line_ends[lines]
    first_char, last_char = _bmp(flat, firsts), _bmp(flat, lasts)
    stranded = ~close_table[last_char] & (_within(where(_END), firsts, lasts + 1) > 0)
    # A spaced line has a " " and three gaps (" ", tab or U+3000) at least.
    blanks = _within(where(_BLANK), full_start, full_end)
    candidates = np.flatnonzero((blanks > 0) & (_within(where(_GAP), full_start, full_end) >= 3))
    punct = clause_table[first_char]
    # Neighbours within a text: the stripped sizes of the line before and of the one before that (0: none).
    index = np.arange(len(sizes))
    first_line = line_at[owner]
    previous = np.where(index - 1 >= first_line, np.roll(sizes, 1), 0)
    before = np.where(index - 2 >= first_line, np.roll(sizes, 2), 0)
    equal = np.where((sizes >= 4) & (sizes <= 12) & (sizes == previous), np.where(before == previous, 1, 2), 0)
    at = offsets[owner]
    # Where each line's stripped and full text start and end within its own text.
    owner_list = owner.tolist()
    first_in, last_in = (firsts - at).tolist(), (lasts + 1 - at).tolist()
    # _TITLE_LINE excludes every clause mark but the 、 an opening number may end with: a line without any is
    # title-like, one with two or more is not, and one with one can be only if it opens with a number (a
    # bracket or a digit, of the openers). The regular expressions read the lines of 4-40 characters that open
    # with one of the openers (is it numbered?) and may hold a number followed by white space or a mark.
    marks_at = where(_CLAUSE_MARK)
    clauses = _within(marks_at, firsts, lasts + 1)
    opens = opener_table[first_char]
    sized = (sizes >= _TITLE_MIN) & (sizes <= _TITLE_MAX)
    title = sized & (clauses == 0)
    digits, after_digits = _number_tables()[:2]
    read = np.flatnonzero(sized & (clauses <= 1) & opens)
    read = read[_may_number(flat, firsts, lasts, read, first_char, digits, after_digits)]
    found, numbered_found = [], []
    for i, sure in zip(read.tolist(), (clauses[read] == 0).tolist(), strict=True):
        stripped = texts[owner_list[i]][first_in[i]:last_in[i]]
        if sure or _TITLE_LINE.fullmatch(stripped):
            found.append(i)
            if _NUMBERED.match(stripped):
                numbered_found.append(i)
    title[found] = True
    numbered_title = np.zeros(len(sizes), dtype=bool)
    numbered_title[numbered_found] = True
    numbered = np.zeros(len(sizes), dtype=bool)
    opening = np.flatnonzero(opens)
    opening = opening[_may_number(flat, firsts, lasts, opening, first_char, digits, after_digits)]
    numbered[[i for i in opening.tolist() if _NUMBERED_ANY.match(texts[owner_list[i]][first_in[i]:last_in[i]])]] = True
    # _SPACED_LINE, read from the runs of white space: past the line's leading white space, a token (a whole run
    # of non-space characters: a gap must follow it) and a run of gaps, three times, then a non-space character.
    # So the line's first three runs of white space between its non-space characters (starting after its first
    # and before its last) are all gaps. A spaced line counts its characters but the " " (the full line).
    spaced = np.zeros(len(sizes), dtype=bool)
    if len(candidates):
        run_starts = space[run_at]
        all_gaps = np.logical_and.reduceat((flags[space] & _GAP) > 0, run_at)
        first_run = np.searchsorted(run_starts, firsts[candidates], side="right")
        three = np.searchsorted(run_starts, lasts[candidates]) - first_run >= 3
        first_run, candidates = first_run[three], candidates[three]
        spaced[candidates[all_gaps[first_run] & all_gaps[first_run + 1] & all_gaps[first_run + 2]]] = True
    start_in, end_in = (full_start - at).tolist(), (full_end - at).tolist()
    line_counts = np.diff(line_at)
    title_sizes = np.where(title, sizes, 0)
    title_chars = per_text(title_sizes)
    title_count = per_text(title)
    # Spread of the title-like lines' lengths (each text's in line order, as one array: the same sums).
    spread = np.zeros(count, dtype=np.float64)
    if len(title_count) and title_count.max() >= 3:
        title_lines = np.flatnonzero(title)
        title_at = np.searchsorted(owner[title_lines], np.arange(count + 1), side="left")
        lengths = sizes[title_lines].astype(np.float64)
        for k in np.flatnonzero(title_count >= 3).tolist():
            values = lengths[title_at[k]:title_at[k + 1]].copy()
            spread[k] = float(values.std() / values.mean())
    clause = _within(marks_at, offsets[:-1], offsets[1:])
    # Two clause marks side by side, one of them soft: counted at the second, which is in the same text as
    # the first when it is not the text's first character.
    soft = (flags[marks_at] & _SOFT) > 0
    paired = marks_at[1:][(marks_at[1:] == marks_at[:-1] + 1) & (soft[1:] | soft[:-1])]
    pairs = _within(paired, offsets[:-1] + 1, offsets[1:])
    # Non-space characters of each full line.
    solid_sizes = (full_end - full_start) - _within(space, full_start, full_end)
    no_ends, shorts, lists, solid = _line_structure(texts, flags, solid_sizes, where(_SENTENCE), list_table,
                                                    closing_table, owner_list, line_at, lines, full_start,
                                                    full_end, first_char, last_char, start_in, end_in,
                                                    flat=flat, lasts=lasts, inner=lasts - firsts,
                                                    closer_table=closer_table, per_text=per_text, owner=owner)
    nonspace = np.maximum(np.diff(offsets) - counts[:, SPACE], 1)
    total = np.maximum(per_text(sizes), 1)
    some_lines = np.maximum(line_counts, 1)
    cjk = counts[:, CJK]
    solid = np.maximum(solid, 1)
    title_lines_log = _log1p(title_count)
    title_frac = title_chars / nonspace
    return {
        "digit_ratio": counts[:, DIGIT] / nonspace,
        "latin_ratio": counts[:, LATIN] / nonspace,
        "symbol_ratio": (counts[:, SYMBOL] + counts[:, OTHER]) / nonspace,
        "punct_ratio": counts[:, PUNCT] / nonspace,
        # clause marks (，。、；：！？,;!?) per ideograph, capped
        "clause_punct": np.where(cjk > 0, np.minimum(0.3, clause / np.maximum(cjk, 1)), 0.0),
        "no_end_punct_frac": no_ends / solid,
        "short_line_frac": shorts / solid,
        "list_frac": lists / solid,
        "title_line_frac": title_frac,
        "title_lines": title_lines_log,
        "title_spread": spread,
        "numbered_title_frac": per_text(np.where(numbered_title, sizes, 0)) / nonspace,
        "numbered_frac": per_text(np.where(numbered, sizes, 0)) / total,
        "spaced_frac": per_text(np.where(spaced, (full_end - full_start) - blanks, 0)) / nonspace,
        "tiny_lines": per_text(sizes <= 4) / some_lines,
        "equal_neighbour": per_text(equal) / some_lines,
        "stranded_end": per_text(np.where(stranded, sizes, 0)) / total,
        "punct_start": per_text(np.where(punct, sizes, 0)) / total,
        "line_chars": _log1p(nonspace / some_lines),
        "line_count": _log1p(line_counts),
        "headline_evidence": title_frac * title_lines_log,
        "punct_pair": np.where(clause > 0, pairs / np.maximum(clause, 1), 0.0),
    }


def _line_structure(texts: list[str], flags: np.ndarray, sizes: np.ndarray, sentence_ends: np.ndarray,
                    list_table: np.ndarray, closing_table: np.ndarray, owner_list: list[int], line_at: np.ndarray,
                    lines: np.ndarray, full_start: np.ndarray, full_end: np.ndarray, first_char: np.ndarray,
                    last_char: np.ndarray, start_in: list[int], end_in: list[int], *, flat: np.ndarray,
                    lasts: np.ndarray, inner: np.ndarray, closer_table: np.ndarray,
                    per_text: Any, owner: np.ndarray) -> tuple[np.ndarray, ...]:
    """:meth:`Measurements.line_structure` (all three shares, lines under 10 characters short) of every text,
    from :func:`_line_pass`'s arrays of its non-blank lines (``sizes``: their non-space characters;
    ``sentence_ends``: the positions of ``SENTENCE_END`` characters): the characters of each text in lines
    that do not end a sentence, in short lines, in list items, and in all its lines (the shares' numerators
    and denominator), the regular expressions run only on lines that can match them (a list opener first; a
    sentence end inside but not last)."""
    ends = (flags[full_end - 1] & _SENTENCE) > 0 if len(full_end) else np.zeros(0, dtype=bool)
    # ends_sentence looks past trailing white space, one bracketed note and closers: only a line whose last
    # non-space character is a sentence end, a closer or a closing bracket can end a sentence that way.
    maybe = np.flatnonzero(~ends & closing_table[last_char] & (_within(sentence_ends, full_start, full_end) > 0))
    # Most of those lines are settled by their last two non-space characters (ends_sentence strips white space,
    # a bracketed note, then closers): a sentence end last; or a closer other than a bracket after a sentence
    # end (yes), or after nothing or anything but a closer or bracket (no). ends_sentence reads the rest.
    last = lasts[maybe]
    has_before = inner[maybe] > 0
    before = np.where(has_before, last - 1, last)
    closer = closer_table[_bmp(flat, last)]
    before_ends = has_before & ((flags[before] & _SENTENCE) > 0)
    last_ends = (flags[last] & _SENTENCE) > 0
    ends[maybe[last_ends | (closer & before_ends)]] = True
    maybe = maybe[~(last_ends | (closer & (before_ends | ~has_before | ~closing_table[_bmp(flat, before)])))]
    for i in maybe.tolist():
        if ends_sentence(texts[owner_list[i]][start_in[i]:end_in[i]]):
            ends[i] = True
    # The wrapping width of each text: 85% of its 90th-percentile line, if that is 20+ characters. The lines
    # are sorted by text, then size, in one sort of a combined key (sizes are below 2 ** 40).
    per_doc = np.diff(line_at)
    ordered = np.sort((owner.astype(np.int64) << 40) | sizes) & ((1 << 40) - 1) if len(sizes) else sizes
    pick = line_at[:-1] + (0.9 * np.maximum(per_doc - 1, 0)).astype(np.intp)
    width = np.where(per_doc > 0, ordered[np.minimum(pick, max(len(sizes) - 1, 0))] if len(sizes) else 0, 0)
    wrap_at = np.where(width >= 20, 0.85 * width, np.inf)
    wraps = ~ends & (sizes >= wrap_at[owner]) if len(sizes) else ends
    # A wrapped line waits for the line that settles it: the next line that does not wrap (its own fate), or
    # a blank line or the text's end after it (counted as not ending a sentence).
    index = np.arange(len(sizes))
    broken = np.ones(len(sizes), dtype=bool)
    if len(sizes) > 1:
        broken[:-1] = (owner[1:] != owner[:-1]) | (lines[1:] - lines[:-1] > 1)
    stops = np.flatnonzero(~wraps | broken)
    settled_by = stops[np.searchsorted(stops, index)] if len(sizes) else index
    no_end = np.where(~ends[settled_by], sizes, 0)  # a wrapped line stops only at a break: ~ends there
    listed = np.zeros(len(sizes), dtype=bool)
    digits, after_digits, numerals, after_numerals = _number_tables()
    opening = np.flatnonzero(list_table[first_char])
    opening = opening[_may_number(flat, lasts - inner, lasts, opening, first_char, digits, after_digits)]
    opening = opening[_may_number(flat, lasts - inner, lasts, opening, first_char, numerals, after_numerals)]
    listed[[i for i in opening.tolist() if _LIST_ITEM.match(texts[owner_list[i]][start_in[i]:end_in[i]])]] = True
    return (per_text(no_end), per_text(np.where(sizes < 10, sizes, 0)), per_text(np.where(listed, sizes, 0)),
            per_text(sizes))


class QualityModel:
    """The fitted model: a small ensemble of shallow regression trees (gradient boosting), whose leaves add
    up to the logit of the probability that a document is clean text: ``score = 1 / (1 + exp(-logit))``.

    Trees, not a weighted sum: the evidence is not linear. Word-likeness below 0.5 settles that a page is
    soup whatever its layout, while above 0.6 it says little; many short unpunctuated lines mean a headline
    page unless they run at even lengths (verse, couplets). A tree says "below this, whatever else".

    The model file (JSON) holds ``features`` (names, in order), ``depth``, ``base`` (the logit before any
    tree), and per tree, in heap order (node ``i`` has children ``2i + 1`` and ``2i + 2``), the ``feature``
    and ``threshold`` of each split (go right when the value is greater) and the ``value`` of every node (a
    split's value: the mean of its leaves over the fit's documents). A file whose features are not
    :data:`FEATURES` is refused: a score over misread columns would be garbage.

    >>> model = default_model()
    >>> model.score(features("中国经济持续发展，人民生活水平不断提高，社会保持和谐稳定。" * 3)) > 0.9
    True
    """

    def __init__(self, path: str | Path = MODEL) -> None:
        self.path = str(path)
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ValueError(f"{path}: cannot read the quality model: {exc.strerror or exc}") from None
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: not valid JSON: {exc}") from None
        names = tuple(data.get("features", ()))
        if names != FEATURES:
            raise ValueError(f"{path}: the model is for features {list(names)}, this version measures {list(FEATURES)}")
        try:
            self.depth = int(data["depth"])
            self.base = float(data["base"])
            self.feature = np.array(data["feature"], dtype=np.intp)
            self.threshold = np.array(data["threshold"], dtype=np.float64)
            self.value = np.array(data["value"], dtype=np.float64)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}: the model needs depth, base, feature, threshold and value: {exc}") from None
        splits, nodes = 2 ** self.depth - 1, 2 ** (self.depth + 1) - 1
        trees = len(self.feature)
        if self.depth < 1 or self.feature.shape != (trees, splits) or self.threshold.shape != (trees, splits) \
                or self.value.shape != (trees, nodes) or not trees:
            raise ValueError(f"{path}: trees of depth {self.depth} need {splits} splits and {nodes} node values each")
        if self.feature.min() < 0 or self.feature.max() >= len(FEATURES):
            raise ValueError(f"{path}: a split names a feature outside 0..{len(FEATURES) - 1}")
        self.version = str(data.get("version", ""))
        self.fit = data.get("fit", {})
        self._rows = np.arange(trees)
        # Flat copies for the walk: split j of tree t is at t * splits + j, node i at t * nodes + i.
        self._split_at = self._rows * splits
        self._node_at = self._rows * nodes
        self._feature_flat = self.feature.ravel()
        self._threshold_flat = self.threshold.ravel()
        self._value_flat = self.value.ravel()
        self._zeros = np.zeros(trees, dtype=np.intp)
        self._leaf_at = self._node_at + 2 ** self.depth - 1  # each tree's first leaf

    def _vector(self, values: dict[str, float]) -> np.ndarray:
        return np.fromiter(map(values.__getitem__, FEATURES), dtype=np.float64, count=len(FEATURES))

    def _paths(self, x: np.ndarray) -> list[np.ndarray]:
        """The node each tree reaches at each depth, root first (all trees at once)."""
        node = np.zeros(len(self.feature), dtype=np.intp)
        path = [node]
        for _ in range(self.depth):
            at = self._split_at + node
            node = 2 * node + 1 + (x[self._feature_flat[at]] > self._threshold_flat[at])
            path.append(node)
        return path

    def logit(self, values: dict[str, float]) -> float:
        x = self._vector(values)
        node = self._zeros
        for _ in range(self.depth):
            at = self._split_at + node
            node = 2 * node + 1 + (x[self._feature_flat[at]] > self._threshold_flat[at])
        return self.base + float(self._value_flat[self._node_at + node].sum())

    def logits(self, rows: list[dict[str, float]]) -> list[float]:
        """:meth:`logit` of many documents, all trees over all of them at once: the same values (each row's
        leaves are summed as :meth:`logit` sums them, one contiguous row of a matrix).

        >>> model = default_model()
        >>> rows = [features("首页\\n新闻中心"), features("中国经济持续发展，人民生活水平不断提高。")]
        >>> model.logits(rows) == [model.logit(row) for row in rows]
        True
        """
        if not rows:
            return []
        return self.matrix_logits(np.array([[row[name] for name in FEATURES] for row in rows], dtype=np.float64))

    def matrix_logits(self, x: np.ndarray) -> list[float]:
        """:meth:`logits` of the rows of ``x`` (one per document, columns in the order of :data:`FEATURES`)."""
        if self.depth == 2:
            # Every split's test on every row at once (one row per split of each tree), then each tree's leaf:
            # 3 + 2 * (right at the root) + (right at the child reached). The same leaves as the walk below.
            # The features as contiguous rows, so that each split reads one (a gather of whole rows).
            tests = np.ascontiguousarray(x.T)[self._feature_flat] > self._threshold_flat[:, None]
            root, left, right = tests[0::3], tests[1::3], tests[2::3]
            leaf = np.where(root, right, left).view(np.uint8)
            leaf += root.view(np.uint8) << 1
            # C-ordered, so that each document's leaves are summed as one contiguous row (as logit() sums them).
            node = np.ascontiguousarray(leaf.T, dtype=np.intp)
            node += self._leaf_at
        else:
            docs = np.arange(len(x))[:, None]
            node = np.zeros((len(x), len(self.feature)), dtype=np.intp)
            for _ in range(self.depth):
                at = self._split_at + node
                node = 2 * node + 1 + (x[docs, self._feature_flat[at]] > self._threshold_flat[at])
            node += self._node_at
        # One C-ordered row of leaves per document, summed as logit() sums its tree's leaves.
        sums = self._value_flat[node].sum(axis=1).tolist()
        return [self.base + total for total in sums]

    def scores(self, rows: list[dict[str, float]]) -> list[float]:
        """:meth:`score` of many documents."""
        return [1.0 / (1.0 + math.exp(-logit)) for logit in self.logits(rows)]

    def matrix_scores(self, x: np.ndarray) -> list[float]:
        """:meth:`score` of the rows of ``x`` (as :meth:`matrix_logits` reads them)."""
        return [1.0 / (1.0 + math.exp(-logit)) for logit in self.matrix_logits(x)]

    def score(self, values: dict[str, float]) -> float:
        """The probability the fit gives that the document is clean text."""
        return 1.0 / (1.0 + math.exp(-self.logit(values)))

    def expected_logit(self) -> float:
        """The logit before any split is read: ``base`` plus every tree's root value."""
        return self.base + float(self.value[:, 0].sum())

    def contributions(self, values: dict[str, float]) -> dict[str, float]:
        """Each feature's part of the logit (negative: pulls the score down), largest pull first: every
        split a document passes moves it from the value of one node to that of its child, and the move is
        credited to the split's feature. The parts add up to ``logit - expected_logit()``."""
        path = self._paths(self._vector(values))
        parts = np.zeros(len(FEATURES))
        for parent, child in itertools.pairwise(path):
            moves = self._value_flat[self._node_at + child] - self._value_flat[self._node_at + parent]
            np.add.at(parts, self._feature_flat[self._split_at + parent], moves)
        order = np.argsort(parts, kind="stable")
        return {FEATURES[i]: float(parts[i]) for i in order}

    def describe(self) -> dict[str, Any]:
        return {"model": Path(self.path).name, "version": self.version}


@functools.cache
def default_model() -> QualityModel:
    return QualityModel()
