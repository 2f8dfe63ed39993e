"""The content scorer: judges every line of a text as article or not, from the line's shape and place.

``features`` measures lines (no DOM needed), ``model`` scores them with weights shipped as data
(``weights.json``, fitted by ``benchmarks/fit_content.py``). The ``content`` stage (corpusclean/stages/content.py)
removes what scores low, with a receipt naming the reason. May import numpy and corpusclean.text.
"""
