"""One document quality score in [0, 1]: a logistic regression over measured signals, weights shipped as data.

Single thresholds cannot separate garbage pages that look like text from text that looks odd: a page of
60 headlines and a People's Daily list of delegates both have no sentence punctuation; character soup has
the composition of prose. Together the signals separate them. :func:`features` measures each document
(the existing composition, structure and repetition signals, :func:`~corpusclean.quality.wordlike.word_share`,
and evidence of headline pages: title-like lines, clause punctuation per ideograph, space-separated tokens),
and :class:`QualityModel` combines them with weights fitted by ``benchmarks/fit_quality.py`` on clean text
and garbage made from real text, kept in ``score_weights.json`` beside this module. Inference is a dot
product (numpy); nothing is downloaded or fitted at run time.

A score explains itself: :meth:`QualityModel.contributions` gives each feature's part of the logit
relative to the median clean document of the fit, so a rejection can name what pulled it down.
"""

from __future__ import annotations

import functools
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from corpusclean.quality.signals import CJK, DIGIT, LATIN, OTHER, PUNCT, SYMBOL, Measurements
from corpusclean.quality.wordlike import word_share

WEIGHTS = Path(__file__).with_name("score_weights.json")

# The features, in the order of the weights file.
FEATURES = (
    "word_share",            # ideographs inside dictionary-word pairs (wordlike.py)
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
    "spaced_frac",           # characters in lines of 4+ space-separated tokens (tag clouds, table rows)
    "dup_line_frac",         # lines repeating an earlier one
    "line_chars",            # log(1 + non-space characters per line)
    "headline_evidence",     # title_line_frac x title_lines: many title-like lines and little else
    "numbered_title_frac",   # characters in title-like lines that open with a number ("1." "12、")
)

# Clause and sentence punctuation, full- and half-width.
_CLAUSE_CHARS = "，。、；：！？,;!?"
_TITLE_MIN, _TITLE_MAX = 4, 40
# A title-like line (stripped): an optional number ("1." "12、" "[3]"), then no clause punctuation.
_TITLE_LINE = re.compile(r"(?:[\[(（]?[0-9０-９]{1,3}[.、．)）\]] ?)?[^，。、；：！？,;!?]+")
# A line of four or more tokens separated by spaces.
_SPACED_LINE = re.compile(r"\s*(?:\S+[ \t\u3000]+){3}\S")
_NUMBERED = re.compile(r"\s*[\[(（]?[0-9０-９]{1,3}\s*[.、．)）\]]")


def features(text: str, measured: Measurements | None = None) -> dict[str, float]:
    """The :data:`FEATURES` of ``text`` (``measured``: its shared :class:`Measurements`, if a stage has one).

    >>> f = features("首页\\n新闻中心\\n人民日报社论：迈向新世纪\\n今天天气很好，我们一起去公园散步。")
    >>> round(f["title_line_frac"], 2), f["list_frac"], f["word_share"] > 0.9
    (0.11, 0.0, True)
    """
    m = measured if measured is not None else Measurements(text)
    counts = m.counts()
    nonspace = max(m.nonspace(), 1)
    structure = m.line_structure()
    lines = structure["lines"]
    # Title-like lines, numbered ones and lines of spaced tokens. Only short lines can be titles, and clean
    # prose has few of them: the regular expressions run on those alone.
    title_chars = title_lines = numbered = spaced = 0
    for line in m.lines():
        if len(line) <= _TITLE_MAX + 8:
            stripped = line.strip()
            if _TITLE_MIN <= len(stripped) <= _TITLE_MAX and _TITLE_LINE.fullmatch(stripped):
                title_chars += len(stripped)
                title_lines += 1
                if _NUMBERED.match(stripped):
                    numbered += len(stripped)
        if " " in line and _SPACED_LINE.match(line):
            spaced += len(line) - line.count(" ")
    cjk = counts[CJK]
    clause = sum(map(text.count, _CLAUSE_CHARS)) if cjk else 0
    return {
        "word_share": word_share(text, cjk=counts[CJK]),
        "cjk_ratio": m.cjk_ratio(),
        "digit_ratio": counts[DIGIT] / nonspace,
        "latin_ratio": counts[LATIN] / nonspace,
        "symbol_ratio": (counts[SYMBOL] + counts[OTHER]) / nonspace,
        "punct_ratio": counts[PUNCT] / nonspace,
        "clause_punct": min(0.3, clause / cjk) if cjk else 0.0,
        "no_end_punct_frac": structure["no_end_punct_frac"],
        "short_line_frac": structure["short_line_frac"],
        "list_frac": structure["list_frac"],
        "title_line_frac": title_chars / nonspace,
        "title_lines": math.log1p(title_lines),
        "spaced_frac": spaced / nonspace,
        "dup_line_frac": m.duplicate_lines()["dup_line_frac"],
        "line_chars": math.log1p(nonspace / max(lines, 1)),
        "headline_evidence": title_chars / nonspace * math.log1p(title_lines),
        "numbered_title_frac": numbered / nonspace,
    }


class QualityModel:
    """The fitted logistic regression: ``score = 1 / (1 + exp(-(intercept + coef · (x - mean) / scale)))``.

    The weights file (JSON) holds ``features`` (names, in order), ``mean``, ``scale``, ``coef``,
    ``intercept``, ``reference`` (each feature's median over the clean documents of the fit) and a record of
    how it was fitted. A file whose features are not :data:`FEATURES` is refused: a score over misread
    columns would be garbage.

    >>> model = default_model()
    >>> model.score(features("中国经济持续发展，人民生活水平不断提高，社会保持和谐稳定。" * 3)) > 0.9
    True
    """

    def __init__(self, path: str | Path = WEIGHTS) -> None:
        self.path = str(path)
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ValueError(f"{path}: cannot read quality weights: {exc.strerror or exc}") from None
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: not valid JSON: {exc}") from None
        names = tuple(data.get("features", ()))
        if names != FEATURES:
            raise ValueError(f"{path}: weights are for features {list(names)}, this version measures {list(FEATURES)}")
        self.version = str(data.get("version", ""))
        self.mean = np.array(data["mean"], dtype=np.float64)
        self.scale = np.array(data["scale"], dtype=np.float64)
        self.coef = np.array(data["coef"], dtype=np.float64)
        self.intercept = float(data["intercept"])
        self.reference = np.array(data["reference"], dtype=np.float64)
        for key in ("mean", "scale", "coef", "reference"):
            if getattr(self, key).shape != (len(FEATURES),):
                raise ValueError(f"{path}: '{key}' needs {len(FEATURES)} numbers")
        self.fit = data.get("fit", {})

    def _vector(self, values: dict[str, float]) -> np.ndarray:
        return np.array([values[name] for name in FEATURES], dtype=np.float64)

    def logit(self, values: dict[str, float]) -> float:
        return float(self.intercept + self.coef @ ((self._vector(values) - self.mean) / self.scale))

    def score(self, values: dict[str, float]) -> float:
        """The probability the fit gives that the document is clean text."""
        return 1.0 / (1.0 + math.exp(-self.logit(values)))

    def contributions(self, values: dict[str, float]) -> dict[str, float]:
        """Each feature's part of the logit relative to the median clean document (negative: pulls the score
        down), largest pull first."""
        parts = self.coef * (self._vector(values) - self.reference) / self.scale
        order = np.argsort(parts, kind="stable")
        return {FEATURES[i]: float(parts[i]) for i in order}

    def describe(self) -> dict[str, Any]:
        return {"weights": Path(self.path).name, "version": self.version}


@functools.cache
def default_model() -> QualityModel:
    return QualityModel()
