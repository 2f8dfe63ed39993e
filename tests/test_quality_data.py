"""How the quality score's fit data labels a real page's lines (benchmarks/quality_data.py): a line is page
chrome only when the page's gold text does not hold it. A real CWCED page of the test data is given the
private-use and format characters that real pages put before their paragraphs (CWCED page fad52388 opens
each paragraph with U+E5E5 twice): its article must stay article, not become "page chrome" garbage."""

from __future__ import annotations

import random
import re
from pathlib import Path

from benchmarks.quality_data import _chrome_parts, gold_view, page_chrome

ROOT = Path(__file__).resolve().parent.parent
CWCED = ROOT / "tests" / "data" / "cwced"


def page(name: str) -> tuple[bytes, str]:
    return (CWCED / f"{name}.html").read_bytes(), (CWCED / f"{name}.gold.txt").read_text(encoding="utf-8")


def marked(data: bytes, marks: str) -> bytes:
    """The page with ``marks`` at the start of every paragraph's text, as fad52388 has U+E5E5 U+E5E5."""
    html = data.decode("utf-8")
    return re.sub(r"(<p[^>]*>\s*)", lambda m: m.group(1) + marks, html).encode("utf-8")


def paragraphs(gold: str) -> list[str]:
    return [line.strip() for line in gold.split("\n") if len(line.strip()) >= 40]


def test_gold_view_drops_private_use_and_format_characters_and_folds_width():
    page = "\ue5e5\ue5e5近年来，我省积极把握\u200b制造业发展趋势。"
    gold = "\u3000\u3000近年来，我省积极把握制造业发展趋势。"
    assert gold_view(page) == gold_view(gold)
    assert gold_view("２０２１年度ＡＢＣ") == "2021年度ABC"
    assert gold_view("\ufeff\u00ad\ue000 \u3000") == ""


def test_an_article_whose_paragraphs_open_with_private_use_characters_is_not_chrome():
    data, gold = page("utf8")
    plain = page_chrome(data, gold)
    assert any("举报" in line for line in plain)  # the footer is chrome
    assert not any(p[:20] in line for p in paragraphs(gold) for line in plain)
    for marks in ("\ue5e5\ue5e5", "\u200b", "\ue5e5\u200b\ufeff"):
        chrome = page_chrome(marked(data, marks), gold)
        assert len(chrome) < len(marked(data, marks).decode("utf-8").split("\n"))
        assert not any(p[:20] in line for p in paragraphs(gold) for line in chrome), marks
        # The same chrome as the page without the marks (lines of nothing but marks are nothing).
        assert [line for line in chrome if gold_view(line)] == plain


def test_chrome_parts_of_a_marked_page_hold_no_article_text():
    data, gold = page("utf8")
    parts = _chrome_parts(marked(data, "\ue5e5\ue5e5"), gold, random.Random(1))
    assert parts == _chrome_parts(data, gold, random.Random(1))
    article = "".join(paragraphs(gold))
    for part in parts:
        assert not any(len(line) >= 20 and gold_view(line) in gold_view(article) for line in part.split("\n"))
