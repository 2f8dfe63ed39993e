"""Main text and metadata of an HTML page, through trafilatura."""

from __future__ import annotations

from typing import Any

# Fields worth keeping from trafilatura's metadata. ``filedate`` is left out on purpose: it is the date
# of the run, and keeping it would make the same input give different output bytes on different days.
META_FIELDS = ("title", "author", "date", "url", "hostname", "sitename", "description")


def extract(html: str, *, url: str | None = None, metadata: bool = True) -> dict[str, Any]:
    """``{"text": main text, "title": ..., "date": ..., ...}``; text is ``""`` when trafilatura finds none.

    ``metadata=False`` skips trafilatura's metadata pass (author, date, site name, description: about
    half the extraction time on the evaluation pages) and keeps the title alone; the text is the same.

    >>> body = "<article><p>" + "这是正文。" * 30 + "</p></article>"
    >>> page = f"<html><head><title>标题</title></head><body>{body}</body></html>"
    >>> out = extract(page)
    >>> out["text"].startswith("这是正文。"), out["title"]
    (True, '标题')
    >>> extract(page, metadata=False) == {"text": out["text"], "title": "标题"}
    True
    """
    import trafilatura

    options = {"include_comments": False, "include_tables": True, "include_images": False}
    if not metadata:
        return _text_and_title(html, url, options)
    result = trafilatura.bare_extraction(html, url=url, with_metadata=True, **options)
    if result is None:
        return {"text": ""}
    data = result.as_dict() if hasattr(result, "as_dict") else dict(result)
    out: dict[str, Any] = {"text": data.get("text") or ""}
    for key in META_FIELDS:
        value = data.get(key)
        if value:
            out[key] = str(value)
    return out


def _text_and_title(html: str, url: str | None, options: dict[str, Any]) -> dict[str, Any]:
    import trafilatura
    from trafilatura.metadata import extract_title

    tree = trafilatura.load_html(html)
    if tree is None:
        return {"text": ""}
    title = extract_title(tree)  # before extraction, which prunes the tree
    result = trafilatura.bare_extraction(tree, url=url, with_metadata=False, **options)
    out: dict[str, Any] = {"text": (result.text if result is not None else None) or ""}
    if title:
        out["title"] = str(title)
    return out
