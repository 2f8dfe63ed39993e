"""Speed of the rules stage (all built-in packs) in MB/s on one core, beside baselines run in the same process.

The corpus is benchmarks/corpus.py's real-sentence JSONL (seeds + gold texts of real pages, so the chrome
and notices the rules look for occur at their natural rate). Figures, each over the same documents:

* ``rules stage``: ``Rules().edit(doc)`` with every built-in pack: keyword scan, regex confirmation,
  cuts, receipts, metadata.
* ``rules x4``: the same rules loaded four times over (distinct ids): the cost should barely move, since
  all keywords are found in one Aho-Corasick pass.
* ``keyword scan only``: the pre-filter pass alone, with ahocorasick-rs (used) and pyahocorasick.
* ``re alternation``: one stdlib ``re`` alternation of the same patterns, searched on every line of the
  raw text (no Traditional folding, no cutting): the "one big regex" way.
* ``re per rule``: every rule's pattern searched on every line: the naive loop, linear in the rules.

MB are UTF-8 megabytes of document text. The machine is shared, so read the ratios, not the absolutes.

Usage:
    python benchmarks/bench_rules.py            # ~20 MB, well under a minute
    python benchmarks/bench_rules.py --mb 200   # the full benchmark corpus
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import load_texts

from corpusclean.document import Document
from corpusclean.rulepacks.engine import RuleEngine
from corpusclean.stages.rules import Rules


def alternation(patterns: list[str]) -> re.Pattern[str]:
    """One regex of all patterns: named groups made plain (names repeat), a global (?x) made scoped."""
    parts = []
    for source in patterns:
        source = re.sub(r"\(\?P<\w+>", "(?:", source)
        parts.append(f"(?x:{source[4:]})" if source.startswith("(?x)") else f"(?:{source})")
    return re.compile("|".join(parts), re.IGNORECASE)


def timed(label: str, func: Callable[[list[str]], int], texts: list[str], megabytes: float) -> float:
    start = time.perf_counter()
    hits = func(texts)
    seconds = time.perf_counter() - start
    rate = megabytes / seconds
    print(f"  {label:<34} {rate:8.1f} MB/s  ({seconds:6.2f} s, {hits:,} hits)")
    return rate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=20, help="MB of document text to run (default 20; 200 = full)")
    args = parser.parse_args(argv)
    texts = load_texts(args.mb)
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    stage = Rules()
    rules = stage.engine.rules
    patterns = [r.pattern.pattern for r in rules if r.pattern is not None]
    print(f"{len(texts):,} documents, {megabytes:.1f} MB; {len(rules)} built-in rules, {len(patterns)} patterns")

    def run_stage(batch: list[str]) -> int:
        total = 0
        for text in batch:
            doc = Document(id="d", text=text)
            stage.edit(doc)
            total += len(doc.removals)
        return total

    many = RuleEngine([dataclasses.replace(r, id=f"{r.id}_{n}") for n in range(4) for r in rules])

    def run_many(batch: list[str]) -> int:
        return sum(len(many.apply(text).cuts) for text in batch)

    big = alternation(patterns)

    def run_alternation(batch: list[str]) -> int:
        return sum(1 for text in batch for line in text.split("\n") if big.search(line))

    compiled = [r.pattern for r in rules if r.pattern is not None]

    def run_per_rule(batch: list[str]) -> int:
        return sum(1 for text in batch for line in text.split("\n") for p in compiled if p.search(line))

    def run_scan(batch: list[str]) -> int:
        return sum(len(stage.engine._candidates(text)) for text in batch)

    scanners = [("keyword scan only (ahocorasick-rs)", run_scan)]
    try:  # the first choice for the pre-filter, kept as a figure: slow with many distinct first characters
        import ahocorasick

        automaton = ahocorasick.Automaton()
        for number, key in enumerate(stage.engine.keys):
            automaton.add_word(key, number)
        automaton.make_automaton()
        scanners.append(("keyword scan only (pyahocorasick)",
                         lambda batch: sum(1 for text in batch for _ in automaton.iter(text))))
    except ImportError:
        pass

    rate = timed("rules stage (all built-in packs)", run_stage, texts, megabytes)
    for label, func in scanners:
        timed(label, func, texts, megabytes)
    rate_many = timed(f"rules x4 ({len(many.rules)} rules)", run_many, texts, megabytes)
    rate_alt = timed("re alternation, every line", run_alternation, texts, megabytes)
    rate_naive = timed("re per rule, every line", run_per_rule, texts, megabytes)
    print(f"rules stage vs re alternation: {rate / rate_alt:.1f}x; vs re per rule: {rate / rate_naive:.1f}x; "
          f"4x the rules costs {rate / rate_many:.2f}x the time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
