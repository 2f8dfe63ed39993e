"""Main text and metadata of an HTML page, through trafilatura."""

from __future__ import annotations

from typing import Any

# Fields worth keeping from trafilatura's metadata. ``filedate`` is left out on purpose: it is the date
# of the run, and keeping it would make the same input give different output bytes on different days.
META_FIELDS = ("title", "author", "date", "url", "hostname", "sitename", "description")


def extract(html: str, *, url: str | None = None) -> dict[str, Any]:
    """``{"text": main text, "title": ..., "date": ..., ...}``; text is ``""`` when trafilatura finds none.

    >>> body = "<article><p>" + "这是正文。" * 30 + "</p></article>"
    >>> page = f"<html><head><title>标题</title></head><body>{body}</body></html>"
    >>> out = extract(page)
    >>> out["text"].startswith("这是正文。"), out["title"]
    (True, '标题')
    """
    import trafilatura

    result = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=True, include_images=False
    )
    if result is None:
        return {"text": ""}
    data = result.as_dict() if hasattr(result, "as_dict") else dict(result)
    out: dict[str, Any] = {"text": data.get("text") or ""}
    for key in META_FIELDS:
        value = data.get(key)
        if value:
            out[key] = str(value)
    return out
