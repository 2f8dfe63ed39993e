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
# characters, masking, a list, and Chinese mixed with enough English that the language model is asked.
SAMPLES = (
    "浣犲ソ涓栫晫锛岃繖鏄竴娈垫祴璇曟枃瀛椼��\n拓寬當(dāng)?shù)厝罕娋蜆I(yè)渠道。",
    "深圳市对口帮扶毕节市，1996年开始，电话138****1234。\n1、东西部协作\n2、劳务协作\n" * 3,
    "深圳市对口帮扶毕节市已经二十多年，两地在产业、教育、医疗等领域开展了广泛合作，取得了显著成效。"
    "The cooperation between Shenzhen and Bijie has covered industry, education and health care for "
    "more than twenty years.",
)


def warm() -> None:
    """Run every per-document stage of the built-in pipeline over each of :data:`SAMPLES` (each stage
    gets its own copy, so that a filter rejecting a sample does not keep it from the stages after)."""
    from corpusclean import default_pipeline
    from corpusclean.document import Document
    from corpusclean.text.plausibility import _word_table

    pipeline = default_pipeline()
    for number, text in enumerate(SAMPLES):
        for stage in pipeline.stages:
            stage.process(Document(id=f"warm-{number}", text=text))
    # The words of the lost-byte lattice, which no sample reaches: a worker that repairs a lost byte would
    # load them itself (0.15 s each); the fork server loads them once for all (a one-worker run never here).
    _word_table()


# A fork server that failed here would fail every worker; if warming fails, workers warm themselves.
with contextlib.suppress(Exception):
    warm()
