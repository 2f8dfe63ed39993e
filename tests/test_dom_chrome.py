"""dom_chrome on real pages: the page's markup takes out what it marks as related stories or link blocks."""

from __future__ import annotations

import pytest

from corpusclean.document import Document
from corpusclean.io.parse import DOM_LINES, DOM_TEXT, ParseOptions
from corpusclean.io.readers import RawItem
from corpusclean.pipeline import Pipeline
from corpusclean.recipe import build_pipeline, default_recipe
from corpusclean.stages.dom_chrome import DomChrome
from tests.realtext import BLOG_PAGE, UTF8_PAGE, gold_text


def _through(stages: list, path, fmt: str = "html") -> Document:
    item = RawItem(str(path), None, path.read_bytes(), fmt)
    (doc,) = Pipeline(stages).run_raw([item], ParseOptions(), workers=1)
    return doc


def test_a_pipeline_with_the_stage_asks_the_reader_for_evidence():
    assert Pipeline([DomChrome()]).parse_options(ParseOptions()).html_evidence
    assert not build_pipeline(default_recipe()).parse_options(ParseOptions()).html_evidence


def test_a_blog_pages_link_block_goes_with_a_receipt_and_the_post_stays():
    doc = _through([DomChrome()], BLOG_PAGE)
    assert [(r.stage, r.rule, r.text) for r in doc.removals] == [("dom_chrome", "link_block", "bjreader的博客")]
    gold = gold_text(BLOG_PAGE)
    assert gold.split("\n")[0].strip() in doc.text and "bjreader的博客" not in doc.text


def test_text_input_and_a_plain_article_page_pass_unchanged():
    text = UTF8_PAGE.with_suffix(".gold.txt").read_text(encoding="utf-8")
    doc = Document(id="t", text=text)
    DomChrome().process(doc)
    assert doc.text == text and doc.removals == []
    assert _through([DomChrome()], UTF8_PAGE).removals == []


def test_evidence_that_would_take_every_sentence_is_not_followed():
    doc = Document(id="p", text="更多\n这是文章的第一段，写得足够长，以句号结尾。\n第二段也在同一个容器里。")
    doc.scratch[DOM_TEXT] = doc.text
    doc.scratch[DOM_LINES] = [{"matched": 1.0, "words_related": 1.0}] * 3
    DomChrome().process(doc)
    assert doc.text.startswith("更多") and doc.removals == []


def test_parameters_are_validated():
    with pytest.raises(ValueError, match="min_link_density"):
        DomChrome(min_link_density=0)
    with pytest.raises(ValueError, match="min_prose_chars"):
        DomChrome(min_prose_chars=0)
    assert DomChrome(min_prose_chars=30).describe()["min_prose_chars"] == 30
