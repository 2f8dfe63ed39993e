"""Throughput of the ray engine with 1 and 2 Ray CPUs against the local engine, on the same input, in one run.

The input is the benchmark corpus (real Chinese sentences, ``benchmarks/corpus.py``) cut into shards, with
every 10th document copied (new id, other shard) so deduplication has clusters to find. Each engine runs
the default recipe; the figures are MB/s of input and the ratio to the local engine with one worker,
measured in the same process (the machine is shared, so only ratios compare across runs). A local Ray is
started per Ray configuration; its start-up is reported apart from the run. Every run must keep the same
documents, or the script fails.

    python benchmarks/bench_ray.py            # 5 MB, a few minutes
    python benchmarks/bench_ray.py --mb 50    # the full size
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import DATA, build_corpus

from corpusclean.engines.local import RunConfig, clean_files
from corpusclean.recipe import build_pipeline, default_recipe


def make_input(source: Path, directory: Path, shards: int) -> float:
    """Shards of ``source`` plus a shard of exact copies of every 10th document; returns the MB written."""
    lines = source.read_bytes().splitlines(keepends=True)
    outs = [open(directory / f"part-{n}.jsonl", "wb") for n in range(shards + 1)]  # noqa: SIM115
    for number, line in enumerate(lines):
        outs[number % shards].write(line)
        if number % 10 == 0:
            record = json.loads(line)
            record["id"] = f"copy-{record['id']}"
            outs[shards].write(json.dumps(record, ensure_ascii=False).encode() + b"\n")
    for out in outs:
        out.close()
    return sum(p.stat().st_size for p in directory.iterdir()) / 1e6


def kept_ids(path: Path) -> set[str]:
    return {json.loads(line)["id"] for line in path.read_bytes().splitlines()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=5.0, help="corpus size in MB (default 5)")
    parser.add_argument("--shards", type=int, default=4, help="input shards (default 4)")
    args = parser.parse_args()
    source = build_corpus(DATA / f"corpus-{args.mb:g}mb-s0.jsonl", target_mb=args.mb)
    pipeline = build_pipeline(default_recipe())
    with tempfile.TemporaryDirectory(prefix="bench-ray-") as tmp:
        inputs = Path(tmp) / "in"
        inputs.mkdir()
        megabytes = make_input(source, inputs, args.shards)
        results: list[tuple[str, float, float]] = []
        kept: dict[str, set[str]] = {}

        def run(name: str, clean) -> None:
            out = Path(tmp) / f"{name}.jsonl"
            start = time.perf_counter()
            summary = clean(RunConfig(inputs=[str(inputs)], output=str(out), workers=workers))
            seconds = time.perf_counter() - start
            results.append((name, seconds, summary.docs_out))
            kept[name] = kept_ids(out)
            print(f"{name:<24} {seconds:7.1f} s  {megabytes / seconds:6.2f} MB/s  kept {summary.docs_out:,} "
                  f"of {summary.docs_in:,}", flush=True)

        print(f"input: {megabytes:.1f} MB in {args.shards + 1} shards; default recipe")
        for workers in (1, 2):
            run(f"local workers={workers}", lambda config: clean_files(pipeline, config))
        import ray

        from corpusclean.engines.ray_engine import clean_with_ray

        for cpus in (1, 2):
            start = time.perf_counter()
            ray.init(num_cpus=cpus, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
            print(f"(ray start-up with {cpus} CPU: {time.perf_counter() - start:.1f} s)")
            workers = cpus
            run(f"ray num_cpus={cpus}", lambda config: clean_with_ray(pipeline, config))
            ray.shutdown()
        baseline = results[0][1]
        print("\nratio to local workers=1 (higher is faster):")
        for name, seconds, _ in results:
            print(f"  {name:<24} {baseline / seconds:5.2f}x")
        reference = kept[results[0][0]]
        for name, ids in kept.items():
            if ids != reference:
                raise SystemExit(f"{name} kept {len(ids ^ reference)} documents differently from the local engine")
        print("every run kept the same documents")


if __name__ == "__main__":
    main()
