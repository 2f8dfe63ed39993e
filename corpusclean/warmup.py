"""Build the lookup tables the stages make lazily, once, in the fork server that starts the workers.

Stages build their tables on first use (character costs from jieba's dictionary, code-point class tables,
regex gates, the language model): about half a second per process. The fork server imports this module
before it forks any worker (see ``corpusclean.pipeline``), so every worker starts with the tables built
instead of building its own: ``--workers N`` pays for them once, not N times.

Nothing here may start a thread pool (opencc-pyo3's Rust pool hangs in forked children): the built-in
recipe converts no script, and a recipe that does builds its converter in each worker.
"""

from __future__ import annotations

import contextlib

# Text that reaches the lazy paths: mojibake (UTF-8 read as GBK, a byte-shifted run), Traditional
# characters, masking, a list, English (the language model), repeated lines.
SAMPLES = (
    "浣犲ソ涓栫晫锛岃繖鏄竴娈垫祴璇曟枃瀛椼��\n拓寬當(dāng)?shù)厝罕娋蜆I(yè)渠道。",
    "深圳市对口帮扶毕节市，1996年开始，电话138****1234。\n1、东西部协作\n2、劳务协作\n" * 3,
    "This page is mostly English text with a few 中文 words, so the language model is asked about it.",
)


def warm() -> None:
    """Run the built-in pipeline's per-document stages over :data:`SAMPLES` (and prepare them for dedup)."""
    from corpusclean import default_pipeline
    from corpusclean.document import Document

    pipeline = default_pipeline()
    for number, text in enumerate(SAMPLES):
        doc = Document(id=f"warm-{number}", text=text)
        for stage in pipeline.stages:
            if doc.rejected is None:
                stage.process(doc)


# A fork server that failed here would fail every worker; if warming fails, workers warm themselves.
with contextlib.suppress(Exception):
    warm()
