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

>>> rows = line_features(["相关新闻", "今天上午，市政府召开新闻发布会，介绍了今年以来全市经济运行情况。", "某地举行活动 2011-10-28"])
>>> [round(float(rows[i, FEATURES.index("trailing_date")]), 1) for i in range(3)]
[0.0, 0.0, 1.0]
"""

from __future__ import annotations

import math
import re
from collections import Counter

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
    ("word_cost", "short_label"),
    ("dateline", "low_score"),
    ("table_row", "low_score"),
    ("repeated", "short_label"),
    ("inside_span", "teaser"),
    ("before_span", "teaser"),
    ("after_span", "teaser"),
    ("span_distance", "teaser"),
    ("prose_distance", "teaser"),
    ("long_outside", "teaser"),
    ("rel_position", "teaser"),
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
    ("doc_log_lines", "low_score"),
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
_MARKER = re.compile(r"^\s*(?:[0-9]{1,3}(?:[.．](?![0-9])|[、)）])|[(（][0-9一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}、"
                     r"|[•·●○◆◇■□▪▫►▶*※★☆>＞\-–—]+)")
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
_DATELINE = re.compile(r"^[\s（(【\[]*(?:\w{0,12}(?:社|网|報|报|台|電|电)\w{0,8}\d{1,2}月\d{1,2}日(?:电|電|讯|訊)|本报讯|本報訊|\w{0,8}讯\s)")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")

HEADLINE_MIN, HEADLINE_MAX = 6, 40
PROSE_MIN = 20
WORD_COST_MAX_CHARS = 40


def _is_prose(line: str, n: int) -> bool:
    """A line of running text: long, ending a sentence or carrying several clauses."""
    if n < PROSE_MIN:
        return False
    return bool(_SENTENCE_END.search(line)) or len(_CLAUSE.findall(line)) >= 2


def _word_cost(line: str) -> float:
    """Mean plausibility cost of the line's ideographs (jieba's dictionary): labels and names made of rare
    characters cost more than words; 0 for lines without ideographs or longer than the bound."""
    cjk = "".join(_CJK.findall(line))
    if not cjk or len(line) > WORD_COST_MAX_CHARS:
        return 0.0
    from corpusclean.text.plausibility import text_cost

    return text_cost(cjk)


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


def line_features(lines: list[str]) -> np.ndarray:
    """One row of :data:`FEATURES` per line of ``lines`` (blank lines: zeros)."""
    n_lines = len(lines)
    out = np.zeros((n_lines, len(NAMES)), dtype=np.float64)
    stripped = [line.strip() for line in lines]
    nonblank = [i for i, s in enumerate(stripped) if s]
    if not nonblank:
        return out
    counts = Counter(stripped[i] for i in nonblank)
    lengths = [len(s) for s in stripped]
    prose = [bool(s) and _is_prose(s, len(s)) for s in stripped]
    headline = [False] * n_lines
    dated = [False] * n_lines
    col = _COL
    for i in nonblank:
        s = stripped[i]
        n = lengths[i]
        row = out[i]
        cjk = len(_CJK.findall(s))
        latin = len(_LATIN.findall(s))
        digits = len(_DIGIT.findall(s))
        punct = len(_PUNCT.findall(s))
        spaces = len(_SPACE.findall(s))
        clauses = len(_CLAUSE.findall(s))
        ends = bool(_SENTENCE_END.search(s))
        row[col["bias_nonblank"]] = 1.0
        row[col["log_len"]] = math.log1p(n)
        row[col["short"]] = n <= 6
        row[col["very_short"]] = n <= 2
        row[col["ends_sentence"]] = ends
        row[col["clause_density"]] = min(clauses * 10 / n, 2.0)
        row[col["has_clause_punct"]] = clauses > 0
        row[col["cjk_share"]] = cjk / n
        row[col["latin_share"]] = latin / n
        row[col["digit_share"]] = digits / n
        row[col["punct_share"]] = punct / n
        row[col["space_share"]] = spaces / n
        trailing_date = bool(_TRAILING_DATE.search(s))
        dated[i] = trailing_date or bool(_COMMENT.search(s))
        row[col["trailing_date"]] = trailing_date
        row[col["trailing_time"]] = bool(_TRAILING_TIME.search(s))
        row[col["date_anywhere"]] = bool(_DATE_ANY.search(s))
        row[col["comment_count"]] = bool(_COMMENT.search(s))
        row[col["source_bracket"]] = bool(_SOURCE_BRACKET.search(s))
        row[col["list_marker"]] = bool(_MARKER.match(s))
        headline[i] = HEADLINE_MIN <= n <= HEADLINE_MAX and not ends and clauses <= 1 and cjk >= n / 2
        row[col["headline_shape"]] = headline[i]
        pieces = [p for p in _CHAIN_SPLIT.split(s) if p]
        row[col["chain_pieces"]] = math.log(len(pieces)) if len(pieces) > 1 else 0.0
        row[col["site_tail"]] = len(pieces) > 1 and bool(_SITE_TAIL.search(pieces[-1])) and len(pieces[-1]) <= 12
        row[col["code_share"]] = len(_CODE.findall(s)) / n
        row[col["css_like"]] = min(len(_CSS.findall(s)), 3) / 3
        row[col["lone_punct"]] = not _WORD_CHAR.search(s)
        row[col["dash_line"]] = bool(_DASHES.match(s))
        row[col["chrome_word"]] = bool(_CHROME.search(s)) and n <= 30
        row[col["word_cost"]] = _word_cost(s)
        row[col["dateline"]] = bool(_DATELINE.match(s))
        row[col["table_row"]] = bool(_TABLE_ROW.match(s))
        row[col["repeated"]] = counts[s] > 1
        row[col["prose"]] = prose[i]
    # Runs of headline-shaped, dated or short lines (blank lines between them do not break a run).
    shortish = [0 < lengths[i] <= 8 for i in range(n_lines)]
    for flags, name in ((headline, "headline_run"), (dated, "date_run"), (shortish, "short_run")):
        run: list[int] = []
        for i in [*nonblank, None]:
            if i is not None and flags[i]:
                run.append(i)
                continue
            for j in run:
                out[j, col[name]] = math.log1p(len(run))
            run = []
    # Where the body of prose is: the stretch of lines richest in prose characters.
    weights = [0.0] * len(nonblank)
    for k, i in enumerate(nonblank):
        if prose[i]:
            weights[k] = float(lengths[i])
        elif not _TABLE_ROW.match(stripped[i]):
            weights[k] = -(8.0 + 0.5 * min(lengths[i], 60))
    first, last = main_span(weights)
    prose_at = [k for k, i in enumerate(nonblank) if prose[i]]
    total_chars = sum(lengths[i] for i in nonblank)
    prose_chars = sum(lengths[i] for i in nonblank if prose[i])
    doc_share = prose_chars / total_chars if total_chars else 0.0
    doc_lines = math.log1p(len(nonblank))
    doc_short = sum(shortish) / len(nonblank)
    pointer = 0
    for k, i in enumerate(nonblank):
        row = out[i]
        if first >= 0:
            inside = first <= k <= last
            row[col["inside_span"]] = inside
            row[col["before_span"]] = k < first
            row[col["after_span"]] = k > last
            distance = 0 if inside else (first - k if k < first else k - last)
            row[col["span_distance"]] = math.log1p(distance)
            row[col["long_outside"]] = (not inside) and lengths[i] >= 40
        while pointer + 1 < len(prose_at) and abs(prose_at[pointer + 1] - k) <= abs(prose_at[pointer] - k):
            pointer += 1
        row[col["prose_distance"]] = math.log1p(abs(prose_at[pointer] - k)) if prose_at else math.log1p(len(nonblank))
        row[col["rel_position"]] = k / max(len(nonblank) - 1, 1)
        for side, other in (("prev", nonblank[k - 1] if k > 0 else None),
                            ("next", nonblank[k + 1] if k + 1 < len(nonblank) else None)):
            if other is None:
                continue
            row[col[f"{side}_prose"]] = prose[other]
            row[col[f"{side}_log_len"]] = math.log1p(lengths[other])
            row[col[f"{side}_headline"]] = headline[other]
            row[col[f"{side}_short"]] = lengths[other] <= 6
        row[col["doc_prose_share"]] = doc_share
        row[col["doc_short_share"]] = doc_short
        row[col["doc_log_lines"]] = doc_lines
    return out


__all__ = ["FAMILIES", "FEATURES", "NAMES", "line_features", "main_span"]
