"""A chunk of cleaned documents turned into the bytes the writers take: output lines, reject receipts and
the chunk's account. Both engines' chunk paths end here, so it sits below them."""

from __future__ import annotations

from dataclasses import dataclass

from corpusclean.document import Document
from corpusclean.io.writers import dumps, output_record, reject_records
from corpusclean.summary import Summary


@dataclass(slots=True)
class Batch:
    """One chunk of documents as the writers need it: JSONL lines and the chunk's account. Built in the
    worker that processed the chunk when it can be, because bytes are far cheaper to send back to the
    main process than documents."""

    summary: Summary
    output: list[bytes]
    rejects: list[bytes]


def encode_batch(docs: list[Document], *, rejects: bool = True) -> Batch:
    """The output lines, reject receipts and summary of ``docs``."""
    summary = Summary()
    output: list[bytes] = []
    receipts: list[bytes] = []
    for doc in docs:
        summary.add(doc)
        if doc.rejected is None:
            output.append(dumps(output_record(doc)))
        elif doc.rejected.stage == "read":
            summary.errors.append(doc.rejected.detail.get("error", doc.source))
        if rejects:
            receipts.extend(dumps(record) for record in reject_records(doc))
    return Batch(summary, output, receipts)
