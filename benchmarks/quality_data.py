"""Clean text and garbage pages for fitting and judging the document quality score (issue 14).

Everything is real text or made from real text by a stated procedure; nothing is typed here. Two
splits of garbage, with different random seeds AND different source material, so the score is judged on
pages made from text it never saw:

  split  seed  source material
  fit      1   People's Daily 1998 (headlines, paragraphs, its character frequencies), anchors of the
               even-numbered cwced eval pages, the spam pack's examples of half its groups
  heldout  2   anchors and gold texts of the odd-numbered cwced pages and of the other eval sets, 三国演义
               (its chapter titles, chapters, character frequencies), seed 004's headline tail, the spam
               pack's examples of the other groups

Clean classes: seeds, seeds_gold, eval_gold, peoples_daily, sanguo (as benchmarks/quality_thresholds.py
builds them) and traditional: the Traditional eval gold texts and seeds 001-002 (real), plus People's Daily
documents and 三国演义 chapters converted with OpenCC s2t and s2twp (real text in another script). For the fit,
People's Daily documents and 三国演义 chapters are split in two halves (fit / held-out).

Garbage kinds (issue 14 asks for the first seven; page_chrome is ours; the rest are quality_thresholds.py's, re-made
per split):
  headline_page   30-80 headline lines, half of them numbered "1." / "1、"
  link_list       a page's anchor texts, one per line (menus, related links, footers); from pages with 30 or
                  more, also two runs of 15-40 of them in page order (a menu alone, a block of related links)
  soup            a clean document whose every ideograph is replaced by one drawn at random with the corpus's
                  own character frequencies: layout, punctuation and characters real, no words; half of them
                  with their lines joined in runs of 1-6 (both sources' paragraph lengths in both splits)
  shuffled_chars  a clean document with the characters of each line shuffled
  shuffled_words  a clean document with the jieba words of each line shuffled (words real, no grammar)
  tag_cloud       distinct jieba words of clean documents, 5-15 per line separated by spaces, 10-40 lines
  table_cells     words and numbers of a clean document as table cells: one cell per line, or rows of cells
                  separated by "|" or tabs
  ad_copy         the spam pack's own examples between real headlines
  page_chrome     the lines of an eval page outside its gold text (menus, footers, related links, comments;
                  compared as :func:`gold_view` sees them)
  number_table, repeated, keyword_chain, masked, mojibake (quality_thresholds.py's recipes)

Fit split only, from its own material and with random streams of their own (so the kinds above and the
held-out split are made exactly as before): chrome_parts and headline_short (:func:`_fit_variety`),
shuffled_long and soup_long (:func:`_fit_long`: the same two garbage kinds in long-line and long-page
layouts, which the held-out split's chapters have and the fit's news items did not).
"""

from __future__ import annotations

import json
import random
import re
import tomllib
import unicodedata
from collections import defaultdict

from benchmarks.quality_thresholds import (
    EVAL,
    ROOT,
    _html_pages,
    _html_text,
    _masked,
    _number_table,
    _parse_html,
    _shuffle_lines,
    clean_classes,
    keyword_chains,
    peoples_daily_paragraphs,
    repeated_pages,
    shuffle_within_lines,
)

SPLITS = {"fit": 1, "heldout": 2}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SENTENCE_PUNCT = "。！？”）；，：、"


def clean_sets(pd_docs: int = 10**9) -> dict[str, list[str]]:
    """The clean classes (see the module docstring), each list in a fixed order."""
    import opencc

    classes = clean_classes(pd_docs, random.Random(0))
    traditional = [classes["seeds"][1], classes["seeds"][2]]
    from corpusclean.text.script import detect_script

    traditional += [t for t in classes["eval_gold"] if detect_script(t) == "traditional"]
    s2t, s2twp = opencc.OpenCC("s2t"), opencc.OpenCC("s2twp")
    pd, sanguo = classes["peoples_daily"], classes["sanguo"]
    for number, text in enumerate(pd[:300] + sanguo[:40]):
        traditional.append((s2t if number % 2 else s2twp).convert(text))
    classes["traditional"] = traditional
    return classes


def halves(texts: list[str], split: str) -> list[str]:
    """The fit half (even positions) or the held-out half (odd positions) of a clean class."""
    return texts[0::2] if split == "fit" else texts[1::2]


def _anchors(data: bytes) -> list[str]:
    tree = _parse_html(data)
    anchors = [" ".join(a.text_content().split()) for a in tree.xpath("//a")]
    return [a for a in anchors if a]


def _numbered(lines: list[str], rng: random.Random) -> list[str]:
    style = rng.choice(("{}. ", "{}、", "{}.", "[{}] "))
    return [style.format(i + 1) + line for i, line in enumerate(lines)]


def _headline_pages(headlines: list[str], rng: random.Random, count: int) -> list[str]:
    pages = []
    for number in range(count):
        size = rng.randint(30, 80)
        lines = rng.sample(headlines, min(size, len(headlines)))
        pages.append("\n".join(_numbered(lines, rng) if number % 2 else lines))
    return pages


def _soup(text: str, pool: list[str], rng: random.Random) -> str:
    """Every ideograph of ``text`` drawn again from ``pool``; half the time its lines are also joined in runs
    of 1-6, so soup comes in the layouts of both sources (short news paragraphs, long chapter paragraphs)
    and only its want of words tells it from clean text."""
    if rng.random() < 0.5:
        lines, joined = text.split("\n"), []
        while lines:
            size = rng.randint(1, 6)
            joined.append("".join(lines[:size]))
            lines = lines[size:]
        text = "\n".join(joined)
    return _CJK.sub(lambda _: rng.choice(pool), text)


def _words(text: str) -> list[str]:
    import jieba

    return list(jieba.cut(text))


def _shuffle_words(text: str, rng: random.Random) -> str:
    return shuffle_within_lines(text, rng, _words)


def _tag_cloud(texts: list[str], rng: random.Random) -> str:
    words = list(dict.fromkeys(w for t in texts for w in _words(t) if len(w) >= 2 and _CJK.search(w)))
    rng.shuffle(words)
    lines, at = [], 0
    for _ in range(rng.randint(10, 40)):
        size = rng.randint(5, 15)
        lines.append(" ".join(words[at:at + size]))
        at += size
    return "\n".join(line for line in lines if line)


def _table_cells(text: str, rng: random.Random) -> str:
    cells = [w for w in _words(text) if len(w) >= 2 and not set(w) & set(_SENTENCE_PUNCT) and w.strip()]
    cells += re.findall(r"[0-9]+(?:\.[0-9]+)?%?", text)
    rng.shuffle(cells)
    cells = cells[:rng.randint(40, 160)]
    if len(cells) < 20:
        return ""
    layout = rng.choice(("line", "pipe", "tab"))
    if layout == "line":
        return "\n".join(cells)
    width = rng.randint(3, 7)
    rows = [cells[i:i + width] for i in range(0, len(cells), width)]
    if layout == "pipe":
        return "\n".join("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join("\t".join(row) for row in rows)


def garbage_sets(split: str, clean: dict[str, list[str]]) -> dict[str, list[str]]:
    """Every garbage kind of one split ("fit" or "heldout"), made with that split's seed and sources."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {sorted(SPLITS)}, got {split!r}")
    rng = random.Random(SPLITS[split])
    fit = split == "fit"
    # cwced pages alternate between the splits; the other eval sets' pages are all held out.
    cwced = {p.name for p in (EVAL / "cwced" / "original").glob("*.html")}
    pages = []
    for number, page in enumerate(_html_pages()):
        if (page[0] in cwced and (number % 2 == 0) == fit) or (page[0] not in cwced and not fit):
            pages.append(page)
    out: dict[str, list[str]] = defaultdict(list)

    # Source texts of this split.
    if fit:
        pd = peoples_daily_paragraphs()
        headlines = [p for p in pd if 6 <= len(p) < 40 and p[-1] not in "。！？”）" and _CJK.search(p)]
        sources = halves(clean["peoples_daily"], "fit")
    else:
        headlines = []
        for _, data, _gold in pages:
            headlines += [a for a in _anchors(data) if 8 <= len(a) <= 40 and _CJK.search(a)]
        headlines += [t.split("\n", 1)[0].strip() for t in clean["sanguo"]]
        seed4 = (ROOT / "seeds" / "004_6a657f5fa5bbd2b0.txt").read_text(encoding="utf-8")
        headlines += [re.sub(r"^\s*\d+\.\s*", "", line) for line in seed4.split("\n") if re.match(r"\s*\d+\.\s", line)]
        headlines = list(dict.fromkeys(headlines))
        sources = halves(clean["sanguo"], "heldout") + [g for _, _, g in pages if g] + \
            halves(clean["peoples_daily"], "heldout")[:100]
    rng.shuffle(sources)
    pool = [c for t in sources for c in t if _CJK.match(c)]

    out["headline_page"] = _headline_pages(headlines, rng, 120)
    for _, data, _gold in pages:
        anchors = _anchors(data)
        if len(anchors) >= 10:
            out["link_list"].append("\n".join(anchors))
        # Parts of long lists too (a menu alone, a block of related links): 15-40 anchors in page order.
        for _ in range(2 if len(anchors) >= 30 else 0):
            size = rng.randint(15, 40)
            start = rng.randrange(len(anchors) - size + 1) if len(anchors) > size else 0
            out["link_list"].append("\n".join(anchors[start:start + size]))
    def draw(count: int) -> list[str]:
        return [sources[i % len(sources)] for i in rng.sample(range(max(count, len(sources))), count)]

    out["soup"] = [_soup(t, pool, rng) for t in draw(150)]
    out["shuffled_chars"] = [_shuffle_lines(t, rng) for t in draw(100)]
    out["shuffled_words"] = [_shuffle_words(t, rng) for t in draw(100)]
    out["tag_cloud"] = [_tag_cloud(draw(5), rng) for _ in range(100)]
    out["table_cells"] = [t for t in (_table_cells(t, rng) for t in draw(300)) if t][:100]

    pack = tomllib.loads((ROOT / "rules" / "quality" / "spam_keywords.toml").read_text(encoding="utf-8"))
    groups = pack["groups"]
    examples = [text for i, group in enumerate(groups) if (i % 2 == 0) == fit for text in group["must_match"]]
    for _ in range(60):
        lines = []
        for line in rng.sample(headlines, 15):
            lines += [line + "。", rng.choice(examples)]
        out["ad_copy"].append("\n".join(lines))

    out["number_table"] = [t for t in (_number_table(t, rng) for t in sources) if t][:60]
    out["repeated"] += repeated_pages(sources[:40], rng)
    out["keyword_chain"] += keyword_chains(sources[:50], rng)
    out["masked"] = [_masked(t, rng) for t in sources[:50]]
    for text in sources[:30]:
        out["mojibake"].append(text.encode("utf-8").decode("gbk", errors="replace"))
        out["mojibake"].append(text.encode("gbk", errors="replace").decode("utf-8", errors="replace"))
    for _, data, gold in pages:
        if gold:
            chrome = page_chrome(data, gold)
            if sum(len(line) for line in chrome) >= 200:
                out["page_chrome"].append("\n".join(chrome))
    if fit:
        out.update(_fit_variety(pages, headlines, random.Random(SPLITS[split] * 1000 + 7)))
        out.update(_fit_long(sources + [g for _, _, g in pages if g], random.Random(SPLITS[split] * 1000 + 11)))
    return dict(out)


def gold_view(text: str) -> str:
    """``text`` as lines are matched against a gold text: NFKC, without white space, private-use characters
    (Unicode category Co) or format characters (Cf: zero-width spaces, soft hyphens, BOMs). A page's copy
    of an article can carry what its gold text does not: CWCED page fad52388 opens each paragraph with
    U+E5E5 twice where its gold text has two ideographic spaces, and compared raw, none of its article's
    lines was found in the gold text and the whole article counted as chrome."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) not in ("Co", "Cf"))


def page_chrome(data: bytes, gold: str) -> list[str]:
    """The lines of a page (:func:`_html_text`) outside its gold text: those whose :func:`gold_view` is not
    found in the gold text's (menus, footers, related links, comments; a line left with nothing once
    private-use and format characters are dropped is no chrome either)."""
    gold_flat = gold_view(gold)
    return [line for line in _html_text(data).split("\n") if gold_view(line) not in gold_flat]


def _chrome_parts(data: bytes, gold: str, rng: random.Random) -> list[str]:
    """Parts of one page's chrome (its lines outside the gold text, in page order; a line counts as gold
    text when it is in the gold text or most of its 4-grams are): the lines above the
    gold text (header, menus), those below it (related links, comments, footer), and two runs of 10-40
    consecutive chrome lines (a sidebar, a block of links). Each part with 100 or more characters."""
    gold_flat = gold_view(gold)
    grams = {gold_flat[i:i + 4] for i in range(len(gold_flat) - 3)}

    def in_gold(line: str) -> bool:
        flat = gold_view(line)
        if flat in gold_flat:
            return True
        # The page's copy of a gold paragraph can differ from the gold text (another edition, a word
        # changed): a line whose 4-grams are mostly the gold text's is article text, not chrome.
        own = [flat[i:i + 4] for i in range(len(flat) - 3)]
        return len(own) >= 4 and sum(g in grams for g in own) >= 0.5 * len(own)

    lines = _html_text(data).split("\n")
    inside = [in_gold(line) for line in lines]
    if not any(inside):
        return []
    first, last = inside.index(True), len(inside) - 1 - inside[::-1].index(True)
    chrome = [line for line, gold_line in zip(lines, inside, strict=True) if not gold_line]
    parts = [lines[:first], [line for line, g in zip(lines[last + 1:], inside[last + 1:], strict=True) if not g]]
    for _ in range(2 if len(chrome) >= 20 else 0):
        size = rng.randint(10, min(40, len(chrome)))
        start = rng.randrange(len(chrome) - size + 1)
        parts.append(chrome[start:start + size])
    return ["\n".join(part) for part in parts if sum(len(line) for line in part) >= 100]


def _fit_variety(pages: list[tuple[str, bytes, str | None]], headlines: list[str],
                 rng: random.Random) -> dict[str, list[str]]:
    """More garbage of the two kinds the fit had least of, from the fit split's own material and with its
    own random stream (the other kinds, and the held-out split, are made exactly as before):

    * ``chrome_parts``: parts of each page's chrome (:func:`_chrome_parts`): a page's menus alone, its
      footer alone; the whole chrome of 35 pages was too little to learn chrome from;
    * ``headline_short``: 5-29 title lines, from the headlines and the pages' anchors of 8-40 characters
      (post and article titles, some ending in ！ or ？): what the editing stages leave of a page of links."""
    out: dict[str, list[str]] = defaultdict(list)
    anchors: list[str] = []
    for _, data, gold in pages:
        anchors += [a for a in _anchors(data) if 8 <= len(a) <= 40 and _CJK.search(a)]
        if gold:
            out["chrome_parts"] += _chrome_parts(data, gold, rng)
    pool = list(dict.fromkeys(anchors)) + headlines
    for number in range(80):
        lines = rng.sample(pool, rng.randint(5, 29))
        out["headline_short"].append("\n".join(_numbered(lines, rng) if number % 4 == 0 else lines))
    return dict(out)


def _joined_runs(text: str, rng: random.Random) -> str:
    """``text`` with its lines joined in runs of 1-6 (long paragraphs from short ones)."""
    lines, joined = [line for line in text.split("\n") if line.strip()], []
    while lines:
        size = rng.randint(1, 6)
        joined.append("".join(lines[:size]))
        lines = lines[size:]
    return "\n".join(joined)


def _fit_long(sources: list[str], rng: random.Random) -> dict[str, list[str]]:
    """Soup and shuffled words in the layouts the fit's own kinds lack, from the fit split's own material
    (People's Daily's fit half and the fit pages' gold texts) and with their own random stream:

    * ``shuffled_long``: 1-10 source texts run together, their lines joined in runs of 1-6, then the words
      of each line shuffled: lines of hundreds of characters, as a chapter's or a blog's paragraphs. The
      fit's shuffles were news paragraphs only, so the trees learnt that long lines mean clean text and kept
      shuffled chapters whose every fifth clause mark stood beside another;
    * ``soup_long``: 5-15 source texts run together, then made soup (:func:`_soup`): a long page of soup
      (hundreds of lines) where the fit had only news items."""
    out: dict[str, list[str]] = defaultdict(list)
    pool = [c for t in sources for c in t if _CJK.match(c)]
    for _ in range(100):
        text = "\n".join(rng.sample(sources, rng.randint(1, 10)))
        out["shuffled_long"].append(_shuffle_words(_joined_runs(text, rng), rng))
    for _ in range(50):
        out["soup_long"].append(_soup("\n".join(rng.sample(sources, rng.randint(5, 15))), pool, rng))
    return dict(out)


def dump(path: str, split: str) -> None:
    """Write one split's garbage as JSON (for a look, or for a peer tool)."""
    clean = clean_sets()
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(garbage_sets(split, clean), handle, ensure_ascii=False)


__all__ = ["EVAL", "SPLITS", "clean_sets", "dump", "garbage_sets", "gold_view", "halves", "page_chrome"]
