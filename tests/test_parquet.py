"""Parquet in and out: a real Parquet file of real text with typed columns cleaned end to end, its columns
and types read back, every row accounted for; shards, JSONL to Parquet, a second clean of the output,
corrupt input and a missing pyarrow."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from realtext import read_jsonl, records, seed_texts, write_jsonl

from corpusclean.cli import main
from corpusclean.engines.local import RunConfig, clean_files
from corpusclean.io import parquet
from corpusclean.io.parse import ParseOptions
from corpusclean.recipe import build_pipeline, load_recipe

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

START = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def crawl_table(count: int = 400):
    """Real sentences and the real seed pages as rows, with the typed columns a crawl export carries; row 5
    has no text (null)."""
    texts = [r["text"] for r in records(count)] + list(seed_texts().values())
    texts[5] = None
    n = len(texts)
    return pa.table({
        "doc_id": pa.array([1000 + i for i in range(n)], pa.int64()),
        "content": pa.array(texts, pa.string()),
        "crawled_at": pa.array([START + timedelta(seconds=37 * i) for i in range(n)], pa.timestamp("us", tz="UTC")),
        "tags": pa.array([["新闻", f"频道{i % 4}"] if i % 9 else [] for i in range(n)], pa.list_(pa.string())),
        "score": pa.array([i / 7 for i in range(n)], pa.float32()),
        "raw_hash": pa.array([i.to_bytes(4, "big") for i in range(n)], pa.binary()),
    })


def write_crawl(path, table=None, *, row_group_size: int = 64):
    pq.write_table(table if table is not None else crawl_table(), path, row_group_size=row_group_size)
    return path


def document_rejects(path):
    return [r for r in read_jsonl(path) if r["kind"] == "document"]


def test_parquet_in_parquet_out_keeps_columns_types_and_accounts_for_every_row(tmp_path):
    source = write_crawl(tmp_path / "in.parquet")
    table = pq.read_table(source)
    result = invoke("clean", source, "--text-field", "content", "--id-field", "doc_id", "-o", tmp_path / "out.parquet",
                    "--rejects", tmp_path / "rejects.jsonl", "-q", "--workers", 1)
    assert result.exit_code == 1, result.output  # the null text is an input error, as a bad JSONL line is
    out = pq.read_table(tmp_path / "out.parquet")
    schema = out.schema
    assert schema.names == ["id", "text", "source", "crawled_at", "tags", "score", "raw_hash", "meta"]
    for name in ("crawled_at", "tags", "score", "raw_hash"):
        assert schema.field(name).type == table.schema.field(name).type, name
    assert pa.types.is_struct(schema.field("meta").type)
    rejected = document_rejects(tmp_path / "rejects.jsonl")
    assert out.num_rows + len(rejected) == table.num_rows
    assert 0 < len(rejected) < table.num_rows // 2
    ids = [str(i) for i in table["doc_id"].to_pylist()]
    assert sorted(out["id"].to_pylist() + [r["id"] for r in rejected], key=int) == ids
    null_row = next(r for r in rejected if r["stage"] == "read")
    assert (null_row["id"], null_row["rule"]) == ("1005", "text_not_string")
    assert null_row["error"].endswith("in.parquet:5: 'content' is null, not a string")
    # Carried values are the input row's, typed (the text is compared with the JSONL output below).
    by_id = {str(row["doc_id"]): row for row in table.to_pylist()}
    for row in out.to_pylist():
        original = by_id[row["id"]]
        assert row["source"] == f"{source}:{int(row['id']) - 1000}"
        assert [row[k] for k in ("crawled_at", "tags", "score", "raw_hash")] == \
               [original[k] for k in ("crawled_at", "tags", "score", "raw_hash")]
        assert row["text"]
        assert row["meta"]["language"] == "zh" and row["meta"]["dup_count"] >= 1


def test_output_matches_the_jsonl_output_of_the_same_run(tmp_path):
    source = write_crawl(tmp_path / "in.parquet")
    common = ("--text-field", "content", "--id-field", "doc_id", "-q", "--workers", 2)
    invoke("clean", source, "-o", tmp_path / "out.parquet", *common)
    invoke("clean", source, "-o", tmp_path / "one-worker.parquet", *common[:-1], 1)
    assert (tmp_path / "one-worker.parquet").read_bytes() == (tmp_path / "out.parquet").read_bytes()
    invoke("clean", source, "-o", tmp_path / "out.jsonl", *common)
    lines = read_jsonl(tmp_path / "out.jsonl")
    rows = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert [(r["id"], r["text"]) for r in rows] == [(r["id"], r["text"]) for r in lines]
    for row, line in zip(rows, lines, strict=True):
        assert parquet.join_meta(row["meta"]) == line["meta"]
        assert datetime.fromisoformat(line["crawled_at"]) == row["crawled_at"]  # JSONL: ISO 8601 text


def test_the_seeds_plain_meta_keys_all_have_struct_fields(tmp_path):
    """The struct is the stages' keys: on the seed pages, ``meta.other`` holds only nested stage notes."""
    from realtext import SEEDS

    result = invoke("clean", SEEDS, "-o", tmp_path / "seeds.parquet", "-q")
    assert result.exit_code == 0, result.output
    rows = pq.read_table(tmp_path / "seeds.parquet").to_pylist()
    assert {r["meta"]["editor"] for r in rows} > {None} and all(r["meta"]["script"] for r in rows)
    for row in rows:
        other = json.loads(row["meta"]["other"] or "{}")
        assert all(isinstance(value, dict) for value in other.values()), other


def test_directory_of_parquet_shards_and_a_directory_of_parquet_inputs(tmp_path):
    table = crawl_table()
    (tmp_path / "in").mkdir()
    write_crawl(tmp_path / "in" / "a.parquet", table.slice(0, 200))
    write_crawl(tmp_path / "in" / "b.parquet", table.slice(200))
    result = invoke("clean", tmp_path / "in", "--text-field", "content", "--id-field", "doc_id",
                    "-o", f"{tmp_path / 'out'}/", "--output-format", "parquet", "--shard-size", 100,
                    "--rejects", tmp_path / "rejects.jsonl", "-q", "--workers", 1)
    assert result.exit_code == 1, result.output
    shards = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(shards) >= 3 and shards[0] == "part-00000.parquet"
    schemas = {pq.read_schema(tmp_path / "out" / name) for name in shards}
    assert len(schemas) == 1
    out = pq.read_table(tmp_path / "out")  # read as one dataset
    assert out.num_rows + len(document_rejects(tmp_path / "rejects.jsonl")) == table.num_rows
    assert {s.rsplit(":", 1)[0].rsplit("/", 1)[1] for s in out["source"].to_pylist()} == {"a.parquet", "b.parquet"}


def test_row_groups_are_written_as_chunks_arrive(tmp_path, monkeypatch):
    monkeypatch.setattr(parquet, "_GROUP_ROWS", 50)
    source = write_crawl(tmp_path / "in.parquet")
    pipeline = build_pipeline(load_recipe(None))
    config = RunConfig(inputs=[str(source)], output=str(tmp_path / "out.parquet"),
                       parse=ParseOptions(text_field="content", id_field="doc_id"))
    summary = clean_files(pipeline, config)
    meta = pq.ParquetFile(tmp_path / "out.parquet").metadata
    assert meta.num_rows == summary.docs_out and meta.num_row_groups >= meta.num_rows // 256


def test_jsonl_to_parquet_infers_columns_and_keeps_what_does_not_fit(tmp_path, monkeypatch):
    monkeypatch.setattr(parquet, "_GROUP_ROWS", 10)  # the schema is settled by the first chunk's rows
    rows = records(300)
    for number, row in enumerate(rows):
        row["rank"] = number
    rows[5]["rank"] = 5.5  # integers and a float: pyarrow infers double
    rows[6]["rank"] = "六"  # a first chunk that does not agree at all: the first value's type wins
    rows[284]["rank"] = "第一"  # not an int64
    rows[285]["section"] = "体育"  # a field the first rows did not have
    write_jsonl(tmp_path / "in.jsonl", rows)
    result = invoke("clean", tmp_path / "in.jsonl", "-o", tmp_path / "out.parquet", "-q", "--workers", 1)
    assert result.exit_code == 0, result.output
    out = pq.read_table(tmp_path / "out.parquet")
    assert out.schema.field("rank").type == pa.int64() and out.schema.field("url").type == pa.string()
    assert out.schema.names[:6] == ["id", "text", "source", "url", "lang", "rank"]
    by_id = {row["id"]: row for row in out.to_pylist()}
    assert json.loads(by_id["d00005"]["fields_json"]) == {"rank": 5.5}  # int64 after "六"
    assert json.loads(by_id["d00006"]["fields_json"]) == {"rank": "六"}
    assert json.loads(by_id["d00284"]["fields_json"]) == {"rank": "第一"}
    assert by_id["d00284"]["rank"] is None
    assert json.loads(by_id["d00285"]["fields_json"]) == {"section": "体育"}
    assert by_id["d00286"]["fields_json"] is None and by_id["d00286"]["rank"] == 286


def test_cleaning_the_output_again_keeps_meta(tmp_path):
    source = write_crawl(tmp_path / "in.parquet")
    invoke("clean", source, "--text-field", "content", "--id-field", "doc_id", "-o", tmp_path / "once.parquet", "-q")
    result = invoke("clean", tmp_path / "once.parquet", "-o", tmp_path / "twice.parquet", "-q")
    assert result.exit_code == 0, result.output
    once = pq.read_table(tmp_path / "once.parquet")
    twice = pq.read_table(tmp_path / "twice.parquet")
    assert twice.schema == once.schema
    assert twice["text"].to_pylist() == once["text"].to_pylist()


def test_corrupt_parquet_is_reported_and_the_rest_read(tmp_path):
    good = write_crawl(tmp_path / "good.parquet")
    (tmp_path / "bad.parquet").write_bytes(b"PAR1 not really")
    result = invoke("clean", tmp_path / "bad.parquet", good, "--text-field", "content", "-o", tmp_path / "out.parquet")
    assert result.exit_code == 1
    assert "bad.parquet: not a readable Parquet file" in result.output
    assert pq.read_table(tmp_path / "out.parquet").num_rows > 0


def test_a_corrupt_row_group_is_reported_after_the_rows_before_it(tmp_path):
    """Rows are read one row group at a time: the groups before a damaged one are cleaned and written."""
    source = write_crawl(tmp_path / "in.parquet", row_group_size=100)
    meta = pq.ParquetFile(source).metadata
    chunk = meta.row_group(meta.num_row_groups - 1).column(1)  # the last group's text
    start = min(chunk.data_page_offset, chunk.dictionary_page_offset or chunk.data_page_offset)
    data = bytearray(source.read_bytes())
    data[start + 30:start + chunk.total_compressed_size - 5] = b"Z" * (chunk.total_compressed_size - 35)
    source.write_bytes(bytes(data))
    rows_before = 100 * (meta.num_row_groups - 1)
    result = invoke("clean", source, "--text-field", "content", "--id-field", "doc_id", "-o", tmp_path / "out.parquet",
                    "--rejects", tmp_path / "rejects.jsonl", "--workers", 1)
    assert result.exit_code == 1
    assert f"in.parquet: truncated or corrupt input after row {rows_before}" in result.output
    out = pq.read_table(tmp_path / "out.parquet")
    assert out.num_rows + len(document_rejects(tmp_path / "rejects.jsonl")) == rows_before


def test_parquet_to_stdout_is_a_usage_error(tmp_path):
    source = write_crawl(tmp_path / "in.parquet")
    result = invoke("clean", source, "-o", "-", "--output-format", "parquet")
    assert result.exit_code == 2 and "stdout" in result.output


def test_missing_pyarrow_names_the_extra(tmp_path, monkeypatch):
    source = write_crawl(tmp_path / "in.parquet")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(parquet.ParquetMissing, match=r"pip install 'corpusclean\[parquet\]'"):
        parquet.require_pyarrow()
    result = invoke("clean", source, "-o", tmp_path / "out.jsonl")
    assert result.exit_code == 2 and "corpusclean[parquet]" in result.output


def test_help_shows_a_parquet_example():
    result = invoke("clean", "--help")
    assert "--output-format" in result.output
    assert "corpusclean clean in.parquet --text-field content --id-field doc_id -o out.parquet" in result.output
