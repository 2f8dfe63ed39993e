"""Stage base classes and the registry that maps recipe names to stage classes.

Three shapes of stage exist, and a stage is exactly one of them (house rule: a stage edits or drops,
never both):

* :class:`Editor` rewrites ``doc.text`` and leaves a :class:`~corpusclean.document.Removal` receipt
  for everything it takes out.
* :class:`Filter` measures a document and, when the measure fails its threshold, rejects it whole.
* :class:`CorpusStage` needs to see the whole stream (deduplication): it gets a per-document
  ``prepare`` (or ``prepare_batch`` over a chunk) that runs in the worker processes and a ``run`` over the
  ordered stream in the main process.

Per-document stages run in worker processes, so they must be picklable: keep compiled state in
attributes built by ``__init__`` from plain parameters.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from corpusclean.document import Document

REGISTRY: dict[str, type[Stage]] = {}


class Stage:
    """A named step. ``name`` is the registry key, the recipe key and the stage id in receipts."""

    name: ClassVar[str] = ""
    # Reads the per-line DOM evidence of HTML pages (doc.scratch, corpusclean/io/dom_evidence.py): a pipeline
    # with such a stage asks the reader for it (Pipeline.parse_options); others skip its cost.
    reads_dom_evidence: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name:
            if cls.name in REGISTRY and REGISTRY[cls.name] is not cls:
                raise ValueError(f"two stages are named {cls.name!r}")
            REGISTRY[cls.name] = cls

    def process(self, doc: Document) -> None:
        """Apply this stage to ``doc`` in place. Rejected documents are never passed in.

        A per-document stage whose work vectorises across documents (numpy's fixed cost per call is what
        short documents feel) may also define ``process_batch(docs)``: workers then call it once per chunk
        instead of ``process`` per document (:meth:`corpusclean.pipeline.Pipeline.process_batch`). It must
        leave every document as ``process`` would, and mark none before it has measured all (a filter):
        past the time budget the chunk is finished one document at a time."""
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        """Parameters and versions recorded in the run report (determinism, house rule 10)."""
        return {"stage": self.name}


class Editor(Stage):
    """Rewrites text. Subclasses implement :meth:`edit` and return the new text."""

    def edit(self, doc: Document) -> str:
        raise NotImplementedError

    def process(self, doc: Document) -> None:
        doc.text = self.edit(doc)


@dataclass(frozen=True, slots=True)
class Limit:
    """One threshold a filter compares a measured value with: ``rule`` is the rule id of its rejects,
    ``bound`` says which side is dropped (``"min"``: values below ``threshold``; ``"max"``: values above) and
    ``scale`` what the value is (``"share"``: a number in [0, 1]; ``"count"``: a count, shown on a log scale).
    The HTML run report draws each one over the distribution of its value."""

    rule: str
    threshold: float
    bound: str = "max"
    scale: str = "share"


class Filter(Stage):
    """Drops whole documents. Subclasses implement :meth:`check`, which calls ``doc.reject`` or not.

    A filter may also say what it measures, for the HTML run report's histograms: :meth:`limits` (its
    thresholds) and :meth:`measure` (the value of each, for one document). ``check`` takes short cuts (a
    bound that shows a share cannot fail is not measured further); ``measure`` does not, so it is only called
    when a report asks for the distributions, after ``check``, on the text ``check`` saw."""

    def check(self, doc: Document) -> None:
        raise NotImplementedError

    def limits(self) -> tuple[Limit, ...]:
        """The thresholds :meth:`check` applies, one per rule (none by default)."""
        return ()

    def measure(self, doc: Document) -> dict[str, float]:
        """The value :meth:`check` compares with each of :meth:`limits`, by rule id, measured in full."""
        return {}

    def process(self, doc: Document) -> None:
        self.check(doc)


class CorpusStage(Stage):
    """A stage that decides over the whole stream (e.g. deduplication).

    ``prepare`` runs per document in workers (compute a signature into ``doc.scratch``); ``run``
    receives every document in input order, rejected ones included, and must yield each of them exactly
    once, in the same order, after marking the ones it drops. ``close`` is called at the end of a run.
    """

    def prepare(self, doc: Document) -> None:
        return None

    def prepare_batch(self, docs: list[Document]) -> None:
        """``prepare`` for a chunk of documents (none rejected): what workers call. Override it when the
        work vectorises across documents (numpy has a fixed cost per call that short documents feel);
        the result must be the same as ``prepare`` on each document."""
        for doc in docs:
            self.prepare(doc)

    def process(self, doc: Document) -> None:
        self.prepare(doc)

    def run(self, docs: Iterator[Document]) -> Iterator[Document]:
        raise NotImplementedError

    def close(self) -> None:
        return None

    def sweep_leftovers(self) -> list[str]:
        """Remove what runs of this stage killed before their clean-up left on disk; the paths removed."""
        return []
