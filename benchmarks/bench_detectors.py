"""MB/s of the structural boilerplate detectors (stages ``watermark`` and ``spam_lists``) on one core, beside
a plain ``str.splitlines`` pass over the same documents (the baseline) in the same run.

    python benchmarks/bench_detectors.py            # ~10 MB per corpus, well under a minute
    python benchmarks/bench_detectors.py --full     # ~50 MB per corpus

Two corpora of real text:

* ``pages``: whole real documents, boilerplate included: the five seeds (watermarked, with spam lists) and
  the gold main texts of the real pages in tests/data/eval_gold.jsonl, repeated;
* ``sentences``: documents of 3-60 real sentences in paragraphs, from benchmarks/corpus.py (the same
  generator as the shared benchmark corpus), so line lengths and punctuation vary as on the web.

Also prints what the detectors removed from the ``pages`` corpus (characters and receipts per rule).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import documents, real_sentences  # noqa: E402

from corpusclean.document import Document  # noqa: E402
from corpusclean.stage import Editor, build_stage  # noqa: E402


def page_texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    with open(ROOT / "tests" / "data" / "eval_gold.jsonl", encoding="utf-8") as handle:
        texts += [json.loads(line)["text"] for line in handle]
    return texts


def repeat_to(texts: list[str], target_bytes: int) -> list[str]:
    size = sum(len(t.encode("utf-8")) for t in texts)
    return texts * max(1, round(target_bytes / size))


def sentence_docs(target_bytes: int) -> list[str]:
    out, size = [], 0
    for record in itertools.islice(documents(real_sentences(), seed=0), 10_000_000):
        text = str(record["text"])
        out.append(text)
        size += len(text.encode("utf-8"))
        if size >= target_bytes:
            break
    return out


def rate(func: Callable[[str], object], docs: list[str], size: int) -> float:
    start = time.perf_counter()
    for text in docs:
        func(text)
    return size / 1e6 / (time.perf_counter() - start)


def editor_runner(*stages: Editor) -> Callable[[str], str]:
    def run(text: str) -> str:
        doc = Document(id="b", text=text)
        for stage in stages:
            doc.text = stage.edit(doc)
        return doc.text

    return run


def baseline(text: str) -> int:
    return sum(len(line) for line in text.splitlines())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="~50 MB per corpus instead of ~10 MB")
    parser.add_argument("--repeat", type=int, default=3, help="timing runs per measurement; best is kept")
    args = parser.parse_args()
    target = (50 if args.full else 10) * 1_000_000

    watermark = build_stage("watermark", {})
    spam_lists = build_stage("spam_lists", {})
    runners = {
        "baseline str.splitlines": baseline,
        "watermark": editor_runner(watermark),
        "spam_lists": editor_runner(spam_lists),
        "watermark + spam_lists": editor_runner(watermark, spam_lists),
    }
    corpora = {"pages": repeat_to(page_texts(), target), "sentences": sentence_docs(target)}
    print("one core, best of", args.repeat, "runs")
    for name, docs in corpora.items():
        size = sum(len(d.encode("utf-8")) for d in docs)
        print(f"{name}: {len(docs):,} documents, {size / 1e6:.1f} MB")
        rates = {label: max(rate(func, docs, size) for _ in range(args.repeat)) for label, func in runners.items()}
        base = rates["baseline str.splitlines"]
        for label, value in rates.items():
            print(f"  {label:<26} {value:8.1f} MB/s   {value / base:6.3f} x baseline")

    removed: Counter[str] = Counter()
    receipts: Counter[str] = Counter()
    texts = page_texts()
    for text in texts:
        doc = Document(id="p", text=text)
        for stage in (watermark, spam_lists):
            doc.text = stage.edit(doc)
        for removal in doc.removals:
            removed[removal.rule] += len(removal.text)
            receipts[removal.rule] += 1
    total = sum(len(t) for t in texts)
    print(f"removed from the {len(texts)} pages ({total:,} characters, each once):")
    for rule in sorted(receipts):
        print(f"  {rule:<28} {receipts[rule]:4d} receipts {removed[rule]:7,d} characters")


if __name__ == "__main__":
    main()
