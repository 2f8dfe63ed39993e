"""Writing JSONL: real UTF-8, compression by extension, shards, atomic replacement, receipt shapes."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os

import pytest
import zstandard
from realtext import seed_texts

from corpusclean.document import Document
from corpusclean.io.writers import AtomicFile, ShardedDir, dumps, open_sink, output_record, reject_records

DECOMPRESS = {
    ".jsonl": lambda data: data,
    ".gz": gzip.decompress,
    ".bz2": bz2.decompress,
    ".xz": lzma.decompress,
    ".zst": lambda data: zstandard.ZstdDecompressor().decompressobj().decompress(data),
}
LINES = [dumps({"id": name, "text": text}) for name, text in seed_texts().items()]


def leftovers(directory) -> list[str]:
    return sorted(p for p in os.listdir(directory) if p.startswith(".") or "partial" in p)


def test_dumps_writes_real_utf8_and_survives_what_orjson_refuses():
    line = dumps({"text": "深圳，你好", "n": 2**70, 3: "键"})
    assert "深圳，你好".encode() in line and b"\\u" not in line
    assert json.loads(line) == {"text": "深圳，你好", "n": 2**70, "3": "键"}
    assert line.endswith(b"\n") and line.count(b"\n") == 1


@pytest.mark.parametrize("suffix", sorted(DECOMPRESS))
def test_atomic_file_compresses_by_extension(tmp_path, suffix):
    path = tmp_path / ("out.jsonl" if suffix == ".jsonl" else f"out.jsonl{suffix}")
    sink = open_sink(str(path))
    for line in LINES:
        sink.write(line)
    assert not path.exists()  # nothing under the final name until commit
    sink.commit()
    assert DECOMPRESS[suffix](path.read_bytes()) == b"".join(LINES)
    assert leftovers(tmp_path) == []


def test_gzip_output_is_byte_identical_across_runs(tmp_path):
    blobs = []
    for name in ("a.jsonl.gz", "b.jsonl.gz"):
        sink = AtomicFile(str(tmp_path / name))
        for line in LINES:
            sink.write(line)
        sink.commit()
        blobs.append((tmp_path / name).read_bytes())
    assert blobs[0] == blobs[1]


def test_abort_removes_the_partial_file_and_keeps_the_old_output(tmp_path):
    path = tmp_path / "out.jsonl.zst"
    path.write_bytes(b"old run\n")
    sink = AtomicFile(str(path))
    sink.write(LINES[0])
    assert len(leftovers(tmp_path)) == 1
    sink.abort()
    assert path.read_bytes() == b"old run\n"
    assert leftovers(tmp_path) == []


def test_sharded_dir_splits_by_count_and_replaces_an_earlier_run(tmp_path):
    out = tmp_path / "shards"
    out.mkdir()
    for stale in ("part-00000.jsonl", "part-00007.jsonl"):
        (out / stale).write_bytes(b"stale\n")
    (out / "README").write_text("keep me", encoding="utf-8")
    sink = ShardedDir(str(out), shard_size=2)
    for line in LINES:
        sink.write(line)
    assert (out / "part-00000.jsonl").read_bytes() == b"stale\n"  # old run intact until commit
    sink.commit()
    shards = sorted(p.name for p in out.glob("part-*"))
    assert shards == [f"part-{n:05d}.jsonl" for n in range((len(LINES) + 1) // 2)]
    assert b"".join((out / s).read_bytes() for s in shards) == b"".join(LINES)
    assert (out / "README").read_text(encoding="utf-8") == "keep me"
    assert leftovers(out) == []


def test_sharded_dir_abort_leaves_directory_as_it_was(tmp_path):
    out = tmp_path / "shards"
    out.mkdir()
    (out / "part-00000.jsonl").write_bytes(b"previous\n")
    sink = ShardedDir(str(out), shard_size=1)
    for line in LINES:
        sink.write(line)
    sink.abort()
    assert os.listdir(out) == ["part-00000.jsonl"]
    assert (out / "part-00000.jsonl").read_bytes() == b"previous\n"


def test_open_sink_picks_directory_for_trailing_slash_and_shard_size(tmp_path):
    assert isinstance(open_sink(str(tmp_path / "d1") + "/"), ShardedDir)
    assert isinstance(open_sink(str(tmp_path / "d2"), shard_size=10), ShardedDir)
    with pytest.raises(ValueError, match="shard size"):
        ShardedDir(str(tmp_path / "d3"), shard_size=0)
    for sink_dir in ("d1", "d2"):
        assert len(leftovers(tmp_path / sink_dir)) == 1  # only the staging directory, until commit/abort


def test_output_record_shape():
    doc = Document(id="7", text="正文", source="a.jsonl:3", meta={"encoding": "utf-8"},
                   fields={"url": "https://example.cn", "id": "shadowed"})
    record = output_record(doc)
    assert list(record) == ["id", "text", "source", "url", "meta"]
    assert record["id"] == "7" and record["meta"] == {"encoding": "utf-8"}


def test_reject_records_give_every_removed_piece_with_ids_and_rule():
    text = next(iter(seed_texts().values()))
    doc = Document(id="s1", text=text, source="seed.txt", fields={"url": "u"})
    doc.record_removal("rules", "watermark_aej", "AEJ毕节网", kind="span", line=0)
    doc.record_removal("rules", "chrome", "AEJ毕节网", kind="line", line=1)
    doc.reject("min_length", "min_cjk", value=3, threshold=50)
    receipts = reject_records(doc)
    assert [(r["id"], r["stage"], r["rule"], r["kind"]) for r in receipts] == [
        ("s1", "rules", "watermark_aej", "span"),
        ("s1", "rules", "chrome", "line"),
        ("s1", "min_length", "min_cjk", "document"),
    ]
    assert receipts[0]["line"] == 0 and receipts[0]["text"] == "AEJ毕节网"
    whole = receipts[-1]
    assert (whole["text"], whole["fields"], whole["value"], whole["threshold"]) == (text, {"url": "u"}, 3, 50)


@pytest.mark.parametrize("shard_size", [1, 2, 3, 100])
def test_write_many_splits_shards_exactly_like_write(tmp_path, shard_size):
    one, many = tmp_path / "one", tmp_path / "many"
    sink = ShardedDir(str(one), shard_size=shard_size)
    for line in LINES * 3:
        sink.write(line)
    sink.commit()
    sink = ShardedDir(str(many), shard_size=shard_size)
    for start in range(0, len(LINES) * 3, 4):  # batches that straddle shard boundaries
        sink.write_many((LINES * 3)[start:start + 4])
    sink.write_many([])
    sink.commit()
    assert sink.count == len(LINES) * 3
    assert sorted(os.listdir(one)) == sorted(os.listdir(many))
    assert all((one / name).read_bytes() == (many / name).read_bytes() for name in os.listdir(one))
