"""Document deduplication: exact and near duplicates (MinHash LSH over character n-grams), across scripts.

``prepare`` runs in the worker processes: it computes the normalised view (Traditional folded to
Simplified, NFKC, lower case, no whitespace or punctuation; boilerplate is already gone because this
stage runs last), its exact hash and its MinHash signature. ``run`` sees the whole stream in the main
process: it spills the documents to a temporary file, keeps only the compact per-document state, and
once the input ends it clusters (see :mod:`corpusclean.dedup.duplicates`) and streams the documents back in
input order. A dropped document is rejected with rule ``exact_duplicate`` or ``near_duplicate`` and
``duplicate_of`` naming the kept one; kept documents get ``meta.dup_cluster`` (a key that depends only
on the cluster's members) and ``meta.dup_count`` (documents in the cluster, itself included).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from typing import Any

import numpy as np

from corpusclean.dedup.clusters import KEEP_POLICIES
from corpusclean.document import Document
from corpusclean.stage import CorpusStage

_SCRATCH = "dedup"
# Characters per numpy pass of prepare_batch: the pass holds ~40 bytes per character (code points, hashes,
# indices), so its arrays stay in the processor's cache (measured: 131k characters ~20% faster than 2M).
_BATCH_CHARS = 131_072
_RUN_CHUNK = 256  # documents taken at a time by run()
_VERDICT_BLOCK = 65536


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


# Spill folders of a run: documents waiting for the decision, and the signatures.
SPILL_PREFIX = "corpusclean-dedup-"


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
        from corpusclean.dedup.minhash import SCHEME

        return {"num_perm": self.num_perm, "ngram": self.ngram, "seed": self.seed, "scheme": SCHEME}

    def sweep_leftovers(self) -> list[str]:
        from corpusclean.dedup.spill import sweep_spills

        return sweep_spills(self.spill_dir, prefix=SPILL_PREFIX)

    def describe(self) -> dict[str, Any]:
        from importlib.metadata import version

        return {
            "stage": self.name, **self.signature_params(), "threshold": self.threshold, "bands": self.bands,
            "rows": self.rows, "keep": self.keep, "index": self.index,
            "exact_hash": "blake2b-64 of the normalised view (UTF-32-LE code points)",
            "versions": {"numpy": np.__version__, "datasketch": version("datasketch")},
        }

    def prepare(self, doc: Document) -> None:
        from corpusclean.dedup.minhash import signature
        from corpusclean.dedup.shingles import exact_hash, shingle_hashes, view_codes

        codes = view_codes(doc.text)
        sig = signature(shingle_hashes(codes, ngram=self.ngram, seed=self.seed), num_perm=self.num_perm,
                        seed=self.seed)
        doc.scratch[_SCRATCH] = (exact_hash(codes), None if sig is None else sig.tobytes())

    def prepare_batch(self, docs: list[Document]) -> None:
        """:meth:`prepare` for a chunk at once, the same values: one numpy pass per part of at most
        ``_BATCH_CHARS`` characters instead of a dozen calls per document (whose fixed cost held
        300-character documents to ~20 MB/s)."""
        from corpusclean.dedup.minhash import text_signatures
        from corpusclean.dedup.shingles import exact_hashes

        for part in _parts(docs, _BATCH_CHARS):
            view, offsets, sigs, has = text_signatures([doc.text for doc in part], ngram=self.ngram,
                                                       num_perm=self.num_perm, seed=self.seed)
            exact = exact_hashes(view, offsets)
            width = 4 * self.num_perm
            rows = sigs.tobytes()
            for i, (doc, alive) in enumerate(zip(part, has.tolist(), strict=True)):
                doc.scratch[_SCRATCH] = (exact[i], rows[i * width:(i + 1) * width] if alive else None)

    def keys(self, docs: list[Document]) -> list[Key]:
        """What the decision needs of each (not rejected) document: id, exact hash, signature, length.
        Takes the prepared values out of ``doc.scratch`` (preparing the documents that lack them)."""
        unprepared = [doc for doc in docs if _SCRATCH not in doc.scratch]
        if unprepared:
            self.prepare_batch(unprepared)  # called without the pipeline's per-document pass
        out = []
        for doc in docs:
            exact, sig = doc.scratch.pop(_SCRATCH)
            out.append((doc.id, exact, sig, len(doc.text)))
        return out

    def packed_keys(self, keys: list[Key]) -> Any:
        """:meth:`keys` as a few byte strings (:func:`corpusclean.dedup.duplicates.pack_keys`), for
        :meth:`Decider.add_packed`: how workers send them."""
        from corpusclean.dedup.duplicates import pack_keys

        return pack_keys(keys, num_perm=self.num_perm)

    def decider(self) -> Decider:
        """The whole-corpus decision, fed keys in input order (see :class:`Decider`); closed with the stage."""
        decider = Decider(self)
        self._cleanup.append(decider)
        return decider

    def apply(self, doc: Document, verdict: Verdict) -> None:
        """Mark ``doc`` as ``verdict`` says: cluster fields in ``meta`` when kept, a rejection when dropped."""
        if verdict[0] == "keep":
            doc.meta.update(verdict[1])
        else:
            _, rule, value, threshold, detail = verdict
            doc.reject(self.name, rule, value=value, threshold=threshold, **detail)

    def run(self, docs: Iterator[Document]) -> Iterator[Document]:
        decider = self.decider()
        # Chunk by chunk: the collector and the spill take a chunk in one call each (per-document calls
        # were a third of the main process's time with two workers).
        while chunk := list(itertools.islice(docs, _RUN_CHUNK)):
            for doc in chunk:
                if doc.rejected is not None:
                    doc.scratch.pop(_SCRATCH, None)
            decider.add(self.keys([doc for doc in chunk if doc.rejected is None]))
            decider.spill.write_many(chunk)
        verdicts = decider.verdicts()
        for doc in decider.spill.read():
            if doc.rejected is None:
                self.apply(doc, next(verdicts))
            yield doc
        decider.finish()
        self.close()

    def close(self) -> None:
        while self._cleanup:
            self._cleanup.pop().close()


# ("keep", meta fields) or ("drop", rule, value, threshold, detail): what happens to one document.
Verdict = tuple[Any, ...]
Key = tuple[str, int, "bytes | None", int]


def keep_verdict(cluster: str, size: int) -> Verdict:
    """The verdict for the document a cluster keeps (a document in no cluster is its own, of size 1)."""
    return ("keep", {"dup_cluster": cluster, "dup_count": size})


def drop_verdict(*, exact: bool, similarity: float, threshold: float, duplicate_of: str, cluster: str) -> Verdict:
    """The verdict for a copy of ``duplicate_of``: an exact copy (same normalised view) or a near one."""
    return ("drop", "exact_duplicate" if exact else "near_duplicate", round(similarity, 4),
            None if exact else threshold, {"duplicate_of": duplicate_of, "dup_cluster": cluster})


class Decider:
    """Deduplication's state over one run: keys go in (:meth:`add`, input order), one verdict per key comes
    out once the input has ended (:meth:`verdicts`), and :meth:`finish` saves the index. Its temporary
    directory also holds the spilled documents (``spill``), removed on :meth:`close`.
    """

    def __init__(self, stage: Dedup) -> None:
        from corpusclean.dedup.duplicates import Collector
        from corpusclean.dedup.spill import Spill

        self.stage = stage
        self.spill = Spill(stage.spill_dir, prefix=SPILL_PREFIX)
        self.collector = Collector(num_perm=stage.num_perm, signature_path=self.spill.file("signatures.u32"))
        self.decision: Any = None
        if stage.index is not None and os.path.exists(stage.index):
            from corpusclean.dedup.index import load_index

            for doc_id, exact, sig in load_index(stage.index, expect=stage.signature_params()):
                self.collector.add_pinned(doc_id, exact, sig)

    def add(self, keys: list[Key]) -> None:
        if keys:
            ids, exact, sigs, lengths = zip(*keys, strict=True)
            self.collector.add_many(list(ids), list(exact), list(sigs), list(lengths))

    def add_packed(self, packed: Any) -> None:
        self.collector.add_packed(packed)

    def verdicts(self) -> Iterator[Verdict]:
        """One verdict per key added, in the same order (decided when first asked for)."""
        from corpusclean.dedup.duplicates import decide

        stage, collector = self.stage, self.collector
        decision = self.decision = decide(collector, bands=stage.bands, rows=stage.rows, threshold=stage.threshold,
                                          seed=stage.seed, keep=stage.keep)
        # Python values block by block: a list over the whole corpus would cost ~36 bytes per document.
        for first in range(collector.pinned, len(collector), _VERDICT_BLOCK):
            last = min(first + _VERDICT_BLOCK, len(collector))
            block = zip(range(first, last), decision.kept[first:last].tolist(),
                        decision.cluster_keys[first:last].tolist(), decision.sizes[first:last].tolist(), strict=True)
            for position, kept, key, size in block:
                cluster = f"{key:016x}"
                if kept == position:
                    yield keep_verdict(cluster, size)
                else:
                    yield self._dropped(position, kept, cluster)

    def _dropped(self, position: int, kept: int, cluster: str) -> Verdict:
        decision, collector, stage = self.decision, self.collector, self.stage
        return drop_verdict(exact=bool(decision.exact[kept] == decision.exact[position]),
                            similarity=decision.similarity(position, kept), threshold=stage.threshold,
                            duplicate_of=collector.doc_id(kept), cluster=cluster)

    def finish(self) -> None:
        """Save the index (when the stage has one) after every verdict was taken."""
        if self.stage.index is not None and self.decision is not None:
            self._save_index(self.decision, self.collector)

    def _save_index(self, decision: Any, collector: Any) -> None:
        from corpusclean.dedup.index import save_index

        positions = np.arange(len(collector))
        # Indexed documents stay (they are published); new ones join when they were kept.
        keep = np.flatnonzero((decision.kept == positions) | (positions < collector.pinned))
        save_index(self.stage.index, params=self.stage.signature_params(),
                   ids=[collector.doc_id(int(p)).encode("utf-8", "surrogatepass") for p in keep],
                   exact=decision.exact[keep], signatures=decision.signatures[keep],
                   has_signature=decision.has_signature[keep])

    def close(self) -> None:
        self.collector.close()
        self.spill.close()
