"""Declarative rule packs (``rules/*.toml``): loading and checking packs, and the engine that finds every
rule's matches in a document in one pass.

Imports ``corpusclean.text`` only.
"""
