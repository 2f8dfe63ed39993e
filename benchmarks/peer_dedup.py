"""A peer's document deduplication alone, on one JSONL file; run by bench_dedup.py with the Python of the
peer's virtual environment (benchmarks/.venv-peers/NAME, made by compare_peers.ensure_venv; peers are
never corpusclean dependencies).

- datatrove: its four MinHash stages (signatures, buckets, cluster, filter) with the FineWeb configuration
  (5-grams of words, 14 buckets x 8 hashes, 64-bit hashes) and ``language="cmn"``, the only setting whose
  tokenizer splits Chinese (spaCy + jieba); ``zho`` silently falls back to whitespace. No script folding:
  datatrove has none.
- data-juicer: ``chinese_convert_mapper`` (t2s, so cross-script copies can match), then
  ``document_deduplicator`` and ``document_minhash_deduplicator`` with character 5-grams, punctuation
  ignored, Jaccard threshold 0.7 (its best configuration for Chinese that we know).

Usage: python peer_dedup.py TOOL INPUT.jsonl WORK_DIR
Writes WORK_DIR/kept.json: the ids of the documents the tool kept.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

DATATROVE_STAGES = ("sigs", "buckets", "cluster", "dedup")


def datatrove_stage(stage: str, source: Path, work: Path) -> None:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup import (
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.dedup.minhash import MinhashConfig
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from datatrove.utils.hashing import HashConfig

    config = MinhashConfig(hash_config=HashConfig(precision=64), n_grams=5, num_buckets=14, hashes_per_bucket=8)

    def run(pipeline: list, tasks: int) -> None:
        LocalPipelineExecutor(pipeline=pipeline, tasks=tasks, workers=1, logging_dir=str(work / "logs" / stage)).run()

    reader = JsonlReader(str(source.parent), glob_pattern=source.name)
    if stage == "sigs":
        run([reader, MinhashDedupSignature(output_folder=str(work / "sigs"), config=config, language="cmn")], 1)
    elif stage == "buckets":
        run([MinhashDedupBuckets(input_folder=str(work / "sigs"), output_folder=str(work / "buckets"),
                                 config=config)], config.num_buckets)
    elif stage == "cluster":
        run([MinhashDedupCluster(input_folder=str(work / "buckets"), output_folder=str(work / "remove_ids"),
                                 config=config)], 1)
    else:
        run([reader, MinhashDedupFilter(input_folder=str(work / "remove_ids")),
             JsonlWriter(str(work / "output"), compression=None)], 1)


def datatrove(source: Path, work: Path) -> list[str]:
    # Each stage in its own process, as datatrove's examples run them (a loaded spaCy/jieba tokenizer cannot
    # be deep-copied by the executor).
    for stage in DATATROVE_STAGES:
        subprocess.run([sys.executable, __file__, "datatrove-stage", str(source), str(work), stage], check=True)
    kept = []
    for path in sorted((work / "output").glob("*.jsonl")):
        with open(path, encoding="utf-8") as handle:
            kept += [str(json.loads(line)["id"]) for line in handle]
    return kept


def data_juicer(source: Path, work: Path) -> list[str]:
    os.environ.setdefault("HF_HOME", str(work / "hf"))
    os.environ.setdefault("HF_DATASETS_CACHE", str(work / "hf" / "datasets"))
    import yaml
    from data_juicer.config import init_configs
    from data_juicer.core import DefaultExecutor

    config = {
        "project_name": "corpusclean-dedup", "dataset_path": str(source), "export_path": str(work / "output.jsonl"),
        "work_dir": str(work), "np": 1, "text_keys": "text", "use_cache": False, "open_tracer": False,
        "process": [
            {"chinese_convert_mapper": {"mode": "t2s"}},
            {"document_deduplicator": {"lowercase": True, "ignore_non_character": True}},
            {"document_minhash_deduplicator": {"tokenization": "character", "window_size": 5, "lowercase": True,
                                               "ignore_pattern": r"\p{P}", "jaccard_threshold": 0.7}},
        ],
    }
    path = work / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    DefaultExecutor(init_configs(args=["--config", str(path)])).run()
    with open(work / "output.jsonl", encoding="utf-8") as handle:
        return [str(json.loads(line)["id"]) for line in handle]


def main() -> None:
    tool, source, work = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    if tool == "datatrove-stage":
        datatrove_stage(sys.argv[4], source, work)
        return
    work.mkdir(parents=True, exist_ok=True)
    kept = {"datatrove": datatrove, "data-juicer": data_juicer}[tool](source, work)
    (work / "kept.json").write_text(json.dumps(kept), encoding="utf-8")


if __name__ == "__main__":
    main()
