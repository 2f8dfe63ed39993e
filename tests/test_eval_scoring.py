"""The evaluation harness's scoring (benchmarks/eval_scoring.py) on the real seed documents and their labels."""

import doctest
import json
from pathlib import Path

import pytest

from benchmarks import eval_scoring
from benchmarks.eval_scoring import char_prf, contains, fold, macro, run_chars, score_lines

ROOT = Path(__file__).resolve().parent.parent
LABELS = json.loads((ROOT / "tests" / "data" / "seeds_lines.json").read_text(encoding="utf-8"))


def seed(name: str) -> tuple[str, dict]:
    return (ROOT / "seeds" / name).read_text(encoding="utf-8"), LABELS[name]


def without_lines(text: str, lines: list[str]) -> str:
    """``text`` with every line whose stripped form (and bullet) matches one of ``lines`` taken out."""
    targets = {fold(line) for line in lines}
    return "\n".join(line for line in text.split("\n") if fold(line) not in targets)


def test_doctests_pass():
    result = doctest.testmod(eval_scoring)
    assert result.attempted >= 8 and result.failed == 0


def test_raw_seed_keeps_all_content_and_all_boilerplate():
    text, labels = seed("003_17a6dfa9780f989e.txt")
    score = score_lines(text, keep=labels["keep"], drop=labels["drop"])
    assert score.drop_lines == len(labels["drop"])
    assert score.drop_gone == 0
    assert score.content_kept == 1.0


def test_perfect_cleaning_of_a_seed_scores_full_recall_and_precision():
    text, labels = seed("003_17a6dfa9780f989e.txt")
    cleaned = without_lines(text, labels["drop"])
    receipts = [("rules/chrome", line) for line in labels["drop"]]
    score = score_lines(cleaned, keep=labels["keep"], drop=labels["drop"], removals=receipts)
    assert score.drop_recall == 1.0
    assert score.content_kept == 1.0
    assert score.removal_precision == 1.0
    assert score.rules["rules/chrome"].removals == len(labels["drop"])


def test_removing_a_content_paragraph_is_counted_against_content_and_precision():
    text, labels = seed("003_17a6dfa9780f989e.txt")
    paragraph = max(labels["keep"], key=len)
    cleaned = without_lines(text, [*labels["drop"], paragraph])
    receipts = [("rules/too_eager", paragraph)] + [("rules/chrome", line) for line in labels["drop"]]
    score = score_lines(cleaned, keep=labels["keep"], drop=labels["drop"], removals=receipts)
    keep_chars = sum(len(fold(line)) for line in labels["keep"])
    assert score.keep_chars == keep_chars
    assert score.keep_chars_present == keep_chars - len(fold(paragraph))
    assert score.rules["rules/too_eager"].content_chars == len(fold(paragraph))
    assert score.rules["rules/chrome"].content_chars == 0
    assert score.removal_precision < 1.0


def test_traditional_output_is_scored_against_simplified_labels():
    # Seed 001 is in Traditional script; its labels are too. Scoring a Simplified rendering of the same
    # text must give the same result, since both sides are folded.
    opencc = pytest.importorskip("opencc")
    text, labels = seed("001_b2f4033019ffc91c.txt")
    simplified = opencc.OpenCC("t2s").convert(text)
    raw = score_lines(text, keep=labels["keep"], drop=labels["drop"])
    converted = score_lines(simplified, keep=labels["keep"], drop=labels["drop"])
    assert converted.keep_chars_present >= 0.99 * raw.keep_chars_present
    assert converted.drop_gone == raw.drop_gone == 0


def test_watermark_left_in_is_reported_absent_violation():
    text, labels = seed("000_4756ecb91caec781.txt")
    assert score_lines(text, keep=labels["keep"], drop=labels["drop"], absent=labels["absent"]).absent_found == [
        "AEJ毕节网"
    ]
    stripped = text.replace("AEJ毕节网", "")
    assert score_lines(stripped, keep=labels["keep"], drop=labels["drop"], absent=labels["absent"]).absent_found == []


def test_char_prf_boilerplate_lowers_precision_not_recall():
    text, labels = seed("003_17a6dfa9780f989e.txt")
    gold = "\n".join(labels["keep"])
    clean = char_prf(gold, gold)
    assert (clean.precision, clean.recall) == (1.0, 1.0)
    noisy = char_prf(text, gold)  # the raw page: all the gold plus its chrome lines
    assert noisy.recall == 1.0
    chrome = sum(len(fold(line)) for line in labels["drop"])
    assert noisy.precision < 1.0
    assert noisy.precision >= len(fold(gold)) / (len(fold(gold)) + chrome + 20)  # + the date bullet line
    half = char_prf("\n".join(labels["keep"][: len(labels["keep"]) // 2]), gold)
    assert half.precision == 1.0 and 0.2 < half.recall < 0.8


def test_macro_weighs_each_page_equally():
    a = char_prf("", "正文")
    b = char_prf("正文", "正文")
    assert macro([a, b]).recall == 0.5
    with pytest.raises(ValueError, match="at least one"):
        macro([])


def test_run_chars_ignores_scattered_characters():
    # Every character of the chrome line occurs in seed 003's content, but not as a run.
    text, labels = seed("003_17a6dfa9780f989e.txt")
    content = fold("\n".join(labels["keep"]))
    line = fold("扫一扫在手机打开当前页")
    assert run_chars(line, content) < len(line)
    assert run_chars(fold(labels["keep"][3]), fold(text)) == len(fold(labels["keep"][3]))


def test_contains_matches_across_script_and_width():
    text, _ = seed("001_b2f4033019ffc91c.txt")
    assert contains(text, "国际在线")  # the page says 國際在線
    assert not contains(text, "国际在线 版权所有 禁止转载")
