"""The ``repetition`` stage alone, this tree's code against another git revision's, over the same documents.

    python benchmarks/bench_repetition.py                       # 10 MB corpus of real sentences, against main
    python benchmarks/bench_repetition.py --corpus my.jsonl --ref v0.3 --rounds 7

The corpus goes through the built-in recipe's stages before ``repetition`` (as ``clean`` runs them, a chunk at
a time); then both versions of the stage run over the survivors a chunk at a time, as a worker runs them (the
stage's ``process_batch`` when it has one), in alternating rounds in this one process, each round from the
state the earlier stages leave (their shared measurements: class counts and the CJK ratio). The other
revision's ``quality/signals.py`` and ``stages/repetition.py`` are read with ``git show`` into modules of their
own. Every document's decision and measured value must be the same in both; the script says so or stops.
The figure to read is the ratio (the best round of each): the machine is shared and absolute times drift.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import DATA, build_corpus

import corpusclean
from corpusclean.document import Document
from corpusclean.io.parse import ParseOptions, parse_item
from corpusclean.io.readers import RawItem
from corpusclean.pipeline import CHUNK_ITEMS, Pipeline
from corpusclean.quality import signals
from corpusclean.stage import CorpusStage
from corpusclean.stages.repetition import Repetition

ROOT = Path(__file__).resolve().parent.parent


def before(corpus: Path, name: str) -> list[list[Document]]:
    """The corpus's chunks after the built-in recipe's stages before stage ``name``, survivors only."""
    stages = corpusclean.default_pipeline().stages
    names = [stage.name for stage in stages]
    pipeline = Pipeline([s for s in stages[: names.index(name)] if not isinstance(s, CorpusStage)])
    with open(corpus, "rb") as handle:
        items = [RawItem(str(corpus), n, line, "jsonl") for n, line in enumerate(handle, 1)]
    options = ParseOptions()
    chunks = []
    for i in range(0, len(items), CHUNK_ITEMS):
        docs = pipeline.process_batch([parse_item(item, options) for item in items[i : i + CHUNK_ITEMS]])
        chunks.append([doc for doc in docs if doc.rejected is None])
    return chunks


def load_module(ref: str, path: str, name: str, replace: dict[str, str] | None = None) -> types.ModuleType:
    """The module at ``path`` in git revision ``ref``, as module ``name`` (registered in ``sys.modules``), its
    source edited by ``replace`` first (to import another ref module, or to rename a stage: the registry is
    taken)."""
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{ref}:{path}"], check=True, capture_output=True,
                            text=True).stdout
    for old, new in (replace or {}).items():
        source = source.replace(old, new)
    module = types.ModuleType(name)
    module.__file__ = str(ROOT / path)  # data files beside the module are this tree's
    sys.modules[name] = module  # before running it: dataclasses look their module up while it runs
    exec(compile(source, f"{ref}:{path}", "exec"), module.__dict__)
    return module


def load_ref(ref: str) -> tuple[types.ModuleType, Any]:
    """``ref``'s signals module and a repetition stage built from its code (renamed: the registry is taken)."""
    old_signals = load_module(ref, "corpusclean/quality/signals.py", "ref_signals")
    old_stage = load_module(ref, "corpusclean/stages/repetition.py", "ref_repetition", {
        "from corpusclean.quality.signals import": "from ref_signals import",
        'name = "repetition"': 'name = "repetition_ref"'})
    return old_signals, old_stage.Repetition()


def run_once(chunks: list[list[Document]], stage: Any, share: Callable[[Document], Any]) -> float:
    """Seconds of ``stage`` over every chunk, from the measurements the earlier stages leave."""
    for chunk in chunks:
        for doc in chunk:
            doc.rejected = None
            doc.scratch.clear()
            measured = share(doc)
            measured.counts()  # what length and language leave in the shared measurements
            measured.cjk_ratio()
    batch = getattr(stage, "process_batch", None)
    start = time.perf_counter()
    for chunk in chunks:
        if batch is not None:
            batch(chunk)
        else:
            for doc in chunk:
                stage.process(doc)
    return time.perf_counter() - start


def decisions(chunks: list[list[Document]]) -> list[tuple[Any, ...] | None]:
    return [None if doc.rejected is None else (doc.rejected.rule, doc.rejected.value, doc.rejected.threshold)
            for chunk in chunks for doc in chunk]


def print_speedup(best: dict[str, float], ref: str, size_mb: float, rounds: int) -> None:
    """The best round of each version, and their ratio."""
    for name, label in (("ref", ref), ("new", "this tree")):
        print(f"  {label:<12} {best[name]:7.3f} s  {size_mb / best[name]:7.1f} MB/s")
    print(f"  speed-up     {best['ref'] / best['new']:7.2f}x (best of {rounds} alternating rounds)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=None, help="JSONL corpus (default: 10 MB of real sentences)")
    parser.add_argument("--ref", default="main", help="git revision to compare with (default main)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds of each version (default 5)")
    args = parser.parse_args()
    corpus = args.corpus or build_corpus(DATA / "corpus-10mb-s0.jsonl", target_mb=10)
    size_mb = corpus.stat().st_size / 1e6
    chunks = before(corpus, "repetition")
    count = sum(map(len, chunks))
    old_signals, old_stage = load_ref(args.ref)
    new_stage = Repetition()
    best = {"ref": float("inf"), "new": float("inf")}
    for _ in range(args.rounds):
        best["ref"] = min(best["ref"], run_once(chunks, old_stage, old_signals.shared))
        expected = decisions(chunks)
        best["new"] = min(best["new"], run_once(chunks, new_stage, signals.shared))
        if decisions(chunks) != expected:
            sys.exit("the two versions decided differently")
    rejected = sum(decision is not None for decision in expected)
    print(f"corpus: {corpus.name} ({size_mb:.1f} MB), {count:,} documents reach repetition, {rejected} rejected "
          f"by it (the same rule and value in both versions)")
    print_speedup(best, args.ref, size_mb, args.rounds)


if __name__ == "__main__":
    main()
