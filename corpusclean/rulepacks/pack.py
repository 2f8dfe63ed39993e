"""Rule packs: boilerplate rules kept as data (TOML files under ``rules/``), and their schema.

A pack is a TOML file (read with ``tomllib``; write regular expressions as literal strings, ``'...'``
or ``'''...'''``, so backslashes stay as typed)::

    [pack]
    id = "copyright"            # snake_case, names the pack in the run report
    version = "1"
    description = "Copyright notices and reprint disclaimers"

    [[rules]]
    id = "copyright_reserved"   # stable snake_case id, unique across all loaded packs; used in receipts
    kind = "line"               # span | line | block | tail | meta
    keywords = ["版权所有", "all rights reserved"]   # literal pre-filter: a line is tried only if it has one
    pattern = '(?:版权所有|all rights reserved)'     # regular expression, confirms on that line
    where = "anywhere"          # anywhere | head | tail (with `within`: first/last N non-blank lines)
    max_chars = 200             # longer lines are prose, never removed by this rule
    description = "Site footer copyright line"
    remove = ["Copyright © 2005 wenxuecity.com. All Rights Reserved."]   # must be removed
    keep = ["国家版权局称，该书的版权所有者是出版社。"]                 # must be left alone

Rules see each line through a *matching view* of the same length (see :func:`matching_view`):
Traditional folded to Simplified, ASCII lower-cased, full-width ASCII and odd spaces folded to their
plain forms. So a pattern written ``'版权声明:'`` also matches ``版權聲明：`` and keywords need not list
case or script variants. Offsets in the view are offsets in the original line, so cuts and captured
metadata come from the original text.

Kinds:

* ``span`` cuts every match out of its line (a watermark glued to a sentence); a line left blank goes.
* ``line`` drops each line the pattern matches, unless ``keep_beside`` (optional) matches the nearest
  non-blank line before or after it: a contact line among a record's other fields ("成人票原价：279元",
  "游客咨询电话：58792888", "备注：…") belongs to the record, the same line under a page header does not.
* ``block`` drops a header line and the lines after it that match ``continues`` (blank lines in between
  go with it), at most ``max_lines`` of them: a copyright statement and its numbered clauses.
* ``tail`` drops a marker line and everything after it, but only when the marker is among the last
  ``within`` non-blank lines and no line after it reads like prose (a line longer than
  ``after_max_chars`` with sentence punctuation): "相关新闻" above a list of links, not above an article.
* ``meta`` drops a byline and moves its named groups (``date``, ``source``, ``author``, ``editor``;
  ``editor_2`` etc. fill the same field when the first is empty) into ``doc.meta``.

``keywords`` make the rule cheap: the stage finds all keywords of all rules in one Aho-Corasick pass and
runs a rule's regular expression only on lines holding one of its keywords. A rule without keywords is
tried on every line (allowed for user packs, slower; the built-in packs all have keywords).
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from corpusclean.text.codepoints import code_points

KINDS = ("span", "line", "block", "tail", "meta")
WHERE = ("anywhere", "head", "tail")
META_FIELDS = ("date", "source", "author", "editor")

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_META_GROUP = re.compile(r"^(?P<field>[a-z]+)(?:_\d+)?$")

_PACK_KEYS = {"id", "version", "description"}
_COMMON_KEYS = {"id", "kind", "pattern", "keywords", "where", "within", "max_chars", "description", "remove", "keep"}
_KIND_KEYS = {
    "span": set(),
    "line": {"keep_beside"},
    "block": {"continues", "max_lines"},
    "tail": {"after_max_chars"},
    "meta": {"expect_meta"},
}
# Defaults chosen so that a rule never reaches into article prose: lines longer than max_chars are left
# alone by line-like kinds (span rules cut inside long lines, so they have no limit by default).
_DEFAULT_MAX_CHARS = {"span": 0, "line": 120, "block": 80, "tail": 40, "meta": 160}


# --- the matching view ------------------------------------------------------------------------------

@functools.cache
def _view_table() -> dict[int, str]:
    from corpusclean.text.script import _fold_table

    table = dict(_fold_table())
    for code in range(0xFF01, 0xFF5F):  # full-width ASCII -> ASCII
        table[code] = chr(code - 0xFEE0).lower()
    for char in "\u3000\xa0\u2002\u2003\u2009\t":
        table[ord(char)] = " "
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code).lower()
    return table


def matching_view(text: str) -> str:
    """The same-length string rules match against: Simplified, lower-case ASCII, half-width punctuation.

    >>> matching_view("版權聲明：COPYRIGHT　２０２０")
    '版权声明:copyright 2020'
    >>> len(matching_view("國際在線")) == len("國際在線")
    True
    """
    return text.translate(_view_table())


@functools.cache
def _view_array() -> np.ndarray:
    """:func:`_view_table` as an array indexed by code point, up to its largest key."""
    table = _view_table()
    array = np.arange(max(table) + 1, dtype=np.uint32)
    array[list(table)] = [ord(value) for value in table.values()]
    return array


def matching_views(lines: list[str]) -> list[str]:
    """:func:`matching_view` of each of ``lines`` (none holding a line break), in one array lookup: translating
    with a dictionary costs tens of nanoseconds a character, the lookup of the joined lines one or two.

    >>> matching_views(["版權聲明：COPYRIGHT", "來源：新華社", ""])
    ['版权声明:copyright', '来源:新华社', '']
    """
    if not lines:
        return []
    codes = code_points("\n".join(lines))
    table = _view_array()
    inside = codes < len(table)  # above the table's last key every character is its own view
    codes = np.where(inside, table[np.where(inside, codes, 0)], codes)
    return codes.tobytes().decode("utf-32-le", "surrogatepass").split("\n")


@functools.cache
def _view_sources() -> dict[str, tuple[str, ...]]:
    """For each character of the view, the characters of raw text that show as it (for keyword variants)."""
    sources: dict[str, set[str]] = {}
    for code, target in _view_table().items():
        char = chr(code)
        if char.isascii() and char.isalpha():
            continue  # ASCII case is handled word-wise in keyword_variants
        if "\uff21" <= char <= "\uff3a" or "\uff41" <= char <= "\uff5a":
            continue  # full-width letters: rare, and they would multiply variants
        sources.setdefault(target, {target}).add(char)
    return {k: tuple(sorted(v)) for k, v in sources.items()}


MAX_VARIANTS = 512


def keyword_variants(keyword: str) -> list[str]:
    """The raw-text spellings of a view-form keyword, so the pre-filter can scan raw text unfolded.

    Chinese characters expand to their Traditional forms; ASCII words to lower, UPPER, Capitalised and
    Title Case; half-width punctuation to its full-width form.

    >>> sorted(keyword_variants("声明"))
    ['声明', '聲明']
    >>> sorted(keyword_variants("all rights"))[:2]
    ['ALL RIGHTS', 'All Rights']
    """
    pieces: list[tuple[str, ...]] = []
    for run in re.findall(r"[a-z][a-z ]*[a-z]|[a-z]|[^a-z]", keyword):
        if run[0].isascii() and run[0].isalpha():
            pieces.append(tuple(dict.fromkeys([run, run.upper(), run.capitalize(), run.title()])))
        else:
            pieces.append(_view_sources().get(run, (run,)))
    variants = [""]
    for options in pieces:
        variants = [v + o for v in variants for o in options]
        if len(variants) > MAX_VARIANTS:
            raise ValueError(f"keyword {keyword!r} has over {MAX_VARIANTS} spellings; use a shorter keyword")
    return variants


# --- schema ------------------------------------------------------------------------------------------

@dataclass(slots=True)
class Rule:
    """One validated rule. ``keywords`` are in view form; ``pattern``/``continues`` compiled on the view."""

    id: str
    kind: str
    pack: str
    description: str
    pattern: re.Pattern[str] | None
    keywords: tuple[str, ...]
    spellings: tuple[str, ...] = ()
    where: str = "anywhere"
    within: int = 0
    max_chars: int = 0
    remove: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()
    continues: re.Pattern[str] | None = None
    keep_beside: re.Pattern[str] | None = None
    max_lines: int = 20
    after_max_chars: int = 40
    expect_meta: dict[str, str] = field(default_factory=dict)
    source: str = ""

    def matches(self, view: str) -> re.Match[str] | None:
        """The first match of the rule on a line's view (keywords as a plain test when there is no pattern)."""
        if self.pattern is not None:
            return self.pattern.search(view)
        for keyword in self.keywords:
            start = view.find(keyword)
            if start >= 0:
                return re.compile(re.escape(keyword)).search(view, start)
        return None


@dataclass(slots=True)
class RulePack:
    id: str
    version: str
    description: str
    path: str
    rules: list[Rule]


def _compile(where: str, key: str, value: Any) -> re.Pattern[str]:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{where}: {key!r} must be a non-empty regular expression string")
    from corpusclean.text.script import _fold_table

    try:
        # The view is folded, so the pattern's Chinese is folded too (著作权 is 着作权 in the view; a
        # pattern may be written in Traditional). Only CJK is folded: ASCII and full-width punctuation
        # in a pattern are regex syntax or deliberate literals. IGNORECASE because the view is lower-case.
        return re.compile(value.translate(_fold_table()), re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"{where}: {key!r} is not a valid regular expression: {exc}") from None


def _string_list(where: str, key: str, value: Any, *, required: bool) -> tuple[str, ...]:
    if value is None and not required:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value) or (required and not value):
        need = "a non-empty list of non-empty strings" if required else "a list of non-empty strings"
        raise ValueError(f"{where}: {key!r} must be {need}")
    return tuple(value)


def _positive(where: str, key: str, value: Any, default: int) -> int:
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{where}: {key!r} must be a whole number >= 0, got {value!r}")
    return value


def parse_rule(data: Any, *, pack: str, source: str) -> Rule:
    """Validate one ``[[rules]]`` table; every error names the pack file, the rule id and the bad key."""
    if not isinstance(data, dict):
        raise ValueError(f"{source}: each [[rules]] entry must be a table")
    rule_id = data.get("id")
    if not isinstance(rule_id, str) or not _ID.match(rule_id):
        raise ValueError(f"{source}: rule {rule_id!r}: 'id' must be snake_case (a-z, 0-9, _)")
    where = f"{source}: rule {rule_id!r}"
    kind = data.get("kind")
    if kind not in KINDS:
        raise ValueError(f"{where}: 'kind' must be one of {', '.join(KINDS)}, got {kind!r}")
    known = _COMMON_KEYS | _KIND_KEYS[kind]
    for key in data:
        if key not in known:
            raise ValueError(f"{where}: unknown key {key!r} for kind {kind!r} (known: {', '.join(sorted(known))})")
    pattern = _compile(where, "pattern", data["pattern"]) if "pattern" in data else None
    spellings = _string_list(where, "keywords", data.get("keywords"), required=False)
    keywords = tuple(dict.fromkeys(matching_view(k) for k in spellings))
    if pattern is None and not keywords:
        raise ValueError(f"{where}: needs a 'pattern' or 'keywords'")
    if kind == "meta":
        if pattern is None:
            raise ValueError(f"{where}: 'pattern' with named groups is required for kind 'meta'")
        names = list(pattern.groupindex)
        bad = [n for n in names if not (_META_GROUP.match(n) and _META_GROUP.match(n)["field"] in META_FIELDS)]
        if bad or not names:
            raise ValueError(f"{where}: 'pattern' groups must be named {', '.join(META_FIELDS)} (or e.g. editor_2), "
                             f"got {bad or 'none'}")
    rule_where = data.get("where", "anywhere" if kind != "tail" else "tail")
    if rule_where not in WHERE:
        raise ValueError(f"{where}: 'where' must be one of {', '.join(WHERE)}, got {rule_where!r}")
    if kind == "tail" and rule_where != "tail":
        raise ValueError(f"{where}: 'where' must be 'tail' for kind 'tail'")
    within = _positive(where, "within", data.get("within"), 20 if rule_where != "anywhere" else 0)
    if rule_where != "anywhere" and within == 0:
        raise ValueError(f"{where}: 'within' must be > 0 when 'where' is {rule_where!r}")
    description = data.get("description")
    if not isinstance(description, str) or not description.strip():
        raise ValueError(f"{where}: 'description' must be a non-empty string")
    rule = Rule(
        id=rule_id, kind=kind, pack=pack, description=description.strip(), pattern=pattern, keywords=keywords,
        spellings=spellings, where=rule_where, within=within,
        max_chars=_positive(where, "max_chars", data.get("max_chars"), _DEFAULT_MAX_CHARS[kind]),
        remove=_string_list(where, "remove", data.get("remove"), required=True),
        keep=_string_list(where, "keep", data.get("keep"), required=True),
        source=source,
    )
    if kind == "block":
        if "continues" not in data:
            raise ValueError(f"{where}: 'continues' (a regular expression for the lines of the block) is required")
        rule.continues = _compile(where, "continues", data["continues"])
        rule.max_lines = _positive(where, "max_lines", data.get("max_lines"), 20)
    if "keep_beside" in data:
        rule.keep_beside = _compile(where, "keep_beside", data["keep_beside"])
    if kind == "tail":
        rule.after_max_chars = _positive(where, "after_max_chars", data.get("after_max_chars"), 40)
    if kind == "meta" and "expect_meta" in data:
        expect = data["expect_meta"]
        if not isinstance(expect, dict) or not all(k in META_FIELDS and isinstance(v, str) for k, v in expect.items()):
            raise ValueError(f"{where}: 'expect_meta' must be a table of {', '.join(META_FIELDS)} -> string")
        rule.expect_meta = dict(expect)
    return rule


def parse_pack(data: dict[str, Any], *, source: str) -> RulePack:
    """Validate a pack already read from TOML.

    >>> bad = {"id": "x", "kind": "line", "keywords": ["广告"], "description": "d",
    ...        "remove": ["广告"], "keep": ["正文。"], "patern": "广告"}
    >>> parse_pack({"pack": {"id": "demo", "version": "1", "description": "d"}, "rules": [bad]},
    ...            source="demo.toml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: demo.toml: rule 'x': unknown key 'patern' for kind 'line' (known: ...)
    """
    for key in data:
        if key not in ("pack", "rules"):
            raise ValueError(f"{source}: unknown top-level key {key!r} (known: pack, rules)")
    meta = data.get("pack")
    if not isinstance(meta, dict):
        raise ValueError(f"{source}: missing [pack] table with id, version, description")
    for key in meta:
        if key not in _PACK_KEYS:
            raise ValueError(f"{source}: [pack] has unknown key {key!r} (known: {', '.join(sorted(_PACK_KEYS))})")
    for key in sorted(_PACK_KEYS):
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            raise ValueError(f"{source}: [pack] {key!r} must be a non-empty string")
    if not _ID.match(meta["id"]):
        raise ValueError(f"{source}: [pack] 'id' must be snake_case, got {meta['id']!r}")
    tables = data.get("rules")
    if not isinstance(tables, list) or not tables:
        raise ValueError(f"{source}: a pack needs at least one [[rules]] table")
    rules = [parse_rule(table, pack=meta["id"], source=source) for table in tables]
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise ValueError(f"{source}: rule {rule.id!r}: 'id' is used twice in this pack")
        seen.add(rule.id)
    return RulePack(id=meta["id"], version=meta["version"], description=meta["description"].strip(),
                    path=source, rules=rules)


def load_pack(path: str | Path) -> RulePack:
    """Read and validate one pack file."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ValueError(f"{path}: cannot read rule pack: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML: {exc}") from None
    return parse_pack(data, source=str(path))


# --- finding packs -----------------------------------------------------------------------------------

def builtin_dir() -> Path:
    """Where the built-in packs are: inside the installed package (the wheel maps ``rules/`` to
    ``corpusclean/rules``), or the repository's ``rules/`` in a source checkout or editable install."""
    package = Path(__file__).resolve().parents[1]
    installed = package / "rules"
    if installed.is_dir():
        return installed
    checkout = package.parent / "rules"
    if checkout.is_dir():
        return checkout
    raise ValueError(f"built-in rule packs not found (looked in {installed} and {checkout}); reinstall corpusclean")


def pack_files(spec: str) -> list[Path]:
    """The pack files a spec names: ``builtin``, a ``.toml`` file, or a directory of them (sorted by name)."""
    path = builtin_dir() if spec == "builtin" else Path(spec)
    if path.is_dir():
        files = sorted(path.glob("*.toml"))
        if not files:
            raise ValueError(f"{spec}: no .toml rule packs in this directory")
        return files
    if not path.is_file():
        raise ValueError(f"{spec}: no such rule pack (give 'builtin', a .toml file or a directory)")
    return [path]


def load_packs(specs: list[str] | tuple[str, ...]) -> list[RulePack]:
    """Load every pack named by ``specs`` in order; rule ids must be unique across all of them."""
    packs = [load_pack(path) for spec in specs for path in pack_files(spec)]
    owner: dict[str, str] = {}
    for pack in packs:
        for rule in pack.rules:
            if rule.id in owner:
                raise ValueError(f"{pack.path}: rule {rule.id!r}: 'id' already used in {owner[rule.id]}")
            owner[rule.id] = pack.path
    return packs
