"""Write mined rules as a rule pack: the same TOML schema as ``rules/*.toml``, with the evidence in comments.

The pack is meant to be read by a person before it is trusted: each rule is preceded by comments giving
the documents and sites it was found on, where in the documents it stands, and the variants seen with their
counts. The output is deterministic (no timestamps), so re-mining the same corpus gives the same bytes and a
diff shows what changed. The file is validated by :func:`corpusclean.rulepacks.pack.load_pack` before it is
moved into place.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from corpusclean.mining.boilerplate import MiningResult
from corpusclean.rulepacks.pack import load_pack

_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def toml_string(value: str) -> str:
    """A TOML string for ``value``: a literal ``'''…'''`` string when that keeps a regular expression
    readable (no backslash doubling), else a basic string with escapes.

    >>> print(toml_string(r"^\\s*版权所有\\d+$"))
    '''^\\s*版权所有\\d+$'''
    >>> print(toml_string('本文"来源"'))
    "本文\\"来源\\""
    """
    value = _LONE_SURROGATE.sub("\ufffd", value)
    if "\\" in value and "'''" not in value and not value.endswith("'") and not _CONTROL.search(value) \
            and "\n" not in value:
        return f"'''{value}'''"
    encoded = json.dumps(value, ensure_ascii=False)
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)


def _comment(text: str) -> str:
    return _CONTROL.sub(" ", _LONE_SURROGATE.sub("\ufffd", text)).replace("\n", " ")


def _value(value: Any) -> str:
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        if not value:
            return "[]"
        return "[\n" + "".join(f"    {_value(item)},\n" for item in value) + "]"
    raise ValueError(f"cannot write {type(value).__name__} value {value!r} to a rule pack")


def render_pack(result: MiningResult, *, pack_id: str = "mined", inputs: list[str] | tuple[str, ...] = ()) -> str:
    """The pack's TOML text."""
    body = []
    for mined in result.rules:
        comments = [
            f"{mined.docs} documents ({mined.docs / max(result.documents, 1):.1%}), {mined.lines} lines; "
            f"head or tail of {mined.edge_share:.0%} of them; {mined.distinct_share:.0%} with different content",
        ]
        if mined.site_count:
            top = ", ".join(f"{site} {count}" for site, count in mined.sites[:5])
            comments.append(f"{mined.site_count} sites: {top}" + (", ..." if mined.site_count > 5 else ""))
        comments.append("variants seen (documents):")
        comments += [f"  {count:>6}  {_comment(text)}" for text, count in mined.variants]
        lines = [f"# {line}" for line in comments]
        lines.append("[[rules]]")
        lines += [f"{key} = {_value(value)}" for key, value in mined.rule.items()]
        body.append("\n".join(lines))
    version = hashlib.blake2b("\n\n".join(body).encode(), digest_size=4).hexdigest()
    params = ", ".join(f"{key}={value}" for key, value in result.params.items())
    sources = ", ".join(inputs) if inputs else "documents"
    head = [
        "# Templated boilerplate mined by `corpusclean mine`: review before trusting it.",
        f"# Mined from {_comment(sources)}: {result.documents} documents"
        + (f", {result.documents_with_site} naming one of {result.sites} sites." if result.sites else
           " (no site field: the site guard was not applied)."),
        f"# Parameters: {params}",
        f"# {len(result.rules)} rules kept, {len(result.dropped)} candidates dropped by the guards.",
        "# Load it with: corpusclean clean INPUT -o OUT --rules THIS_FILE",
        "",
        "[pack]",
        f"id = {_value(pack_id)}",
        f"version = {_value(version)}",
        f"description = {_value(f'Templated lines mined from {result.documents} documents')}",
    ]
    return "\n".join(head) + "\n\n" + "\n\n".join(body) + "\n"


def write_pack(result: MiningResult, path: str | os.PathLike[str], *, pack_id: str = "mined",
               inputs: list[str] | tuple[str, ...] = ()) -> Path:
    """Write the pack atomically (a temporary file, validated, then renamed). A result without rules cannot
    be a pack (the schema needs one rule): that is a ``ValueError``."""
    if not result.rules:
        raise ValueError("no templated boilerplate found: nothing to write (see the dropped candidates)")
    path = Path(path)
    text = render_pack(result, pack_id=pack_id, inputs=inputs)
    directory = path.parent if str(path.parent) else Path(".")
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".toml", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        load_pack(temp)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
    return path
