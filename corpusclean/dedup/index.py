"""The dedup index: every document kept so far, so the next crawl is deduplicated against them.

``corpusclean clean --dedup-index PATH`` loads PATH (when it exists) before the run and writes it back
after, with the documents this run kept added. It is a numpy ``.npz`` file (no pickles): the ids, the
64-bit exact hashes of the normalised views and the MinHash signatures, plus the parameters the
signatures depend on, which must match the run's (a mismatch raises ``ValueError`` rather than
silently comparing incomparable hashes). Each signature can be turned into a datasketch
``LeanMinHash`` with :func:`corpusclean.dedup.minhash.to_lean_minhash` for use with datasketch's storage.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from typing import Any

import numpy as np

FORMAT = "corpusclean-dedup-index/1"


def load_index(path: str, *, expect: dict[str, Any]) -> Iterator[tuple[str, int, bytes | None]]:
    """``(id, exact_hash, signature bytes or None)`` of each indexed document, in the order they were kept.

    ``expect`` holds the parameters signatures depend on (``num_perm``, ``ngram``, ``seed``, ``scheme``).
    """
    try:
        data = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: not a corpusclean dedup index ({exc})") from None
    with data:
        params = json.loads(str(data["params"]))
        if params.get("format") != FORMAT:
            raise ValueError(f"{path}: not a corpusclean dedup index (format {params.get('format')!r})")
        for key, value in expect.items():
            if params.get(key) != value:
                raise ValueError(f"{path}: index was built with {key}={params.get(key)!r}, this run uses "
                                 f"{key}={value!r}; use another --dedup-index or the same parameters")
        ids = bytes(data["id_bytes"])
        ends = data["id_ends"]
        exact = data["exact"]
        signatures = data["signatures"]
        has_signature = data["has_signature"]
    start = 0
    for position, end in enumerate(ends.tolist()):
        signature = signatures[position].tobytes() if has_signature[position] else None
        yield ids[start:end].decode("utf-8", "surrogatepass"), int(exact[position]), signature
        start = end


def save_index(path: str, *, params: dict[str, Any], ids: list[bytes], exact: np.ndarray,
               signatures: np.ndarray, has_signature: np.ndarray) -> None:
    """Write the index atomically (temporary file beside ``path``, renamed into place)."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".partial", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(
                handle,
                params=np.array(json.dumps({"format": FORMAT, **params}, sort_keys=True)),
                id_bytes=np.frombuffer(b"".join(ids), dtype=np.uint8),
                id_ends=np.cumsum([len(i) for i in ids], dtype=np.int64),
                exact=exact.astype(np.uint64),
                signatures=signatures.astype(np.uint32),
                has_signature=has_signature.astype(bool),
            )
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
