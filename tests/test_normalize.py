"""The normalize stage on the seeds and real sentences."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_mojibake import EVAL, SEEDS, clean_sentences
from teststages import planted

from corpusclean.document import Document
from corpusclean.recipe import build_stage
from corpusclean.stages.normalize import Normalize

INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\ue000-\uf8ff]")


def _normalize(text: str, **params) -> Document:
    doc = Document(id="t", text=text)
    doc.text = Normalize(**params).edit(doc)
    return doc


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_seeds_come_out_free_of_invisible_characters(path):
    raw = path.read_text(encoding="utf-8")
    # Real pages carry these too: put a BOM, zero-width spaces and a control character into the seed.
    dirty = "\ufeff" + raw.replace("。", "。\u200b", 5).replace("\n", "\r\n").replace("，", "\x07，", 2)
    doc = _normalize(dirty)
    assert INVISIBLE.search(doc.text) is None and "\r" not in doc.text and "\xa0" not in doc.text
    assert doc.meta["normalize"]["removed"]["zero_width"] >= 1


def test_seed_004_padding_between_characters_and_numbers_goes():
    text = (SEEDS / "004_6a657f5fa5bbd2b0.txt").read_text(encoding="utf-8")
    doc = _normalize(text)
    assert "1996年深圳开始对口帮扶毕节" in doc.text and "20年过去" in doc.text
    assert "11 28下午18 35分" in doc.text  # numbers stay apart from each other
    assert doc.meta["normalize"]["masked"] == len(re.findall(r"\*{3,}", text))
    assert "CZ***74航班" in doc.text  # masking residue is counted, not deleted


def test_recipe_parameters_are_validated():
    with pytest.raises(ValueError, match="punctuation"):
        build_stage("normalize", {"punctuation": "wide"})


sentence = st.sampled_from(clean_sentences()) if EVAL.exists() else st.nothing()


def _visible(text: str) -> str:
    # NFKC folds "，" to "," but leaves "。" (U+3002) alone: fold it too, since "漢字." -> "漢字。" is
    # the punctuation option at work (hypothesis found '…（原始内容存档于2019-07-01）.').
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", INVISIBLE.sub("", text))).replace("。", ".")


@settings(max_examples=200, deadline=None)
@given(sentence)
def test_real_sentences_keep_their_visible_text_and_normalizing_twice_changes_nothing(s):
    once = _normalize(s).text
    assert _normalize(once).text == once
    assert _visible(once) == _visible(s).replace("(", "（").replace(")", "）") or _visible(once) == _visible(s)
    kept = _normalize(s, punctuation="keep", alnum="keep").text
    assert re.sub(r"\s+", "", kept) == re.sub(r"\s+", "", INVISIBLE.sub("", s))


@settings(max_examples=200, deadline=None)
@given(sentence)
def test_numbers_urls_and_latin_text_keep_their_punctuation(s):
    out = _normalize(s).text
    for token in re.findall(r"https?://[\x21-\x7e]+|\d+[.,]\d+|[A-Za-z]+[,.!?;:] [A-Za-z]+", s):
        assert token in out


# Text made of what blank folding looks at: blanks, line breaks, Chinese, marks, digits, Latin, masks.
_BLANKY = st.text(st.sampled_from(list(" \t\n中文，。12ab*＊é")), max_size=40)


@settings(max_examples=500, deadline=None)
@given(_BLANKY)
def test_blank_folding_fast_paths_agree_with_one_pass_over_all_blanks(text):
    from corpusclean.stages import normalize

    reference = normalize._LEADING_BLANKS.sub("\n", text)
    reference = normalize._TAB_BETWEEN_WIDE.sub("", reference)
    reference = normalize._fold_runs(reference, normalize._BLANK_RUN_TO_CHECK)
    assert normalize._fold_blank_runs(text) == reference


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(list("*＊xX×ｘ中 ")), max_size=40))
def test_masking_runs_counted_by_kind_as_by_one_pattern(text):
    from corpusclean.stages import normalize

    assert normalize.count_masking(text) == (len(normalize._MASK.findall(text)) if any(
        hint in text for hint in normalize._MASK_HINTS) else 0)


# What the three stages hand on to each other in ``doc.scratch`` (character steps, no gate sign) is
# checked against each stage on a fresh document: blanks, invisible and private-use characters,
# surrogates, full-width letters, ASCII marks, and the characters signs of mojibake are made of.
_HANDED_ON = st.sampled_from([*" \t\n\r\u3000\xa0\u200b\ufeff\ue000\ud800\u2028,.;(", "ｘＡ", "浏览器", "楠",
                              "锟斤拷", "烫烫烫", "(xié)", "?shù)", "é", "ä½ å¥½", "\ufffd", "\U0001f600", "×××× "])


@settings(max_examples=300, deadline=None)
@given(sentence, st.lists(st.tuples(st.integers(0, 10**6), _HANDED_ON), max_size=6), st.integers(1, 40))
def test_what_the_stages_hand_on_changes_no_output_and_no_verdict(s, inserts, repeat):
    text = planted(s, repeat, inserts)
    names = ("mojibake", "normalize", "mojibake_filter")
    chained = Document(id="c", text=text)
    alone = Document(id="a", text=text)
    for name in names:
        stage = build_stage(name, {})
        stage.process(chained)
        alone = Document(id="a", text=alone.text, meta=alone.meta, removals=alone.removals)
        stage.process(alone)
    assert chained.text == alone.text and chained.meta == alone.meta and chained.removals == alone.removals
    assert chained.rejected == alone.rejected


@settings(max_examples=300, deadline=None)
@given(_BLANKY)
def test_blank_folding_looks_at_nothing_across_a_line_break(text):
    """What lets the lines after a widened parenthesis be folded again one by one."""
    from corpusclean.stages import normalize

    assert normalize._fold_blank_runs(text) == "\n".join(map(normalize._fold_blank_runs, text.split("\n")))
