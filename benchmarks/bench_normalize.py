"""MB/s of the normalize, mojibake and mojibake_filter stages on real Chinese text, clean and 5%-corrupted,
beside ftfy.fix_text with its defaults (the baseline) in the same run; repair rates per corruption; for
lost bytes (U+FFFD), candidates per character and how often the right one is picked, against the most
frequent candidate alone; what a process pays for the plausibility tables, built or from the disk cache.

    python benchmarks/bench_normalize.py               # ~8 MB corpus, about a minute
    python benchmarks/bench_normalize.py --full        # ~40 MB
    python benchmarks/bench_normalize.py --rates-only  # repair rates and startup, ~30 s

The corpus is the gold main texts of the real pages in ../shared/eval and the seeds, repeated.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from test_mojibake import EVAL, SEED_002, SEEDS, _glue_pinyin, clean_sentences  # noqa: E402

from corpusclean.document import Document  # noqa: E402
from corpusclean.pipeline import Pipeline  # noqa: E402
from corpusclean.recipe import build_stage  # noqa: E402
from corpusclean.text.mojibake import fix_mojibake  # noqa: E402


def documents() -> list[str]:
    files = sorted((EVAL / "cwced" / "cleaned").glob("*.txt")) + sorted((EVAL / "newspaper4k_zh" / "gold").glob("*"))
    files += [p for p in sorted(SEEDS.glob("*.txt")) if p.name != SEED_002]  # 002 is mojibake, not clean
    return [p.read_text(encoding="utf-8", errors="replace") for p in files]


def corrupt(text: str, rng: random.Random) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        return text.encode("utf-8").decode("gb18030", errors="replace")
    if kind == 1:
        return text.encode("utf-8").decode("latin-1")
    if kind == 2:
        return text.encode("gbk", errors="replace").decode("latin-1")
    return _glue_pinyin(text, rng)[1]


def throughput(label: str, func, docs: list[str]) -> float:
    size = sum(len(d.encode("utf-8")) for d in docs)
    start = time.perf_counter()
    for text in docs:
        func(text)
    rate = size / 1e6 / (time.perf_counter() - start)
    print(f"  {label:<34} {rate:8.1f} MB/s")
    return rate


def stage_runner(name: str):
    stage = build_stage(name, {})

    def run(text: str) -> None:
        stage.process(Document(id="b", text=text))

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="~40 MB instead of ~8 MB")
    parser.add_argument("--rates-only", action="store_true", help="repair rates and startup cost, no MB/s")
    args = parser.parse_args()
    if args.rates_only:
        rates()
        return
    import ftfy

    base = documents()
    target = (40 if args.full else 8) * 1_000_000
    size = sum(len(d.encode("utf-8")) for d in base)
    clean = base * max(1, target // size)
    rng = random.Random(0)
    dirty = [corrupt(d, rng) if rng.random() < 0.05 else d for d in clean]
    for stage in ("mojibake", "normalize", "mojibake_filter"):  # build lazy tables outside the timing
        stage_runner(stage)("浣犲ソ 1996 年")
        stage_runner(stage)(base[0] * 2)  # (the tables of long texts too)
    pipeline = Pipeline([build_stage(n, {}) for n in ("mojibake", "normalize", "mojibake_filter")])

    def all_three(text: str) -> None:  # one document through the three, as a pipeline runs them
        pipeline.process(Document(id="b", text=text))

    for label, docs in (("clean", clean), ("5% corrupted", dirty)):
        print(f"{label}: {len(docs)} documents, {sum(len(d.encode()) for d in docs) / 1e6:.1f} MB")
        for name in ("mojibake", "normalize", "mojibake_filter"):
            throughput(name, stage_runner(name), docs)
        ours = throughput("mojibake+normalize+mojibake_filter", all_three, docs)
        sample = docs[: max(1, len(docs) // 20)]
        baseline = throughput("baseline ftfy.fix_text (defaults)", ftfy.fix_text, sample)
        print(f"  ratio ours / ftfy: {ours / baseline:.1f}x")
        changed = sum(ftfy.fix_text(d) != d for d in base)
        if label == "clean":
            print(f"  ftfy defaults change {changed}/{len(base)} clean documents; ours change "
                  f"{sum(fix_mojibake(d)[0] != d for d in base)}/{len(base)} (mojibake stage)")

    rates()


def rates() -> None:
    print("repair rate over real sentences (exact original back):")
    sentences = clean_sentences()
    sample = random.Random(1).sample(sentences, 2000)
    cases = {
        "UTF-8 read as GB18030, lossless": lambda s: s.encode("utf-8").decode("gb18030", errors="replace"),
        "UTF-8 read as GBK, any (lossy too)": lambda s: s.encode("utf-8").decode("gbk", errors="replace"),
        "UTF-8 read as GB18030, any (lossy too)": lambda s: s.encode("utf-8").decode("gb18030", errors="replace"),
        "UTF-8 read as Latin-1": lambda s: s.encode("utf-8").decode("latin-1"),
        "UTF-8 read as cp1252 (strict, lossy)": lambda s: s.encode("utf-8").decode("cp1252", errors="replace"),
        "GBK read as Latin-1": lambda s: s.encode("gbk").decode("latin-1"),
    }
    for label, func in cases.items():
        pairs = []
        for s in sample:
            try:
                c = func(s)
            except UnicodeError:
                continue
            if "lossless" in label and "\ufffd" in c:
                continue
            pairs.append((s, c))
        ok = sum(fix_mojibake(c)[0] == s for s, c in pairs)
        print(f"  {label:<38} {ok}/{len(pairs)} = {ok / max(1, len(pairs)):.3f}")
    prng = random.Random(2)
    glued = [p for p in (_glue_pinyin(s, prng) for s in sample) if p[0] != p[1]]
    ok = sum(fix_mojibake(g)[0] == t for t, g in glued)
    print(f"  {'glued pinyin (Traditional)':<38} {ok}/{len(glued)} = {ok / len(glued):.3f}")
    false = sum(fix_mojibake(s)[0] != s for s in sentences)
    print(f"false repairs on {len(sentences)} clean sentences: {false}")
    lost_bytes(sample)
    startup()


def lost_bytes(sample: list[str]) -> None:
    """Per character that lost a byte (U+FFFD): how many characters the decoder and UTF-8 leave possible,
    how often the repair picks the right one, and what the most frequent candidate alone would pick."""
    import statistics

    from corpusclean.text.lost_bytes import (
        _character_readings,
        encode_with_lost_bytes,
        lost_by_cp1252,
        lost_by_gb18030,
        lost_by_gbk,
    )
    from corpusclean.text.plausibility import char_cost

    print("lost bytes, per character that lost one or two (same 2,000 sentences):")
    for codec, lost in (("gbk", lost_by_gbk), ("gb18030", lost_by_gb18030), ("cp1252", lost_by_cp1252)):
        chars = ours = unigram = holes = 0
        counts: list[int] = []
        for s in sample:
            shown = s.encode("utf-8").decode(codec, errors="replace")
            if "\ufffd" not in shown:
                continue
            holes += shown.count("\ufffd")
            seq: list[int | None] = []
            for part in encode_with_lost_bytes(shown, "gb18030" if codec != "cp1252" else "cp1252"):
                seq.extend([None] if part is None else part)
            fixed = fix_mojibake(shown)[0]
            offset = 0
            for i, ch in enumerate(s):
                width = len(ch.encode("utf-8"))
                if None in seq[offset : offset + width]:
                    readings = _character_readings(seq, offset, offset + width, lost, True)
                    chars += 1
                    counts.append(len(readings))
                    ours += len(fixed) == len(s) and fixed[i] == ch
                    unigram += min(readings, key=char_cost) == ch
                offset += width
        few = sum(n <= 16 for n in counts) / chars
        print(f"  UTF-8 read as {codec:<8} {holes} lost bytes in {chars} characters; candidates per character: "
              f"median {statistics.median(counts):.0f} (of 64, or 4096 for two lost bytes), <= 16 for {few:.2f}; "
              f"right: {ours / chars:.3f} (the most frequent candidate alone: {unigram / chars:.3f})")


def startup() -> None:
    """What a process pays for the plausibility tables: built from jieba's dictionary, or read from the
    disk cache a first process left."""
    import tempfile

    from corpusclean.text.plausibility import load_tables

    with tempfile.TemporaryDirectory() as cache:
        start = time.perf_counter()
        load_tables(None)
        built = time.perf_counter() - start
        load_tables(cache)  # builds and saves
        start = time.perf_counter()
        load_tables(cache)
        loaded = time.perf_counter() - start
    print(f"plausibility tables per process: built {built:.2f} s, from the disk cache {loaded:.2f} s "
          f"({built / loaded:.1f}x less)")



if __name__ == "__main__":
    main()
