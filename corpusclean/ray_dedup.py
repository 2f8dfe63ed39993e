"""Deduplication on Ray Data: the same clusters and the same kept documents as :mod:`corpusclean.duplicates`,
decided by shuffles instead of in one process.

The local engine's decision is a function of per-document values only (exact hash, signature, length,
input order), never of how the work is split (see :mod:`corpusclean.clusters` and :mod:`corpusclean.lsh`),
so it can be computed in steps that each group rows by a key:

1. **Buckets.** Each document with a signature becomes ``bands`` rows ``(band, key, order, exact)`` with
   the same band keys as :func:`corpusclean.lsh.band_keys`; one without (too short for a shingle) becomes
   one row in pseudo-band ``-1`` keyed by its exact hash. A group-by on ``(band, key)`` forms the buckets.
   Inside a bucket, documents with equal exact hashes are exact copies: each is linked to the earliest
   (once, from band 0 or -1, where every copy meets its first), and only the earliest of each takes part
   in LSH, as locally.
2. **Verification.** Buckets that still hold two or more distinct texts get their members' signatures (a
   group-by on the document order joins them) and are verified by a group-by on the bucket, with the
   local engine's rules: all pairs of a small bucket, a spanning forest of a large one.
3. **Components.** The edges go through alternating large-star and small-star rounds (Kiveris et al.,
   "Connected Components in MapReduce and Beyond", SoCC 2014), each a group-by on a node, until the edges
   form stars around each component's smallest node; every round's edges stay in the object store, none
   on the driver. A round whose nodes all already look like a star forest stops the loop.
4. **Decision.** A group-by on the order attaches each linked document's values to its root, and a
   group-by on the root applies :func:`corpusclean.clusters.kept_members` to the cluster.

``order`` is an ``int64`` that sorts like the input (file index in the high bits, item in the low), so
"earliest in input order" means the same document as locally.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from typing import Any

import numpy as np

from corpusclean.clusters import kept_members
from corpusclean.lsh import _SMALL_BUCKET, _Forest, _large_bucket_edges, band_keys, min_agreement

# Pseudo-band of documents without a signature (grouped by exact hash only).
NO_SIGNATURE_BAND = -1
# Rows carry one of these in ``kind`` where one step emits two kinds of row.
_EDGE, _MEMBER, _SIGNATURE = 0, 1, 2
# A round of the component loop found a node that is not yet part of a star.
_UNSTABLE = -1


class Unsupported(ValueError):
    """A run option the ray engine does not implement (the message says what to use instead)."""


@dataclass(frozen=True)
class DedupParams:
    """What the decision depends on: the :class:`~corpusclean.stages.dedup.Dedup` stage's parameters."""

    num_perm: int
    bands: int
    rows: int
    threshold: float
    seed: int
    keep: str

    @classmethod
    def of(cls, stage: Any) -> DedupParams:
        if getattr(stage, "index", None) is not None:
            raise Unsupported("the ray engine does not support dedup index files yet (stage 'dedup', parameter "
                             "'index'); run with --engine local or drop --dedup-index")
        return cls(num_perm=stage.num_perm, bands=stage.bands, rows=stage.rows, threshold=stage.threshold,
                   seed=stage.seed, keep=stage.keep)


def _u64(values: np.ndarray) -> np.ndarray:
    return np.asarray(values).astype(np.int64).view(np.uint64)


def _i64(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.uint64).view(np.int64)


def rows_where(batch: dict[str, np.ndarray], *, column: str, equals: Any = None, differs: Any = None,
               nonempty: bool = False) -> dict[str, np.ndarray]:
    """The rows of a batch whose ``column`` equals / differs from a value or is a non-empty bytes value (a
    filter written as a batch map: vectorised, and the same in every Ray version)."""
    values = batch[column]
    if nonempty:
        keep = np.array([len(v) > 0 for v in values], dtype=bool)
    elif equals is not None:
        keep = values == equals
    else:
        keep = values != differs
    return {name: array[keep] for name, array in batch.items()}


def where(ds: Any, column: str, **condition: Any) -> Any:
    from functools import partial

    return ds.map_batches(partial(rows_where, column=column, **condition), batch_format="numpy")


def _signatures(column: np.ndarray, num_perm: int) -> np.ndarray:
    return np.frombuffer(b"".join(column), dtype=np.uint32).reshape(-1, num_perm)


# --- 1. buckets -------------------------------------------------------------------------------------------


def band_rows(batch: dict[str, np.ndarray], *, params: DedupParams) -> dict[str, np.ndarray]:
    """``(band, key, order, exact)`` rows of a batch of ``(order, exact, sig)`` rows."""
    order, exact, sig = batch["order"], batch["exact"], batch["sig"]
    has = np.array([len(s) > 0 for s in sig], dtype=bool)
    bands, keys, orders, exacts = [np.full((~has).sum(), NO_SIGNATURE_BAND, dtype=np.int32)], [exact[~has]], \
        [order[~has]], [exact[~has]]
    if has.any():
        sigs = _signatures(sig[has], params.num_perm)
        for band in range(params.bands):
            bands.append(np.full(len(sigs), band, dtype=np.int32))
            keys.append(_i64(band_keys(sigs, band, rows=params.rows, seed=params.seed)))
            orders.append(order[has])
            exacts.append(exact[has])
    return {"band": np.concatenate(bands), "key": np.concatenate(keys), "order": np.concatenate(orders),
            "exact": np.concatenate(exacts)}


def _rows(kind: int, band: Any, key: Any, x: Any, y: Any, size: int) -> dict[str, np.ndarray]:
    return {"kind": np.full(size, kind, dtype=np.int8), "band": np.full(size, band, dtype=np.int32),
            "key": np.full(size, key, dtype=np.int64), "x": np.asarray(x, dtype=np.int64),
            "y": np.asarray(y, dtype=np.int64)}


def bucket(group: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """One bucket: exact-copy edges (copy -> earliest copy, from band 0 or -1 only) and, when two or more
    distinct texts remain, one member row per distinct text (its earliest copy) for verification."""
    band, key = int(group["band"][0]), int(group["key"][0])
    by_order = np.argsort(group["order"], kind="stable")
    order, exact = group["order"][by_order], group["exact"][by_order]
    out = [_rows(_EDGE, band, key, [], [], 0)]
    if len(order) < 2:
        return out[0]
    by_exact = np.argsort(exact, kind="stable")
    ordered = exact[by_exact]
    starts = np.r_[True, ordered[1:] != ordered[:-1]]
    first = np.empty(len(order), dtype=np.int64)
    first[by_exact] = by_exact[np.flatnonzero(starts)][np.cumsum(starts) - 1]
    copies = np.flatnonzero(first != np.arange(len(order)))
    if band in (0, NO_SIGNATURE_BAND) and len(copies):
        out.append(_rows(_EDGE, band, key, order[first[copies]], order[copies], len(copies)))
    firsts = np.flatnonzero(first == np.arange(len(order)))
    if band != NO_SIGNATURE_BAND and len(firsts) >= 2:
        out.append(_rows(_MEMBER, band, key, order[firsts], exact[firsts], len(firsts)))
    return {name: np.concatenate([part[name] for part in out]) for name in out[0]}


# --- 2. verification --------------------------------------------------------------------------------------


def member_and_signature_rows(batch: dict[str, np.ndarray], *, kind: int) -> dict[str, np.ndarray]:
    """Member rows ``(band, key, order)`` or signature rows ``(order, sig)`` in one schema, for a union."""
    size = len(batch["x"] if kind == _MEMBER else batch["order"])
    empty = np.array([b""] * size, dtype=object)
    if kind == _MEMBER:
        return {"kind": np.full(size, _MEMBER, dtype=np.int8), "band": batch["band"], "key": batch["key"],
                "order": batch["x"], "sig": empty}
    return {"kind": np.full(size, _SIGNATURE, dtype=np.int8), "band": np.zeros(size, dtype=np.int32),
            "key": np.zeros(size, dtype=np.int64), "order": batch["order"], "sig": batch["sig"]}


def attach_signature(group: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """One document's member rows, each given the document's signature."""
    is_sig = group["kind"] == _SIGNATURE
    members = np.flatnonzero(~is_sig)
    sig = group["sig"][np.flatnonzero(is_sig)[0]] if is_sig.any() else b""
    return {"band": group["band"][members], "key": group["key"][members], "order": group["order"][members],
            "sig": np.array([sig] * len(members), dtype=object)}


def verify_bucket(group: dict[str, np.ndarray], *, params: DedupParams) -> dict[str, np.ndarray]:
    """Verified edges of one bucket, by the rules of :func:`corpusclean.lsh.near_duplicate_edges`: every
    pair of a small bucket whose signatures agree in enough positions; a spanning forest of a large one."""
    by_order = np.argsort(group["order"], kind="stable")
    members = group["order"][by_order]
    sigs = _signatures(group["sig"][by_order], params.num_perm)
    min_agree = min_agreement(params.threshold, params.num_perm)
    if len(members) <= _SMALL_BUCKET:
        left, right = np.triu_indices(len(members), 1)
        agree = np.count_nonzero(sigs[left] == sigs[right], axis=1)
        keep = agree >= min_agree
        return {"a": members[left[keep]], "b": members[right[keep]]}
    # The local engine's large-bucket verification on this bucket alone (a fresh union-find): edges that
    # connect the same components as all verified pairs of the bucket.
    found = np.array(_large_bucket_edges(sigs, np.arange(len(members)), min_agree, _Forest(np.arange(len(members)))),
                     dtype=np.int64).reshape(-1, 2).T
    return {"a": members[found[0]], "b": members[found[1]]}


def edge_rows(batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {"a": batch["x"], "b": batch["y"]}


# --- 3. connected components ------------------------------------------------------------------------------


def both_directions(batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {"u": np.concatenate([batch["a"], batch["b"]]), "v": np.concatenate([batch["b"], batch["a"]])}


def larger_to_smaller(batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {"u": np.maximum(batch["a"], batch["b"]), "v": np.minimum(batch["a"], batch["b"])}


def large_star(group: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Link every larger neighbour of node ``u`` to the smallest node of ``u``'s neighbourhood. A node
    that is neither a root (all neighbours larger) nor a leaf (one neighbour, smaller) adds a marker row:
    while one exists the edges are not yet stars."""
    u = int(group["u"][0])
    neighbours = np.unique(group["v"])
    smallest = min(int(neighbours[0]), u)
    larger = neighbours[neighbours > u]
    stable = neighbours[0] > u or (len(neighbours) == 1 and neighbours[0] < u)
    a = np.r_[larger, [] if stable else [_UNSTABLE]].astype(np.int64)
    b = np.r_[np.full(len(larger), smallest), [] if stable else [_UNSTABLE]].astype(np.int64)
    return {"a": a, "b": b}


def small_star(group: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Link node ``u`` and its smaller neighbours to the smallest of them."""
    u = int(group["u"][0])
    neighbours = np.unique(group["v"])
    smallest = int(neighbours[0])
    others = np.r_[neighbours[1:], [u]].astype(np.int64)
    return {"a": others, "b": np.full(len(others), smallest, dtype=np.int64)}


def components(edges: Any, *, partitions: int, max_rounds: int = 64) -> Any:
    """Star edges ``(a=node, b=root)``, root the smallest node of the component, for a dataset of
    undirected edges ``(a, b)``. Nodes in no edge are their own component and are not listed."""
    for _ in range(max_rounds):
        large = (edges.map_batches(both_directions, batch_format="numpy")
                 .groupby("u", num_partitions=partitions).map_groups(large_star, batch_format="numpy")
                 .materialize())
        unstable = where(large, "a", equals=_UNSTABLE).count()
        if unstable == 0:
            return edges.map_batches(larger_to_smaller, batch_format="numpy").map_batches(
                lambda batch: {"a": batch["u"], "b": batch["v"]}, batch_format="numpy")
        large = where(large, "a", differs=_UNSTABLE)
        edges = (large.map_batches(larger_to_smaller, batch_format="numpy")
                 .groupby("u", num_partitions=partitions).map_groups(small_star, batch_format="numpy")
                 .materialize())
    raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")


# --- 4. decision ------------------------------------------------------------------------------------------


def root_and_value_rows(batch: dict[str, np.ndarray], *, kind: int) -> dict[str, np.ndarray]:
    """Root rows ``(order, root)`` or document rows ``(order, exact, sig, length, id)`` in one schema."""
    if kind == _EDGE:
        size = len(batch["a"])
        order, root = np.r_[batch["a"], batch["b"]], np.r_[batch["b"], batch["b"]]
        size = len(order)
        return {"kind": np.full(size, _EDGE, dtype=np.int8), "order": order, "root": root,
                "exact": np.zeros(size, dtype=np.int64), "sig": np.array([b""] * size, dtype=object),
                "length": np.zeros(size, dtype=np.int64), "id": np.array([""] * size, dtype=object)}
    size = len(batch["order"])
    return {"kind": np.full(size, _SIGNATURE, dtype=np.int8), "order": batch["order"],
            "root": np.full(size, -1, dtype=np.int64), "exact": batch["exact"], "sig": batch["sig"],
            "length": batch["length"], "id": batch["id"]}


def attach_root(group: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """A linked document's values with its root; nothing for a document in no cluster."""
    is_root = group["kind"] == _EDGE
    values = np.flatnonzero(~is_root)
    if not is_root.any() or not len(values):
        return {name: group[name][:0] for name in ("root", "order", "exact", "sig", "length", "id")}
    first = values[:1]
    return {"root": group["root"][np.flatnonzero(is_root)[:1]], "order": group["order"][first],
            "exact": group["exact"][first], "sig": group["sig"][first], "length": group["length"][first],
            "id": group["id"][first]}


def decide_cluster(group: dict[str, np.ndarray], *, params: DedupParams) -> dict[str, np.ndarray]:
    """One cluster's decision per member, as :func:`corpusclean.duplicates.decide` and
    :meth:`corpusclean.duplicates.Decision.similarity` make it: the kept member by the keep policy, the
    cluster size, the cluster key (smallest exact hash) and each member's similarity to the kept one."""
    by_order = np.argsort(group["order"], kind="stable")
    order, ids = group["order"][by_order], group["id"][by_order]
    exact = _u64(group["exact"][by_order])
    sig = group["sig"][by_order]
    lengths = group["length"][by_order].astype(np.int64)
    kept = int(kept_members(np.zeros(len(order), dtype=np.int64), keep=params.keep, lengths=lengths)[0])
    cluster_key = f"{int(exact.min()):016x}"
    decisions = []
    for i in range(len(order)):
        exact_copy = bool(exact[i] == exact[kept])
        if exact_copy:
            value = 1.0
        elif len(sig[i]) and len(sig[kept]):
            a, b = (np.frombuffer(s, dtype=np.uint32) for s in (sig[i], sig[kept]))
            value = float(np.count_nonzero(a == b)) / params.num_perm
        else:
            value = 0.0
        decisions.append(pickle.dumps((i == kept, str(ids[kept]), len(order), cluster_key, exact_copy, value)))
    return {"order": order, "decision": np.array(decisions, dtype=object)}


def mark(doc: Any, decision: tuple[Any, ...] | None, exact: int, *, stage: str, threshold: float) -> None:
    """Mark a document as :meth:`corpusclean.stages.dedup.Dedup._mark` does (``decision`` is None for a
    document in no cluster: kept, cluster of one keyed by its own exact hash)."""
    if decision is None:
        doc.meta["dup_cluster"] = f"{exact & 0xFFFFFFFFFFFFFFFF:016x}"
        doc.meta["dup_count"] = 1
        return
    is_kept, kept_id, size, cluster, exact_copy, value = decision
    if is_kept:
        doc.meta["dup_cluster"] = cluster
        doc.meta["dup_count"] = size
        return
    doc.reject(stage, "exact_duplicate" if exact_copy else "near_duplicate", value=round(value, 4),
               threshold=None if exact_copy else threshold, duplicate_of=kept_id, dup_cluster=cluster)


def decisions(keys: Any, *, params: DedupParams, partitions: int) -> Any | None:
    """Per linked document ``(order, decision)``, for a dataset of ``(order, exact, sig, length, id)`` rows
    of the documents dedup sees; None when no two documents are duplicates."""
    from functools import partial

    buckets = (keys.map_batches(partial(band_rows, params=params), batch_format="numpy")
               .groupby(["band", "key"], num_partitions=partitions).map_groups(bucket, batch_format="numpy")
               .materialize())
    exact_edges = where(buckets, "kind", equals=_EDGE).map_batches(edge_rows, batch_format="numpy")
    members = where(buckets, "kind", equals=_MEMBER)
    edges = exact_edges
    if members.count():
        signed = where(keys, "sig", nonempty=True)
        near = (members.map_batches(partial(member_and_signature_rows, kind=_MEMBER), batch_format="numpy")
                .union(signed.map_batches(partial(member_and_signature_rows, kind=_SIGNATURE),
                                          batch_format="numpy"))
                .groupby("order", num_partitions=partitions).map_groups(attach_signature, batch_format="numpy")
                .groupby(["band", "key"], num_partitions=partitions)
                .map_groups(partial(verify_bucket, params=params), batch_format="numpy"))
        edges = exact_edges.union(near)
    edges = edges.materialize()
    if edges.count() == 0:
        return None
    stars = components(edges, partitions=partitions)
    return (stars.map_batches(partial(root_and_value_rows, kind=_EDGE), batch_format="numpy")
            .union(keys.map_batches(partial(root_and_value_rows, kind=_SIGNATURE), batch_format="numpy"))
            .groupby("order", num_partitions=partitions).map_groups(attach_root, batch_format="numpy")
            .groupby("root", num_partitions=partitions)
            .map_groups(partial(decide_cluster, params=params), batch_format="numpy"))
