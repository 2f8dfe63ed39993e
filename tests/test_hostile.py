"""Hostile input is a test, not an afterthought: whatever the bytes, no traceback, and every input unit ends up
in the output or, with its id or raw line, in the rejects."""

from __future__ import annotations

import base64
import bz2
import gzip
import json
import lzma
import zlib

import pytest
import zstandard
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from realtext import GBK_PAGE, UTF8_PAGE, records, seed_texts, write_jsonl, write_warc

from corpusclean.cli import main
from corpusclean.document import Document
from corpusclean.io.parse import ParseOptions, parse_item
from corpusclean.io.readers import RawItem
from corpusclean.stages.whitespace import Whitespace

SEED = next(iter(seed_texts().values()))
BIG_TEXT = "\n".join(seed_texts().values()) * 80  # several MB of real text on one JSONL line


def hostile_lines() -> list[bytes]:
    """One line per kind of trouble found in real crawl exports, between ordinary records."""
    good = [json.dumps(r, ensure_ascii=False).encode() for r in records(6, seed=9) if r["text"].strip()]
    first = SEED.split("\n")[0]
    return [
        good[0],
        json.dumps({"id": "nul", "text": f"\x00{first}\x07\x1b"}).encode(),  # escaped NUL and controls
        b'{"id": "raw-nul", "text": "' + first.encode() + b'\x00\x01\x1f"}',  # raw control bytes
        b'{"id": "surrogate", "text": "' + first.encode() + b'\\ud800\\udc00\\udfff", "title": "\\ud83d"}',
        json.dumps({"id": "big", "text": BIG_TEXT}, ensure_ascii=False).encode(),
        b'{"id": "empty", "text": ""}',
        b'{"id": "number", "text": 12345}',
        b'{"id": "list", "text": ["\xe4\xbd\xa0\xe5\xa5\xbd"]}',
        b'{"id": "missing", "body": "x"}',
        b'["an", "array"]',
        b'"a bare string"',
        b"3.14",
        b'{"id": "bad-utf8", "text": "' + first.encode()[:7] + b'\xff\xfe\xc0\xaf"}',
        b"\xff\xfe\x00not json at all",
        b'{"id": "truncated", "text": "' + first.encode(),
        b"[" * 100_000,  # deep nesting: a recursion limit must not escape as a traceback
        good[1],
        b"   ",  # blank: not a document
        good[2],
    ]


def account(inputs: list[bytes], out_path, rejects_path, source: str):
    """Map each non-blank input line number to where it went: ('out', id) or ('rejects', id, raw)."""
    out = [json.loads(line) for line in out_path.read_bytes().splitlines()]
    rejected = [json.loads(line) for line in rejects_path.read_bytes().splitlines()]
    where: dict[int, list[tuple]] = {}
    for record in out:
        where.setdefault(int(record["source"].rsplit(":", 1)[1]), []).append(("out", record["id"]))
    for record in rejected:
        if record["kind"] == "document":
            raw = record.get("raw")
            if "raw_b64" in record:
                raw = base64.b64decode(record["raw_b64"]).decode("utf-8", "replace")
            where.setdefault(int(record["source"].rsplit(":", 1)[1]), []).append(("rejects", record["id"], raw))
    expected = {n for n, line in enumerate(inputs, 1) if line.strip()}
    assert set(where) == expected, f"unaccounted lines: {expected - set(where)}; extra: {set(where) - expected}"
    assert all(len(v) == 1 for v in where.values()), "a line is both kept and rejected, or twice"
    assert all(record["source"].startswith(source) for record in out)
    return {n: v[0] for n, v in where.items()}, out


@pytest.mark.parametrize("workers", ["1", "2"])
def test_hostile_jsonl_every_line_accounted_for(tmp_path, workers):
    lines = hostile_lines()
    path = tmp_path / "hostile.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    config = tmp_path / "io.toml"
    config.write_text('[[stages]]\nuse = "whitespace"\n\n[[stages]]\nuse = "min_length"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["clean", str(path), "-o", str(out), "--rejects", str(rejects),
                                       "-w", workers, "--config", str(config)])
    assert result.exit_code == 1, result.output  # unreadable lines were skipped
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    where, kept = account(lines, out, rejects, str(path))
    by_id = {r["id"]: r for r in kept}
    out_bytes = out.read_bytes()
    out_bytes.decode("utf-8")  # strict: the output is valid UTF-8 throughout
    assert b"\\ud8" not in out_bytes and b"\\udf" not in out_bytes  # no lone surrogates survive
    assert {"nul", "raw-nul", "surrogate", "big", "bad-utf8"} <= set(by_id)
    assert by_id["big"]["text"] == Whitespace().edit(Document(id="big", text=BIG_TEXT))  # whole, only tidied
    assert len(by_id["big"]["text"].encode()) > 3_000_000
    assert by_id["surrogate"]["title"] == "\ufffd" and by_id["surrogate"]["meta"]["lone_surrogates"]
    assert by_id["bad-utf8"]["meta"]["invalid_utf8"]
    rejected_ids = {v[1] for v in where.values() if v[0] == "rejects"}
    assert {"empty", "number", "list", "missing"} <= rejected_ids  # rejected lines keep their own id
    raws = [v[2] for v in where.values() if v[0] == "rejects" and v[2] is not None]
    assert '"a bare string"' in raws and '["an", "array"]' in raws and "[" * 100_000 in raws
    assert out.stat().st_size > 3_000_000 and len(result.stderr.splitlines()) < 40


def truncate(data: bytes) -> bytes:
    return data[: len(data) * 2 // 3]


COMPRESSORS = {
    ".gz": gzip.compress,
    ".bz2": lambda b: bz2.compress(b, compresslevel=1),
    ".xz": lzma.compress,
    ".zst": lambda b: zstandard.ZstdCompressor().compress(b),
}


@pytest.mark.parametrize("suffix", sorted(COMPRESSORS))
def test_truncated_compressed_file_is_reported_and_complete_lines_kept(tmp_path, suffix):
    rows = records(4000, seed=10)
    plain = write_jsonl(tmp_path / "rows.jsonl", rows).read_bytes()
    path = tmp_path / f"rows.jsonl{suffix}"
    path.write_bytes(truncate(COMPRESSORS[suffix](plain)))
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["clean", str(path), "-o", str(out), "-q", "-w", "2",
                                       "--config", str(write_io_recipe(tmp_path))])
    assert result.exit_code == 1
    (message,) = result.stderr.strip().splitlines()
    assert message.startswith(f"corpusclean: {path}: truncated or corrupt input")
    ids = [json.loads(line)["id"] for line in out.read_bytes().splitlines()]
    kept_ids = [r["id"] for r in rows if r["text"].strip()]
    assert ids == kept_ids[: len(ids)]  # a clean prefix: no line cut in half, nothing reordered
    if suffix == ".gz":  # every complete line that the surviving bytes hold was processed
        available = zlib.decompressobj(wbits=31).decompress(path.read_bytes())
        complete = available.count(b"\n")
        assert ids == [r["id"] for r in rows[:complete] if r["text"].strip()]
        assert complete > 1000 and f"after line {complete}" in message


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_truncated_warc_keeps_the_complete_records_and_is_reported(tmp_path, name):
    whole = tmp_path / f"whole-{name}"
    write_warc(whole, gzip_records=name.endswith(".gz"))
    data = whole.read_bytes()
    if name.endswith(".gz"):  # each record is its own gzip member: cut 200 bytes into the second one
        inflater = zlib.decompressobj(wbits=31)
        inflater.decompress(data)
        cut = len(data) - len(inflater.unused_data) + 200
    else:  # cut in the middle of the second page's HTML
        cut = data.index(b"http://www.example.cn/yunnan.html") + len(UTF8_PAGE.read_bytes()) // 2
    path = tmp_path / name
    path.write_bytes(data[:cut])
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["clean", str(path), "-o", str(out), "-q", "-w", "1",
                                       "--config", str(write_io_recipe(tmp_path))])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"corpusclean: {path}: truncated or corrupt input")
    ids = [json.loads(line)["id"] for line in out.read_bytes().splitlines()]
    assert ids == ["http://junshi.example.cn/feixing.html"]


def test_truncated_gz_with_on_error_fail_writes_nothing(tmp_path):
    path = tmp_path / "rows.jsonl.gz"
    path.write_bytes(truncate(gzip.compress(write_jsonl(tmp_path / "rows.jsonl", records(2000)).read_bytes())))
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["clean", str(path), "-o", str(out), "--on-error", "fail", "-q",
                                       "--config", str(write_io_recipe(tmp_path))])
    assert result.exit_code == 1 and "truncated" in result.stderr and not out.exists()


def write_io_recipe(tmp_path):
    path = tmp_path / "io.toml"
    path.write_text('[[stages]]\nuse = "whitespace"\n\n[[stages]]\nuse = "min_length"\n', encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "data"), [
    ("empty.html", b""),
    ("junk.html", bytes(range(256)) * 40),
    ("nobody.html", b"<html><head><title>\xe6\xa0\x87\xe9\xa2\x98</title></head></html>"),
    ("cut.html", GBK_PAGE.read_bytes()[:3000]),
    ("empty.txt", b""),
    ("empty.jsonl", b""),
    ("blank.jsonl", b"\n \n\t\n"),
    ("nul.txt", b"\x00" * 1000),
    ("cut.warc.gz", b"\x1f\x8b\x08\x00garbage"),
], ids=lambda value: value if isinstance(value, str) else "")
def test_odd_files_never_give_a_traceback(tmp_path, name, data):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / name).write_bytes(data)
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    result = CliRunner().invoke(main, ["clean", str(tmp_path / "in"), "-o", str(out), "--rejects", str(rejects),
                                       "-q", "-w", "1"])
    assert result.exit_code in (0, 1), result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    kept = [json.loads(line) for line in out.read_bytes().splitlines()]
    dropped = [r for r in map(json.loads, rejects.read_bytes().splitlines()) if r["kind"] == "document"]
    if name.endswith((".html", ".txt")):  # one file, one document: kept or dropped with a receipt
        assert len(kept) + len(dropped) == 1
    elif name.endswith(".jsonl"):  # no lines, no documents
        assert kept == dropped == [] and result.exit_code == 0
    else:
        assert kept == [] and result.exit_code == 1 and f"{name}: truncated or corrupt input" in result.stderr


@settings(max_examples=200, deadline=None)
@given(st.one_of(
    st.binary(max_size=200),
    st.text(max_size=100).map(lambda t: json.dumps({"id": 1, "text": t}).encode()),
    st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                 lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                 max_leaves=10).map(lambda v: json.dumps(v).encode()),
))
def test_any_line_parses_to_a_document_or_a_receipt(data):
    doc = parse_item(RawItem("x.jsonl", 1, data, "jsonl"), ParseOptions())
    if doc.rejected is not None:
        assert doc.rejected.stage == "read"
        assert "raw" in doc.rejected.detail or "raw_b64" in doc.rejected.detail
    else:
        assert isinstance(doc.text, str)
        doc.text.encode("utf-8")
        json.dumps(doc.fields, ensure_ascii=False).encode("utf-8")
