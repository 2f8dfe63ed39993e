"""Evidence from an HTML page's DOM for each line of the text extracted from it.

trafilatura decides which blocks of a page are main text and then throws the page away: a later stage that
judges lines (is this a related-article item, a share label, the page title with its site chain?) sees only
text. This module keeps what the page itself says about each line: how much of its block is link text,
whether the block is a list of links, the tag names and class/id words of its ancestors (``nav``, ``footer``,
``xgxw``, ``pinglun``…), where it lies in the page, how deep, how dense its text is, and whether it lies inside
the container that holds most of the page's sentence-ending prose.

Lines are mapped back to the page's text nodes by matching normalised text (NFKC, no whitespace), in
document order: trafilatura merges inline nodes into one line, writes tables as ``| a | b |`` rows and list
items as ``- item``, so a line is searched for whole, then cell by cell, then by its first and last characters.
A line that is not found gets ``matched = 0`` and the position of the line before it.

Every feature is a float; :data:`FEATURES` is the fixed list, in order, so a model can take the values as a
vector. Nothing here changes any text.

>>> page = ("<html><head><title>标题_新闻_某某网</title></head><body>"
...         "<div class='nav'><a href='/'>首页</a> <a href='/n'>新闻</a></div>"
...         "<div class='content'><p>今天发布了新的规定，涉及全市的公园。</p><p>规定明年起实施。</p></div>"
...         "<ul class='xgxw'><li><a href='/1'>另一篇新闻</a> 2011-10-28</li></ul></body></html>")
>>> rows = line_evidence(page, ["今天发布了新的规定，涉及全市的公园。", "另一篇新闻 2011-10-28", "首页 新闻"])
>>> [(r["matched"], r["in_main"], r["words_nav"], r["words_related"]) for r in rows]
[(1.0, 1.0, 0.0, 0.0), (1.0, 0.0, 0.0, 1.0), (1.0, 0.0, 1.0, 0.0)]
>>> [round(r["line_link_share"], 2) for r in rows]
[0.0, 0.33, 1.0]
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

# --- class/id and tag words -----------------------------------------------------------------------------

# Word groups read from class and id attributes (and tag names) of a block and its ancestors. Words of four
# letters or fewer, and those in TOKEN_ONLY, must be a whole token (``tj`` in ``tj_list``, not in ``btjs``);
# longer words may be part of a token (``bdsharebuttonbox`` has ``share``). Chinese sites name things in
# pinyin or its initials: xgxw (相关新闻), tj (推荐), pl/pinglun (评论), dh/daohang (导航), bq/banquan (版权),
# mbx (面包屑).
WORD_GROUPS: dict[str, tuple[str, ...]] = {
    "nav": ("nav", "navbar", "navigation", "menu", "menus", "breadcrumb", "breadcrumbs", "crumb", "crumbs",
            "daohang", "dh", "mbx", "mianbaoxie", "location", "position", "weizhi", "path", "subnav", "channel",
            "topbar", "toolbar", "pages", "pager", "pagination", "page", "fanye", "tags", "tag", "keywords"),
    "footer": ("footer", "foot", "bottom", "copyright", "copy", "banquan", "bq", "statement", "disclaimer",
               "shengming", "about", "contact", "friendlink", "links", "link", "yqlj"),
    "header": ("header", "head", "top", "logo", "masthead", "banner", "login", "search", "sousuo"),
    "related": ("related", "relate", "relation", "xgxw", "xg", "xiangguan", "recommend", "recommendation",
                "tuijian", "tj", "more", "other", "others", "next", "prev", "previous", "prenext", "guess",
                "cainixihuan", "yuedu"),
    "hot": ("hot", "hots", "rank", "ranking", "paihang", "phb", "top10", "popular", "remen", "hotnews",
            "zuixin", "latest", "newest", "click", "dianji"),
    "share": ("share", "sharing", "fenxiang", "fx", "social", "bdshare", "jiathis", "weibo", "wechat", "weixin",
              "qrcode", "ewm", "erweima", "print", "favorite", "shoucang", "sc", "tool", "tools"),
    "comment": ("comment", "comments", "pinglun", "pl", "reply", "replies", "discuss", "gentie", "liuyan",
                "cmt", "feedback"),
    "sidebar": ("sidebar", "side", "aside", "right", "rightbar", "sidebox", "col-right", "widget", "fr"),
    "ad": ("ad", "ads", "advert", "adverts", "advertisement", "adv", "sponsor", "sponsored", "guanggao", "gg",
           "promo", "promotion", "tg"),
    "content": ("content", "article", "main", "text", "body", "post", "entry", "zhengwen", "zw", "detail",
                "neirong", "txt", "artibody", "story", "news_content", "con", "cont", "wenzhang", "show"),
}
# Tag names that say the same as class words: a <nav> is navigation whatever its class. Not <form>: ASP.NET
# pages wrap the whole page in one.
TAG_GROUPS: dict[str, str] = {"nav": "nav", "footer": "footer", "header": "header", "aside": "sidebar",
                              "article": "content", "main": "content", "select": "nav", "button": "share",
                              "marquee": "hot"}

_GROUP_NAMES = tuple(WORD_GROUPS)
_GROUP_BIT = {name: 1 << i for i, name in enumerate(_GROUP_NAMES)}
# Longer words that are also parts of unrelated words ("copyright" has "right", "blinks" has "links").
TOKEN_ONLY = frozenset({"right", "links", "pages", "other", "others", "print", "click", "story", "entry",
                        "relate", "search", "banner", "latest"})
_SHORT: dict[str, int] = {}
_LONG: list[tuple[str, int]] = []
for _name, _words in WORD_GROUPS.items():
    for _word in _words:
        if len(_word) <= 4 or _word in TOKEN_ONLY:
            _SHORT[_word] = _SHORT.get(_word, 0) | _GROUP_BIT[_name]
        else:
            _LONG.append((_word, _GROUP_BIT[_name]))
_SHORT.update({w: _SHORT.get(w, 0) | bit for w, bit in _LONG})  # a whole long word matches as a token too
_TOKEN = re.compile(r"[a-z]+[0-9]*|[0-9]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def class_words(value: str) -> int:
    """The word groups named by a class or id value, as bits of :data:`WORD_GROUPS` (in its order). A value
    with a ``/`` (saved pages carry their URL in an id) names none.

    >>> groups = lambda v: [n for n in _GROUP_NAMES if class_words(v) & _GROUP_BIT[n]]
    >>> groups("xgxw_list"), groups("bdsharebuttonbox"), groups("newsRelated"), groups("photo")
    (['related'], ['share'], ['related'], [])
    >>> groups("main-content"), groups("tj"), groups("footer copyright")
    (['content'], ['related'], ['footer'])
    """
    if not value or "/" in value:
        return 0
    low = _CAMEL.sub("_", value).lower()
    bits = 0
    for token in _TOKEN.findall(low):
        bits |= _SHORT.get(token, 0)
    for word, bit in _LONG:
        if not bits & bit and word in low:
            bits |= bit
    return bits


# --- the page index ------------------------------------------------------------------------------------

BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog", "dir", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "html", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot",
    "th", "thead", "title", "tr", "ul",
})
_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "math", "iframe", "object", "textarea"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LIST_CONTAINERS = frozenset({"ul", "ol", "dl", "table", "tbody", "menu", "nav"})
# Sentence-ending punctuation: a text node with one of these and some length is prose.
_SENTENCE_END = re.compile(r"[。！？!?；…]|\.(?:\s|$)")
_MIN_PROSE = 15
_CLAUSE = re.compile(r"[，,、；;。]")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """The form lines and page text are compared in: NFKC, no whitespace.

    >>> normalise("　第一段  内容\\n")
    '第一段内容'
    """
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


@dataclass(slots=True)
class _Block:
    tag: str
    parent: int
    depth: int
    words: int  # word-group bits of this element and its ancestors
    in_table: bool
    in_list: bool
    heading: bool
    in_head: bool
    order: int  # pre-order number; a block's descendants are numbered order+1 .. last
    last: int = 0
    own_chars: int = 0
    own_link_chars: int = 0
    inline_tags: int = 0
    chars: int = 0  # whole subtree
    link_chars: int = 0
    links: int = 0
    prose: int = 0
    commas: int = 0  # clause punctuation in own text outside links


@dataclass
class PageIndex:
    """The page's text in document order, normalised, with the block each character came from.

    Built once per page by :func:`index_page`; :meth:`evidence` then maps any lines to it. It holds no
    reference to the tree.
    """

    text: str
    starts: list[int]  # start offset in ``text`` of each piece
    piece_block: list[int]
    piece_link: list[bool]
    blocks: list[_Block]
    main: int  # the block holding most of the page's prose (-1: none)
    article: list[int]  # the best article candidate and the siblings that join it (readability's way)
    max_depth: int
    _block_rows: list[tuple[float, ...]] | None = field(default=None, repr=False)

    def evidence(self, lines: Sequence[str]) -> list[dict[str, float]]:
        """One dict of :data:`FEATURES` per line, in order (blank lines too: ``matched`` 0)."""
        rows: list[dict[str, float]] = []
        cursor = 0
        last_position = 0.0
        for line in lines:
            spans = self._match(line, cursor)
            if not spans:
                row = dict.fromkeys(FEATURES, 0.0)
                row["position"] = last_position
                rows.append(row)
                continue
            cursor = spans[-1][1]
            row = self._features(spans)
            last_position = row["position"]
            rows.append(row)
        return rows

    # -- matching --
    def _find(self, needle: str, cursor: int) -> tuple[int, int] | None:
        at = self.text.find(needle, cursor)
        if at < 0:
            at = self.text.find(needle)
        if at >= 0:
            return at, at + len(needle)
        if len(needle) >= 16:  # merged or edited in the middle: anchor on both ends
            head, tail = needle[:8], needle[-8:]
            for start in (cursor, 0):
                at = self.text.find(head, start)
                if at < 0:
                    continue
                end = self.text.find(tail, at + 8)
                if end >= 0 and end + 8 - at <= 3 * len(needle):
                    return at, end + 8
        return None

    def _match(self, line: str, cursor: int) -> list[tuple[int, int]]:
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|"):
            pieces = [cell for cell in re.split(r"(?<!\\)\|", stripped) if cell.strip(" -:")]
        else:
            if stripped.startswith(("- ", "* ")):
                stripped = stripped[2:]
            pieces = [stripped]
        spans = []
        for piece in pieces:
            needle = normalise(piece.replace("\\|", "|"))
            if not needle:
                continue
            span = self._find(needle, cursor)
            if span is not None:
                spans.append(span)
                cursor = span[1]
        return spans

    # -- features --
    def _rows(self) -> list[tuple[float, ...]]:
        if self._block_rows is None:
            self._block_rows = [_block_row(self, i) for i in range(len(self.blocks))]
        return self._block_rows

    def _features(self, spans: list[tuple[int, int]]) -> dict[str, float]:
        rows = self._rows()
        weight: dict[int, int] = {}
        link = total = 0
        for lo, hi in spans:
            k = bisect.bisect_right(self.starts, lo) - 1
            while k < len(self.starts) and self.starts[k] < hi:
                end = self.starts[k + 1] if k + 1 < len(self.starts) else len(self.text)
                n = min(end, hi) - max(self.starts[k], lo)
                if n > 0:
                    block = self.piece_block[k]
                    weight[block] = weight.get(block, 0) + n
                    total += n
                    if self.piece_link[k]:
                        link += n
                k += 1
        values = [0.0] * len(_BLOCK_FEATURES)
        for block, n in weight.items():
            for j, v in enumerate(rows[block]):
                values[j] += v * n
        out = {"matched": 1.0, "position": spans[0][0] / max(len(self.text), 1),
               "line_link_share": link / total if total else 0.0}
        out.update({name: v / total for name, v in zip(_BLOCK_FEATURES, values, strict=True)})
        return {name: out[name] for name in FEATURES}


_BLOCK_FEATURES = ("depth", "link_density", "container_link_density", "link_list", "text_density",
                   "block_chars", "in_main", "before_main", "after_main", "in_article", "in_table", "in_list",
                   "heading", "in_head", *(f"words_{g}" for g in _GROUP_NAMES))

FEATURES: tuple[str, ...] = ("matched", "position", "line_link_share", *_BLOCK_FEATURES)
"""The evidence of one line, in a fixed order. All floats; line values are averages over the page's blocks
the line's characters came from, weighted by characters.

- ``matched``: 1 when the line was found in the page's text, else 0 (and every other value 0 but position).
- ``position``: where the line starts in the page's text, 0 (first character) to 1 (last), document order.
- ``line_link_share``: share of the line's characters inside ``<a>``.
- ``depth``: the block's depth in the tree relative to the page's deepest block (0 root, 1 deepest).
- ``link_density``: share of the block's own text inside ``<a>`` (a block is the nearest block-level element).
- ``container_link_density``: the same over the whole subtree of the block's parent block.
- ``link_list``: 1 when the block lies in a list of links: a ``ul``/``ol``/``dl``/``table``/``nav`` (or, failing
  one, the parent block) with at least three links whose text is at least half link text.
- ``text_density``: log10(1 + the block's own characters per inline element in it), so about 0-4.
- ``block_chars``: log10(1 + characters of the block's own text).
- ``in_main``: 1 inside the main container (the deepest element holding two thirds of the page's prose: text
  of 15+ characters with sentence-ending punctuation, outside links); ``before_main``, ``after_main``: 1
  before it or after it in document order.
- ``in_article``: 1 inside the article readability's scoring picks (:func:`_article`): the block whose
  paragraphs have the most clause marks and length, weighed by class words and link density, with its best
  siblings.
- ``in_table``, ``in_list``, ``heading``, ``in_head``: 1 inside a ``<table>``, a ``<li>``/``<dd>``/``<dt>``, an
  ``<h1>``-``<h6>``, the ``<head>`` (the ``<title>``).
- ``words_<group>``: 1 when the class or id of the block or of an ancestor, or an ancestor's tag, names the
  group (:data:`WORD_GROUPS`: nav, footer, header, related, hot, share, comment, sidebar, ad, content).
"""


def _block_row(index: PageIndex, i: int) -> tuple[float, ...]:
    import math

    blocks = index.blocks
    b = blocks[i]
    parent = blocks[b.parent] if b.parent >= 0 else b
    main = blocks[index.main] if index.main >= 0 else None
    # a list of links: the nearest list-like ancestor (or the parent block) with 3+ links, mostly link text
    link_list = 0.0
    j = i
    for _ in range(4):
        c = blocks[j]
        if c.tag in _LIST_CONTAINERS or j == b.parent:
            if c.links >= 3 and c.link_chars * 2 >= c.chars:
                link_list = 1.0
                break
            if c.tag in _LIST_CONTAINERS:
                break
        if c.parent < 0:
            break
        j = c.parent
    in_main = main is not None and main.order <= b.order <= main.last
    in_article = any(blocks[a].order <= b.order <= blocks[a].last for a in index.article)
    return (
        b.depth / max(index.max_depth, 1),
        b.own_link_chars / b.own_chars if b.own_chars else 0.0,
        parent.link_chars / parent.chars if parent.chars else 0.0,
        link_list,
        math.log10(1 + b.own_chars / (1 + b.inline_tags)),
        math.log10(1 + b.own_chars),
        float(in_main),
        float(main is not None and not in_main and b.order < main.order),
        float(main is not None and not in_main and b.order > main.last),
        float(in_article),
        float(b.in_table),
        float(b.in_list),
        float(b.heading),
        float(b.in_head),
        *(float(bool(b.words & _GROUP_BIT[g])) for g in _GROUP_NAMES),
    )


def _load(tree_or_html: Any) -> Any:
    if isinstance(tree_or_html, str | bytes):
        import trafilatura

        return trafilatura.load_html(tree_or_html)
    return tree_or_html


def index_page(tree_or_html: Any) -> PageIndex:
    """The :class:`PageIndex` of a page (an lxml tree, which is read and not changed, or HTML text; ``None``,
    or HTML no tree can be made of, gives an empty index: every line unmatched).

    >>> idx = index_page("<html><body><p>第一段。</p><div class='footer'>版权所有</div></body></html>")
    >>> idx.text, [b.tag for b in idx.blocks]
    ('第一段。版权所有', ['#document', 'html', 'body', 'p', 'div'])
    """
    from lxml import etree

    root = _load(tree_or_html)
    text_parts: list[str] = []
    starts: list[int] = []
    piece_block: list[int] = []
    piece_link: list[bool] = []
    blocks: list[_Block] = []
    offset = 0
    if root is None:
        return PageIndex("", [], [], [], [], -1, [], 0)

    # Block 0 stands for the document: every block has it as an ancestor even when lxml's root is not <html>
    # (a page starting with text gets a <text> root beside which its blocks hang).
    blocks.append(_Block("#document", -1, 0, 0, False, False, False, False, 0))
    # stack entries: (is_block, block index, words, in_a, in_table, in_list, heading, in_head, skip)
    stack: list[tuple[bool, int, int, bool, bool, bool, bool, bool, bool]] = []
    cur = (False, 0, 0, False, False, False, False, False, False)

    def add_text(text: str | None, block: int, in_a: bool) -> None:
        nonlocal offset
        if not text or block < 0:
            return
        norm = normalise(text)
        if not norm:
            return
        starts.append(offset)
        text_parts.append(norm)
        piece_block.append(block)
        piece_link.append(in_a)
        offset += len(norm)
        b = blocks[block]
        b.own_chars += len(norm)
        if in_a:
            b.own_link_chars += len(norm)
        else:
            b.commas += len(_CLAUSE.findall(norm))
            if len(norm) >= _MIN_PROSE and _SENTENCE_END.search(norm):
                b.prose += len(norm)

    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            stack.append(cur)
            _, block, words, in_a, in_table, in_list, heading, in_head, skip = cur
            if skip or not tag or tag in _SKIP:
                cur = (False, block, words, in_a, in_table, in_list, heading, in_head, True)
                continue
            if tag not in ("html", "body"):  # their classes describe the whole page (skin, features)
                attrs = el.attrib
                words |= class_words(attrs.get("class", "")) | class_words(attrs.get("id", ""))
            group = TAG_GROUPS.get(tag)
            if group is not None:
                words |= _GROUP_BIT[group]
            in_a = in_a or tag == "a"
            in_head = in_head or tag == "head"
            if tag in BLOCK_TAGS:
                parent = block
                in_table = in_table or tag == "table"
                in_list = in_list or tag in ("li", "dd", "dt")
                heading = heading or tag in _HEADINGS
                depth = blocks[parent].depth + 1 if parent >= 0 else 0
                block = len(blocks)
                blocks.append(_Block(tag, parent, depth, words, in_table, in_list, heading, in_head, block))
                cur = (True, block, words, in_a, in_table, in_list, heading, in_head, False)
            else:
                if block >= 0:
                    blocks[block].inline_tags += 1
                    if tag == "a":
                        blocks[block].links += 1
                cur = (False, block, words, in_a, in_table, in_list, heading, in_head, False)
            add_text(el.text, block, in_a)
        else:
            is_block, block, _, _, _, _, _, _, skip = cur
            if is_block:
                b = blocks[block]
                b.last = len(blocks) - 1
                b.chars += b.own_chars
                b.link_chars += b.own_link_chars
                if b.parent >= 0:
                    p = blocks[b.parent]
                    p.chars += b.chars
                    p.link_chars += b.link_chars
                    p.links += b.links
                    p.prose += b.prose
            cur = stack.pop()
            if not cur[8]:
                add_text(el.tail, cur[1], cur[3])
    document = blocks[0]
    document.last = len(blocks) - 1
    document.chars += document.own_chars
    document.link_chars += document.own_link_chars
    return PageIndex("".join(text_parts), starts, piece_block, piece_link, blocks, _main_block(blocks),
                     _article(blocks), max((b.depth for b in blocks), default=0))


def _main_block(blocks: list[_Block]) -> int:
    """The deepest block holding at least two thirds of the page's prose; -1 when the page has none."""
    if not blocks or not blocks[0].prose:
        return -1
    need = blocks[0].prose * 2 / 3
    children: dict[int, list[int]] = {}
    for i, b in enumerate(blocks):
        if b.parent >= 0:
            children.setdefault(b.parent, []).append(i)
    here = 0
    while True:
        best = max(children.get(here, ()), key=lambda c: blocks[c].prose, default=-1)
        if best < 0 or blocks[best].prose < need:
            return here
        here = best


# Class/id groups that weigh an article candidate down, as readability's negative class names do.
_CHROME_BITS = sum(bit for name, bit in _GROUP_BIT.items() if name != "content")


def _article(blocks: list[_Block]) -> list[int]:
    """The article as readability (Arc90's algorithm, as in readability-lxml) would choose it, on blocks:
    every block with 25+ characters of its own text outside links gives its parent 1 + its clause marks
    (，、；。) + one per 100 characters (at most 3), and half that to its grandparent; a candidate's score
    is then adjusted by its class words (content +25, chrome -25) and scaled by 1 - its link density.
    The best candidate, and its siblings scoring at least a fifth of it (and 10), are the article.

    Measured on cwced lines (benchmarks/dom_evidence_report.py): as the feature ``in_article`` it leaves
    out more non-content than the prose container of ``in_main``, about as well as readability-lxml itself.
    """
    score: dict[int, float] = {}
    for b in blocks:
        own = b.own_chars - b.own_link_chars
        if own < 25 or b.parent < 0:
            continue
        value = 1 + b.commas + min(own // 100, 3)
        score[b.parent] = score.get(b.parent, 0.0) + value
        grand = blocks[b.parent].parent
        if grand >= 0:
            score[grand] = score.get(grand, 0.0) + value / 2
    if not score:
        return []
    for i in score:
        b = blocks[i]
        weight = (25 if b.words & _GROUP_BIT["content"] else 0) - (25 if b.words & _CHROME_BITS else 0)
        score[i] = (score[i] + weight) * (1 - (b.link_chars / b.chars if b.chars else 0.0))
    best = max(score, key=lambda i: (score[i], -i))
    if score[best] <= 0:
        return []
    parent = blocks[best].parent
    floor = max(10.0, score[best] * 0.2)
    siblings = [i for i, b in enumerate(blocks) if b.parent == parent and parent >= 0 and i != best
                and score.get(i, 0.0) >= floor]
    return sorted([best, *siblings])


def line_evidence(tree_or_html: Any, lines: Iterable[str]) -> list[dict[str, float]]:
    """The :data:`FEATURES` of each line of text extracted from a page, from the page's DOM.

    ``tree_or_html`` is HTML text or an lxml tree (read, not changed; trafilatura too leaves a tree it is
    given as it was, so one parse serves both). For many line sets on one page, :func:`index_page` once and
    :meth:`PageIndex.evidence` for each.

    >>> page = ("<body><div id='main'><p>记者从市政府获悉，新的公园将在五月开放。</p></div>"
    ...         "<div class='footer'><p>Copyright 某某网 版权所有</p></div></body>")
    >>> body, foot = line_evidence(page, ["记者从市政府获悉，新的公园将在五月开放。", "Copyright 某某网 版权所有"])
    >>> body["in_main"], body["words_footer"], foot["in_main"], foot["after_main"], foot["words_footer"]
    (1.0, 0.0, 0.0, 1.0, 1.0)
    """
    return index_page(tree_or_html).evidence(list(lines))


# --- realigning after edits ----------------------------------------------------------------------------

def realign(parsed_text: str, rows: Sequence[dict[str, float]], text: str) -> list[dict[str, float]]:
    """The evidence of each line of ``text``, a later version of ``parsed_text`` (whose lines ``rows``
    describe): stages before the one using the evidence may have removed lines, cut spans or changed
    characters. A line takes the row of the first parsed line at or after the last one used that it equals
    (after :func:`normalise`) or is part of; a line found nowhere gets ``matched`` 0.

    >>> rows = [{"matched": 1.0, "x": 1.0}, {"matched": 1.0, "x": 2.0}, {"matched": 1.0, "x": 3.0}]
    >>> [r["x"] for r in realign("标题\\n正文，一段。AEJ网\\n更多", rows, "正文,一段。\\n更多")]
    [2.0, 3.0]
    """
    parsed = [normalise(line) for line in parsed_text.split("\n")]
    if len(parsed) != len(rows):
        raise ValueError(f"rows describe {len(rows)} lines but parsed_text has {len(parsed)}")
    positions: dict[str, list[int]] = {}
    for i, key in enumerate(parsed):
        positions.setdefault(key, []).append(i)
    out = []
    cursor = 0
    empty = dict.fromkeys(rows[0] if rows else FEATURES, 0.0)
    for line in text.split("\n"):
        key = normalise(line)
        found = -1
        if key:
            same = positions.get(key, [])
            for start in (cursor, 0):
                at = bisect.bisect_left(same, start)
                found = same[at] if at < len(same) else -1
                if found < 0:
                    found = next((i for i in range(start, len(parsed)) if key in parsed[i]), -1)
                if found >= 0:
                    break
        if found < 0:
            out.append(dict(empty))
        else:
            out.append(rows[found])
            cursor = found
    return out
