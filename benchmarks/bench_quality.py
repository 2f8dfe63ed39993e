"""Speed of the six quality filters (length, language, repetition, structure, composition, spam) in MB/s on
one core, beside the same stages as they were at an earlier commit, run in the same process.

The corpus is benchmarks/corpus.py's real-sentence JSONL (seeds and gold texts of real pages). Figures:

* each stage alone, on fresh documents (nothing shared with another stage);
* the six together as the default recipe chains them (a document leaves at its first rejection), run as a
  run's workers run them (``Pipeline.process_batch``: stage by stage over chunks of 256 documents), which is
  what a run pays: shared measurements (code points, character classes, lines) are computed once; and each
  stage's part of that chain (the first stage pays for what the others share);
* decisions: the (stage, rule) of every document, now and at the baseline, and how many differ.

The baseline stages are read with ``git show BASELINE:<file>`` into a private package (stage names get a
``_before`` suffix so both versions can be registered), so before and after run on the same documents in
the same process. CPU time of this process is measured (``time.process_time``); the machine is shared, so
read the ratios. ``--sets`` also compares decisions document by document on the clean and garbage classes
of benchmarks/quality_thresholds.py.

    python benchmarks/bench_quality.py              # 20 MB, a couple of minutes (the baseline is slow)
    python benchmarks/bench_quality.py --mb 200     # the full benchmark corpus
    python benchmarks/bench_quality.py --sets       # + decisions on the threshold measurement sets
"""

from __future__ import annotations

import argparse
import importlib
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from corpus import load_texts  # noqa: E402

from corpusclean.document import Document  # noqa: E402
from corpusclean.pipeline import CHUNK_ITEMS, Pipeline  # noqa: E402
from corpusclean.recipe import build_stage, default_recipe  # noqa: E402
from corpusclean.stage import Stage  # noqa: E402

QUALITY = ("length", "language", "repetition", "structure", "composition", "spam")
# The commit that introduced the quality filters (py3langid on every document, every n-gram measured).
DEFAULT_BASELINE = "f1dfade"
_FILES = ["quality_signals.py", "language_id.py"] + [f"stages/{name}.py" for name in QUALITY]


def recipe_params() -> dict[str, dict[str, object]]:
    """Each quality stage's parameters in the default recipe."""
    return {t["use"]: {k: v for k, v in t.items() if k != "use"} for t in default_recipe()["stages"]
            if t["use"] in QUALITY}


def baseline_stages(revision: str) -> list[Stage]:
    """The six stages as they were at ``revision``, imported from ``git show`` copies (package
    ``cc_baseline``, stage names suffixed ``_before``), configured like the default recipe now configures
    them (parameters the old code did not have are left out)."""
    folder = Path(tempfile.mkdtemp(prefix="bench_quality_"))
    package = folder / "cc_baseline"
    (package / "stages").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "stages" / "__init__.py").write_text("")
    for name in _FILES:
        source = subprocess.run(["git", "-C", str(ROOT), "show", f"{revision}:corpusclean/{name}"],
                                check=True, capture_output=True, text=True).stdout
        # The baseline predates the subpackages: its modules sat at the top of the package.
        source = source.replace("corpusclean" + ".quality_signals", "cc_baseline.quality_signals")
        source = source.replace("corpusclean" + ".language_id", "cc_baseline.language_id")
        source = re.sub(r'^(    name = ")(\w+)(")', r"\1\2_before\3", source, flags=re.M)
        (package / name).write_text(source)
    sys.path.insert(0, str(folder))
    stages = []
    params = recipe_params()
    import inspect

    for name in QUALITY:
        module = importlib.import_module(f"cc_baseline.stages.{name}")
        cls = next(obj for obj in vars(module).values()
                   if isinstance(obj, type) and getattr(obj, "name", "") == f"{name}_before")
        accepted = inspect.signature(cls.__init__).parameters
        kwargs = {k: v for k, v in params[name].items() if k in accepted}
        if kwargs.get("keywords") == "builtin":  # the copy is outside the package: name the same pack
            kwargs["keywords"] = str(ROOT / "rules" / "quality" / "spam_keywords.toml")
        stages.append(cls(**kwargs))
    return stages


def current_stages() -> list[Stage]:
    params = recipe_params()
    return [build_stage(name, params[name]) for name in QUALITY]


def warm(stages: list[Stage], texts: list[str]) -> None:
    """Load what stages load lazily (the language model, the keyword automaton, class tables) before timing."""
    english = "The quick brown fox jumps over the lazy dog, again and again, until the model is loaded."
    for stage in stages:
        for text in (texts[0], english + texts[0][:20]):
            stage.process(Document(id="warm", text=text))
        if stage.name.startswith("language"):
            # Make sure the model itself ran once (the current stage skips it on Chinese text).
            probe = type(stage)(languages=["en"], min_cjk_ratio=0.0)
            probe.process(Document(id="warm", text=english))


def verdict(doc: Document) -> str:
    if doc.rejected is None:
        return "kept"
    return f"{doc.rejected.stage.removesuffix('_before')}/{doc.rejected.rule}"


def run_chain(stages: list[Stage], texts: Iterable[str]) -> tuple[float, list[str]]:
    """CPU seconds to run the stages over fresh documents (stopping at a rejection) as a run's workers do
    (:meth:`Pipeline.process_batch` over chunks of ``CHUNK_ITEMS`` documents), and the verdicts."""
    docs = [Document(id=str(i), text=text) for i, text in enumerate(texts)]
    pipeline = Pipeline(stages)
    started = time.process_time()
    for start in range(0, len(docs), CHUNK_ITEMS):
        pipeline.process_batch(docs[start:start + CHUNK_ITEMS])
    seconds = time.process_time() - started
    return seconds, [verdict(doc) for doc in docs]


def chain_parts(stages: list[Stage], texts: Iterable[str]) -> list[float]:
    """CPU seconds of each stage within the chain (stage by stage over all documents, so the clock is read
    once per stage, not per document; a later stage finds what earlier ones measured, as in a run)."""
    docs = [Document(id=str(i), text=text) for i, text in enumerate(texts)]
    parts = []
    for stage in stages:
        started = time.process_time()
        for doc in docs:
            if doc.rejected is None:
                stage.process(doc)
        parts.append(time.process_time() - started)
    return parts


def best_of(repeats: int, func: Callable[[], tuple[float, list[str]]]) -> tuple[float, list[str]]:
    results = [func() for _ in range(repeats)]
    return min(results, key=lambda r: r[0])


def compare_sets(before: list[Stage], after: list[Stage]) -> None:
    """Decisions document by document on benchmarks/quality_thresholds.py's clean and garbage classes."""
    sys.path.insert(0, str(HERE))
    import quality_thresholds as qt

    from corpusclean.quality.stats import editing_stages
    from corpusclean.recipe import build_pipeline

    rng = random.Random(0)
    clean = qt.clean_classes(1500, rng)
    garbage = qt.garbage_classes(clean, rng, None)
    cleaner = editing_stages(build_pipeline(default_recipe(), where="built-in recipe"))
    print("\nDecisions on the threshold measurement sets (after the recipe's editing stages), baseline -> now:")
    changed_total = 0
    for kind, classes in (("clean", clean), ("garbage", garbage)):
        for name, texts in classes.items():
            edited = []
            for number, text in enumerate(texts):
                doc = cleaner.process(Document(id=f"{name}-{number}", text=text))
                if doc.rejected is None:
                    edited.append(doc)
            old = [verdict(_filtered(before, doc)) for doc in edited]
            new = [verdict(_filtered(after, doc)) for doc in edited]
            changes = Counter(f"{a} -> {b}" for a, b in zip(old, new, strict=True) if a != b)
            changed_total += sum(changes.values())
            kept_old, kept_new = old.count("kept"), new.count("kept")
            detail = ", ".join(f"{k} x{n}" for k, n in changes.most_common()) or "no change"
            print(f"  {kind}:{name:<16} kept {kept_old:>5} -> {kept_new:<5} of {len(edited):<5} {detail}")
    print(f"  documents whose decision changed: {changed_total}")


def _filtered(stages: list[Stage], doc: Document) -> Document:
    copy = Document(id=doc.id, text=doc.text, meta=dict(doc.meta))
    for stage in stages:
        stage.process(copy)
        if copy.rejected is not None:
            break
    return copy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=20, help="MB of document text (default 20; 200 = full)")
    parser.add_argument("--baseline", default=DEFAULT_BASELINE, help=f"git revision (default {DEFAULT_BASELINE})")
    parser.add_argument("--repeats", type=int, default=2, help="best of N timed runs (default 2)")
    parser.add_argument("--sets", action="store_true", help="also compare decisions on the threshold sets")
    args = parser.parse_args(argv)

    texts = load_texts(args.mb)
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    before, after = baseline_stages(args.baseline), current_stages()
    warm(before, texts)
    warm(after, texts)
    print(f"{len(texts):,} documents, {megabytes:.1f} MB of real-sentence text; baseline {args.baseline}; "
          f"CPU time, best of {args.repeats}\n")
    print(f"  {'stage':<22} {'baseline':>10} {'now':>10} {'speed-up':>9}")
    for old, new in zip(before, after, strict=True):
        old_s = best_of(args.repeats, lambda old=old: run_chain([old], texts))[0]
        new_s = best_of(args.repeats, lambda new=new: run_chain([new], texts))[0]
        print(f"  {new.name + ' alone':<22} {megabytes / old_s:7.1f} MB/s {megabytes / new_s:6.1f} MB/s "
              f"{old_s / new_s:8.1f}x")
    old_s, old_verdicts = best_of(args.repeats, lambda: run_chain(before, texts))
    new_s, new_verdicts = best_of(args.repeats, lambda: run_chain(after, texts))
    print(f"  {'all six, chained':<22} {megabytes / old_s:7.1f} MB/s {megabytes / new_s:6.1f} MB/s "
          f"{old_s / new_s:8.1f}x")
    old_parts = [min(p) for p in zip(*(chain_parts(before, texts) for _ in range(args.repeats)), strict=True)]
    new_parts = [min(p) for p in zip(*(chain_parts(after, texts) for _ in range(args.repeats)), strict=True)]
    for stage, old_p, new_p in zip(after, old_parts, new_parts, strict=True):
        label = f"  {stage.name} in the chain"
        print(f"  {label:<22} {megabytes / old_p:7.1f} MB/s {megabytes / new_p:6.1f} MB/s {old_p / new_p:8.1f}x")
    differ = sum(a != b for a, b in zip(old_verdicts, new_verdicts, strict=True))
    counts = Counter(new_verdicts)
    print("\n  verdicts now: " + ", ".join(f"{k} {n}" for k, n in counts.most_common()))
    print(f"  documents whose decision differs from the baseline: {differ} of {len(texts):,}")
    if args.sets:
        compare_sets(before, after)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
