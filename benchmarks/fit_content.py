"""Fit the content scorer's line model and write its weights into the package (corpusclean/content/weights.json).

    python benchmarks/fit_content.py                  # fit, print figures, write the weights
    python benchmarks/fit_content.py --dry-run        # fit and print, write nothing

What it is fitted on: every line of the text the ``content`` stage would see (the default recipe's stages
before it) of the development pages (CWCED) and of the ``fit`` half of the held-out pages (split by site, see
``benchmarks/content_data.py``), through both input paths: corpusclean's HTML reader and trafilatura's
default text given as a record; plus the lines of the same pages' gold texts read as documents of their own
(clean prose must pass). A line's label is whether half its characters are found in the gold
(:func:`benchmarks.content_data.label_lines`); each line weighs the square root of its length, as the
character scores count characters but a short label matters as much as a line.

The ``test`` half of the held-out pages is never read here. The seeds' line labels are not fitted either:
they are checked by ``eval_boilerplate.py`` (part 1) and the test suite.

Needs scikit-learn (``pip install scikit-learn``); the package itself only needs numpy to score.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from benchmarks.content_data import dev_pages, heldout_dir, heldout_pages, label_lines, prefix_pipeline, stage_inputs
from benchmarks.eval_data import eval_dir
from benchmarks.eval_scoring import char_prf, macro
from corpusclean.content.features import NAMES, line_features
from corpusclean.content.model import WEIGHTS_PATH

VIEWS = ("html", "trafilatura")


def collect(eval_base: Path, heldout: Path | None, cache: Path | None) -> list[dict[str, Any]]:
    """Per fit page: set, name, gold, and the text of each view (cached in ``cache`` when given)."""
    if cache is not None and cache.is_file():
        return json.loads(cache.read_text(encoding="utf-8"))
    pipeline = prefix_pipeline()
    rows = [{"set": p.set, "name": p.name, "gold": p.gold or "", **stage_inputs(pipeline, p.path)}
            for p in dev_pages(eval_base)]
    if heldout is not None:
        rows += [{"set": h.page.set, "name": h.page.name, "gold": h.page.gold or "",
                  **stage_inputs(pipeline, h.page.path)}
                 for h in heldout_pages(heldout) if h.half == "fit"]
    if cache is not None:
        cache.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return rows


def design(rows: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Feature rows, labels, weights and a group id (the page) of every non-blank line."""
    xs, ys, ws, gs = [], [], [], []
    for g, row in enumerate(rows):
        texts = [(row[view], False) for view in VIEWS] + [(row["gold"], True)]
        for text, is_gold in texts:
            if not text:
                continue
            lines = text.split("\n")
            labels = [1.0 if line.strip() else -1.0 for line in lines] if is_gold else label_lines(lines, row["gold"])
            features = line_features(lines)
            for i, (line, label) in enumerate(zip(lines, labels, strict=True)):
                if label < 0:
                    continue
                xs.append(features[i])
                ys.append(label >= 0.5)
                ws.append(math.sqrt(len(line.strip())) * (0.5 if is_gold else 1.0))
                gs.append(g)
    return np.array(xs), np.array(ys), np.array(ws), np.array(gs)


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, *, trees: int, depth: int, rate: float,
        min_leaf: int) -> dict[str, Any]:
    """Gradient-boosted trees (scikit-learn, fixed seed), exported as node arrays for numpy scoring. Internal
    node values are set to the weighted mean of the leaves below them, so that the changes along a path (what
    a removal's reason is computed from) are on the leaves' log-odds scale."""
    from sklearn.ensemble import GradientBoostingClassifier

    model = GradientBoostingClassifier(n_estimators=trees, max_depth=depth, learning_rate=rate, subsample=0.8,
                                       min_samples_leaf=min_leaf, random_state=0)
    model.fit(x, y, sample_weight=w)
    exported = []
    for (estimator,) in model.estimators_:
        tree = estimator.tree_
        value = tree.value[:, 0, 0].astype(float).copy()
        weight = tree.weighted_n_node_samples.astype(float)
        for node in range(tree.node_count - 1, -1, -1):  # children come after their parent
            left, right = tree.children_left[node], tree.children_right[node]
            if left >= 0:
                both = weight[left] + weight[right]
                value[node] = (value[left] * weight[left] + value[right] * weight[right]) / both
        exported.append({
            "feature": [int(f) if child >= 0 else -1
                        for f, child in zip(tree.feature, tree.children_left, strict=True)],
            "threshold": [round(float(t), 6) for t in tree.threshold],
            "left": [int(c) for c in tree.children_left],
            "right": [int(c) for c in tree.children_right],
            "value": [round(float(v), 6) for v in value],
        })
    probe = x[:1]
    init = float(model.decision_function(probe)[0]) - rate * sum(
        float(est.predict(probe)[0]) for (est,) in model.estimators_)
    return {"trees": exported, "depth": depth, "rate": rate, "init": round(init, 6)}


def line_scores(rows: list[dict[str, Any]], weights: dict[str, Any]) -> list[dict[str, np.ndarray]]:
    """The model's score of every line of every view (and of the gold text) of every page."""
    from corpusclean.content.model import LineModel

    model = LineModel.from_dict({"features": list(NAMES), **weights, "threshold": 0.5})
    return [{view: model.judge(row[view].split("\n"))[0] for view in (*VIEWS, "gold")} for row in rows]


def out_of_fold_scores(rows: list[dict[str, Any]], folds: int, **params: Any) -> list[dict[str, np.ndarray]]:
    """:func:`line_scores` where each page is scored by a model fitted without it (pages dealt round-robin into
    ``folds`` groups): what the threshold is chosen on, as scores of fitted pages flatter the model."""
    out: list[dict[str, np.ndarray]] = [{} for _ in rows]
    for fold in range(folds):
        inside = [row for i, row in enumerate(rows) if i % folds != fold]
        x, y, w, _ = design(inside)
        weights = fit(x, y, w, **params)
        held = [i for i in range(len(rows)) if i % folds == fold]
        for i, scores in zip(held, line_scores([rows[i] for i in held], weights), strict=True):
            out[i] = scores
    return out


def page_scores(rows: list[dict[str, Any]], scores: list[dict[str, np.ndarray]], threshold: float) -> dict[str, Any]:
    """Character P/R/F1 per set and view of the lines kept at ``threshold``, and the share of the gold texts'
    characters it removes."""
    by: dict[tuple[str, str], list[Any]] = defaultdict(list)
    gold_chars = gold_lost = 0
    for row, score in zip(rows, scores, strict=True):
        for view in VIEWS:
            lines = row[view].split("\n")
            kept = "\n".join(line for line, s in zip(lines, score[view], strict=True) if s >= threshold)
            by[(row["set"], view)].append(char_prf(kept, row["gold"]))
            by[(row["set"], view + " (before)")].append(char_prf(row[view], row["gold"]))
        lines = row["gold"].split("\n")
        gold_chars += sum(len(line.strip()) for line in lines)
        gold_lost += sum(len(line.strip()) for line, s in zip(lines, score["gold"], strict=True) if s < threshold)
    out: dict[str, Any] = {f"{s}/{v}": macro(scores).as_dict() for (s, v), scores in sorted(by.items())}
    out["gold_chars_lost"] = gold_lost / max(gold_chars, 1)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", help="shared/eval folder")
    parser.add_argument("--heldout", help="held-out pages (default $CORPUSCLEAN_HELDOUT or /work/heldout)")
    parser.add_argument("--cache", help="JSON file to keep the extracted texts in between runs")
    parser.add_argument("--trees", type=int, default=100)
    parser.add_argument("--depth", type=int, default=3)
    parser.add_argument("--rate", type=float, default=0.1, help="learning rate")
    parser.add_argument("--min-leaf", type=int, default=50, help="fewest lines in a leaf")
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds for the threshold")
    parser.add_argument("--max-gold-loss", type=float, default=0.001,
                        help="highest share of gold characters the threshold may remove on the fit pages")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    heldout = heldout_dir(args.heldout)
    if heldout is None:
        print("no held-out pages found: fitting on the development set alone", file=sys.stderr)
    rows = collect(eval_dir(args.eval_dir), heldout, Path(args.cache) if args.cache else None)
    x, y, w, _ = design(rows)
    print(f"fit lines: {len(y)} ({int(y.sum())} content) from {len(rows)} pages")
    params = {"trees": args.trees, "depth": args.depth, "rate": args.rate, "min_leaf": args.min_leaf}
    weights = fit(x, y, w, **params)
    best = None
    print(f"threshold chosen on {args.folds}-fold out-of-fold scores of the fit pages:")
    probabilities = out_of_fold_scores(rows, args.folds, **params)
    for threshold in (0.02, 0.04, 0.06, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5):
        scores = page_scores(rows, probabilities, float(threshold))
        f1 = np.mean([scores[f"{s}/{v}"]["f1"] for s in {r["set"] for r in rows} for v in VIEWS])
        ok = scores["gold_chars_lost"] <= args.max_gold_loss
        print(f"  threshold {threshold:.2f}: mean F1 {f1:.4f}, gold chars lost {scores['gold_chars_lost']:.5f}"
              f"{'' if ok else '  (too many)'}")
        if ok and (best is None or f1 > best[0]):
            best = (f1, float(threshold), scores)
    if best is None:
        raise SystemExit("no threshold keeps the gold text: loosen --max-gold-loss")
    print("  (the same threshold on the final model's own fit pages, which flatter it:",
          page_scores(rows, line_scores(rows, weights), best[1])["gold_chars_lost"], "gold chars lost)")
    f1, threshold, scores = best
    print(f"\nthreshold {threshold:.2f} (out-of-fold scores, fit pages only)")
    for key, value in scores.items():
        print(f"  {key:40s} {value}")
    used = Counter(NAMES[f] for tree in weights["trees"] for f in tree["feature"] if f >= 0)
    print("\nsplits per feature: " + ", ".join(f"{name} {n}" for name, n in used.most_common()))
    out = {
        "version": 1,
        "text": {
            "features": list(NAMES),
            **weights,
            "threshold": round(threshold, 4),
            "fitted_on": {"pages": len(rows), "lines": len(y), "sets": sorted({r["set"] for r in rows}),
                          "heldout_half": "fit", **params, "folds": args.folds,
                          "max_gold_loss": args.max_gold_loss},
        },
    }
    if not args.dry_run:
        WEIGHTS_PATH.write_text(json.dumps(out, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"\nwrote {WEIGHTS_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
