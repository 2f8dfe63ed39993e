"""Tables as trafilatura writes them in extracted text: Markdown rows, ``| cell | cell |``, border rows
``|---|---|`` between. Extracted text from older Chinese sites is often nothing but such rows (pages laid
out in tables), so measures of prose must read the cells, not the pipes."""

from __future__ import annotations

import re

# A cell boundary in trafilatura's table rows: a pipe it did not escape (a pipe inside a cell is "\\|").
_CELL_BOUNDARY = re.compile(r"(?<!\\)\|")
_SEPARATOR_CELL = re.compile(r":?-+:?")


def is_row(line: str) -> bool:
    """A table row as trafilatura writes it: between an opening and a closing (unescaped) pipe. A line
    that merely starts with a pipe is text.

    >>> is_row("| 正文 | "), is_row("|标题"), is_row("| a \\\\|")
    (True, False, False)
    """
    end = line.rstrip()
    return line.startswith("|") and len(end) > 1 and end.endswith("|") and not end.endswith("\\|")


def cells(row: str) -> list[str]:
    """The non-empty cells of a table row (``| a | b |``); separator cells (``---``) count as empty."""
    stripped = (cell.strip() for cell in _CELL_BOUNDARY.split(row.strip())[1:-1])
    return [cell for cell in stripped if cell and not _SEPARATOR_CELL.fullmatch(cell)]


def cells_as_lines(text: str) -> str:
    r"""``text`` with every table row replaced by its non-empty cells, one per line (``\|`` read as ``|``):
    what a measure of lines and sentences should see of a page laid out in tables. ``text`` itself (the
    same object) when it has no table row.

    >>> print(cells_as_lines("标题\n| 昨天去金矿玩 | 2005-03-21 |\n|---|---|\n| 距墨爾本西北約110公里處。 |"))
    标题
    昨天去金矿玩
    2005-03-21
    距墨爾本西北約110公里處。
    >>> text = "没有表格。"
    >>> cells_as_lines(text) is text
    True
    """
    if "|" not in text:
        return text
    lines = text.split("\n")
    if not any(is_row(line) for line in lines):
        return text
    out: list[str] = []
    for line in lines:
        if is_row(line):
            out.extend(cell.replace("\\|", "|") for cell in cells(line))
        else:
            out.append(line)
    return "\n".join(out)
