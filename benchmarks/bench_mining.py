"""Speed of boilerplate mining (``corpusclean mine``) in MB/s on one core, beside a plain baseline run in the
same process.

The corpus is benchmarks/corpus.py's real-sentence JSONL (seeds + gold texts of real pages). Half of its
documents get templated lines planted the way sites print them (a tail notice with the site name, a tail
line with a date, a head line), over 40 sites named in a ``url`` field; the rest are left as they are.
Figures, each over the same documents (already parsed, so reading and JSON decoding are not counted):

* ``line-hash Counter``: the baseline: every stripped line's ``hash()`` counted once per document in a
  ``collections.Counter``. It finds exact repeats only, holds every distinct line's hash, and knows
  nothing of variants, positions or sites.
* ``pass 1 (count)``: :meth:`BoilerplateMiner.count`, the streaming part of pass 1: template views, exact
  and LSH band keys of every eligible line, the count-min sketch and the heavy-hitter table.
* ``pass 1 (families)``: :meth:`BoilerplateMiner.families`, once at the end of pass 1: frequent keys
  grouped into families and generalised into patterns. Its cost grows with the number of candidates
  (at most ``2 * max_rules``), not with the corpus.
* ``pass 2 (measure)``: :meth:`BoilerplateMiner.measure`: the candidate rules (after the built-in packs)
  over the corpus, with exact counts and keep examples.
* ``mine (both + decide)``: what ``corpusclean mine`` does after parsing.

MB are UTF-8 megabytes of document text. The machine is shared, so read the ratios, not the absolutes.
Also printed: the planted templates found (each must be matched by a mined rule) and the memory the
pass-1 state holds (sketch + tracked table), against the baseline Counter's.

Usage:
    python benchmarks/bench_mining.py            # ~20 MB, about a minute
    python benchmarks/bench_mining.py --mb 200   # the full benchmark corpus
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import DATA, build_corpus

from corpusclean.document import Document
from corpusclean.mining.boilerplate import BoilerplateMiner, existing_rules
from corpusclean.rulepacks.engine import RuleEngine
from corpusclean.rulepacks.pack import parse_rule

_SITES = [f"{a}{b}网" for a in ("华夏", "东方", "南方", "北方", "西部", "中原", "江南", "海峡")
          for b in ("新闻", "财经", "资讯", "在线", "生活")]
TEMPLATES = [
    "更多精彩内容，请关注{site}官方微信公众号。",
    "（本稿件由{site}于{date}首发，转载请保留原文链接）",
    "欢迎访问{site}，每日更新{year}年{month}月热点资讯",
]


def load_documents(mb: float, seed: int = 0) -> tuple[list[Document], list[str], int]:
    """Documents (with planted templates on every other one), the planted lines, and the text bytes."""
    path = build_corpus(DATA / "corpus-200mb-s0.jsonl", target_mb=200) if mb > 50 else \
        build_corpus(DATA / f"corpus-{mb:g}mb-s0.jsonl", target_mb=mb)
    rng = random.Random(seed)
    docs, planted, size = [], [], 0
    with open(path, "rb") as handle:
        for number, line in enumerate(handle):
            text = orjson.loads(line)["text"]
            site = rng.randrange(len(_SITES))
            if number % 2 == 0:
                name = _SITES[site]
                head = TEMPLATES[2].format(site=name, year=rng.randint(2015, 2024), month=rng.randint(1, 12))
                tail = [TEMPLATES[0].format(site=name)]
                if site % 3:
                    tail.append(TEMPLATES[1].format(site=name, date=f"{rng.randint(2015, 2024)}年"
                                                                     f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日"))
                planted += [head, *tail]
                text = "\n".join([head, text, *tail])
            docs.append(Document(id=str(number), text=text, fields={"url": f"https://site{site}.example.cn/{number}"}))
            size += len(text.encode("utf-8"))
            if size >= mb * 1_000_000:
                break
    return docs, planted, size


def baseline(docs: list[Document]) -> Counter[int]:
    counts: Counter[int] = Counter()
    for doc in docs:
        counts.update({hash(line.strip()) for line in doc.text.split("\n") if line.strip()})
    return counts


def timed(label: str, size: int, base: float | None, func, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = func(*args)
    seconds = time.perf_counter() - start
    ratio = f"  {seconds / base:5.2f}x the baseline's time" if base else ""
    print(f"{label:<24} {size / seconds / 1e6:8.1f} MB/s  {seconds:7.2f} s{ratio}")
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=20, help="corpus size in MB (default 20; 200 for the full one)")
    args = parser.parse_args()
    docs, planted, size = load_documents(args.mb)
    print(f"{len(docs):,} documents, {size / 1e6:.1f} MB of text, {len(planted):,} planted template lines")
    miner = BoilerplateMiner()
    existing = existing_rules(["builtin"])
    miner.count(docs[:200])  # warm the lookup tables outside the timings
    counts, base = timed("line-hash Counter", size, None, baseline, docs)
    hitters, _ = timed("pass 1 (count)", size, base, miner.count, docs)
    start = time.perf_counter()
    candidates = miner.families(hitters)
    print(f"{'pass 1 (families)':<24} {'':>13}  {time.perf_counter() - start:7.2f} s  (per candidate, not per MB)")
    timed("pass 2 (measure)", size, base, miner.measure, docs, candidates, existing)
    result, _ = timed("mine (both + decide)", size, base, miner.mine, lambda: docs, existing)
    engine = RuleEngine([parse_rule(r.rule, pack="mined", source="mined") for r in result.rules])
    found = sum(bool(engine.apply(line).cuts) for line in planted)
    print(f"candidates {len(candidates)}, rules {len(result.rules)}, dropped {len(result.dropped)}; "
          f"planted lines matched {found:,} of {len(planted):,} ({found / max(len(planted), 1):.1%})")
    for rule in result.rules:
        print(f"  {rule.rule['id']} {rule.docs:>7,} docs {rule.site_count:>3} sites  {rule.rule['pattern']}")
    sketch = miner_state_bytes(miner, docs)
    print(f"pass-1 state: ~{sketch / 1e6:.1f} MB (fixed sketch + tracked keys); baseline Counter: "
          f"{len(counts):,} keys, ~{len(counts) * 100 / 1e6:.1f} MB (grows with the corpus)")


def miner_state_bytes(miner: BoilerplateMiner, docs: list[Document]) -> int:
    """Bytes held by the pass-1 state after a run: the sketch array plus ~200 bytes per tracked key and its
    sample (measured roughly: dict entry, dataclass, list of shared strings)."""
    from corpusclean.mining.heavy_hitters import HeavyHitters

    holder: list[HeavyHitters] = []
    original = HeavyHitters.__init__

    def spy(self, **kwargs):  # type: ignore[no-untyped-def]
        original(self, **kwargs)
        holder.append(self)

    HeavyHitters.__init__ = spy  # type: ignore[method-assign]
    try:
        miner.discover(docs)
    finally:
        HeavyHitters.__init__ = original  # type: ignore[method-assign]
    hitters = holder[-1]
    return hitters.sketch.nbytes + 200 * len(hitters.tracked)  # a Tracked entry + its dict slot, roughly


if __name__ == "__main__":
    main()
