"""MinHash signatures of character shingles, at about 200 MB/s per core in batches (:func:`text_signatures`).

Classic MinHash applies ``num_perm`` hash permutations to every shingle: n x 128 operations per
document, which caps a numpy implementation near 10 MB/s and datasketch's per-shingle loop near
1 MB/s. This module uses one-permutation hashing (Li, Owen & Zhang 2012) with optimal densification
(Shrivastava 2017): each shingle's 64-bit hash picks one of ``num_perm`` bins with its high bits and
competes for that bin's minimum with its low 32 bits; bins that no shingle reached copy the value of a
non-empty bin found by a probe sequence that depends only on the bin number and the seed. Two
signatures then agree in each position with probability close to the Jaccard similarity of the two
shingle sets, exactly as classic MinHash signatures do, for O(n) work.

The signature is a ``uint32`` array of ``num_perm`` values. It can be wrapped as a datasketch
``LeanMinHash`` (:func:`to_lean_minhash`) for datasketch's LSH and storage backends; the values are
only comparable with signatures made by this module with the same ``ngram``, ``num_perm`` and
``seed`` (the run report records them as the hashing ``scheme``).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from corpusclean.dedup.shingles import (
    _POLY,
    _S33,
    Scratch,
    _fmix64_inplace,
    crossing_ngrams,
    fmix64,
    thread_scratch,
    view_codes_batch,
)

SCHEME = "oph-densified-u32/poly-fmix64-ngrams/v1"
_PROBES = 64
_LOW32 = np.uint64(0xFFFFFFFF)
_S32 = np.uint64(32)
_HASH_BLOCK = 32768  # n-grams hashed at a time by text_signatures (256 KB per uint64 array)


@functools.cache
def _probe_table(num_perm: int, seed: int) -> np.ndarray:
    """``table[i, t]``: the bin that empty bin ``i`` copies from at attempt ``t`` (fixed for a seed)."""
    cells = np.arange(num_perm * _PROBES, dtype=np.uint64) + np.uint64((seed * 0x9E3779B97F4A7C15) % 2**64)
    mixed = fmix64(cells)
    return ((mixed >> _S32) * np.uint64(num_perm) >> _S32).astype(np.int64).reshape(num_perm, _PROBES)


def _power_of_two_shift(num_perm: int) -> np.uint64 | None:
    """For a power of two ``num_perm``, the right shift that takes a hash's bin from its top bits (the same
    bin as the multiply-shift of :func:`_bins`, in one step); else None."""
    return np.uint64(64 - num_perm.bit_length() + 1) if num_perm > 1 and num_perm & (num_perm - 1) == 0 else None


def _bins(hashes: np.ndarray, num_perm: int) -> np.ndarray:
    """The bin (``0 .. num_perm - 1``) each 64-bit hash picks with its high bits."""
    shift = _power_of_two_shift(num_perm)
    if shift is not None:
        return (hashes >> shift).astype(np.intp)
    return ((hashes >> _S32) * np.uint64(num_perm) >> _S32).astype(np.intp)


def signature(hashes: np.ndarray, *, num_perm: int = 128, seed: int = 1) -> np.ndarray | None:
    """The MinHash signature (``uint32[num_perm]``) of a set of 64-bit shingle hashes, or None for an
    empty set (a document too short to have shingles).

    >>> from corpusclean.dedup.shingles import shingle_hashes, view_codes
    >>> def sig(text):
    ...     return signature(shingle_hashes(view_codes(text)), num_perm=64)
    >>> a = sig("北京市今天发布暴雨蓝色预警，预计傍晚到夜间有中到大雨，局地暴雨，请市民注意出行安全。")
    >>> b = sig("北京市今天發佈暴雨藍色預警，預計傍晚到夜間有中到大雨，局地暴雨，請市民注意出行安全。")
    >>> c = sig("上海市今天迎来入夏以来最热的一天，最高气温达到三十八度，请市民做好防暑降温工作。")
    >>> float(agreement(a, b)), float(agreement(a, c)) < 0.2
    (1.0, True)
    """
    if num_perm < 1:
        raise ValueError(f"num_perm must be >= 1, got {num_perm}")
    if len(hashes) == 0:
        return None
    bins = _bins(hashes, num_perm)
    values = (hashes & _LOW32).astype(np.uint32)
    sig = np.full(num_perm, 0xFFFFFFFF, dtype=np.uint32)
    np.minimum.at(sig, bins, values)
    filled = np.zeros(num_perm, dtype=bool)
    filled[bins] = True
    if filled.all():
        return sig
    return _densify(sig, filled, _probe_table(num_perm, seed))


def signatures(hashes: np.ndarray, starts: np.ndarray, *, num_perm: int = 128,
               seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """:func:`signature` of several documents at once: ``hashes[starts[i]:starts[i + 1]]`` are document
    ``i``'s shingle hashes (see :func:`corpusclean.dedup.shingles.shingle_hashes_batch`). Returns a
    ``uint32[documents, num_perm]`` matrix and whether each document has a signature (a row of a
    document without shingles is meaningless). Row ``i`` equals ``signature`` of document ``i``'s hashes:
    the bins of all documents are filled by one ``minimum.at`` over the batch.

    >>> from corpusclean.dedup.shingles import shingle_hashes, shingle_hashes_batch, view_codes, view_codes_batch
    >>> texts = ["北京市今天发布暴雨蓝色预警", "短", "上海市今天迎来入夏以来最热的一天"]
    >>> sigs, has = signatures(*shingle_hashes_batch(*view_codes_batch(texts)), num_perm=16)
    >>> has.tolist(), bool((sigs[2] == signature(shingle_hashes(view_codes(texts[2])), num_perm=16)).all())
    ([True, False, True], True)
    """
    if num_perm < 1:
        raise ValueError(f"num_perm must be >= 1, got {num_perm}")
    counts = np.diff(starts)
    docs = len(counts)
    bins = _bins(hashes, num_perm)
    bins += np.repeat(np.arange(docs, dtype=np.intp) * num_perm, counts)
    values = (hashes & _LOW32).astype(np.uint32)
    sigs = np.full(docs * num_perm, 0xFFFFFFFF, dtype=np.uint32)
    np.minimum.at(sigs, bins, values)
    filled = np.zeros(docs * num_perm, dtype=bool)
    filled[bins] = True
    sigs = sigs.reshape(docs, num_perm)
    filled = filled.reshape(docs, num_perm)
    has = counts > 0
    rows = np.flatnonzero(has & ~filled.all(axis=1))
    if len(rows):
        sigs[rows] = _densify_rows(sigs[rows], filled[rows], _probe_table(num_perm, seed))
    return sigs, has


def text_signatures(texts: list[str], *, ngram: int = 5, num_perm: int = 128, seed: int = 1,
                    scratch: Scratch | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The views and signatures of several texts in one pass: ``(view, offsets, sigs, has)`` as
    :func:`corpusclean.dedup.shingles.view_codes_batch` and :func:`signatures` of
    :func:`corpusclean.dedup.shingles.shingle_hashes_batch` give them, the same values. ``view`` lives in
    ``scratch`` (this thread's by default) until its next use.

    The temporaries live in ``scratch`` too (fresh megabyte arrays can cost page faults each time); the n-grams
    that straddle two views are sent to a spare bin instead of being cut out of the hashes; a bin is empty
    when it kept the initial 0xFFFFFFFF, unless a shingle's value is 0xFFFFFFFF itself (then the bins are
    marked one by one, as :func:`signatures` does).

    >>> from corpusclean.dedup.shingles import shingle_hashes_batch, view_codes_batch
    >>> texts = ["北京市今天发布暴雨蓝色预警", "短", "上海市今天迎来入夏以来最热的一天"]
    >>> view, offsets, sigs, has = text_signatures(texts, num_perm=16)
    >>> old, old_has = signatures(*shingle_hashes_batch(*view_codes_batch(texts)), num_perm=16)
    >>> bool((sigs[has] == old[old_has]).all()), has.tolist() == old_has.tolist()
    (True, True)
    """
    if num_perm < 1:
        raise ValueError(f"num_perm must be >= 1, got {num_perm}")
    if ngram < 1:
        raise ValueError(f"ngram must be >= 1, got {ngram}")
    scratch = scratch if scratch is not None else thread_scratch()
    view, offsets = view_codes_batch(texts, scratch=scratch)
    docs = len(texts)
    spare = docs * num_perm  # the bin of the n-grams that straddle two views
    flat = np.full(spare + 1, 0xFFFFFFFF, dtype=np.uint32)
    sigs = flat[:spare].reshape(docs, num_perm)
    has = np.diff(offsets) >= ngram
    total = len(view) - ngram + 1
    if total <= 0 or not has.any():
        return view, offsets, sigs, has
    where = scratch.take("where", np.intp, total)  # each n-gram's bin in ``flat``
    values = scratch.take("values", np.uint32, total)  # and the value it competes with
    shift = _power_of_two_shift(num_perm)
    seed64 = np.uint64(seed & 0xFFFFFFFFFFFFFFFF)
    # A block of n-grams at a time: a long document alone needs no hash temporaries of its length (blocks of
    # 8k to 131k n-grams were within 3% of each other on 10 MB of real sentences).
    block = min(total, _HASH_BLOCK)
    acc_block, mix_block = scratch.take("acc", np.uint64, block), scratch.take("mix", np.uint64, block)
    pairs_block = scratch.take("pairs", np.uint64, block + ngram)
    square = np.uint64(int(_POLY) ** 2 % 2**64)
    for first in range(0, total, block):
        last = min(first + block, total)
        acc, mix = acc_block[:last - first], mix_block[:last - first]
        # shingle_hashes_batch's polynomial ((c0 ^ seed) * P + c1) * P + ..., two characters a step:
        # (h * P + a) * P + b = h * P^2 + (a * P + b) in wrapping uint64 arithmetic, and the pairs
        # a * P + b are computed once for the block (uint32 code points widened as they are read).
        np.bitwise_xor(view[first:last], seed64, out=acc)
        offset = 1
        if (ngram - 1) % 2:
            np.multiply(acc, _POLY, out=acc)
            np.add(acc, view[first + 1:last + 1], out=acc)
            offset = 2
        if offset < ngram:
            pairs = pairs_block[:last - first + ngram - 2 - offset]
            np.multiply(view[first + offset:first + offset + len(pairs)], _POLY, out=pairs)
            np.add(pairs, view[first + offset + 1:first + offset + 1 + len(pairs)], out=pairs)
            for step in range(0, ngram - offset, 2):
                np.multiply(acc, square, out=acc)
                np.add(acc, pairs[step:step + last - first], out=acc)
        _fmix64_inplace(acc, mix, final=False)  # the bins are read before fmix64's last xorshift
        bins = where[first:last].view(np.uint64)  # bins < num_perm: the same values as intp
        if shift is not None:
            np.right_shift(acc, shift, out=bins)
        else:
            np.right_shift(acc, _S32, out=bins)
            np.multiply(bins, np.uint64(num_perm), out=bins)
            np.right_shift(bins, _S32, out=bins)
        np.right_shift(acc, _S33, out=mix)
        np.bitwise_xor(acc, mix, out=values[first:last], casting="unsafe")  # the low 32 bits of fmix64
    where += np.repeat(np.arange(0, spare, num_perm, dtype=np.intp), np.diff(offsets))[:total]
    if docs > 1 and ngram > 1:
        where[crossing_ngrams(offsets, ngram, total)] = spare
    np.minimum.at(flat, where, values)
    if values.max() == 0xFFFFFFFF:
        marked = np.zeros(spare + 1, dtype=bool)
        marked[where] = True
        filled = marked[:spare].reshape(docs, num_perm)
    else:
        filled = sigs != 0xFFFFFFFF
    rows = np.flatnonzero(has & ~filled.all(axis=1))
    if len(rows):
        sigs[rows] = _densify_rows(sigs[rows], filled[rows], _probe_table(num_perm, seed))
    return view, offsets, sigs, has


def _densify_rows(sigs: np.ndarray, filled: np.ndarray, probes: np.ndarray) -> np.ndarray:
    """:func:`_densify` of several signatures (rows) at once: the same probe sequence, every empty bin
    of every row moved along it together (a third of a web corpus's documents have an empty bin)."""
    out = sigs.copy()
    row, empty = np.nonzero(~filled)
    # Most empty bins meet a filled one within a few probes: those go one probe at a time, the few left
    # take all their remaining probes in one matrix (a loop over 64 probes for a handful of bins cost
    # more than the signatures of short documents).
    first_probes = min(4, probes.shape[1])
    for attempt in range(first_probes):
        source = probes[empty, attempt]
        hit = filled[row, source]
        out[row[hit], empty[hit]] = sigs[row[hit], source[hit]]
        row, empty = row[~hit], empty[~hit]
        if len(row) == 0:
            return out
    if probes.shape[1] > first_probes:
        sources = probes[empty, first_probes:]
        hits = filled[row[:, None], sources]
        found = hits.any(axis=1)
        first = sources[found, hits[found].argmax(axis=1)]
        out[row[found], empty[found]] = sigs[row[found], first]
        row, empty = row[~found], empty[~found]
    # Bins no probe helped (a document of a few shingles): the next filled bin, cyclically, as _densify.
    for r in np.unique(row):
        filled_bins = np.flatnonzero(filled[r])
        bins = empty[row == r]
        out[r, bins] = sigs[r, filled_bins[np.searchsorted(filled_bins, bins) % len(filled_bins)]]
    return out


def _densify(sig: np.ndarray, filled: np.ndarray, probes: np.ndarray) -> np.ndarray:
    """Give every empty bin the value of the first non-empty bin on its probe sequence (copied from the
    bins filled by shingles only, so the result does not depend on the order bins are visited)."""
    out = sig.copy()
    empty = np.flatnonzero(~filled)
    for attempt in range(probes.shape[1]):
        source = probes[empty, attempt]
        hit = filled[source]
        out[empty[hit]] = sig[source[hit]]
        empty = empty[~hit]
        if len(empty) == 0:
            return out
    # Fewer than a handful of bins are filled: walk forward (cyclically) to the next filled bin.
    filled_bins = np.flatnonzero(filled)
    nxt = np.searchsorted(filled_bins, empty) % len(filled_bins)
    out[empty] = sig[filled_bins[nxt]]
    return out


def agreement(a: np.ndarray, b: np.ndarray) -> float:
    """The share of positions where two signatures agree: the estimated Jaccard similarity."""
    if a.shape != b.shape:
        raise ValueError(f"signatures differ in length: {a.shape[0]} vs {b.shape[0]} (num_perm mismatch)")
    return float(np.count_nonzero(a == b)) / a.shape[0]


def to_lean_minhash(sig: np.ndarray, *, seed: int = 1) -> Any:
    """Wrap a signature as a datasketch ``LeanMinHash`` (for datasketch's ``MinHashLSH`` and its storage
    backends, or its serialisation). Only compare it with signatures made here with the same parameters.

    >>> from corpusclean.dedup.shingles import shingle_hashes, view_codes
    >>> sig = signature(shingle_hashes(view_codes("北京市今天发布暴雨蓝色预警")), num_perm=16)
    >>> lean = to_lean_minhash(sig)
    >>> len(lean), lean.jaccard(to_lean_minhash(sig))
    (16, 1.0)
    """
    from datasketch import LeanMinHash

    return LeanMinHash(seed=seed, hashvalues=sig, scheme="affine32")
