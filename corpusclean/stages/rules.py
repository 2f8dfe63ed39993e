"""Remove watermarks, copyright notices, page chrome and bylines by the declarative rule packs."""

from __future__ import annotations

from typing import Any

from corpusclean.document import Document
from corpusclean.rulepacks.engine import Outcome, RuleEngine
from corpusclean.rulepacks.pack import load_packs
from corpusclean.stage import Editor


class Rules(Editor):
    """Apply rule packs (``rules/*.toml``); every removal leaves a receipt named by its rule id.

    ``packs`` lists ``"builtin"`` and/or paths to pack files or directories; ``extra_packs`` adds more
    (the CLI's ``--rules``); ``disable`` switches rules off by id. Byline rules fill ``doc.meta``
    (``date``, ``source``, ``author``, ``editor``) without overwriting what the input already said.

    >>> doc = Document(id="1", text="2019-11-11 09:22:18|來源:貴州日報|編輯:周文進\\n正文。")
    >>> Rules().edit(doc)
    '正文。'
    >>> doc.meta["source"], doc.removals[0].rule
    ('貴州日報', 'byline_fields')
    """

    name = "rules"

    def __init__(self, *, packs: list[str] | tuple[str, ...] = ("builtin",),
                 extra_packs: list[str] | tuple[str, ...] = (), disable: list[str] | tuple[str, ...] = ()) -> None:
        for key, value in (("packs", packs), ("extra_packs", extra_packs), ("disable", disable)):
            if isinstance(value, str) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{key} must be a list of strings, got {value!r}")
        self.packs = list(packs)
        self.extra_packs = list(extra_packs)
        self.disable = list(disable)
        loaded = load_packs(self.packs + self.extra_packs)
        rules = [rule for pack in loaded for rule in pack.rules]
        unknown = sorted(set(self.disable) - {rule.id for rule in rules})
        if unknown:
            raise ValueError(f"disable: no loaded rule has id {unknown[0]!r} (see `corpusclean rules`)")
        self.pack_versions = {pack.id: pack.version for pack in loaded}
        self.engine = RuleEngine([rule for rule in rules if rule.id not in set(self.disable)])

    def edit(self, doc: Document) -> str:
        return self._record(doc, self.engine.apply(doc.text))

    def process_batch(self, docs: list[Document]) -> None:
        """:meth:`edit` on a chunk, with the same results: one keyword scan over the chunk's texts; nothing is
        changed before every document is done (a chunk stopped by the time budget is redone one by one).

        >>> docs = [Document(id="1", text="正文。"), Document(id="2", text="来源:贵州日报\\n正文。")]
        >>> Rules().process_batch(docs)
        >>> [doc.text for doc in docs], docs[1].meta["source"]
        (['正文。', '正文。'], '贵州日报')
        """
        outcomes = self.engine.apply_many([doc.text for doc in docs])
        for doc, out in zip(docs, outcomes, strict=True):
            if out.cuts or out.meta or out.text is not doc.text:
                doc.text = self._record(doc, out)

    def _record(self, doc: Document, out: Outcome) -> str:
        """Leave the receipts and ``meta`` of ``out`` (the engine's outcome on ``doc.text``) on ``doc``; the
        text to keep."""
        for cut in out.cuts:
            doc.record_removal(self.name, cut.rule, cut.text, kind=cut.kind, line=cut.line)
        for key, value in out.meta.items():
            doc.meta.setdefault(key, value)
        return out.text

    def describe(self) -> dict[str, Any]:
        return {"stage": self.name, "packs": self.packs, "extra_packs": self.extra_packs, "disable": self.disable,
                "pack_versions": self.pack_versions, "rules": len(self.engine.rules)}
