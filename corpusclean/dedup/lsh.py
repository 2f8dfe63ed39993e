"""Locality-sensitive hashing by banding, done by sorting arrays instead of filling hash tables.

A signature of ``bands * rows`` values is cut into ``bands`` runs of ``rows`` values; two documents
whose runs are equal in at least one band become a candidate pair. With Jaccard similarity ``s`` that
happens with probability ``1 - (1 - s**rows)**bands`` (:func:`collision_probability`), the S-curve the
defaults were chosen from by measurement (``benchmarks/bench_dedup.py --curve``).

datasketch's ``MinHashLSH`` keeps a Python dict per band, about 6 KB per document. Here each band is
one column of 64-bit keys, sorted once: documents with equal keys are neighbours, and candidate pairs
come out as numpy arrays. Every candidate is then verified by the agreement of the full signatures
(the estimated Jaccard similarity) before it links two documents, so a chance collision in one band
never merges two different articles.

The result is a function of the signatures alone (not of input order or of how the work is split), so
a distributed engine that groups the same band keys and verifies the same pairs gets the same edges.
"""

from __future__ import annotations

import numpy as np

from corpusclean.dedup.shingles import fmix64

# Buckets up to this size give all their pairs at once; larger ones (many near-identical pages that
# share a band) are verified block by block and reduced to a spanning forest as they go.
SMALL_BUCKET = 32
_BLOCK = 256
_PAIR_CHUNK = 1 << 13  # pairs verified at once: 8 MB of gathered signatures
_POLY = np.uint64(0x100000001B3)


def collision_probability(similarity: float, *, bands: int, rows: int) -> float:
    """Probability that two signatures with Jaccard ``similarity`` share at least one band.

    >>> round(collision_probability(0.8, bands=9, rows=13), 2), round(collision_probability(0.8, bands=16, rows=8), 2)
    (0.4, 0.95)
    """
    return 1.0 - (1.0 - similarity**rows) ** bands


def band_keys(signatures: np.ndarray, band: int, *, rows: int, seed: int = 1,
              members: np.ndarray | None = None) -> np.ndarray:
    """The 64-bit key of one band (``rows`` consecutive values) for each signature row (or for the rows
    listed in ``members``, reading only the band's columns: no copy of whole signatures).

    >>> sigs = np.array([[1, 2, 3, 4], [1, 2, 9, 9], [5, 2, 3, 4]], dtype=np.uint32)
    >>> k = band_keys(sigs, 0, rows=2)
    >>> bool(k[0] == k[1]), bool(k[0] == k[2])
    (True, False)
    """
    start = band * rows
    if start + rows > signatures.shape[1]:
        raise ValueError(f"band {band} of {rows} rows does not fit a signature of {signatures.shape[1]} values")
    count = signatures.shape[0] if members is None else len(members)
    acc = np.full(count, np.uint64((seed + band) * 0x9E3779B97F4A7C15 % 2**64), dtype=np.uint64)
    for column in range(start, start + rows):
        values = signatures[:, column] if members is None else signatures[members, column]
        acc *= _POLY
        acc ^= values.astype(np.uint64)
    return fmix64(acc)


def _buckets(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``order`` (stable sort of keys) and the start and length of every run of two or more equal keys."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    lengths = np.diff(np.r_[starts, len(keys)])
    shared = lengths >= 2
    return order, starts[shared], lengths[shared]


def _verify(signatures: np.ndarray, left: np.ndarray, right: np.ndarray, min_agree: int) -> np.ndarray:
    keep = np.zeros(len(left), dtype=bool)
    for start in range(0, len(left), _PAIR_CHUNK):
        stop = start + _PAIR_CHUNK
        agree = np.count_nonzero(signatures[left[start:stop]] == signatures[right[start:stop]], axis=1)
        keep[start:stop] = agree >= min_agree
    return keep


def agreement_count(a: np.ndarray, b: np.ndarray) -> int:
    """Positions where two signatures agree."""
    return int(np.count_nonzero(a == b))


def min_agreement(threshold: float, num_perm: int) -> int:
    """Positions that must agree for the estimated Jaccard to reach ``threshold``.

    >>> min_agreement(0.7, 128)
    90
    """
    return int(np.ceil(threshold * num_perm - 1e-9))


class Forest:
    """Union-find over all positions, used while large buckets are verified (roots are smallest indices)."""

    def __init__(self, labels: np.ndarray) -> None:
        self.parent = labels.copy()

    def find(self, node: int) -> int:
        parent = self.parent
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = int(parent[node])
        return node

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def large_bucket_edges(signatures: np.ndarray, members: np.ndarray, min_agree: int, forest: Forest) -> list[int]:
    """Edges (flat ``[a, b, a, b, ...]``) that connect every pair of components joined by a verified
    pair inside one large bucket, found without verifying all pairs.

    Members already connected (by earlier links, or by this bucket in another band) are never compared.
    Each new member is compared with one representative per component first, and with the other members
    of a component only if that representative fails, so a flood of near-identical pages costs about one
    comparison per page instead of one per pair. The components are the same as with all pairs verified.
    """
    roots = np.array([forest.find(int(m)) for m in members])
    if np.all(roots == roots[0]):
        return []
    local = np.unique(roots, return_inverse=True)[1]  # component of each member, numbered locally
    sigs = signatures[members]
    reps: dict[int, int] = {}  # local component -> position (in members) of its first member seen
    found: list[int] = []
    for pos in range(len(members)):
        own = int(local[pos])
        if not reps:
            reps[own] = pos
            continue
        others = [c for c in reps if c != own]
        linked: set[int] = set()
        if others:
            rep_pos = np.array([reps[c] for c in others])
            agree = np.count_nonzero(sigs[rep_pos] == sigs[pos], axis=1) >= min_agree
            for component, hit, rp in zip(others, agree.tolist(), rep_pos.tolist(), strict=True):
                if hit:
                    linked.add(component)
                    found += [int(members[rp]), int(members[pos])]
            failed = [c for c in others if c not in linked]
            if failed:
                candidates = np.flatnonzero(np.isin(local[:pos], failed))
                agree = np.count_nonzero(sigs[candidates] == sigs[pos], axis=1) >= min_agree
                for cp in candidates[agree].tolist():
                    component = int(local[cp])
                    if component not in linked:
                        linked.add(component)
                        found += [int(members[cp]), int(members[pos])]
        merged = min([own, *linked])
        for component in [own, *linked]:
            if component != merged:
                local[local == component] = merged
                first = min(reps.pop(component, pos), reps.get(merged, pos))
                reps[merged] = first
        reps.setdefault(merged, pos)
    for a, b in zip(found[::2], found[1::2], strict=True):
        forest.union(a, b)
    return found


def near_duplicate_edges(signatures: np.ndarray, candidates: np.ndarray, *, bands: int, rows: int,
                         threshold: float, seed: int = 1) -> np.ndarray:
    """Verified near-duplicate edges ``(2, E)`` (row indices into ``signatures``, first < second) among
    the rows listed in ``candidates`` (ascending): pairs that share a band and whose signatures agree in
    at least ``threshold`` of their positions.

    >>> rng = np.random.default_rng(0)
    >>> base = rng.integers(0, 2**32, size=(3, 128), dtype=np.uint32)
    >>> copy = base[0].copy(); copy[:10] = 7          # agrees with row 0 in 118 of 128 positions
    >>> sigs = np.vstack([base, copy])
    >>> near_duplicate_edges(sigs, np.arange(4), bands=16, rows=8, threshold=0.8).tolist()
    [[0], [3]]
    """
    if bands * rows > signatures.shape[1]:
        raise ValueError(f"bands * rows = {bands * rows} exceeds num_perm = {signatures.shape[1]}")
    min_agree = min_agreement(threshold, signatures.shape[1])
    pairs: list[np.ndarray] = []
    large: list[np.ndarray] = []
    for band in range(bands):
        keys = band_keys(signatures, band, rows=rows, seed=seed, members=candidates)
        order, starts, lengths = _buckets(keys)
        for size in np.unique(lengths[lengths <= SMALL_BUCKET]):
            first, second = np.triu_indices(size, 1)
            base = starts[lengths == size][:, None]
            left = candidates[order[base + first]].ravel()
            right = candidates[order[base + second]].ravel()
            pairs.append(left.astype(np.int64) << 32 | right.astype(np.int64))
        for start, size in zip(starts[lengths > SMALL_BUCKET], lengths[lengths > SMALL_BUCKET], strict=True):
            large.append(candidates[np.sort(order[start:start + size])])
    edges = []
    if pairs:
        unique = np.unique(np.concatenate(pairs))
        left, right = unique >> 32, unique & 0xFFFFFFFF
        keep = _verify(signatures, left, right, min_agree)
        edges.append(np.vstack([left[keep], right[keep]]))
    if large:
        from corpusclean.dedup.clusters import components

        linked = np.hstack(edges) if edges else np.empty((2, 0), dtype=np.int64)
        forest = Forest(components(signatures.shape[0], linked[0], linked[1]))
        for members in large:
            found = np.array(large_bucket_edges(signatures, members, min_agree, forest), dtype=np.int64)
            edges.append(found.reshape(-1, 2).T)
    if not edges:
        return np.empty((2, 0), dtype=np.int64)
    return np.hstack(edges).astype(np.int64)
