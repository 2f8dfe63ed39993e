"""Pages and line labels for the content scorer: the dev set (CWCED) and the held-out pages, split by site.

The held-out pages (``/work/heldout`` or ``$CORPUSCLEAN_HELDOUT``: ``manifest.jsonl`` with ``set``, ``name``,
``html``, ``gold``, ``site``) are fetched third-party data and are not committed. They are split by site into a
``fit`` half and a ``test`` half by the parity of the first byte of ``sha256(site)``: pages of one site are all
on one side, so a site's chrome seen while fitting is never scored as "unseen". Nothing may be fitted on, or
written from, the ``test`` half.

A line of a page's text is labelled content by how much of it is found in the gold text, in order, in runs
(:func:`label_lines`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from benchmarks.eval_data import Page, pages
from benchmarks.eval_scoring import consume_runs, fold

DEFAULT_HELDOUT = Path("/work/heldout")


def heldout_dir(path: str | os.PathLike[str] | None = None) -> Path | None:
    """The held-out folder (``path``, else ``$CORPUSCLEAN_HELDOUT``, else /work/heldout), or None when it has no
    manifest."""
    found = Path(path or os.environ.get("CORPUSCLEAN_HELDOUT") or DEFAULT_HELDOUT)
    return found if (found / "manifest.jsonl").is_file() else None


def site_half(site: str) -> str:
    """``"fit"`` or ``"test"``: which half of the held-out pages a site belongs to (fixed by its name).

    >>> site_half("news.sina.com.cn") in ("fit", "test")
    True
    """
    return "test" if hashlib.sha256(site.encode("utf-8")).digest()[0] % 2 else "fit"


@dataclass(frozen=True)
class HeldoutPage:
    page: Page
    site: str
    half: str


def heldout_pages(base: Path) -> Iterator[HeldoutPage]:
    """The held-out pages in manifest order, each with its site and half."""
    with open(base / "manifest.jsonl", encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            entry = json.loads(line)
            gold = (base / entry["gold"]).read_text(encoding="utf-8")
            page = Page(entry["set"], entry["name"], base / entry["html"], gold=gold)
            yield HeldoutPage(page, entry["site"], site_half(entry["site"]))


def dev_pages(eval_base: Path) -> list[Page]:
    """The development pages: CWCED (what the rules and the scorer were tuned on)."""
    return [p for p in pages(eval_base) if p.set == "cwced"]


def label_lines(lines: list[str], gold: str, *, min_share: float = 0.5) -> list[float]:
    """Per line of an extracted text, the share of its (folded) characters found in ``gold`` in order-free
    runs of 8+ characters, each gold run used once; a line shorter than 8 characters counts when it is a
    whole gold line, or a run of 5+ characters of the gold. Blank lines get -1.

    >>> label_lines(["更多", "今天天气很好，我们去公园散步吧。", ""], "今天天氣很好，我們去公園散步吧。")
    [0.0, 1.0, -1.0]
    """
    gold_lines = [f for line in gold.split("\n") if (f := fold(line))]
    whole = set(gold_lines)
    rest = "\n".join(gold_lines)
    out: list[float] = []
    for line in lines:
        folded = fold(line.replace("\\|", " ").replace("|", " "))  # table cell bars are layout
        if not folded:
            out.append(-1.0)
            continue
        if len(folded) < 8:
            if folded in whole or (len(folded) >= 5 and folded in rest):
                out.append(1.0)
            else:
                out.append(0.0)
            continue
        found, rest = consume_runs(folded, rest)
        out.append(found / len(folded))
    return out


def prefix_pipeline(until: str = "content"):
    """The default recipe's per-document stages before ``until`` (or before ``whitespace`` when the recipe has
    no ``until``): what the content stage sees."""
    from corpusclean.pipeline import Pipeline
    from corpusclean.recipe import build_pipeline, default_recipe

    stages = build_pipeline(default_recipe()).stages
    names = [s.name for s in stages]
    stop = names.index(until) if until in names else names.index("whitespace")
    return Pipeline(stages[:stop])


def stage_inputs(pipeline, path: Path) -> dict[str, str]:
    """The two texts the content stage would get for one page: through corpusclean's HTML reader
    (``"html"``) and trafilatura's default extraction handed over as a JSONL record (``"trafilatura"``)."""
    import trafilatura

    from corpusclean.document import Document
    from corpusclean.io.parse import ParseOptions
    from corpusclean.io.readers import iter_raw

    errors: list[str] = []
    docs = list(pipeline.run_raw(iter_raw([str(path)], errors, fmt="html"), ParseOptions(), workers=1))
    html = "" if not docs or docs[0].rejected is not None else docs[0].text
    extracted = trafilatura.extract(path.read_bytes()) or ""
    doc = pipeline.process(Document(id=path.stem, text=extracted))
    return {"html": html, "trafilatura": "" if doc.rejected is not None else doc.text}
