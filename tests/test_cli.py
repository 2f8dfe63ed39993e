"""`corpusclean clean` and `explain` end to end: outputs, rejects, report, errors and exit codes, atomicity,
ordering with workers, and help text."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
import signal
import subprocess
import sys
import time

import pytest
import zstandard
from click.testing import CliRunner
from realtext import SEEDS, read_jsonl, records, seed_texts, write_jsonl
from teststages import register

from corpusclean.cli import main
from corpusclean.document import Document
from corpusclean.pipeline import CHUNK_ITEMS
from corpusclean.stages.whitespace import Whitespace

WATERMARK = "AEJ毕节网"  # the watermark line of seed 000, a real one


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def run(*args: str, stdin: bytes | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "corpusclean.cli", *map(str, args)], input=stdin,
                          capture_output=True, timeout=120, **kwargs)


def recipe(tmp_path, *stages: str) -> str:
    path = tmp_path / "recipe.toml"
    path.write_text("\n".join(stages), encoding="utf-8")
    return str(path)


def io_recipe(tmp_path) -> str:
    """A fixed recipe, so these I/O tests do not change meaning as stages join the default recipe."""
    return recipe(tmp_path, '[[stages]]\nuse = "whitespace"', '[[stages]]\nuse = "min_length"')


def partials(*directories) -> list[str]:
    return [name for d in directories for name in os.listdir(d) if "partial" in name or name.startswith(".")]


def test_stdin_to_stdout_is_pure_jsonl_and_summary_goes_to_stderr(tmp_path):
    rows = records(600, seed=2)
    data = write_jsonl(tmp_path / "in.jsonl", rows).read_bytes()
    proc = run("clean", "-", "-o", "-", "--workers", "2", "--config", io_recipe(tmp_path), stdin=data)
    assert proc.returncode == 0, proc.stderr.decode()
    out = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]  # every line is JSON
    kept = [r for r in rows if r["text"].strip()]
    assert [r["id"] for r in out] == [r["id"] for r in kept]
    assert [r["text"] for r in out] == [r["text"] for r in kept]
    assert all(r["url"] == f"https://example.cn/{int(r['id'][1:])}" and r["source"].startswith("<stdin>:")
               for r in out)
    assert b"\\u" not in proc.stdout
    assert f"documents: {len(rows)} in, {len(kept)} out".encode() in proc.stderr


def test_text_and_id_fields_from_the_command_line(tmp_path):
    rows = [{"content": r["text"], "doc": i, "site": "example.cn"} for i, r in enumerate(records(20))]
    path = write_jsonl(tmp_path / "in.jsonl", rows)
    proc = run("clean", path, "-o", "-", "-q", "--text-field", "content", "--id-field", "doc", "-w", "1",
               "--config", io_recipe(tmp_path))
    out = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert proc.returncode == 0 and proc.stderr == b""
    assert [r["id"] for r in out] == [str(i) for i, r in enumerate(rows) if r["content"].strip()]
    assert all(r["site"] == "example.cn" and "content" not in r for r in out)


@pytest.mark.parametrize(("suffix", "decompress"), [
    (".gz", gzip.decompress), (".bz2", bz2.decompress), (".xz", lzma.decompress),
    (".zst", lambda b: zstandard.ZstdDecompressor().decompressobj().decompress(b)),
])
def test_compressed_output_matches_plain_output(tmp_path, suffix, decompress):
    assert invoke("clean", SEEDS, "-o", tmp_path / "plain.jsonl", "-q", "-w", "1").exit_code == 0
    result = invoke("clean", SEEDS, "-o", tmp_path / f"out.jsonl{suffix}", "-q", "-w", "1")
    assert result.exit_code == 0, result.output
    assert decompress((tmp_path / f"out.jsonl{suffix}").read_bytes()) == (tmp_path / "plain.jsonl").read_bytes()
    assert partials(tmp_path) == []


def test_shard_size_writes_a_directory_of_shards(tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", records(700, seed=3))
    config = io_recipe(tmp_path)
    assert invoke("clean", path, "-o", tmp_path / "plain.jsonl", "-q", "-w", "1", "--config", config).exit_code == 0
    result = invoke("clean", path, "-o", tmp_path / "shards", "--shard-size", "100", "-q", "-w", "1",
                    "--config", config)
    assert result.exit_code == 0, result.output
    shards = sorted((tmp_path / "shards").iterdir())
    assert [len(p.read_text(encoding="utf-8").splitlines()) for p in shards][:-1] == [100] * (len(shards) - 1)
    assert b"".join(p.read_bytes() for p in shards) == (tmp_path / "plain.jsonl").read_bytes()


def test_every_document_and_removed_line_is_recoverable_from_rejects(tmp_path, monkeypatch):
    register(monkeypatch)
    config = recipe(tmp_path, '[[stages]]\nuse = "test_drop_lines"\nmarkers = ["AEJ毕节网", "版权所有"]',
                    '[[stages]]\nuse = "whitespace"', '[[stages]]\nuse = "min_length"\nmin_cjk = 30')
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in seed_texts().items():
        (corpus / name).write_text(text, encoding="utf-8")
    write_jsonl(corpus / "rows.jsonl", records(50, seed=4))
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    result = invoke("clean", corpus, "-o", out, "--rejects", rejects, "--config", config, "-q", "-w", "2")
    assert result.exit_code == 0, result.output
    kept = {r["id"]: r for r in read_jsonl(out)}
    receipts = read_jsonl(rejects)
    dropped = {r["id"]: r for r in receipts if r["kind"] == "document"}
    inputs = {**{name: text for name, text in seed_texts().items()},
              **{r["id"]: r["text"] for r in records(50, seed=4)}}
    assert set(kept) | set(dropped) == set(inputs) and not set(kept) & set(dropped)
    assert any(r["rule"] == "min_cjk" for r in dropped.values())
    removed_lines = [r for r in receipts if r["kind"] == "line"]
    assert any(r["text"].strip() == WATERMARK for r in removed_lines)
    for doc_id, text in seed_texts().items():
        lines = [r for r in removed_lines if r["id"] == doc_id]
        assert all(r["stage"] == "test_drop_lines" and r["rule"] == "marker" for r in lines)
        original = text.split("\n")
        for receipt in lines:
            assert original[receipt["line"]] == receipt["text"]  # each removed line, at its place
        removed_at = {r["line"] for r in lines}
        rest = "\n".join(line for n, line in enumerate(original) if n not in removed_at)
        cleaned = kept[doc_id]["text"] if doc_id in kept else dropped[doc_id]["text"]
        # What is left is the original minus the receipted lines, with only layout whitespace tidied.
        assert cleaned == Whitespace().edit(Document(id=doc_id, text=rest))


def test_report_is_json_and_agrees_with_the_files(tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", records(100, seed=5))
    with open(path, "ab") as handle:
        handle.write(b'{"id": "broken", "text": 5}\n[1]\n')
    out, rejects, report = tmp_path / "o.jsonl", tmp_path / "r.jsonl", tmp_path / "run.json"
    result = invoke("clean", path, "-o", out, "--rejects", rejects, "--report", report, "-q", "-w", "1",
                    "--config", io_recipe(tmp_path))
    assert result.exit_code == 1  # two lines could not be read
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["docs_in"] == 102 and data["docs_out"] == len(read_jsonl(out))
    assert data["docs_rejected"] == len(read_jsonl(rejects)) == 102 - data["docs_out"]
    assert data["rejected_by_rule"]["read/text_not_string"] == 1
    assert data["rejected_by_rule"]["read/not_an_object"] == 1
    assert data["chars_out"] == sum(len(r["text"]) for r in read_jsonl(out))
    assert [s["stage"] for s in data["stages"]] == ["whitespace", "min_length"]
    assert data["versions"]["trafilatura"] and len(data["errors"]) == 2
    assert all(e.startswith(f"{path}:") for e in data["errors"])


def test_missing_input_is_one_line_naming_it_and_exit_1(tmp_path):
    result = invoke("clean", tmp_path / "nope.jsonl", "-o", tmp_path / "o.jsonl", "-q")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [f"corpusclean: {tmp_path / 'nope.jsonl'}: no such file or directory"]
    loud = invoke("clean", tmp_path / "nope.jsonl", SEEDS, "-o", tmp_path / "o.jsonl", "--config", io_recipe(tmp_path))
    assert loud.exit_code == 1 and f"{tmp_path / 'nope.jsonl'}: no such file" in loud.stderr
    assert "Traceback" not in loud.output and len(read_jsonl(tmp_path / "o.jsonl")) == len(seed_texts())


@pytest.mark.parametrize(("content", "says"), [
    ('[[stages]]\nuse = "whitespac"', "unknown stage 'whitespac'"),
    ('[[stages]]\nuse = "min_length"\nmin_char = 5', "has no parameter 'min_char'"),
    ('[[stages]]\nuse = "min_length"\nmin_chars = -1', "min_length"),
    ('[[stages]\nuse = "whitespace"', "not valid TOML"),
    ('stages = []', "non-empty list"),
    (None, "cannot read recipe"),
])
def test_bad_recipe_is_one_line_and_exit_2(tmp_path, content, says):
    path = tmp_path / "recipe.toml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = invoke("clean", SEEDS, "-o", tmp_path / "o.jsonl", "--config", path)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {path}") and says in lines[0], result.stderr
    assert not (tmp_path / "o.jsonl").exists()


def test_bad_options_exit_2_naming_the_option(tmp_path):
    result = invoke("clean", SEEDS, "-o", tmp_path / "o.jsonl", "--workers", "0")
    assert result.exit_code == 2 and "--workers" in result.stderr
    result = invoke("clean", SEEDS, "-o", tmp_path / "o.jsonl", "--rejects", tmp_path / "o.jsonl")
    assert result.exit_code == 2 and "--rejects" in result.stderr


def test_on_error_fail_writes_nothing_and_keeps_old_output(tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", records(300))
    with open(path, "ab") as handle:
        handle.write(b"{oops\n")
    out = tmp_path / "o.jsonl"
    out.write_bytes(b"previous run\n")
    result = invoke("clean", path, "-o", out, "--rejects", tmp_path / "r.jsonl", "--on-error", "fail", "-w", "2",
                    "--config", io_recipe(tmp_path))
    assert result.exit_code == 1
    assert f"{path}:301" in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert out.read_bytes() == b"previous run\n"
    assert not (tmp_path / "r.jsonl").exists() and partials(tmp_path) == []


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_stage_crashing_mid_run_leaves_no_output(tmp_path, monkeypatch, workers):
    register(monkeypatch)
    path = write_jsonl(tmp_path / "in.jsonl", records(2000))
    config = recipe(tmp_path, '[[stages]]\nuse = "test_explode"\nat_id = "d01500"')
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.jsonl").write_bytes(b"previous run\n")
    result = invoke("clean", path, "-o", out / "old.jsonl", "--rejects", out / "r.jsonl.gz", "--config", config,
                    "-w", workers, "-q")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: RuntimeError: stage failed on d01500"
    assert sorted(os.listdir(out)) == ["old.jsonl"]
    assert (out / "old.jsonl").read_bytes() == b"previous run\n"


def test_keyboard_interrupt_inside_the_run_leaves_no_output(tmp_path, monkeypatch):
    register(monkeypatch)
    path = write_jsonl(tmp_path / "in.jsonl", records(1000))
    config = recipe(tmp_path, '[[stages]]\nuse = "test_explode"\nat_id = "d00700"\ninterrupt = true')
    result = invoke("clean", path, "-o", f"{tmp_path / 'shards'}/", "--rejects", tmp_path / "r.jsonl",
                    "--config", config, "-w", "1")
    assert result.exit_code == 130
    assert "interrupted; no output was written" in result.stderr
    assert sorted(os.listdir(tmp_path)) == ["in.jsonl", "recipe.toml"]  # not even the shard directory


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_with_workers_leaves_no_output(tmp_path):
    """A real Ctrl-C: SIGINT to the whole process group (main process and workers) while output is open."""
    path = write_jsonl(tmp_path / "in.jsonl", records(3000))
    flag = tmp_path / "started"
    script = (
        "import sys, teststages\n"
        "from pytest import MonkeyPatch\n"
        "teststages.register(MonkeyPatch())\n"
        "from corpusclean.cli import main\n"
        "sys.exit(main())\n"
    )
    config = recipe(tmp_path, f'[[stages]]\nuse = "test_slow"\nseconds = 0.002\nflag = "{flag}"')
    out = tmp_path / "out.jsonl"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([os.path.dirname(__file__), *sys.path])}
    proc = subprocess.Popen(
        [sys.executable, "-c", script, "clean", str(path), "-o", str(out), "--rejects", str(tmp_path / "r.jsonl"),
         "--config", config, "-w", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("started.*"))) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # until both workers are processing documents
    assert proc.poll() is None, proc.stderr.read().decode()
    assert partials(tmp_path), "the run should have its partial files open"
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr.decode()
    assert b"Traceback" not in stderr
    assert not out.exists() and not (tmp_path / "r.jsonl").exists() and partials(tmp_path) == []


def test_workers_give_byte_identical_output_rejects_and_report(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in seed_texts().items():
        (corpus / name).write_text(text, encoding="utf-8")
    write_jsonl(corpus / "a.jsonl", records(700, seed=6))
    with open(corpus / "a.jsonl", "ab") as handle:
        handle.write(b"[1]\n")
    write_jsonl(corpus / "b.jsonl", records(200, seed=7))
    results = {}
    for workers in ("1", "2"):
        files = [tmp_path / f"out{workers}.jsonl", tmp_path / f"rej{workers}.jsonl", tmp_path / f"rep{workers}.json"]
        result = invoke("clean", corpus, "-o", files[0], "--rejects", files[1], "--report", files[2], "-w", workers,
                        "-q")
        assert result.exit_code == 1  # the array line
        report = json.loads(files[2].read_text(encoding="utf-8"))
        for key in ("output", "rejects"):
            report.pop(key)
        results[workers] = (files[0].read_bytes(), files[1].read_bytes(), report)
    assert results["1"] == results["2"]
    assert results["1"][0].count(b"\n") > 2 * CHUNK_ITEMS  # several chunks, so both workers take part


def test_undecodable_text_file_is_reported_and_kept_in_rejects(tmp_path):
    import base64
    import random

    (tmp_path / "in").mkdir()
    blob = random.Random(1).randbytes(3000)
    (tmp_path / "in" / "blob.txt").write_bytes(blob)
    (tmp_path / "in" / "seed.txt").write_text(next(iter(seed_texts().values())), encoding="utf-8")
    result = invoke("clean", tmp_path / "in", "-o", tmp_path / "o.jsonl", "--rejects", tmp_path / "r.jsonl", "-q",
                    "--config", io_recipe(tmp_path))
    assert result.exit_code == 1 and "blob.txt" in result.stderr and "Traceback" not in result.output
    (receipt,) = read_jsonl(tmp_path / "r.jsonl")
    assert receipt["rule"] == "undecodable" and base64.b64decode(receipt["raw_b64"]) == blob
    assert len(read_jsonl(tmp_path / "o.jsonl")) == 1


def test_every_command_has_help_with_examples():
    commands = sorted(main.commands)
    assert {"clean", "explain"} <= set(commands)
    top = invoke("--help")
    assert top.exit_code == 0 and "Usage:" in top.output
    for name in commands:
        result = invoke(name, "--help")
        assert result.exit_code == 0, name
        assert "Examples:" in result.output, f"`corpusclean {name} --help` has no Examples section"
        examples = result.output.split("Examples:", 1)[1]
        assert f"corpusclean {name}" in examples, name


def test_explain_marks_each_removed_line_with_its_rule(tmp_path, monkeypatch):
    register(monkeypatch)
    config = recipe(tmp_path, f'[[stages]]\nuse = "test_drop_lines"\nmarkers = ["{WATERMARK}"]')
    seed = sorted(SEEDS.glob("*.txt"))[0]
    result = invoke("explain", seed, "--config", config)
    assert result.exit_code == 0, result.output
    marked = [line for line in result.output.splitlines() if line.startswith("- ")]
    assert marked and all(WATERMARK in line and "[test_drop_lines/marker]" in line for line in marked)
    assert sum(WATERMARK in line for line in seed.read_text(encoding="utf-8").split("\n")) == len(marked)
    missing = invoke("explain", seed, "--id", "no-such-id")
    assert missing.exit_code == 1 and "no document with id 'no-such-id'" in missing.stderr


def test_explain_marks_a_watermark_glued_to_many_lines_once_on_each(tmp_path):
    # Seed 000 has "AEJ毕节网" glued after the sentence end of every paragraph: each of those lines
    # carries exactly one marked span, not all of them stacked on the first line.
    seed = SEEDS / "000_4756ecb91caec781.txt"
    result = invoke("explain", seed)
    assert result.exit_code == 0, result.output
    shown = [line for line in result.output.splitlines() if line.startswith("  ") and "AEJ毕节网" in line]
    glued = [line for line in seed.read_text(encoding="utf-8").split("\n")
             if "AEJ毕节网" in line and line.strip() != "AEJ毕节网"]
    assert len(shown) == len(glued) > 5
    assert all(line.count("⟦AEJ毕节网⟧") == 1 for line in shown)


def test_piping_into_a_closed_reader_is_not_an_error():
    proc = subprocess.run(
        f"{sys.executable} -m corpusclean.cli rules | head -1", shell=True, capture_output=True, text=True, timeout=120
    )
    assert proc.stdout.count("\n") == 1 and "Broken pipe" not in proc.stderr


def test_explain_marks_every_labelled_boilerplate_line_of_the_seeds():
    labels = json.loads((SEEDS.parent / "tests" / "data" / "seeds_lines.json").read_text(encoding="utf-8"))
    for name in ("001_b2f4033019ffc91c.txt", "004_6a657f5fa5bbd2b0.txt"):
        result = invoke("explain", SEEDS / name)
        assert result.exit_code == 0, result.output
        marked = {line[2:].rsplit("   [", 1)[0].strip() for line in result.output.splitlines() if line.startswith("- ")}
        for drop in labels[name]["drop"]:
            assert drop.strip() in marked, drop


def test_default_workers_is_one_for_small_inputs_and_the_cores_otherwise(tmp_path, monkeypatch):
    from corpusclean import cli

    monkeypatch.setattr(cli.os, "cpu_count", lambda: 4)
    small = tmp_path / "small.jsonl"
    small.write_bytes(b'{"text": "\xe6\xb7\xb1\xe5\x9c\xb3"}\n' * 100)
    assert cli.default_workers((str(small),)) == 1
    assert cli.default_workers((str(tmp_path),)) == 1
    assert cli.default_workers(("-",)) == 4  # stdin: size unknown
    large = tmp_path / "large.jsonl"
    with open(large, "wb") as handle:
        handle.truncate(cli.SMALL_INPUT_BYTES)  # sparse: the size is what counts
    assert cli.default_workers((str(large),)) == 4
    assert cli.default_workers((str(tmp_path),)) == 4
    packed = tmp_path / "packed" / "part.jsonl.zst"
    packed.parent.mkdir()
    with open(packed, "wb") as handle:
        handle.truncate(cli.SMALL_INPUT_BYTES // cli.COMPRESSED_RATIO)
    assert cli.default_workers((str(packed),)) == 4
    monkeypatch.setattr(cli.os, "cpu_count", lambda: 1)
    assert cli.default_workers((str(large),)) == 1
