"""Record each document's script, and convert between Traditional and Simplified Chinese on request."""

from __future__ import annotations

from typing import Any

from corpusclean.document import Document
from corpusclean.stage import Editor
from corpusclean.text.convert import BACKENDS, CONFIGS, backend_version, make_converter, resolve_backend, source_script
from corpusclean.text.script import has_simplified_convertible, script_counts, script_counts_many, script_label


class ConvertScript(Editor):
    """Detect the script of every document into ``meta["script"]``; with ``convert`` set, convert it.

    Detection always runs (it costs about 1% of a conversion), so a corpus run with ``convert = "none"``
    still says which documents are Traditional. Conversion runs only on documents that need it: for
    ``t2s`` and the other Traditional-source configurations, those with a Traditional-only character
    (most of a mainland crawl is skipped at detection speed, and Simplified text is never fed to a
    Taiwan-variant table, which would turn 什么 into 什幺); for ``s2t`` and the other Simplified-source
    ones, those with any character the conversion may change. A converted document gets
    ``meta["script_conversion"]``. Conversion removes nothing, so it leaves no receipt.

    >>> stage = ConvertScript(convert="t2s", backend="opencc")
    >>> doc = Document(id="1", text="頭髮很乾燥，皇后說。")
    >>> stage.edit(doc), doc.meta
    ('头发很干燥，皇后说。', {'script': 'traditional', 'script_conversion': 't2s'})
    >>> doc = Document(id="2", text="头发很干燥。")
    >>> stage.edit(doc), doc.meta
    ('头发很干燥。', {'script': 'simplified'})
    """

    name = "convert_script"

    def __init__(self, *, convert: str = "none", backend: str = "auto") -> None:
        if convert != "none" and convert not in CONFIGS:
            raise ValueError(f"unknown convert {convert!r} (known: none, {', '.join(CONFIGS)})")
        if backend != "auto" and backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r} (known: auto, {', '.join(BACKENDS)})")
        self.convert = convert
        self.backend = backend
        # Resolved now, in the main process, so a missing backend fails before any work starts.
        self.resolved_backend = resolve_backend(backend, convert) if convert != "none" else None
        self._source = source_script(convert) if convert != "none" else None
        self._converter: Any = None  # built lazily in each worker: the Rust converters do not pickle

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_converter"] = None
        return state

    def edit(self, doc: Document) -> str:
        label, converted = self._convert(doc.text, *script_counts(doc.text, sample=len(doc.text)))
        doc.meta["script"] = label
        if converted is not doc.text:
            doc.meta["script_conversion"] = self.convert
        return converted

    def process_batch(self, docs: list[Document]) -> None:
        """:meth:`edit` on a chunk, with the same results: the scripts of all its documents are detected in one
        numpy pass (:func:`~corpusclean.text.script.script_counts_many`), and nothing is changed before every
        document is done (a chunk stopped by the time budget is redone one document at a time from where it
        was).

        >>> docs = [Document(id="1", text="頭髮很乾燥"), Document(id="2", text="头发很干燥")]
        >>> ConvertScript().process_batch(docs)
        >>> [doc.meta["script"] for doc in docs]
        ['traditional', 'simplified']
        """
        done = [self._convert(doc.text, *counts) for doc, counts in
                zip(docs, script_counts_many([doc.text for doc in docs]), strict=True)]
        for doc, (label, converted) in zip(docs, done, strict=True):
            doc.meta["script"] = label
            if converted is not doc.text:
                doc.meta["script_conversion"] = self.convert
                doc.text = converted

    def _convert(self, text: str, traditional: int, simplified: int) -> tuple[str, str]:
        """The script label of ``text`` (from its counts of Traditional-only and Simplified-only characters),
        and ``text`` converted: the very same object when conversion is off, not needed or changes nothing."""
        label = script_label(traditional, simplified)
        if self._source is None:
            return label, text
        if self._source == "traditional" and not traditional:
            return label, text
        if self._source == "simplified" and not has_simplified_convertible(text):
            return label, text
        if self._converter is None:
            self._converter = make_converter(self.convert, backend=self.resolved_backend or "auto")
        converted = self._converter(text)
        return label, text if converted == text else converted

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"stage": self.name, "convert": self.convert, "backend": self.backend}
        if self.resolved_backend is not None:
            out["resolved_backend"] = self.resolved_backend
            out["backend_version"] = backend_version(self.resolved_backend)
        return out
