"""Build a benchmark corpus of JSONL documents from real Chinese sentences.

The sentences come from text that real pages contain: the bundled seed documents (web text with its
watermarks and chrome lines left in), the gold main texts of the evaluation pages in ``/work/shared/eval``
when that folder exists, and the gold text copied into ``tests/data``. Documents are made by drawing
sentences with a fixed seed and grouping them into paragraphs, so the same arguments always give the same
bytes, and the text has the character mix, line lengths and punctuation of real Chinese web text rather
than one repeated string (which would flatter any cache or compressor).

Shared by the benchmark scripts::

    from corpus import build_corpus
    path = build_corpus("benchmarks/data/corpus-200mb.jsonl", target_mb=200)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
from collections.abc import Iterator
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
EVAL = Path(os.environ.get("CORPUSCLEAN_EVAL", "/work/shared/eval"))
DATA = ROOT / "benchmarks" / "data"

# A sentence ends after 。！？； (or their ASCII forms) and any closing quote; lines are also boundaries.
_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]*[”’」』）)]*")


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``, keeping their end punctuation.

    >>> split_sentences("今天天气很好。我们去公园吧！\\n好的")
    ['今天天气很好。', '我们去公园吧！', '好的']
    """
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def source_texts() -> Iterator[tuple[str, str]]:
    """``(name, text)`` of every real text available, in a fixed order."""
    paths = sorted((ROOT / "seeds").glob("*.txt"))
    paths += sorted((ROOT / "tests" / "data").rglob("*.txt"))
    if EVAL.is_dir():
        paths += sorted((EVAL / "cwced" / "cleaned").glob("*.txt"))
        paths += sorted((EVAL / "newspaper4k_zh" / "gold").glob("*.txt"))
    for path in paths:
        yield str(path.relative_to(path.parents[1])), path.read_text(encoding="utf-8", errors="replace")
    evaldata = EVAL / "trafilatura_zh" / "evaldata_zh.json"
    if evaldata.is_file():
        for name, page in sorted(json.loads(evaldata.read_text(encoding="utf-8")).items()):
            yield name, "\n".join(page.get("with", []))


def real_sentences() -> list[str]:
    """Every distinct sentence with at least one Chinese character, in first-seen order."""
    seen: dict[str, None] = {}
    for _, text in source_texts():
        for sentence in split_sentences(text):
            if re.search(r"[\u4e00-\u9fff]", sentence):
                seen.setdefault(sentence, None)
    return list(seen)


def documents(sentences: list[str], *, seed: int = 0) -> Iterator[dict[str, object]]:
    """An endless, reproducible stream of records: 3–60 sentences each, in paragraphs of 1–6 sentences,
    with the carried-through fields a crawl export has (url, lang)."""
    rng = random.Random(seed)
    number = 0
    while True:
        count = rng.randint(3, 60)
        picked = [sentences[rng.randrange(len(sentences))] for _ in range(count)]
        paragraphs = []
        while picked:
            size = rng.randint(1, 6)
            paragraphs.append("".join(picked[:size]))
            picked = picked[size:]
        yield {
            "id": f"doc-{number:09d}",
            "text": "\n".join(paragraphs),
            "url": f"https://news.example.cn/{number // 1000}/{number}.html",
            "lang": "zh",
        }
        number += 1


def build_corpus(path: str | os.PathLike[str], *, target_mb: float, seed: int = 0) -> Path:
    """Write a JSONL corpus of at least ``target_mb`` MB to ``path`` unless one of that size is already
    there (the file name should carry the size and seed, so a stale file is never reused)."""
    path = Path(path)
    target = int(target_mb * 1_000_000)
    if path.is_file() and path.stat().st_size >= target:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    sentences = real_sentences()
    if len(sentences) < 100:
        raise SystemExit(f"only {len(sentences)} real sentences found; is seeds/ there?")
    tmp = path.with_name(path.name + ".partial")
    written = 0
    with open(tmp, "wb") as out:
        for record in documents(sentences, seed=seed):
            line = orjson.dumps(record) + b"\n"
            out.write(line)
            written += len(line)
            if written >= target:
                break
    os.replace(tmp, path)
    return path


def load_texts(mb: float) -> list[str]:
    """The texts of the first ``mb`` MB of the benchmark corpus (built on first use)."""
    path = build_corpus(DATA / "corpus-200mb-s0.jsonl", target_mb=200) if mb > 50 else \
        build_corpus(DATA / f"corpus-{mb:g}mb-s0.jsonl", target_mb=mb)
    texts, size = [], 0
    with open(path, "rb") as handle:
        for line in handle:
            text = orjson.loads(line)["text"]
            texts.append(text)
            size += len(text.encode("utf-8"))
            if size >= mb * 1_000_000:
                break
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=200, help="corpus size in MB (default 200)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--output", default=None, help="default: benchmarks/data/corpus-<MB>mb-s<SEED>.jsonl")
    args = parser.parse_args()
    output = args.output or DATA / f"corpus-{args.mb:g}mb-s{args.seed}.jsonl"
    path = build_corpus(output, target_mb=args.mb, seed=args.seed)
    print(f"{path}: {path.stat().st_size / 1e6:.1f} MB from {len(real_sentences()):,} real sentences")


if __name__ == "__main__":
    main()
