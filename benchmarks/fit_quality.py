"""Fit the document quality score (corpusclean/quality/score_model.json and bigram_pmi.npz) and print its figures.

Clean: the fit halves of People's Daily 1998 and 三国演义, the eval gold texts, the seeds and the Traditional
texts (benchmarks/quality_data.py). Garbage: the "fit" split only (seed 1; People's Daily, the even cwced
pages, half the spam pack's groups). Every document first goes through the default recipe's stages before
``quality`` (editing stages and the six quality filters), so the score is fitted on what reaches it.

Two things are fitted:

* the character-bigram PMI table (corpusclean/quality/bigrams.py) on every other People's Daily document of
  the fit half (the raw text; 628 documents, about 600,000 characters);
* the model on every clean document of the fit (see :func:`fit_clean`): gradient-boosted trees
  (scikit-learn's HistGradientBoostingClassifier, depth ``DEPTH``, ``TREES`` rounds, monotone in the
  word-likeness and bigram features: more word-like never lowers the score), exported to JSON as complete
  binary trees that the package evaluates with numpy.
  scikit-learn is needed here only (``pip install scikit-learn``); the package never imports it. The export
  is checked against scikit-learn's own probabilities before it is written.

Each garbage kind carries the same total weight, and all clean text ``CLEAN_WEIGHT`` times all garbage, so a
kind with many pages does not drown a small one. This script prints what each candidate threshold keeps and
drops on the fit data; judge the score on held-out garbage with ``python benchmarks/bench_quality_score.py``.

    python benchmarks/fit_quality.py             # fit, write the model and the table, print figures
    python benchmarks/fit_quality.py --dry-run   # fit and print, write nothing
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.quality_data import clean_sets, garbage_sets, halves  # noqa: E402
from benchmarks.quality_pages import extracted_pages, flattened  # noqa: E402
from corpusclean.document import Document  # noqa: E402
from corpusclean.quality import bigrams  # noqa: E402
from corpusclean.quality.score import FEATURES, MODEL, QualityModel, features  # noqa: E402
from corpusclean.recipe import build_pipeline, default_recipe  # noqa: E402

# All clean text weighs this many times all garbage: losing clean text costs more than keeping some garbage.
CLEAN_WEIGHT = 3.0
VERSION = "6"
# The trees: depth 2 lets a split be read in the light of one other (many short lines, but at even lengths);
# deeper trees fitted the fit's sources more closely and did worse on held-out soup (bench_quality_score.py).
DEPTH = 2
TREES = 300
LEARNING_RATE = 0.1
MIN_LEAF = 10
# More of these never makes a document look less like clean text.
MONOTONE = {"word_share": 1, "bigram_pmi": 1, "bigram_strong": 1, "clause_punct": 1, "stranded_end": -1,
            "punct_start": -1, "punct_pair": -1}


def fit_clean(clean: dict[str, list[str]]) -> dict[str, list[str]]:
    """The clean documents the model sees: halves of the large sets, all of the small ones. The bigram table
    was counted on half of this People's Daily half, so those documents' bigram features read higher than
    unseen text's: fitted on the other quarter alone, the model saw too few poems and tables and dropped 12
    of the held-out half's documents instead of 3 (bench_quality_score.py); the bias errs towards keeping."""
    out = dict(clean)
    out["peoples_daily"] = halves(clean["peoples_daily"], "fit")
    out["sanguo"] = halves(clean["sanguo"], "fit")
    # Clean text as a crawl delivers it (benchmarks/quality_pages.py): real pages' extracted text, chrome and
    # tables included, and paragraphs run together on one line.
    out["extracted_pages"] = list(extracted_pages("fit"))
    out["flattened"] = flattened(out["peoples_daily"][:200] + clean["eval_gold"], random.Random(3))
    return out


def bigram_text(clean: dict[str, list[str]]) -> list[str]:
    """What the bigram table is counted on: the other half of People's Daily's fit half."""
    return halves(clean["peoples_daily"], "fit")[0::2]


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


def fit_trees(x: np.ndarray, y: np.ndarray, w: np.ndarray):  # type: ignore[no-untyped-def]
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(
        max_iter=TREES, max_depth=DEPTH, learning_rate=LEARNING_RATE, min_samples_leaf=MIN_LEAF,
        l2_regularization=1.0, monotonic_cst=[MONOTONE.get(name, 0) for name in FEATURES], early_stopping=False,
        random_state=0)
    return model.fit(x, y, sample_weight=w)


def _complete(tree: np.ndarray) -> tuple[list[int], list[float], list[float]]:
    """One scikit-learn tree (its ``nodes`` array) as a complete binary tree of depth DEPTH in heap order:
    a leaf above the last level becomes splits that always go left (threshold 1e300), its value copied
    down; a split's value is the mean of its leaves weighted by the fit's documents that reach them."""
    splits, nodes = 2 ** DEPTH - 1, 2 ** (DEPTH + 1) - 1
    feature, threshold, value = [0] * splits, [1e300] * splits, [0.0] * nodes

    def mean(i: int) -> tuple[float, int]:
        if tree[i]["is_leaf"]:
            return float(tree[i]["value"]), int(tree[i]["count"])
        (lv, lc), (rv, rc) = mean(int(tree[i]["left"])), mean(int(tree[i]["right"]))
        return (lv * lc + rv * rc) / max(lc + rc, 1), lc + rc

    def place(i: int | None, at: int, inherited: float) -> None:
        own = mean(i)[0] if i is not None else inherited
        value[at] = round(own, 7)
        if at >= splits:
            return
        if i is not None and not tree[i]["is_leaf"]:
            feature[at] = int(tree[i]["feature_idx"])
            threshold[at] = float(tree[i]["num_threshold"])
            place(int(tree[i]["left"]), 2 * at + 1, own)
            place(int(tree[i]["right"]), 2 * at + 2, own)
        else:
            place(None, 2 * at + 1, own)
            place(None, 2 * at + 2, own)

    place(0, 0, 0.0)
    return feature, threshold, value


def export(model) -> dict:  # type: ignore[no-untyped-def]
    """The fitted trees in the model file's form (see corpusclean.quality.score.QualityModel)."""
    trees = [_complete(predictor.nodes) for (predictor,) in model._predictors]
    return {"depth": DEPTH, "base": float(np.ravel(model._baseline_prediction)[0]),
            "feature": [t[0] for t in trees], "threshold": [t[1] for t in trees], "value": [t[2] for t in trees]}


def fit_data(sets: dict[str, list[str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str], list[str], list[str]]:
    """The fit's documents as they reach the score: (features, labels, weights, class names, texts, garbage
    kinds). Each garbage kind weighs the same (kinds in ``SHARES_WEIGHT`` count as one with the kind they
    name); all clean text ``CLEAN_WEIGHT`` times all garbage."""
    pipeline = before_score()
    clean = {k: cleaned(v, pipeline) for k, v in fit_clean(sets).items()}
    garbage = {k: cleaned(v, pipeline) for k, v in garbage_sets("fit", sets).items()}
    blocks, labels, weights, names, texts_all = [], [], [], [], []
    clean_total = sum(len(v) for v in clean.values())
    for name, texts in clean.items():
        blocks.append(matrix(texts))
        labels += [1] * len(texts)
        weights += [CLEAN_WEIGHT / clean_total] * len(texts)
        names += [f"clean:{name}"] * len(texts)
        texts_all += texts
    # What the mojibake stage repairs is clean text again: not garbage for the score to learn.
    kinds = [k for k, v in garbage.items() if v and k != "mojibake"]
    groups = {k: SHARES_WEIGHT.get(k, k) for k in kinds}
    for name in kinds:
        texts = garbage[name]
        group = sum(len(garbage[k]) for k in kinds if groups[k] == groups[name])
        blocks.append(matrix(texts))
        labels += [0] * len(texts)
        weights += [1.0 / (len(set(groups.values())) * group)] * len(texts)
        names += [f"garbage:{name}"] * len(texts)
        texts_all += texts
    x = np.vstack(blocks)
    y = np.array(labels, dtype=np.float64)
    w = np.array(weights) * len(y) / (1 + CLEAN_WEIGHT)
    return x, y, w, names, texts_all, kinds


# Fit-only kinds that are other layouts of one garbage kind share its weight (per document), so adding them
# does not take weight from the other kinds: the fit's soup and shuffled words were news only.
SHARES_WEIGHT = {"shuffled_long": "shuffled_words", "soup_long": "soup"}

THRESHOLDS = (0.05, 0.1, 0.2, 0.3, 0.5)


def print_shares(scores: np.ndarray, names: list[str]) -> None:
    """Per class, the share at or above each threshold (clean: kept) or below it (garbage: dropped)."""
    print(f"  {'class':<26}" + "".join(f"{t:>9}" for t in THRESHOLDS) + "   min score")
    labels_arr = np.array(names)
    for name in dict.fromkeys(names):
        s = scores[labels_arr == name]
        if name.startswith("clean:"):
            cells = "".join(f"{np.mean(s >= t):9.2%}" for t in THRESHOLDS)
            extreme = s.min()
        else:
            cells = "".join(f"{np.mean(s < t):9.2%}" for t in THRESHOLDS)
            extreme = s.max()
        print(f"  {name:<26}{cells}   {'min' if name.startswith('clean') else 'max'} {extreme:.3f}   ({len(s)})")
    clean_scores = scores[np.char.startswith(labels_arr, "clean:")]
    print("  all clean".ljust(28) + "".join(f"{np.mean(clean_scores >= t):9.2%}" for t in THRESHOLDS))


def out_of_fold(x: np.ndarray, y: np.ndarray, w: np.ndarray, names: list[str], folds: int) -> np.ndarray:
    """Each document's score from trees fitted without it (``folds`` folds, stratified by class, fixed seed):
    what the fit data says about text the trees did not see. The fitted trees keep every fit document (the
    figures on the fit itself say little); choose features, weights and the cut on these."""
    from sklearn.model_selection import StratifiedKFold

    scores = np.zeros(len(y))
    for train, test in StratifiedKFold(n_splits=folds, shuffle=True, random_state=0).split(x, names):
        scores[test] = fit_trees(x[train], y[train], w[train]).predict_proba(x[test])[:, 1]
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="print the figures, write nothing")
    parser.add_argument("--out", type=Path, default=MODEL, help=f"model file (default {MODEL})")
    parser.add_argument("--show", type=int, default=0, help="print this many worst-scored documents of each side")
    parser.add_argument("--cv", type=int, default=0, metavar="FOLDS",
                        help="also print out-of-fold figures (this many folds); --show then lists out-of-fold errors")
    args = parser.parse_args()

    started = time.perf_counter()
    sets = clean_sets()
    keys, pmi = bigrams.fit_table(bigram_text(sets))
    table = bigrams.TABLE if not args.dry_run else Path(tempfile.mkdtemp()) / bigrams.TABLE.name
    np.savez_compressed(table, keys=keys, pmi=pmi)
    bigrams.TABLE = table  # the features below read the table just fitted
    bigrams._table.cache_clear()
    print(f"bigram table: {len(keys):,} pairs seen twice or more in {len(bigram_text(sets))} People's Daily "
          f"documents ({table.stat().st_size / 1e3:.0f} kB)")
    x, y, w, names, texts_all, kinds = fit_data(sets)
    print(f"data built and cleaned in {time.perf_counter() - started:.1f}s")
    fitted = fit_trees(x, y, w)
    data = {"version": VERSION, "features": list(FEATURES), **export(fitted), "fit": {
        "script": "benchmarks/fit_quality.py",
        "trees": TREES, "depth": DEPTH, "learning_rate": LEARNING_RATE, "min_samples_leaf": MIN_LEAF,
        "monotone": MONOTONE, "clean_weight": CLEAN_WEIGHT,
        "clean_documents": int(y.sum()),
        "garbage_documents": int(len(y) - y.sum()),
        "garbage_kinds": kinds,
        "garbage_split": "fit (seed 1; People's Daily, even cwced pages, half the spam pack's groups)",
        "bigram_table": f"{len(keys)} pairs, People's Daily fit half, even documents",
    }}
    out = args.out if not args.dry_run else table.with_name("score_model.json")
    out.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    model = QualityModel(out)
    rows = [dict(zip(FEATURES, row, strict=True)) for row in x]
    scores = np.array([model.score(row) for row in rows])
    theirs = fitted.predict_proba(x)[:, 1]
    if np.abs(scores - theirs).max() > 1e-6:
        raise SystemExit(f"export differs from scikit-learn by {np.abs(scores - theirs).max():.2g}: not written")

    print(f"\n{len(y):,} documents: {int(y.sum()):,} clean, {int(len(y) - y.sum()):,} garbage in {len(kinds)} kinds; "
          f"{TREES} trees of depth {DEPTH} ({out.stat().st_size / 1e3:.0f} kB); export matches scikit-learn")
    parts = np.array([[model.contributions(row)[name] for name in FEATURES] for row in rows])
    print("\nhow much each feature moves the logit (mean |part| over clean and garbage documents):")
    for i in np.argsort(-np.abs(parts).mean(axis=0)):
        print(f"  {FEATURES[i]:<20} clean {np.abs(parts[y == 1, i]).mean():6.2f}   garbage "
              f"{np.abs(parts[y == 0, i]).mean():6.2f}")
    print("\non the fit data, share of each class at or above each threshold (clean: kept; garbage: dropped):")
    print_shares(scores, names)
    if args.cv:
        scores = out_of_fold(x, y, w, names, args.cv)
        print(f"\nout of fold ({args.cv} folds): share of each class at or above each threshold:")
        print_shares(scores, names)
    for title, order in (("lowest-scoring clean", np.argsort(np.where(y == 1, scores, 2))[:args.show]),
                         ("highest-scoring garbage", np.argsort(np.where(y == 0, -scores, 2))[:args.show])):
        print(f"\n{title} documents (score, class, strongest pulls down in the full fit, text):")
        for i in order:
            pulls = ", ".join(f"{FEATURES[j]} {parts[i, j]:+.1f}" for j in np.argsort(parts[i])[:3])
            print(f"  {scores[i]:.3f} {names[i]:<24} {pulls}\n      {texts_all[i][:90]!r}")
    print(f"\n{'(dry run) ' if args.dry_run else ''}wrote {out} and {table}")


if __name__ == "__main__":
    main()
