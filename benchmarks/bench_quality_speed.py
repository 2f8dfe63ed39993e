"""The ``quality`` stage alone: its cost over a corpus in this process, and every document's result for comparison.

The corpus goes through the built-in recipe's per-document stages before ``quality`` (the editing stages and
the six filters, as ``clean`` runs them, a chunk at a time); then the stage is timed on the survivors, a chunk
at a time as a worker runs it (its ``process_batch`` when it has one). ``--dump`` writes each document's
score, features and decision as JSON lines, so two versions of the code can be compared document by document:

    PYTHONPATH=/path/to/old python benchmarks/bench_quality_speed.py CORPUS --dump old.jsonl
    PYTHONPATH=/path/to/new python benchmarks/bench_quality_speed.py CORPUS --dump new.jsonl
    cmp old.jsonl new.jsonl
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import corpusclean
from corpusclean.document import Document
from corpusclean.io.parse import ParseOptions, parse_item
from corpusclean.io.readers import RawItem
from corpusclean.pipeline import CHUNK_ITEMS, Pipeline
from corpusclean.quality.score import default_model, features
from corpusclean.quality.signals import shared
from corpusclean.stage import CorpusStage
from corpusclean.stages.quality import Quality


def before_quality(corpus: Path) -> list[list[Document]]:
    """The corpus's chunks after the per-document stages of the built-in recipe (``quality`` left out)."""
    stages = [stage for stage in corpusclean.default_pipeline().stages
              if not isinstance(stage, CorpusStage) and stage.name != "quality"]
    pipeline = Pipeline(stages)
    with open(corpus, "rb") as handle:
        items = [RawItem(str(corpus), n, line, "jsonl") for n, line in enumerate(handle, 1)]
    options = ParseOptions()
    chunks = [[parse_item(item, options) for item in items[i:i + CHUNK_ITEMS]]
              for i in range(0, len(items), CHUNK_ITEMS)]
    for chunk in chunks:
        pipeline.process_batch(chunk)
    return chunks


def run_stage(stage: Quality, chunks: list[list[Document]]) -> float:
    """Seconds the stage takes over the chunks' surviving documents."""
    batch = getattr(stage, "process_batch", None)
    start = time.perf_counter()
    for chunk in chunks:
        alive = [doc for doc in chunk if doc.rejected is None]
        if batch is not None:
            batch(alive)
        else:
            for doc in alive:
                stage.process(doc)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (each on fresh documents); the best counts")
    parser.add_argument("--dump", type=Path, help="write each document's features, score and decision here")
    args = parser.parse_args()

    stage = Quality()
    warm = before_quality(args.corpus)[:1]
    run_stage(stage, warm)  # lazy tables
    best = float("inf")
    for _ in range(args.repeat):
        chunks = before_quality(args.corpus)
        alive = sum(doc.rejected is None for chunk in chunks for doc in chunk)
        best = min(best, run_stage(stage, chunks))
    size = args.corpus.stat().st_size / 1e6
    print(f"quality stage: {alive:,} documents scored in {best:.3f} s (best of {args.repeat}), "
          f"{best / alive * 1e6:.1f} us per document, {size / best:.1f} MB/s of the whole input")
    if args.dump:
        model = default_model()
        chunks = before_quality(args.corpus)
        with open(args.dump, "w", encoding="utf-8") as out:
            for chunk in chunks:
                for doc in chunk:
                    if doc.rejected is not None:
                        continue
                    values = features(doc.text, shared(doc))
                    score = model.score(values)
                    stage.process(doc)
                    row = {"id": doc.id, "score": repr(score), "features": {k: repr(v) for k, v in values.items()},
                           "meta": doc.meta.get("quality"),
                           "rejected": doc.rejected.as_dict() if doc.rejected else None}
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
            # The batch path, where there is one, on fresh documents: the same decisions.
            batch = getattr(stage, "process_batch", None)
            if batch is not None:
                from corpusclean.quality.score import features_batch

                for chunk in before_quality(args.corpus):
                    alive = [doc for doc in chunk if doc.rejected is None]
                    rows = features_batch([doc.text for doc in alive], [shared(doc) for doc in alive])
                    scores = model.scores(rows)
                    batch(alive)
                    for doc, values, score in zip(alive, rows, scores, strict=True):
                        row = {"id": doc.id, "score": repr(score),
                               "features": {k: repr(v) for k, v in values.items()},
                               "meta": doc.meta.get("quality"),
                               "rejected": doc.rejected.as_dict() if doc.rejected else None}
                        out.write("batch " + json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
