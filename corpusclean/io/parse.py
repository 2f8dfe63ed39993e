"""Turn raw input items into documents. Anything that cannot become a document becomes a rejected one,
carrying its raw bytes, so nothing read is ever lost silently."""

from __future__ import annotations

import base64
import json
import os
import re
from dataclasses import dataclass
from typing import Any

import orjson

from corpusclean.document import Document
from corpusclean.io.encoding import UndecodableError, canonical, declared_charset, decode_bytes
from corpusclean.io.readers import RawItem

STAGE = "read"
# doc.scratch keys of HTML/WARC documents: per-line DOM evidence and the text it describes.
DOM_LINES = "dom_lines"
DOM_TEXT = "dom_text"
_SURROGATE = re.compile(r"[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """How to read records: which JSON field holds the text and which the id."""

    text_field: str = "text"
    id_field: str | None = "id"
    html_title: bool = True
    html_metadata: bool = True
    # Per-line DOM evidence in doc.scratch (corpusclean/io/dom_evidence.py): ~20% more extraction time, so it
    # is made when a pipeline's stage reads it (Pipeline.parse_options: dom_chrome does), not by default.
    html_evidence: bool = False
    # readability first, trafilatura's precision mode where readability finds too little: the better main
    # text on every labelled set (benchmarks/eval_boilerplate.py --html-extractor), at ~1.6x the time.
    html_extractor: str = "readability"


def _raw_record(data: bytes) -> dict[str, Any]:
    try:
        return {"raw": data.decode("utf-8").rstrip("\n")}
    except UnicodeDecodeError:
        return {"raw_b64": base64.b64encode(data).decode("ascii")}


_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", int: "a number", float: "a number",
               bool: "a boolean", type(None): "null"}


def _failed(item: RawItem, rule: str, message: str, *, doc_id: str | None = None) -> Document:
    doc = Document(id=doc_id or item.location, text="", source=item.location)
    doc.reject(STAGE, rule, error=f"{item.location}: {message}", **_raw_record(item.data))
    return doc


def _scrub(value: Any) -> Any:
    """Replace lone surrogates (legal in JSON escapes, illegal in UTF-8) in every string of a record."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def _load_json(data: bytes) -> tuple[Any, dict[str, Any]]:
    """orjson first (fast path); stdlib json for what orjson refuses but a reader can still recover:
    invalid UTF-8 bytes (replaced) and escaped lone surrogates (replaced). Notes go to ``meta``."""
    try:
        return orjson.loads(data), {}
    except orjson.JSONDecodeError:
        pass
    meta: dict[str, Any] = {}
    text = data.decode("utf-8", errors="replace")
    if "\ufffd" in text and b"\xef\xbf\xbd" not in data:
        meta["invalid_utf8"] = True
    # strict=False: raw control characters (a tab, a NUL) inside strings are common in crawl exports and
    # harmless to read; the normaliser decides what to do with them. Raises ValueError for what is not JSON.
    value = json.loads(text, strict=False)
    scrubbed = _scrub(value)
    if scrubbed != value:
        meta["lone_surrogates"] = True
    return scrubbed, meta


def _id_or_none(value: Any) -> str | None:
    """A record's id as a string; ``None`` when it is absent or not a scalar (so the location is used)."""
    return str(value) if isinstance(value, str | int | float) and not isinstance(value, bool) else None


def parse_jsonl(item: RawItem, options: ParseOptions) -> Document:
    try:
        record, meta = _load_json(item.data)
    except (ValueError, RecursionError) as exc:
        reason = str(exc).split("\n")[0]
        return _failed(item, "bad_json", f"not valid JSON: {reason}")
    if not isinstance(record, dict):
        return _failed(item, "not_an_object", f"JSON line is {_JSON_TYPES[type(record)]}, not an object")
    doc_id = record.pop(options.id_field, None) if options.id_field else None
    if options.text_field not in record:
        return _failed(item, "missing_text", f"no {options.text_field!r} field", doc_id=_id_or_none(doc_id))
    text = record.pop(options.text_field)
    if not isinstance(text, str):
        kind = _JSON_TYPES.get(type(text), "not a string")
        return _failed(item, "text_not_string", f"{options.text_field!r} is {kind}, not a string",
                       doc_id=_id_or_none(doc_id))
    if isinstance(record.get("meta"), dict):
        meta = {**record.pop("meta"), **meta}
    return Document(
        id=str(doc_id) if doc_id is not None else item.location,
        text=text,
        source=item.location,
        meta=meta,
        fields=record,
    )


def _decode(item: RawItem, declared: str | None) -> tuple[str, str] | Document:
    try:
        return decode_bytes(item.data, declared)
    except UndecodableError as exc:
        return _failed(item, "undecodable", str(exc))


def parse_text(item: RawItem, options: ParseOptions) -> Document:
    decoded = _decode(item, None)
    if isinstance(decoded, Document):
        return decoded
    text, encoding = decoded
    return Document(
        id=os.path.basename(item.source), text=text, source=item.location, meta={"encoding": encoding}
    )


def parse_html(item: RawItem, options: ParseOptions) -> Document:
    declared = canonical(item.extra["charset"]) if item.extra.get("charset") else declared_charset(item.data)
    decoded = _decode(item, declared)
    if isinstance(decoded, Document):
        return decoded
    html, encoding = decoded
    from corpusclean.io.html_extract import extract, headline, load

    page = None
    tree: Any = html
    if options.html_evidence:
        from corpusclean.io.dom_evidence import index_page

        tree = load(html)
        page = index_page(tree)  # no tree: every line unmatched
        if tree is None:
            tree = html
    extracted = extract(tree, url=item.extra.get("url"), metadata=options.html_metadata,
                        extractor=options.html_extractor)
    meta: dict[str, Any] = {"encoding": encoding}
    meta.update({k: v for k, v in extracted.items() if k != "text" and v})
    text = extracted["text"]
    # The page title leads the text without the section and site names chained to it; meta.title keeps all.
    title = headline(extracted["title"]) if extracted.get("title") else None
    if options.html_title and title and not text.startswith(title):
        text = f"{title}\n\n{text}" if text else title
    if item.extra.get("warc_date"):
        meta["warc_date"] = item.extra["warc_date"]
    doc_id = item.extra.get("url") or os.path.basename(item.source)
    if item.line is not None and not item.extra.get("url"):
        doc_id = item.location
    doc = Document(id=doc_id, text=text, source=item.location, meta=meta)
    if page is not None:
        # Per-run evidence for stages that judge lines: one row of dom_evidence.FEATURES per line of the
        # text as parsed, and that text, to realign the rows after earlier stages' edits (dom_evidence.realign).
        doc.scratch[DOM_LINES] = page.evidence(text.split("\n"))
        doc.scratch[DOM_TEXT] = text
    return doc


PARSERS = {"jsonl": parse_jsonl, "text": parse_text, "html": parse_html}


def parse_item(item: RawItem, options: ParseOptions) -> Document:
    """The document for one raw item; a rejected document (stage ``read``) when it cannot be parsed."""
    return PARSERS[item.fmt](item, options)
