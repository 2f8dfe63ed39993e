"""Deduplication benchmark: accuracy on planted duplicates, signature speed, and scale.

Prints, in one run (the machine is shared, so compare ratios measured in the same run):

1. Pairwise precision / recall on a planted set built from real articles (tests/dedup_corpus.py): the
   defaults, a grid of band splits and thresholds (the recall curve the defaults were chosen from,
   datasketch's default 9x13 split included), and recall per kind of variant.
2. Signature throughput in MB/s of UTF-8 per core: corpusclean's ``Dedup.prepare`` (normalised view,
   exact hash and MinHash, one document at a time) and ``Dedup.prepare_batch`` (the same values for 256
   documents at a time, as the workers compute them) against datasketch's plain API on the same text:
   ``MinHash.update_batch`` (SHA-1 per shingle) and ``MinHash.bulk`` (xxhash), both over character 5-grams.
3. Scale: N synthetic documents (real sentences recombined, 20% planted duplicates) through
   ``Pipeline([Dedup()])``: total time, peak RSS and bytes per document, the collector's exact
   in-memory state per document, and datasketch's in-memory ``MinHashLSH`` per document for comparison.

    python benchmarks/bench_dedup.py                  # 100k documents (a few minutes)
    python benchmarks/bench_dedup.py --docs 1000000   # the full size
    python benchmarks/bench_dedup.py --skip-scale     # accuracy and speed only

4. Peers side by side (``--peers``, default: those whose venv exists under benchmarks/.venv-peers;
   ``--install-peers`` creates them, see compare_peers.py): datatrove's MinHash dedup and data-juicer's
   (benchmarks/peer_dedup.py) against ``corpusclean clean`` with a dedup-only recipe, each a child process
   on the same JSONL: duplicates left / articles lost on the planted set, and wall time and peak memory
   on ``--peer-docs`` synthetic documents, as ratios to corpusclean.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from dedup_corpus import (  # noqa: E402
    _SENTENCE,
    KINDS,
    base_articles,
    cluster_pairs,
    make_variant,
    planted_corpus,
    precision_recall,
    real_articles,
    true_pairs,
)

from corpusclean.dedup.duplicates import Collector, decide  # noqa: E402
from corpusclean.document import Document  # noqa: E402
from corpusclean.pipeline import Pipeline  # noqa: E402
from corpusclean.stages.dedup import Dedup  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


# --- 1. accuracy -------------------------------------------------------------------------------------

def accuracy(seed: int) -> None:
    bases = base_articles(include_eval=True, min_chars=300, max_chars=1200)
    docs = planted_corpus(bases=bases, duplicated=0.8, max_variants=5, seed=seed)
    truth = true_pairs(docs)
    print(f"planted set: {len(bases)} real base articles, {len(docs)} documents, {len(truth)} true pairs; "
          f"variants: {dict(Counter(d.kind for d in docs))}")
    stage = Dedup()
    prepared = []
    for d in docs:
        doc = Document(id=d.id, text=d.text)
        stage.prepare(doc)
        prepared.append(doc.scratch["dedup"])

    def clusters(bands: int, rows: int, threshold: float, state_dir: str) -> dict[str, int]:
        collector = Collector(num_perm=stage.num_perm, signature_path=os.path.join(state_dir, "sigs"))
        for d, (exact, sig) in zip(docs, prepared, strict=True):
            collector.add(d.id, exact, sig, len(d.text))
        decision = decide(collector, bands=bands, rows=rows, threshold=threshold, seed=stage.seed, keep="first")
        return {d.id: int(decision.kept[n]) for n, d in enumerate(docs)}

    import tempfile

    with tempfile.TemporaryDirectory() as state_dir:
        print(f"\n{'bands x rows':>12} {'threshold':>9} {'precision':>9} {'recall':>7}")
        for bands, rows in ((32, 4), (25, 5), (21, 6), (16, 8), (9, 13)):
            for threshold in (0.5, 0.6, 0.7, 0.75, 0.8):
                kept = clusters(bands, rows, threshold, state_dir)
                groups: dict[int, set[str]] = defaultdict(set)
                for doc_id, k in kept.items():
                    groups[k].add(doc_id)
                p, r = precision_recall(cluster_pairs(list(groups.values())), truth)
                mark = "  <- default" if (bands, rows, threshold) == (stage.bands, stage.rows, stage.threshold) else ""
                print(f"{bands:>6} x {rows:<4} {threshold:>9.2f} {p:>9.4f} {r:>7.4f}{mark}")
        kept = clusters(stage.bands, stage.rows, stage.threshold, state_dir)
    original = {d.group: d.id for d in docs if d.kind == "original"}
    print("\nrecall of variant -> original links at the defaults, per kind:")
    for kind in KINDS:
        variants = [d for d in docs if d.kind == kind]
        joined = sum(kept[d.id] == kept[original[d.group]] for d in variants)
        print(f"  {kind:<12} {joined}/{len(variants)}")


# --- 2. signature speed ------------------------------------------------------------------------------

def signature_speed(megabytes: float) -> None:
    from datasketch import MinHash

    texts = [t for t in real_articles(include_eval=True)]
    sample: list[str] = []
    size = 0
    while size < megabytes * 1e6:
        for text in texts:
            sample.append(text)
            size += len(text.encode("utf-8"))
    mb = size / 1e6
    stage = Dedup()
    stage.prepare(Document(id="warm", text=sample[0]))  # builds the lookup table once, as a worker does

    def ours() -> None:
        for text in sample:
            stage.prepare(Document(id="x", text=text))

    def shingles(text: str) -> list[bytes]:
        from corpusclean.dedup.shingles import normalized_view

        view = normalized_view(text)
        return [view[i:i + 5].encode("utf-8") for i in range(len(view) - 4)]

    def datasketch_update_batch(part: list[str]) -> None:
        for text in part:
            MinHash(num_perm=128).update_batch(shingles(text))

    def datasketch_bulk(part: list[str]) -> None:
        import xxhash

        def hash32(data: bytes) -> int:
            return xxhash.xxh32_intdigest(data)

        MinHash.bulk([shingles(text) for text in part], num_perm=128, hashfunc=hash32)

    def ours_batch() -> None:
        for first in range(0, len(sample), 256):
            stage.prepare_batch([Document(id="x", text=text) for text in sample[first:first + 256]])

    start = time.perf_counter()
    ours()
    ours_rate = mb / (time.perf_counter() - start)
    ours_batch()  # the batch path's arrays are reused from one call to the next, as in a worker
    start = time.perf_counter()
    ours_batch()
    batch_rate = mb / (time.perf_counter() - start)
    # datasketch is ~30x slower: time it on a tenth of the sample.
    part = sample[: max(1, len(sample) // 10)]
    part_mb = sum(len(t.encode("utf-8")) for t in part) / 1e6
    rates = {}
    for name, func in (("datasketch update_batch (sha1)", datasketch_update_batch),
                       ("datasketch MinHash.bulk (xxhash)", datasketch_bulk)):
        start = time.perf_counter()
        func(part)
        rates[name] = part_mb / (time.perf_counter() - start)
    print(f"\nsignature throughput on {mb:.1f} MB of real Chinese text (one core, same run):")
    print(f"  corpusclean Dedup.prepare (view + exact hash + OPH MinHash) {ours_rate:8.1f} MB/s")
    print(f"  corpusclean Dedup.prepare_batch (256 documents a call)      {batch_rate:8.1f} MB/s")
    for name, rate in rates.items():
        print(f"  {name:<58} {rate:8.2f} MB/s   (corpusclean x{ours_rate / rate:.0f}, batched "
              f"x{batch_rate / rate:.0f})")


# --- 3. scale ----------------------------------------------------------------------------------------

def synthetic(count: int, seed: int) -> Iterator[Document]:
    """``count`` documents of 8-30 real sentences; 20% are variants of an earlier document."""
    pool = [s.strip() for t in real_articles(include_eval=True) for s in _SENTENCE.findall(t) if len(s.strip()) >= 8]
    rng = random.Random(seed)
    recent: list[str] = []
    for number in range(count):
        if recent and rng.random() < 0.2:
            kind = rng.choice(("exact", "chrome", "edited", "reordered", "dropped"))
            text = make_variant(rng, rng.choice(recent), kind)
        else:
            sentences = rng.choices(pool, k=rng.randint(8, 30))
            text = "\n".join("".join(sentences[i:i + 4]) for i in range(0, len(sentences), 4))
            if len(recent) < 5000:
                recent.append(text)
            else:
                recent[rng.randrange(5000)] = text
        yield Document(id=f"s{number:08d}", text=text)


def scale(count: int, seed: int) -> None:
    gc.collect()
    base_rss = rss_mb()
    start = time.perf_counter()
    text_mb = 0.0
    rejected: Counter[str] = Counter()
    stage = Dedup()
    state_bytes = {}

    original_decide = decide

    def measuring_decide(collector: Collector, **kwargs):  # type: ignore[no-untyped-def]
        n = max(1, len(collector))
        state_bytes["collector"] = (len(collector.exact) * 8 + len(collector.lengths) * 8 + len(collector.has_signature)
                                    + len(collector.id_bytes) + len(collector.id_ends) * 8) / n
        state_bytes["signatures"] = 4 * collector.num_perm
        state_bytes["rss_before_decide"] = rss_mb()
        return original_decide(collector, **kwargs)

    import corpusclean.dedup.duplicates

    corpusclean.dedup.duplicates.decide = measuring_decide
    try:
        for doc in Pipeline([stage]).run(synthetic(count, seed)):
            text_mb += len(doc.text.encode("utf-8")) / 1e6
            if doc.rejected:
                rejected[doc.rejected.rule] += 1
    finally:
        corpusclean.dedup.duplicates.decide = original_decide
    elapsed = time.perf_counter() - start
    peak = peak_rss_mb()
    print(f"\nscale: {count:,} synthetic documents ({text_mb:.0f} MB), one process:")
    print(f"  total {elapsed:.1f} s ({count / elapsed:,.0f} docs/s, {text_mb / elapsed:.1f} MB/s end to end, "
          f"spill to disk included); rejected {dict(rejected)}")
    print(f"  peak RSS {peak:.0f} MB (process baseline {base_rss:.0f} MB): "
          f"{(peak - base_rss) * 1e6 / count:,.0f} bytes/document over the baseline")
    print(f"  compact state: {state_bytes['collector']:.0f} bytes/document (hashes, lengths, ids) + "
          f"{state_bytes['signatures']} bytes/document of signature loaded for the decision")

    # datasketch's in-memory LSH over the same kind of signatures, on a slice, for bytes per document.
    from datasketch import MinHashLSH

    from corpusclean.dedup.minhash import to_lean_minhash

    sample = min(count, 20_000)
    sigs = []
    for doc in synthetic(sample, seed):
        stage.prepare(doc)
        sig = doc.scratch["dedup"][1]
        if sig is not None:
            sigs.append((doc.id, to_lean_minhash(np.frombuffer(sig, dtype=np.uint32))))
    gc.collect()
    before = rss_mb()
    lsh = MinHashLSH(num_perm=stage.num_perm, params=(stage.bands, stage.rows))
    for doc_id, lean in sigs:
        lsh.insert(doc_id, lean, check_duplication=False)
    gc.collect()
    per_doc = (rss_mb() - before) * 1e6 / len(sigs)
    print(f"  datasketch MinHashLSH (in memory, {stage.bands}x{stage.rows}) on {len(sigs):,} of them: "
          f"{per_doc:,.0f} bytes/document (index only, signatures not counted)")


# --- 4. peers ----------------------------------------------------------------------------------------

def kept_scores(kept: set[str], groups: dict[str, int]) -> str:
    """Duplicates left and articles lost, from the kept ids alone (the one outcome every tool reports)."""
    per_group: Counter[int] = Counter(groups[i] for i in kept if i in groups)
    every = Counter(groups.values())
    left = sum(max(per_group[g] - 1, 0) for g in every)
    lost = sum(1 for g in every if per_group[g] == 0)
    duplicates = len(groups) - len(every)
    removed = len(groups) - len(kept & set(groups))
    return (f"duplicates left {left}/{duplicates} (recall {1 - left / duplicates:.3f}), articles lost {lost} "
            f"(precision {1 - lost / max(removed, 1):.3f})")


def peers(names: list[str], install: bool, peer_docs: int, seed: int) -> None:
    import json
    import tempfile

    from compare_peers import VENVS, ensure_venv, measure

    work = Path(tempfile.mkdtemp(prefix="bench-dedup-peers-"))
    recipe = work / "dedup-only.toml"
    recipe.write_text('[[stages]]\nuse = "dedup"\n', encoding="utf-8")
    bases = base_articles(include_eval=True, min_chars=300, max_chars=1200)
    planted = planted_corpus(bases=bases, duplicated=0.8, max_variants=5, seed=seed)
    sets = {"planted": work / "planted.jsonl", "synthetic": work / "synthetic.jsonl"}
    with open(sets["planted"], "w", encoding="utf-8") as out:
        for d in planted:
            out.write(json.dumps({"id": d.id, "text": d.text}, ensure_ascii=False) + "\n")
    with open(sets["synthetic"], "w", encoding="utf-8") as out:
        for doc in synthetic(peer_docs, seed):
            out.write(json.dumps({"id": doc.id, "text": doc.text}, ensure_ascii=False) + "\n")
    groups = {d.id: d.group for d in planted}
    print(f"\npeers on the same JSONL (child processes, one worker each; {peer_docs:,} synthetic documents "
          f"= {sets['synthetic'].stat().st_size / 1e6:.0f} MB for time and memory):")
    results = {}
    tools = ["corpusclean", *names]
    for tool in tools:
        if tool == "corpusclean":
            python = Path(sys.executable)
        else:
            python = ensure_venv(tool, install=install)
            if python is None:
                print(f"  {tool}: no virtual environment under {VENVS} (use --install-peers)")
                continue
        for name, path in sets.items():
            out = work / f"{tool}-{name}"
            if tool == "corpusclean":
                out.mkdir()
                cmd = [str(python), "-m", "corpusclean.cli", "clean", str(path), "-o", str(out / "kept.jsonl"),
                       "--config", str(recipe), "-w", "1", "-q"]
            else:
                cmd = [str(python), str(ROOT / "benchmarks" / "peer_dedup.py"), tool, str(path), str(out)]
            measured = measure(cmd, work / f"{tool}-{name}.log")
            if measured.returncode != 0:
                print(f"  {tool} on {name}: failed (exit {measured.returncode}), see {measured.log}")
                continue
            if tool == "corpusclean":
                with open(out / "kept.jsonl", encoding="utf-8") as handle:
                    kept = {json.loads(line)["id"] for line in handle}
            else:
                kept = set(json.loads((out / "kept.json").read_text(encoding="utf-8")))
            results[tool, name] = (measured, kept)
    base = results.get(("corpusclean", "synthetic"))
    for tool in tools:
        if (tool, "planted") in results:
            print(f"  {tool:<12} planted: {kept_scores(results[tool, 'planted'][1], groups)}")
    for tool in tools:
        if (tool, "synthetic") in results and base is not None:
            m = results[tool, "synthetic"][0]
            print(f"  {tool:<12} synthetic: {m.wall:7.1f} s (x{m.wall / base[0].wall:.1f} corpusclean's), "
                  f"peak {m.peak_tree_mb:6.0f} MB (x{m.peak_tree_mb / base[0].peak_tree_mb:.1f}), "
                  f"kept {len(results[tool, 'synthetic'][1]):,}")
    print(f"  (work files in {work})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100_000, help="synthetic documents for the scale run")
    parser.add_argument("--speed-mb", type=float, default=20.0, help="MB of text for the signature speed test")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--peers", default=None,
                        help="comma-separated peers to run (datatrove,data-juicer); default: those installed; "
                             "'none' to skip")
    parser.add_argument("--install-peers", action="store_true", help="create missing peer venvs (PyPI, minutes)")
    parser.add_argument("--peer-docs", type=int, default=10_000, help="synthetic documents for the peer timing")
    args = parser.parse_args()
    accuracy(args.seed)
    signature_speed(args.speed_mb)
    if not args.skip_scale:
        scale(args.docs, args.seed)
    if args.peers != "none":
        from compare_peers import VENVS

        known = ["datatrove", "data-juicer"]
        names = args.peers.split(",") if args.peers else [n for n in known if (VENVS / n / "bin" / "python").exists()]
        peers(names, args.install_peers, args.peer_docs, args.seed)


if __name__ == "__main__":
    main()
