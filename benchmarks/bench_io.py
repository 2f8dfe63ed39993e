"""Read→write throughput of the framework next to a bare orjson loop over the same file, in the same run.

    python benchmarks/bench_io.py                # 200 MB corpus of real sentences (built once, reused)
    python benchmarks/bench_io.py --mb 50 --repeat 1
    python benchmarks/bench_io.py --mb 10 --formats jsonl,parquet   # Parquet in and out beside JSONL

Runs `corpusclean clean` as a user does (a fresh process, stderr quiet) with recipes that do almost
nothing, so what is measured is the framework: reading, JSON parsing, the document loop, workers,
serialising and the atomic write. Reports MB/s of input, the ratio to the baseline, and the peak resident
memory of the main process and of the largest worker (Linux /proc, sampled while the run goes). The
machine is shared and noisy: compare the ratios, and use ``--repeat`` (the best run counts).

``--formats parquet`` runs the same corpus as a Parquet file (the same records, written once beside the
JSONL, zstd, row groups of 8,192) to ``out.parquet``; MB/s are of the JSONL size in every line, so the
figures compare the work done on the same documents.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import DATA, build_corpus

RECIPES = {
    "min_length": '[[stages]]\nuse = "min_length"\n',
    "whitespace": '[[stages]]\nuse = "whitespace"\n',
    "whitespace+min_length": '[[stages]]\nuse = "whitespace"\n\n[[stages]]\nuse = "min_length"\n',
}


def baseline(path: Path, out: Path) -> float:
    """Seconds for the plainest useful loop: orjson loads and dumps every line, buffered writes."""
    start = time.perf_counter()
    with open(path, "rb") as source, open(out, "wb") as sink:
        for line in source:
            sink.write(orjson.dumps(orjson.loads(line)) + b"\n")
    return time.perf_counter() - start


def _group_peaks(group: int, peaks: dict[int, int]) -> None:
    """Record VmHWM (peak resident KB) of every live process in process group ``group``."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                if int(handle.read().rsplit(b")", 1)[1].split()[2]) != group:
                    continue
            with open(f"/proc/{entry}/status", "rb") as handle:
                for line in handle:
                    if line.startswith(b"VmHWM:"):
                        peaks[int(entry)] = max(peaks.get(int(entry), 0), int(line.split()[1]))
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile


def parquet_corpus(corpus: Path) -> Path:
    """The JSONL corpus as a Parquet file beside it (built once), written in batches as a crawl export is."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = corpus.with_suffix(".parquet")
    if path.exists() and path.stat().st_mtime >= corpus.stat().st_mtime:
        return path
    tmp = path.with_suffix(".parquet.partial")
    writer = None
    with open(corpus, "rb") as handle:
        while batch := [orjson.loads(line) for _, line in zip(range(8192), handle, strict=False)]:
            table = pa.Table.from_pylist(batch)
            writer = writer or pq.ParquetWriter(tmp, table.schema, compression="zstd")
            writer.write_table(table)
    if writer is not None:
        writer.close()
    os.replace(tmp, path)
    return path


def run_cli(path: Path, out: Path, recipe: Path, workers: int) -> tuple[float, int, int]:
    """Wall seconds of one `corpusclean clean` process, and the peak resident KB of the main process and
    of the largest other process of its group (workers, fork server), sampled from /proc while it runs."""
    command = [sys.executable, "-m", "corpusclean.cli", "clean", str(path), "-o", str(out), "-q",
               "--workers", str(workers), "--config", str(recipe)]
    peaks: dict[int, int] = {}
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    while proc.poll() is None:
        _group_peaks(proc.pid, peaks)
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"corpusclean failed ({proc.returncode}): {proc.stderr.read().decode()}")
    main_kb = peaks.pop(proc.pid, 0)
    return seconds, main_kb, max(peaks.values(), default=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=200, help="corpus size in MB (default 200)")
    parser.add_argument("--repeat", type=int, default=2, help="runs per configuration; the best counts")
    parser.add_argument("--workers", default="1,2", help="worker counts to measure (default 1,2)")
    parser.add_argument("--recipes", default="min_length,whitespace", help=f"of: {', '.join(RECIPES)}")
    parser.add_argument("--formats", default="jsonl", help="input and output formats to measure: jsonl,parquet")
    args = parser.parse_args()

    corpus = build_corpus(DATA / f"corpus-{args.mb:g}mb-s0.jsonl", target_mb=args.mb)
    size_mb = corpus.stat().st_size / 1e6
    with open(corpus, "rb") as handle:
        lines = sum(1 for _ in handle)
    print(f"corpus: {corpus} ({size_mb:.1f} MB, {lines:,} documents of real sentences); {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(dir=DATA) as tmp:
        out = Path(tmp) / "out.jsonl"
        base = min(baseline(corpus, out) for _ in range(args.repeat))
        print(f"{'baseline: orjson loads+dumps loop':<44} {size_mb / base:7.1f} MB/s   1.00x")
        inputs = {"jsonl": (corpus, out)}
        if "parquet" in args.formats.split(","):
            inputs["parquet"] = (parquet_corpus(corpus), Path(tmp) / "out.parquet")
        for name in args.recipes.split(","):
            recipe = Path(tmp) / f"{name}.toml"
            recipe.write_text(RECIPES[name], encoding="utf-8")
            for workers in map(int, args.workers.split(",")):
                best: dict[str, float] = {}
                for fmt in args.formats.split(","):
                    source, target = inputs[fmt]
                    runs = [run_cli(source, target, recipe, workers) for _ in range(args.repeat)]
                    seconds = best[fmt] = min(run[0] for run in runs)
                    main_mb, worker_mb = (max(run[i] for run in runs) / 1024 for i in (1, 2))
                    label = f"corpusclean [{name}] --workers {workers}" + (f" {fmt}" if len(inputs) > 1 else "")
                    workers_note = f", workers {worker_mb:5.1f} MB" if workers > 1 else ""
                    print(f"{label:<52} {size_mb / seconds:7.1f} MB/s  {base / seconds:5.2f}x   "
                          f"peak RSS: main {main_mb:5.1f} MB{workers_note}")
                if len(best) > 1:
                    print(f"{'':<52} parquet/jsonl throughput: {best['jsonl'] / best['parquet']:.2f}")

if __name__ == "__main__":
    main()
