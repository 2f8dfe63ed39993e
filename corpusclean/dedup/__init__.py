"""Near-duplicate detection: character shingles on a script-folded view, MinHash signatures, LSH
banding, clusters with a deterministic keeper, a saved index, and spilling to disk for large runs.

Imports ``corpusclean.text`` and ``corpusclean.document``; the ``dedup`` stage is built from it.
"""
