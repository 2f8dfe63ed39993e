"""data-juicer doing the closest equivalent of corpusclean's JSONL work; run by compare_peers.py with the
Python of the peers' virtual environment (data-juicer is never a corpusclean dependency).

Configuration, the best honest one for Chinese we know (thresholds from data-juicer's own Chinese recipe,
``configs/data_juicer_recipes/alpaca_cot/alpaca-cot-zh-refine.yaml``, where it has them):
- ``fix_unicode_mapper`` (ftfy), ``chinese_convert_mapper`` mode ``t2s`` (its Traditional->Simplified
  mapper, so Traditional copies can be found), ``whitespace_normalization_mapper``;
- filters: ``text_length_filter`` (min 50 characters), ``alphanumeric_filter`` (tokenization off, min ratio
  0.10), ``character_repetition_filter`` (10-grams, max ratio 0.6), ``special_characters_filter`` (defaults);
  the word-based filters (stop words, flagged words, perplexity) are left out: they download word lists or
  models at run time, which cannot be done here;
- dedup: ``document_deduplicator`` (exact, lower-cased, non-characters ignored) then
  ``document_minhash_deduplicator`` with ``tokenization: character``, 5-character shingles, punctuation
  ignored, Jaccard threshold 0.7 (its default), 256 permutations.

Usage: python peer_data_juicer.py INPUT_DIR WORK_DIR WORKERS
Writes WORK_DIR/output.jsonl and WORK_DIR/result.json.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

PROCESS = [
    {"fix_unicode_mapper": {}},
    {"chinese_convert_mapper": {"mode": "t2s"}},
    {"whitespace_normalization_mapper": {}},
    {"text_length_filter": {"min_len": 50}},
    {"alphanumeric_filter": {"tokenization": False, "min_ratio": 0.10}},
    {"character_repetition_filter": {"rep_len": 10, "max_ratio": 0.6}},
    {"special_characters_filter": {}},
    {"document_deduplicator": {"lowercase": True, "ignore_non_character": True}},
    {"document_minhash_deduplicator": {"tokenization": "character", "window_size": 5, "lowercase": True,
                                       "ignore_pattern": r"\p{P}", "jaccard_threshold": 0.7}},
]


def main() -> None:
    source, work, workers = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    work.mkdir(parents=True, exist_ok=True)
    # Keep every cache inside the work folder (data-juicer and HF datasets default to ~/.cache).
    os.environ.setdefault("HF_HOME", str(work / "hf"))
    os.environ.setdefault("HF_DATASETS_CACHE", str(work / "hf" / "datasets"))
    import yaml

    config = {
        "project_name": "corpusclean-compare",
        "dataset_path": str(source),
        "export_path": str(work / "output.jsonl"),
        "work_dir": str(work),
        "np": workers,
        "text_keys": "text",
        "use_cache": False,
        "open_tracer": False,
        "process": PROCESS,
    }
    path = work / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")

    from data_juicer.config import init_configs
    from data_juicer.core import DefaultExecutor

    DefaultExecutor(init_configs(args=["--config", str(path)])).run()
    from importlib.metadata import version

    result = {"output": str(work / "output.jsonl"), "reasons": {}, "version": version("py-data-juicer")}
    (work / "result.json").write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
