"""Main text and metadata of an HTML page, through trafilatura (and readability, when asked)."""

from __future__ import annotations

import re
from typing import Any

from corpusclean.text.tables import cells, is_row

# Fields worth keeping from trafilatura's metadata. ``filedate`` is left out on purpose: it is the date
# of the run, and keeping it would make the same input give different output bytes on different days.
META_FIELDS = ("title", "author", "date", "url", "hostname", "sitename", "description")


# How the main text is chosen (``extract(extractor=...)``, ``ParseOptions.html_extractor``).
EXTRACTORS = ("trafilatura", "readability")


def extract(html: Any, *, url: str | None = None, metadata: bool = True,
            extractor: str = "trafilatura") -> dict[str, Any]:
    """``{"text": main text, "title": ..., "date": ..., ...}``; text is ``""`` when trafilatura finds none.

    ``html`` is HTML text or a tree from :func:`load`, which is left as it was (trafilatura works on a copy),
    so the reader can index the same tree for evidence (:mod:`corpusclean.io.dom_evidence`); from a tree
    the text and metadata are the same as from the text, and come ~20% faster. ``metadata=False`` skips
    trafilatura's metadata pass (author, date, site name, description: about half the extraction time on
    the evaluation pages) and keeps the title alone; the text is the same.

    >>> body = "<article><p>" + "这是正文。" * 30 + "</p></article>"
    >>> page = f"<html><head><title>标题</title></head><body>{body}</body></html>"
    >>> out = extract(page)
    >>> out["text"].startswith("这是正文。"), out["title"]
    (True, '标题')
    >>> extract(page, metadata=False) == {"text": out["text"], "title": "标题"}
    True

    ``extractor="readability"`` takes the main text from the node readability-lxml picks, written out by
    trafilatura (tables as Markdown, list items), unless readability finds under half the characters of
    trafilatura's ``favor_precision`` text, which is then taken instead; metadata comes from trafilatura
    as with the default. On cwced (development) P/R/F1 0.91/0.95/0.91 against 0.82/0.95/0.86 for
    trafilatura's defaults, at about twice the time (``benchmarks/compare_extractors.py``). It needs
    ``pip install 'corpusclean[readability]'``.

    Either way, a text of fewer than ``THIN_CJK`` ideographs is replaced by trafilatura's recall text with
    comments, when that has more: forum replies that trafilatura files as comments.
    """
    if extractor not in EXTRACTORS:
        raise ValueError(f"extractor must be one of {', '.join(EXTRACTORS)}; got {extractor!r}")
    options = {"include_comments": False, "include_tables": True, "include_images": False}
    if extractor == "readability":
        options["favor_precision"] = True
    out = _text_and_metadata(html, url, options) if metadata else _text_and_title(html, url, options)
    if extractor == "readability" and out.get("text") is not None:
        out["text"] = _readable_text(html, precise=out["text"])
    if _cjk_count(out.get("text") or "") < THIN_CJK:
        fuller = _fullest_text(html, url)
        if _cjk_count(fuller) > _cjk_count(out.get("text") or ""):
            out["text"] = fuller
    return out


# Under this many CJK ideographs (the built-in recipe's `length` floor) the page would be dropped: the
# precision-first extractors missed its text, as on forum threads whose replies trafilatura files as comments,
# so the text is taken again with recall first, comments included. (A floor of 50 was tried first: it also
# replaced a short post's own text on a never-seen forum page with a longer, worse one.)
THIN_CJK = 30
_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _cjk_count(text: str) -> int:
    return len(_CJK_CHAR.findall(text))


def _fullest_text(html: Any, url: str | None) -> str:
    """trafilatura's text of the page with recall first and comments included."""
    import trafilatura

    result = trafilatura.bare_extraction(html, url=url, with_metadata=False, favor_recall=True,
                                         include_comments=True, include_tables=True, include_images=False)
    if result is None:
        return ""
    text = result.text if hasattr(result, "text") else dict(result).get("text")
    return unwrap_layout_tables(text or "")


def _text_and_metadata(html: Any, url: str | None, options: dict[str, Any]) -> dict[str, Any]:
    import trafilatura

    result = trafilatura.bare_extraction(html, url=url, with_metadata=True, **options)
    if result is None:
        return {"text": ""}
    data = result.as_dict() if hasattr(result, "as_dict") else dict(result)
    out: dict[str, Any] = {"text": unwrap_layout_tables(data.get("text") or "")}
    for key in META_FIELDS:
        value = data.get(key)
        if value:
            out[key] = str(value)
    return out


def _folded_length(text: str) -> int:
    return sum(1 for ch in text if not ch.isspace())


def _readable_text(html: Any, *, precise: str) -> str:
    """The text of the node readability picks, formatted by trafilatura; ``precise`` (trafilatura's
    ``favor_precision`` text) when readability finds under half as many non-space characters, or fails."""
    import copy

    import lxml.html

    try:
        from readability import Document as Readable
    except ImportError as exc:
        raise ImportError("extractor 'readability' needs readability-lxml: "
                          "pip install 'corpusclean[readability]'") from exc
    source = copy.deepcopy(html) if isinstance(html, lxml.html.HtmlElement) else html
    try:
        node = Readable(source).summary(html_partial=True)
    except Exception:  # readability raises its own errors (and lxml's) on pages it cannot parse
        return precise
    root = lxml.html.fromstring(f"<div>{node}</div>")
    for block in root.iter("p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "pre"):
        block.tail = "\n" + (block.tail or "")
    plain = root.text_content()
    if _folded_length(plain) * 2 < _folded_length(precise):
        return precise
    import trafilatura

    formatted = trafilatura.extract(f"<html><body>{node}</body></html>", favor_recall=True, include_comments=False,
                                    include_tables=True, include_images=False) or ""
    # trafilatura may still drop part of a fragment it judges thin: then readability's own lines
    if _folded_length(formatted) * 10 >= _folded_length(plain) * 9:
        return unwrap_layout_tables(formatted)
    return "\n".join(line.strip() for line in plain.split("\n") if line.strip())


def load(html: str) -> Any:
    """The lxml tree trafilatura makes of ``html`` (``None`` when it makes none): parse once, then read it
    for evidence and give it to :func:`extract`.

    >>> load("<html><body><p>正文</p></body></html>").tag
    'html'
    """
    import trafilatura

    return trafilatura.load_html(html)


def _text_and_title(html: Any, url: str | None, options: dict[str, Any]) -> dict[str, Any]:
    import trafilatura
    from trafilatura.metadata import extract_title

    tree = trafilatura.load_html(html)
    if tree is None:
        return {"text": ""}
    title = extract_title(tree)  # before extraction, which prunes the tree
    result = trafilatura.bare_extraction(tree, url=url, with_metadata=False, **options)
    out: dict[str, Any] = {"text": unwrap_layout_tables((result.text if result is not None else None) or "")}
    if title:
        out["title"] = str(title)
    return out


# Between a page title's headline and the section and site names sites append to it ("标题_财经_新浪网",
# "標題 | 生活 | 某某新聞網", "标题 - 新浪網 - 新聞"): the chain is never article text.
_TITLE_CHAIN = re.compile(r"\s*(?:_|\||｜|\s[-–—]\s|--)\s*")


def headline(title: str) -> str:
    """The headline of a page ``title``: its first part when sites have chained their section and site
    names to it; but when that part is short (a site or column name put first: "新华视界｜…") and another is
    at least twice as long, that one; the whole title when it has one part.

    >>> headline("2024年4月全国CPI同比上涨0.3%_数据_宏观频道首页_财经网 - CAIJING.COM.CN")
    '2024年4月全国CPI同比上涨0.3%'
    >>> headline("北京暴雨预警 | 生活 | 即時新聞"), headline("新浪网_北京暴雨预警"), headline("COVID-19疫情")
    ('北京暴雨预警', '北京暴雨预警', 'COVID-19疫情')
    >>> headline("新华视界｜河北遵化：数字农机服务助力农业生产")
    '河北遵化：数字农机服务助力农业生产'
    """
    parts = [part for part in _TITLE_CHAIN.split(title.strip()) if part]
    if len(parts) < 2:
        return title
    first, longest = parts[0], max(parts, key=len)
    if len(first) >= 8 or (len(first) >= 4 and len(longest) < 2 * len(first)):
        return first
    return longest if len(longest) >= 4 else title


def unwrap_layout_tables(text: str) -> str:
    r"""Text of layout tables without their table syntax; data tables as trafilatura writes them.

    trafilatura writes every HTML table as a Markdown table, and older Chinese sites lay out whole pages
    in tables: each paragraph would reach the corpus as ``| 正文 |`` with border rows between. A table
    (a run of table rows, ``| … |`` lines) none of whose rows has two non-empty cells is layout: each row
    becomes its one cell's text and empty or border rows go. A table with a row of two or more
    cells is data (an infobox, a price list) and stays a table.

    >>> print(unwrap_layout_tables("标题\n| 投身外交（3） |  | \n|---|---|\n|  | 罗银胜 | \n正文"))
    标题
    投身外交（3）
    罗银胜
    正文
    >>> unwrap_layout_tables("| 原文名 | 김종국 | \n|---|---|\n| 国籍 | 韩国 | ")
    '| 原文名 | 김종국 | \n|---|---|\n| 国籍 | 韩国 | '
    >>> unwrap_layout_tables("|引言 不是表格")  # text that starts with a pipe is left as it is
    '|引言 不是表格'
    """
    if "|" not in text:
        return text
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not is_row(lines[i]):
            out.append(lines[i])
            i += 1
            continue
        end = i
        while end < len(lines) and is_row(lines[end]):
            end += 1
        rows = [cells(row) for row in lines[i:end]]
        if any(len(row) > 1 for row in rows):
            out.extend(lines[i:end])
        else:
            out.extend(row[0].replace("\\|", "|") for row in rows if row)
        i = end
    return "\n".join(out)
