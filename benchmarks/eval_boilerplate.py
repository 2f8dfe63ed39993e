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
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.content_data import heldout_dir, heldout_pages
from benchmarks.eval_data import Page, eval_dir, pages, seed_labels
from benchmarks.eval_scoring import PRF, LineScore, char_prf, contains, macro, score_lines
from corpusclean.document import Document
from corpusclean.io.parse import ParseOptions
from corpusclean.io.readers import iter_raw
from corpusclean.pipeline import Pipeline
from corpusclean.recipe import build_pipeline, load_recipe


def load_pipeline(config: str | None) -> Pipeline:
    return build_pipeline(load_recipe(config), where=config or "built-in recipe")


# Which main-text extractor corpusclean's HTML reader uses in this run (--html-extractor).
HTML_EXTRACTOR = ["readability"]


def read_through(pipeline: Pipeline, path: Path, fmt: str) -> Document:
    """One file through corpusclean's reader and pipeline, as ``corpusclean clean`` would do it."""
    errors: list[str] = []
    options = ParseOptions(html_extractor=HTML_EXTRACTOR[0])
    docs = list(pipeline.run_raw(iter_raw([str(path)], errors, fmt=fmt), options, workers=1))
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


def trafilatura_alone(path: Path, *, favor_precision: bool = False) -> str:
    import trafilatura

    return trafilatura.extract(path.read_bytes(), favor_precision=favor_precision) or ""


def through_jsonl(pipeline: Pipeline, text: str, name: str) -> Document:
    """``text`` (trafilatura's extraction of a page) cleaned as one record of a JSONL file, as a user who
    extracted the pages first would run corpusclean."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pages.jsonl"
        path.write_text(json.dumps({"id": name, "text": text}, ensure_ascii=False) + "\n", encoding="utf-8")
        return read_through(pipeline, path, "jsonl")


# What each set is to the scorer and the rules: tuned on, fitted on, or never seen.
ROLE_DEV = "dev (rules and scorer tuned/fitted)"
ROLE_FIT = "fit half (scorer fitted, title handling tuned)"
ROLE_UNSEEN = "held out (never fitted)"
SET_ROLES = {"cwced": ROLE_DEV, "trafilatura_zh": ROLE_UNSEEN, "readability_zh": ROLE_UNSEEN,
             "newspaper4k_zh": ROLE_UNSEEN}
TOOLS = ("trafilatura", "trafilatura_precision", "corpusclean", "corpusclean_jsonl")
TOOL_TITLES = {"trafilatura": "trafilatura", "trafilatura_precision": "traf. precision",
               "corpusclean": "cc on HTML", "corpusclean_jsonl": "cc on traf. JSONL"}


def heldout_page_list(heldout: str | None) -> list[Page]:
    """The held-out pages, their set named with the half they are in (``magichtml_article [test]``)."""
    base = heldout_dir(heldout)
    if base is None:
        return []
    found = []
    for h in heldout_pages(base):
        name = f"{h.page.set} [{h.half}]"
        SET_ROLES[name] = ROLE_FIT if h.half == "fit" else ROLE_UNSEEN
        found.append(Page(name, h.page.name, h.page.path, gold=h.page.gold))
    return found


def evaluate_pages(pipeline: Pipeline, base: Path, extra: list[Page] | None = None) -> dict[str, Any]:
    outputs: dict[str, dict[str, str]] = {tool: {} for tool in TOOLS}
    seconds = dict.fromkeys(TOOLS, 0.0)
    rejected: dict[str, str] = {}
    rule_shares = LineScore()  # removal receipts on pages with gold text: content chars vs the rest
    all_pages: list[Page] = [*pages(base), *(extra or [])]
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
        for tool, precise in (("trafilatura", False), ("trafilatura_precision", True)):
            start = time.perf_counter()
            outputs[tool][key] = trafilatura_alone(page.path, favor_precision=precise)
            seconds[tool] += time.perf_counter() - start
        start = time.perf_counter()
        doc = through_jsonl(pipeline, outputs["trafilatura"][key], key)
        seconds["corpusclean_jsonl"] += time.perf_counter() - start
        outputs["corpusclean_jsonl"][key] = "" if doc.rejected is not None else doc.text

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
        entry["role"] = SET_ROLES.get(name, ROLE_UNSEEN)
        entry["rejected"] = sorted(k for k in rejected if k.startswith(f"{name}/"))
        sets[name] = entry
    n = len(all_pages)
    return {
        "sets": sets,
        "pages": per_page,
        "rejected": rejected,
        "rules": {rule: share.as_dict() for rule, share in sorted(rule_shares.rules.items())},
        "pages_per_second": {tool: round(n / s, 1) if s else None for tool, s in seconds.items()},
        "clean_prose": clean_prose_loss(pipeline, [p for p in all_pages if p.gold]),
    }


def clean_prose_loss(pipeline: Pipeline, golds: list[Page]) -> dict[str, Any]:
    """Each page's gold text cleaned as a text document of its own: the share of its characters that the
    receipts of each stage removed (clean prose should lose next to nothing), over all pages and per stage."""
    total = 0
    by_stage: dict[str, int] = defaultdict(int)
    for page in golds:
        doc = pipeline.process(Document(id=page.name, text=page.gold or ""))
        total += sum(len(line.strip()) for line in (page.gold or "").split("\n"))
        for r in doc.removals:
            by_stage[r.stage] += sum(len(line.strip()) for line in r.text.split("\n"))
    return {"gold_chars": total, "removed": dict(sorted(by_stage.items())),
            "removed_share": {stage: round(n / max(total, 1), 5) for stage, n in sorted(by_stage.items())}}


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
    print(f"  {'set':28s} {'pages':>5s}   " + "   ".join(f"{TOOL_TITLES[t]:16s}" for t in TOOLS) + "   role")
    for name, s in pages_["sets"].items():
        if "f1" in s.get("corpusclean", {}):
            print(f"  {name:28s} {s['pages']:5d}   " + "   ".join(f"{_prf(s.get(t)):16s}" for t in TOOLS)
                  + f"   {s['role']}")
        if "with_kept" in s.get("corpusclean", {}):
            for tool in TOOLS:
                t = s[tool]
                print(f"  {name:28s} {s['pages']:5d}   with kept {_pct(t['with_kept'])} / without gone "
                      f"{_pct(t['without_removed'])}   ({TOOL_TITLES[tool]}; {t['snippets']['with']} + "
                      f"{t['snippets']['without']} snippets)   {s['role']}")
    if pages_.get("heldout_note"):
        print(f"  {pages_['heldout_note']}")
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
    prose = pages_.get("clean_prose")
    if prose:
        shares = ", ".join(f"{stage} {100 * v:.3f}%" for stage, v in prose["removed_share"].items()) or "nothing"
        print(f"\nClean prose: the {prose['gold_chars']} characters of these gold texts cleaned as documents lose "
              f"{shares}")
    if detail:
        print("\n  per page F1 (trafilatura -> corpusclean), largest changes first")
        rows = sorted(pages_["pages"].items(), key=lambda kv: kv[1]["corpusclean"]["f1"] - kv[1]["trafilatura"]["f1"])
        rows = [(key, s) for key, s in rows if "f1" in s.get("corpusclean", {})]
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
    parser.add_argument("--html-extractor", choices=("trafilatura", "readability"), default="readability",
                        help="main-text extractor of corpusclean's HTML reader (ParseOptions.html_extractor)")
    parser.add_argument("--heldout", help="held-out pages with manifest.jsonl (default: $CORPUSCLEAN_HELDOUT, "
                        "else /work/heldout); not committed, skipped when absent")
    args = parser.parse_args(argv)
    pipeline = load_pipeline(args.config)
    HTML_EXTRACTOR[0] = args.html_extractor
    result: dict[str, Any] = {"stages": pipeline.names, "recipe": args.config or "built-in"}
    result["seeds"] = evaluate_seeds(pipeline)
    if not args.skip_pages:
        extra = heldout_page_list(args.heldout)
        result["pages"] = evaluate_pages(pipeline, eval_dir(args.eval_dir), extra)
        if not extra:
            result["pages"]["heldout_note"] = ("held-out pages: none found (--heldout DIR or $CORPUSCLEAN_HELDOUT; "
                                               "fetched data is not committed), skipped")
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        if args.skip_pages:
            result["pages"] = {"sets": {}, "rejected": {}, "rules": {}, "pages": {},
                               "pages_per_second": dict.fromkeys(TOOLS)}
        print_report(result, detail=args.pages_detail)
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["PRF", "evaluate_pages", "evaluate_seeds", "main"]
