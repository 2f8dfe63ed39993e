"""The library API a data-prep script uses: build a pipeline, clean a string, clean an iterable of dicts.
(The README's own example runs in test_readme.py; these check what it promises, on real text.)"""

from __future__ import annotations

import pytest
from realtext import records, seed_texts
from teststages import DropLines, ExactRepeats, register

import corpusclean
from corpusclean import Pipeline, build_pipeline, load_recipe
from corpusclean.recipe import RecipeError
from corpusclean.stages.min_length import MinLength
from corpusclean.stages.whitespace import Whitespace

SEEDS = seed_texts()
SEED = next(iter(SEEDS.values()))
WATERMARK = "AEJ毕节网"


def test_default_pipeline_cleans_a_string_and_keeps_receipts():
    doc = corpusclean.default_pipeline().clean(SEED)
    assert doc.rejected is None
    assert 0 < len(doc.text) <= len(SEED)
    assert doc.chars_in == len(SEED)
    assert all(r.stage and r.rule and r.kind in ("line", "span", "block", "chars") for r in doc.removals)


def test_pipeline_from_code_reports_what_it_removed_and_why():
    pipe = Pipeline([DropLines(markers=[WATERMARK]), Whitespace(), MinLength(min_cjk=50)])
    doc = pipe.clean(SEED)
    assert WATERMARK not in doc.text
    assert [r.text for r in doc.removals] == [line for line in SEED.split("\n") if WATERMARK in line]
    short = pipe.clean(SEED.split("\n")[0].replace(WATERMARK, ""))  # the headline alone: too short
    assert short.rejected is not None and short.rejected.rule == "min_cjk" and short.rejected.threshold == 50


def test_pipeline_from_a_recipe_file(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('[[stages]]\nuse = "whitespace"\nmax_blank_lines = 0\n\n[[stages]]\nuse = "min_length"\n'
                    "min_cjk = 10\n", encoding="utf-8")
    pipe = build_pipeline(load_recipe(str(path)))
    assert pipe.names == ["whitespace", "min_length"]
    assert "\n\n" not in pipe.clean(SEED.replace("\n", "\n\n\n")).text
    with pytest.raises(RecipeError, match="min_cjk"):
        build_pipeline({"stages": [{"use": "min_length", "min_cjk": -1}]})


def test_clean_records_yields_kept_dicts_with_fields_carried_through(monkeypatch):
    register(monkeypatch)
    pipe = Pipeline([Whitespace(), MinLength(min_chars=1), ExactRepeats()])
    rows = records(40, seed=11)
    rows.append(dict(rows[0], id="repost"))  # the same article again: dropped across the iterable
    out = list(pipe.clean_records(iter(rows)))
    expected = [r for r in rows[:-1] if r["text"].strip()]
    assert [r["id"] for r in out] == [r["id"] for r in expected]
    assert [(o["url"], o["lang"], o["text"]) for o in out] == [(e["url"], "zh", e["text"]) for e in expected]
    assert rows[0]["id"] == "d00000" and "meta" not in rows[0]  # inputs are not modified


def test_clean_records_with_other_field_names_and_no_ids():
    pipe = Pipeline([Whitespace()])
    rows = [{"content": text + "  \n\n\n\n", "site": name} for name, text in SEEDS.items()]
    out = list(pipe.clean_records(rows, text_field="content"))
    assert [r["site"] for r in out] == list(SEEDS)
    assert [r["text"] for r in out] == [Whitespace().edit(corpusclean.Document(id="", text=t)) for t in SEEDS.values()]
    assert [r["id"] for r in out] == [str(n) for n in range(len(SEEDS))]


def test_clean_record_for_datasets_map_returns_a_copy_with_findings():
    pipe = Pipeline([DropLines(markers=[WATERMARK]), MinLength(min_cjk=10_000)])
    record = {"id": "s0", "text": SEED, "url": "https://example.cn/0"}
    out = pipe.clean_record(record)
    assert record["text"] == SEED  # input untouched
    assert out["url"] == record["url"] and WATERMARK not in out["text"]
    assert out["corpusclean"]["rejected"]["rule"] == "min_cjk"
    removed = [r["text"] for r in out["corpusclean"]["removed"]]
    assert removed == [line for line in SEED.split("\n") if WATERMARK in line]


@pytest.mark.parametrize("row", [{"id": 1}, {"id": 2, "text": 3}, {"id": 3, "text": ["你好"]}])
def test_records_without_string_text_are_refused_with_a_clear_error(row):
    pipe = Pipeline([Whitespace()])
    with pytest.raises(ValueError, match="'text'"):
        list(pipe.clean_records([{"id": 0, "text": SEED}, row]))
    with pytest.raises(ValueError, match="'text'"):
        pipe.clean_record(row)
