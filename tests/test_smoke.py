"""End-to-end: the bundled seeds through the CLI give UTF-8 JSONL, one record per seed."""

import json
from pathlib import Path

from click.testing import CliRunner

from corpusclean.cli import main

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def test_clean_seeds_writes_one_record_per_seed(tmp_path):
    out = tmp_path / "clean.jsonl"
    result = CliRunner().invoke(main, ["clean", str(SEEDS), "-o", str(out), "-q", "--workers", "1"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["id"] for r in records) == sorted(p.name for p in SEEDS.iterdir())
    assert "\\u" not in out.read_text(encoding="utf-8")
    assert all(r["text"] and r["meta"]["encoding"] == "utf-8" for r in records)
