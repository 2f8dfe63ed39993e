"""corpusclean inside datatrove and Hugging Face datasets gives what corpusclean alone gives."""

from __future__ import annotations

import json

import pytest
from realtext import records, seed_texts

import corpusclean


def corpus() -> list[dict]:
    rows = records(60, seed=4)
    rows += [{"id": f"seed-{i}", "text": text, "url": f"https://example.cn/s{i}", "lang": "zh"}
             for i, text in enumerate(seed_texts().values())]
    rows.append(dict(rows[-1], id="seed-copy"))  # an exact repost: deduplication must drop it
    return rows


def test_datatrove_step_keeps_what_corpusclean_keeps(tmp_path):
    pytest.importorskip("datatrove")
    from datatrove.data import Document as DatatroveDocument
    from datatrove.pipeline.writers import JsonlWriter

    from corpusclean.integrations.datatrove_step import CorpuscleanStep

    rows = corpus()
    expected = {r["id"]: r for r in corpusclean.default_pipeline().clean_records(rows)}
    step = CorpuscleanStep(exclusion_writer=JsonlWriter(str(tmp_path / "excluded"), compression=None))
    data = (DatatroveDocument(text=r["text"], id=r["id"], metadata={"url": r["url"]}) for r in rows)
    out = list(step.run(data))

    assert [d.id for d in out] == list(expected)
    assert [d.text for d in out] == [r["text"] for r in expected.values()]
    assert all(d.metadata["url"].startswith("https://example.cn/") for d in out)  # the input's metadata stays
    assert all(d.metadata["corpusclean"] == expected[d.id]["meta"] for d in out)
    excluded = [json.loads(line) for path in (tmp_path / "excluded").glob("*.jsonl")
                for line in path.read_text(encoding="utf-8").splitlines()]
    assert {e["id"] for e in excluded} == {r["id"] for r in rows} - set(expected)
    assert "seed-copy" in {e["id"] for e in excluded}
    reasons = {e["id"]: e["metadata"]["filter_reason"] for e in excluded}
    assert reasons["seed-copy"] == "dedup/exact_duplicate"
    counts = step.stats.to_dict()["stats"]
    total = {k: v if isinstance(v, int) else v["total"] for k, v in counts.items()}
    assert total["forwarded"] == len(out) and total["dropped"] == len(excluded)
    assert total["dropped/dedup/exact_duplicate"] >= 1


def test_datasets_map_cleans_like_clean_record():
    datasets = pytest.importorskip("datasets")
    from corpusclean.integrations.hf_datasets import cleaner

    rows = [r for r in corpus() if r["id"] != "seed-copy"]
    dataset = datasets.Dataset.from_list(rows)
    mapped = dataset.map(cleaner(), batched=True, batch_size=16)
    pipeline = corpusclean.default_pipeline()
    for row, out in zip(rows, mapped, strict=True):
        alone = pipeline.clean_record(dict(row))["corpusclean"]
        kept = alone["rejected"] is None
        assert out["corpusclean_kept"] == kept
        assert out["url"] == row["url"]  # other columns pass through
        if kept:
            assert out["text"] == pipeline.clean_record(dict(row))["text"]
            meta = json.loads(out["corpusclean_meta"])
            assert meta["script"] == alone["meta"]["script"]
        else:
            assert out["corpusclean_reason"] == f"{alone['rejected']['stage']}/{alone['rejected']['rule']}"
            assert out["corpusclean_reason"] is not None
    assert 0 < sum(mapped["corpusclean_kept"]) < len(rows)
