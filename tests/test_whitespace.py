"""The whitespace stage: layout whitespace only, on real seed text and on arbitrary text (Hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from realtext import seed_texts

from corpusclean.document import Document
from corpusclean.stages.whitespace import Whitespace

LAYOUT = " \t\u3000\xa0"


def reference(text: str, max_blank_lines: int) -> str:
    """The rule said plainly, line by line: trim line ends, keep at most ``max_blank_lines`` blank lines
    in a row, drop blank lines at both ends."""
    lines = [line.rstrip(LAYOUT) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    out: list[str] = []
    blanks = 0
    for line in lines:
        blanks = blanks + 1 if line == "" else 0
        if blanks <= max_blank_lines:
            out.append(line)
    while out and out[0] == "":
        out.pop(0)
    return "\n".join(out).rstrip()


@given(st.text(alphabet=st.sampled_from(list("正文。a \t\u3000\xa0\n\r")), max_size=60), st.integers(0, 3))
def test_matches_the_line_by_line_rule(text, max_blank_lines):
    assert Whitespace(max_blank_lines=max_blank_lines).edit(Document(id="h", text=text)) == reference(
        text, max_blank_lines)


@pytest.mark.parametrize("max_blank_lines", [0, 1, 2])
def test_seed_text_keeps_every_character_inside_lines(max_blank_lines):
    for name, text in seed_texts().items():
        noisy = text.replace("\n", " \u3000\n\n\n\n")
        cleaned = Whitespace(max_blank_lines=max_blank_lines).edit(Document(id=name, text=noisy))
        assert cleaned == reference(noisy, max_blank_lines)
        assert "\n" * (max_blank_lines + 2) not in cleaned
        assert [line for line in cleaned.split("\n") if line] == [line.rstrip(LAYOUT) for line in text.split("\n")
                                                                  if line.rstrip(LAYOUT)]
