"""The document quality score (issue 14) on real text: clean prose and Traditional text score high and are
kept with ``meta.quality``; character soup, shuffled characters and a page of the seeds' own headline tail,
made from the same real text, score low and are rejected with a receipt naming the signals."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from corpusclean.cli import main
from corpusclean.document import Document
from corpusclean.quality.score import FEATURES, QualityModel, default_model, features
from corpusclean.quality.wordlike import word_share
from corpusclean.recipe import build_pipeline, default_recipe
from corpusclean.stage import build_stage
from corpusclean.text.script import detect_script

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
GOLD = [json.loads(line)["text"] for line in (ROOT / "tests" / "data" / "eval_gold.jsonl").open(encoding="utf-8")]
_CJK = re.compile(r"[\u4e00-\u9fff]")


def seed(index: int) -> str:
    return SEEDS[index].read_text(encoding="utf-8")


def soup(text: str, rng: random.Random) -> str:
    """Every ideograph replaced by one drawn from the text's own ideographs (real characters at their real
    frequencies, layout and punctuation kept, no words)."""
    pool = _CJK.findall(text)
    return _CJK.sub(lambda _: rng.choice(pool), text)


def headline_tail() -> str:
    """Seed 004's numbered headlines of other pages, alone: a headline-only page of real headlines."""
    return "\n".join(line for line in seed(4).split("\n") if re.match(r"\s*\d+\.\s", line))


def stage(**params: object):
    recipe = next(s for s in default_recipe()["stages"] if s["use"] == "quality")
    values = {k: v for k, v in recipe.items() if k != "use"} | params
    return build_stage("quality", values)


def test_word_share_separates_prose_from_soup_made_of_it():
    rng = random.Random(7)
    for text in [seed(0), seed(3), *GOLD[:5]]:
        assert word_share(text) > 0.65
        assert word_share(soup(text, rng)) < 0.5


def test_word_share_reads_traditional_as_simplified():
    traditional = [seed(1), seed(2)]
    assert all(detect_script(t) == "traditional" for t in traditional)
    assert all(word_share(t) > 0.65 for t in traditional)


@pytest.mark.parametrize("index", range(len(SEEDS)))
def test_seeds_are_kept_with_a_high_score(index):
    pipeline = build_pipeline(default_recipe())
    doc = pipeline.process(Document(id=str(index), text=seed(index)))
    assert doc.rejected is None
    assert doc.meta["quality"] >= 0.9


def test_gold_texts_score_above_the_garbage_made_from_them():
    model = default_model()
    rng = random.Random(3)
    for text in GOLD:
        assert model.score(features(soup(text, rng))) < model.score(features(text))


@pytest.mark.xfail(strict=True, reason="issue 14 target not met yet: the default cut keeps 72 of 76 gold texts "
                   "(a hard-wrapped essay with blank lines between its wrapped lines, a conference agenda, a "
                   "Traditional blog separating clauses with spaces, a Wikipedia stub)")
def test_default_cut_keeps_995_percent_of_gold_texts():
    model = default_model()
    kept = sum(model.score(features(text)) >= stage().min_score for text in GOLD)
    assert kept >= 0.995 * len(GOLD)


def test_shuffled_text_is_rejected_naming_the_signals():
    rng = random.Random(11)
    quality = stage()
    for text in (seed(0), seed(3), GOLD[0]):
        doc = Document(id="shuffled", text="\n".join("".join(rng.sample(line, len(line))) for line in text.split("\n")))
        quality.check(doc)
        assert doc.rejected is not None and doc.rejected.rule == "quality_score"
        assert doc.rejected.value < quality.min_score == doc.rejected.threshold
        names = [name for name, _, _ in doc.rejected.detail["signals"]]
        assert len(names) == 3 and set(names) <= set(FEATURES)


@pytest.mark.xfail(strict=True,
                   reason="issue 14 target not met yet: held-out soup is 73% dropped (bench_quality_score)")
def test_soup_is_rejected():
    rng = random.Random(11)
    for text in (seed(0), seed(3), GOLD[0]):
        doc = Document(id="soup", text=soup(text, rng))
        stage().check(doc)
        assert doc.rejected is not None


def test_a_page_of_real_headlines_alone_is_rejected():
    page = headline_tail()
    assert page.count("\n") >= 20
    doc = Document(id="tail", text=page)
    stage().check(doc)
    assert doc.rejected is not None
    assert doc.rejected.detail["signals"]


def test_contributions_explain_the_logit():
    model = default_model()
    values = features(seed(0))
    parts = model.contributions(values)
    assert list(parts) != [] and set(parts) == set(FEATURES)
    reference = model.logit(dict(zip(FEATURES, model.reference, strict=True)))
    assert model.logit(values) == pytest.approx(reference + sum(parts.values()))


def test_bad_parameters_and_weights_are_named(tmp_path):
    with pytest.raises(ValueError, match="min_score"):
        build_stage("quality", {"min_score": 1.5})
    broken = tmp_path / "w.json"
    broken.write_text(json.dumps({"features": ["word_share"]}), encoding="utf-8")
    with pytest.raises(ValueError, match="features"):
        QualityModel(broken)
    with pytest.raises(ValueError, match="cannot read"):
        QualityModel(tmp_path / "missing.json")


def test_stats_shows_the_score_bands():
    result = CliRunner().invoke(main, ["stats", str(ROOT / "seeds"), "--after-clean"])
    assert result.exit_code == 0, result.output
    assert "quality score bands:" in result.output
    assert re.search(r"^quality\s", result.output, re.MULTILINE)
