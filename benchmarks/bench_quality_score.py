"""Judge the document quality score (issue 14): clean text kept, garbage dropped, datatrove side by side.

Every document goes through the default recipe's per-document stages (editing stages, the six quality
filters, then ``quality``; no deduplication: the Traditional class holds conversions of People's Daily
documents, which dedup would rightly fold). Printed per class:

* clean sets (benchmarks/quality_data.py): share kept. People's Daily and 三国演义 are split in halves;
  the fit saw the even half (``fit``; the bigram table was counted on every other People's Daily document
  of it), the odd half is ``held-out``, seen by neither; the small sets were all in the fit (the Traditional
  set holds conversions of the first 300 People's Daily documents of both halves).
* garbage, both splits: share dropped, by whom (the filters before ``quality``, or the score). The fit used
  split ``fit`` (seed 1, People's Daily, even cwced pages); split ``heldout`` (seed 2, 三国演义, the other
  eval pages, seed 004) was never seen by the fit: its column is the one that counts. ``page_chrome`` (the
  lines of an eval page outside its gold text) includes forum threads and user comments, which are real
  prose: no score separates those from articles by their text alone.
* the same documents through datatrove's Gopher and FineWeb quality filters with ``language="cmn"``
  (benchmarks/peer_datatrove.py's configuration, its filter step only), when its virtual environment can be
  made (benchmarks/compare_peers.py installs it from PyPI into benchmarks/.venv-peers/datatrove).
* the share kept / dropped at other ``min_score`` values.

    python benchmarks/bench_quality_score.py
    python benchmarks/bench_quality_score.py --no-datatrove
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.fit_quality import before_score  # noqa: E402
from benchmarks.quality_data import clean_sets, garbage_sets, halves  # noqa: E402
from benchmarks.quality_pages import extracted_pages, flattened  # noqa: E402
from corpusclean.document import Document  # noqa: E402
from corpusclean.quality.score import default_model, features  # noqa: E402
from corpusclean.quality.signals import shared  # noqa: E402
from corpusclean.recipe import default_recipe  # noqa: E402

CUTS = (0.05, 0.1, 0.2, 0.3, 0.5)


def classes() -> dict[str, list[str]]:
    clean = clean_sets()
    out: dict[str, list[str]] = {}
    for name, texts in clean.items():
        if name in ("peoples_daily", "sanguo"):
            out[f"clean:{name} (fit half)"] = halves(texts, "fit")
            out[f"clean:{name} (held-out half)"] = halves(texts, "heldout")
        else:
            out[f"clean:{name}"] = texts
    # Clean text as a crawl delivers it (benchmarks/quality_pages.py); the test half's pages were never fitted.
    out["clean:extracted pages (fit: CWCED, held-out fit half)"] = list(extracted_pages("fit"))
    out["clean:extracted pages (held-out test half)"] = list(extracted_pages("test"))
    unseen = halves(clean["peoples_daily"], "heldout")[:200] + halves(clean["sanguo"], "heldout")
    out["clean:flattened (held-out halves)"] = flattened(unseen, random.Random(4))
    for split in ("fit", "heldout"):
        for kind, texts in garbage_sets(split, clean).items():
            out[f"{split}:{kind}"] = texts
    return out


def judge(texts: list[str]) -> list[tuple[str, float]]:
    """(verdict, score) per text: verdict is the dropping stage/rule before ``quality``, or "scored"."""
    pipeline = before_score()
    model = default_model()
    out = []
    for number, text in enumerate(texts):
        doc = pipeline.process(Document(id=str(number), text=text))
        if doc.rejected is not None:
            out.append((f"{doc.rejected.stage}/{doc.rejected.rule}", -1.0))
        else:
            out.append(("scored", model.score(features(doc.text, shared(doc)))))
    return out


def datatrove(all_classes: dict[str, list[str]]) -> dict[str, set[str]] | None:
    """Ids datatrove's filters removed, per class; None when datatrove cannot be run."""
    from benchmarks.compare_peers import ensure_venv

    python = ensure_venv("datatrove", install=True)
    if python is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in"
        source.mkdir()
        with open(source / "docs.jsonl", "w", encoding="utf-8") as handle:
            for name, texts in all_classes.items():
                for number, text in enumerate(texts):
                    handle.write(json.dumps({"id": f"{name}#{number}", "text": text}, ensure_ascii=False) + "\n")
        work = Path(tmp) / "work"
        done = subprocess.run([str(python), str(ROOT / "benchmarks" / "peer_datatrove.py"), str(source), str(work),
                               "1", "filter"], capture_output=True, text=True)
        if done.returncode != 0:
            print("datatrove failed:", done.stderr.strip().splitlines()[-3:], file=sys.stderr)
            return None
        removed: dict[str, set[str]] = {}
        for path in (work / "removed").glob("*/*.jsonl"):
            with open(path, encoding="utf-8") as handle:
                for line in handle:
                    name, number = json.loads(line)["id"].rsplit("#", 1)
                    removed.setdefault(name, set()).add(number)
        return removed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-datatrove", action="store_true", help="skip datatrove")
    args = parser.parse_args()
    min_score = next(s for s in default_recipe()["stages"] if s["use"] == "quality")["min_score"]

    started = time.perf_counter()
    all_classes = {k: v for k, v in classes().items() if v}
    verdicts = {name: judge(texts) for name, texts in all_classes.items()}
    print(f"{sum(map(len, all_classes.values())):,} documents judged in {time.perf_counter() - started:.0f}s; "
          f"default min_score {min_score}")
    peer = None if args.no_datatrove else datatrove(all_classes)

    header = f"{'class':<40}{'docs':>6}{'filters':>9}{'+ score':>9}{'datatrove':>11}   dropped by"
    print("\nClean text: share KEPT (filters = the six filters alone; + score = with the quality stage)")
    print(header)
    clean_kept = clean_total = 0
    for name, rows in verdicts.items():
        if not name.startswith("clean:"):
            continue
        n = len(rows)
        by_filters = sum(v == "scored" for v, _ in rows)
        kept = sum(v == "scored" and s >= min_score for v, s in rows)
        clean_kept += kept
        clean_total += n
        dt = f"{1 - len(peer.get(name, ())) / n:>10.1%}" if peer is not None else f"{'-':>10}"
        why = Counter(v if v != "scored" else "quality/quality_score" for v, s in rows
                      if v != "scored" or s < min_score)
        print(f"{name:<40}{n:>6}{by_filters / n:>9.1%}{kept / n:>9.1%} {dt}   "
              + ", ".join(f"{k} {c}" for k, c in why.most_common(4)))
    print(f"{'all clean':<40}{clean_total:>6}{'':>9}{clean_kept / clean_total:>9.2%}   (target >= 99.5%)")

    for split, title in (("heldout", "HELD-OUT garbage (seed 2, sources the fit never saw)"),
                         ("fit", "fit garbage (seed 1, the fit's own sources; for comparison)")):
        print(f"\n{title}: share DROPPED")
        print(header)
        for name, rows in verdicts.items():
            if not name.startswith(f"{split}:"):
                continue
            n = len(rows)
            by_filters = sum(v != "scored" for v, _ in rows)
            dropped = sum(v != "scored" or s < min_score for v, s in rows)
            dt = f"{len(peer.get(name, ())) / n:>10.1%}" if peer is not None else f"{'-':>10}"
            why = Counter(v if v != "scored" else "quality/quality_score" for v, s in rows
                          if v != "scored" or s < min_score)
            print(f"{name:<40}{n:>6}{by_filters / n:>9.1%}{dropped / n:>9.1%} {dt}   "
                  + ", ".join(f"{k} {c}" for k, c in why.most_common(3)))

    print("\nOther cuts (held-out garbage dropped, clean kept):")
    print(f"{'class':<40}" + "".join(f"{c:>9}" for c in CUTS))
    for name, rows in verdicts.items():
        if name.startswith("fit:"):
            continue
        clean = name.startswith("clean:")
        scores = np.array([s for _, s in rows])  # -1: dropped before the score
        shares = [np.mean(scores >= c) if clean else np.mean(scores < c) for c in CUTS]
        print(f"{name:<40}" + "".join(f"{v:>9.1%}" for v in shares))
    if peer is None and not args.no_datatrove:
        print("\ndatatrove could not be run (see above); its column is empty")


if __name__ == "__main__":
    main()
