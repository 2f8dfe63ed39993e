"""One per-document stage alone (its batched path when it has one): this tree's code against another git
revision's, over the same documents.

    python benchmarks/bench_batch.py                       # length, 10 MB corpus of real sentences, against main
    python benchmarks/bench_batch.py --stage convert_script --corpus /work/cmp/corpus10.jsonl --ref 9805cf8
    python benchmarks/bench_batch.py --stage mojibake --corpus /work/cmp/corpus10.jsonl --ref 5d0ee3e
    python benchmarks/bench_batch.py --stage rules --ref f80a9b6 --rounds 9
    python benchmarks/bench_batch.py --stage spam_lists --ref HEAD --rounds 9    # a stage without a batched path
    python benchmarks/bench_batch.py --stage quality --ref HEAD --rounds 9
    python benchmarks/bench_batch.py --stage dedup --ref 15ad25b --rounds 9       # dedup's prepare_batch
    python benchmarks/bench_batch.py --stage pii --ref 4e81598 --rounds 9
    python benchmarks/bench_batch.py --stage spam --ref 4e81598 --rounds 9

The corpus goes through the built-in recipe's stages before the stage (as ``clean`` runs them, a chunk at a
time); then both versions of the stage run over the survivors a chunk at a time, as a worker runs them (the
stage's ``process_batch`` when it has one), in alternating rounds in this one process, each round from fresh
shared measurements (``length`` is the first quality stage: it computes the code points, character classes and
class counts the later ones reuse). The other revision's module of the stage and the module it measures with
(``quality/signals.py``, ``text/script.py``, ``text/mojibake.py``, ``rulepacks/engine.py``) are read with
``git show`` into modules of their own. Every document's decision, text, meta and receipts, the character
steps ``mojibake`` leaves for normalize, and for ``length`` every class count, must be the same in both; the
script says so or stops. ``quality`` measures with three modules (``quality/score.py``, ``wordlike.py``,
``bigrams.py``, all read from the other revision); its rounds, and those of ``spam``, start from what the
quality stages before it leave in the shared measurements (they run again, untimed, after the measurements are
cleared), as in a run. For ``dedup`` the time is ``prepare_batch`` (the normalised view, exact hash and MinHash
signature a worker computes), with ``dedup/shingles.py`` and ``dedup/minhash.py`` of the other revision, and
every document's exact hash and signature must be the same. The figure to read is the ratio (the best round of
each): the machine is shared and absolute times drift.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_repetition import before, decisions, load_module, print_speedup
from corpus import DATA, build_corpus

import corpusclean
from corpusclean.document import Document
from corpusclean.pipeline import Pipeline
from corpusclean.quality import signals
from corpusclean.stage import CorpusStage
from corpusclean.stages.convert_script import ConvertScript
from corpusclean.stages.dedup import Dedup
from corpusclean.stages.length import Length
from corpusclean.stages.mojibake import Mojibake
from corpusclean.stages.pii import Pii
from corpusclean.stages.quality import Quality
from corpusclean.stages.rules import Rules
from corpusclean.stages.spam import Spam
from corpusclean.stages.spam_lists import SpamLists

# stage name: (its module, the module it measures with and that module's name in the other revision, the class)
STAGES: dict[str, tuple[str, str | tuple[str, ...] | None, str | tuple[str, ...] | None, type]] = {
    "length": ("corpusclean/stages/length.py", "corpusclean/quality/signals.py", "corpusclean.quality.signals",
               Length),
    "convert_script": ("corpusclean/stages/convert_script.py", "corpusclean/text/script.py",
                       "corpusclean.text.script", ConvertScript),
    "mojibake": ("corpusclean/stages/mojibake.py", "corpusclean/text/mojibake.py", "corpusclean.text.mojibake",
                 Mojibake),
    "rules": ("corpusclean/stages/rules.py", "corpusclean/rulepacks/engine.py", "corpusclean.rulepacks.engine", Rules),
    "spam_lists": ("corpusclean/stages/spam_lists.py", None, None, SpamLists),  # measures with nothing of its own
    "pii": ("corpusclean/stages/pii.py", None, None, Pii),
    # Measures with quality/signals.py and quality/keywords.py, this tree's in both versions; its keyword anchors
    # read the character costs of text/plausibility.py, each version its own (their tables differ in shape).
    "spam": ("corpusclean/stages/spam.py", "corpusclean/text/plausibility.py", "corpusclean.text.plausibility",
             Spam),
    # Several modules, loaded in this order (each later one imports the earlier ones of the other revision).
    "quality": ("corpusclean/stages/quality.py",
                ("corpusclean/quality/wordlike.py", "corpusclean/quality/bigrams.py", "corpusclean/quality/score.py"),
                ("corpusclean.quality.wordlike", "corpusclean.quality.bigrams", "corpusclean.quality.score"), Quality),
}
# Stages whose rounds start from what the built-in recipe's quality stages before them leave in the shared
# measurements (code points, class counts, the CJK ratio, duplicate lines): those stages run again, untimed.
WARM = {"quality", "spam"}


def warm_up(chunks: list[list[Document]], name: str) -> None:
    """Run the built-in recipe's per-document stages between ``length`` and stage ``name`` over ``chunks``
    (their survivors of the recipe, so none is rejected), for the measurements they leave."""
    stages = [stage for stage in corpusclean.default_pipeline().stages if not isinstance(stage, CorpusStage)]
    names = [stage.name for stage in stages]
    for chunk in chunks:
        Pipeline(stages[names.index("length") : names.index(name)]).process_batch(chunk)


def run_once(chunks: list[list[Document]], stage: Any, share: Callable[[Document], Any],
             warm: str | None = None) -> tuple[float, list]:
    """Seconds of ``stage`` over every chunk from fresh measurements, and every document's text, meta,
    receipts, character steps and class counts after it (``share`` finds the measurements either version
    left, as both keep them under the same key)."""
    texts = [[doc.text for doc in chunk] for chunk in chunks]
    kept = [[(dict(doc.meta), len(doc.removals)) for doc in chunk] for chunk in chunks]
    for chunk in chunks:
        for doc in chunk:
            doc.rejected = None
            doc.scratch.clear()
            doc.meta.pop("script", None)
            doc.meta.pop("quality", None)
    if warm is not None:
        warm_up(chunks, warm)
    batch = getattr(stage, "process_batch", None)
    start = time.perf_counter()
    for chunk in chunks:
        if batch is not None:
            batch(chunk)
        else:
            for doc in chunk:
                stage.process(doc)
    seconds = time.perf_counter() - start
    # Receipts without their stage name: the other revision's stage is registered under another one.
    after = [(doc.text, dict(doc.meta), [(r.rule, r.text, r.kind, r.line) for r in doc.removals],
              doc.scratch.get("normalize_steps", (None, None))[1],
              share(doc).counts()) for chunk in chunks for doc in chunk]
    for chunk, chunk_texts, chunk_kept in zip(chunks, texts, kept, strict=True):
        for doc, text, (meta, removed) in zip(chunk, chunk_texts, chunk_kept, strict=True):
            doc.text, doc.meta = text, meta
            del doc.removals[removed:]
    return seconds, after


def ref_dedup(ref: str) -> Any:
    """A dedup stage built from ``ref``'s stage, MinHash and shingle modules (renamed: the registry is taken)."""
    load_module(ref, "corpusclean/dedup/shingles.py", "ref_shingles")
    load_module(ref, "corpusclean/dedup/minhash.py", "ref_minhash",
                {"from corpusclean.dedup.shingles import": "from ref_shingles import"})
    return load_module(ref, "corpusclean/stages/dedup.py", "ref_dedup", {
        "from corpusclean.dedup.minhash import": "from ref_minhash import",
        "from corpusclean.dedup.shingles import": "from ref_shingles import",
        'name = "dedup"': 'name = "dedup_ref"'}).Dedup()


def prepare_once(chunks: list[list[Document]], stage: Any) -> tuple[float, list]:
    """Seconds of ``stage.prepare_batch`` over every chunk, and every document's (exact hash, signature)."""
    for chunk in chunks:
        for doc in chunk:
            doc.scratch.clear()
    start = time.perf_counter()
    for chunk in chunks:
        stage.prepare_batch(chunk)
    seconds = time.perf_counter() - start
    return seconds, [doc.scratch.pop("dedup") for chunk in chunks for doc in chunk]


def bench_dedup(chunks: list[list[Document]], ref: str, rounds: int) -> tuple[dict[str, float], dict[str, int]]:
    """The best seconds of each version, and the minor page faults of its rounds (fresh pages of freed and
    reallocated temporaries, which glibc gives back or keeps depending on what the process did before)."""
    old_stage, new_stage = ref_dedup(ref), Dedup()
    best = {"ref": float("inf"), "new": float("inf")}
    faults = {"ref": 0, "new": 0}
    for _ in range(rounds):
        for name, stage in (("ref", old_stage), ("new", new_stage)):
            before_faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            seconds, prepared = prepare_once(chunks, stage)
            faults[name] += resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before_faults
            best[name] = min(best[name], seconds)
            if name == "ref":
                expected = prepared
            elif prepared != expected:
                sys.exit("the two versions computed different exact hashes or signatures")
    return best, faults


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", choices=sorted([*STAGES, "dedup"]), default="length",
                        help="the stage (default length)")
    parser.add_argument("--corpus", type=Path, default=None, help="JSONL corpus (default: 10 MB of real sentences)")
    parser.add_argument("--ref", default="main", help="git revision to compare with (default main)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds of each version (default 5)")
    args = parser.parse_args()
    corpus = args.corpus or build_corpus(DATA / "corpus-10mb-s0.jsonl", target_mb=10)
    size_mb = corpus.stat().st_size / 1e6
    chunks = before(corpus, args.stage)
    count = sum(map(len, chunks))
    if args.stage == "dedup":
        best, faults = bench_dedup(chunks, args.ref, args.rounds)
        print(f"dedup prepare_batch on {corpus.name} ({size_mb:.1f} MB): {count:,} documents reach it (the same "
              f"exact hash and signature in both versions); minor page faults a round: {args.ref} "
              f"{faults['ref'] // args.rounds:,}, this tree {faults['new'] // args.rounds:,}")
        print_speedup(best, args.ref, size_mb, args.rounds)
        return
    stage_path, measures_path, measures_module, stage_class = STAGES[args.stage]
    renames = {f'name = "{args.stage}"': f'name = "{args.stage}_ref"'}
    if isinstance(measures_path, str):
        measures_path, measures_module = (measures_path,), (measures_module,)
    for n, (path, module) in enumerate(zip(measures_path or (), measures_module or (), strict=True)):
        ref_name = "ref_measures" if n == len(measures_path) - 1 else f"ref_measures{n}"
        load_module(args.ref, path, ref_name, dict(renames))
        renames[f"from {module} import"] = f"from {ref_name} import"
    old_stage = getattr(load_module(args.ref, stage_path, f"ref_{args.stage}", renames), stage_class.__name__)()
    new_stage = stage_class()
    best = {"ref": float("inf"), "new": float("inf")}
    for _ in range(args.rounds):
        warm = args.stage if args.stage in WARM else None
        seconds, expected_counts = run_once(chunks, old_stage, signals.shared, warm)
        best["ref"] = min(best["ref"], seconds)
        expected = decisions(chunks)
        seconds, counts = run_once(chunks, new_stage, signals.shared, warm)
        best["new"] = min(best["new"], seconds)
        if decisions(chunks) != expected or counts != expected_counts:
            sys.exit("the two versions measured, edited or decided differently")
    rejected = sum(decision is not None for decision in expected)
    print(f"{args.stage} on {corpus.name} ({size_mb:.1f} MB): {count:,} documents reach it, {rejected} rejected by "
          f"it (the same rule and value, text, meta, receipts, steps and class counts in both versions)")
    print_speedup(best, args.ref, size_mb, args.rounds)


if __name__ == "__main__":
    main()
