"""Remove spam link lists by their structure: SEO keyword chains, navigation rows, runs of numbered headlines.

Pages end in lists that are not the article: thirty "…工业区劳务派遣公司" on one line for search engines, a
row of links ("关于我们 加入我们 … 网站地图"), a hundred numbered headlines of other pages. Their strings
change from site to site, their shape does not: many short items, no sentence punctuation. Each detector
looks for one shape; every removal leaves a receipt naming it:

``keyword_chain``
    one line (or the tail of a line after its last sentence) of at least ``chain_min_items`` short items
    without sentence punctuation, most of which share a suffix of two or more characters; or, when a
    normaliser has removed the spaces between the items, one line in which a Chinese phrase repeats at
    least ``chain_min_items`` times and fills much of it.
``nav_row``
    one line of at least ``nav_min_items`` short items (none over ``nav_max_item_chars``, the median at most
    ``nav_max_median_chars``) separated by spaces, ``|`` or ``·``, mostly Chinese, with no punctuation.
``headline_run``
    at least ``run_min_lines`` consecutive numbered or bulleted lines (blank lines between them allowed,
    numbering that starts again begins a new run), each short and without full stop, semicolon or comma,
    with a headline-long median (``run_min_median_chars``).
``dated_run``, ``counted_run``
    at least ``dated_min_lines`` such lines in a row that end with a date ("- 保监会规范险企员工持股计划 2015/07/03",
    "2012-01-17 21:25") or with a count of views or comments ("- 你的昆曲“入坑戏” 8.7万次浏览", "… 评论6328条";
    ``counted_run`` when most of them end with a count): a related-articles or trending list, short as it often
    is; an article's own list of events puts the date first or writes clauses.
``between_lists``
    punctuation-free rows of three or more items lying between removed lists (or a removed list and the
    document's edge): the rest of a link block whose separators were partly normalised away.

A numbered list that belongs to the article survives: steps and clauses carry sentence punctuation, a list
of 3–5 points is shorter than a run, and a title with a few spaced phrases has too few items.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from operator import add
from typing import Any

from corpusclean.document import Document
from corpusclean.stage import Editor
from corpusclean.stages.watermark import BLANKS

# Punctuation that only prose carries; any of it disqualifies an item as list material. "、" joins
# enumerations inside sentences, ASCII "." is left out (numbering, decimals, domain names).
_PROSE_PUNCT = re.compile(r"[。，！？；：,!?;:、]")
# A line can be a chain (its separators may have been normalised away) or a row only without prose
# punctuation, and with an item separator or 12 characters.
_NO_PUNCT = r"[^\n。，！？；：,!?;:、]"
_SEPARATOR = r"[ \t\u3000\xa0|｜丨•]"
# The tail of a line after its last sentence end, when it has separators: maybe a glued keyword chain.
_CHAIN_TAIL = re.compile(rf"[。！？!?；;][”’」』）)]*({_NO_PUNCT}*?{_SEPARATOR}{_NO_PUNCT}*)$", re.M)
# "·" and "/" separate items only with spaces around them: inside a word they join ("廣東·貴州", "帳/車").
# (White space spelt out, and a look-ahead at what every split point starts with, let the engine skip to the
# next candidate instead of trying three alternatives at every character.)
_SPACE = f"[{BLANKS}\n]"  # \s
_SPLIT = re.compile(
    rf"(?=[{BLANKS}\n|｜丨•])(?:{_SPACE}*[|｜丨•]{_SPACE}*|{_SPACE}+[·/]{_SPACE}+|{_SPACE}+)"
)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_YEAR = re.compile(r"(?:19|20)\d\d")
_NUM = r"(?:\d{1,3}|[一二三四五六七八九十]{1,3})"
# A list marker at the start of a line: "1." "1、" "(1)" "（一）" "一、" "[3]" or a bullet ("1.5亿" is a number).
_MARKER = re.compile(
    rf"^[^\S\n]*(?:{_NUM}(?:[.．](?!\d)|[、)）])|[(（]{_NUM}[)）]|\[\d{{1,3}}\]|[•·●○◆◇■□▪▫►▶*※★☆\-–])[^\S\n]*"
)
# The same after a line break (the engine skips from one line break to the next).
_MARKER_AFTER_BREAK = re.compile("\n" + _MARKER.pattern[1:].replace("[^\\S\\n]*", f"[{BLANKS}]*+", 1))
# What every marker line starts with, after "\n" and blanks: counted over the whole text first, as most
# documents have too few for a run.
_MAYBE_MARKER = re.compile(rf"\n[{BLANKS}]*+[\d一二三四五六七八九十(（\[•·●○◆◇■□▪▫►▶*※★☆\-–]")
_SEPARATOR_CHAR = re.compile(_SEPARATOR)
_SEPARATOR_ANY = re.compile(f"[{BLANKS}|｜丨•]")  # what every split point of split_items holds
# Titles may ask or exclaim ("宇航员在太空中喝酒会怎么样？后果很严重") but are not clauses.
_CLAUSE = frozenset("。；;，,")
_ARABIC = re.compile(r"^[^\S\n]*[(（\[]?(\d{1,3})")
# A date (with its year, or a month-day with a time) closing a link title, maybe bracketed; after a full
# date and time, a channel's name of up to four characters may follow ("…2019-09-07 15:05华为").
_DATED_END = re.compile(
    r"(?:(?:19|20)\d\d[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?(?:\s*[\u4e00-\u9fff]{1,4})?)?"
    r"|\d{1,2}[-/月]\d{1,2}日?\s*\d{1,2}:\d{2})[)）\]】]?$"
)
# A full date and time closing a link title (a step of an article does not end so).
_TIMED_END = re.compile(
    r"(?:19|20)\d\d[-/.年]\d{1,2}[-/.月]\d{1,2}日?\s*\d{1,2}:\d{2}(?::\d{2})?(?:\s*[\u4e00-\u9fff]{1,4})?[)）\]】]?$"
)
_STOPS = frozenset("。；;")
# A count of views, readers, comments or replies closing a link title ("1016次浏览", "8.7万次浏览", "评论6328条"):
# what a related or trending list shows where others show a date.
_COUNTED_END = re.compile(
    r"(?:\d+(?:\.\d+)?[万千]?\s*(?:次(?:浏览|阅读|播放|观看)|人(?:参与|阅读|浏览|看过|评论)|条评论|个回复|阅读|浏览|评论)"
    r"|(?:评论|阅读|浏览|回复|点击)\s*[:：]?\s*\d+(?:\.\d+)?[万千]?\s*[条次]?)[)）\]】]?$"
)


@functools.cache
def list_stretches(min_separators: int, min_chars: int) -> re.Pattern[str]:
    """A pattern over ``(text + "\\n")[::-1]`` finding the lines where a navigation row, a keyword chain or a
    chain glued after the last sentence can be: their end after their last prose punctuation (which must be
    a sentence end, as a chain glued to a sentence follows one), or the whole line when it has none, holds
    ``min_separators`` blanks or bars (a list of ``n`` items has ``n - 1``) or is ``min_chars`` long (a
    chain glued together into one item is long).

    >>> text = "台风过后，社区组织居民清理街道。\\n首页 | 新闻 | 体育 | 财经 | 娱乐"
    >>> [len(text) - m.start() for m in list_stretches(4, 24).finditer((text + "\\n")[::-1])]  # where lines end
    [39]
    """
    punct, ends, separators = "。，！？；：,!?;:、", "。！？!?；;", f"{BLANKS}|｜丨•"
    return re.compile(
        rf"\n(?:[^\n{punct}]{{{min_chars}}}|(?:[^\n{punct}{separators}]*+[{separators}]){{{min_separators}}})"
        rf"(?=[^\n{punct}]*+(?:[\n{ends}]|\Z))"
    )


def _marker_lines(text: str) -> list[int]:
    """The indices of the lines of ``text`` that start with a list marker.

    >>> _marker_lines("1. 社区防汛工作会议\\n相关新闻\\n  2. 重温劳模事迹\\n\\n• 优美歌声唱起来")
    [0, 2, 4]
    """
    text = "\n" + text
    found, number, counted = [], 0, 0
    for match in _MARKER_AFTER_BREAK.finditer(text):
        number += text.count("\n", counted, match.start())
        counted = match.start()
        found.append(number)
    return found


def split_items(line: str) -> list[str]:
    """The items of a list-shaped line, split at runs of spaces, at ``| ｜ 丨 •`` and at spaced ``·`` or ``/``.

    >>> split_items("关于我们 加入我们 | 网站地图\\xa0\\xa0联系我们")
    ['关于我们', '加入我们', '网站地图', '联系我们']
    """
    return list(filter(None, _SPLIT.split(line.strip())))


def shared_suffix(items: list[str], *, min_chars: int = 2, max_chars: int = 8) -> tuple[str, int]:
    """The suffix of ``min_chars``–``max_chars`` characters ending the most items (the longest on a tie),
    and how many items end with it; ``("", 0)`` when none is shared by two items.

    >>> shared_suffix(["坪山镇汤坑工业区劳务派遣公司", "横岗镇西坑工业区劳务派遣公司", "劳务派遣"])
    ('工业区劳务派遣公司', 2)
    """
    best, best_count = "", 0
    for size in range(min_chars, max_chars + 2):
        counts = Counter([item[-size:] for item in items if len(item) > size])
        if not counts:
            break
        suffix, count = counts.most_common(1)[0]
        if count < 2:
            break
        if count >= best_count:
            best, best_count = suffix, count
    return best, best_count


def _at_least(name: str, value: int, low: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return value


def _share(name: str, value: float) -> float:
    if not isinstance(value, int | float) or not 0 < value <= 1:
        raise ValueError(f"{name} must be in (0, 1], got {value!r}")
    return value


class SpamLists(Editor):
    """Drop keyword chains, navigation rows and long runs of numbered headlines; keep real lists.

    >>> text = "\\n".join(["台风过后，社区组织居民清理街道。", "关于我们 加入我们 联系我们 网站地图 友情链接"])
    >>> doc = Document(id="1", text=text)
    >>> print(SpamLists().edit(doc))
    台风过后，社区组织居民清理街道。
    >>> [(r.rule, r.kind, r.line) for r in doc.removals]
    [('nav_row', 'line', 1)]
    """

    name = "spam_lists"

    def __init__(self, *, chain_min_items: int = 6, chain_max_item_chars: int = 30, chain_min_share: float = 0.5,
                 nav_min_items: int = 5, nav_max_item_chars: int = 16, nav_max_median_chars: int = 4,
                 nav_min_cjk_share: float = 0.8, run_min_lines: int = 8, run_max_item_chars: int = 40,
                 run_min_median_chars: int = 6, dated_min_lines: int = 3) -> None:
        self.chain_min_items = _at_least("chain_min_items", chain_min_items, 3)
        self.chain_max_item_chars = _at_least("chain_max_item_chars", chain_max_item_chars, 2)
        self.chain_min_share = _share("chain_min_share", chain_min_share)
        self.nav_min_items = _at_least("nav_min_items", nav_min_items, 3)
        self.nav_max_item_chars = _at_least("nav_max_item_chars", nav_max_item_chars, 2)
        self.nav_max_median_chars = _at_least("nav_max_median_chars", nav_max_median_chars, 1)
        self.nav_min_cjk_share = _share("nav_min_cjk_share", nav_min_cjk_share)
        self.run_min_lines = _at_least("run_min_lines", run_min_lines, 3)
        self.run_max_item_chars = _at_least("run_max_item_chars", run_max_item_chars, 2)
        self.run_min_median_chars = _at_least("run_min_median_chars", run_min_median_chars, 0)
        self.dated_min_lines = _at_least("dated_min_lines", dated_min_lines, 2)
        self._fewest_run_lines = min(self.run_min_lines, self.dated_min_lines)

    def describe(self) -> dict[str, Any]:
        params = {key: value for key, value in vars(self).items() if not key.startswith("_")}
        return {"stage": self.name, **params}

    # -- one-line shapes ---------------------------------------------------------------------------------

    def is_keyword_chain(self, text: str) -> bool:
        """Many short items, no sentence punctuation, most sharing a suffix of two or more characters.

        >>> SpamLists().is_keyword_chain("南山区劳务派遣公司 福田区劳务派遣公司 宝安区劳务派遣公司 "
        ...                              "龙岗区劳务派遣公司 罗湖区劳务派遣公司 盐田区劳务派遣公司")
        True
        >>> SpamLists().is_keyword_chain("南山区、福田区、宝安区、龙岗区、罗湖区、盐田区分别派出工作组。")
        False
        """
        if _PROSE_PUNCT.search(text):
            return False
        return self._chain_of(text, split_items(text))

    def _chain_of(self, text: str, items: list[str]) -> bool:
        if len(items) == 1:
            return self._is_glued_chain(text)
        if len(items) < self.chain_min_items or max(map(len, items)) > self.chain_max_item_chars:
            return False
        # No longer suffix is shared by more items than the commonest two-character one: when that is too
        # rare (table rows, lists of names), so is every other.
        pairs = Counter([item[-2:] for item in items if len(item) > 2]).most_common(1)
        if not pairs or pairs[0][1] < self.chain_min_share * len(items):
            return False
        _, count = shared_suffix(items)
        return count >= self.chain_min_share * len(items)

    def _is_glued_chain(self, text: str) -> bool:
        """A chain whose separators a normaliser removed ("…工业区劳务派遣公司横岗镇…工业区劳务派遣公司…"):
        one Chinese phrase of four or more characters repeats at least ``chain_min_items`` times, about once
        per ``chain_max_item_chars``, and fills a good part of the line.

        >>> SpamLists().is_keyword_chain("".join(f"{t}工业区劳务派遣公司" for t in "甲乙丙丁戊己庚"))
        True
        """
        if len(text) < self.chain_min_items * 4:
            return False
        # A four-character phrase repeating that often repeats its first character as often: counting
        # characters (in C) spares the phrases of every long title.
        if max(Counter(text).values()) < self.chain_min_items:
            return False
        # Every four characters, in order (joined in C: text[i:i+2] + text[i+2:i+4]).
        grams = Counter(map(add, map(add, text, text[1:]), map(add, text[2:], text[3:])))
        gram, count = grams.most_common(1)[0]
        if count < self.chain_min_items or count * self.chain_max_item_chars < len(text) or not _CJK.search(gram):
            return False
        unit = gram  # grow the repeated phrase while it keeps repeating as often
        for step in ((0, 1), (1, 0)):
            while True:
                start = text.find(unit)
                grown = text[max(0, start - step[0]) : start + len(unit) + step[1]]
                if len(grown) == len(unit) or text.count(grown) < max(self.chain_min_items, 0.8 * count):
                    break
                unit = grown
        return text.count(unit) * len(unit) >= 0.3 * len(text)

    def is_nav_row(self, text: str) -> bool:
        """Many very short, mostly Chinese items and no sentence punctuation at all.

        >>> SpamLists().is_nav_row("首页 | 新闻 | 体育 | 财经 | 娱乐")
        True
        >>> SpamLists().is_nav_row("加强产业合作 推动对口帮扶 谋求更好发展")
        False
        >>> SpamLists().is_nav_row("2016 / 日本 / 家庭 古装 / 柴田岳志 榎户崇泰 / 尾野真千子 长谷川博己")
        False
        """
        # Tab-separated cells are a table row, which is content.
        if "\t" in text or _PROSE_PUNCT.search(text):
            return False
        return self._nav_row_of(split_items(text))

    def _nav_row_of(self, items: list[str]) -> bool:
        if len(items) < self.nav_min_items or max(map(len, items)) > self.nav_max_item_chars:
            return False
        # Link labels are a word or two ("首页", "新闻中心"); verse lines set with spaces ("床前明月光 …") and
        # the clauses of a blog that writes spaces for commas are longer.
        if sorted(map(len, items))[len(items) // 2] > self.nav_max_median_chars:
            return False
        # A bare year among the items makes the row a record's fields ("2016 / 日本 / 家庭 古装 / 导演 / 演员",
        # a film list's entry), not a row of links.
        if any(_YEAR.fullmatch(item) for item in items):
            return False
        chinese = sum(1 for item in items if _CJK.search(item))
        return chinese >= self.nav_min_cjk_share * len(items)

    # -- runs of numbered headlines ----------------------------------------------------------------------

    def headline_item(self, line: str) -> tuple[str, int | None] | None:
        """The text of a numbered or bulleted line that could be a link title, and its arabic number (None
        for bullets and Chinese numerals); None when the line is not such an item.

        >>> SpamLists().headline_item("  81. 社区防汛工作会议")
        ('社区防汛工作会议', 81)
        >>> SpamLists().headline_item("1. 打开设置，点击网络。") is None
        True
        >>> SpamLists().headline_item("- 半导体代工市场：台积电占半壁江山，三星第二2019-09-05 15:53")[0]
        '半导体代工市场：台积电占半壁江山，三星第二2019-09-05 15:53'
        """
        marker = _MARKER.match(line)
        if marker is None:
            return None
        item = line[marker.end() :].strip()
        # The date or count closing a related article's title is not part of the title's length.
        if not item or len(_COUNTED_END.sub("", _DATED_END.sub("", item)).rstrip()) > self.run_max_item_chars:
            return None
        # A full stop, semicolon or comma makes the item a step or clause of the article, not a link title;
        # but a title closed by its date and time, or by its view count, may hold commas
        # ("台积电占半壁江山，三星第二2019-09-05 15:53", "你有做过什么事哄她开心吗？10.5万次浏览").
        stamped = _TIMED_END.search(item) or _COUNTED_END.search(item)
        if not (_STOPS if stamped else _CLAUSE).isdisjoint(item):
            return None
        digits = _ARABIC.match(line)
        return item, int(digits.group(1)) if digits else None

    def _headline_runs(self, lines: list[str], skip: set[int], markers: list[int]) -> list[tuple[str, list[int]]]:
        """Runs of headline items among ``lines`` (``headline_run``, ``dated_run`` or ``counted_run``, and their
        indices), ``markers`` being the indices of those starting with a list marker: only they can be items. Any other
        line breaks a run, but blank lines and lines in ``skip`` (already taken) do not."""
        runs: list[tuple[str, list[int]]] = []
        current: list[int] = []
        lengths: list[int] = []
        dated = 0  # how many items at the end of the current run end with a date or a count
        counted = 0  # how many of those end with a count
        last_number: int | None = None

        def close() -> None:
            nonlocal dated, counted
            # Link titles are headline-long; a list of short terms is the article's own.
            if len(current) >= self.run_min_lines and sorted(lengths)[len(lengths) // 2] >= self.run_min_median_chars:
                runs.append(("headline_run", list(current)))
            elif dated >= self.dated_min_lines:
                # The dated items that close it: an article's own undated list may run straight into them.
                runs.append(("counted_run" if 2 * counted > dated else "dated_run", current[len(current) - dated:]))
            current.clear()
            lengths.clear()
            dated = counted = 0

        for group in self._unbroken(lines, skip, markers):
            # Between groups something broke the run; a group too small to hold a run is not read.
            close()
            last_number = None
            if len(group) < self._fewest_run_lines:
                continue
            for i in group:
                found = self.headline_item(lines[i])
                if found is None:
                    close()
                    last_number = None
                    continue
                item, number = found
                # Numbering that starts again is a new list: the article's own "1." is not part of the link
                # list that follows it.
                if number is not None and last_number is not None and number != last_number + 1:
                    close()
                last_number = number
                current.append(i)
                lengths.append(len(item))
                if _DATED_END.search(item):
                    dated += 1
                elif _COUNTED_END.search(item):
                    dated, counted = dated + 1, counted + 1
                else:
                    dated = counted = 0
        close()
        return runs

    def _between_lists(self, lines: list[str], dropped: set[int]) -> list[int]:
        """Rows of a few punctuation-free items that sit between removed lists (or a removed list and the
        document's edge), blank lines aside: what is left of a link block whose separators were partly
        normalised away ("关于我们 加入我们 人力资讯TOP500网站地图 临时工招聘信息兼职招聘信息"). A title under a
        navigation row is followed by the article, not by another list, so it stays."""
        found: list[int] = []
        group: list[int] = []
        before: str | None = "edge"  # what precedes the group: the document's start, a removed list, or content
        for i in [*(i for i, line in enumerate(lines) if line.strip()), None]:
            if i is None or i in dropped:
                after = "edge" if i is None else "list"
                if group and before is not None and "list" in (before, after):
                    found.extend(group)
                group = []
                before = "list" if i is not None else None
                continue
            body = lines[i].strip()
            if not _PROSE_PUNCT.search(body) and len(split_items(body)) >= 3:
                group.append(i)
            else:
                group = []
                before = None
        return found

    @staticmethod
    def _unbroken(lines: list[str], skip: set[int], markers: list[int]) -> list[list[int]]:
        """The marker lines not in ``skip``, in groups with nothing but blank or skipped lines between them."""
        groups: list[list[int]] = []
        previous = -2
        for i in markers:
            if i in skip:
                continue
            if previous < 0 or any(lines[j].strip() for j in range(previous + 1, i) if j not in skip):
                groups.append([])
            groups[-1].append(i)
            previous = i
        return groups

    # -- edit --------------------------------------------------------------------------------------------

    def _list_lines(self, text: str) -> list[tuple[int, str]]:
        """``(index, line)`` of the lines :func:`list_stretches` finds, in order."""
        pattern = list_stretches(min(self.chain_min_items, self.nav_min_items) - 1, self.chain_min_items * 4)
        ends = [len(text) - match.start() for match in pattern.finditer((text + "\n")[::-1])]
        found, number, counted = [], 0, 0
        for end in reversed(ends):
            start = text.rfind("\n", 0, end) + 1
            number += text.count("\n", counted, start)
            counted = start
            found.append((number, text[start:end]))
        return found

    def edit(self, doc: Document) -> str:
        text = doc.text
        # Whole-text passes of the regular-expression engine find the few lines worth a look, so prose costs
        # no Python per line.
        candidates = self._list_lines(text)
        markers: list[int] = []
        if len(_MAYBE_MARKER.findall("\n" + text)) >= self._fewest_run_lines:
            markers = _marker_lines(text)  # a tail cut below leaves a line's start, and so its marker
        numbered = len(markers)
        if not candidates and numbered < self._fewest_run_lines:
            return text
        dropped: set[int] = set()
        cut: dict[int, str] = {}
        for i, line in candidates:
            # A line without prose punctuation that has an item separator or is long.
            if _PROSE_PUNCT.search(line) or not (len(line) >= 12 or _SEPARATOR_CHAR.search(line)):
                continue
            body = line.strip()
            items = split_items(body) if _SEPARATOR_ANY.search(body) else [body]  # no separator: one item
            if self._chain_of(body, items):
                doc.record_removal(self.name, "keyword_chain", line, kind="line", line=i)
                dropped.add(i)
            elif "\t" not in body and self._nav_row_of(items):
                doc.record_removal(self.name, "nav_row", line, kind="line", line=i)
                dropped.add(i)
        for i, line in candidates:
            # A chain glued after the article's last sentence on the same line: cut the tail only.
            match = None if i in dropped else _CHAIN_TAIL.search(line)
            if match is not None and self.is_keyword_chain(match.group(1).strip()):
                doc.record_removal(self.name, "keyword_chain", match.group(1).strip(), kind="span", line=i)
                cut[i] = line[: match.start(1)]
        if not dropped and not cut and numbered < self._fewest_run_lines:
            return text
        lines = text.split("\n")
        for i, line in cut.items():
            lines[i] = line
        if numbered >= self._fewest_run_lines:
            for reason, run in self._headline_runs(lines, dropped, markers):
                block = "\n".join(lines[i] for i in run)
                doc.record_removal(self.name, reason, block, kind="block", line=run[0])
                dropped.update(run)
        if not dropped:
            return "\n".join(lines) if cut else text
        for i in self._between_lists(lines, dropped):
            doc.record_removal(self.name, "between_lists", lines[i], kind="line", line=i)
            dropped.add(i)
        return "\n".join(line for i, line in enumerate(lines) if i not in dropped)
