"""What the content scorer measures of every line of a text, with no page structure to go on.

A page's extracted text keeps the article's paragraphs and, around them, what the extractor could not tell
from the article: lists of other stories ending in a date or a comment count ("某某事件引发关注 2011-10-28",
"… 评论6328条"), the page title with its section and site chain ("标题_欧洲经济新闻_新浪财经_新浪网"), short
labels ("更多", "分享到"), CSS or script residue ("content : \\".\\";", a lone "}"). Each of these has a shape
a line can be measured for; where a line lies relative to the body of prose says the rest (a paragraph of
another story sits after the article, next to its headline).

:func:`line_features` returns one row of numbers per line (blank lines get a row of zeros and are never
scored). Every feature belongs to a *family*, the name a removal's receipt gives as its reason
(``content/related_list``, ...); :data:`FEATURES` lists them in column order. The model's weights are fitted
against these names (``benchmarks/fit_content.py``), so renaming or redefining a feature needs a refit.

>>> rows = line_features(["相关新闻", "今天上午，市政府召开新闻发布会，介绍了今年以来全市经济运行情况。",
...                       "某地举行活动 2011-10-28"])
>>> [round(float(rows[i, NAMES.index("trailing_date")]), 1) for i in range(3)]
[0.0, 0.0, 1.0]
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

# (feature name, family). The family is what a removal is blamed on when the feature pulls the score down.
FEATURES: tuple[tuple[str, str], ...] = (
    ("bias_nonblank", "low_score"),
    ("log_len", "short_label"),
    ("short", "short_label"),
    ("very_short", "short_label"),
    ("ends_sentence", "low_score"),
    ("clause_density", "low_score"),
    ("has_clause_punct", "low_score"),
    ("cjk_share", "low_score"),
    ("latin_share", "code_residue"),
    ("digit_share", "related_list"),
    ("punct_share", "code_residue"),
    ("space_share", "short_label"),
    ("trailing_date", "related_list"),
    ("trailing_time", "related_list"),
    ("date_anywhere", "related_list"),
    ("comment_count", "related_list"),
    ("source_bracket", "related_list"),
    ("list_marker", "related_list"),
    ("headline_shape", "related_list"),
    ("headline_run", "related_list"),
    ("date_run", "related_list"),
    ("chain_pieces", "title_chain"),
    ("site_tail", "title_chain"),
    ("code_share", "code_residue"),
    ("css_like", "code_residue"),
    ("lone_punct", "code_residue"),
    ("dash_line", "code_residue"),
    ("chrome_word", "short_label"),
    ("dateline", "low_score"),
    ("table_row", "low_score"),
    ("repeated", "short_label"),
    ("inside_span", "teaser"),
    ("before_span", "teaser"),
    ("after_span", "teaser"),
    ("span_distance", "teaser"),
    ("prose_distance", "teaser"),
    ("long_outside", "teaser"),
    ("prev_prose", "low_score"),
    ("next_prose", "low_score"),
    ("prev_log_len", "low_score"),
    ("next_log_len", "low_score"),
    ("prev_headline", "related_list"),
    ("next_headline", "related_list"),
    ("prev_short", "short_label"),
    ("next_short", "short_label"),
    ("short_run", "short_label"),
    ("doc_short_share", "short_label"),
    ("doc_prose_share", "low_score"),
    ("prose", "low_score"),
)
NAMES = tuple(name for name, _ in FEATURES)
FAMILIES = tuple(family for _, family in FEATURES)
_COL = {name: i for i, name in enumerate(NAMES)}

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z\uff21-\uff3a\uff41-\uff5a]")
_DIGIT = re.compile(r"[0-9\uff10-\uff19]")
_SPACE = re.compile(r"[ \t\u3000\xa0]")
_PUNCT = re.compile(r"[^\w\s]")
_CLAUSE = re.compile(r"[，,、；;：:。！？!?]")
_SENTENCE_END = re.compile(r"[。！？!?…；;.．~～][”’\"'」』）)】》]*$|[”」』]$")
_D = r"[0-9０-９]"
_DATE = rf"(?:{_D}{{2,4}}[-/.年]{_D}{{1,2}}[-/.月]{_D}{{1,2}}日?|{_D}{{1,2}}[-/月]{_D}{{1,2}}日?)"
_TIME = rf"{_D}{{1,2}}[:：]{_D}{{2}}(?:[:：]{_D}{{2}})?"
_TRAILING_DATE = re.compile(rf"[\s(（\[【]*{_DATE}(?:\s*{_TIME})?[\s)）\]】]*$")
_TRAILING_TIME = re.compile(rf"{_TIME}[\s)）\]】]*$|{_D}+\s*(?:分钟|小时|天)前$|(?:昨天|今天|刚刚)\s*(?:{_TIME})?$")
_DATE_ANY = re.compile(rf"{_DATE}|{_TIME}")
_COMMENT = re.compile(
    rf"(?:评论|評論|阅读|閱讀|浏览|瀏覽|点击|點擊|回复|回覆|点赞|點讚|收藏|转发|轉發|播放)\s*[:：(（]?\s*{_D}+(?:\.\d+)?[万萬]?"
    rf"|{_D}+(?:\.\d+)?[万萬]?\s*(?:条|條|次|人)?(?:评论|評論|阅读|閱讀|浏览|瀏覽|回复|回覆|点赞|收藏|转发|轉發|播放|跟帖)"
)
_SOURCE_BRACKET = re.compile(r"【[^】]{1,15}】|\[[^\]]{1,10}\]|^[（(][^)）]{1,10}[)）]")
_MARKER = re.compile(
    r"^\s*(?:[0-9]{1,3}(?:[.．](?![0-9])|[、)）])|[(（][0-9一二三四五六七八九十]{1,3}[)）]"
    r"|[一二三四五六七八九十]{1,3}、|[•·●○◆◇■□▪▫►▶*※★☆>＞\-–—]+)"
)
_CHAIN_SPLIT = re.compile(r"\s*(?:_|\s\|\s|｜|\s-\s|\s－\s|\s—\s|\s–\s|——)\s*")
_SITE_TAIL = re.compile(
    r"(?:网|網|频道|頻道|新闻|新聞|中心|在线|在線|官网|官網|论坛|論壇|博客|社区|社區|首页|首頁|报|報|日报|日報|周刊|週刊"
    r"|财经|財經|时报|時報|电视台|電視台|[Nn]ews|\.com|\.cn|\.net|[A-Z]{2,})\s*$"
)
_CODE = re.compile(r"[{}<>=;$#\\/@^`]")
_CSS = re.compile(r"[{}]|\w[\w-]*\s*:\s*[^;，。]{0,40};|\bfunction\b|\bvar\b|\breturn\b|\bpx\b|\d+px|https?://|\.js\b|"
                  r"\bdocument\.|\bwindow\.|\(\)|&[a-z]+;")
_WORD_CHAR = re.compile(r"[\w\u3400-\u4dbf\u4e00-\u9fff]")
_DASHES = re.compile(r"^[\s\-—–_=*~·.。…|｜>＞<]+$")
_CHROME = re.compile(
    "更多|分享|登录|登錄|注册|註冊|返回|上一篇|下一篇|上一页|下一页|相关|相關|推荐|推薦|热门|熱門|排行|点击|點擊|扫描|掃描|二维码|二維碼"
    "|关注|關注|收藏|打印|关闭|關閉|字号|字體|字体|责任编辑|責任編輯|举报|舉報|客户端|客戶端|下载|下載|验证码|驗證碼|频道|頻道|首页|首頁"
    "|导航|導航|订阅|訂閱|微信|微博|广告|廣告|复制|複製|链接|鏈接|评论|評論|网友|網友|跟帖|阅读|閱讀|浏览|瀏覽|图片|圖片|视频|視頻"
    "|专题|專題|版权|版權|免责|免責|声明|聲明|来源|來源|编辑|編輯|作者|标签|標籤|回复|回覆|登陆|加载|載入|查看|展开|展開|原标题|原標題"
)
_DATELINE = re.compile(
    r"^[\s（(【\[]*(?:\w{0,12}(?:社|网|報|报|台|電|电)\w{0,8}\d{1,2}月\d{1,2}日(?:电|電|讯|訊)|本报讯|本報訊|\w{0,8}讯\s)"
)
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")

HEADLINE_MIN, HEADLINE_MAX = 6, 40
PROSE_MIN = 20


_ENDS = frozenset("。！？!?…；;.．~～”」』")  # what _SENTENCE_END accepts as a line's last character


def _is_prose(line: str, n: int) -> bool:
    """A line of running text: long, ending a sentence or carrying several clauses."""
    if n < PROSE_MIN:
        return False
    if line[-1] in _ENDS:  # the common case, without the regular expression
        return True
    return bool(_SENTENCE_END.search(line[-6:])) or len(_CLAUSE.findall(line)) >= 2


def main_span(weights: list[float]) -> tuple[int, int]:
    """The stretch of lines with the largest sum of weights (maximum subarray): prose lines weigh their length,
    other lines a penalty. ``(-1, -1)`` when no weight is positive.

    >>> main_span([-5, 40, -3, 60, -50, 30])
    (1, 3)
    """
    best, best_span = 0.0, (-1, -1)
    running, start = 0.0, 0
    for i, w in enumerate(weights):
        if running <= 0:
            running, start = 0.0, i
        running += w
        if running > best:
            best, best_span = running, (start, i)
    return best_span


@dataclass(frozen=True)
class Context:
    """What every line's features need to know of the whole document, cheap to measure: stripped lines,
    lengths, which lines are prose, headline-shaped, dated or short, and where the body of prose lies."""

    stripped: list[str]
    lengths: list[int]
    nonblank: list[int]
    prose: list[bool]
    headline: list[bool]
    dated: list[bool]
    shortish: list[bool]
    sentence: list[bool]  # ends a sentence, whatever its length
    span: tuple[int, int]  # first and last index into ``nonblank`` of the main stretch of prose

    def inside(self, k: int) -> bool:
        return self.span[0] >= 0 and self.span[0] <= k <= self.span[1]


def _headline(s: str, n: int) -> bool:
    if not HEADLINE_MIN <= n <= HEADLINE_MAX or _SENTENCE_END.search(s[-6:]):
        return False
    return len(_CLAUSE.findall(s)) <= 1 and len(_CJK.findall(s)) >= n / 2


def _dated(s: str) -> bool:
    tail = s[-60:]
    return bool(_TRAILING_DATE.search(tail) or _COMMENT.search(tail))


def context(lines: list[str]) -> Context:
    stripped = [line.strip() for line in lines]
    lengths = [len(s) for s in stripped]
    nonblank = [i for i, n in enumerate(lengths) if n]
    prose = [bool(n) and _is_prose(s, n) for s, n in zip(stripped, lengths, strict=True)]
    headline = [not p and _headline(s, n) for s, n, p in zip(stripped, lengths, prose, strict=True)]
    # A line ending a sentence ends in neither a date nor a count.
    dated = [bool(n) and not p and _dated(s) for s, n, p in zip(stripped, lengths, prose, strict=True)]
    shortish = [0 < n <= 8 for n in lengths]
    sentence = [p or (bool(n) and (s[-1] in _ENDS or bool(_SENTENCE_END.search(s[-6:]))))
                for s, n, p in zip(stripped, lengths, prose, strict=True)]
    # Lines ending a sentence weigh their length, short ones too ("苦呀！" in a story); the rest a penalty.
    weights = [0.0] * len(nonblank)
    for k, i in enumerate(nonblank):
        if sentence[i]:
            weights[k] = float(lengths[i])
        elif not _TABLE_ROW.match(stripped[i]):
            weights[k] = -(8.0 + 0.5 * min(lengths[i], 60))
    return Context(stripped, lengths, nonblank, prose, headline, dated, shortish, sentence, main_span(weights))


SANDWICH_MIN = 10


def settled(ctx: Context) -> list[int]:
    """Indices of the lines no model is asked about, inside the main stretch of prose: lines ending a sentence,
    and lines of 10+ characters between two prose lines that end in no date or count and are no table row (a
    sentence hard-wrapped across lines). They are the article by every measure here, and most of a clean
    corpus is made of them; on the fit pages the model removed 15 of 1,673 lines of the second kind, all
    table rows.

    >>> ctx = context(["今天上午，市政府召开新闻发布会，介绍了今年", "以来全市经济运行情况和下一步安排",
    ...                "据介绍，全市生产总值同比增长百分之五，高于全省平均水平。", "更多"])
    >>> settled(ctx)
    [0, 1, 2]
    """
    nonblank, prose = ctx.nonblank, ctx.prose
    out = []
    for k, i in enumerate(nonblank):
        if not ctx.inside(k):
            continue
        if ctx.sentence[i] or (
            0 < k < len(nonblank) - 1 and prose[nonblank[k - 1]] and prose[nonblank[k + 1]]
            and ctx.lengths[i] >= SANDWICH_MIN and not ctx.dated[i] and not _TABLE_ROW.match(ctx.stripped[i])
        ):
            out.append(i)
    return out


def line_features(lines: list[str], only: list[int] | None = None, ctx: Context | None = None) -> np.ndarray:
    """One row of :data:`FEATURES` per line of ``lines`` (blank lines: zeros), or per line in ``only``."""
    ctx = context(lines) if ctx is None else ctx
    wanted = range(len(lines)) if only is None else only
    out = np.zeros((len(wanted), len(NAMES)), dtype=np.float64)
    nonblank = ctx.nonblank
    if not nonblank:
        return out
    stripped, lengths, prose = ctx.stripped, ctx.lengths, ctx.prose
    rank = {i: k for k, i in enumerate(nonblank)}
    counts = Counter(stripped[i] for i in nonblank)
    # Runs of headline-shaped, dated or short lines (blank lines between them do not break a run).
    runs: dict[str, dict[int, float]] = {}
    for flags, name in ((ctx.headline, "headline_run"), (ctx.dated, "date_run"), (ctx.shortish, "short_run")):
        found: dict[int, float] = {}
        run: list[int] = []
        for i in [*nonblank, None]:
            if i is not None and flags[i]:
                run.append(i)
                continue
            for j in run:
                found[j] = math.log1p(len(run))
            run = []
        runs[name] = found
    prose_at = [k for k, i in enumerate(nonblank) if prose[i]]
    total_chars = sum(lengths[i] for i in nonblank)
    doc_share = sum(lengths[i] for i in nonblank if prose[i]) / total_chars
    doc_short = sum(ctx.shortish) / len(nonblank)
    first, last = ctx.span
    col = _COL
    for r, i in enumerate(wanted):
        s = stripped[i]
        n = lengths[i]
        if not n:
            continue
        row = out[r]
        cjk = len(_CJK.findall(s))
        clauses = len(_CLAUSE.findall(s))
        ends = bool(_SENTENCE_END.search(s[-6:]))
        row[col["bias_nonblank"]] = 1.0
        row[col["log_len"]] = math.log1p(n)
        row[col["short"]] = n <= 6
        row[col["very_short"]] = n <= 2
        row[col["ends_sentence"]] = ends
        row[col["clause_density"]] = min(clauses * 10 / n, 2.0)
        row[col["has_clause_punct"]] = clauses > 0
        row[col["cjk_share"]] = cjk / n
        row[col["latin_share"]] = len(_LATIN.findall(s)) / n
        row[col["digit_share"]] = len(_DIGIT.findall(s)) / n
        row[col["punct_share"]] = len(_PUNCT.findall(s)) / n
        row[col["space_share"]] = len(_SPACE.findall(s)) / n
        tail = s[-60:]
        row[col["trailing_date"]] = bool(_TRAILING_DATE.search(tail))
        row[col["trailing_time"]] = bool(_TRAILING_TIME.search(tail))
        row[col["date_anywhere"]] = bool(_DATE_ANY.search(s))
        row[col["comment_count"]] = bool(_COMMENT.search(tail))
        row[col["source_bracket"]] = bool(_SOURCE_BRACKET.search(s))
        row[col["list_marker"]] = bool(_MARKER.match(s))
        row[col["headline_shape"]] = ctx.headline[i]
        pieces = [p for p in _CHAIN_SPLIT.split(s) if p] if n <= 200 else [s]
        row[col["chain_pieces"]] = math.log(len(pieces)) if len(pieces) > 1 else 0.0
        row[col["site_tail"]] = len(pieces) > 1 and bool(_SITE_TAIL.search(pieces[-1])) and len(pieces[-1]) <= 12
        row[col["code_share"]] = len(_CODE.findall(s)) / n
        row[col["css_like"]] = min(len(_CSS.findall(s)), 3) / 3
        row[col["lone_punct"]] = not _WORD_CHAR.search(s)
        row[col["dash_line"]] = bool(_DASHES.match(s))
        row[col["chrome_word"]] = n <= 30 and bool(_CHROME.search(s))
        row[col["dateline"]] = bool(_DATELINE.match(s))
        row[col["table_row"]] = bool(_TABLE_ROW.match(s))
        row[col["repeated"]] = counts[s] > 1
        row[col["prose"]] = prose[i]
        for name, found in runs.items():
            row[col[name]] = found.get(i, 0.0)
        k = rank[i]
        if first >= 0:
            inside = first <= k <= last
            row[col["inside_span"]] = inside
            row[col["before_span"]] = k < first
            row[col["after_span"]] = k > last
            row[col["span_distance"]] = math.log1p(0 if inside else (first - k if k < first else k - last))
            row[col["long_outside"]] = (not inside) and n >= 40
        if prose_at:
            at = bisect.bisect_left(prose_at, k)
            near = min(abs(prose_at[j] - k) for j in (at - 1, at) if 0 <= j < len(prose_at))
            row[col["prose_distance"]] = math.log1p(near)
        else:
            row[col["prose_distance"]] = math.log1p(len(nonblank))
        for side, other in (("prev", nonblank[k - 1] if k > 0 else None),
                            ("next", nonblank[k + 1] if k + 1 < len(nonblank) else None)):
            if other is None:
                continue
            row[col[f"{side}_prose"]] = prose[other]
            row[col[f"{side}_log_len"]] = math.log1p(lengths[other])
            row[col[f"{side}_headline"]] = ctx.headline[other]
            row[col[f"{side}_short"]] = lengths[other] <= 6
        row[col["doc_prose_share"]] = doc_share
        row[col["doc_short_share"]] = doc_short
    return out


__all__ = ["FAMILIES", "FEATURES", "NAMES", "Context", "context", "line_features", "main_span", "settled"]
