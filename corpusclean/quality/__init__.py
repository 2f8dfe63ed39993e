"""Document quality measures: the signals the quality filters read (length, repetition, structure,
composition, spam keywords) and their distributions over a corpus (``corpusclean stats``).

Imports ``corpusclean.text``, ``corpusclean.rulepacks`` and, for ``stats``, the pipeline.
"""
