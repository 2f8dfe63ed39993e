"""The evaluation data: labelled seeds, real pages with gold text, and a JSONL benchmark corpus built from
real sentences with planted duplicates, boilerplate, junk and mojibake whose truth is known.

The pages and gold texts are third-party and read-only (``shared/eval`` beside the repository; see its
README.md). Nothing here downloads anything.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO / "seeds"
SEED_LABELS = REPO / "tests" / "data" / "seeds_lines.json"


def eval_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """The evaluation data folder: ``path``, else ``$CORPUSCLEAN_EVAL``, else ``shared/eval`` next to the
    repository (where it is laid for developers and CI)."""
    found = Path(path or os.environ.get("CORPUSCLEAN_EVAL") or REPO.parent / "shared" / "eval")
    if not (found / "README.md").is_file():
        raise FileNotFoundError(f"{found}: no evaluation data here (expected shared/eval with README.md); "
                                "pass --eval-dir or set CORPUSCLEAN_EVAL")
    return found


@dataclass(frozen=True)
class SeedLabels:
    """Line labels of one seed document (format: shared/eval/README.md)."""

    name: str
    path: Path
    keep: list[str]
    drop: list[str]
    absent: list[str]


def seed_labels(labels: Path = SEED_LABELS, seeds: Path = SEEDS_DIR) -> list[SeedLabels]:
    data = json.loads(labels.read_text(encoding="utf-8"))
    return [
        SeedLabels(name=name, path=seeds / name, keep=entry.get("keep", []), drop=entry.get("drop", []),
                   absent=entry.get("absent", []) + entry.get("mojibake_absent", []))
        for name, entry in sorted(data.items())
    ]


@dataclass(frozen=True)
class Page:
    """A real HTML page and what it should become: full ``gold`` text, or snippets that must be kept
    (``with_``) and removed (``without``)."""

    set: str
    name: str
    path: Path
    gold: str | None = None
    with_: list[str] = field(default_factory=list)
    without: list[str] = field(default_factory=list)


def _html_text(html: str) -> str:
    """Text of an HTML fragment, one line per block element (for Readability's ``expected.html``)."""
    import lxml.html

    root = lxml.html.fromstring(html)
    for block in root.iter("p", "div", "br", "li", "h1", "h2", "h3", "h4", "tr", "blockquote"):
        block.tail = "\n" + (block.tail or "")
    return root.text_content()


def pages(base: Path) -> Iterator[Page]:
    """Every page of the four sets, in a fixed order."""
    cwced = base / "cwced"
    for html in sorted((cwced / "original").glob("*.html")):
        gold = cwced / "cleaned" / f"{html.stem}.txt"
        yield Page("cwced", html.stem, html, gold=gold.read_text(encoding="utf-8"))
    traf = base / "trafilatura_zh"
    for entry in json.loads((traf / "evaldata_zh.json").read_text(encoding="utf-8")).values():
        yield Page("trafilatura_zh", entry["file"], traf / "html" / entry["file"],
                   with_=entry.get("with", []), without=entry.get("without", []))
    for folder in sorted(p for p in (base / "readability_zh").iterdir() if p.is_dir()):
        expected = _html_text((folder / "expected.html").read_text(encoding="utf-8"))
        yield Page("readability_zh", folder.name, folder / "source.html", gold=expected)
    news = base / "newspaper4k_zh"
    for html in sorted((news / "html").glob("*.html")):
        gold = news / "gold" / f"{html.stem}.txt"
        yield Page("newspaper4k_zh", html.stem, html, gold=gold.read_text(encoding="utf-8"))


def manifest_pages(manifest: Path) -> Iterator[Page]:
    """Pages listed in a ``manifest.jsonl`` (one JSON object a line: ``set``, ``name``, ``html`` and ``gold``
    paths relative to the manifest's folder), as a held-out set is laid out."""
    base = manifest.parent
    for line in manifest.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            yield Page(entry["set"], entry["name"], base / entry["html"],
                       gold=(base / entry["gold"]).read_text(encoding="utf-8"))


# --- the benchmark corpus ---------------------------------------------------------------------------

def boilerplate_lines() -> list[list[str]]:
    """Real boilerplate: per seed, the lines labelled ``drop``, short enough to be a page's chrome. Kept apart
    by seed so a corpus can draw from every site evenly (one seed alone has 100 of the 124 lines)."""
    groups = [[line for line in seed.drop if len(line) <= 200] for seed in seed_labels()]
    return [group for group in groups if group]


def spam_lines() -> list[str]:
    """Real spam link lists (the long ``drop`` lines of the seeds)."""
    return [line for seed in seed_labels() for line in seed.drop if len(line) > 200]


@dataclass
class CorpusTruth:
    """What was planted where: ``kinds[id]`` is one of original, exact_dup, near_dup, traditional_dup,
    mojibake, junk_short, junk_spam; ``of[id]`` names the original a copy was made from."""

    kinds: dict[str, str] = field(default_factory=dict)
    of: dict[str, str] = field(default_factory=dict)
    boilerplate: dict[str, list[str]] = field(default_factory=dict)
    repaired: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {"kinds": self.kinds, "of": self.of, "boilerplate": self.boilerplate, "repaired": self.repaired}


def _mojibake(text: str) -> str:
    """UTF-8 bytes read as Windows-1252: the classic mojibake ftfy exists to undo."""
    return text.encode("utf-8").decode("cp1252", errors="replace")


def build_planted_corpus(out_dir: Path, *, size_mb: float, shards: int = 2, seed: int = 7) -> CorpusTruth:
    """Write about ``size_mb`` MB of JSONL (``{"id", "text"}``) into ``shards`` files under ``out_dir``.

    The sentences are :func:`benchmarks.corpus.real_sentences` (seeds, gold texts of the evaluation pages).
    Each original document is 2-40 of them in paragraphs of 1-4, a third of them with real boilerplate
    lines (from the seeds) added at the top or bottom. Among the documents: ~8% exact copies of an earlier
    document, ~8% near copies (a paragraph dropped, a sentence added to another, a boilerplate footer
    added), ~3% copies in Traditional script, ~2% with a paragraph in UTF-8-as-cp1252 mojibake, ~2%
    one-line stubs and ~1% spam link lists. The same arguments give the same bytes. ``out_dir`` gets only
    the shards (so it can be given whole to a reader); the returned truth is the caller's to keep.
    """
    import opencc

    from benchmarks.corpus import real_sentences

    rng = random.Random(seed)
    sentences = [s for s in real_sentences() if len(s) >= 8]
    boiler = boilerplate_lines()
    spam_items = sorted({item for line in spam_lines() for item in line.split()})
    to_traditional = opencc.OpenCC("s2t")
    truth = CorpusTruth()
    originals: list[tuple[str, list[str]]] = []
    out_dir.mkdir(parents=True, exist_ok=True)
    files = [open(out_dir / f"part-{i:04d}.jsonl", "w", encoding="utf-8") for i in range(shards)]  # noqa: SIM115
    target = size_mb * 1_000_000
    written = 0
    n = 0
    try:
        while written < target:
            doc_id = f"d{n:07d}"
            roll = rng.random()
            if roll < 0.08 and originals:
                source, paragraphs = rng.choice(originals)
                kind, text = "exact_dup", "\n".join(paragraphs)
                truth.of[doc_id] = source
            elif roll < 0.16 and any(len(p) >= 4 for _, p in originals[-50:]):
                source, paragraphs = rng.choice([o for o in originals[-50:] if len(o[1]) >= 4])
                copy = list(paragraphs)
                del copy[rng.randrange(len(copy))]
                i = rng.randrange(len(copy))
                copy[i] = copy[i] + rng.choice(sentences)
                copy.append(rng.choice(rng.choice(boiler)))
                kind, text = "near_dup", "\n".join(copy)
                truth.of[doc_id] = source
            elif roll < 0.19 and originals:
                source, paragraphs = rng.choice(originals[-200:])
                kind, text = "traditional_dup", to_traditional.convert("\n".join(paragraphs))
                truth.of[doc_id] = source
            elif roll < 0.21:
                kind, text = "junk_short", rng.choice(sentences)[:14]
            elif roll < 0.22 and spam_items:
                kind, text = "junk_spam", "  ".join(rng.sample(spam_items, k=min(len(spam_items), rng.randint(20, 60))))
            else:
                paragraphs = []
                for _ in range(rng.randint(2, 10)):
                    paragraphs.append("".join(rng.choice(sentences) for _ in range(rng.randint(1, 4))))
                kind = "original"
                if roll < 0.23:
                    kind = "mojibake"
                    i = rng.randrange(len(paragraphs))
                    truth.repaired[doc_id] = paragraphs[i]
                    paragraphs[i] = _mojibake(paragraphs[i])
                body = list(paragraphs)
                if rng.random() < 0.33:
                    site = rng.choice(boiler)
                    added = rng.sample(site, k=min(len(site), rng.randint(1, 3)))
                    truth.boilerplate[doc_id] = added
                    body = added + body if rng.random() < 0.3 else body + added
                text = "\n".join(body)
                if kind == "original":
                    originals.append((doc_id, body))
            truth.kinds[doc_id] = kind
            line = json.dumps({"id": doc_id, "text": text}, ensure_ascii=False) + "\n"
            files[n % shards].write(line)
            written += len(line.encode("utf-8"))
            n += 1
    finally:
        for handle in files:
            handle.close()
    return truth


def add_page_options(parser: Any) -> None:
    """The options that choose pages with full gold text: ``--eval-dir``, ``--manifest``, ``--sets``."""
    parser.add_argument("--eval-dir", help="shared/eval folder (default: next to the repository)")
    parser.add_argument(
        "--manifest",
        help="manifest.jsonl of other pages with gold (lines of set, name, html, gold; "
        "paths relative to it), e.g. a held-out set: report only, never tune on it",
    )
    parser.add_argument("--sets", default="cwced", help="comma-separated sets with full gold text, or 'all'")


def chosen_pages(args: Any) -> list[Page]:
    """The pages with full gold text that :func:`add_page_options`' options name."""
    found = manifest_pages(Path(args.manifest)) if args.manifest else pages(eval_dir(args.eval_dir))
    return [p for p in found if p.gold is not None and (args.sets == "all" or p.set in args.sets.split(","))]
