"""Output lines made in the workers before deduplication has decided, finished in the main process.

With deduplication in the recipe, every document used to travel back to the main process whole, be
spilled, read back, marked and encoded there: ~30 us of main-process work per document, which two workers
on two cores share with it. Instead a worker encodes each document as far as it can before the decision:
the output line up to its ``meta`` field, ``meta`` itself, the text/fields/meta of a reject record and the
receipts of lines removed, plus the small key the decision needs. The main process spills those bytes,
decides, and finishes each line from the stage's verdict: kept documents get the cluster fields added to
``meta``, dropped ones become a reject record (rare). The bytes are the ones
:func:`corpusclean.engines.batch.encode_batch` writes for the same documents (``json`` fallbacks included: a
document orjson cannot encode travels whole and is finished as a document).
"""

from __future__ import annotations

import functools
import pickle
from collections.abc import Iterator
from typing import Any

import orjson

from corpusclean.document import Document, Rejection
from corpusclean.engines.batch import encode_batch
from corpusclean.io.writers import dumps, output_record, reject_records
from corpusclean.packing import pack, unpack
from corpusclean.summary import Summary

# Item kinds in a chunk, in input order.
_FINAL = 0  # rejected before deduplication: (kind, reject lines)
_LINES = 1  # (kind, line head, meta, reject tail, removal lines, id, source, length); JSON objects without
            # their opening (meta, tail) or closing (head) brace
_WHOLE = 2  # (kind, packed document): something orjson cannot encode, finished as a document
_OWN = ("id", "text", "source")  # the output line's own keys, before the input's other fields


def encode_pending(docs: list[Document], *, stage: Any, rejects: bool) -> tuple[Any, bytes]:
    """In a worker: the keys ``stage`` decides on, packed (:meth:`~corpusclean.stages.dedup.Dedup.packed_keys`),
    and the pickled chunk (:func:`encode_chunk`) that the main process spills as it is and :func:`finish`
    completes: no Python value per document is made in the main process before the decision."""
    summary, keys, items = encode_chunk(docs, stage=stage, rejects=rejects)
    return stage.packed_keys(keys), pickle.dumps((summary, items), protocol=pickle.HIGHEST_PROTOCOL)


def encode_chunk(docs: list[Document], *, stage: Any, rejects: bool) -> tuple[Summary, list[Any], list[Any]]:
    """The chunk's summary (kept documents counted as kept), the keys ``stage`` decides on and the items
    :func:`finish` completes.

    >>> from corpusclean.stages.dedup import Dedup
    >>> stage = Dedup()
    >>> docs = [Document(id="a", text="北京暴雨预警", meta={"script": "simplified"})]
    >>> stage.prepare_batch(docs)
    >>> summary, keys, items = encode_chunk(docs, stage=stage, rejects=True)
    >>> keys[0][0], items[0][1].decode(), items[0][2].decode()
    ('a', '{"id":"a","text":"北京暴雨预警","source":""', '"script":"simplified"}')
    >>> _, output, _ = finish(stage, summary, items, iter([("keep", {"dup_count": 1})]), rejects=True)
    >>> output[0].decode()
    '{"id":"a","text":"北京暴雨预警","source":"","meta":{"script":"simplified","dup_count":1}}\\n'
    """
    summary = Summary()
    alive = [doc for doc in docs if doc.rejected is None]
    keys = stage.keys(alive)
    items: list[Any] = []
    for doc in docs:
        if doc.rejected is not None:
            summary.add(doc)
            if doc.rejected.stage == "read":
                summary.errors.append(doc.rejected.detail.get("error", doc.source))
            items.append((_FINAL, [dumps(record) for record in reject_records(doc)] if rejects else []))
            continue
        item = _lines(doc, rejects) if "meta" not in doc.fields else None  # a 'meta' field moves the key
        if item is None:
            items.append((_WHOLE, pack(doc)))
        else:
            summary.add(doc)
            items.append(item)
    return summary, keys, items


def _lines(doc: Document, rejects: bool) -> tuple[Any, ...] | None:
    record = output_record(doc)
    del record["meta"]
    try:
        # Kept without their outer brace: a slice is a right-sized copy, where orjson's own bytes hold ~10
        # times their length of memory (its output buffer is not shrunk), 20 MB for a chunk of documents.
        head = orjson.dumps(record)[:-1]
        meta = orjson.dumps(doc.meta)[1:]
        # A dropped document's reject record repeats its text and fields, which the main process reads back
        # from the line (rarely needed, so not sent twice), unless a field is shadowed there by id/text/source.
        shadowed = rejects and any(key in _OWN for key in doc.fields)
        tail = orjson.dumps(_reject_tail(doc))[1:] if shadowed else None
    except TypeError:  # what orjson refuses, writers.dumps encodes with the json module: finish as a document
        return None
    removals = [dumps(record) for record in reject_records(doc)] if rejects else []
    return (_LINES, head, meta, tail, removals, doc.id, doc.source, len(doc.text))


def _reject_tail(doc: Document) -> dict[str, Any]:
    """The fields :func:`corpusclean.io.writers.reject_records` adds after the rejection (same order)."""
    tail: dict[str, Any] = {"text": doc.text}
    if doc.fields:
        tail["fields"] = doc.fields
    if doc.meta:
        tail["meta"] = doc.meta
    return tail


def _merged(meta: bytes, fields: dict[str, Any]) -> bytes:
    """``meta`` (JSON without its opening brace) with ``fields`` set, as ``dict.update`` would: appended
    when none is there yet (the common case, spliced as bytes), else by decoding and encoding again.

    >>> _merged(b'"script":"simplified"}', {"dup_count": 2}), _merged(b'}', {"dup_count": 2})
    (b'{"script":"simplified","dup_count":2}', b'{"dup_count":2}')
    >>> _merged(b'"dup_count":9,"site":"x"}', {"dup_count": 2})
    b'{"dup_count":2,"site":"x"}'
    """
    for key in fields:
        if _json_key(key) in meta:  # set already (or a value holding the name: only costs time)
            merged = orjson.loads(b"{" + meta)
            merged.update(fields)
            return orjson.dumps(merged)
    added = orjson.dumps(fields)[1:]
    return b"{" + (meta[:-1] + b"," + added if meta != b"}" else added)


@functools.lru_cache(maxsize=64)
def _json_key(key: str) -> bytes:
    return orjson.dumps(key)


def _tail_from_line(head: bytes, meta: bytes) -> dict[str, Any]:
    """:func:`_reject_tail` rebuilt from the output line's bytes (its fields are the document's when none
    is named id, text or source)."""
    line = orjson.loads(head + b"}")
    tail: dict[str, Any] = {"text": line["text"]}
    fields = {key: value for key, value in line.items() if key not in _OWN}
    if fields:
        tail["fields"] = fields
    meta_fields = orjson.loads(b"{" + meta)
    if meta_fields:
        tail["meta"] = meta_fields
    return tail


def finish(stage: Any, summary: Summary, items: list[Any], verdicts: Iterator[Any], *,
           rejects: bool) -> tuple[Summary, list[bytes], list[bytes]]:
    """In the main process: the chunk's output lines, reject lines and summary once ``verdicts`` (one per
    key, in order) are known."""
    output: list[bytes] = []
    receipts: list[bytes] = []
    for item in items:
        kind = item[0]
        if kind == _FINAL:
            receipts.extend(item[1])
            continue
        verdict = next(verdicts)
        if kind == _WHOLE:
            doc = unpack(item[1])
            stage.apply(doc, verdict)
            batch = encode_batch([doc], rejects=rejects)
            summary.update(batch.summary)
            output.extend(batch.output)
            receipts.extend(batch.rejects)
            continue
        _, head, meta, tail, removals, doc_id, source, length = item
        receipts.extend(removals)
        if verdict[0] == "keep":
            output.append(head + b',"meta":' + _merged(meta, verdict[1]) + b"}\n")
            if summary.detail is not None:  # an HTML report asked for the cluster sizes
                summary.detail.clusters[verdict[1].get("dup_count", 1)] += 1
            continue
        _, rule, value, threshold, detail = verdict
        rejection = Rejection(stage=stage.name, rule=rule, value=value, threshold=threshold, detail=detail)
        summary.docs_out -= 1
        summary.chars_out -= length
        summary.rejected[f"{stage.name}/{rule}"] += 1
        if summary.detail is not None and summary.detail.wants(summary.detail.rejections, f"{stage.name}/{rule}"):
            text = (orjson.loads(b"{" + tail) if tail is not None else _tail_from_line(head, meta))["text"]
            summary.detail.add_document(Document(id=doc_id, text=text, rejected=rejection))
        if rejects:
            record = {"id": doc_id, "source": source, "kind": "document", **rejection.as_dict()}
            if "raw" not in record and "raw_b64" not in record:
                record.update(orjson.loads(b"{" + tail) if tail is not None else _tail_from_line(head, meta))
            receipts.append(dumps(record))
    return summary, output, receipts
