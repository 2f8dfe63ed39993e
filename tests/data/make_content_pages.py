"""Rebuild ``content_pages.jsonl``: a few real CWCED pages (MIT) as the ``content`` stage sees them.

Each record holds the page's text after the default recipe's stages before ``content`` (corpusclean's HTML
reader, rules, watermark, spam lists) and the page's hand-copied gold text, so the tests can score what the
stage keeps and removes on real chrome without the evaluation folder. These pages are development pages: the
scorer was fitted on them (``benchmarks/fit_content.py``); the held-out figures are in
``benchmarks/eval_boilerplate.py``.

Run from the repository root: ``python tests/data/make_content_pages.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
# Pages with chrome of different kinds left after the rules: teasers and labels around a speech (0d931936),
# a forum thread's labels (d519ec93), link rows and short labels (c2d9f85c, 3832838a), a related item with a
# date (b4c2eccd), a code fragment (6650f72a).
NAMES = ("0d931936-d510-4904-a714-88bb267b62da", "d519ec93-d4ea-492e-af93-d782d587dabe",
         "c2d9f85c-f454-4bd5-8f4e-986580c1113a", "3832838a", "b4c2eccd", "6650f72a")


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from benchmarks.content_data import dev_pages, prefix_pipeline, stage_inputs
    from benchmarks.eval_data import eval_dir

    pipeline = prefix_pipeline()
    out = []
    for page in dev_pages(eval_dir()):
        if any(page.name.startswith(name) for name in NAMES):
            out.append({"source": "cwced", "name": page.name, "licence": "MIT",
                        "text": stage_inputs(pipeline, page.path)["html"], "gold": page.gold})
    target = Path(__file__).with_name("content_pages.jsonl")
    target.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out), encoding="utf-8")
    print(f"{len(out)} pages -> {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
