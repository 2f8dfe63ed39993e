"""How well does corpusclean clean? Scores the default pipeline (or ``--config``) on labelled real text.

Part 1, the seeds (line labels in tests/data/seeds_lines.json): boilerplate-line recall (share of ``drop``
lines gone), content kept (share of ``keep``-line characters still present), removal precision (share of
the characters the receipts say were removed that were not content), strings that must be absent but
remain, and what each rule removed — per seed and overall. The rule packs were written with the seeds in
view, so these are training-set figures; the real pages below are the held-out ones.

Part 2, real pages with known main text (shared/eval): each HTML file through corpusclean's reader
(encoding detection + trafilatura + the pipeline) and through trafilatura alone (``trafilatura.extract``
on the raw bytes, its defaults) in the same run; both scored as multisets of non-space characters after
NFKC and Traditional->Simplified folding, macro-averaged per set. For trafilatura's own set, which has
snippets instead of full gold text: the share of must-keep snippets present and must-remove snippets gone.
Per rule, the characters its receipts removed from pages with gold text, and how many of them were gold
content (found in the gold in runs of 8+ characters): an over-eager rule shows up here.

Usage:
    python benchmarks/eval_boilerplate.py                 # compact table
    python benchmarks/eval_boilerplate.py --json          # machine-readable
    python benchmarks/eval_boilerplate.py --config my-recipe.toml --pages-detail
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.eval_data import Page, eval_dir, pages, seed_labels
from benchmarks.eval_scoring import PRF, LineScore, char_prf, contains, macro, score_lines
from corpusclean.document import Document
from corpusclean.io.parse import ParseOptions
from corpusclean.io.readers import iter_raw
from corpusclean.pipeline import Pipeline
from corpusclean.recipe import build_pipeline, load_recipe


def load_pipeline(config: str | None) -> Pipeline:
    return build_pipeline(load_recipe(config), where=config or "built-in recipe")


def read_through(pipeline: Pipeline, path: Path, fmt: str) -> Document:
    """One file through corpusclean's reader and pipeline, as ``corpusclean clean`` would do it."""
    errors: list[str] = []
    docs = list(pipeline.run_raw(iter_raw([str(path)], errors, fmt=fmt), ParseOptions(), workers=1))
    if errors or len(docs) != 1:
        raise RuntimeError(f"{path}: expected one document, got {len(docs)} ({'; '.join(errors)})")
    return docs[0]


def evaluate_seeds(pipeline: Pipeline) -> dict[str, Any]:
    per_seed: dict[str, Any] = {}
    total = LineScore()
    for seed in seed_labels():
        doc = read_through(pipeline, seed.path, "text")
        rejected = f"{doc.rejected.stage}/{doc.rejected.rule}" if doc.rejected else None
        score = score_lines(
            "" if rejected else doc.text, keep=seed.keep, drop=seed.drop, absent=seed.absent,
            removals=[(f"{r.stage}/{r.rule}", r.text) for r in doc.removals], rejected=rejected,
        )
        per_seed[seed.name] = score.as_dict()
        total.add(score)
    return {"seeds": per_seed, "overall": total.as_dict()}


def trafilatura_alone(path: Path) -> str:
    import trafilatura

    return trafilatura.extract(path.read_bytes()) or ""


def evaluate_pages(pipeline: Pipeline, base: Path) -> dict[str, Any]:
    outputs: dict[str, dict[str, str]] = {"corpusclean": {}, "trafilatura": {}}
    seconds = {"corpusclean": 0.0, "trafilatura": 0.0}
    rejected: dict[str, str] = {}
    rule_shares = LineScore()  # removal receipts on pages with gold text: content chars vs the rest
    all_pages: list[Page] = list(pages(base))
    for page in all_pages:
        key = f"{page.set}/{page.name}"
        start = time.perf_counter()
        doc = read_through(pipeline, page.path, "html")
        seconds["corpusclean"] += time.perf_counter() - start
        if page.gold is not None and doc.removals:
            rule_shares.add(score_lines("", keep=page.gold.split("\n"), drop=[],
                                        removals=[(f"{r.stage}/{r.rule}", r.text) for r in doc.removals]))
        if doc.rejected is not None:
            rejected[key] = f"{doc.rejected.stage}/{doc.rejected.rule}"
        outputs["corpusclean"][key] = "" if doc.rejected is not None else doc.text
        start = time.perf_counter()
        outputs["trafilatura"][key] = trafilatura_alone(page.path)
        seconds["trafilatura"] += time.perf_counter() - start

    sets: dict[str, Any] = {}
    per_page: dict[str, Any] = {}
    by_set: dict[str, list[Page]] = defaultdict(list)
    for page in all_pages:
        by_set[page.set].append(page)
    for name, members in by_set.items():
        entry: dict[str, Any] = {"pages": len(members)}
        for tool, texts in outputs.items():
            scored = [p for p in members if p.gold is not None]
            if scored:
                scores = [char_prf(texts[f"{p.set}/{p.name}"], p.gold or "") for p in scored]
                entry[tool] = macro(scores).as_dict()
                for p, s in zip(scored, scores, strict=True):
                    per_page.setdefault(f"{p.set}/{p.name}", {})[tool] = s.as_dict()
            withs = [(p, s) for p in members for s in p.with_]
            withouts = [(p, s) for p in members for s in p.without]
            if withs or withouts:
                entry.setdefault(tool, {}).update({
                    "with_kept": sum(contains(texts[f"{p.set}/{p.name}"], s) for p, s in withs) / max(len(withs), 1),
                    "without_removed": sum(not contains(texts[f"{p.set}/{p.name}"], s) for p, s in withouts)
                    / max(len(withouts), 1),
                    "snippets": {"with": len(withs), "without": len(withouts)},
                })
        if "f1" in entry.get("corpusclean", {}):
            entry["delta_f1"] = round(entry["corpusclean"]["f1"] - entry["trafilatura"]["f1"], 4)
        entry["rejected"] = sorted(k for k in rejected if k.startswith(f"{name}/"))
        sets[name] = entry
    n = len(all_pages)
    return {
        "sets": sets,
        "pages": per_page,
        "rejected": rejected,
        "rules": {rule: share.as_dict() for rule, share in sorted(rule_shares.rules.items())},
        "pages_per_second": {tool: round(n / s, 1) if s else None for tool, s in seconds.items()},
    }


# --- printing ---------------------------------------------------------------------------------------

def _pct(x: float) -> str:
    return f"{100 * x:5.1f}%"


def _prf(d: dict[str, float] | None) -> str:
    if not d or "f1" not in d:
        return "      -      "
    return f"{d['precision']:.2f}/{d['recall']:.2f}/{d['f1']:.2f}"


def print_report(result: dict[str, Any], *, detail: bool) -> None:
    print(f"pipeline: {' -> '.join(result['stages'])}")
    seeds = result["seeds"]
    print("\nSeeds (line labels)        boilerplate lines gone   content kept   removal precision   absent left")
    for name, s in [*seeds["seeds"].items(), ("overall", seeds["overall"])]:
        gone = f"{s['drop_lines_gone']}/{s['drop_lines']}"
        absent = ", ".join(s["absent_found"]) or "-"
        extra = f"   REJECTED {s['rejected']}" if s.get("rejected") else ""
        print(f"  {name:26s} {gone:>9s} {_pct(s['boilerplate_line_recall'])}    {_pct(s['content_kept'])}"
              f"        {_pct(s['removal_precision'])}      {absent}{extra}")
    rules = seeds["overall"]["rules"]
    if rules:
        print("\n  rule (stage/rule)                          removals     chars   of which content")
        for rule, r in sorted(rules.items(), key=lambda kv: -kv[1]["chars"]):
            print(f"  {rule:42s} {r['removals']:8d} {r['chars']:9d} {r['content_chars']:10d}")
    else:
        print("\n  (no removal receipts: no boilerplate stage in this pipeline yet)")

    pages_ = result["pages"]
    print("\nReal pages (char multisets, NFKC + T->S folded; P/R/F1 macro per set)")
    print("  set               pages   trafilatura alone   corpusclean        ΔF1")
    for name, s in pages_["sets"].items():
        if "f1" in s.get("corpusclean", {}):
            print(f"  {name:17s} {s['pages']:5d}   {_prf(s['trafilatura'])}      {_prf(s['corpusclean'])}"
                  f"     {s['delta_f1']:+.3f}")
        if "with_kept" in s.get("corpusclean", {}):
            t, c = s["trafilatura"], s["corpusclean"]
            print(f"  {name:17s} {s['pages']:5d}   with kept {_pct(t['with_kept'])} / without gone "
                  f"{_pct(t['without_removed'])} (trafilatura)")
            print(f"  {'':17s} {'':5s}   with kept {_pct(c['with_kept'])} / without gone "
                  f"{_pct(c['without_removed'])} (corpusclean)   [{c['snippets']['with']} + "
                  f"{c['snippets']['without']} snippets]")
    if pages_["rejected"]:
        print("  rejected by corpusclean:")
        for key, why in pages_["rejected"].items():
            print(f"    {key:60s} {why}")
    if pages_.get("rules"):
        print("  removal receipts on pages with gold text   removals     chars   of which gold content")
        for rule, r in sorted(pages_["rules"].items(), key=lambda kv: -kv[1]["chars"]):
            print(f"    {rule:40s} {r['removals']:8d} {r['chars']:9d} {r['content_chars']:10d}")
    pps = pages_["pages_per_second"]
    print(f"  pages/s in this run (one core, one page at a time): corpusclean {pps['corpusclean']}, "
          f"trafilatura {pps['trafilatura']}")
    if detail:
        print("\n  per page F1 (trafilatura -> corpusclean), largest changes first")
        rows = sorted(pages_["pages"].items(), key=lambda kv: kv[1]["corpusclean"]["f1"] - kv[1]["trafilatura"]["f1"])
        for key, s in rows:
            delta = s["corpusclean"]["f1"] - s["trafilatura"]["f1"]
            if abs(delta) >= 0.005:
                print(f"    {key:60s} {s['trafilatura']['f1']:.2f} -> {s['corpusclean']['f1']:.2f} ({delta:+.2f})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", help="recipe TOML (default: the built-in recipe)")
    parser.add_argument("--eval-dir", help="shared/eval folder (default: next to the repository)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument("--pages-detail", action="store_true", help="list per-page F1 changes")
    parser.add_argument("--skip-pages", action="store_true", help="seeds only")
    args = parser.parse_args(argv)
    pipeline = load_pipeline(args.config)
    result: dict[str, Any] = {"stages": pipeline.names, "recipe": args.config or "built-in"}
    result["seeds"] = evaluate_seeds(pipeline)
    if not args.skip_pages:
        result["pages"] = evaluate_pages(pipeline, eval_dir(args.eval_dir))
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        if args.skip_pages:
            result["pages"] = {"sets": {}, "rejected": {}, "rules": {}, "pages": {},
                               "pages_per_second": {"corpusclean": None, "trafilatura": None}}
        print_report(result, detail=args.pages_detail)
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["PRF", "evaluate_pages", "evaluate_seeds", "main"]
