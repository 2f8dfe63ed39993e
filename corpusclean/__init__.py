"""corpusclean: clean Chinese web-crawled text into deduplicated UTF-8 JSONL.

>>> import corpusclean
>>> pipe = corpusclean.default_pipeline()
>>> pipe.clean("正文第一段。\\n\\n\\n\\n正文第二段。").text
'正文第一段。\\n\\n正文第二段。'
"""

from corpusclean.document import Document, Rejection, Removal
from corpusclean.pipeline import Pipeline
from corpusclean.recipe import build_pipeline, default_recipe, load_recipe

__all__ = [
    "Document",
    "Pipeline",
    "Rejection",
    "Removal",
    "build_pipeline",
    "default_pipeline",
    "default_recipe",
    "load_recipe",
]


def default_pipeline() -> Pipeline:
    """The pipeline of the built-in recipe."""
    return build_pipeline(default_recipe(), where="built-in recipe")
