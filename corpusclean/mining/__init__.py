"""Boilerplate mining (``corpusclean mine``): line fingerprints, heavy hitters and line templates found
across a corpus, written out as a rule pack the ``rules`` stage can load.

Imports ``corpusclean.dedup``, ``corpusclean.rulepacks`` and ``corpusclean.io``.
"""
