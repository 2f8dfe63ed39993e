"""The naive stack corpusclean is measured against: what one writes with the usual libraries in an afternoon.

stdlib ``json`` to read and write; ``ftfy.fix_text`` with its defaults; a handful of stdlib ``re`` line rules
for Chinese page chrome and copyright lines; a minimum length; exact dedup by MD5; near-dup dedup with
datasketch ``MinHash`` (its default SHA-1 hash, 128 permutations, character 5-gram shingles fed with
``update_batch``) queried against a default ``MinHashLSH`` (threshold 0.9) before insertion.
It is a benchmark baseline, not part of corpusclean.

Usage: python benchmarks/naive_baseline.py INPUT_DIR_OR_FILE... -o OUT.jsonl
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from pathlib import Path

import ftfy
from datasketch import MinHash, MinHashLSH

RULES = [
    re.compile(r"^.*(版权所有|版權所有|未经授权|未經授權|不得转载|不得轉載|免责声明|免責聲明|转载请注明).*$", re.M),
    re.compile(r"^\s*[•·]?\s*(责任编辑|責任編輯|编辑|編輯|来源|來源|作者)\s*[:：].*$", re.M),
    re.compile(r"^.*(当前位置|當前位置|您的位置)\s*[:：].*$", re.M),
    re.compile(r"^\s*[•·]?\s*(分享到|听全文|相关新闻|相关附件|相關新聞|扫一扫.*|打印本页|关闭窗口)\s*$", re.M),
]
BLANKS = re.compile(r"\n{3,}")
MIN_CHARS = 50
SHINGLE = 5


def inputs(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        files.extend(sorted(path.glob("*.jsonl")) if path.is_dir() else [path])
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    lsh = MinHashLSH()
    seen: set[str] = set()
    with open(args.output, "w", encoding="utf-8") as out:
        for path in inputs(args.inputs):
            with open(path, encoding="utf-8") as handle:
                for line in handle:
                    record = json.loads(line)
                    text = ftfy.fix_text(record["text"])
                    for rule in RULES:
                        text = rule.sub("", text)
                    text = BLANKS.sub("\n\n", text).strip()
                    if len(text) < MIN_CHARS:
                        continue
                    digest = hashlib.md5(text.encode("utf-8")).hexdigest()
                    if digest in seen:
                        continue
                    seen.add(digest)
                    minhash = MinHash(num_perm=128)
                    minhash.update_batch([text[i:i + SHINGLE].encode("utf-8") for i in range(len(text) - SHINGLE + 1)])
                    if lsh.query(minhash):
                        continue
                    lsh.insert(str(record["id"]), minhash)
                    record["text"] = text
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
