"""Drop spam pages: dense gambling/adult/advertising keywords, or the same phrases stuffed again and again."""

from __future__ import annotations

from typing import Any

from corpusclean.document import Document
from corpusclean.quality.signals import KeywordPack, check_fraction, shared
from corpusclean.stage import Filter, Limit


class Spam(Filter):
    """Reject a document when more than ``max_keyword_density`` of its characters are spam keywords
    (rule ``keyword_density``; the pack is ``rules/quality/spam_keywords.toml`` unless ``keywords`` names
    another file), or more than ``max_repeated_phrase_frac`` are phrases repeated three times or more
    (rule ``repeated_phrase_frac``: SEO keyword chains).

    A density, not a hit: reports about gambling crackdowns name the thing a few times and stay.

    >>> doc = Document(id="1", text="澳门新葡京娱乐城，百家乐、龙虎斗、时时彩，注册送38元彩金，提款秒到账！")
    >>> Spam().check(doc)
    >>> doc.rejected.rule
    'keyword_density'
    """

    name = "spam"

    def __init__(self, *, keywords: str = "builtin", max_keyword_density: float = 0.05,
                 max_repeated_phrase_frac: float = 0.3) -> None:
        if not isinstance(keywords, str) or not keywords:
            raise ValueError(f"keywords must be 'builtin' or the path of a keyword pack, got {keywords!r}")
        self.keywords = keywords
        self.pack = KeywordPack(None if keywords == "builtin" else keywords)
        self.max_keyword_density = check_fraction("max_keyword_density", max_keyword_density)
        self.max_repeated_phrase_frac = check_fraction("max_repeated_phrase_frac", max_repeated_phrase_frac)

    def check(self, doc: Document) -> None:
        measured = shared(doc)
        density = measured.keyword_density(self.pack)
        if density > self.max_keyword_density:
            groups = sorted({group for _, _, group in self.pack.matches(doc.text)})
            doc.reject(self.name, "keyword_density", value=round(density, 4), threshold=self.max_keyword_density,
                       groups=groups)
            return
        if measured.repeated_phrases_within(self.max_repeated_phrase_frac):
            return  # a bound from the counts and the shared pair sort: no phrase split needed
        repeated = measured.repeated_phrases()
        if repeated > self.max_repeated_phrase_frac:
            doc.reject(self.name, "repeated_phrase_frac", value=round(repeated, 4),
                       threshold=self.max_repeated_phrase_frac)

    def limits(self) -> tuple[Limit, ...]:
        return (Limit("keyword_density", self.max_keyword_density),
                Limit("repeated_phrase_frac", self.max_repeated_phrase_frac))

    def measure(self, doc: Document) -> dict[str, float]:
        measured = shared(doc)
        return {"keyword_density": measured.keyword_density(self.pack),
                "repeated_phrase_frac": measured.repeated_phrases()}

    def describe(self) -> dict[str, Any]:
        return {"stage": self.name, "keywords": self.pack.path, "pack": f"{self.pack.id} {self.pack.version}",
                "max_keyword_density": self.max_keyword_density,
                "max_repeated_phrase_frac": self.max_repeated_phrase_frac}
