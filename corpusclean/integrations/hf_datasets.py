"""A function for Hugging Face ``datasets.Dataset.map(batched=True)`` that cleans a text column.

``Dataset.map`` hands over batches as columns and wants columns back, with one type per column across all
batches: so the cleaned text replaces the text column, and three columns are added — ``corpusclean_kept``
(bool), ``corpusclean_reason`` (``stage/rule`` of a drop, or None) and ``corpusclean_meta`` (corpusclean's
``meta`` as a JSON string: its keys vary from document to document, which an Arrow struct cannot follow).
The per-document stages run; deduplication needs the whole corpus in order and is left to ``corpusclean
clean`` (or to datasets' own tools). Keep what was kept with ``.filter``:

    from datasets import load_dataset
    from corpusclean.integrations.hf_datasets import cleaner

    ds = load_dataset("json", data_files="crawl.jsonl", split="train")
    ds = ds.map(cleaner(text_column="text"), batched=True, num_proc=8)
    ds = ds.filter(lambda row: row["corpusclean_kept"])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from corpusclean.document import Document
from corpusclean.pipeline import Pipeline
from corpusclean.recipe import build_pipeline, load_recipe
from corpusclean.stage import CorpusStage

Batch = dict[str, list[Any]]


def cleaner(recipe: str | None = None, *, text_column: str = "text", pipeline: Pipeline | None = None
            ) -> Callable[[Batch], Batch]:
    """The batch function for ``Dataset.map(..., batched=True)``: the recipe's per-document stages over
    ``text_column``.

    >>> page = ("当前位置:首页 > 政务联播 > 各区动态\\n12月11日至14日，区委书记何镜清带领白云区党政代表团，"
    ...         "赴贵州省黔南州荔波县、平塘县、罗甸县开展调研对接，考察东西部协作成效，"
    ...         "共同推动巩固脱贫攻坚成果同乡村振兴有效衔接。")
    >>> out = cleaner()({"text": [page, "广告"], "url": ["https://example.cn/1", "https://example.cn/2"]})
    >>> out["corpusclean_kept"], out["corpusclean_reason"], out["text"][0][:6], out["url"][1]
    ([True, False], [None, 'length/too_few_cjk'], '12月11日', 'https://example.cn/2')
    """
    full = pipeline or build_pipeline(load_recipe(recipe), where=recipe or "built-in recipe")
    per_document = Pipeline([s for s in full.stages if not isinstance(s, CorpusStage)],
                            time_budget=full.time_budget)

    def clean_batch(batch: Batch) -> Batch:
        if text_column not in batch:
            raise ValueError(f"text_column {text_column!r} is not a column (columns: {', '.join(batch)})")
        docs = [Document(id=str(i), text=text if isinstance(text, str) else "")
                for i, text in enumerate(batch[text_column])]
        per_document.process_batch(docs)
        return {
            **batch,
            text_column: [doc.text for doc in docs],
            "corpusclean_kept": [doc.rejected is None for doc in docs],
            "corpusclean_reason": [None if doc.rejected is None else f"{doc.rejected.stage}/{doc.rejected.rule}"
                                   for doc in docs],
            "corpusclean_meta": [orjson.dumps(doc.meta).decode() for doc in docs],
        }

    return clean_batch
