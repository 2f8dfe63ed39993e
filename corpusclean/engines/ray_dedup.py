"""Deduplication on Ray Data: the same clusters and the same kept documents as :mod:`corpusclean.dedup.duplicates`,
decided by shuffles instead of in one process.

The local engine's decision is a function of per-document values only (exact hash, signature, length,
input order), never of how the work is split (see :mod:`corpusclean.dedup.clusters` and :mod:`corpusclean.dedup.lsh`),
so it can be computed in steps that each group rows by a key:

1. **Buckets.** Each document with a signature becomes ``bands`` rows ``(band, key, order, exact)`` with
   the same band keys as :func:`corpusclean.dedup.lsh.band_keys`; one without (too short for a shingle) becomes
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
   group-by on the root applies :func:`corpusclean.dedup.clusters.kept_members` to the cluster.

``order`` is an ``int64`` that sorts like the input (file index in the high bits, item in the low), so
"earliest in input order" means the same document as locally.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from typing import Any

import numpy as np

from corpusclean.dedup.clusters import kept_members
from corpusclean.dedup.lsh import SMALL_BUCKET, Forest, band_keys, large_bucket_edges, min_agreement
from corpusclean.dedup.shingles import fmix64

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


def _rows(kind: int, band: Any, key: Any, x: Any, y: Any) -> dict[str, np.ndarray]:
    x = np.asarray(x, dtype=np.int64)
    return {"kind": np.full(len(x), kind, dtype=np.int8), "band": np.asarray(band, dtype=np.int32),
            "key": np.asarray(key, dtype=np.int64), "x": x, "y": np.asarray(y, dtype=np.int64)}


def _concat(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}


def _run_starts(*keys: np.ndarray) -> np.ndarray:
    """Boolean mask of the rows (already sorted by ``keys``) that start a run of equal keys."""
    size = len(keys[0])
    starts = np.zeros(size, dtype=bool)
    if size:
        starts[0] = True
        for key in keys:
            starts[1:] |= key[1:] != key[:-1]
    return starts


def _first_of_run(starts: np.ndarray) -> np.ndarray:
    """For each row, the index of the first row of its run."""
    return np.maximum.accumulate(np.where(starts, np.arange(len(starts)), 0))


def with_partition(batch: dict[str, np.ndarray], *, keys: tuple[str, ...], partitions: int) -> dict[str, np.ndarray]:
    """Add ``part``, a hash of the ``keys`` columns modulo ``partitions``: rows with equal keys meet in one
    partition, and each partition is handled by one vectorised call (Ray's per-group calls cost ~0.1 ms
    each, more than the work for a bucket of two)."""
    size = len(batch[keys[0]])
    mixed = np.full(size, 0x9E3779B97F4A7C15, dtype=np.uint64)
    for key in keys:
        mixed = fmix64(mixed ^ np.asarray(batch[key]).astype(np.int64).view(np.uint64))
    return {**batch, "part": (mixed % np.uint64(partitions)).astype(np.int64)}


def grouped(ds: Any, keys: tuple[str, ...], fn: Any, *, partitions: int) -> Any:
    """``fn`` over hash partitions of ``ds`` by ``keys`` (each call sees every row of the keys it holds)."""
    from functools import partial

    return (ds.map_batches(partial(with_partition, keys=keys, partitions=partitions), batch_format="numpy")
            .groupby("part", num_partitions=partitions).map_groups(fn, batch_format="numpy"))


def buckets(group: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The buckets of a partition: exact-copy edges (copy -> earliest copy, from band 0 or -1 only, where
    every copy meets its first) and, in buckets that hold two or more distinct texts, one member row per
    distinct text (its earliest copy) for verification."""
    idx = np.lexsort((group["order"], group["exact"], group["key"], group["band"]))
    band, key, exact, order = group["band"][idx], group["key"][idx], group["exact"][idx], group["order"][idx]
    new_bucket = _run_starts(band, key)
    new_text = _run_starts(band, key, exact)
    copies = ~new_text & ((band == 0) | (band == NO_SIGNATURE_BAND))
    first = _first_of_run(new_text)
    bucket_id = np.cumsum(new_bucket) - 1
    texts = np.bincount(bucket_id[new_text], minlength=int(bucket_id[-1]) + 1 if len(idx) else 0)
    members = new_text & (band != NO_SIGNATURE_BAND) & (texts[bucket_id] >= 2)
    return _concat([
        _rows(_EDGE, band[copies], key[copies], order[first[copies]], order[copies]),
        _rows(_MEMBER, band[members], key[members], order[members], exact[members]),
    ])


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


def attach_signatures(group: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each member row of a partition, given its document's signature."""
    is_sig = group["kind"] == _SIGNATURE
    sig_orders, first = np.unique(group["order"][is_sig], return_index=True)
    sigs = group["sig"][is_sig][first]
    members = np.flatnonzero(~is_sig)
    at = np.searchsorted(sig_orders, group["order"][members])
    return {"band": group["band"][members], "key": group["key"][members], "order": group["order"][members],
            "sig": sigs[at] if len(members) else np.array([], dtype=object)}


def verify_buckets(group: dict[str, np.ndarray], *, params: DedupParams) -> dict[str, np.ndarray]:
    """Verified edges of a partition's buckets, by the rules of :func:`corpusclean.dedup.lsh.near_duplicate_edges`:
    every pair of a small bucket whose signatures agree in enough positions; for a large one, the local
    engine's large-bucket verification on that bucket alone (a fresh union-find), whose edges connect the
    same components as all verified pairs."""
    idx = np.lexsort((group["order"], group["key"], group["band"]))
    order = group["order"][idx]
    sigs = _signatures(group["sig"][idx], params.num_perm)
    min_agree = min_agreement(params.threshold, params.num_perm)
    starts = np.flatnonzero(_run_starts(group["band"][idx], group["key"][idx]))
    sizes = np.diff(np.r_[starts, len(idx)])
    left_parts, right_parts = [np.empty(0, dtype=np.int64)], [np.empty(0, dtype=np.int64)]
    for size in np.unique(sizes[(sizes >= 2) & (sizes <= SMALL_BUCKET)]):
        first, second = np.triu_indices(int(size), 1)
        base = starts[sizes == size][:, None]
        left, right = (base + first).ravel(), (base + second).ravel()
        keep = np.count_nonzero(sigs[left] == sigs[right], axis=1) >= min_agree
        left_parts.append(order[left[keep]])
        right_parts.append(order[right[keep]])
    for start, size in zip(starts[sizes > SMALL_BUCKET], sizes[sizes > SMALL_BUCKET], strict=True):
        members = np.arange(int(size))
        found = np.array(large_bucket_edges(sigs[start:start + size], members, min_agree, Forest(members)),
                         dtype=np.int64).reshape(-1, 2)
        left_parts.append(order[start + found[:, 0]])
        right_parts.append(order[start + found[:, 1]])
    return {"a": np.concatenate(left_parts), "b": np.concatenate(right_parts)}


def edge_rows(batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {"a": batch["x"], "b": batch["y"]}


# --- 3. connected components ------------------------------------------------------------------------------


def both_directions(batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {"u": np.concatenate([batch["a"], batch["b"]]), "v": np.concatenate([batch["b"], batch["a"]])}


def larger_to_smaller(batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {"u": np.maximum(batch["a"], batch["b"]), "v": np.minimum(batch["a"], batch["b"])}


def _neighbourhoods(group: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct ``(u, v)`` pairs sorted by ``u`` then ``v``, the start of each ``u``'s run, and per row the
    first row of its run (whose ``v`` is the smallest neighbour)."""
    pairs = np.unique(np.stack([group["u"], group["v"]], axis=1), axis=0)
    u, v = pairs[:, 0], pairs[:, 1]
    starts = _run_starts(u)
    return u, v, starts, _first_of_run(starts)


def large_star(group: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """For each node ``u`` of the partition: link every larger neighbour to the smallest node of ``u``'s
    neighbourhood. A node that is neither a root (all neighbours larger) nor a leaf (one neighbour, smaller)
    adds a marker row: while one exists the edges are not yet stars."""
    u, v, starts, first = _neighbourhoods(group)
    smallest = np.minimum(v[first], u)
    larger = v > u
    counts = np.diff(np.r_[np.flatnonzero(starts), len(u)])
    head = np.flatnonzero(starts)
    stable = (v[head] > u[head]) | ((counts == 1) & (v[head] < u[head]))
    unstable = int(np.count_nonzero(~stable))
    return {"a": np.r_[v[larger], np.full(unstable, _UNSTABLE)].astype(np.int64),
            "b": np.r_[smallest[larger], np.full(unstable, _UNSTABLE)].astype(np.int64)}


def small_star(group: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """For each node ``u`` of the partition (edges point from larger to smaller): link ``u`` and its
    smaller neighbours to the smallest of them."""
    u, v, starts, first = _neighbourhoods(group)
    smallest = v[first]
    others = v != smallest
    head = np.flatnonzero(starts)
    return {"a": np.r_[v[others], u[head]].astype(np.int64),
            "b": np.r_[smallest[others], smallest[head]].astype(np.int64)}


def components(edges: Any, *, partitions: int, max_rounds: int = 64) -> Any:
    """Star edges ``(a=node, b=root)``, root the smallest node of the component, for a dataset of
    undirected edges ``(a, b)``. Nodes in no edge are their own component and are not listed."""
    for _ in range(max_rounds):
        large = grouped(edges.map_batches(both_directions, batch_format="numpy"), ("u",), large_star,
                        partitions=partitions).materialize()
        if where(large, "a", equals=_UNSTABLE).count() == 0:
            return edges.map_batches(larger_to_smaller, batch_format="numpy").map_batches(
                lambda batch: {"a": batch["u"], "b": batch["v"]}, batch_format="numpy")
        large = where(large, "a", differs=_UNSTABLE)
        edges = grouped(large.map_batches(larger_to_smaller, batch_format="numpy"), ("u",), small_star,
                        partitions=partitions).materialize()
    raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")


# --- 4. decision ------------------------------------------------------------------------------------------


def root_and_value_rows(batch: dict[str, np.ndarray], *, kind: int) -> dict[str, np.ndarray]:
    """Root rows ``(order, root)`` or document rows ``(order, exact, sig, length, id)`` in one schema."""
    if kind == _EDGE:
        order, root = np.r_[batch["a"], batch["b"]], np.r_[batch["b"], batch["b"]]
        size = len(order)
        return {"kind": np.full(size, _EDGE, dtype=np.int8), "order": order, "root": root,
                "exact": np.zeros(size, dtype=np.int64), "sig": np.array([b""] * size, dtype=object),
                "length": np.zeros(size, dtype=np.int64), "id": np.array([""] * size, dtype=object)}
    size = len(batch["order"])
    return {"kind": np.full(size, _SIGNATURE, dtype=np.int8), "order": batch["order"],
            "root": np.full(size, -1, dtype=np.int64), "exact": batch["exact"], "sig": batch["sig"],
            "length": batch["length"], "id": batch["id"]}


def attach_roots(group: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The values of each linked document of the partition, with its root; nothing for the others."""
    is_root = group["kind"] == _EDGE
    root_orders, first = np.unique(group["order"][is_root], return_index=True)
    roots = group["root"][is_root][first]
    values = np.flatnonzero(~is_root)
    at = np.minimum(np.searchsorted(root_orders, group["order"][values]), max(len(root_orders) - 1, 0))
    linked = values[root_orders[at] == group["order"][values]] if len(root_orders) else values[:0]
    at = np.searchsorted(root_orders, group["order"][linked])
    return {"root": roots[at] if len(linked) else np.empty(0, dtype=np.int64), "order": group["order"][linked],
            "exact": group["exact"][linked], "sig": group["sig"][linked], "length": group["length"][linked],
            "id": group["id"][linked]}


def decide_clusters(group: dict[str, np.ndarray], *, params: DedupParams) -> dict[str, np.ndarray]:
    """Each cluster's decision per member, as :func:`corpusclean.dedup.duplicates.decide` and
    :meth:`corpusclean.dedup.duplicates.Decision.similarity` make it: the kept member by the keep policy
    (:func:`corpusclean.dedup.clusters.kept_members`), the cluster size, the cluster key (smallest exact hash)
    and each member's similarity to the kept one."""
    idx = np.lexsort((group["order"], group["root"]))
    order, ids, root = group["order"][idx], group["id"][idx], group["root"][idx]
    exact = _u64(group["exact"][idx])
    sig = group["sig"][idx]
    starts = _run_starts(root)
    labels = _first_of_run(starts)  # each row labelled by its cluster's earliest row, as the local labels are
    kept = kept_members(labels, keep=params.keep, lengths=group["length"][idx].astype(np.int64))
    heads = np.flatnonzero(starts)
    sizes = np.diff(np.r_[heads, len(idx)])[np.cumsum(starts) - 1]
    keys = np.minimum.reduceat(exact, heads)[np.cumsum(starts) - 1]
    has = np.array([len(x) > 0 for x in sig], dtype=bool)
    matrix = np.zeros((len(idx), params.num_perm), dtype=np.uint32)
    if has.any():
        matrix[has] = _signatures(sig[has], params.num_perm)
    exact_copy = exact == exact[kept]
    agree = np.count_nonzero(matrix == matrix[kept], axis=1) / params.num_perm
    value = np.where(exact_copy, 1.0, np.where(has & has[kept], agree, 0.0))
    decided = [pickle.dumps((int(kept[i]) == i, str(ids[kept[i]]), int(sizes[i]), f"{int(keys[i]):016x}",
                             bool(exact_copy[i]), float(value[i]))) for i in range(len(idx))]
    return {"order": order, "decision": np.array(decided, dtype=object)}


def mark(doc: Any, decision: tuple[Any, ...] | None, exact: int, *, stage: Any) -> None:
    """Mark a document with the verdict the local engine's :class:`corpusclean.stages.dedup.Decider` gives
    (``decision`` is None for a document in no cluster: kept, cluster of one keyed by its own exact hash),
    through the same :meth:`corpusclean.stages.dedup.Dedup.apply`."""
    from corpusclean.stages.dedup import drop_verdict, keep_verdict

    if decision is None:
        stage.apply(doc, keep_verdict(f"{exact & 0xFFFFFFFFFFFFFFFF:016x}", 1))
        return
    is_kept, kept_id, size, cluster, exact_copy, value = decision
    if is_kept:
        stage.apply(doc, keep_verdict(cluster, size))
    else:
        stage.apply(doc, drop_verdict(exact=exact_copy, similarity=value, threshold=stage.threshold,
                                      duplicate_of=kept_id, cluster=cluster))


def decisions(keys: Any, *, params: DedupParams, partitions: int) -> Any | None:
    """Per linked document ``(order, decision)``, for a dataset of ``(order, exact, sig, length, id)`` rows
    of the documents dedup sees; None when no two documents are duplicates."""
    from functools import partial

    found = grouped(keys.map_batches(partial(band_rows, params=params), batch_format="numpy"), ("band", "key"),
                    buckets, partitions=partitions).materialize()
    exact_edges = where(found, "kind", equals=_EDGE).map_batches(edge_rows, batch_format="numpy")
    members = where(found, "kind", equals=_MEMBER)
    edges = exact_edges
    if members.count():
        signed = where(keys, "sig", nonempty=True)
        with_sigs = grouped(
            members.map_batches(partial(member_and_signature_rows, kind=_MEMBER), batch_format="numpy").union(
                signed.map_batches(partial(member_and_signature_rows, kind=_SIGNATURE), batch_format="numpy")),
            ("order",), attach_signatures, partitions=partitions)
        edges = exact_edges.union(grouped(with_sigs, ("band", "key"), partial(verify_buckets, params=params),
                                          partitions=partitions))
    edges = edges.materialize()
    if edges.count() == 0:
        return None
    stars = components(edges, partitions=partitions)
    linked = grouped(
        stars.map_batches(partial(root_and_value_rows, kind=_EDGE), batch_format="numpy").union(
            keys.map_batches(partial(root_and_value_rows, kind=_SIGNATURE), batch_format="numpy")),
        ("order",), attach_roots, partitions=partitions)
    return grouped(linked, ("root",), partial(decide_clusters, params=params), partitions=partitions)
