"""Document deduplication: exact and near duplicates (MinHash LSH over character n-grams), across scripts.

``prepare`` runs in the worker processes: it computes the normalised view (Traditional folded to
Simplified, NFKC, lower case, no whitespace or punctuation; boilerplate is already gone because this
stage runs last), its exact hash and its MinHash signature. ``run`` sees the whole stream in the main
process: it spills the documents to a temporary file, keeps only the compact per-document state, and
once the input ends it clusters (see :mod:`corpusclean.duplicates`) and streams the documents back in
input order. A dropped document is rejected with rule ``exact_duplicate`` or ``near_duplicate`` and
``duplicate_of`` naming the kept one; kept documents get ``meta.dup_cluster`` (a key that depends only
on the cluster's members) and ``meta.dup_count`` (documents in the cluster, itself included).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from hashlib import blake2b
from typing import Any

import numpy as np

from corpusclean.clusters import KEEP_POLICIES
from corpusclean.document import Document
from corpusclean.stage import CorpusStage

_SCRATCH = "dedup"
# Characters per numpy pass of prepare_batch: the pass holds ~40 bytes per character (code points, hashes,
# indices), so 2M characters keep it near 80 MB however long a chunk's documents are.
_BATCH_CHARS = 2_000_000
_RUN_CHUNK = 256  # documents taken at a time by run()


def _parts(docs: list[Document], max_chars: int) -> Iterator[list[Document]]:
    """``docs`` cut into consecutive runs of at most ``max_chars`` characters (a longer document alone)."""
    part: list[Document] = []
    size = 0
    for doc in docs:
        if part and size + len(doc.text) > max_chars:
            yield part
            part, size = [], 0
        part.append(doc)
        size += len(doc.text)
    if part:
        yield part


class Dedup(CorpusStage):
    """Drop exact and near-duplicate documents, keeping one per cluster.

    >>> from corpusclean.pipeline import Pipeline
    >>> article = "北京市气象台今天发布暴雨蓝色预警，预计傍晚到夜间本市大部分地区有中到大雨，局地暴雨。"
    >>> docs = [Document(id="a", text=article), Document(id="b", text="轉載：" + article.replace("气象台", "氣象臺")),
    ...         Document(id="c", text="上海今天迎来入夏以来最热的一天，最高气温达到三十八度，请市民注意防暑。")]
    >>> out = list(Pipeline([Dedup()]).run(docs))
    >>> [(d.id, d.rejected.rule if d.rejected else d.meta["dup_count"]) for d in out]
    [('a', 2), ('b', 'near_duplicate'), ('c', 1)]
    >>> out[1].rejected.detail["duplicate_of"]
    'a'
    """

    name = "dedup"

    def __init__(self, *, num_perm: int = 128, ngram: int = 5, threshold: float = 0.7, bands: int = 32,
                 rows: int = 4, seed: int = 1, keep: str = "first", index: str | None = None,
                 spill_dir: str | None = None) -> None:
        for key, value in (("num_perm", num_perm), ("ngram", ngram), ("bands", bands), ("rows", rows)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{key} must be a positive integer, got {value!r}")
        if bands * rows > num_perm:
            raise ValueError(f"bands * rows = {bands * rows} exceeds num_perm = {num_perm}")
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {threshold!r}")
        if keep not in KEEP_POLICIES:
            raise ValueError(f"keep must be one of {', '.join(KEEP_POLICIES)}, got {keep!r}")
        self.num_perm = num_perm
        self.ngram = ngram
        self.threshold = threshold
        self.bands = bands
        self.rows = rows
        self.seed = seed
        self.keep = keep
        self.index = index
        self.spill_dir = spill_dir
        self._cleanup: list[Any] = []

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_cleanup"] = []  # open spills stay in the main process
        return state

    def signature_params(self) -> dict[str, Any]:
        """What signatures depend on: an index built with other values cannot be compared."""
        from corpusclean.minhash import SCHEME

        return {"num_perm": self.num_perm, "ngram": self.ngram, "seed": self.seed, "scheme": SCHEME}

    def describe(self) -> dict[str, Any]:
        from importlib.metadata import version

        return {
            "stage": self.name, **self.signature_params(), "threshold": self.threshold, "bands": self.bands,
            "rows": self.rows, "keep": self.keep, "index": self.index,
            "exact_hash": "blake2b-64 of the normalised view (UTF-32-LE code points)",
            "versions": {"numpy": np.__version__, "datasketch": version("datasketch")},
        }

    def prepare(self, doc: Document) -> None:
        from corpusclean.minhash import signature
        from corpusclean.shingles import exact_hash, shingle_hashes, view_codes

        codes = view_codes(doc.text)
        sig = signature(shingle_hashes(codes, ngram=self.ngram, seed=self.seed), num_perm=self.num_perm,
                        seed=self.seed)
        doc.scratch[_SCRATCH] = (exact_hash(codes), None if sig is None else sig.tobytes())

    def prepare_batch(self, docs: list[Document]) -> None:
        """:meth:`prepare` for a chunk at once, the same values: one numpy pass per part of at most
        ``_BATCH_CHARS`` characters instead of a dozen calls per document (whose fixed cost held
        300-character documents to ~20 MB/s)."""
        from corpusclean.minhash import signatures
        from corpusclean.shingles import shingle_hashes_batch, view_codes_batch

        for part in _parts(docs, _BATCH_CHARS):
            view, offsets = view_codes_batch([doc.text for doc in part])
            sigs, has = signatures(*shingle_hashes_batch(view, offsets, ngram=self.ngram, seed=self.seed),
                                   num_perm=self.num_perm, seed=self.seed)
            raw = memoryview(view.tobytes())
            bounds = (offsets * 4).tolist()
            blobs = [row.tobytes() if alive else None for row, alive in zip(sigs, has.tolist(), strict=True)]
            for i, doc in enumerate(part):
                # exact_hash() of the document's view, read from the batch's bytes without a copy.
                exact = int.from_bytes(blake2b(raw[bounds[i]:bounds[i + 1]], digest_size=8).digest(), "little")
                doc.scratch[_SCRATCH] = (exact, blobs[i])

    def run(self, docs: Iterator[Document]) -> Iterator[Document]:
        from corpusclean.duplicates import Collector, decide
        from corpusclean.spill import Spill

        spill = Spill(self.spill_dir, prefix="corpusclean-dedup-")
        self._cleanup.append(spill)
        collector = Collector(num_perm=self.num_perm, signature_path=spill.file("signatures.u32"))
        self._cleanup.append(collector)
        if self.index is not None and os.path.exists(self.index):
            from corpusclean.dedup_index import load_index

            for doc_id, exact, sig in load_index(self.index, expect=self.signature_params()):
                collector.add_pinned(doc_id, exact, sig)
        # Chunk by chunk: the collector and the spill take a chunk in one call each (per-document calls
        # were a third of the main process's time with two workers).
        while chunk := list(itertools.islice(docs, _RUN_CHUNK)):
            alive = [doc for doc in chunk if doc.rejected is None]
            unprepared = [doc for doc in alive if _SCRATCH not in doc.scratch]
            if unprepared:
                self.prepare_batch(unprepared)  # run() called without the pipeline's per-document pass
            for doc in chunk:
                if doc.rejected is not None:
                    doc.scratch.pop(_SCRATCH, None)
            exact, sigs = zip(*[doc.scratch.pop(_SCRATCH) for doc in alive], strict=True) if alive else ((), ())
            collector.add_many([doc.id for doc in alive], list(exact), list(sigs), [len(doc.text) for doc in alive])
            spill.write_many(chunk)
        decision = decide(collector, bands=self.bands, rows=self.rows, threshold=self.threshold, seed=self.seed,
                          keep=self.keep)
        position = collector.pinned
        for doc in spill.read():
            if doc.rejected is None:
                self._mark(doc, position, decision, collector)
                position += 1
            yield doc
        if self.index is not None:
            self._save_index(decision, collector)
        self.close()

    def _mark(self, doc: Document, position: int, decision: Any, collector: Any) -> None:
        kept = int(decision.kept[position])
        cluster = f"{int(decision.cluster_keys[position]):016x}"
        if kept == position:
            doc.meta["dup_cluster"] = cluster
            doc.meta["dup_count"] = int(decision.sizes[position])
            return
        exact = bool(decision.exact[kept] == decision.exact[position])
        doc.reject(self.name, "exact_duplicate" if exact else "near_duplicate",
                   value=round(decision.similarity(position, kept), 4), threshold=None if exact else self.threshold,
                   duplicate_of=collector.doc_id(kept), dup_cluster=cluster)

    def _save_index(self, decision: Any, collector: Any) -> None:
        from corpusclean.dedup_index import save_index

        positions = np.arange(len(collector))
        # Indexed documents stay (they are published); new ones join when they were kept.
        keep = np.flatnonzero((decision.kept == positions) | (positions < collector.pinned))
        save_index(self.index, params=self.signature_params(),
                   ids=[collector.doc_id(int(p)).encode("utf-8", "surrogatepass") for p in keep],
                   exact=decision.exact[keep], signatures=decision.signatures[keep],
                   has_signature=decision.has_signature[keep])

    def close(self) -> None:
        while self._cleanup:
            self._cleanup.pop().close()
