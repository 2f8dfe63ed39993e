"""Counts of what a run read, wrote and removed, and why: the account a user reads at the end."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from corpusclean.document import Document
from corpusclean.report_detail import CHUNK_DETAIL, Detail


@dataclass
class Summary:
    """Addable run statistics (shards or workers can be summed).

    ``detail`` is what only the HTML report shows (:mod:`corpusclean.report_detail`): ``None`` unless the
    pipeline observed its chunks (``Pipeline.observe``), in which case it arrives with a chunk's first
    document and every document after it adds its rejection example or duplicate-cluster size."""

    docs_in: int = 0
    docs_out: int = 0
    chars_in: int = 0
    chars_out: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    removed_count: Counter[str] = field(default_factory=Counter)
    removed_chars: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    detail: Detail | None = None

    def add(self, doc: Document) -> None:
        carried = doc.scratch.get(CHUNK_DETAIL)
        if carried is not None:
            self._merge_detail(carried)
        self.docs_in += 1
        self.chars_in += doc.chars_in
        for removal in doc.removals:
            key = f"{removal.stage}/{removal.rule}"
            self.removed_count[key] += 1
            self.removed_chars[key] += len(removal.text)
        if doc.rejected is None:
            self.docs_out += 1
            self.chars_out += len(doc.text)
        else:
            self.rejected[f"{doc.rejected.stage}/{doc.rejected.rule}"] += 1
        if self.detail is not None:
            self.detail.add_document(doc)

    def _merge_detail(self, detail: Detail) -> None:
        if self.detail is None:
            self.detail = Detail()
        self.detail.update(detail)

    def update(self, other: Summary) -> None:
        """Add ``other`` (a worker's account of one chunk) into this summary in place."""
        self.docs_in += other.docs_in
        self.docs_out += other.docs_out
        self.chars_in += other.chars_in
        self.chars_out += other.chars_out
        self.rejected.update(other.rejected)
        self.removed_count.update(other.removed_count)
        self.removed_chars.update(other.removed_chars)
        self.errors.extend(other.errors)
        if other.detail is not None:
            self._merge_detail(other.detail)

    def __add__(self, other: Summary) -> Summary:
        total = Summary(
            docs_in=self.docs_in + other.docs_in,
            docs_out=self.docs_out + other.docs_out,
            chars_in=self.chars_in + other.chars_in,
            chars_out=self.chars_out + other.chars_out,
            rejected=self.rejected + other.rejected,
            removed_count=self.removed_count + other.removed_count,
            removed_chars=self.removed_chars + other.removed_chars,
            errors=self.errors + other.errors,
        )
        for part in (self.detail, other.detail):
            if part is not None:
                total._merge_detail(part)
        return total

    @property
    def unparsed(self) -> int:
        """Input units that could not be read as documents (bad JSON, undecodable bytes...)."""
        return sum(n for key, n in self.rejected.items() if key.startswith("read/"))

    def as_dict(self) -> dict[str, Any]:
        return {
            "docs_in": self.docs_in,
            "docs_out": self.docs_out,
            "docs_rejected": self.docs_in - self.docs_out,
            "chars_in": self.chars_in,
            "chars_out": self.chars_out,
            "rejected_by_rule": dict(sorted(self.rejected.items())),
            "removed_by_rule": {
                key: {"count": self.removed_count[key], "chars": self.removed_chars[key]}
                for key in sorted(self.removed_count)
            },
            "errors": list(self.errors),
        }

    def render(self) -> str:
        """A short human summary for stderr."""
        kept = f"{self.chars_out / self.chars_in:.1%}" if self.chars_in else "-"
        lines = [
            f"documents: {self.docs_in:,} in, {self.docs_out:,} out, {self.docs_in - self.docs_out:,} rejected",
            f"characters: {self.chars_in:,} in, {self.chars_out:,} out ({kept} kept)",
        ]
        if self.rejected:
            lines.append("rejected documents by rule:")
            lines += [f"  {key:<40} {n:>10,}" for key, n in self.rejected.most_common()]
        if self.removed_count:
            lines.append("removed lines/spans by rule:             count      chars")
            lines += [
                f"  {key:<40} {n:>10,} {self.removed_chars[key]:>10,}" for key, n in self.removed_count.most_common()
            ]
        if self.errors:
            lines.append(f"input errors: {len(self.errors)}")
            lines += [f"  {error}" for error in self.errors[:20]]
            if len(self.errors) > 20:
                lines.append(f"  ... and {len(self.errors) - 20} more (see --report)")
        return "\n".join(lines)
