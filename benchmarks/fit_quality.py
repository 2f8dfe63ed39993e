"""Fit the document quality score (corpusclean/quality/score_weights.json) and print its figures.

Clean: the fit halves of People's Daily 1998 and 三国演义, the eval gold texts, the seeds and the Traditional
texts (benchmarks/quality_data.py). Garbage: the "fit" split only (seed 1; People's Daily, the even cwced
pages, half the spam pack's groups). Every document first goes through the default recipe's stages before
``quality`` (editing stages and the six quality filters), so the score is fitted on what reaches it.

The model is a logistic regression on standardised features, fitted here by Newton's method with an L2
penalty (numpy only; the package does inference with numpy from the JSON). Each garbage kind carries the
same total weight, and all garbage together as much as all clean text, so a kind with many pages does not
drown a small one. The decision threshold is the recipe's ``min_score``; this script prints what each
candidate threshold keeps and drops on the fit data. Judge the score on held-out garbage with
``python benchmarks/bench_quality_score.py``.

    python benchmarks/fit_quality.py             # fit, write the weights, print figures
    python benchmarks/fit_quality.py --dry-run   # fit and print, write nothing
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.quality_data import clean_sets, garbage_sets, halves  # noqa: E402
from corpusclean.document import Document  # noqa: E402
from corpusclean.quality.score import FEATURES, WEIGHTS, features  # noqa: E402
from corpusclean.recipe import build_pipeline, default_recipe  # noqa: E402

L2 = 1.0
# All clean text weighs this many times all garbage: losing clean text costs more than keeping some garbage.
CLEAN_WEIGHT = 3.0
VERSION = "1"


def fit_clean(clean: dict[str, list[str]]) -> dict[str, list[str]]:
    """The clean documents the fit sees: halves of the large sets, all of the small ones."""
    out = dict(clean)
    out["peoples_daily"] = halves(clean["peoples_daily"], "fit")
    out["sanguo"] = halves(clean["sanguo"], "fit")
    return out


def cleaned(texts: list[str], pipeline) -> list[str]:  # type: ignore[no-untyped-def]
    out = []
    for number, text in enumerate(texts):
        doc = pipeline.process(Document(id=str(number), text=text))
        if doc.rejected is None and doc.text.strip():
            out.append(doc.text)
    return out


def before_score():  # type: ignore[no-untyped-def]
    """The default recipe's per-document stages that run before ``quality``: its editing stages and the
    six quality filters. The score is fitted on what reaches it (garbage those filters drop is their job)."""
    from corpusclean.pipeline import Pipeline
    from corpusclean.stage import CorpusStage

    stages = []
    for stage in build_pipeline(default_recipe(), where="built-in recipe").stages:
        if stage.name == "quality" or isinstance(stage, CorpusStage):
            break
        stages.append(stage)
    return Pipeline(stages)


def matrix(texts: list[str]) -> np.ndarray:
    return np.array([[row[name] for name in FEATURES] for row in map(features, texts)], dtype=np.float64).reshape(
        -1, len(FEATURES))


def logistic_fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    """Weighted L2-penalised logistic regression by Newton's method (the intercept is not penalised)."""
    design = np.hstack([np.ones((len(x), 1)), x])
    beta = np.zeros(design.shape[1])
    penalty = np.full(design.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(100):
        p = 1 / (1 + np.exp(-(design @ beta)))
        gradient = design.T @ (w * (p - y)) + penalty * beta
        hessian = (design * (w * p * (1 - p))[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-9:
            break
    return beta[1:], float(beta[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="print the figures, do not write the weights")
    parser.add_argument("--out", type=Path, default=WEIGHTS, help=f"weights file (default {WEIGHTS})")
    parser.add_argument("--show", type=int, default=0, help="print this many worst-scored documents of each side")
    args = parser.parse_args()

    started = time.perf_counter()
    pipeline = before_score()
    clean = {k: cleaned(v, pipeline) for k, v in fit_clean(clean_sets()).items()}
    garbage = {k: cleaned(v, pipeline) for k, v in garbage_sets("fit", clean_sets()).items()}
    print(f"data built and cleaned in {time.perf_counter() - started:.1f}s")

    blocks, labels, weights, names = [], [], [], []
    clean_total = sum(len(v) for v in clean.values())
    for name, texts in clean.items():
        blocks.append(matrix(texts))
        labels += [1] * len(texts)
        weights += [CLEAN_WEIGHT / clean_total] * len(texts)
        names += [f"clean:{name}"] * len(texts)
    # What the mojibake stage repairs is clean text again: not garbage for the score to learn.
    kinds = [k for k, v in garbage.items() if v and k != "mojibake"]
    for name in kinds:
        texts = garbage[name]
        blocks.append(matrix(texts))
        labels += [0] * len(texts)
        weights += [1.0 / (len(kinds) * len(texts))] * len(texts)
        names += [f"garbage:{name}"] * len(texts)
    x = np.vstack(blocks)
    y = np.array(labels, dtype=np.float64)
    w = np.array(weights) * len(y) / (1 + CLEAN_WEIGHT)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    coef, intercept = logistic_fit((x - mean) / scale, y, w, L2)
    reference = np.median(x[y == 1], axis=0)
    scores = 1 / (1 + np.exp(-(intercept + ((x - mean) / scale) @ coef)))

    print(f"\n{len(y):,} documents: {int(y.sum()):,} clean, {int(len(y) - y.sum()):,} garbage in {len(kinds)} kinds")
    print("\nweights (per standard deviation of the feature; + means more like clean text):")
    for name, c, m, s, r in zip(FEATURES, coef, mean, scale, reference, strict=True):
        print(f"  {name:<20} {c:+8.3f}   mean {m:8.3f}  sd {s:7.3f}  clean median {r:7.3f}")
    print(f"  {'intercept':<20} {intercept:+8.3f}")
    print("\non the fit data, share of each class at or above each threshold (clean: kept; garbage: dropped):")
    thresholds = (0.1, 0.2, 0.3, 0.5, 0.7)
    print(f"  {'class':<26}" + "".join(f"{t:>9}" for t in thresholds) + "   min score")
    labels_arr = np.array(names)
    for name in dict.fromkeys(names):
        s = scores[labels_arr == name]
        if name.startswith("clean:"):
            cells = "".join(f"{np.mean(s >= t):9.2%}" for t in thresholds)
            extreme = s.min()
        else:
            cells = "".join(f"{np.mean(s < t):9.2%}" for t in thresholds)
            extreme = s.max()
        print(f"  {name:<26}{cells}   {'min' if name.startswith('clean') else 'max'} {extreme:.3f}")
    texts_all = [t for v in clean.values() for t in v] + [t for k in kinds for t in garbage[k]]
    parts = coef * (x - reference) / scale
    for title, order in (("lowest-scoring clean", np.argsort(np.where(y == 1, scores, 2))[:args.show]),
                         ("highest-scoring garbage", np.argsort(np.where(y == 0, -scores, 2))[:args.show])):
        print(f"\n{title} documents (score, class, strongest pulls down, text):")
        for i in order:
            pulls = ", ".join(f"{FEATURES[j]} {parts[i, j]:+.1f}" for j in np.argsort(parts[i])[:3])
            print(f"  {scores[i]:.3f} {names[i]:<24} {pulls}\n      {texts_all[i][:90]!r}")
    clean_scores = scores[y == 1]
    print("  all clean".ljust(28) + "".join(f"{np.mean(clean_scores >= t):9.2%}" for t in thresholds))

    if args.dry_run:
        return
    data = {
        "version": VERSION,
        "features": list(FEATURES),
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "coef": [round(float(v), 6) for v in coef],
        "intercept": round(intercept, 6),
        "reference": [round(float(v), 6) for v in reference],
        "fit": {
            "script": "benchmarks/fit_quality.py",
            "l2": L2,
            "clean_documents": int(y.sum()),
            "garbage_documents": int(len(y) - y.sum()),
            "garbage_kinds": kinds,
            "garbage_split": "fit (seed 1; People's Daily, even cwced pages, half the spam pack's groups)",
        },
    }
    args.out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
