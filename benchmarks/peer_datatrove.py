"""datatrove doing the closest equivalent of corpusclean's JSONL work; run by compare_peers.py with the
Python of the peers' virtual environment (datatrove is never a corpusclean dependency).

Configuration, the best honest one for Chinese we know:
- ``language="cmn"`` everywhere: datatrove's tokenizer table gives cmn spaCy's Chinese tokenizer with the
  jieba segmenter; ``zh`` gives spaCy's multilingual ``xx`` tokenizer and ``zho`` a whitespace tokenizer, both
  of which leave a Chinese sentence as one "word", silently.
- JsonlReader -> GopherRepetitionFilter (defaults) -> GopherQualityFilter with its three English-only
  settings replaced (stop words: common Chinese function words; minimum average word length 1, as jieba
  words are 1-4 characters; share of words with a letter 0.7 instead of 0.8, as jieba makes every Chinese
  punctuation mark a word of its own, about 19% of tokens in real Chinese text, where a whitespace
  tokenizer glues punctuation to words) -> FineWebQualityFilter (defaults) -> JsonlWriter; then MinHash dedup in its
  four stages (signatures, buckets, cluster, filter) with the FineWeb configuration (5-grams of words,
  14 buckets x 8 hashes, 64-bit hashes) on the filtered documents -> JsonlWriter.
- C4QualityFilter is left out: its rules (words per line, "javascript", "lorem ipsum") are English.

Usage: python peer_datatrove.py INPUT_DIR WORK_DIR WORKERS
Writes WORK_DIR/output/*.jsonl and WORK_DIR/result.json (kept-document folder, per-id removal reasons).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

LANGUAGE = "cmn"
ZH_STOP_WORDS = ["的", "了", "是", "在", "和", "有", "也", "就", "不", "都", "这", "我们"]


STAGES = ("filter", "sigs", "buckets", "cluster", "dedup")


def run_stage(stage: str, source: Path, work: Path, workers: int) -> None:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup import (
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.dedup.minhash import MinhashConfig
    from datatrove.pipeline.filters import FineWebQualityFilter, GopherQualityFilter, GopherRepetitionFilter
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from datatrove.utils.hashing import HashConfig

    tasks = len(list(source.glob("*.jsonl")))
    config = MinhashConfig(hash_config=HashConfig(precision=64), n_grams=5, num_buckets=14, hashes_per_bucket=8)

    def removed(name: str) -> JsonlWriter:
        return JsonlWriter(str(work / "removed" / name), compression=None)

    def run(pipeline: list, n_tasks: int) -> None:
        LocalPipelineExecutor(pipeline=pipeline, tasks=n_tasks, workers=min(workers, n_tasks),
                              logging_dir=str(work / "logs" / stage)).run()

    if stage == "filter":
        run([
            JsonlReader(str(source), glob_pattern="*.jsonl"),
            GopherRepetitionFilter(language=LANGUAGE, exclusion_writer=removed("gopher_repetition")),
            GopherQualityFilter(language=LANGUAGE, stop_words=ZH_STOP_WORDS, min_avg_word_length=1,
                                max_non_alpha_words_ratio=0.7, exclusion_writer=removed("gopher_quality")),
            FineWebQualityFilter(language=LANGUAGE, exclusion_writer=removed("fineweb_quality")),
            JsonlWriter(str(work / "filtered"), compression=None),
        ], tasks)
    elif stage == "sigs":
        run([JsonlReader(str(work / "filtered")),
             MinhashDedupSignature(output_folder=str(work / "sigs"), config=config, language=LANGUAGE)], tasks)
    elif stage == "buckets":
        run([MinhashDedupBuckets(input_folder=str(work / "sigs"), output_folder=str(work / "buckets"),
                                 config=config)], config.num_buckets)
    elif stage == "cluster":
        run([MinhashDedupCluster(input_folder=str(work / "buckets"), output_folder=str(work / "remove_ids"),
                                 config=config)], 1)
    elif stage == "dedup":
        run([JsonlReader(str(work / "filtered")),
             MinhashDedupFilter(input_folder=str(work / "remove_ids"), exclusion_writer=removed("minhash")),
             JsonlWriter(str(work / "output"), compression=None)], tasks)
    else:
        raise ValueError(f"unknown stage {stage!r}; expected one of {STAGES}")


def main() -> None:
    source, work, workers = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    if len(sys.argv) > 4:
        run_stage(sys.argv[4], source, work, workers)
        return
    # Each stage in its own process, as datatrove's own examples run them: the executor deep-copies the
    # pipeline, and a Chinese tokenizer already loaded by an earlier stage in the same process cannot be
    # copied (spaCy + jieba hold modules).
    for stage in STAGES:
        subprocess.run([sys.executable, __file__, *sys.argv[1:4], stage], check=True)
    reasons: dict[str, str] = {}
    for folder in sorted((work / "removed").glob("*")):
        for path in folder.glob("*.jsonl"):
            with open(path, encoding="utf-8") as handle:
                for line in handle:
                    record = json.loads(line)
                    why = record.get("metadata", {}).get("filter_reason")
                    reasons[str(record["id"])] = f"{folder.name}/{why}" if why else folder.name
    result = {"output": str(work / "output"), "reasons": reasons, "version": _version("datatrove")}
    (work / "result.json").write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


def _version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


if __name__ == "__main__":
    main()
