"""The ``content`` stage on real text: gold article text stays, real chrome left after the rules goes, every
removal has a receipt with its reason.

Real pages: ``data/content_pages.jsonl`` (six CWCED pages as the stage sees them, with their gold text; built
by ``data/make_content_pages.py``). Clean text: every gold text of ``data/eval_gold.jsonl`` and the seeds'
keep lines (``evalgold.clean_texts``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from benchmarks.eval_scoring import char_prf, fold, run_chars
from corpusclean.content.features import NAMES, line_features, main_span
from corpusclean.content.model import REASONS, WEIGHTS_PATH, LineModel
from corpusclean.document import Document
from corpusclean.recipe import build_pipeline, default_recipe
from corpusclean.stages.content import Content, all_prose
from tests.evalgold import clean_texts, prose_paragraphs

DATA = Path(__file__).resolve().parent / "data"
PAGES = [json.loads(line) for line in (DATA / "content_pages.jsonl").open(encoding="utf-8")]
STAGE = Content()


def _chars(lines: list[str]) -> int:
    return sum(len(line.strip()) for line in lines)


def test_clean_text_loses_at_most_a_thousandth_of_its_characters():
    total = removed = 0
    for name, text in clean_texts():
        doc = Document(id=name, text=text)
        STAGE.edit(doc)
        total += _chars(text.split("\n"))
        removed += sum(_chars(r.text.split("\n")) for r in doc.removals)
    assert total > 100_000
    assert removed / total <= 0.001


_STRUCTURE = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}、|（[一二三四五六七八九十]{1,3}）|\d{1,2}[.、．]|第.{1,3}[章节条部分])"
)
# Credits and hashtags are not article structure (some gold texts keep them, some do not).
_CREDIT = re.compile("编辑|編輯|记者|記者|来源|來源|作者|#.+#")


def test_subheadings_numbered_steps_and_short_lines_of_gold_articles_stay():
    """Lines of gold texts that are short (subheadings, verse, table cells, datelines) or numbered (steps,
    clauses) are the article's own: none may be removed."""
    checked = 0
    for name, text in clean_texts():
        lines = text.split("\n")
        doc = Document(id=name, text=text)
        STAGE.edit(doc)
        removed = {r.line for r in doc.removals}
        for i, line in enumerate(lines):
            body = line.strip()
            if body and (len(body) <= 15 or _STRUCTURE.match(body)) and not _CREDIT.search(body):
                checked += 1
                assert i not in removed, (name, body)
    assert checked > 500


@pytest.mark.xfail(strict=True, reason="known miss: an editor credit in brackets after the article, which this "
                   "gold keeps, scores as a short label")
def test_editor_credit_in_brackets_after_the_article_stays():
    text = next(t for _, t in clean_texts() if "（松花江网编辑 孙桂芳）" in t)
    assert not any("孙桂芳" in r.text for r in _removals(text))


def test_real_pages_lose_chrome_and_keep_their_gold_text():
    removed = 0
    for page in PAGES:
        doc = Document(id=page["name"], text=page["text"])
        out = STAGE.edit(doc)
        before, after = char_prf(page["text"], page["gold"]), char_prf(out, page["gold"])
        assert after.precision >= before.precision, page["name"]
        assert after.recall >= before.recall - 0.002, page["name"]
        gold = fold(page["gold"])
        gold_lines = {fold(line) for line in page["gold"].split("\n")}
        for removal in doc.removals:
            # What was removed is not gold text: a short line is no gold line, a longer one has less than half
            # of its characters in the gold in runs of 8+.
            piece = fold(removal.text.replace("|", " "))
            assert piece not in gold_lines, removal.text
            assert len(piece) < 8 or run_chars(piece, gold) < len(piece) / 2, removal.text
            removed += 1
    assert removed >= 20


def test_receipts_name_the_stage_a_reason_and_the_line_they_removed():
    for page in PAGES:
        lines = page["text"].split("\n")
        doc = Document(id=page["name"], text=page["text"])
        STAGE.edit(doc)
        for removal in doc.removals:
            assert removal.stage == "content"
            assert removal.rule in (*REASONS, "low_score")
            assert removal.kind == "line"
            assert lines[removal.line] == removal.text


def test_reasons_follow_the_shape_of_the_line():
    reasons = {r.rule for page in PAGES for r in _removals(page["text"])}
    assert {"teaser", "short_label"} <= reasons


def _removals(text: str):
    doc = Document(id="x", text=text)
    STAGE.edit(doc)
    return doc.removals


def test_documents_of_prose_alone_are_not_scored():
    prose = [line for line in prose_paragraphs()[:200]]
    assert all_prose(prose)
    text = "\n".join(prose)
    assert STAGE.edit(Document(id="p", text=text)) == text


def test_the_recipe_switched_on_as_documented_runs_content_after_the_rules_and_detectors():
    """The built-in recipe carries the stage as a commented table (off: no held-out gain yet, ~18% of the
    rate); uncommented, it sits after the detectors and before whitespace."""
    import tomllib
    from importlib import resources

    text = resources.files("corpusclean").joinpath("recipes/default.toml").read_text(encoding="utf-8")
    assert "content" not in build_pipeline(default_recipe()).names
    switched = text.replace('# [[stages]]\n# use = "content"', '[[stages]]\nuse = "content"')
    assert switched != text
    names = build_pipeline(tomllib.loads(switched)).names
    assert names.index("rules") < names.index("watermark") < names.index("spam_lists") < names.index("content")
    assert names.index("content") < names.index("whitespace")


def test_features_have_one_row_per_line_and_zeros_for_blank_lines():
    lines = ["", *PAGES[0]["text"].split("\n"), "  "]
    rows = line_features(lines)
    assert rows.shape == (len(lines), len(NAMES))
    blank = [i for i, line in enumerate(lines) if not line.strip()]
    assert blank and not rows[blank].any()


def test_main_span_is_the_richest_stretch_of_prose():
    assert main_span([-10, 50, -5, 80, -100, 40]) == (1, 3)
    assert main_span([-1, -2]) == (-1, -1)


def test_weights_fitted_on_other_features_are_refused():
    data = json.loads(WEIGHTS_PATH.read_text(encoding="utf-8"))["text"]
    with pytest.raises(ValueError, match="other features"):
        LineModel.from_dict({**data, "features": data["features"][:-1]})


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.2, True, "0.3"])
def test_bad_threshold_raises_naming_it(bad):
    with pytest.raises(ValueError, match="threshold"):
        Content(threshold=bad)


def test_missing_weights_file_raises_naming_it(tmp_path):
    with pytest.raises(ValueError, match="weights"):
        Content(weights=str(tmp_path / "nope.json"))


def test_a_higher_threshold_removes_at_least_as_much():
    text = PAGES[0]["text"]
    low = {r.line for r in _removals_with(Content(threshold=0.05), text)}
    high = {r.line for r in _removals_with(Content(threshold=0.5), text)}
    assert low <= high


def _removals_with(stage: Content, text: str):
    doc = Document(id="x", text=text)
    stage.edit(doc)
    return doc.removals
