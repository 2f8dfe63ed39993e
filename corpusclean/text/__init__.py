"""Character-level knowledge of Chinese text: code-point tables, character classes, script detection and
Traditional/Simplified folding, conversion, the plausibility score, mojibake repair and language id.

Imports nothing from the package but itself: stages, quality measures and dedup build on it.
"""
