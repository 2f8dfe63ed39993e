"""Real text for the boilerplate detector tests: gold main texts of real pages, the seeds and their line labels.

``data/eval_gold.jsonl`` is built by ``data/make_eval_gold.py`` from ``/work/shared/eval`` (cwced, MIT;
newspaper4k, MIT; Mozilla Readability, Apache-2.0) so the tests run on a clean checkout.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SEEDS = ROOT / "seeds"
SEED_004 = "004_6a657f5fa5bbd2b0.txt"

_NUMBERED = re.compile(r"^\s*\d{1,3}\.\s*(.+?)\s*$")


@functools.cache
def gold_records() -> tuple[dict[str, Any], ...]:
    with open(DATA / "eval_gold.jsonl", encoding="utf-8") as handle:
        return tuple(json.loads(line) for line in handle)


@functools.cache
def seed_labels() -> dict[str, dict[str, list[str]]]:
    return json.loads((DATA / "seeds_lines.json").read_text(encoding="utf-8"))


def seed_text(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


def clean_texts() -> list[tuple[str, str]]:
    """``(name, text)`` of text with no boilerplate: every gold text, and the seeds' keep lines per seed."""
    texts = [(f"{r['source']}/{r['name']}", r["text"]) for r in gold_records()]
    texts += [(f"seed-keep/{name}", "\n".join(label["keep"])) for name, label in seed_labels().items()]
    return texts


@functools.cache
def prose_paragraphs() -> tuple[str, ...]:
    """Distinct gold lines that are paragraphs of prose: Chinese, 20+ characters, ending a sentence."""
    seen: dict[str, None] = {}
    for record in gold_records():
        for line in record["text"].split("\n"):
            line = line.strip()
            ends = line.rstrip("”’」』）)")
            if len(line) >= 20 and ends and ends[-1] in "。！？" and re.search(r"[\u4e00-\u9fff]", line):
                seen.setdefault(line, None)
    return tuple(seen)


def articles(min_paragraphs: int = 4) -> list[tuple[str, list[str]]]:
    """Gold texts as lists of non-blank lines, those with at least ``min_paragraphs`` prose paragraphs."""
    prose = set(prose_paragraphs())
    out = []
    for record in gold_records():
        lines = [line for line in record["text"].split("\n") if line.strip()]
        if sum(line.strip() in prose for line in lines) >= min_paragraphs:
            out.append((f"{record['source']}/{record['name']}", lines))
    return out


@functools.cache
def headlines() -> tuple[str, ...]:
    """Real titles of other documents: the numbered link titles at the end of seed 004 and the gold pages'
    titles."""
    found = [m.group(1) for m in map(_NUMBERED.match, seed_text(SEED_004).split("\n")) if m]
    found += [r["title"] for r in gold_records() if r.get("title")]
    return tuple(dict.fromkeys(found))
