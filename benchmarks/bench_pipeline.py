"""Where the time of a default-recipe run goes: every stage in one process, then the CLI end to end.

    python benchmarks/bench_pipeline.py              # 10 MB corpus of real sentences (built once, reused)
    python benchmarks/bench_pipeline.py --mb 100 --workers 1,2
    python benchmarks/bench_pipeline.py --mb 50 --profile --workers 1   # where the time goes: C or Python
    python benchmarks/bench_pipeline.py --mb 50 --floor --workers 1 --skip-stages --baseline 137a6fe
    python benchmarks/bench_pipeline.py --mb 20 --workers 1 --skip-stages --baseline f80a9b6 --pairs 6

Part 1 parses the corpus once and times each step over the same documents in this process: parsing,
the start-up cost (the first documents, which load lazy tables and models; not in the sum), each
per-document stage's ``process``, each corpus stage's worker-side ``prepare_batch`` (and the
one-document ``prepare`` beside it), then what follows as ``clean`` does it: with deduplication, the
workers' encoding ahead of the decision and the main process's part (keys, spill, decision, finished
lines); otherwise the transport of documents to the main process, each corpus stage's ``run`` and the
encoding of output and rejects lines.
Part 2 runs ``corpusclean clean`` with the built-in recipe as a user does (a fresh process, ``--rejects``)
for each ``--workers`` value and reports wall MB/s, MB per CPU-second (all processes of the run, sampled
from /proc), peak resident memory of the main process and of the largest worker, and the peak memory of
all processes together as proportional set size (pages the workers share with the fork server counted
once: what the run takes from the machine); then, from a second run on the corpus's first chunk per
worker, the fixed start-up cost and the steady rate of the rest (what a long run approaches).
``--floor`` adds the same run with a recipe of dedup alone: what reading, deduplication and writing cost
without any cleaning stage, the most a faster cleaning stage could give.
Both parts print the ratio to an orjson read/write loop over the same file, measured in the same run: the
machine is shared and noisy, so compare ratios, not absolute figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_io import baseline
from corpus import DATA, build_corpus

from corpusclean.pipeline import CHUNK_ITEMS

_TICKS = os.sysconf("SC_CLK_TCK")
WARM_DOCS = 200


def _sample(group: int, peaks: dict[int, int], cpu: dict[int, float]) -> int:
    """Peak resident KB (VmHWM) and CPU seconds so far of every live process in process group ``group``;
    returns their proportional set size now (KB): shared pages (the fork server's tables, which workers
    share copy-on-write) counted once, so the sum is the memory the run takes from the machine."""
    pss = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            if int(fields[2]) != group:
                continue
            cpu[pid] = (int(fields[11]) + int(fields[12])) / _TICKS
            with open(f"/proc/{entry}/status", "rb") as handle:
                for line in handle:
                    if line.startswith(b"VmHWM:"):
                        peaks[pid] = max(peaks.get(pid, 0), int(line.split()[1]))
            with open(f"/proc/{entry}/smaps_rollup", "rb") as handle:
                for line in handle:
                    if line.startswith(b"Pss:"):
                        pss += int(line.split()[1])
                        break
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile
    return pss


def run_cli(corpus: Path, out: Path, workers: int, config: str | None = None,
            code: Path | None = None) -> dict[str, float]:
    """One ``corpusclean clean`` run (the built-in recipe unless ``config``; the package in ``code``, a
    source tree, unless None: the one installed): wall and CPU seconds, peak RSS in MB."""
    command = [sys.executable, "-m", "corpusclean.cli", "clean", str(corpus), "-o", str(out / "out.jsonl"),
               "--rejects", str(out / "rejects.jsonl"), "-q", "--workers", str(workers)]
    if config:
        command += ["--config", config]
    peaks: dict[int, int] = {}
    cpu: dict[int, float] = {}
    start = time.perf_counter()
    env = None if code is None else {**os.environ, "PYTHONPATH": str(code)}
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                            env=env, cwd=code)
    total_pss = 0
    while proc.poll() is None:
        total_pss = max(total_pss, _sample(proc.pid, peaks, cpu))
        time.sleep(0.05)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"corpusclean failed ({proc.returncode}): {proc.stderr.read().decode()}")
    main_kb = peaks.pop(proc.pid, 0)
    return {"wall": wall, "cpu": sum(cpu.values()), "main_mb": main_kb / 1024,
            "worker_mb": max(peaks.values(), default=0) / 1024, "pss_mb": total_pss / 1024}


# Per step, the share of its profiled time spent inside C functions (filled when profiling, see _c_share).
C_SHARES: dict[str, float] = {}
PROFILE = [False]


def _timed(func: Callable[[], Any]) -> tuple[Any, float]:
    if PROFILE[0]:
        import cProfile

        profiler = cProfile.Profile()
        start = time.perf_counter()
        result = profiler.runcall(func)
        seconds = time.perf_counter() - start
        C_SHARES[str(len(C_SHARES))] = _c_share(profiler)
        return result, seconds
    start = time.perf_counter()
    result = func()
    return result, time.perf_counter() - start


def _c_share(profiler: Any) -> float:
    """The share of a profile's own time (tottime) spent in built-in and extension functions: work done in C
    (re, str methods, numpy, orjson, the Rust converters...). The rest is the interpreter running our Python,
    which only compiled code would remove. cProfile's per-call cost inflates the Python side a little."""
    import pstats

    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    in_c = sum(row[2] for (filename, _, _), row in stats.items() if filename == "~")
    total = sum(row[2] for row in stats.values())
    return in_c / total if total else 0.0


def stage_times(corpus: Path) -> tuple[list[tuple[str, float]], int]:
    """Seconds of each step over the whole corpus in this process, and the number of documents."""
    import pickle

    import corpusclean
    from corpusclean import pipeline as pipeline_module
    from corpusclean.engines.batch import encode_batch
    from corpusclean.io.parse import ParseOptions, parse_item
    from corpusclean.io.readers import RawItem
    from corpusclean.pipeline import CHUNK_ITEMS

    pipeline = corpusclean.default_pipeline()
    # What a worker sends back for a chunk (older versions pickled the documents themselves).
    pack = getattr(pipeline_module, "pack_chunk", lambda chunk: chunk)
    unpack = getattr(pipeline_module, "unpack_chunk", lambda packed: packed)
    with open(corpus, "rb") as handle:
        items = [RawItem(str(corpus), n, line, "jsonl") for n, line in enumerate(handle, 1)]
    options = ParseOptions()
    # Warm-up: lazy imports, lookup tables and models load once per process, some only when a document
    # needs them (the mojibake tables); timed apart, as the start-up cost every process pays once.
    times: list[tuple[str, float]] = []
    warm = [parse_item(item, options) for item in items[:WARM_DOCS]]

    def warm_up() -> None:
        import importlib

        importlib.import_module("corpusclean.warmup")  # the tables the fork server builds (language model, ...)

        for doc in warm:
            pipeline.process(doc)

    _, seconds = _timed(warm_up)
    times.append((f"start-up: first {WARM_DOCS} documents (not in the sum)", seconds))
    docs, seconds = _timed(lambda: [parse_item(item, options) for item in items])
    times.append(("parse (orjson -> Document)", seconds))
    chunks = [docs[i:i + CHUNK_ITEMS] for i in range(0, len(docs), CHUNK_ITEMS)]
    for stage in pipeline.stages:
        if stage in pipeline.corpus_stages:
            alive = [doc for doc in docs if doc.rejected is None]
            copies = [doc.text for doc in alive]
            _, seconds = _timed(lambda: [stage.prepare(doc) for doc in alive])  # noqa: B023
            times.append((f"{stage.name}.prepare (one at a time, not in the sum)", seconds))
            for doc, text in zip(alive, copies, strict=True):
                doc.text = text
                doc.scratch.clear()

            def batched(stage: Any = stage) -> None:
                for chunk in chunks:
                    alive = [doc for doc in chunk if doc.rejected is None]
                    if hasattr(stage, "prepare_batch"):
                        stage.prepare_batch(alive)
                    else:
                        for doc in alive:
                            stage.prepare(doc)

            _, seconds = _timed(batched)
            times.append((f"{stage.name}.prepare_batch", seconds))
            continue

        def each(stage: Any = stage) -> None:
            if hasattr(stage, "process_batch"):  # as a worker runs it: once per chunk
                for chunk in chunks:
                    stage.process_batch([doc for doc in chunk if doc.rejected is None])
                return
            for doc in docs:
                if doc.rejected is None:
                    stage.process(doc)

        _, seconds = _timed(each)
        times.append((stage.name, seconds))
    if len(pipeline.corpus_stages) == 1 and hasattr(pipeline.corpus_stages[0], "decider"):
        # What clean_files does with a deduplication stage: workers encode ahead of the decision, the main
        # process spills the bytes, decides and finishes the lines (corpusclean/engines/deferred.py).
        from corpusclean.engines.deferred import encode_pending, finish

        stage = pipeline.corpus_stages[0]
        sent, seconds = _timed(lambda: [pickle.dumps(encode_pending(chunk, stage=stage, rejects=True),
                                                     protocol=pickle.HIGHEST_PROTOCOL) for chunk in chunks])
        times.append(("encode ahead of dedup + send (worker)", seconds))

        def main_side() -> None:
            decider = stage.decider()
            for blob in sent:
                keys, pending = pickle.loads(blob)
                decider.add_packed(keys)
                decider.spill.write_pickled(pending)
            verdicts = decider.verdicts()
            for summary, pending in decider.spill.records():
                finish(stage, summary, pending, verdicts, rejects=True)
            decider.finish()
            stage.close()

        _, seconds = _timed(main_side)
        times.append(("dedup keys, spill, decision, finished lines (main)", seconds))
        return times, len(docs)
    packed, seconds = _timed(lambda: [pickle.dumps(pack(chunk), protocol=pickle.HIGHEST_PROTOCOL)
                                      for chunk in chunks])
    times.append(("transport: pack chunks (worker)", seconds))
    docs, seconds = _timed(lambda: [doc for blob in packed for doc in unpack(pickle.loads(blob))])
    times.append(("transport: unpack chunks (main)", seconds))
    for stage in pipeline.corpus_stages:
        docs, seconds = _timed(lambda stage=stage, docs=docs: list(stage.run(iter(docs))))
        stage.close()
        times.append((f"{stage.name}.run (main)", seconds))
    _, seconds = _timed(lambda: [encode_batch(docs[i:i + CHUNK_ITEMS]) for i in range(0, len(docs), CHUNK_ITEMS)])
    times.append(("encode output + rejects lines (main)", seconds))
    return times, len(docs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=10, help="corpus size in MB (default 10)")
    parser.add_argument("--workers", default="1,2", help="worker counts for the end-to-end runs (default 1,2)")
    parser.add_argument("--repeat", type=int, default=1, help="end-to-end runs per worker count; the best counts")
    parser.add_argument("--skip-stages", action="store_true", help="end-to-end runs only")
    parser.add_argument("--floor", action="store_true",
                        help="also run a recipe of dedup alone: the cost of reading, deduplication and writing, "
                             "which no speed-up of the cleaning stages can remove")
    parser.add_argument("--profile", action="store_true",
                        help="part 1 again under cProfile: per step, the share of its time spent in C functions "
                             "(the rest is interpreted Python, the part a compiled core could remove)")
    parser.add_argument("--baseline", metavar="COMMIT", default=None,
                        help="also run the end-to-end command with the code of COMMIT (git archive into a "
                             "temporary folder) and print this tree's steady rate as a ratio to it")
    parser.add_argument("--pairs", type=int, default=0, metavar="N",
                        help="with --baseline: also N interleaved pairs of whole runs (this tree, then COMMIT, one "
                             "worker), their whole-process CPU seconds as a ratio (median and range): on a shared "
                             "machine the runs one after the other drift by 10%%, pairs side by side do not")
    parser.add_argument("--config", default=None,
                        help="recipe for the end-to-end runs instead of the built-in one (e.g. dedup alone, to see "
                             "what the framework and deduplication cost without the other stages)")
    args = parser.parse_args()

    corpus = build_corpus(DATA / f"corpus-{args.mb:g}mb-s0.jsonl", target_mb=args.mb)
    size_mb = corpus.stat().st_size / 1e6
    with tempfile.TemporaryDirectory(dir=DATA) as tmp:
        base = baseline(corpus, Path(tmp) / "baseline.jsonl")
    print(f"corpus: {corpus.name} ({size_mb:.1f} MB); {os.cpu_count()} cores")
    print(f"{'baseline: orjson loads+dumps loop':<50} {size_mb / base:8.1f} MB/s   1.000x baseline")
    if not args.skip_stages:
        times, count = stage_times(corpus)
        total = sum(seconds for name, seconds in times if "not in the sum" not in name)
        print(f"\nper step, one process, {count:,} documents (MB/s of the whole input; share of the total):")
        for name, seconds in times:
            if name.startswith("start-up"):
                print(f"  {name:<48} {seconds:8.2f} s")
                continue
            share = "" if "not in the sum" in name else f"{seconds / total:6.1%}"
            print(f"  {name:<48} {size_mb / seconds:8.1f} MB/s  {share}")
        print(f"  {'all steps (sum)':<48} {size_mb / total:8.1f} MB/s  {base / total:6.3f}x baseline")
        if args.profile:
            print_c_shares(corpus, times, total)
    recipe = f"--config {args.config}" if args.config else "(built-in recipe)"
    print(f"\nend to end: corpusclean clean INPUT -o OUT --rejects REJECTS --workers N {recipe}")
    with tempfile.TemporaryDirectory(dir=DATA) as tmp:
        steady = {workers: end_to_end(corpus, Path(tmp), workers, args.config, args.repeat, base)
                  for workers in map(int, args.workers.split(","))}
        if args.baseline:
            code = export(args.baseline, Path(tmp) / "baseline-code")
            print(f"\nthe same with the code of {args.baseline} (its own built-in recipe)")
            for workers, rate in steady.items():
                then = end_to_end(corpus, Path(tmp), workers, args.config, args.repeat, base, code)
                print(f"  --workers {workers}: this tree's steady MB per CPU-second / {args.baseline}'s: "
                      f"{rate / then:.2f}x")
            if args.pairs:
                print_pairs(corpus, Path(tmp), code, args.baseline, args.pairs, args.config)
        if args.floor:
            # The same run with every stage but dedup left out: what reading, deduplication and writing cost
            # alone, i.e. the most any speed-up of the cleaning stages could give.
            only_dedup = Path(tmp) / "dedup-only.toml"
            only_dedup.write_text('[[stages]]\nuse = "dedup"\n', encoding="utf-8")
            print(f"\nfloor: the same command with a recipe of dedup alone ({only_dedup.name})")
            floor = end_to_end(corpus, Path(tmp), 1, str(only_dedup), args.repeat, base)
            # Per MB: the recipe's CPU time = the floor's + the cleaning stages'; the share is the stages'.
            workers, rate = next(iter(steady.items()))
            print(f"  past start-up, the cleaning stages take {1 - rate / floor:.0%} of the CPU time of the "
                  f"--workers {workers} run above ({1 / rate - 1 / floor:.4f} CPU-s per MB, that is "
                  f"{1 / (1 / rate - 1 / floor):.1f} MB per CPU-second for all of them together); with them free "
                  f"it would run at {floor:.1f} MB per CPU-second")
            if args.baseline:
                then = end_to_end(corpus, Path(tmp), 1, str(only_dedup), args.repeat, base, code)
                print(f"  floor, this tree's steady MB per CPU-second / {args.baseline}'s: {floor / then:.2f}x")


def print_c_shares(corpus: Path, times: list[tuple[str, float]], total: float) -> None:
    """Part 1 again under cProfile, fresh documents and stages: where each step's time goes, C or Python."""
    PROFILE[0] = True
    try:
        profiled, _ = stage_times(corpus)
    finally:
        PROFILE[0] = False
    shares = list(C_SHARES.values())
    print("\nper step under cProfile: share of its time in C functions, and of the unprofiled total in Python")
    python_total = 0.0
    for (name, seconds), (_, _), share in zip(times, profiled, shares, strict=True):
        if "not in the sum" in name or name.startswith("start-up"):
            continue
        python_total += seconds * (1 - share)
        print(f"  {name:<48} C {share:6.1%}   Python {seconds * (1 - share) / total:6.1%} of all steps")
    print(f"  {'all steps':<48} C {1 - python_total / total:6.1%}   Python {python_total / total:6.1%}")


def print_pairs(corpus: Path, tmp: Path, code: Path, commit: str, pairs: int, config: str | None) -> None:
    """Whole runs of this tree and of ``commit`` (exported in ``code``) one after the other, ``pairs`` times:
    the ratio of their CPU seconds, start-up included, pair by pair."""
    ratios = []
    for number in range(pairs):
        here = run_cli(corpus, tmp, 1, config)["cpu"]
        then = run_cli(corpus, tmp, 1, config, code)["cpu"]
        ratios.append(then / here)
        print(f"  pair {number + 1}: this tree {here:.2f} CPU-s, {commit} {then:.2f} CPU-s")
    print(f"  {commit}'s CPU / this tree's, {pairs} interleaved pairs: median {statistics.median(ratios):.3f} "
          f"(range {min(ratios):.3f}-{max(ratios):.3f}; above 1: this tree is faster)")


def export(commit: str, into: Path) -> Path:
    """The source tree of ``commit`` in ``into`` (``git archive``), to run the same command with old code."""
    into.mkdir(parents=True)
    root = Path(__file__).resolve().parent.parent
    archive = subprocess.run(["git", "-C", str(root), "archive", commit], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def end_to_end(corpus: Path, tmp: Path, workers: int, config: str | None, repeat: int, base: float,
               code: Path | None = None) -> float:
    """Run ``corpusclean clean`` (best of ``repeat``), print its figures, return the steady MB per CPU-second."""
    size_mb = corpus.stat().st_size / 1e6
    # The fixed cost of a run (interpreter, imports, tables, worker start): the same command on the
    # corpus's first chunk per worker, so that the steady rate of a long run can be told apart.
    small = tmp / "small.jsonl"
    with open(corpus, "rb") as source, open(small, "wb") as sink:
        sink.writelines(line for _, line in zip(range(CHUNK_ITEMS * workers), source, strict=False))
    small_mb = small.stat().st_size / 1e6
    fixed = min((run_cli(small, tmp, workers, config, code) for _ in range(repeat)), key=lambda run: run["wall"])
    runs = [run_cli(corpus, tmp, workers, config, code) for _ in range(repeat)]
    best = min(runs, key=lambda run: run["wall"])
    with open(tmp / "out.jsonl", "rb") as handle:
        kept = sum(1 for _ in handle)
    worker = f", largest worker {best['worker_mb']:.0f} MB" if workers > 1 else ""
    print(f"  --workers {workers}: {size_mb / best['wall']:6.2f} MB/s wall "
          f"({base / best['wall']:6.3f}x baseline), {size_mb / best['cpu']:6.2f} MB per CPU-second; "
          f"peak RSS main {best['main_mb']:.0f} MB{worker}, all processes together (PSS) "
          f"{best['pss_mb']:.0f} MB; {kept:,} documents kept")
    steady_cpu = best["cpu"] - fixed["cpu"]
    steady_wall = best["wall"] - fixed["wall"]
    if steady_cpu <= 0 or steady_wall <= 0:
        # The start-up run took longer than the whole one: another job slowed it. No rate is honest here.
        print(f"      start-up run ({fixed['wall']:.2f} s) not shorter than the whole run ({best['wall']:.2f} s): "
              "the machine was too busy to separate start-up from the steady rate; rerun when it is quieter")
        return float("nan")
    steady = (size_mb - small_mb) / steady_cpu
    print(f"      start-up (first {CHUNK_ITEMS * workers} documents, {small_mb:.1f} MB): "
          f"{fixed['wall']:.2f} s wall, "
          f"{fixed['cpu']:.2f} CPU-s; the rest: {(size_mb - small_mb) / steady_wall:6.2f} MB/s wall, "
          f"{steady:6.2f} MB per CPU-second")
    return steady

if __name__ == "__main__":
    main()
