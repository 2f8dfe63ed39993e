"""The ``length`` stage alone, this tree's code against another git revision's, over the same documents.

    python benchmarks/bench_length.py                       # 10 MB corpus of real sentences, against main
    python benchmarks/bench_length.py --corpus /work/cmp/corpus10.jsonl --ref 9805cf8 --rounds 7

The corpus goes through the built-in recipe's stages before ``length`` (as ``clean`` runs them, a chunk at a
time); then both versions of the stage run over the survivors a chunk at a time, as a worker runs them (the
stage's ``process_batch`` when it has one), in alternating rounds in this one process, each round from fresh
shared measurements (``length`` is the first quality stage: it computes the code points, character classes and
class counts the later ones reuse). The other revision's ``quality/signals.py`` and ``stages/length.py`` are
read with ``git show`` into modules of their own. Every document's decision and every class count must be the
same in both; the script says so or stops. The figure to read is the ratio (the best round of each): the
machine is shared and absolute times drift.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_repetition import decisions, load_module
from corpus import DATA, build_corpus

import corpusclean
from corpusclean.document import Document
from corpusclean.io.parse import ParseOptions, parse_item
from corpusclean.io.readers import RawItem
from corpusclean.pipeline import CHUNK_ITEMS, Pipeline
from corpusclean.quality import signals
from corpusclean.stage import CorpusStage
from corpusclean.stages.length import Length


def before_length(corpus: Path) -> list[list[Document]]:
    """The corpus's chunks after the built-in recipe's stages before ``length``, survivors only."""
    stages = corpusclean.default_pipeline().stages
    names = [stage.name for stage in stages]
    pipeline = Pipeline([s for s in stages[: names.index("length")] if not isinstance(s, CorpusStage)])
    with open(corpus, "rb") as handle:
        items = [RawItem(str(corpus), n, line, "jsonl") for n, line in enumerate(handle, 1)]
    options = ParseOptions()
    chunks = []
    for i in range(0, len(items), CHUNK_ITEMS):
        docs = pipeline.process_batch([parse_item(item, options) for item in items[i : i + CHUNK_ITEMS]])
        chunks.append([doc for doc in docs if doc.rejected is None])
    return chunks


def run_once(chunks: list[list[Document]], stage: Any, share: Callable[[Document], Any]) -> tuple[float, list]:
    """Seconds of ``stage`` over every chunk from fresh measurements, and every document's class counts."""
    for chunk in chunks:
        for doc in chunk:
            doc.rejected = None
            doc.scratch.clear()
    batch = getattr(stage, "process_batch", None)
    start = time.perf_counter()
    for chunk in chunks:
        if batch is not None:
            batch(chunk)
        else:
            for doc in chunk:
                stage.process(doc)
    seconds = time.perf_counter() - start
    return seconds, [share(doc).counts() for chunk in chunks for doc in chunk]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=None, help="JSONL corpus (default: 10 MB of real sentences)")
    parser.add_argument("--ref", default="main", help="git revision to compare with (default main)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds of each version (default 5)")
    args = parser.parse_args()
    corpus = args.corpus or build_corpus(DATA / "corpus-10mb-s0.jsonl", target_mb=10)
    size_mb = corpus.stat().st_size / 1e6
    chunks = before_length(corpus)
    count = sum(map(len, chunks))
    old_signals = load_module(args.ref, "corpusclean/quality/signals.py", "ref_signals")
    old_stage = load_module(args.ref, "corpusclean/stages/length.py", "ref_length", {
        "from corpusclean.quality.signals import": "from ref_signals import",
        'name = "length"': 'name = "length_ref"'}).Length()
    new_stage = Length()
    best = {"ref": float("inf"), "new": float("inf")}
    for _ in range(args.rounds):
        seconds, expected_counts = run_once(chunks, old_stage, old_signals.shared)
        best["ref"] = min(best["ref"], seconds)
        expected = decisions(chunks)
        seconds, counts = run_once(chunks, new_stage, signals.shared)
        best["new"] = min(best["new"], seconds)
        if decisions(chunks) != expected or counts != expected_counts:
            sys.exit("the two versions measured or decided differently")
    rejected = sum(decision is not None for decision in expected)
    print(f"corpus: {corpus.name} ({size_mb:.1f} MB), {count:,} documents reach length, {rejected} rejected by it "
          f"(the same rule and value, and the same class counts, in both versions)")
    for name, label in (("ref", args.ref), ("new", "this tree")):
        print(f"  {label:<12} {best[name]:7.3f} s  {size_mb / best[name]:7.1f} MB/s")
    print(f"  speed-up     {best['ref'] / best['new']:7.2f}x (best of {args.rounds} alternating rounds)")


if __name__ == "__main__":
    main()
