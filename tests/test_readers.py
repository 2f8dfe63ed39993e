"""Finding and opening inputs: directories, globs, compression, WARC archives."""

from __future__ import annotations

import bz2
import gzip
import lzma
import os

import pytest
import zstandard
from realtext import GBK_PAGE, UTF8_PAGE, gold_text, records, seed_texts, write_jsonl, write_warc

from corpusclean.io.parse import ParseOptions, parse_item
from corpusclean.io.readers import InputError, expand_inputs, iter_raw

COMPRESSORS = {
    ".gz": gzip.compress,
    ".bz2": bz2.compress,
    ".xz": lzma.compress,
    ".zst": lambda data: zstandard.ZstdCompressor().compress(data),
}


def docs_of(inputs, **kwargs):
    errors: list[str] = []
    docs = [parse_item(item, ParseOptions()) for item in iter_raw([str(i) for i in inputs], errors, **kwargs)]
    return docs, errors


@pytest.mark.parametrize("suffix", sorted(COMPRESSORS))
def test_compressed_jsonl_reads_like_plain(tmp_path, suffix):
    rows = records(300, seed=1)
    plain = write_jsonl(tmp_path / "part.jsonl", rows)
    packed = tmp_path / f"part.jsonl{suffix}"
    packed.write_bytes(COMPRESSORS[suffix](plain.read_bytes()))
    plain_docs, _ = docs_of([plain])
    packed_docs, errors = docs_of([packed])
    assert errors == []
    assert [(d.id, d.text, d.fields) for d in packed_docs] == [(d.id, d.text, d.fields) for d in plain_docs]
    assert [d.id for d in packed_docs] == [r["id"] for r in rows]
    assert packed_docs[5].source == f"{packed}:6"


@pytest.mark.parametrize("suffix", sorted(COMPRESSORS))
def test_compressed_text_file_in_gbk(tmp_path, suffix):
    name, text = next(iter(seed_texts().items()))
    path = tmp_path / f"{name}{suffix}"
    path.write_bytes(COMPRESSORS[suffix](text.encode("gbk")))
    (doc,), errors = docs_of([path])
    assert errors == []
    assert (doc.id, doc.text, doc.meta["encoding"]) == (path.name, text, "gb18030")


def test_directory_is_read_recursively_sorted_and_hidden_files_skipped(tmp_path):
    seeds = seed_texts()
    names = sorted(seeds)
    (tmp_path / "b" / "deep").mkdir(parents=True)
    (tmp_path / "a").mkdir()
    layout = {
        tmp_path / "b" / "deep" / names[0]: seeds[names[0]],
        tmp_path / "a" / names[1]: seeds[names[1]],
        tmp_path / names[2]: seeds[names[2]],
    }
    for path, text in layout.items():
        path.write_text(text, encoding="utf-8")
    (tmp_path / ".partial-tmp").write_text("不该读", encoding="utf-8")
    write_jsonl(tmp_path / "b" / "rows.jsonl", records(3))
    docs, errors = docs_of([tmp_path])
    assert errors == []
    sources = [d.source.split(":")[0] for d in docs]
    assert sources == sorted(sources)
    assert [d.text for d in docs if d.source in map(str, layout)] == [layout[p] for p in sorted(layout)]
    assert sum(d.source.startswith(str(tmp_path / "b" / "rows.jsonl")) for d in docs) == 3
    assert not any("不该读" in d.text for d in docs)


def test_glob_patterns_expand_recursively_and_report_no_match(tmp_path):
    (tmp_path / "x" / "y").mkdir(parents=True)
    write_jsonl(tmp_path / "x" / "1.jsonl", records(2))
    write_jsonl(tmp_path / "x" / "y" / "2.jsonl", records(3))
    (tmp_path / "x" / "y" / "note.txt").write_text("说明", encoding="utf-8")
    errors: list[str] = []
    found = list(expand_inputs([str(tmp_path / "**" / "*.jsonl"), str(tmp_path / "*.warc")], errors))
    assert found == [str(tmp_path / "x" / "1.jsonl"), str(tmp_path / "x" / "y" / "2.jsonl")]
    assert errors == [f"{tmp_path / '*.warc'}: pattern matches no files"]


def test_missing_paths_are_reported_and_the_rest_still_read(tmp_path):
    good = write_jsonl(tmp_path / "good.jsonl", records(4))
    (tmp_path / "empty").mkdir()
    docs, errors = docs_of([tmp_path / "nope.jsonl", good, tmp_path / "empty"])
    assert len(docs) == 4
    assert errors == [f"{tmp_path / 'nope.jsonl'}: no such file or directory",
                      f"{tmp_path / 'empty'}: directory holds no files"]


def test_format_option_overrides_extension(tmp_path):
    path = write_jsonl(tmp_path / "rows.dat", records(3))
    docs, _ = docs_of([path], fmt="jsonl")
    assert [d.id for d in docs] == ["d00000", "d00001", "d00002"]
    (whole,), _ = docs_of([path])  # unknown extension: one text document
    assert whole.text == path.read_text(encoding="utf-8")
    with pytest.raises(InputError, match="unknown format 'csv'"):
        docs_of([path], fmt="csv")


def test_blank_lines_in_jsonl_are_skipped_but_line_numbers_kept(tmp_path):
    rows = records(3)
    path = write_jsonl(tmp_path / "rows.jsonl", rows)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text(lines[0] + "\n   \n" + "".join(lines[1:]), encoding="utf-8")
    docs, _ = docs_of([path])
    assert [d.source for d in docs] == [f"{path}:1", f"{path}:4", f"{path}:5"]


@pytest.mark.parametrize(("name", "gzip_records"), [("crawl.warc", False), ("crawl.warc.gz", True)])
def test_warc_html_responses_are_extracted_and_other_records_skipped(tmp_path, name, gzip_records):
    path = tmp_path / name
    write_warc(path, gzip_records=gzip_records)
    docs, errors = docs_of([path])
    assert errors == []
    assert [d.id for d in docs] == ["http://junshi.example.cn/feixing.html", "http://www.example.cn/yunnan.html"]
    gbk, utf8 = docs
    assert gbk.meta["encoding"] == "gb18030" and utf8.meta["encoding"] == "utf-8"
    assert gold_text(GBK_PAGE).split("。")[0] in gbk.text
    assert max(gold_text(UTF8_PAGE).split("\n"), key=len) in utf8.text
    assert utf8.meta["url"] == "http://www.example.cn/yunnan.html" and utf8.meta["warc_date"]
    assert gbk.source.startswith(f"{path}:")


def test_reading_never_modifies_inputs(tmp_path):
    path = write_jsonl(tmp_path / "rows.jsonl", records(20))
    before = (path.read_bytes(), os.stat(path).st_mtime_ns)
    docs_of([path])
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before
