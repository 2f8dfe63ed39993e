"""The plausibility tables: built from jieba's dictionary, cached on disk for the next process."""

from __future__ import annotations

import os

import pytest

from corpusclean.text import plausibility
from corpusclean.text.plausibility import best_reading, context_cost, load_tables
from corpusclean.text.script import fold_to_simplified


@pytest.fixture(scope="module")
def built() -> plausibility.Tables:
    return load_tables(None)


def test_the_disk_cache_gives_the_built_tables_back(tmp_path, built, monkeypatch):
    first = load_tables(str(tmp_path))
    files = sorted(os.listdir(tmp_path))
    assert files == sorted(plausibility._cache_name(part) for part in plausibility.PARTS)
    assert all(name.startswith((f"plausibility-v{plausibility.TABLE_VERSION}-",
                                f"plausibility_words-v{plausibility.TABLE_VERSION}-")) for name in files)
    assert first == built

    def no_build() -> plausibility.Tables:
        raise AssertionError("built again although a cached copy is there")

    monkeypatch.setattr(plausibility, "_build_tables", no_build)
    assert load_tables(str(tmp_path)) == built


@pytest.mark.parametrize("part", plausibility.PARTS)
def test_a_damaged_cache_file_is_rebuilt(tmp_path, built, part):
    load_tables(str(tmp_path))
    path = tmp_path / plausibility._cache_name(part)
    path.write_bytes(path.read_bytes()[:1000])
    assert load_tables(str(tmp_path)) == built
    assert path.stat().st_size > 1000


def test_the_parts_hold_what_the_tables_hold(tmp_path, built, monkeypatch):
    """The costs text_cost reads, and the pairs the spam anchors read: ``pair_cost(a + b)`` is
    ``words.get(a + b, inf)`` for every word of two characters, and inf for pairs that are none."""
    costs, bonus, _, _ = plausibility._load_part("plausibility", str(tmp_path))
    assert costs == built.costs and bonus == built.bonus
    assert plausibility._load_part("plausibility_words", str(tmp_path)) == built.words
    monkeypatch.setenv("CORPUSCLEAN_CACHE", str(tmp_path))
    plausibility._char_tables.cache_clear()
    try:
        tables = plausibility._char_tables()
        pairs = {word: cost for word, cost in built.words.items() if len(word) == 2}
        assert len(tables.pair_keys) == len(pairs) and any(cost == float("inf") for cost in pairs.values())
        assert all(tables.pair_cost(word) == cost for word, cost in pairs.items())
        absent = [a + b for a in "网站的了\U00020000A\x00" for b in "网站的了\U00020000A\x00"]
        assert all(tables.pair_cost(pair) == float("inf") for pair in absent if pair not in pairs)
    finally:
        plausibility._char_tables.cache_clear()


def test_an_unwritable_cache_is_skipped(tmp_path, built):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert load_tables(str(blocker / "cache")) == built


def test_a_new_table_version_is_a_new_file(tmp_path, monkeypatch):
    name = plausibility._cache_name()
    monkeypatch.setattr(plausibility, "TABLE_VERSION", plausibility.TABLE_VERSION + 1)
    assert plausibility._cache_name() != name


def test_saving_removes_older_versions_only(tmp_path, built):
    older = tmp_path / f"plausibility-v{plausibility.TABLE_VERSION - 1}-0123456789abcdef.marshal"
    other_input = tmp_path / f"plausibility-v{plausibility.TABLE_VERSION}-0123456789abcdef.marshal"
    unrelated = tmp_path / "notes.txt"
    for path in (older, other_input, unrelated):
        path.write_bytes(b"x")
    load_tables(str(tmp_path))
    assert not older.exists() and other_input.exists() and unrelated.exists()
    assert (tmp_path / plausibility._cache_name()).exists()


def test_frequent_words_beat_their_neighbours_in_the_code_table(built):
    """Offered each character of a frequent word of jieba's dictionary beside the next code point (the
    kind of rival a lost byte leaves: 个/丫), the lattice reads the word, unless the rival is itself a
    more frequent word (上午/下午: 12 of 2,847)."""
    words = [w for w, cost in built.words.items() if 2 <= len(w) <= 4 and cost < 4.5]
    assert len(words) > 2000
    misread = []
    for word in words:
        read = best_reading([[ch, chr(ord(ch) + 1)] for ch in word])[1]
        if read != word:
            misread.append(word)
            assert built.words.get(fold_to_simplified(read), 99) < built.words[word], (word, read)
    assert len(misread) <= len(words) // 100


def test_context_costs_come_from_the_counts():
    # A line ends in "。" far more often than "，" does, and "％" follows digits.
    assert context_cost("。", "line_end") < 0 < context_cost("，", "line_end")
    assert context_cost("％", "after_digit") < 0 < context_cost("％", "before_digit")
    assert context_cost("a", "line_end") == 0.0
