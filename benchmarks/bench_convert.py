"""Speed of Traditional/Simplified conversion (each installed backend) and of the folded view / detection.

Real text: the Traditional seeds (001, 002) and readability_zh's pixnet article; the Simplified seeds
(000, 003, 004) and cwced gold texts when ../shared/eval is present. Documents keep their real sizes;
the set is repeated up to the target size. The baseline, measured in the same run, is the previous
fold (``str.translate`` with a dict), so the ratios survive a noisy, shared machine.

    python benchmarks/bench_convert.py            # ~2 MB of each script, about a minute
    python benchmarks/bench_convert.py --full     # ~20 MB of each
"""

from __future__ import annotations

import argparse
import html
import re
import time
from collections.abc import Callable
from pathlib import Path

from corpusclean.document import Document
from corpusclean.stages.convert_script import ConvertScript
from corpusclean.text.convert import BACKENDS, backend_version, is_installed, make_converter
from corpusclean.text.script import _fold_table, detect_script, fold_to_simplified, has_traditional

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"


def html_text(path: Path) -> str:
    text = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", path.read_text(encoding="utf-8"), flags=re.S)
    text = re.sub(r"<br\s*/?>|</p>|</div>|</h\d>|</li>", "\n", text)
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def load(target_bytes: int) -> tuple[list[str], list[str]]:
    seeds = {p.name[:3]: p.read_text(encoding="utf-8") for p in (ROOT / "seeds").iterdir()}
    traditional = [seeds["001"], seeds["002"]]
    simplified = [seeds["000"], seeds["003"], seeds["004"]]
    pixnet = EVAL / "readability_zh" / "pixnet" / "expected.html"
    if pixnet.exists():
        traditional.append(html_text(pixnet))
    simplified += [p.read_text(encoding="utf-8") for p in sorted((EVAL / "cwced" / "cleaned").glob("*.txt"))]

    def repeat(docs: list[str]) -> list[str]:
        size = sum(len(d.encode()) for d in docs)
        return docs * max(1, target_bytes // size)

    return repeat(traditional), repeat(simplified)


def rate(func: Callable[[str], object], docs: list[str], *, rounds: int = 3) -> float:
    """Best-of-``rounds`` MB/s of ``func`` over ``docs`` (UTF-8 bytes in)."""
    size = sum(len(d.encode()) for d in docs)
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for doc in docs:
            func(doc)
        best = min(best, time.perf_counter() - start)
    return size / best / 1e6


def stage_func(stage: ConvertScript) -> Callable[[str], object]:
    return lambda text: stage.edit(Document(id="b", text=text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="20 MB of each script instead of 2 MB")
    args = parser.parse_args()
    target = 20_000_000 if args.full else 2_000_000
    traditional, simplified = load(target)
    # The reference backend runs at under 1 MB/s: give it a tenth of the text.
    small_t, small_s = traditional[: max(1, len(traditional) // 10)], simplified[: max(1, len(simplified) // 10)]
    table = _fold_table()
    fold_to_simplified("國")  # build the tables outside the timings

    print(f"text: {sum(len(d.encode()) for d in traditional) / 1e6:.1f} MB Traditional in {len(traditional)} docs, "
          f"{sum(len(d.encode()) for d in simplified) / 1e6:.1f} MB Simplified in {len(simplified)} docs")
    baseline_t = rate(lambda s: s.translate(table), traditional)
    baseline_s = rate(lambda s: s.translate(table), simplified)
    rows: list[tuple[str, float, float]] = [("baseline: str.translate fold (previous)", baseline_t, baseline_s)]
    rows.append(("fold_to_simplified", rate(fold_to_simplified, traditional), rate(fold_to_simplified, simplified)))
    rows.append(("detect_script", rate(detect_script, traditional), rate(detect_script, simplified)))
    rows.append(("has_traditional", rate(has_traditional, traditional), rate(has_traditional, simplified)))
    rows.append(("convert_script stage, convert=none", rate(stage_func(ConvertScript()), traditional),
                 rate(stage_func(ConvertScript()), simplified)))
    for backend in BACKENDS:
        if not is_installed(backend):
            print(f"({backend} not installed: pip install {BACKENDS[backend][1]})")
            continue
        docs_t, docs_s = (small_t, small_s) if backend == "opencc" else (traditional, simplified)
        label = f"{backend} ({backend_version(backend)})"
        t2s, s2t = make_converter("t2s", backend=backend), make_converter("s2t", backend=backend)
        rows.append((f"{label} t2s, every document", rate(t2s, docs_t, rounds=1), rate(t2s, docs_s, rounds=1)))
        stage = ConvertScript(convert="t2s", backend=backend)
        stage.edit(Document(id="warm-up", text="國"))  # the converter is built on first use: not timed
        rows.append((f"{label} t2s stage (gated)", rate(stage_func(stage), docs_t, rounds=1),
                     rate(stage_func(stage), docs_s)))
        rows.append((f"{label} s2t, every document", rate(s2t, docs_t, rounds=1), rate(s2t, docs_s, rounds=1)))

    print(f"\n{'MB/s (x baseline)':66s} {'Traditional':>18s} {'Simplified':>18s}")
    for name, trad, simp in rows:
        print(f"{name:66s} {trad:8.1f} ({trad / baseline_t:5.1f}x) {simp:8.1f} ({simp / baseline_s:5.1f}x)")


if __name__ == "__main__":
    main()
