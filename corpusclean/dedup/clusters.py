"""Duplicate clusters: connected components over the duplicate links, and which member to keep.

The semantics are chosen so that they do not depend on input order or on the engine that computes
them: a cluster is a connected component of the graph whose edges are the exact-duplicate links and the
verified LSH links; the kept document of a cluster is fixed by a policy over positions and lengths,
never by which link was found first. Components are computed with array operations (hooking roots to
the smaller root, then pointer jumping), and their label is the smallest member index, so the result is
the same whatever order the edges come in, here or in a distributed implementation.
"""

from __future__ import annotations

import numpy as np

KEEP_POLICIES = ("first", "longest")


def components(count: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """For each of ``count`` nodes, the smallest node index of its connected component.

    >>> components(6, np.array([4, 1, 5]), np.array([1, 2, 4])).tolist()
    [0, 1, 1, 3, 1, 1]
    """
    labels = np.arange(count, dtype=np.int64)
    left = np.asarray(left, dtype=np.int64)
    right = np.asarray(right, dtype=np.int64)
    while True:
        a, b = labels[left], labels[right]
        differ = a != b
        if not differ.any():
            return labels
        a, b = a[differ], b[differ]
        # Hook the larger root under the smaller one (several hooks on one root: the smallest wins).
        np.minimum.at(labels, np.maximum(a, b), np.minimum(a, b))
        while True:  # pointer jumping until every node points at its root
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped
        left, right = left[differ], right[differ]


def kept_members(labels: np.ndarray, *, keep: str = "first", lengths: np.ndarray | None = None,
                 pinned: int = 0) -> np.ndarray:
    """For each node, the index of the member its cluster keeps.

    ``keep="first"`` keeps the earliest member in input order; ``"longest"`` the one with the most
    characters, the earliest of equally long ones. Nodes below ``pinned`` (documents of an earlier run,
    loaded from a dedup index, which come first) are already published: a cluster that has one keeps its
    earliest such node whatever the policy.

    >>> labels = np.array([0, 0, 2, 0, 2])
    >>> kept_members(labels).tolist()
    [0, 0, 2, 0, 2]
    >>> kept_members(labels, keep="longest", lengths=np.array([10, 30, 5, 30, 5])).tolist()
    [1, 1, 2, 1, 2]
    >>> kept_members(labels, keep="longest", lengths=np.array([10, 30, 5, 30, 5]), pinned=1).tolist()
    [0, 0, 2, 0, 2]
    """
    if keep not in KEEP_POLICIES:
        raise ValueError(f"keep must be one of {', '.join(KEEP_POLICIES)}, got {keep!r}")
    if keep == "first":
        return labels.copy()
    if lengths is None:
        raise ValueError("keep='longest' needs the document lengths")
    index = np.arange(len(labels))
    order = np.lexsort((index, -np.asarray(lengths, dtype=np.int64), labels))
    ordered = labels[order]
    heads = order[np.r_[True, ordered[1:] != ordered[:-1]]]
    choice = np.empty(len(labels), dtype=np.int64)
    choice[labels[heads]] = heads
    chosen = choice[labels]
    return np.where(labels < pinned, labels, chosen)
