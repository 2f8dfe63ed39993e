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
from corpusclean.quality.score import FEATURES, MODEL, QualityModel, default_model, features, features_batch
from corpusclean.quality.wordlike import word_share
from corpusclean.recipe import build_pipeline, build_stage, default_recipe
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


# The stage as the default recipe runs it: after the quality filters, before dedup.
QUALITY = next(table for table in default_recipe()["stages"] if table["use"] == "quality")
PAGES = [json.loads(line) for line in (ROOT / "tests" / "data" / "content_pages.jsonl").open(encoding="utf-8")]


def stage(**params: object):
    values = {k: v for k, v in QUALITY.items() if k != "use"} | params
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


def test_default_recipe_keeps_every_gold_text():
    """The hard-wrapped essay, the conference agenda, the Traditional blog with spaces between clauses and
    the Wikipedia stub that the linear score of version 1 dropped are kept (scored as the stage sees them:
    after the recipe's editing stages)."""
    pipeline = build_pipeline(default_recipe())
    for number, text in enumerate(GOLD):
        doc = pipeline.process(Document(id=str(number), text=text))
        assert doc.rejected is None or doc.rejected.stage != "quality", (number, doc.rejected)


def test_default_recipe_keeps_real_pages_as_extracted():
    """Real CWCED pages as the HTML reader extracts them, chrome, tables and all: the score must not judge a
    whole page by its chrome (at a cut of 0.1 with version 3, eight CWCED pages were dropped whole)."""
    pipeline = build_pipeline(default_recipe())
    for page in PAGES:
        doc = pipeline.process(Document(id=page["name"], text=page["text"]))
        assert doc.rejected is None or doc.rejected.stage != "quality", (page["name"], doc.rejected)
        assert doc.rejected is None and doc.meta["quality"] >= QUALITY["min_score"]


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


def test_soup_is_rejected():
    rng = random.Random(11)
    for text in (seed(0), seed(3), GOLD[0]):
        doc = Document(id="soup", text=soup(text, rng))
        stage().check(doc)
        assert doc.rejected is not None


def test_a_page_of_real_headlines_alone_is_rejected():
    """Seed 004's hundred headlines: 0.067 with version 4 of the model (a strict xfail then), 0.035 with
    version 5, under the default cut of 0.05."""
    page = headline_tail()
    assert page.count("\n") >= 20
    doc = Document(id="tail", text=page)
    stage().check(doc)
    assert doc.rejected is not None
    assert doc.rejected.detail["signals"]


def test_a_page_of_real_headlines_alone_is_rejected_by_the_default_recipe():
    """What the score lets through here, the spam rules catch: numbered runs of other pages' headlines."""
    doc = build_pipeline(default_recipe()).process(Document(id="tail", text=headline_tail()))
    assert doc.rejected is not None


def test_contributions_explain_the_logit():
    model = default_model()
    for text in (seed(0), soup(seed(0), random.Random(5)), headline_tail()):
        values = features(text)
        parts = model.contributions(values)
        assert set(parts) == set(FEATURES)
        assert list(parts.values()) == sorted(parts.values())
        assert model.logit(values) == pytest.approx(model.expected_logit() + sum(parts.values()))


def words_shuffled(text: str, rng: random.Random) -> str:
    """The jieba words of each line in random order: every word real, no grammar, punctuation anywhere."""
    import jieba

    out = []
    for line in text.split("\n"):
        words = list(jieba.cut(line))
        rng.shuffle(words)
        out.append("".join(words))
    return "\n".join(out)


@pytest.mark.parametrize("index", [0, 1, 2, 3])
def test_words_shuffled_within_lines_are_rejected(index):
    doc = Document(id="words", text=words_shuffled(seed(index), random.Random(index)))
    stage().check(doc)
    assert doc.rejected is not None and doc.rejected.rule == "quality_score"


@pytest.mark.xfail(strict=True, reason="known miss: 9 of the 76 gold texts and seed 004 with their words shuffled "
                   "within lines are kept (held-out shuffled words in bench_quality_score: 96% dropped)")
def test_words_shuffled_in_every_gold_text_and_seed_are_rejected():
    quality = stage()
    for number, text in enumerate([*GOLD, seed(4)]):
        doc = Document(id=str(number), text=words_shuffled(text, random.Random(number)))
        quality.check(doc)
        assert doc.rejected is not None


def test_bigram_association_separates_prose_from_its_soup_and_reads_traditional():
    from corpusclean.quality.bigrams import bigram_pmi

    rng = random.Random(2)
    for text in [seed(0), seed(3), *GOLD[:10]]:
        assert bigram_pmi(text)[0] > bigram_pmi(soup(text, rng))[0] + 1
    simplified = "中国经济持续发展，人民生活水平不断提高。"
    assert bigram_pmi("中國經濟持續發展，人民生活水平不斷提高。") == bigram_pmi(simplified)


def test_bad_parameters_and_models_are_named(tmp_path):
    with pytest.raises(ValueError, match="min_score"):
        build_stage("quality", {"min_score": 1.5})
    broken = tmp_path / "w.json"
    broken.write_text(json.dumps({"features": ["word_share"]}), encoding="utf-8")
    with pytest.raises(ValueError, match="features"):
        QualityModel(broken)
    shipped = json.loads(MODEL.read_text(encoding="utf-8"))
    broken.write_text(json.dumps({**shipped, "value": [row[:-1] for row in shipped["value"]]}), encoding="utf-8")
    with pytest.raises(ValueError, match="node values"):
        QualityModel(broken)
    broken.write_text(json.dumps({**shipped, "feature": [[99] * len(row) for row in shipped["feature"]]}),
                      encoding="utf-8")
    with pytest.raises(ValueError, match="outside"):
        QualityModel(broken)
    with pytest.raises(ValueError, match="cannot read"):
        QualityModel(tmp_path / "missing.json")


def test_stats_shows_the_score_bands():
    result = CliRunner().invoke(main, ["stats", str(ROOT / "seeds"), "--after-clean"])
    assert result.exit_code == 0, result.output
    assert "quality score bands:" in result.output
    assert re.search(r"^quality\s", result.output, re.MULTILINE)


def test_a_chunk_is_scored_as_each_document_alone():
    """The stage scores a worker's chunk at once (Quality.process_batch, the features of all its texts end to
    end): every feature, score and decision is the one of the document scored alone."""
    rng = random.Random(3)
    texts = [seed(i) for i in range(len(SEEDS))] + GOLD + [soup(text, rng) for text in GOLD[:20]]
    texts += [headline_tail(), "", "\n\n", " \u3000\n", "中", "首页\r\n新闻 \n\n体育\t\n", "𠀀𠀁中国\n，开头\n。。。",
              "1. 第一条\n（二）第二\n一、总则\n第4条 规定\n① 甲", "a b c d\n甲 乙 丙 丁 戊\n\u3000x\u3000y z w",
              "该公司推出九八冰箱新系列。（马艳）  \n国泰民安（篆刻）\n他说：“我们一起努力。”", "长" * 5000 + "。\n短"]
    alone = [features(text) for text in texts]
    assert features_batch(texts) == alone
    assert default_model().logits(alone) == [default_model().logit(values) for values in alone]
    one = [Document(id=str(n), text=text) for n, text in enumerate(texts)]
    chunk = [Document(id=str(n), text=text) for n, text in enumerate(texts)]
    for doc in one:
        stage().check(doc)
    stage().process_batch(chunk)
    assert [(d.meta, d.rejected and d.rejected.as_dict()) for d in chunk] == \
        [(d.meta, d.rejected and d.rejected.as_dict()) for d in one]


def test_a_batch_past_the_time_budget_is_finished_one_document_at_a_time():
    """A stage's process_batch gets one document's budget for the chunk; past it, the chunk's documents go
    through process one at a time, each with its own budget, and only the runaway one is rejected."""
    from corpusclean.pipeline import Pipeline
    from corpusclean.stage import Filter

    class Slow(Filter):
        def check(self, doc: Document) -> None:
            if doc.text == "slow":
                while True:
                    pass
            doc.meta["seen"] = True

        def process_batch(self, docs: list[Document]) -> None:
            while True:
                pass

    docs = [Document(id=str(n), text=text) for n, text in enumerate(["一", "slow", "二"])]
    Pipeline([Slow()], time_budget=0.2).process_batch(docs)
    assert [d.meta.get("seen") for d in docs] == [True, None, True]
    assert docs[1].rejected.rule == "timeout"
