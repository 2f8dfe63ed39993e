"""Faults a long run meets: a rule that backtracks for ever, a main process killed with SIGKILL, and the
litter a killed run leaves for the next one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from realtext import read_jsonl, records, write_jsonl

import corpusclean
from corpusclean.budget import Budget
from corpusclean.cli import main
from corpusclean.io.leftovers import owned_name
from corpusclean.recipe import build_pipeline, default_recipe

# A user's pack whose pattern has nested quantifiers: a line of 40 "啊" and one other character makes
# Python's regex engine try 2**40 ways before it fails.
NESTED_PACK = """
[pack]
id = "user_pack"
version = "1"
description = "a pattern with nested quantifiers"

[[rules]]
id = "ah_line"
kind = "line"
keywords = ["啊"]
pattern = '''^(啊+)+$'''
description = "a line of 啊"
remove = ["啊啊啊"]
keep = ["啊哦"]
"""
HOSTILE_LINE = "啊" * 40 + "哦"


def corpus_with_one_hostile_document(tmp_path: Path) -> tuple[Path, Path, list[dict]]:
    pack = tmp_path / "user.toml"
    pack.write_text(NESTED_PACK, encoding="utf-8")
    rows = [r for r in records(6, seed=3) if len(r["text"]) > 200][:4]
    hostile = dict(rows[1], id="hostile")
    lines = hostile["text"].split("\n")
    hostile["text"] = "\n".join([lines[0], HOSTILE_LINE, *lines[1:]])
    rows.insert(2, hostile)
    return pack, write_jsonl(tmp_path / "in.jsonl", rows), rows


def test_budget_stops_a_runaway_match():
    import re

    with Budget(0.2) as budget:
        budget.step()
        started = time.process_time()
        with pytest.raises(Exception, match="CPU time"):
            re.search(r"^(啊+)+$", HOSTILE_LINE)
    assert time.process_time() - started < 2


@pytest.mark.parametrize("seconds", [-1, "5", True])
def test_bad_time_budget_is_a_recipe_error_naming_it(seconds):
    recipe = default_recipe()
    recipe["time_budget"] = seconds
    with pytest.raises(ValueError, match="time_budget"):
        build_pipeline(recipe)


def test_pathological_rule_rejects_that_document_as_timeout_and_cleans_the_rest(tmp_path):
    pack, _, rows = corpus_with_one_hostile_document(tmp_path)
    recipe = default_recipe()
    recipe["time_budget"] = 0.5
    next(t for t in recipe["stages"] if t["use"] == "rules")["extra_packs"] = [str(pack)]
    pipeline = build_pipeline(recipe)
    plain = corpusclean.default_pipeline()
    for row in rows:
        doc = pipeline.clean(row["text"], id=row["id"])
        if row["id"] == "hostile":
            assert (doc.rejected.stage, doc.rejected.rule) == ("rules", "timeout")
            # rejected as it was before the stage that ran out: its receipts and text recover the input
            assert HOSTILE_LINE in doc.text
        else:
            expected = plain.clean(row["text"], id=row["id"])
            assert doc.rejected == expected.rejected and doc.text == expected.text


@pytest.mark.parametrize("workers", ["1", "2"])
def test_cli_run_finishes_with_the_hostile_document_in_the_rejects(tmp_path, workers):
    pack, source, _ = corpus_with_one_hostile_document(tmp_path)
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    result = CliRunner().invoke(main, ["clean", str(source), "-o", str(out), "--rejects", str(rejects),
                                       "--rules", str(pack), "--time-budget", "0.5", "--workers", workers, "-q"])
    assert result.exit_code == 0, result.output
    timeouts = [r for r in read_jsonl(rejects) if r.get("rule") == "timeout"]
    assert [(r["id"], r["stage"]) for r in timeouts] == [("hostile", "rules")]
    assert HOSTILE_LINE in timeouts[0]["text"]
    without = tmp_path / "without.jsonl"
    result = CliRunner().invoke(main, ["clean", str(source), "-o", str(without), "--workers", workers, "-q"])
    expected = [(r["id"], r["text"]) for r in read_jsonl(without) if r["id"] != "hostile"]
    assert [(r["id"], r["text"]) for r in read_jsonl(out)] == expected and len(expected) >= 2


@pytest.mark.parametrize("char", ["啊", "-", "|", "。", "=", "1", " ", "\u3000", "*", "网"])
def test_long_runs_of_one_character_finish_well_inside_the_budget(char):
    """Every built-in rule and detector against the shapes a crawl throws at them: 50,000 of one character
    on a line, many short lines of it, and the run glued to prose."""
    prose = records(1, seed=5)[0]["text"]
    texts = [char * 50_000, "\n".join([char * 7] * 3_000), prose + char * 20_000 + prose,
             "\n".join([prose, (char * 30 + "\n") * 500, prose])]
    pipeline = corpusclean.default_pipeline()
    pipeline.time_budget = 3.0
    for text in texts:
        doc = pipeline.clean(text)
        assert doc.rejected is None or doc.rejected.rule != "timeout", (char, len(text))


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigkill_of_the_main_process_ends_its_workers_and_leaves_nothing_behind(tmp_path):
    rows = records(900, seed=11)
    spill = tmp_path / "spill"
    spill.mkdir()
    env = {**os.environ, "TMPDIR": str(spill)}
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "corpusclean.cli", "clean", "-", "-o", str(out), "--workers", "2", "-q"]
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert proc.stdin is not None
    # Enough records for the workers to start, and standard input left open: the run is mid-way.
    proc.stdin.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode())
    proc.stdin.flush()
    deadline = time.monotonic() + 60
    while len(_descendants(proc.pid)) < 3 and time.monotonic() < deadline:  # fork server + 2 workers
        time.sleep(0.2)
    family = _descendants(proc.pid)
    assert len(family) >= 3
    assert list(tmp_path.glob(".out.jsonl.p*.partial"))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    time.sleep(4)
    assert [pid for pid in family if _running(pid)] == []

    rerun = subprocess.run([sys.executable, "-m", "corpusclean.cli", "clean", str(write_jsonl(
        tmp_path / "small.jsonl", rows[:20])), "-o", str(out)], env=env, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert "left by killed runs" in rerun.stderr
    assert list(tmp_path.glob(".out.jsonl.*.partial")) == []
    assert list(spill.glob("corpusclean-dedup-*")) == []


def test_sweep_removes_only_the_litter_of_ended_processes(tmp_path):
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                           text=True).stdout.strip()
    living = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        out = tmp_path / "out.jsonl"
        dead_file = tmp_path / f".out.jsonl.p{ended}.abcd.partial"
        live_file = tmp_path / f".out.jsonl.p{living.pid}.abcd.partial"
        unowned = tmp_path / ".out.jsonl.abcd.partial"  # an older run's name: never guessed at
        for path in (dead_file, live_file, unowned):
            path.write_text("{}\n")
        spill = tmp_path / "spill"
        (spill / f"corpusclean-dedup-p{ended}.wxyz").mkdir(parents=True)
        recipe = tmp_path / "recipe.toml"
        recipe.write_text(f'[[stages]]\nuse = "whitespace"\n\n[[stages]]\nuse = "dedup"\nspill_dir = "{spill}"\n')
        source = write_jsonl(tmp_path / "in.jsonl", records(5, seed=2))
        result = CliRunner().invoke(main, ["clean", str(source), "-o", str(out), "--config", str(recipe)])
        assert result.exit_code == 0, result.output
        assert "removed 2 partial file(s) or spill folder(s) left by killed runs" in result.output
        assert not dead_file.exists() and live_file.exists() and unowned.exists()
        assert list(spill.iterdir()) == []
        assert owned_name(".x.").startswith(".x.p")
    finally:
        living.kill()
        living.wait()


def _clean_command(source: Path, out: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "corpusclean.cli", "clean", str(source), "-o", out, "-q", *extra]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SIGKILL")
def test_resume_after_sigkill_at_random_points_gives_the_uninterrupted_output(tmp_path):
    import random

    rows = records(4000, seed=21)
    rows += [dict(r, id=f"copy-{r['id']}") for r in rows[::9]]  # duplicates across chunks: dedup decides late
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    whole = tmp_path / "whole"
    subprocess.run(_clean_command(source, f"{whole}/", "--rejects", str(tmp_path / "whole.rej")), check=True)
    part = tmp_path / "part"
    journal = part / ".corpusclean-journal"
    command = _clean_command(source, f"{part}/", "--rejects", str(tmp_path / "part.rej"), "--resume",
                             "--workers", "1")
    rng = random.Random(5)
    kills = 0
    for _ in range(10):
        before = journal.stat().st_size if journal.exists() else 0
        proc = subprocess.Popen(command, stderr=subprocess.DEVNULL)
        # Kill at a random moment after this run has journalled something of its own (a kill during start-up
        # only would test nothing), or let it finish.
        while proc.poll() is None and (not journal.exists() or journal.stat().st_size <= max(before, 1000)):
            time.sleep(0.02)
        time.sleep(rng.uniform(0, 0.1))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        if proc.returncode == 0:
            break
        assert proc.returncode == -signal.SIGKILL
        kills += 1
    else:
        assert subprocess.run(command).returncode == 0
    assert kills >= 2  # 16 chunks; each killed run had journalled at least one of its own
    assert sorted(p.name for p in part.iterdir()) == ["part-00000.jsonl"]  # journal and staging gone
    assert (part / "part-00000.jsonl").read_bytes() == (whole / "part-00000.jsonl").read_bytes()
    assert (tmp_path / "part.rej").read_bytes() == (tmp_path / "whole.rej").read_bytes()


def test_journal_drops_a_torn_record_and_refuses_another_runs_journal(tmp_path):
    from corpusclean.engines.journal import Journal, JournalMismatch

    path = str(tmp_path / ".journal")
    first = Journal(path, "digest-a")
    assert list(first.done()) == []
    first.append({"chunk": 1})
    first.append({"chunk": 2})
    first.close()
    with open(path, "ab") as handle:
        handle.write(b"\x40\x00\x00\x00\x00\x00\x00\x00partial")  # a record the kill cut short
    again = Journal(path, "digest-a")
    assert list(again.done()) == [{"chunk": 1}, {"chunk": 2}]
    again.append({"chunk": 3})
    again.close()
    assert list(Journal(path, "digest-a").done()) == [{"chunk": 1}, {"chunk": 2}, {"chunk": 3}]
    with pytest.raises(JournalMismatch, match="other inputs"):
        list(Journal(path, "digest-b").done())
    header_only = tmp_path / ".cut"
    header_only.write_bytes(b"corpusclean-jour")  # killed while writing the header
    assert list(Journal(str(header_only), "digest-a").done()) == []


def test_resume_refuses_stdin(tmp_path):
    result = CliRunner().invoke(main, ["clean", "-", "-o", str(tmp_path / "out/"), "--resume"], input="{}\n")
    assert result.exit_code != 0 and "--resume needs files" in result.output
