"""Rebuild ``eval_gold.jsonl``: the gold main texts of the real pages in ``/work/shared/eval``, one record each.

Run from the repository root when the evaluation set changes: ``python tests/data/make_eval_gold.py``.
Sources and licences: ``cwced/cleaned`` (Chinese-Web-Content-Extraction-Dataset, MIT), ``newspaper4k_zh/gold``
(newspaper4k tests, MIT), ``readability_zh/*/expected.html`` (Mozilla Readability tests, Apache-2.0; the
text of each block element, one per line). Records carry the page title when the set has one.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "td", "dd", "dt", "figcaption"}


def records(root: Path) -> list[dict[str, str]]:
    import lxml.html

    out = []
    for path in sorted((root / "cwced" / "cleaned").glob("*.txt")):
        out.append({"source": "cwced", "name": path.stem, "licence": "MIT", "text": path.read_text(encoding="utf-8")})
    for path in sorted((root / "newspaper4k_zh" / "gold").glob("*.txt")):
        meta_path = root / "newspaper4k_zh" / "metadata" / (path.stem + ".json")
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        out.append({"source": "newspaper4k_zh", "name": path.stem, "licence": "MIT", "title": meta.get("title", ""),
                    "text": path.read_text(encoding="utf-8")})
    for page in sorted(p for p in (root / "readability_zh").iterdir() if p.is_dir()):
        tree = lxml.html.fromstring((page / "expected.html").read_text(encoding="utf-8"))
        blocks = []
        for element in tree.iter():
            if element.tag in BLOCKS and not any(child.tag in BLOCKS for child in element.iterdescendants()):
                text = re.sub(r"\s+", " ", element.text_content()).strip()
                if text:
                    blocks.append(text)
        meta = json.loads((page / "expected-metadata.json").read_text(encoding="utf-8"))
        title = (meta.get("title") or "").split("_")[0].strip()
        out.append({"source": "readability_zh", "name": page.name, "licence": "Apache-2.0", "title": title,
                    "text": "\n".join(blocks)})
    return out


if __name__ == "__main__":
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/eval")
    rows = records(root)
    dest = Path(__file__).with_name("eval_gold.jsonl")
    dest.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{dest}: {len(rows)} texts, {sum(len(r['text']) for r in rows):,} characters")
