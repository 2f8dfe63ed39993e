"""corpusclean side by side with its peers on the same JSONL input, timed in one run.

The input is a corpus of real Chinese sentences with planted exact, near and Traditional-script copies,
real boilerplate lines, junk and mojibake (benchmarks/eval_data.py), so besides speed the script can say
who removed what. Tools, each a child process measured for wall time, CPU time (its own and its waited-for
children's) and peak memory (resident set of its whole process tree, sampled):

- corpusclean: the CLI with the built-in recipe (whatever stages it has now), ``--workers 1`` and ``2``;
- naive: stdlib json + ftfy defaults + stdlib re rules + datasketch SHA-1 MinHash with default LSH
  (benchmarks/naive_baseline.py), the stack the issue measured at ~1.4 MB/s;
- datatrove (benchmarks/peer_datatrove.py) and data-juicer (benchmarks/peer_data_juicer.py), each installed
  from PyPI at run time into its own virtual environment under benchmarks/.venv-peers/ (git-ignored; their
  numpy requirements conflict). Their configurations are described in those files. A peer that cannot be
  installed is reported and skipped.

Also HTML extraction on its own: the evaluation pages through ``corpusclean clean`` and through a plain
``trafilatura.extract`` loop, in pages per second.

Usage:
    python benchmarks/compare_peers.py                  # ~20 MB corpus, a few minutes on 2 cores
    python benchmarks/compare_peers.py --full           # 200 MB, HTML pages x20
    python benchmarks/compare_peers.py --tools corpusclean,naive --size-mb 50   # end-to-end figures only
    python benchmarks/compare_peers.py --json > compare.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.eval_data import REPO, build_planted_corpus, eval_dir, pages
from benchmarks.eval_scoring import contains

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "peers"
VENVS = HERE / ".venv-peers"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")

# What each peer's virtual environment gets from PyPI. Both need lxml_html_clean beside trafilatura.
PEER_PACKAGES = {
    "datatrove": ["datatrove[io,processing]==0.10.1", "spacy", "jieba", "lxml_html_clean"],
    "data-juicer": ["py-data-juicer==1.6.1", "opencc", "aiohttp", "scipy", "lxml_html_clean"],
}
PEER_SCRIPTS = {"datatrove": HERE / "peer_datatrove.py", "data-juicer": HERE / "peer_data_juicer.py"}
ALL_TOOLS = ("corpusclean", "naive", "datatrove", "data-juicer")


# --- measuring a child process ------------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _tree_sample(root: int, cpu: dict[int, float]) -> int:
    """Resident bytes of ``root`` and all its descendants, from /proc; records each one's CPU seconds so far
    in ``cpu`` (a worker that is killed rather than waited for never reaches the parent's rusage)."""
    children: dict[int, list[int]] = defaultdict(list)
    ticks: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children[int(fields[1])].append(int(name))
        ticks[int(name)] = int(fields[11]) + int(fields[12])
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        cpu[pid] = max(cpu.get(pid, 0.0), ticks.get(pid, 0) / CLOCK_TICKS)
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
                total += int(handle.read().split()[1]) * PAGE_SIZE
        except (OSError, IndexError, ValueError):
            pass
    return total


@dataclass
class Measured:
    """One tool's run: seconds of wall and CPU time, peak memory in MB, exit code, log file."""

    wall: float
    cpu: float
    peak_tree_mb: float
    peak_process_mb: float
    returncode: int
    log: str


def measure(cmd: list[str], log: Path, *, env: dict[str, str] | None = None, cwd: Path | None = None) -> Measured:
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        peak = 0
        sampled_cpu: dict[int, float] = {}
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.wait(0.2):
                peak = max(peak, _tree_sample(proc.pid, sampled_cpu))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = max(usage.ru_utime + usage.ru_stime, sum(sampled_cpu.values()))
    return Measured(wall=wall, cpu=cpu, peak_tree_mb=peak / 1e6,
                    peak_process_mb=usage.ru_maxrss / 1024, returncode=proc.returncode, log=str(log))


# --- peers' virtual environments ----------------------------------------------------------------------

def ensure_venv(name: str, *, install: bool) -> Path | None:
    """Python of the peer's virtual environment, creating it and installing the peer when needed.
    ``None`` (and a message) when it cannot be had."""
    venv = VENVS / name
    python = venv / "bin" / "python"
    spec = "\n".join(PEER_PACKAGES[name])
    marker = venv / ".corpusclean-spec"
    if python.exists() and marker.exists() and marker.read_text() == spec:
        return python
    if not install:
        print(f"  {name}: not installed (run without --no-install to install it into {venv})", file=sys.stderr)
        return None
    print(f"  {name}: installing {' '.join(PEER_PACKAGES[name])} into {venv} ...", file=sys.stderr)
    log = VENVS / f"{name}-install.log"
    VENVS.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        made = subprocess.run([sys.executable, "-m", "venv", str(venv)], stdout=out, stderr=subprocess.STDOUT)
        ok = made.returncode == 0
        ok = ok and subprocess.run([str(python), "-m", "pip", "install", "-q", *PEER_PACKAGES[name]],
                                   stdout=out, stderr=subprocess.STDOUT).returncode == 0
    if not ok:
        tail = log.read_text(errors="replace").strip().splitlines()[-3:]
        print(f"  {name}: could not be installed; skipped. Last lines of {log}:", *tail, sep="\n    ", file=sys.stderr)
        return None
    marker.write_text(spec)
    return python


# --- reading what each tool kept --------------------------------------------------------------------

def _records(paths: list[Path]) -> Iterator[dict[str, Any]]:
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    yield json.loads(line)


@dataclass
class Outcome:
    """What one tool kept: the ids, the texts of the documents we look into, and why others went."""

    kept: set[str] = field(default_factory=set)
    texts: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    chars_out: int = 0


def read_outcome(outputs: list[Path], watched: set[str], reasons: dict[str, str] | None = None) -> Outcome:
    outcome = Outcome(reasons=reasons or {})
    for record in _records(outputs):
        doc_id = str(record["id"])
        outcome.kept.add(doc_id)
        outcome.chars_out += len(record["text"])
        if doc_id in watched:
            outcome.texts[doc_id] = record["text"]
    return outcome


def corpusclean_reasons(rejects: Path) -> dict[str, str]:
    return {str(r["id"]): f"{r['stage']}/{r['rule']}" for r in _records([rejects]) if r.get("kind") == "document"}


# --- scoring against the planted truth ---------------------------------------------------------------

def truth_scores(outcome: Outcome, truth: dict[str, Any]) -> dict[str, Any]:
    """Planted copies whose original also survived (duplicates missed), originals of which no copy
    survived (content lost), junk kept, planted boilerplate lines left, mojibake paragraphs repaired."""
    kinds: dict[str, str] = truth["kinds"]
    of: dict[str, str] = truth["of"]
    kept = outcome.kept
    missed: Counter[str] = Counter()
    copies: dict[str, list[str]] = defaultdict(list)
    for doc_id, source in of.items():
        copies[source].append(doc_id)
        if doc_id in kept and source in kept:
            missed[kinds[doc_id]] += 1
    planted = Counter(kinds[d] for d in of)
    originals = [d for d, k in kinds.items() if k in ("original", "mojibake")]
    lost = sum(1 for d in originals if d not in kept and not any(c in kept for c in copies.get(d, ())))
    junk = [d for d, k in kinds.items() if k.startswith("junk")]
    lines_total = lines_left = 0
    for doc_id, lines in truth["boilerplate"].items():
        if doc_id in outcome.texts:
            lines_total += len(lines)
            lines_left += sum(contains(outcome.texts[doc_id], line) for line in lines)
    repaired = [d for d in truth["repaired"] if d in outcome.texts]
    return {
        "docs_kept": len(kept),
        "duplicates_missed": {kind: f"{missed[kind]}/{planted[kind]}" for kind in sorted(planted)},
        "originals_lost": f"{lost}/{len(originals)}",
        "junk_kept": f"{sum(d in kept for d in junk)}/{len(junk)}",
        "boilerplate_lines_left": f"{lines_left}/{lines_total}",
        "mojibake_repaired": f"{sum(contains(outcome.texts[d], truth['repaired'][d]) for d in repaired)}"
                             f"/{len(repaired)}",
        "chars_out": outcome.chars_out,
    }


def differences(ours: Outcome, theirs: Outcome, truth: dict[str, Any], inputs: dict[str, str],
                *, examples: int) -> dict[str, Any]:
    """Documents one removed and the other kept, by planted kind, with a few examples."""
    out: dict[str, Any] = {}
    for label, removed_by, kept_by in (("removed_by_corpusclean_only", ours, theirs),
                                       ("removed_by_peer_only", theirs, ours)):
        ids = sorted(kept_by.kept - removed_by.kept)
        out[label] = {
            "count": len(ids),
            "by_kind": dict(Counter(truth["kinds"].get(d, "?") for d in ids).most_common()),
            "by_reason": dict(Counter(removed_by.reasons.get(d, "?") for d in ids).most_common(8)),
            "examples": [{"id": d, "kind": truth["kinds"].get(d), "reason": removed_by.reasons.get(d),
                          "text": inputs.get(d, "")[:60].replace("\n", " ")} for d in ids[:examples]],
        }
    return out


def input_texts(files: list[Path], ids: set[str]) -> dict[str, str]:
    return {str(r["id"]): r["text"] for r in _records(files) if str(r["id"]) in ids}


def stage_profile(files: list[Path], *, limit_mb: float) -> dict[str, Any]:
    """Seconds each stage of the built-in recipe spends on the first ``limit_mb`` MB, in this process:
    where the time goes, as stages land. The lazy tables are built first (corpusclean.warmup, as the fork
    server does), so that one-time start-up is not charged to whichever stage meets it first."""
    import corpusclean
    import corpusclean.warmup
    from corpusclean.document import Document

    pipeline = corpusclean.default_pipeline()
    seconds: Counter[str] = Counter()
    docs, size = [], 0
    for record in _records(files):
        size += len(json.dumps(record, ensure_ascii=False).encode("utf-8"))
        doc = Document(id=str(record["id"]), text=record["text"])
        for stage in pipeline.stages:
            if doc.rejected is not None:
                break
            start = time.perf_counter()
            stage.process(doc)
            seconds[stage.name] += time.perf_counter() - start
        docs.append(doc)
        if size >= limit_mb * 1e6:
            break
    for stage in pipeline.corpus_stages:
        start = time.perf_counter()
        docs = list(stage.run(iter(docs)))
        stage.close()
        seconds[stage.name] += time.perf_counter() - start
    mb = size / 1e6
    return {"mb": round(mb, 2), "stages": {name: {"seconds": round(s, 3), "mb_per_s": round(mb / s, 1) if s else None}
                                           for name, s in seconds.items()}}


# --- the run ---------------------------------------------------------------------------------------

def corpus(size_mb: float, seed: int) -> tuple[Path, dict[str, Any]]:
    folder = DATA / f"corpus-{size_mb:g}mb-s{seed}"
    truth_path = folder / "truth.json"
    if not truth_path.exists():
        if folder.exists():
            shutil.rmtree(folder)
        truth = build_planted_corpus(folder / "input", size_mb=size_mb, seed=seed)
        truth_path.write_text(json.dumps(truth.as_dict(), ensure_ascii=False), encoding="utf-8")
    return folder / "input", json.loads(truth_path.read_text(encoding="utf-8"))


def html_pages(replicas: int) -> Path:
    """The evaluation pages copied ``replicas`` times (distinct names) into one folder."""
    folder = DATA / f"html-x{replicas}"
    if not folder.exists():
        tmp = folder.with_name(folder.name + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        for page in pages(eval_dir()):
            for i in range(replicas):
                target = tmp / f"r{i}" / f"{page.set}-{Path(page.name).stem}.html"
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(page.path, target)
        tmp.rename(folder)
    return folder


def corpusclean_cmd(inputs: Path, out: Path, workers: int) -> list[str]:
    return [sys.executable, "-m", "corpusclean.cli", "clean", str(inputs), "-o", str(out / "out.jsonl"),
            "--rejects", str(out / "rejects.jsonl"), "--report", str(out / "report.json"), "-q",
            "--workers", str(workers)]


TRAFILATURA_LOOP = (
    "import pathlib, sys, trafilatura\n"
    "for p in sorted(pathlib.Path(sys.argv[1]).rglob('*.html')):\n"
    "    trafilatura.extract(p.read_bytes())\n"
)


def run(args: argparse.Namespace) -> dict[str, Any]:
    import corpusclean

    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = set(tools) - set(ALL_TOOLS)
    if unknown:
        raise SystemExit(f"unknown tool(s) {sorted(unknown)}; choose from {', '.join(ALL_TOOLS)}")
    print(f"corpus: {args.size_mb:g} MB ...", file=sys.stderr)
    inputs, truth = corpus(args.size_mb, args.seed)
    files = sorted(inputs.glob("*.jsonl"))
    size_mb = sum(f.stat().st_size for f in files) / 1e6
    work = DATA / "runs"
    shutil.rmtree(work, ignore_errors=True)
    result: dict[str, Any] = {
        "input": {"mb": round(size_mb, 2), "docs": len(truth["kinds"]),
                  "planted": dict(Counter(truth["kinds"].values()))},
        "corpusclean_stages": corpusclean.default_pipeline().names,
        "runs": {}, "truth": {}, "differences": {}, "skipped": {},
    }
    watched = set(truth["boilerplate"]) | set(truth["repaired"])
    outcomes: dict[str, Outcome] = {}
    env = {**os.environ, "PYTHONHASHSEED": "0", "TOKENIZERS_PARALLELISM": "false"}

    def record(name: str, measured: Measured, outcome: Outcome | None, extra: dict[str, Any] | None = None) -> None:
        entry = {**asdict(measured), "mb_per_s": round(size_mb / measured.wall, 2),
                 "mb_per_cpu_s": round(size_mb / measured.cpu, 2) if measured.cpu else None, **(extra or {})}
        result["runs"][name] = entry
        if measured.returncode != 0 and outcome is None:
            print(f"  {name}: exit code {measured.returncode}, see {measured.log}", file=sys.stderr)
        if outcome is not None:
            outcomes[name] = outcome
            result["truth"][name] = truth_scores(outcome, truth)
        print(f"  {name}: {measured.wall:.1f} s wall, {size_mb / measured.wall:.2f} MB/s", file=sys.stderr)

    if "corpusclean" in tools:
        for workers in args.workers:
            name = f"corpusclean w{workers}"
            out = work / f"corpusclean-w{workers}"
            out.mkdir(parents=True)
            measured = measure(corpusclean_cmd(inputs, out, workers), out / "log.txt", env=env)
            outcome = None
            if (out / "out.jsonl").exists():
                outcome = read_outcome([out / "out.jsonl"], watched, corpusclean_reasons(out / "rejects.jsonl"))
            record(name, measured, outcome)
    if "naive" in tools:
        out = work / "naive"
        out.mkdir(parents=True)
        measured = measure([sys.executable, str(HERE / "naive_baseline.py"), str(inputs), "-o", str(out / "out.jsonl")],
                           out / "log.txt", env=env)
        record("naive", measured, read_outcome([out / "out.jsonl"], watched) if measured.returncode == 0 else None)
    for peer in ("datatrove", "data-juicer"):
        if peer not in tools:
            continue
        python = ensure_venv(peer, install=not args.no_install)
        if python is None:
            result["skipped"][peer] = "could not be installed"
            continue
        out = work / peer
        out.mkdir(parents=True)
        measured = measure([str(python), str(PEER_SCRIPTS[peer]), str(inputs), str(out), str(args.peer_workers)],
                           work / f"{peer}.log", env=env, cwd=out)
        done = out / "result.json"
        if measured.returncode != 0 or not done.exists():
            result["skipped"][peer] = f"failed (exit {measured.returncode}); see {measured.log}"
            record(peer, measured, None)
            continue
        info = json.loads(done.read_text(encoding="utf-8"))
        output = Path(info["output"])
        paths = sorted(output.glob("*.jsonl")) if output.is_dir() else [output]
        record(peer, measured, read_outcome(paths, watched, info["reasons"]),
               {"version": info["version"], "workers": args.peer_workers})

    base = f"corpusclean w{args.workers[0]}"
    if base in result["runs"]:
        ref = result["runs"][base]["mb_per_s"]
        for entry in result["runs"].values():
            entry["speed_vs_corpusclean"] = round(entry["mb_per_s"] / ref, 3)
        w = [f"corpusclean w{n}" for n in args.workers]
        if len(w) > 1 and all(n in outcomes for n in w):
            result["corpusclean_workers_same_output"] = all(outcomes[n].kept == outcomes[w[0]].kept for n in w)
    if base in outcomes:
        needed: set[str] = set()
        for name, outcome in outcomes.items():
            if name.startswith("corpusclean"):
                continue
            needed |= set(sorted(outcome.kept - outcomes[base].kept)[: args.examples])
            needed |= set(sorted(outcomes[base].kept - outcome.kept)[: args.examples])
        texts = input_texts(files, needed)
        for name, outcome in outcomes.items():
            if not name.startswith("corpusclean"):
                result["differences"][name] = differences(outcomes[base], outcome, truth, texts, examples=args.examples)

    if "corpusclean" in tools and args.profile_mb:
        result["stage_profile"] = stage_profile(files, limit_mb=args.profile_mb)
    if args.html_replicas:
        folder = html_pages(args.html_replicas)
        n_pages = sum(1 for _ in folder.rglob("*.html"))
        html: dict[str, Any] = {"pages": n_pages}
        for workers in args.workers:
            for label, extra in (("", []), (" --no-html-metadata", ["--no-html-metadata"])):
                out = work / f"html-corpusclean-w{workers}{'-'.join(extra)}"
                out.mkdir(parents=True)
                m = measure(corpusclean_cmd(folder, out, workers) + extra, out / "log.txt", env=env)
                html[f"corpusclean w{workers}{label}"] = {
                    "seconds": round(m.wall, 2), "pages_per_s": round(n_pages / m.wall, 1),
                    "pages_per_cpu_s": round(n_pages / m.cpu, 1), "exit": m.returncode}
        m = measure([sys.executable, "-c", TRAFILATURA_LOOP, str(folder)], work / "html-trafilatura.log", env=env)
        html["trafilatura alone"] = {"seconds": round(m.wall, 2), "pages_per_s": round(n_pages / m.wall, 1),
                                     "pages_per_cpu_s": round(n_pages / m.cpu, 1), "exit": m.returncode}
        result["html"] = html
    return result


# --- printing --------------------------------------------------------------------------------------

def print_report(result: dict[str, Any]) -> None:
    inp = result["input"]
    print(f"input: {inp['mb']} MB JSONL, {inp['docs']:,} documents; planted: "
          + ", ".join(f"{k} {v}" for k, v in sorted(inp["planted"].items())))
    print(f"corpusclean stages (built-in recipe): {' -> '.join(result['corpusclean_stages'])}")
    print("\nspeed (same run; MB/s = input MB / wall s; per CPU-s counts the tool's children too)")
    print(f"  {'tool':16s} {'wall s':>8s} {'MB/s':>7s} {'MB/CPU-s':>9s} {'vs ours':>8s} {'peak MB':>8s}"
          f" {'docs kept':>10s}")
    for name, r in result["runs"].items():
        kept = result["truth"].get(name, {}).get("docs_kept", "failed")
        vs = f"{r['speed_vs_corpusclean']:.2f}x" if "speed_vs_corpusclean" in r else "-"
        per_cpu = f"{r['mb_per_cpu_s']:.2f}" if r["mb_per_cpu_s"] else "-"
        print(f"  {name:16s} {r['wall']:8.1f} {r['mb_per_s']:7.2f} {per_cpu:>9s} {vs:>8s} "
              f"{r['peak_tree_mb']:8.0f} {kept!s:>10s}")
    if "corpusclean_workers_same_output" in result:
        print(f"  corpusclean: same documents kept with every --workers: {result['corpusclean_workers_same_output']}")
    for peer, why in result["skipped"].items():
        print(f"  {peer}: {why}")
    if result["truth"]:
        print("\nagainst the planted truth (copies whose original also survived = duplicates missed)")
        kinds = sorted({k for t in result["truth"].values() for k in t["duplicates_missed"]})
        head = "".join(f"{k + ' missed':>24s}" for k in kinds)
        print(f"  {'tool':16s}{head}{'originals lost':>16s}{'junk kept':>11s}{'boilerplate left':>18s}"
              f"{'mojibake fixed':>16s}")
        for name, t in result["truth"].items():
            row = "".join(f"{t['duplicates_missed'][k]:>24s}" for k in kinds)
            print(f"  {name:16s}{row}{t['originals_lost']:>16s}{t['junk_kept']:>11s}"
                  f"{t['boilerplate_lines_left']:>18s}{t['mojibake_repaired']:>16s}")
    for peer, diff in result["differences"].items():
        print(f"\ncorpusclean vs {peer}")
        for label, d in diff.items():
            who = "corpusclean removed, " + peer + " kept" if label == "removed_by_corpusclean_only" else \
                peer + " removed, corpusclean kept"
            print(f"  {who}: {d['count']} docs; by planted kind {d['by_kind']}")
            if set(d["by_reason"]) != {"?"}:
                print(f"    by reason: {d['by_reason']}")
            for ex in d["examples"]:
                print(f"    {ex['id']} [{ex['kind']}] {ex['reason'] or ''}: {ex['text']}")
    if "stage_profile" in result:
        prof = result["stage_profile"]
        total = sum(s["seconds"] for s in prof["stages"].values())
        print(f"\ncorpusclean per-stage time on the first {prof['mb']} MB (one process, no I/O): {total:.2f} s")
        for name, s in sorted(prof["stages"].items(), key=lambda kv: -kv[1]["seconds"]):
            print(f"  {name:18s} {s['seconds']:7.2f} s  {100 * s['seconds'] / total:5.1f}%  "
                  f"{s['mb_per_s'] or 0:8.1f} MB/s alone")
    if "html" in result:
        h = result["html"]
        print(f"\nHTML extraction, {h['pages']} real pages (shared/eval, repeated)")
        for name, r in h.items():
            if name != "pages":
                print(f"  {name:34s} {r['seconds']:7.1f} s  {r['pages_per_s']:7.1f} pages/s  "
                      f"{r['pages_per_cpu_s']:7.1f} pages/CPU-s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--size-mb", type=float, default=None, help="corpus size (default 20; --full: 200)")
    parser.add_argument("--full", action="store_true", help="the issue's sizes: 200 MB corpus, HTML pages x20")
    parser.add_argument("--tools", default=",".join(ALL_TOOLS), help=f"comma list of {', '.join(ALL_TOOLS)}")
    parser.add_argument("--workers", type=lambda s: [int(x) for x in s.split(",")], default=[1, 2],
                        help="corpusclean --workers values, first is the reference (default 1,2)")
    parser.add_argument("--peer-workers", type=int, default=1, help="workers for datatrove / data-juicer (default 1)")
    parser.add_argument("--html-replicas", type=int, default=None, help="copies of the eval pages (default 3; 0: skip)")
    parser.add_argument("--profile-mb", type=float, default=2, help="MB for the per-stage profile (0: skip)")
    parser.add_argument("--examples", type=int, default=3, help="examples per difference (default 3)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-install", action="store_true", help="skip a peer whose venv is not there yet")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the tables")
    args = parser.parse_args(argv)
    args.size_mb = args.size_mb or (200 if args.full else 20)
    if args.html_replicas is None:
        args.html_replicas = 20 if args.full else 3
    os.chdir(REPO)
    result = run(args)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print_report(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
