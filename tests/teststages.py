"""Stages used only by tests: one that removes lines (so receipts can be checked end to end) and ones that
fail on purpose (so a crash mid-run can be checked). They are importable (workers unpickle them by name)
but kept out of the registry except inside a test that calls :func:`register`. Also :func:`process`,
:func:`nonblank`, :func:`planted` and :func:`one_and_batched`, which the tests of single stages share."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator

from corpusclean.document import Document
from corpusclean.stage import REGISTRY, CorpusStage, Editor, Filter, Stage


def process(stage_class: type[Stage], text: str, **params: object) -> Document:
    """``text`` as a document after one stage built with ``params``."""
    doc = Document(id="t", text=text)
    stage_class(**params).process(doc)
    return doc


def one_and_batched(stage: Stage, texts: list[str]) -> tuple[list[Document], list[Document]]:
    """The same documents through ``stage`` one at a time (``process``) and as one chunk (``process_batch``):
    the batched path must leave them as the one-document path does."""
    one = [Document(id=str(k), text=text) for k, text in enumerate(texts)]
    many = [Document(id=str(k), text=text) for k, text in enumerate(texts)]
    for doc in one:
        stage.process(doc)
    stage.process_batch(many)
    return one, many


def planted(sentence: str, repeat: int, inserts: list[tuple[int, str]]) -> str:
    """``sentence`` repeated ``repeat`` times with each ``(position, piece)`` of ``inserts`` put in, in turn, at
    ``position`` modulo the length so far (hypothesis draws the positions)."""
    text = sentence * repeat
    for position, piece in inserts:
        position %= len(text) + 1
        text = text[:position] + piece + text[position:]
    return text


def nonblank(text: str) -> list[str]:
    """The lines of ``text`` that hold something, without trailing blanks."""
    return [line.rstrip() for line in text.split("\n") if line.strip()]


class DropLines(Editor):
    """Remove every line containing one of ``markers``, leaving a line receipt for each."""

    name = "test_drop_lines"

    def __init__(self, *, markers: list[str] | None = None) -> None:
        self.markers = list(markers or [])

    def edit(self, doc: Document) -> str:
        kept = []
        for number, line in enumerate(doc.text.split("\n")):
            if any(marker in line for marker in self.markers):
                doc.record_removal(self.name, "marker", line, kind="line", line=number)
            else:
                kept.append(line)
        return "\n".join(kept)


class Explode(Filter):
    """Raise ``RuntimeError`` (or ``KeyboardInterrupt``, or end the process at once as a segfault or the
    OOM killer would) on the document whose id is ``at_id``."""

    name = "test_explode"

    def __init__(self, *, at_id: str = "", interrupt: bool = False, die: bool = False) -> None:
        self.at_id = at_id
        self.interrupt = interrupt
        self.die = die

    def check(self, doc: Document) -> None:
        if doc.id == self.at_id:
            if self.die:
                os._exit(9)
            if self.interrupt:
                raise KeyboardInterrupt
            raise RuntimeError(f"stage failed on {doc.id}")


class Slow(Filter):
    """Sleep ``seconds`` per document and touch ``flag.<pid>`` once started, so a test can interrupt a run
    when every worker is surely under way (no timing assumptions beyond "it is still running")."""

    name = "test_slow"

    def __init__(self, *, seconds: float = 0.01, flag: str = "") -> None:
        self.seconds = seconds
        self.flag = flag

    def check(self, doc: Document) -> None:
        flag = f"{self.flag}.{os.getpid()}"
        if self.flag and not os.path.exists(flag):
            with open(flag, "w"):
                pass
        time.sleep(self.seconds)


class ExactRepeats(CorpusStage):
    """Drop a document whose text repeats an earlier one: the smallest corpus stage. ``prepare`` (in the
    workers) hashes the text into ``scratch``; ``run`` (in the main process) records what it saw."""

    name = "test_exact_repeats"

    def __init__(self) -> None:
        self.seen_ids: list[str] = []

    def prepare(self, doc: Document) -> None:
        doc.scratch["digest"] = hashlib.sha1(doc.text.encode("utf-8")).hexdigest()
        doc.scratch["prepared_in"] = os.getpid()

    def run(self, docs: Iterator[Document]) -> Iterator[Document]:
        first: dict[str, str] = {}
        for doc in docs:
            self.seen_ids.append(doc.id)
            if doc.rejected is None:
                digest = doc.scratch["digest"]
                if digest in first:
                    doc.reject(self.name, "repeat", duplicate_of=first[digest])
                else:
                    first[digest] = doc.id
            yield doc


class DomProbe(Stage):
    """Record in ``meta`` what the reader left in ``doc.scratch`` for stages: how many rows of DOM evidence
    and how many of them matched, so a test can see the evidence reach stages in worker processes."""

    name = "test_dom_probe"

    def process(self, doc: Document) -> None:
        rows = doc.scratch.get("dom_lines")
        if rows is not None:
            doc.meta["dom_rows"] = len(rows)
            doc.meta["dom_matched"] = sum(int(row["matched"]) for row in rows)


TEST_STAGES = (DropLines, Explode, Slow, ExactRepeats, DomProbe)
for _stage in TEST_STAGES:
    REGISTRY.pop(_stage.name, None)


def register(monkeypatch) -> None:
    """Make the test stages usable from recipes for the duration of one test."""
    for stage in TEST_STAGES:
        monkeypatch.setitem(REGISTRY, stage.name, stage)
