"""Traditional/Simplified: conversion backends on real text, the folded view, detection, the stage."""

import functools
import json
import pickle
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from teststages import one_and_batched

from corpusclean.document import Document
from corpusclean.pipeline import Pipeline
from corpusclean.recipe import build_pipeline, default_recipe, stage_params
from corpusclean.stages.convert_script import ConvertScript
from corpusclean.text.convert import BACKENDS, is_installed, make_converter, supports
from corpusclean.text.script import (
    detect_script,
    fold_to_simplified,
    has_simplified_convertible,
    has_traditional,
    script_counts,
    script_counts_many,
)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = {p.name[:3]: p.read_text(encoding="utf-8") for p in (ROOT / "seeds").iterdir()}
SIMPLIFIED_SEEDS = ("000", "003", "004")
TRADITIONAL_SEEDS = ("001", "002")
CASES = json.loads((ROOT / "tests" / "data" / "convert_cases.json").read_text(encoding="utf-8"))["cases"]
INSTALLED = [name for name in BACKENDS if is_installed(name)]
GOLD = ROOT.parent / "shared" / "eval" / "cwced" / "cleaned"


@functools.cache
def converter(config, backend):
    return make_converter(config, backend=backend)


def han_agreement(triples: list[tuple[str, str, str]]) -> float:
    """Share of Han characters (of the originals) on which the two folded texts agree."""
    pairs = [(x, y) for a, b, o in triples for x, y, c in zip(a, b, o, strict=True) if "\u4e00" <= c <= "\u9fff"]
    return sum(x == y for x, y in pairs) / len(pairs)


def simplified_texts() -> list[str]:
    texts = [SEEDS[s] for s in SIMPLIFIED_SEEDS]
    if GOLD.is_dir():  # the shared evaluation set sits beside the repository in CI and on developer machines
        texts += [p.read_text(encoding="utf-8") for p in sorted(GOLD.glob("*.txt"))[:20]]
    return texts


# --- backends on the cases file -------------------------------------------------------------------


@pytest.mark.parametrize("backend", INSTALLED)
def test_backend_gives_expected_or_its_listed_difference(backend):
    """Every installed backend gives ``expected``, except on the cases that list its own output.

    The listed differences are the README's "where backends differ" table: a backend that starts or
    stops differing on a case fails here, naming the case.
    """
    wrong = []
    for case in CASES:
        if not supports(backend, case["config"]):
            continue
        want = case.get("backends", {}).get(backend, case["expected"])
        got = converter(case["config"], backend)(case["text"])
        if got != want:
            wrong.append(f"{case['config']} {case['text']!r}: got {got!r}, listed {want!r}")
    assert not wrong, "\n".join(wrong)


def test_cases_cover_real_sentences_phrases_and_differences():
    kinds = {c["kind"] for c in CASES}
    assert kinds == {"sentence", "phrase"}
    assert sum(c["kind"] == "sentence" and c["config"] == "t2s" for c in CASES) >= 15
    assert all(set(c.get("backends", {})) <= set(BACKENDS) for c in CASES)
    differing = {b for c in CASES for b in c.get("backends", {})}
    assert differing == set(BACKENDS), "each backend's differences are shown"
    phrases = {c["text"]: c["expected"] for c in CASES if c["config"] == "t2s"}
    assert (phrases["頭髮"], phrases["乾燥"], phrases["皇后"]) == ("头发", "干燥", "皇后")


def test_expected_outputs_are_in_the_target_script():
    for case in CASES:
        script = detect_script(case["expected"])
        if case["config"] in ("t2s", "tw2s", "hk2s", "tw2sp"):
            assert script in ("simplified", "none"), case
        else:
            assert script in ("traditional", "none"), case


@pytest.mark.parametrize(
    ("backend", "config"), [("zhconv_rs", "s2tw"), ("zhconv_rs", "t2hk"), ("nope", "t2s"), ("opencc", "x2y")]
)
def test_unserved_or_unknown_choices_raise_naming_them(backend, config):
    with pytest.raises(ValueError, match=backend if config == "t2s" or backend == "zhconv_rs" else config):
        make_converter(config, backend=backend)


# --- the folded view on real paired text ----------------------------------------------------------


@pytest.mark.parametrize("backend", INSTALLED)
def test_traditional_repost_folds_to_its_simplified_original(backend):
    """s2t of real Simplified text, folded back, agrees with the folded original on Han characters."""
    s2t = converter("s2t", backend)
    triples = []
    for text in simplified_texts():
        repost = s2t(text)
        if len(repost) == len(text):  # a phrase changed length (rare): not comparable position by position
            triples.append((fold_to_simplified(repost), fold_to_simplified(text), text))
    assert han_agreement(triples) >= 0.999


@pytest.mark.parametrize("backend", INSTALLED)
def test_simplified_conversion_of_real_traditional_text_folds_to_the_same_text(backend):
    t2s = converter("t2s", backend)
    triples = [(fold_to_simplified(t2s(text)), fold_to_simplified(text), text) for text in (SEEDS["001"], SEEDS["002"])]
    assert han_agreement(triples) >= 0.999


def test_fold_keeps_length_is_idempotent_and_leaves_simplified_text_nearly_alone():
    for text in SEEDS.values():
        folded = fold_to_simplified(text)
        assert len(folded) == len(text)
        assert fold_to_simplified(folded) == folded
    texts = simplified_texts()
    changed = sum(a != b for text in texts for a, b in zip(text, fold_to_simplified(text), strict=True))
    assert changed / sum(map(len, texts)) < 0.005
    assert fold_to_simplified("什么") == fold_to_simplified("什麼") == "什么"  # the Taiwan variant table's 么 -> 幺
    assert fold_to_simplified("瞭解藉口反覆") == fold_to_simplified("了解借口反复")


def test_fold_survives_a_lone_surrogate_and_astral_characters():
    assert fold_to_simplified("國\ud800𠀋") == "国\ud800𠀋"


# --- detection --------------------------------------------------------------------------------------


def test_detects_the_script_of_real_documents():
    assert [detect_script(SEEDS[s]) for s in TRADITIONAL_SEEDS] == ["traditional", "traditional"]
    assert [detect_script(SEEDS[s]) for s in SIMPLIFIED_SEEDS] == ["simplified"] * 3
    halves = SEEDS["001"][:2000] + SEEDS["003"][:2000]
    assert detect_script(halves) == "mixed"
    assert detect_script("2023-12-21 14:00 OK") == "none"


def test_simplified_documents_hardly_ever_contain_traditional_only_characters():
    texts = simplified_texts()
    counts = [script_counts(t, sample=len(t)) for t in texts]
    assert sum(trad for trad, _ in counts) / sum(simp for _, simp in counts) < 0.01
    assert not any(has_traditional(SEEDS[s]) for s in SIMPLIFIED_SEEDS)
    assert all(has_traditional(SEEDS[s]) for s in TRADITIONAL_SEEDS)


def test_the_conversion_gates_lose_nothing_on_real_lines():
    """Lines the stage would skip are lines the conversion leaves unchanged."""
    t2s, s2t = converter("t2s", "opencc"), converter("s2t", "opencc")
    traditional_lines = [line for s in TRADITIONAL_SEEDS for line in SEEDS[s].splitlines() if line.strip()]
    simplified_lines = [line for t in simplified_texts() for line in t.splitlines() if line.strip()]
    skipped_t = [line for line in traditional_lines if not has_traditional(line)]
    skipped_s = [line for line in simplified_lines if not has_simplified_convertible(line)]
    assert skipped_s and [line for line in skipped_t if t2s(line) != line] == []
    assert [line for line in skipped_s if s2t(line) != line] == []


# --- the stage --------------------------------------------------------------------------------------


def test_stage_records_script_for_every_document_without_converting_by_default():
    stage = ConvertScript()
    for key, text in SEEDS.items():
        doc = Document(id=key, text=text)
        assert stage.edit(doc) == text
        assert doc.meta == {"script": "traditional" if key in TRADITIONAL_SEEDS else "simplified"}


def test_stage_t2s_converts_traditional_documents_and_skips_simplified_ones():
    stage = ConvertScript(convert="t2s")
    doc = Document(id="001", text=SEEDS["001"])
    out = stage.edit(doc)
    assert detect_script(out) == "simplified" and "贵州省党政代表团" in out
    assert doc.meta == {"script": "traditional", "script_conversion": "t2s"}
    doc = Document(id="003", text=SEEDS["003"])
    assert stage.edit(doc) is SEEDS["003"]  # not even copied: the gate skipped the converter
    assert doc.meta == {"script": "simplified"}


def test_stage_s2twp_converts_simplified_documents():
    doc = Document(id="003", text=SEEDS["003"])
    out = ConvertScript(convert="s2twp", backend="opencc").edit(doc)
    assert detect_script(out) == "traditional" and "白雲區黨政代表團" in out
    assert doc.meta["script_conversion"] == "s2twp"


def test_stage_pickles_and_runs_the_same_in_worker_processes():
    stage = ConvertScript(convert="t2s", backend="opencc")
    stage.edit(Document(id="x", text="國"))  # builds the converter, which must not be pickled
    clone = pickle.loads(pickle.dumps(stage))
    assert clone._converter is None and clone.edit(Document(id="y", text="頭髮")) == "头发"
    docs = [Document(id=k, text=v) for k, v in sorted(SEEDS.items())]
    one = [(d.text, d.meta) for d in Pipeline([stage]).run(docs)]
    docs = [Document(id=k, text=v) for k, v in sorted(SEEDS.items())]
    two = [(d.text, d.meta) for d in Pipeline([clone]).run(docs, workers=2)]
    assert one == two


@pytest.mark.skipif(not is_installed("opencc_pyo3"), reason="opencc-pyo3 not installed")
def test_opencc_pyo3_works_in_workers_after_the_parent_used_it():
    # Workers come from a fork server, not a fork of this process, so opencc-pyo3's thread pool
    # (started here by the first conversion) cannot leave them hanging.
    convert = converter("t2s", "opencc_pyo3")
    convert("國")
    docs = [Document(id=k, text=v) for k, v in sorted(SEEDS.items())]
    out = list(Pipeline([ConvertScript(convert="t2s", backend="opencc_pyo3")]).run(docs, workers=2))
    assert [d.text for d in out] == [convert(v) if detect_script(v) != "simplified" else v
                                     for _, v in sorted(SEEDS.items())]


@pytest.mark.parametrize(
    ("params", "message"),
    [({"convert": "t2x"}, "t2x"), ({"backend": "fast"}, "fast"), ({"convert": "s2tw", "backend": "zhconv_rs"},
                                                                  "zhconv_rs")],
)
def test_recipe_errors_name_the_bad_value(params, message):
    if params.get("backend") == "zhconv_rs" and not is_installed("zhconv_rs"):
        message = "pip install zhconv-rs"
    with pytest.raises(ValueError, match=message):
        build_pipeline({"stages": [{"use": "convert_script", **params}]})


def test_default_recipe_detects_but_does_not_convert():
    recipe = default_recipe()
    assert stage_params(recipe, "convert_script") == {"use": "convert_script", "convert": "none"}
    stage = next(s for s in build_pipeline(recipe).stages if s.name == "convert_script")
    assert stage.describe()["convert"] == "none"
    converting = ConvertScript(convert="t2s").describe()
    assert converting["resolved_backend"] in BACKENDS and converting["backend_version"] != "unknown"


# Chunks of texts for the batched paths: Traditional and Simplified seed text, mixed pieces, astral characters,
# lone surrogates (which must not pair up across two neighbouring texts when a chunk is encoded joined), blanks.
_PIECES = st.sampled_from(["頭髮很乾燥，", "头发很干燥。", "皇后說", "什么", "\n\n", " ", "𠀀𠀁", "\ud83d", "\ude00",
                           "abc 123", "了解", "瞭解", ""])
_TEXTS = st.lists(st.one_of(st.text(max_size=30), st.lists(_PIECES, max_size=12).map("".join),
                            st.sampled_from([text[:400] for text in SEEDS.values()])), max_size=8)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=_TEXTS)
def test_script_counts_many_equals_counting_each_text(texts):
    assert script_counts_many(texts) == [script_counts(text, sample=len(text)) for text in texts]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=_TEXTS, convert=st.sampled_from(["none", "t2s", "s2t"]))
def test_convert_script_batch_equals_editing_each_document(texts, convert):
    """process_batch leaves every document's text and meta as process does one document at a time."""
    stage = ConvertScript(convert=convert, backend="opencc") if convert != "none" else ConvertScript()
    one, many = one_and_batched(stage, texts)
    assert [(d.text, d.meta) for d in many] == [(d.text, d.meta) for d in one]
