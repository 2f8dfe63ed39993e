"""Keep documents written in the recipe's languages: Chinese script share first, then a language model."""

from __future__ import annotations

from typing import Any

from corpusclean.document import Document
from corpusclean.quality.signals import check_fraction, shared
from corpusclean.stage import Filter, Limit


class Language(Filter):
    """Reject a document whose CJK ideographs are less than ``min_cjk_ratio`` of its words (rule
    ``cjk_ratio``; an ideograph is a word, so is a run of Latin letters such as a pinyin syllable), or
    whose language, identified by py3langid from its first ``sample`` characters, is not in ``languages``
    with probability at least ``min_score`` (rule ``language``). ``languages = []`` turns the model off.
    The detected language and its probability are recorded in ``doc.meta``.

    The model is the slowest quality measure by far, and on Chinese text it has nothing to add: a document
    whose words are more than ``sure_cjk_ratio`` CJK ideographs is Chinese (Japanese has its kana, Korean
    its hangul), so when ``zh`` is one of the ``languages`` it is kept without asking the model and
    ``doc.meta`` records ``language = "zh"`` with ``language_score`` left out. ``sure_cjk_ratio = 1`` asks
    the model about every document. ``min_score`` applies to the model's answers only.

    Wu and Cantonese codes count as ``zh`` (see :mod:`corpusclean.text.language_id`). To keep English too, set
    ``languages = ["zh", "en"]`` and ``min_cjk_ratio = 0``.

    >>> doc = Document(id="0", text="どうやって、1年以上参照されていないファイルを識別するか？")
    >>> Language().check(doc)
    >>> doc.rejected.rule
    'cjk_ratio'
    >>> doc = Document(id="1", text="これは日本語の文章です。漢字も使いますが、仮名が多いです。")
    >>> Language().check(doc)  # kanji-rich enough to leave doubt: the model decides
    >>> doc.rejected.rule, doc.rejected.detail["language"]
    ('language', 'ja')
    >>> doc = Document(id="2", text="貴州省黨政代表團赴廣東省學習考察，共商扶貧協作事宜。")
    >>> Language().check(doc)
    >>> doc.rejected is None, doc.meta["language"]
    (True, 'zh')
    """

    name = "language"

    def __init__(self, *, languages: list[str] | tuple[str, ...] = ("zh",), min_score: float = 0.0,
                 min_cjk_ratio: float = 0.4, sure_cjk_ratio: float = 0.8, sample: int = 1000) -> None:
        if isinstance(languages, str) or not all(isinstance(code, str) and code for code in languages):
            raise ValueError(f"languages must be a list of language codes such as ['zh'], got {languages!r}")
        if isinstance(sample, bool) or not isinstance(sample, int) or sample < 1:
            raise ValueError(f"sample must be an integer >= 1, got {sample!r}")
        self.languages = tuple(languages)
        self.min_score = check_fraction("min_score", min_score)
        self.min_cjk_ratio = check_fraction("min_cjk_ratio", min_cjk_ratio)
        self.sure_cjk_ratio = check_fraction("sure_cjk_ratio", sure_cjk_ratio)
        self.sample = sample

    def check(self, doc: Document) -> None:
        ratio = shared(doc).cjk_ratio()
        if ratio < self.min_cjk_ratio:
            doc.reject(self.name, "cjk_ratio", value=round(ratio, 4), threshold=self.min_cjk_ratio)
            return
        if not self.languages:
            return
        if ratio > self.sure_cjk_ratio and "zh" in self.languages:
            doc.meta["language"] = "zh"
            return
        from corpusclean.text.language_id import identify

        language, score = identify(doc.text, sample=self.sample)
        doc.meta["language"] = language
        doc.meta["language_score"] = round(score, 4)
        if language not in self.languages or score < self.min_score:
            doc.reject(self.name, "language", value=round(score, 4), threshold=self.min_score,
                       language=language, languages=list(self.languages))

    def limits(self) -> tuple[Limit, ...]:
        model = (Limit("language", self.min_score, "min"),) if self.languages else ()
        return (Limit("cjk_ratio", self.min_cjk_ratio, "min"), *model)

    def measure(self, doc: Document) -> dict[str, float]:
        """The CJK share, and the model's probability where :meth:`check` asked the model (it is not run again)."""
        values = {"cjk_ratio": shared(doc).cjk_ratio()}
        if "language_score" in doc.meta:
            values["language"] = doc.meta["language_score"]
        return values

    def describe(self) -> dict[str, Any]:
        from importlib.metadata import PackageNotFoundError, version

        try:
            model = f"py3langid {version('py3langid')}"
        except PackageNotFoundError:
            model = "py3langid (not installed)"
        return {"stage": self.name, "languages": list(self.languages), "min_score": self.min_score,
                "min_cjk_ratio": self.min_cjk_ratio, "sure_cjk_ratio": self.sure_cjk_ratio, "sample": self.sample,
                "model": model}
