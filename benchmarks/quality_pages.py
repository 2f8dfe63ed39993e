"""Clean documents as a crawl delivers them, for the quality score: real pages' extracted text, and clean text
whose paragraphs were run together on one line.

The score was first fitted on clean text that is already clean (gold texts, People's Daily, 三国演义) and it
rejected real articles as corpusclean's own reader extracts them: pages laid out in tables, a blog post that
reaches the text as one 1,800-character line with a date in front, a forum thread. A document whose text is
mostly the article must be kept whatever chrome the editing stages left around it.

* ``extracted_pages(split)``: the text of real pages with hand-made gold, through corpusclean's HTML reader and
  as trafilatura's default text (the two ways such text reaches the stage), kept as clean when at least
  ``MIN_PRECISION`` of the characters the default recipe's editing stages leave are in the gold. ``fit``: the
  development pages (CWCED) and the held-out pages' ``fit`` half (split by site,
  :mod:`benchmarks.content_data`); ``test``: the held-out ``test`` half, which nothing is fitted on.
* ``flattened(texts)``: each text with its lines joined by one space (or by nothing, as some dumps do).

The held-out pages are not committed (``docs/heldout-pages.md``); without them the ``fit`` split is CWCED
alone and the ``test`` split is empty.
"""

from __future__ import annotations

import functools
import random
from pathlib import Path

from benchmarks.content_data import dev_pages, heldout_dir, heldout_pages
from benchmarks.eval_data import Page, eval_dir
from benchmarks.eval_scoring import char_prf

# Share of the cleaned text's characters that must be gold for the page to count as an article.
MIN_PRECISION = 0.6


def split_pages(split: str) -> list[Page]:
    """The pages of ``split`` (``fit`` or ``test``) that have full gold text."""
    found = [p for p in dev_pages(eval_dir(None)) if p.gold] if split == "fit" else []
    base = heldout_dir()
    if base is not None:
        found += [h.page for h in heldout_pages(base) if h.half == split and h.page.gold]
    return found


def _views(path: Path) -> list[str]:
    """The page's text as corpusclean's HTML reader gives it, and trafilatura's default extraction."""
    import trafilatura

    from corpusclean.io.parse import ParseOptions, parse_item
    from corpusclean.io.readers import RawItem

    data = path.read_bytes()
    doc = parse_item(RawItem(str(path), None, data, "html"), ParseOptions())
    # trafilatura given the bytes, as eval_boilerplate.py's "trafilatura" column does.
    return [*([doc.text] if doc.rejected is None else []), trafilatura.extract(data) or ""]


@functools.cache
def extracted_pages(split: str) -> tuple[str, ...]:
    """Extracted texts of ``split``'s pages that are mostly article once edited (see the module docstring)."""
    from benchmarks.fit_quality import before_score
    from corpusclean.document import Document

    editing = before_score()
    out = []
    for page in split_pages(split):
        for text in _views(page.path):
            doc = editing.process(Document(id=page.name, text=text))
            if doc.rejected is None and doc.text.strip() and char_prf(doc.text, page.gold or "").precision \
                    >= MIN_PRECISION:
                out.append(text)
    return tuple(out)


# Only texts at least this long are run together: a long line of prose with sentence ends inside is a
# flattened article, a short one with its sentence end in the middle is more likely shuffled text.
FLATTEN_MIN_CHARS = 400


def flattened(texts: list[str], rng: random.Random) -> list[str]:
    """Each text of ``FLATTEN_MIN_CHARS`` or more with its non-blank lines run together: by one space, or (one
    time in three) by nothing."""
    out = []
    for text in texts:
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        if len(lines) > 1 and sum(map(len, lines)) >= FLATTEN_MIN_CHARS:
            out.append(("" if rng.random() < 1 / 3 else " ").join(lines))
    return out
