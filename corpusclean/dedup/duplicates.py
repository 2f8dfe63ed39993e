"""The whole-corpus state of deduplication, kept compact, and the decision made over it.

Per document the collector keeps a 64-bit exact hash, the length, the id (bytes in one buffer) and, on
disk beside the spilled documents, the ``uint32`` signature: about ``4 * num_perm + 30`` bytes per
document in memory once the signatures are loaded for the decision (under 600 bytes at the default 128
permutations), where datasketch's in-memory ``MinHashLSH`` needs about 6 KB.

:func:`decide` turns that state into clusters: exact duplicates (equal hashes of the normalised view)
are linked to their first copy; one copy of each distinct text takes part in LSH; components over both
kinds of link are the clusters, and the keep policy picks one member of each (see
:mod:`corpusclean.dedup.clusters`).
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import numpy as np

from corpusclean.dedup.clusters import components, kept_members
from corpusclean.dedup.lsh import near_duplicate_edges


class Collector:
    """Appends what deduplication needs to know about each document, in input order.

    Entries loaded from an earlier run's index (:meth:`add_pinned`) must come first: they take the
    first positions and are never dropped.
    """

    def __init__(self, *, num_perm: int, signature_path: str) -> None:
        self.num_perm = num_perm
        self.signature_path = signature_path
        self._signatures = open(signature_path, "wb", buffering=1 << 20)  # noqa: SIM115 (closed in arrays)
        self._no_signature = bytes(4 * num_perm)
        self.exact = array("Q")
        self.lengths = array("q")
        self.has_signature = bytearray()
        self.id_bytes = bytearray()
        self.id_ends = array("q")
        self.pinned = 0

    def __len__(self) -> int:
        return len(self.exact)

    def add(self, doc_id: str, exact: int, signature: bytes | None, length: int) -> None:
        if signature is not None and len(signature) != len(self._no_signature):
            raise ValueError(f"signature of document {doc_id!r} has {len(signature) // 4} values, "
                             f"expected num_perm={self.num_perm}")
        self._signatures.write(signature if signature is not None else self._no_signature)
        self.exact.append(exact)
        self.lengths.append(length)
        self.has_signature.append(signature is not None)
        self.id_bytes += doc_id.encode("utf-8", "surrogatepass")
        self.id_ends.append(len(self.id_bytes))

    def add_many(self, doc_ids: list[str], exact: list[int], signatures: list[bytes | None],
                 lengths: list[int]) -> None:
        """:meth:`add` for several documents (in order): one write and one append per array."""
        expected = len(self._no_signature)
        for doc_id, signature in zip(doc_ids, signatures, strict=True):
            if signature is not None and len(signature) != expected:
                self.add(doc_id, 0, signature, 0)  # raises, naming the document
        self._signatures.write(b"".join(self._no_signature if sig is None else sig for sig in signatures))
        self.exact.extend(exact)
        self.lengths.extend(lengths)
        self.has_signature.extend(sig is not None for sig in signatures)
        for doc_id in doc_ids:
            self.id_bytes += doc_id.encode("utf-8", "surrogatepass")
            self.id_ends.append(len(self.id_bytes))

    def add_packed(self, packed: PackedKeys) -> None:
        """:meth:`add_many` for keys packed in a worker by :func:`pack_keys`: arrays appended from bytes,
        no Python value per document in this process."""
        ids, id_ends, exact, signatures, has_signature, lengths = packed
        if len(signatures) != len(has_signature) * len(self._no_signature):
            raise ValueError(f"signatures of {len(has_signature)} documents hold {len(signatures) // 4} values, "
                             f"expected num_perm={self.num_perm} each")
        base = len(self.id_bytes)
        self._signatures.write(signatures)
        self.exact.frombytes(exact)
        self.lengths.frombytes(lengths)
        self.has_signature += has_signature
        self.id_bytes += ids
        self.id_ends.frombytes((np.frombuffer(id_ends, dtype=np.int64) + base).tobytes())

    def add_pinned(self, doc_id: str, exact: int, signature: bytes | None) -> None:
        if len(self) != self.pinned:
            raise ValueError("index entries must be loaded before the documents of the run")
        self.add(doc_id, exact, signature, 0)
        self.pinned += 1

    def doc_id(self, position: int) -> str:
        start = self.id_ends[position - 1] if position else 0
        return self.id_bytes[start:self.id_ends[position]].decode("utf-8", "surrogatepass")

    def signatures(self) -> np.ndarray:
        """All signatures as one ``(n, num_perm)`` array, read back from disk (one copy in memory)."""
        if not self._signatures.closed:
            self._signatures.close()
        return np.fromfile(self.signature_path, dtype=np.uint32).reshape(-1, self.num_perm)

    def close(self) -> None:
        if not self._signatures.closed:
            self._signatures.close()


# ids (UTF-8, end to end), id end offsets (int64), exact hashes (uint64), signatures (uint32, zeros where
# there is none), has-signature flags (one byte each) and lengths (int64) of a run of documents.
PackedKeys = tuple[bytes, bytes, bytes, bytes, bytes, bytes]


def pack_keys(keys: list[tuple[str, int, bytes | None, int]], *, num_perm: int) -> PackedKeys:
    """Keys ``(id, exact hash, signature, length)`` as the bytes :meth:`Collector.add_packed` appends
    (built where the documents are, so the main process handles a few byte strings per chunk).

    >>> collector = Collector(num_perm=2, signature_path="/dev/null")
    >>> collector.add_packed(pack_keys([("a", 7, bytes(range(8)), 10), ("b", 8, None, 3)], num_perm=2))
    >>> collector.doc_id(1), list(collector.exact), list(collector.lengths), list(collector.has_signature)
    ('b', [7, 8], [10, 3], [1, 0])
    """
    empty = bytes(4 * num_perm)
    ids = [key[0].encode("utf-8", "surrogatepass") for key in keys]
    for key in keys:
        if key[2] is not None and len(key[2]) != len(empty):
            raise ValueError(f"signature of document {key[0]!r} has {len(key[2]) // 4} values, "
                             f"expected num_perm={num_perm}")
    return (b"".join(ids), np.cumsum([len(i) for i in ids], dtype=np.int64).tobytes(),
            array("Q", [key[1] for key in keys]).tobytes(),
            b"".join(empty if key[2] is None else key[2] for key in keys),
            bytes(key[2] is not None for key in keys), array("q", [key[3] for key in keys]).tobytes())


@dataclass
class Decision:
    """Per position: the kept member of its cluster, the cluster size and the cluster key."""

    kept: np.ndarray
    sizes: np.ndarray
    cluster_keys: np.ndarray
    exact: np.ndarray
    signatures: np.ndarray
    has_signature: np.ndarray

    def similarity(self, a: int, b: int) -> float:
        """Estimated Jaccard similarity of two positions (1.0 for exact duplicates)."""
        if self.exact[a] == self.exact[b]:
            return 1.0
        if not (self.has_signature[a] and self.has_signature[b]):
            return 0.0
        return float(np.count_nonzero(self.signatures[a] == self.signatures[b])) / self.signatures.shape[1]


def decide(collector: Collector, *, bands: int, rows: int, threshold: float, seed: int, keep: str) -> Decision:
    """Cluster everything collected and choose the kept member of each cluster."""
    count = len(collector)
    signatures = collector.signatures()
    exact = np.frombuffer(collector.exact, dtype=np.uint64) if count else np.empty(0, dtype=np.uint64)
    has_signature = np.frombuffer(bytes(collector.has_signature), dtype=np.uint8).astype(bool)
    # Exact duplicates: link every copy to the first one; only first copies go on to LSH (the others
    # have the same signature, so they would add no component that the first copy does not).
    order = np.argsort(exact, kind="stable")
    ordered = exact[order]
    starts = np.r_[True, ordered[1:] != ordered[:-1]] if count else np.empty(0, dtype=bool)
    first_copy = np.empty(count, dtype=np.int64)
    first_copy[order] = order[np.flatnonzero(starts)][np.cumsum(starts) - 1]
    copies = np.flatnonzero(first_copy != np.arange(count))
    candidates = np.flatnonzero(has_signature & (first_copy == np.arange(count)))
    near = near_duplicate_edges(signatures, candidates, bands=bands, rows=rows, threshold=threshold, seed=seed)
    labels = components(count, np.r_[first_copy[copies], near[0]], np.r_[copies, near[1]])
    lengths = np.frombuffer(collector.lengths, dtype=np.int64) if count else np.empty(0, dtype=np.int64)
    kept = kept_members(labels, keep=keep, lengths=lengths, pinned=collector.pinned)
    sizes = np.bincount(labels, minlength=count)[labels]
    keys = np.full(count, np.iinfo(np.uint64).max, dtype=np.uint64)
    np.minimum.at(keys, labels, exact)
    return Decision(kept=kept, sizes=sizes, cluster_keys=keys[labels], exact=exact, signatures=signatures,
                    has_signature=has_signature)
