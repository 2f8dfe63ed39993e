"""Which extraction setup should corpusclean's HTML reader use? Main-text extractors on real pages, alone and
with corpusclean's pipeline after them, scored like ``eval_boilerplate.py`` (character multisets after NFKC
and Traditional->Simplified folding, macro P/R/F1 per set).

Every page is decoded once the way corpusclean's reader does it (declared charset, else detection), so the
extractors differ only in what they keep. "+ pipeline" is the extractor's text, with the page title on top
when the text does not start with it (as the reader does), through the default recipe's per-document stages.

Setups: trafilatura with its defaults, ``favor_precision``, ``favor_recall`` and ``fast`` (no fallback);
readability-lxml; jusText with no stop list (link density and length only: it ships none for Chinese);
newspaper4k; and combinations: the lines of trafilatura (precision) that readability also has, and the
reverse; trafilatura (precision) falling back to its defaults when the precise text is under a third as long;
readability falling back to trafilatura (precision) when it has under half as many characters, as plain text
or written out by trafilatura; and corpusclean's own ``extract(extractor="readability")``, which is the last.

readability-lxml and newspaper4k are not corpusclean dependencies (``pip install readability-lxml newspaper4k``);
setups whose package is missing are skipped. newspaper4k takes seconds a page and runs only when named in
``--only``.

Develop on ``cwced`` (the default); the other sets are test data: report them with ``--sets all``, never tune
on them.

Usage:
    python benchmarks/compare_extractors.py                 # cwced, table
    python benchmarks/compare_extractors.py --sets all --json
    python benchmarks/compare_extractors.py --manifest ../heldout/manifest.jsonl --sets all
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.eval_data import Page, _html_text, add_page_options, chosen_pages
from benchmarks.eval_scoring import char_prf, fold, macro
from corpusclean.document import Document
from corpusclean.io.encoding import declared_charset, decode_bytes
from corpusclean.io.html_extract import unwrap_layout_tables
from corpusclean.pipeline import Pipeline
from corpusclean.recipe import build_pipeline, load_recipe
from corpusclean.stage import CorpusStage

_OPTIONS = {"include_comments": False, "include_tables": True, "include_images": False}


def _trafilatura(**flags: bool) -> Callable[[str], str]:
    def run(html: str) -> str:
        import trafilatura

        return unwrap_layout_tables(trafilatura.extract(html, **_OPTIONS, **flags) or "")
    return run


def _readability(html: str) -> str:
    from readability import Document as Readable

    try:
        return _html_text(Readable(html).summary(html_partial=True))
    except Exception:  # readability raises on pages it cannot parse; count them as empty
        return ""


def _justext(html: str) -> str:
    import justext

    try:
        paragraphs = justext.justext(html.encode("utf-8"), frozenset(), encoding="utf-8",
                                     stopwords_low=0, stopwords_high=0)
    except Exception:
        return ""
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def _newspaper(html: str) -> str:
    from newspaper import Article

    article = Article("http://example.com/", language="zh")
    try:
        article.download(input_html=html)
        article.parse()
    except Exception:
        return ""
    return article.text or ""


def _lines_also_in(primary: str, other: str) -> str:
    """The lines of ``primary`` (the cells of its table rows, one by one) whose first or last eight folded
    characters, or all of them when shorter, occur in ``other``."""
    pool = fold(other)
    kept = []
    for line in primary.split("\n"):
        pieces = line.strip().strip("|").split("|") if line.lstrip().startswith("|") else [line]
        found = []
        for piece in pieces:
            f = fold(piece)
            if f and (f[:8] in pool or f[-8:] in pool):
                found.append(piece.strip())
        if found:
            kept.append(" ".join(found))
    return "\n".join(kept)


def _precise_and_readable(html: str) -> str:
    return _lines_also_in(_trafilatura(favor_precision=True)(html), _readability(html))


def _readable_and_trafilatura(html: str) -> str:
    return _lines_also_in(_readability(html), _trafilatura()(html))


def _readable_else_precise(html: str) -> str:
    readable = _readability(html)
    precise = _trafilatura(favor_precision=True)(html)
    return readable if len(fold(readable)) * 2 >= len(fold(precise)) else precise


def _readable_formatted(html: str) -> str:
    """readability's main node, written out by trafilatura (tables as Markdown, list items, headings); when
    readability has under half the characters of trafilatura's precise text, that text instead."""
    from readability import Document as Readable

    precise = _trafilatura(favor_precision=True)(html)
    try:
        node = Readable(html).summary(html_partial=True)
    except Exception:
        return precise
    readable = _html_text(node)
    if len(fold(readable)) * 2 < len(fold(precise)):
        return precise
    formatted = _trafilatura(favor_recall=True)(f"<html><body>{node}</body></html>")
    return formatted if len(fold(formatted)) * 10 >= len(fold(readable)) * 9 else readable


def _corpusclean_readability(html: str) -> str:
    from corpusclean.io.html_extract import extract, load

    tree = load(html)
    return extract(tree if tree is not None else html, metadata=False, extractor="readability")["text"]


def _precise_or_default(html: str) -> str:
    precise = _trafilatura(favor_precision=True)(html)
    default = _trafilatura()(html)
    return precise if len(precise) * 3 >= len(default) else default


SETUPS: dict[str, Callable[[str], str]] = {
    "trafilatura default": _trafilatura(),
    "trafilatura precision": _trafilatura(favor_precision=True),
    "trafilatura recall": _trafilatura(favor_recall=True),
    "trafilatura fast": _trafilatura(fast=True),
    "trafilatura precision+fast": _trafilatura(favor_precision=True, fast=True),
    "readability-lxml": _readability,
    "justext (no stop list)": _justext,
    "newspaper4k": _newspaper,
    "traf precision ∩ readability": _precise_and_readable,
    "traf precision or default if short": _precise_or_default,
    "readability ∩ traf default": _readable_and_trafilatura,
    "readability or traf precision if short": _readable_else_precise,
    "readability via trafilatura or traf precision": _readable_formatted,
    "corpusclean extractor=readability": _corpusclean_readability,
}


SLOW = frozenset({"newspaper4k"})
_NEEDS = {"readability": "readability", "newspaper": "newspaper", "justext": "justext"}


def _available(setup: str) -> bool:
    import importlib.util

    for word, module in _NEEDS.items():
        if word in setup and importlib.util.find_spec(module) is None:
            print(f"skipped {setup!r}: pip install {'readability-lxml' if module == 'readability' else module}",
                  file=sys.stderr)
            return False
    return True


def _title(html: str) -> str | None:
    import trafilatura
    from trafilatura.metadata import extract_title

    tree = trafilatura.load_html(html)
    return extract_title(tree) if tree is not None else None


def _decoded(path: Path) -> str:
    data = path.read_bytes()
    return decode_bytes(data, declared_charset(data))[0]


def evaluate(selected: list[Page], *, setups: dict[str, Callable[[str], str]]) -> dict[str, Any]:
    pipeline = build_pipeline(load_recipe(None), where="built-in recipe")
    per_doc_pipeline = Pipeline([s for s in pipeline.stages if not isinstance(s, CorpusStage)])
    scores: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    seconds: dict[str, float] = defaultdict(float)
    for page in selected:
        html = _decoded(page.path)
        title = _title(html)
        for name, run in setups.items():
            start = time.perf_counter()
            text = run(html)
            seconds[name] += time.perf_counter() - start
            scores[name][page.set].append(char_prf(text, page.gold or ""))
            titled = text if not title or text.startswith(title) else (f"{title}\n\n{text}" if text else title)
            doc = per_doc_pipeline.process(Document(id=page.name, text=titled))
            cleaned = "" if doc.rejected is not None else doc.text
            scores[f"{name} + pipeline"][page.set].append(char_prf(cleaned, page.gold or ""))
    out: dict[str, Any] = {}
    for name, by_set in scores.items():
        out[name] = {s: macro(v).as_dict() for s, v in by_set.items()}
        base = name.removesuffix(" + pipeline")
        if base == name:
            out[name]["ms_per_page"] = round(1000 * seconds[name] / len(selected), 1)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_page_options(parser)
    parser.add_argument("--only", help="comma-separated setup names (default: all)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = parser.parse_args(argv)
    chosen = chosen_pages(args)
    setups = {k: v for k, v in SETUPS.items()
              if (k in args.only.split(",") if args.only else k not in SLOW) and _available(k)}
    result = evaluate(chosen, setups=setups)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    sets = sorted({s for r in result.values() for s in r if s != "ms_per_page"})
    print(f"{'setup':44s} " + "  ".join(f"{s:>17s}" for s in sets) + "   ms/page")
    for name, r in result.items():
        cells = "  ".join(f"{r[s]['precision']:.3f}/{r[s]['recall']:.3f}/{r[s]['f1']:.3f}".rjust(17)
                          if s in r else " " * 17 for s in sets)
        ms = r.get("ms_per_page")
        print(f"{name:44s} {cells}   {'' if ms is None else ms}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
