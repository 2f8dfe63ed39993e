"""Does the page's DOM evidence tell content lines from the rest? Per-feature separation on real pages.

Each page goes through corpusclean's reader (encoding detection, trafilatura, the title on top), which attaches
``corpusclean.io.dom_evidence`` rows to ``doc.scratch``. Every non-blank line is labelled by alignment with
the gold text: *content* when at least half of its characters (folded: NFKC, Traditional->Simplified, no
spaces) occur in the gold in runs of 8+ characters (the whole line when shorter), runs used up as they match.
Printed: the share of lines (and characters) matched to the DOM; per feature, the share of non-content and of
content lines with the feature above 0.5, both classes' means, and the AUC of the feature as a score for
non-content (0.5: no separation; 1 or 0: perfect); and the cost per page of indexing the tree and mapping the
lines, against extraction alone (two passes over the pages; other work on the machine skews it).

Develop on ``cwced`` (the default); the other sets are test data: report them, never tune on them.

Usage:
    python benchmarks/dom_evidence_report.py
    python benchmarks/dom_evidence_report.py --sets all --json
    python benchmarks/dom_evidence_report.py --manifest ../heldout/manifest.jsonl --sets all
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.eval_data import Page, add_page_options, chosen_pages
from benchmarks.eval_scoring import consume_runs, fold, fold_lines
from corpusclean.document import Document
from corpusclean.io.dom_evidence import FEATURES
from corpusclean.io.parse import DOM_LINES, ParseOptions, parse_item
from corpusclean.io.readers import iter_raw

# Class/id word groups that mark chrome (every group but ``content``).
CHROME_GROUPS = ("nav", "footer", "header", "related", "hot", "share", "comment", "sidebar", "ad")


def read(path: Path, *, evidence: bool = True) -> Document:
    errors: list[str] = []
    options = ParseOptions(html_evidence=evidence)
    docs = [parse_item(item, options) for item in iter_raw([str(path)], errors, fmt="html")]
    if errors or len(docs) != 1:
        raise RuntimeError(f"{path}: expected one document ({'; '.join(errors)})")
    return docs[0]


def cost(selected: list[Page], *, repeat: int = 2) -> dict[str, float]:
    """Milliseconds per page of each step of reading a page with evidence, and of the reader without it
    (trafilatura given the HTML text, as before the evidence existed)."""
    from corpusclean.io.dom_evidence import index_page
    from corpusclean.io.encoding import declared_charset, decode_bytes
    from corpusclean.io.html_extract import extract, load

    htmls = [decode_bytes(data, declared_charset(data))[0] for data in (p.path.read_bytes() for p in selected)]
    steps = dict.fromkeys(("extract_from_text", "load", "index", "extract_from_tree", "map_lines"), 0.0)
    for html in htmls[:3]:  # warm up (imports, caches)
        extract(html)
    for _ in range(repeat):
        for html in htmls:
            t0 = time.perf_counter()
            extract(html)
            t1 = time.perf_counter()
            tree = load(html)
            t2 = time.perf_counter()
            page = index_page(tree)
            t3 = time.perf_counter()
            text = extract(tree if tree is not None else html)["text"]
            t4 = time.perf_counter()
            page.evidence(text.split("\n"))
            t5 = time.perf_counter()
            for key, seconds in zip(steps, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=True):
                steps[key] += seconds
    n = max(repeat * len(htmls), 1)
    return {key: round(1000 * seconds / n, 2) for key, seconds in steps.items()}


def labelled_lines(doc: Document, gold: str) -> list[tuple[str, bool, dict[str, float]]]:
    """``(line, is content, evidence)`` for every non-blank line of ``doc``."""
    pool = fold_lines(gold)
    out = []
    for line, row in zip(doc.text.split("\n"), doc.scratch[DOM_LINES], strict=True):
        folded = fold(line)
        if not folded:
            continue
        found, pool = consume_runs(folded, pool)
        out.append((line, found * 2 >= len(folded), row))
    return out


def auc(positive: list[float], negative: list[float]) -> float:
    """Probability that a random ``positive`` value exceeds a random ``negative`` one (ties count half).

    >>> auc([1.0, 1.0], [0.0, 1.0])
    0.75
    """
    if not positive or not negative:
        return 0.5
    ranked = sorted([(v, 1) for v in positive] + [(v, 0) for v in negative])
    rank_sum = 0.0
    i = 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        mid = (i + j + 1) / 2  # average 1-based rank of the tie group
        rank_sum += mid * sum(flag for _, flag in ranked[i:j])
        i = j
    n_pos, n_neg = len(positive), len(negative)
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def report(selected: list[Page]) -> dict[str, Any]:
    rows: list[tuple[str, bool, dict[str, float]]] = []
    for page in selected:
        rows.extend(labelled_lines(read(page.path), page.gold or ""))
    for row in (r for _, _, r in rows):
        row["words_chrome"] = float(any(row[f"words_{g}"] for g in CHROME_GROUPS))
        row["not_in_main"] = float(row["matched"] and not row["in_main"])
    names = [*FEATURES, "words_chrome", "not_in_main"]
    content = [r for _, c, r in rows if c]
    other = [r for _, c, r in rows if not c]
    matched = [r for _, _, r in rows if r["matched"]]
    chars = sum(len(fold(line)) for line, _, _ in rows)
    matched_chars = sum(len(fold(line)) for line, _, r in rows if r["matched"])
    features = {}
    for name in names:
        c = [r[name] for r in content]
        o = [r[name] for r in other]
        features[name] = {
            "noncontent_above_half": sum(v > 0.5 for v in o) / max(len(o), 1),
            "content_above_half": sum(v > 0.5 for v in c) / max(len(c), 1),
            "noncontent_mean": sum(o) / max(len(o), 1),
            "content_mean": sum(c) / max(len(c), 1),
            "auc_noncontent": auc(o, c),
        }
    # lines with text to match: not the empty rows and borders of trafilatura's Markdown tables ("|  | ")
    texty = [(line, r) for line, _, r in rows if line.replace("|", "").strip(" -:")]
    unmatched = [line for line, r in texty if not r["matched"]]
    return {
        "pages": len(selected), "lines": len(rows), "content_lines": len(content), "noncontent_lines": len(other),
        "matched_lines": len(matched) / max(len(rows), 1), "matched_chars": matched_chars / max(chars, 1),
        "text_lines": len(texty), "matched_text_lines": 1 - len(unmatched) / max(len(texty), 1),
        "unmatched_examples": unmatched[:20],
        "ms_per_page": (ms := cost(selected)),
        # evidence's extra time over extraction alone (from the same tree), and the reader's with / without
        "cost_ratio": round((ms["index"] + ms["map_lines"] + ms["extract_from_tree"]) / ms["extract_from_tree"], 3),
        "reader_ratio": round(sum(v for k, v in ms.items() if k != "extract_from_text") / ms["extract_from_text"], 3),
        "features": features,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_page_options(parser)
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = parser.parse_args(argv)
    chosen = chosen_pages(args)
    result = report(chosen)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"{result['pages']} pages, {result['lines']} non-blank lines: {result['content_lines']} content, "
          f"{result['noncontent_lines']} not")
    print(f"matched to the DOM: {100 * result['matched_lines']:.1f}% of lines, "
          f"{100 * result['matched_chars']:.1f}% of characters; {100 * result['matched_text_lines']:.1f}% of the "
          f"{result['text_lines']} lines with text (not table borders or empty rows)")
    ms = result["ms_per_page"]
    print(f"ms per page: index {ms['index']} + map lines {ms['map_lines']} over extraction from the tree "
          f"{ms['extract_from_tree']} (x{result['cost_ratio']}); the reader with evidence (load + index + extract "
          f"+ map) vs before (extraction from the text, {ms['extract_from_text']}): x{result['reader_ratio']}")
    print(f"\n{'feature':26s} {'>0.5 non-content':>17s} {'>0.5 content':>13s} {'mean non-c.':>12s} "
          f"{'mean content':>13s} {'AUC':>6s}")
    for name, f in result["features"].items():
        print(f"{name:26s} {100 * f['noncontent_above_half']:16.1f}% {100 * f['content_above_half']:12.1f}% "
              f"{f['noncontent_mean']:12.3f} {f['content_mean']:13.3f} {f['auc_noncontent']:6.3f}")
    if result["unmatched_examples"]:
        print("\nsome unmatched lines:")
        for line in result["unmatched_examples"]:
            print(f"  {line[:100]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
