"""Do this tree and an earlier commit write the same bytes? Outputs and rejects, on the seeds and a corpus.

Speed work promises "outputs byte-identical"; this is the command that checks it::

    python benchmarks/same_outputs.py --baseline f80a9b6            # seeds + the 10 MB real-sentence corpus
    python benchmarks/same_outputs.py --baseline f80a9b6 --mb 50 --workers 1

The commit's source tree is exported with ``git archive`` (as ``bench_pipeline.py --baseline`` does) and both
trees run ``corpusclean clean`` with their own built-in recipe, one subprocess each, so nothing of one tree
leaks into the other. Exit status 0 when every file is identical, 1 when one differs (its first differing
line is printed), so a script or a reviewer can rely on it.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pipeline import export, run_cli
from corpus import DATA, ROOT, build_corpus


def first_difference(a: Path, b: Path) -> str | None:
    """None when the two files hold the same bytes, else where they first part (one pass over both)."""
    with a.open("rb") as fa, b.open("rb") as fb:
        for number, (la, lb) in enumerate(itertools.zip_longest(fa, fb), start=1):
            if la is None or lb is None:
                return f"one file is longer ({a.stat().st_size} vs {b.stat().st_size} bytes)"
            if la != lb:
                return f"line {number}: {la[:120]!r} vs {lb[:120]!r}"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", metavar="COMMIT", required=True, help="the commit to compare with")
    parser.add_argument("--mb", type=float, default=10, help="size of the real-sentence corpus (default 10)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes for both runs (default 2)")
    args = parser.parse_args()
    corpus = build_corpus(DATA / f"corpus-{args.mb:g}mb-s0.jsonl", target_mb=args.mb)
    inputs = {"seeds": ROOT / "seeds", f"corpus {args.mb:g} MB": corpus}
    differing = 0
    with tempfile.TemporaryDirectory(prefix="same-outputs-") as tmp:
        old = export(args.baseline, Path(tmp) / "baseline-code")
        for label, source in inputs.items():
            here, then = Path(tmp) / "here" / label, Path(tmp) / "then" / label
            for code, out in ((ROOT, here), (old, then)):
                out.mkdir(parents=True)
                run_cli(source, out, args.workers, code=code)  # out.jsonl and rejects.jsonl in ``out``
            for name in ("out.jsonl", "rejects.jsonl"):
                where = first_difference(here / name, then / name)
                differing += where is not None
                print(f"{label:<16} {name:<14} {'identical' if where is None else 'DIFFERENT: ' + where}"
                      f"  ({(here / name).stat().st_size:,} bytes)")
    return 1 if differing else 0


if __name__ == "__main__":
    raise SystemExit(main())
