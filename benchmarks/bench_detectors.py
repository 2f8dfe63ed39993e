"""MB/s of the structural boilerplate detectors (stages ``watermark`` and ``spam_lists``) on one core, beside
a plain ``str.splitlines`` pass over the same documents (the baseline) and beside the same stages as they
were at an earlier commit, all in the same process.

    python benchmarks/bench_detectors.py                      # ~10 MB per corpus, a minute or two
    python benchmarks/bench_detectors.py --full               # ~50 MB per corpus
    python benchmarks/bench_detectors.py --baseline none      # without the earlier stages

Two corpora of real text:

* ``pages``: whole real documents, boilerplate included: the five seeds (watermarked, with spam lists) and
  the gold main texts of the real pages in tests/data/eval_gold.jsonl, repeated;
* ``sentences``: documents of 3-60 real sentences in paragraphs, from benchmarks/corpus.py (the same
  generator as the shared benchmark corpus), so line lengths and punctuation vary as on the web.

CPU time of this process is measured (``time.process_time``): the machine is shared, so read the ratios.
The earlier stages are read with ``git show BASELINE:<file>`` into a private package (stage names get a
``_before`` suffix so both versions can be registered); the run checks that both remove the same text with
the same receipts (rule ids compared without the ``stage/`` prefix the earlier ids carried). Also prints
what the detectors removed from the ``pages`` corpus (characters and receipts per rule).
"""

from __future__ import annotations

import argparse
import importlib
import itertools
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import documents, real_sentences  # noqa: E402

from corpusclean.document import Document  # noqa: E402
from corpusclean.recipe import build_stage  # noqa: E402
from corpusclean.stage import Editor  # noqa: E402


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


DEFAULT_BASELINE = "d3dc62d"  # the commit that added both detectors


def rate(func: Callable[[str], object], docs: list[str], size: int) -> float:
    start = time.process_time()
    for text in docs:
        func(text)
    return size / 1e6 / (time.process_time() - start)


def baseline_stages(revision: str) -> list[Editor]:
    """``watermark`` and ``spam_lists`` as they were at ``revision``, imported from ``git show`` copies
    (package ``cc_detectors_before``, stage names suffixed ``_before``), with the built-in word lists."""
    folder = Path(tempfile.mkdtemp(prefix="bench_detectors_"))
    package = folder / "cc_detectors_before"
    package.mkdir()
    (package / "__init__.py").write_text("")
    stages: list[Editor] = []
    for name in ("watermark", "spam_lists"):
        source = subprocess.run(["git", "-C", str(ROOT), "show", f"{revision}:corpusclean/stages/{name}.py"],
                                check=True, capture_output=True, text=True).stdout
        source = re.sub(r'^(    name = ")(\w+)(")', r"\1\2_before\3", source, flags=re.M)
        (package / f"{name}.py").write_text(source)
    sys.path.insert(0, str(folder))
    watermark = importlib.import_module("cc_detectors_before.watermark")
    spam_lists = importlib.import_module("cc_detectors_before.spam_lists")
    stages.append(watermark.Watermark(lists=str(ROOT / "rules" / "detectors" / "watermark.toml")))
    stages.append(spam_lists.SpamLists())
    return stages


def receipts(stages: tuple[Editor, ...], text: str) -> tuple[str, list[tuple[str, str, str, int | None]]]:
    doc = Document(id="r", text=text)
    for stage in stages:
        doc.text = stage.edit(doc)
    return doc.text, [(r.rule.rsplit("/", 1)[-1], r.kind, r.text, r.line) for r in doc.removals]


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
    parser.add_argument("--baseline", default=DEFAULT_BASELINE,
                        help=f"git revision of the earlier stages, or 'none' (default {DEFAULT_BASELINE})")
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
    before: tuple[Editor, ...] = ()
    if args.baseline != "none":
        before = tuple(baseline_stages(args.baseline))
        runners[f"watermark at {args.baseline}"] = editor_runner(before[0])
        runners[f"spam_lists at {args.baseline}"] = editor_runner(before[1])
        runners[f"both at {args.baseline}"] = editor_runner(*before)
    corpora = {"pages": repeat_to(page_texts(), target), "sentences": sentence_docs(target)}
    print("one core (CPU time of this process), best of", args.repeat, "runs")
    for name, docs in corpora.items():
        size = sum(len(d.encode()) for d in docs)
        print(f"{name}: {len(docs):,} documents, {size / 1e6:.1f} MB")
        rates = {label: max(rate(func, docs, size) for _ in range(args.repeat)) for label, func in runners.items()}
        base = rates["baseline str.splitlines"]
        for label, value in rates.items():
            print(f"  {label:<26} {value:8.1f} MB/s   {value / base:6.3f} x baseline")
        if before:
            pairs = (("watermark", "watermark", (watermark,), before[:1]),
                     ("spam_lists", "spam_lists", (spam_lists,), before[1:]),
                     ("both", "watermark + spam_lists", (watermark, spam_lists), before))
            for label, runner, now, then in pairs:
                speedup = rates[runner] / rates[f"{label} at {args.baseline}"]
                differ = sum(receipts(now, text) != receipts(then, text) for text in docs)
                print(f"  {label}: x{speedup:.1f} the speed at {args.baseline}; documents with different output "
                      f"or receipts: {differ}")

    removed: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    texts = page_texts()
    for text in texts:
        doc = Document(id="p", text=text)
        for stage in (watermark, spam_lists):
            doc.text = stage.edit(doc)
        for removal in doc.removals:
            removed[f"{removal.stage}/{removal.rule}"] += len(removal.text)
            counts[f"{removal.stage}/{removal.rule}"] += 1
    total = sum(len(t) for t in texts)
    print(f"removed from the {len(texts)} pages ({total:,} characters, each once):")
    for rule in sorted(counts):
        print(f"  {rule:<28} {counts[rule]:4d} receipts {removed[rule]:7,d} characters")


if __name__ == "__main__":
    main()
