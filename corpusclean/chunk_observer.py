"""The watcher of a chunk going through the stages, for the HTML run report (:mod:`corpusclean.report_detail`):
CPU and wall-clock time per stage, the first examples of each removal rule, every filter's measured values.
Made by :meth:`corpusclean.pipeline.Pipeline.process_batch` only when ``Pipeline.observe`` is set."""

from __future__ import annotations

import time

from corpusclean.budget import Budget, DocumentTimeout
from corpusclean.document import Document
from corpusclean.report_detail import CHUNK_DETAIL, Detail, Histogram, removal_example
from corpusclean.stage import Filter, Stage


class Stopwatch:
    """CPU and wall-clock seconds spent inside ``with`` blocks, added up.

    >>> watch = Stopwatch()
    >>> with watch:
    ...     _ = sum(range(1000))
    >>> watch.wall > 0
    True
    """

    def __init__(self) -> None:
        self.cpu = self.wall = 0.0
        self._started = (0.0, 0.0)

    def __enter__(self) -> Stopwatch:
        self._started = (time.process_time(), time.perf_counter())
        return self

    def __exit__(self, *exc: object) -> None:
        cpu, wall = self._started
        self.cpu += time.process_time() - cpu
        self.wall += time.perf_counter() - wall


class ChunkObserver:
    """Watches one chunk go through the stages in a worker: CPU time per stage, the first examples of each
    removal rule, and every filter's measured values over the documents that reached it.

    The values are measured after the filter ran (on the same text, so its cached measurements are reused),
    each document within the time budget like a stage: a measure that runs away loses that one value."""

    def __init__(self) -> None:
        self.detail = Detail()
        self._watch = Stopwatch()
        self._reached: list[tuple[Document, str, int]] = []

    def start(self, stage: Stage, docs: list[Document]) -> None:
        self._reached = [(doc, doc.text, len(doc.removals)) for doc in docs if doc.rejected is None]
        self._watch = Stopwatch().__enter__()

    def stop(self, stage: Stage, budget: Budget | None = None) -> None:
        self._watch.__exit__()
        self.detail.seconds[stage.name] += self._watch.cpu
        self.detail.wall[stage.name] += self._watch.wall
        removals = self.detail.removals
        for doc, before, count in self._reached:
            for removal in doc.removals[count:]:
                key = f"{removal.stage}/{removal.rule}"
                if self.detail.wants(removals, key):
                    removals.setdefault(key, []).append(removal_example(doc.id, before, doc.text, removal))
        if isinstance(stage, Filter):
            self._measure(stage, budget)
        self._reached = []

    def _measure(self, stage: Filter, budget: Budget | None) -> None:
        histograms = {}
        for limit in stage.limits():
            key = f"{stage.name}/{limit.rule}"
            histograms[limit.rule] = self.detail.signals.setdefault(key, Histogram.of(limit))
        if not histograms:
            return
        for doc, _, _ in self._reached:
            if budget is not None:
                budget.step()
            try:
                values = stage.measure(doc)
            except DocumentTimeout:
                continue
            for rule, value in values.items():
                if rule in histograms:
                    histograms[rule].add(value)

    def attach(self, docs: list[Document]) -> None:
        """Leave the chunk's detail on its first document, for the summary of the chunk."""
        if docs:
            docs[0].scratch[CHUNK_DETAIL] = self.detail
