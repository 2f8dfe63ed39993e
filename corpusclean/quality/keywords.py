"""Spam keyword packs (``rules/quality/spam_keywords.toml``): matched in one pass on a Simplified,
lower-cased view, so Traditional spellings of a keyword match too and cost does not grow per keyword.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from corpusclean.text import table_cache
from corpusclean.text.codepoints import code_points


class KeywordPack:
    """A spam keyword pack (``rules/quality/spam_keywords.toml`` or a user's file of the same schema).

    Keywords are matched with one Aho-Corasick DFA (ahocorasick-rs, one table lookup per byte) on the UTF-8
    bytes of the Simplified, lower-cased view of the text, so the cost does not grow with the number of
    keywords and Traditional spam matches too. The automaton is rebuilt after unpickling (stages travel to
    worker processes).
    """

    def __init__(self, path: str | None = None) -> None:
        import tomllib

        self.path = str(path) if path else str(builtin_quality_dir() / "spam_keywords.toml")
        try:
            with open(self.path, "rb") as handle:
                data = tomllib.load(handle)
        except OSError as exc:
            raise ValueError(f"{self.path}: cannot read keyword pack: {exc.strerror or exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{self.path}: not valid TOML: {exc}") from None
        meta = data.get("pack", {})
        self.id = str(meta.get("id", "spam_keywords"))
        self.version = str(meta.get("version", ""))
        self.groups: dict[str, list[str]] = {}
        for group in data.get("groups", []):
            keywords = group.get("keywords")
            if not group.get("id") or not isinstance(keywords, list) or not keywords:
                raise ValueError(f"{self.path}: each [[groups]] table needs an 'id' and a non-empty 'keywords' list")
            self.groups[group["id"]] = [_keyword_view(k) for k in keywords if k]
        if not self.groups:
            raise ValueError(f"{self.path}: no [[groups]] of keywords")
        self.examples = data.get("groups", [])
        self._automaton: object | None = None
        self._entries: list[str] = []
        self._raw = True

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state["_automaton"] = None
        return state

    def _build(self) -> object:
        try:
            import ahocorasick_rs
        except ImportError:
            raise ImportError("the spam filter needs ahocorasick-rs: pip install ahocorasick-rs") from None
        # Every spelling of each keyword that the view maps to it (Traditional characters, upper case), so
        # the automaton reads the document's own UTF-8 and no view is made. A pack whose keywords have too
        # many spellings (long Latin words: 2 per letter) is matched on the view instead.
        self._entries, keys = [], []
        spellings = [(group, _spellings(keyword)) for group, keywords in self.groups.items() for keyword in keywords]
        self._raw = all(len(variants) <= _MAX_SPELLINGS for _, variants in spellings)
        for group, variants in spellings:
            for variant in variants if self._raw else variants[:1]:
                self._entries.append(group)
                keys.append(variant.encode("utf-8", "surrogatepass"))
        return ahocorasick_rs.BytesAhoCorasick(keys, implementation=ahocorasick_rs.Implementation.DFA)

    def matches_raw_text(self) -> bool:
        """Whether the automaton reads a document's own text (every keyword has few enough spellings to be
        listed), rather than its view."""
        if self._automaton is None:
            self._automaton = self._build()
        return self._raw

    def _byte_matches(self, text: str) -> tuple[bytes, list[tuple[int, int, int]]]:
        if self._automaton is None:
            self._automaton = self._build()
        view = text if self._raw else _keyword_view(text)
        data = view.encode("utf-8", "surrogatepass")
        found = self._automaton.find_matches_as_indexes(data, overlapping=True)  # type: ignore[attr-defined]
        return data, found

    def matches(self, text: str) -> list[tuple[int, int, str]]:
        """``(start, end, group)`` of every keyword occurrence in ``text`` (character offsets, overlapping
        ones included).

        >>> [(s, e, g) for s, e, g in default_keywords().matches("欢迎来到百家乐")]
        [(4, 7, 'gambling')]
        """
        view, found = self._byte_matches(text)
        if not found:
            return []
        # Keywords are whole UTF-8 characters, so every match starts and ends on a character boundary:
        # the character offset of a byte offset is the number of lead bytes before it.
        lead = np.concatenate(([0], np.cumsum((np.frombuffer(view, dtype=np.uint8) & 0xC0) != 0x80)))
        return [(int(lead[start]), int(lead[end]), self._entries[index]) for index, start, end in found]

    def covered_chars(self, text: str) -> int:
        """Characters of ``text`` inside at least one keyword (overlaps counted once).

        >>> default_keywords().covered_chars("百家乐，百家乐")
        6
        """
        view, found = self._byte_matches(text)
        if not found:
            return 0
        covered = 0
        reach = -1
        for _, start, end in sorted(found, key=lambda match: match[1:]):
            if end > reach:
                start = max(start, reach)
                covered += len(view[start:end].decode("utf-8", "surrogatepass"))
                reach = end
        return covered


# Spellings per keyword above which a pack is matched on the view (see KeywordPack._build).
_MAX_SPELLINGS = 256


def _spellings(keyword: str) -> list[str]:
    """Every string whose keyword view (:func:`_keyword_view`) is ``keyword``, character by character,
    the keyword itself first.

    >>> sorted(_spellings("qq号"))
    ['QQ号', 'QQ號', 'Qq号', 'Qq號', 'qQ号', 'qQ號', 'qq号', 'qq號']
    """
    import itertools

    options = [_char_spellings(char) for char in keyword]
    out = ["".join(combination) for combination in itertools.product(*options)]
    out.remove(keyword)
    return [keyword, *out]


def _char_spellings(char: str) -> list[str]:
    lower_of, fold_of, changed = _view_inverse()
    # Characters that lower-case to ``char``, then characters that fold to one of those.
    cased = ([char] if char.lower() == char else []) + lower_of.get(char, [])
    out: list[str] = []
    for option in cased:
        if option not in changed:
            out.append(option)
        out.extend(fold_of.get(option, []))
    return sorted(set(out), key=lambda c: (c != char, c))


@functools.cache
def _view_inverse() -> tuple[dict[str, list[str]], dict[str, list[str]], frozenset[str]]:
    """The keyword view undone, character by character: characters whose one-character lower case is a
    given character; characters that Traditional-to-Simplified folding maps to a given character; and the
    characters folding changes. Built once per machine from all of Unicode (about 0.05 s; kept by
    :mod:`corpusclean.text.table_cache`) and loaded once per process."""
    from corpusclean.text.script import dictionary_files

    lower_of, fold_of, changed = table_cache.load_or_build(
        "view_inverse", _build_view_inverse, version=1,
        sources=("corpusclean.quality.keywords", "corpusclean.text.script"), inputs=dictionary_files())
    return lower_of, fold_of, frozenset(changed)


def _build_view_inverse() -> tuple[dict[str, list[str]], dict[str, list[str]], str]:
    from corpusclean.text.script import fold_to_simplified

    everything = np.arange(0x110000, dtype=np.uint32)
    text = everything.tobytes().decode("utf-32-le", "surrogatepass")
    # str.lower over all of Unicode at once. İ is the one character whose lower case is two characters
    # (it can spell no keyword), so it is left out to keep positions aligned.
    lowered = text.replace("\u0130", "\u0130".lower()[0]).lower()
    lower_of: dict[str, list[str]] = {}
    for cp in np.flatnonzero(code_points(lowered) != everything).tolist():
        if cp != 0x130:
            lower_of.setdefault(lowered[cp], []).append(text[cp])
    folded = fold_to_simplified(text)
    fold_of: dict[str, list[str]] = {}
    moved = np.flatnonzero(code_points(folded) != everything).tolist()
    for cp in moved:
        fold_of.setdefault(folded[cp], []).append(text[cp])
    return lower_of, fold_of, "".join(text[cp] for cp in moved)


def _keyword_view(text: str) -> str:
    from corpusclean.text.script import fold_to_simplified

    return fold_to_simplified(text).lower()


def builtin_quality_dir() -> Path:
    """``rules/quality`` inside the installed package, or in the source checkout."""
    from corpusclean.rulepacks.pack import builtin_dir

    found = builtin_dir() / "quality"
    if not found.is_dir():
        raise ValueError(f"built-in quality rules not found ({found}); reinstall corpusclean")
    return found


@functools.cache
def default_keywords() -> KeywordPack:
    return KeywordPack()


