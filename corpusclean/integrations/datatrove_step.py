"""A datatrove ``PipelineStep`` that runs a corpusclean recipe on datatrove ``Document``s.

Put it in a datatrove pipeline where a filter would go; datatrove's executors (local, Slurm, Ray) give it
one shard of documents per task. Every stage of the recipe runs, deduplication included (across the task's
documents, not across tasks). Kept documents come out with the cleaned text and corpusclean's ``meta``
under ``metadata["corpusclean"]``; dropped ones go to the ``exclusion_writer`` if one is given, with
``metadata["filter_reason"]`` naming the stage and rule, as datatrove's own filters do. Counts per rule
land in the step's stats (``dropped/<stage>/<rule>``, ``removed/<stage>/<rule>``).

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from corpusclean.integrations.datatrove_step import CorpuscleanStep

    LocalPipelineExecutor(pipeline=[JsonlReader("crawl/"), CorpuscleanStep(), JsonlWriter("clean/")],
                          tasks=8).run()
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

try:
    from datatrove.data import Document as DatatroveDocument
    from datatrove.pipeline.base import PipelineStep
except ImportError as exc:  # pragma: no cover - the message is the point
    raise ImportError("CorpuscleanStep needs datatrove: pip install 'corpusclean[datatrove]'") from exc

from corpusclean.document import Document
from corpusclean.pipeline import Pipeline
from corpusclean.recipe import build_pipeline, load_recipe

# Where a datatrove document's own parts travel inside a corpusclean document (spilled with it by dedup).
_CARRIED = "_datatrove"


class CorpuscleanStep(PipelineStep):
    """Clean datatrove documents with a corpusclean recipe (``recipe``: a TOML path; default: the built-in
    recipe), or with a ``pipeline`` built beforehand."""

    name = "corpusclean"
    type = "Cleaner"

    def __init__(self, recipe: str | None = None, *, pipeline: Pipeline | None = None,
                 exclusion_writer: Any = None) -> None:
        super().__init__()
        if recipe is not None and pipeline is not None:
            raise ValueError("give a recipe or a pipeline, not both")
        self.pipeline = pipeline or build_pipeline(load_recipe(recipe), where=recipe or "built-in recipe")
        self.exclusion_writer = exclusion_writer

    def run(self, data: Iterator[DatatroveDocument], rank: int = 0, world_size: int = 1
            ) -> Iterator[DatatroveDocument]:
        docs = (Document(id=str(doc.id), text=doc.text, fields={_CARRIED: (doc.metadata, doc.media)})
                for doc in data)
        if self.exclusion_writer is None:
            yield from self._cleaned(docs, rank, None)
            return
        with self.exclusion_writer as writer:
            yield from self._cleaned(docs, rank, writer)

    def _cleaned(self, docs: Iterator[Document], rank: int, writer: Any) -> Iterator[DatatroveDocument]:
        for doc in self.pipeline.run(docs):
            metadata, media = doc.fields[_CARRIED]
            self.stat_update("total")
            for removal in doc.removals:
                self.stat_update(f"removed/{removal.stage}/{removal.rule}")
            if doc.rejected is not None:
                reason = f"{doc.rejected.stage}/{doc.rejected.rule}"
                self.stat_update("dropped", f"dropped/{reason}")
                if writer is not None:
                    dropped = DatatroveDocument(text=doc.text, id=doc.id, media=media,
                                                metadata={**metadata, "filter_reason": reason})
                    writer.write(dropped, rank)
                continue
            self.stat_update("forwarded")
            out = DatatroveDocument(text=doc.text, id=doc.id, media=media,
                                    metadata={**metadata, "corpusclean": doc.meta})
            self.update_doc_stats(out)
            yield out
