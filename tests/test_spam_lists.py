"""The spam-list detectors on real text: seed 004's keyword chain, link row and hundred headlines, gold texts
of real pages (which must pass unchanged), and lists planted into real articles."""

from __future__ import annotations

import functools
import pickle
import random
import re

import pytest
from evalgold import SEED_004, articles, clean_texts, gold_records, headlines, prose_paragraphs, seed_labels, seed_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from teststages import nonblank, process

from corpusclean.document import Document
from corpusclean.recipe import build_stage, default_recipe, stage_params
from corpusclean.stages.spam_lists import (
    _CHAIN_TAIL,
    _MARKER,
    _MAYBE_MARKER,
    _PROSE_PUNCT,
    _SEPARATOR_CHAR,
    SpamLists,
    _marker_lines,
    split_items,
)

RULES = {"keyword_chain", "nav_row", "headline_run"}


run = functools.partial(process, SpamLists)


def gold_lines(name: str) -> list[str]:
    record = next(r for r in gold_records() if r["name"] == name)
    return record["text"].split("\n")


def test_seed_004_lists_gone_article_kept():
    doc = run(seed_text(SEED_004))
    out = {line.strip() for line in doc.text.split("\n")}
    label = seed_labels()[SEED_004]
    assert set(label["keep"]) <= out
    left = [line for line in label["drop"] if line in out]
    # What is left is for the rule packs (hotline, byline, disclaimer, edit stamp), not list-shaped.
    assert left == [
        "客服热线:0755-8882 8155",
        "Admin\xa0- admin 于2022年01月17日发表",
        "本文章内容来源于网络公开内容,仅供参考!不对文章内容时效、真实性负责",
        "2023-09-19 13:39:44重新编辑",
    ]
    rules = [r.rule for r in doc.removals]
    assert rules.count("headline_run") == 1
    run_receipt = next(r for r in doc.removals if r.rule == "headline_run")
    assert run_receipt.kind == "block" and len(run_receipt.text.split("\n")) == 100
    assert "keyword_chain" in rules and "nav_row" in rules
    assert "劳务派遣公司" not in doc.text


@pytest.mark.parametrize("name", sorted(seed_labels()))
def test_seeds_keep_lines_untouched(name):
    raw = seed_text(name)
    label = seed_labels()[name]
    doc = run(raw)
    # Keep lines are given without seed 000's watermark (another stage's job): compare as substrings.
    assert [k for k in label["keep"] if k in raw and k not in doc.text] == []
    keep = set(label["keep"])
    for removal in doc.removals:
        assert removal.rule in RULES
        assert not any(line.strip() in keep for line in removal.text.split("\n"))
    if name != SEED_004:
        assert doc.removals == []


def test_clean_prose_loses_under_0_2_percent():
    total = removed = 0
    for _, text in clean_texts():
        doc = run(text)
        total += len(text)
        removed += len(text) - len(doc.text)
    assert total > 300_000
    assert removed / total < 0.002, f"removed {removed} of {total} characters"


def test_real_numbered_lists_inside_articles_survive():
    # Dietary advice as six numbered points with sentence punctuation, and three points of a housing article,
    # first as the gold has them, then packed together with no paragraph between the points.
    for name in ("47f387e6-6467-41fd-a165-b13c1171c6e7", "8cb7b39d-4a06-4cad-bc50-0f63304267f3",
                 "0df12126-cd86-46a7-a00b-4d024a7a0954", "2397c95d-2de8-4ca5-a569-4fffd20b9d50"):
        lines = gold_lines(name)
        assert run("\n".join(lines)).removals == [], name
        packed = [line for line in lines if line.strip()]
        assert run("\n".join(packed)).removals == [], name


def test_short_list_of_headline_like_points_survives():
    # Five short numbered points without punctuation (section titles of one article) are the article's own.
    points = ["1.犬儒主义的来龙去脉", "2.专制与犬儒", "3.史密斯笔下的俄国人", "4.共产党与犬儒主义",
              "5.从“高尚的谎言”到“赤裸的暴力”"]
    _, lines = articles()[0]
    assert run("\n".join([*lines[:5], *points, *lines[5:]])).removals == []


def test_planted_headline_run_at_end_of_real_article():
    rng = random.Random(4)
    pool = list(headlines())
    for name, lines in articles()[:15]:
        titles = rng.sample(pool, 12)
        planted = [*lines, "相关新闻", *(f"  {i}. {t}" for i, t in enumerate(titles, 1))]
        doc = run("\n".join(planted))
        assert nonblank(doc.text) == [*(line.rstrip() for line in lines), "相关新闻"], name
        assert [r.rule for r in doc.removals] == ["headline_run"]


def test_planted_nav_rows_in_real_article():
    rows = [
        "关于我们 加入我们 人力资讯TOP500 网站地图 临时工招聘信息兼职招聘信息",  # seed 004
        "首页 | 新闻 | 体育 | 财经 | 娱乐 | 科技",
        "网站首页 · 新闻中心 · 政务公开 · 办事服务 · 互动交流",
    ]
    _, lines = articles()[2]
    for row in rows:
        planted = [*lines[:1], row, *lines[1:]]
        doc = run("\n".join(planted))
        assert nonblank(doc.text) == [line.rstrip() for line in lines]
        assert [r.rule for r in doc.removals] == ["nav_row"]


def test_keyword_chain_glued_after_last_sentence_is_cut_as_span():
    towns = ["坪山镇", "横岗镇", "龙华镇", "观澜镇", "石岩镇", "公明镇"]
    chain = "\u3000".join(f"{town}劳务派遣公司" for town in towns)
    paragraph = prose_paragraphs()[7]
    doc = run(paragraph + " " + chain)
    assert doc.text == paragraph
    assert [(r.rule, r.kind) for r in doc.removals] == [("keyword_chain", "span")]


def test_title_lines_and_verse_with_spaces_survive():
    keep = [
        "加强产业合作 推动对口帮扶 谋求更好发展",  # seed 000 subtitle
        "貴州省黨政代表團赴廣東省學習考察 廣東·貴州扶貧協作工作座談會舉行",  # seed 001 title
        "床前明月光 疑是地上霜 举头望明月 低头思故乡 李白",
        "一波波接續性低溫寒流報到 已將新竹尖石鄉後山一帶層層山巒披上嫣紅的彩衣",  # a Taiwanese blog (gold)
        # A film list's entries (year / country / genres / director / cast; a held-out page's gold text).
        "2016 / 日本 / 家庭 古装 / 柴田岳志 榎户崇泰 / 尾野真千子 长谷川博己",
        "2011 / 美国 / 动画 短片 奇幻 / 埃里康·卡萨罗萨 / 克丽斯塔·谢富勒 托尼·弗希勒",
    ]
    for line in keep:
        assert run(line).removals == [], line


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    paragraphs=st.lists(st.sampled_from(prose_paragraphs()), min_size=2, max_size=10, unique=True),
    titles=st.lists(st.sampled_from(headlines()), min_size=1, max_size=30, unique=True),
    marker=st.sampled_from(["{}. ", "{}、", "（{}）", "• ", "[{}] "]),
    blank_between=st.booleans(),
)
def test_any_real_article_plus_a_run_of_real_headlines(paragraphs, titles, marker, blank_between):
    items = [marker.format(i) + title for i, title in enumerate(titles, 1)]
    joiner = "\n\n" if blank_between else "\n"
    doc = run("\n".join(paragraphs) + "\n" + joiner.join(items))
    out = nonblank(doc.text)
    assert out[: len(paragraphs)] == paragraphs
    median = sorted(map(len, titles))[len(titles) // 2]
    if len(titles) >= 8 and median >= 6:
        assert out == paragraphs
    elif len(titles) <= 5:
        assert out == paragraphs + items


def test_parameters_are_validated_and_named():
    with pytest.raises(ValueError, match="run_min_lines"):
        build_stage("spam_lists", {"run_min_lines": 1})
    with pytest.raises(ValueError, match="chain_min_share"):
        build_stage("spam_lists", {"chain_min_share": 0})
    with pytest.raises(ValueError, match="no parameter 'min_run'"):
        build_stage("spam_lists", {"min_run": 8})


def test_stage_pickles_and_describes_itself():
    stage = pickle.loads(pickle.dumps(SpamLists(run_min_lines=12)))
    assert stage.describe()["run_min_lines"] == 12
    assert "社区防汛工作会议" not in stage.edit(Document(id="s", text=seed_text(SEED_004)))


def default_normalize():
    recipe = default_recipe()
    params = {k: v for k, v in stage_params(recipe, "normalize").items() if k != "use"}
    return build_stage("normalize", params)


def test_seed_004_after_the_default_normalize_stage():
    # normalize runs first in the default recipe and drops the padding between Chinese items, gluing the
    # keyword chain into one run and two link rows into fewer, longer items: the lists must still go.
    normalize = default_normalize()
    doc = Document(id="s", text=seed_text(SEED_004))
    normalize.process(doc)
    keep = Document(id="k", text="\n".join(seed_labels()[SEED_004]["keep"]))
    normalize.process(keep)
    doc.text = SpamLists().edit(doc)
    out = {line.strip() for line in doc.text.split("\n")}
    assert {line.strip() for line in keep.text.split("\n")} <= out
    for gone in ("劳务派遣公司", "关于我们", "临时工派遣中介", "社区防汛工作会议"):
        assert gone not in doc.text
    assert {r.rule for r in doc.removals} == {"keyword_chain", "headline_run", "between_lists"}


def test_clean_prose_after_normalize_loses_under_0_2_percent():
    normalize = default_normalize()
    total = removed = 0
    for name, text in clean_texts():
        doc = Document(id=name, text=text)
        normalize.process(doc)
        before = len(doc.text)
        doc.text = SpamLists().edit(doc)
        total += before
        removed += before - len(doc.text)
    assert removed / total < 0.002, f"removed {removed} of {total} characters"


def test_title_under_a_navigation_row_stays():
    _, lines = articles()[1]
    title = "加强产业合作 推动对口帮扶 谋求更好发展"
    doc = run("\n".join(["首页 新闻 体育 财经 娱乐", title, *lines]))
    assert nonblank(doc.text) == [title, *(line.rstrip() for line in lines)]
    assert [r.rule for r in doc.removals] == ["nav_row"]


_SEPARATORS = [" ", "  ", "\u3000", "\xa0 ", "\t", " | ", "|", "丨", " · ", "·", " / ", "\u2002", "•"]


@st.composite
def _text_with_lists(draw):
    # Real lines, and lists built from real headlines with any separators: rows, chains (spaced or glued,
    # alone or after a sentence), numbered runs; so that the gate is tried on lines that are and are not lists.
    titles = st.sampled_from(headlines())
    out = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.integers(0, 5))
        if kind == 0:
            out.append(draw(st.sampled_from(prose_paragraphs())))
        elif kind == 1:
            out.append(draw(titles))
        elif kind in (2, 3):
            sizes = st.sampled_from([1, 2, 2, 3, 4, 6, 9])
            words = [draw(titles)[: draw(sizes)] for _ in range(draw(st.integers(2, 9)))]
            if draw(st.booleans()):
                suffix = draw(st.sampled_from(["劳务派遣公司", "工作信息", "网", "公司"]))
                words = [w + suffix for w in words]
            row = draw(st.sampled_from(["", *_SEPARATORS])).join(words)  # "": glued together
            out.append(row if kind == 2 else draw(st.sampled_from(prose_paragraphs())) + row)
        elif kind == 4:
            start = draw(st.integers(1, 3))
            marker = draw(st.sampled_from(["{}. ", "  {}、", "（{}）", "• ", "[{}] "]))
            out += [marker.format(i) + draw(titles) for i in range(start, start + draw(st.integers(1, 10)))]
        else:
            out.append(draw(st.sampled_from(["", " ", "\u3000"])))
    return "\n".join(out)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_text_with_lists(), chain_min_items=st.sampled_from([3, 6]), nav_min_items=st.sampled_from([3, 5]))
def test_lines_the_gate_passes_over_are_no_lists(text, chain_min_items, nav_min_items):
    stage = SpamLists(chain_min_items=chain_min_items, nav_min_items=nav_min_items)
    looked_at = {i for i, _ in stage._list_lines(text)}
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if i in looked_at:
            continue
        body = line.strip()
        listy = not _PROSE_PUNCT.search(line) and (len(line) >= 12 or _SEPARATOR_CHAR.search(line))
        assert not (listy and (stage.is_keyword_chain(body) or stage.is_nav_row(body))), line
        tail = _CHAIN_TAIL.search(line)
        assert not (tail and stage.is_keyword_chain(tail.group(1).strip())), line
    markers = [i for i, line in enumerate(lines) if _MARKER.match(line)]
    assert _marker_lines(text) == markers
    assert len(_MAYBE_MARKER.findall("\n" + text)) >= len(markers)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*_SEPARATORS, "\n", "a", "/", "工", "业", "区", "·"]), max_size=20).map("".join))
def test_split_items_splits_where_the_plain_definition_does(line):
    plain = re.compile(r"[\s\u3000]*[|｜丨•][\s\u3000]*|[\s\u3000]+[·/][\s\u3000]+|[\s\u3000]+")
    assert split_items(line) == [item for item in plain.split(line.strip()) if item]


@pytest.mark.parametrize(("chain_min_items", "nav_min_items"), [(6, 5), (3, 3), (8, 4)])
def test_shortest_lists_the_parameters_allow_are_found(chain_min_items, nav_min_items):
    # At the thresholds exactly: a row of nav_min_items one-word links, a chain of chain_min_items items, a
    # chain glued into chain_min_items * 4 characters, alone on its line or after the article's last sentence.
    params = {"chain_min_items": chain_min_items, "nav_min_items": nav_min_items}
    words = ["首页", "新闻", "体育", "财经", "娱乐", "科技", "汽车", "房产"]
    row = " | ".join(words[:nav_min_items])
    chain = " ".join(f"{town}劳务派遣" for town in "甲乙丙丁戊己庚辛"[:chain_min_items])
    glued = "劳务派遣" * chain_min_items
    paragraph = prose_paragraphs()[7]
    for planted, rule in ((row, "nav_row"), (chain, "keyword_chain"), (glued, "keyword_chain")):
        doc = run(paragraph + "\n" + planted, **params)
        assert (nonblank(doc.text), [r.rule for r in doc.removals]) == ([paragraph], [rule]), planted
    for planted in (chain, " " + glued):
        doc = run(paragraph + planted, **params)
        assert (doc.text, [(r.rule, r.kind) for r in doc.removals]) == (paragraph, [("keyword_chain", "span")])


# --- dated runs: short related-article lists whose items end with a date -----------------------------

def _stamped_list_after_real_articles_goes(stamps: list[str], rule: str, rng: random.Random,
                                           pages: list[tuple[str, list[str]]]) -> None:
    """3-6 real headlines, each closed by one of ``stamps``, after each real article: the list goes as ``rule``."""
    pool = list(headlines())
    for name, lines in pages:
        count = rng.randint(3, 6)
        items = [f"- {title} {stamp}" for title, stamp in zip(rng.sample(pool, count), stamps[:count], strict=True)]
        doc = run("\n".join([*lines, *items]))
        assert nonblank(doc.text) == [line.rstrip() for line in lines], name
        assert [r.rule for r in doc.removals] == [rule], name
        assert doc.removals[0].text.split("\n") == items


def test_a_short_list_of_dated_real_headlines_after_a_real_article_goes():
    dates = ["2015/07/03", "2011-10-28", "2012-01-17 21:25", "2015.07.02", "2014年3月5日", "01-17 21:25"]
    _stamped_list_after_real_articles_goes(dates, "dated_run", random.Random(7), articles()[:15])


def test_a_list_of_titles_closed_by_a_date_time_and_a_channel_goes_even_with_commas():
    # A latest-news list (gne fit page guancha_2, through trafilatura): titles may hold commas when a date
    # and time close them, and a channel's name may follow the time.
    _, lines = articles()[0]
    items = ["- 麒麟990系列为何要分4G/5G版本，A77核为何没用？华为一一解答2019-09-07 15:05华为",
             "- 半导体代工市场：台积电占半壁江山，三星第二2019-09-05 15:53",
             "- 美欧卫星险相撞，欧航局紧急变轨2019-09-05 13:49航空航天",
             "- 荣耀总裁谈安卓：鸿蒙就是为此打造2019-09-05 13:40"]
    doc = run("\n".join([*lines, *items]))
    assert nonblank(doc.text) == [line.rstrip() for line in lines]
    assert [r.rule for r in doc.removals] == ["dated_run"]


def test_a_list_of_titles_closed_by_view_counts_goes_even_with_commas():
    # A community site's trending topics (magic-html fit page 5c427eee, through trafilatura).
    _, lines = articles()[1]
    items = ["- 妈妈更年期的时候，你有做过什么事哄她开心吗？10.5万次浏览", "- 开学于你意味着什么？6.2万次浏览",
             "- 你觉得哪些年轻的导演是华语电影未来的希望？18.0万次浏览"]
    doc = run("\n".join([*lines, *items]))
    assert nonblank(doc.text) == [line.rstrip() for line in lines]
    assert [r.rule for r in doc.removals] == ["counted_run"]


def test_an_articles_own_dated_points_stay():
    _, lines = articles()[1]
    own = [  # the date first (a chronology), a clause with its date, and two dated titles only (too few)
        ["- 2015年7月3日 保监会召开会议", "- 2015年7月4日 证监会暂停IPO发行", "- 2015年7月5日 多部门出台措施"],
        ["1. 会议于2015年7月3日召开，通过决议 2015/07/03", "2. 文件印发，即日起施行 2015/07/04",
         "3. 各地落实，进展顺利 2015/07/05"],
        ["- 保监会规范险企员工持股计划 2015/07/03", "- 保监会推进互联网险企试点 2015/07/03"],
    ]
    for points in own:
        assert run("\n".join([*lines[:3], *points, *lines[3:]])).removals == [], points[0]


def test_dated_min_lines_is_validated_and_described():
    with pytest.raises(ValueError, match="dated_min_lines"):
        SpamLists(dated_min_lines=1)
    assert SpamLists(dated_min_lines=4).describe()["dated_min_lines"] == 4


def test_a_short_list_of_real_headlines_ending_with_view_or_comment_counts_goes():
    counts = ["1016次浏览", "8.7万次浏览", "评论6328条", "7.2万阅读", "326条评论", "阅读：1523"]
    # Articles that end with a list of their own are left out: joined by the items, that list can make a run
    # of eight, headline_run's case.
    ending_in_prose = [(name, lines) for name, lines in articles() if not re.match(r"\s*(?:\d|-)", lines[-1])]
    _stamped_list_after_real_articles_goes(counts, "counted_run", random.Random(11), ending_in_prose[:15])


def test_an_articles_own_counted_points_stay():
    _, lines = articles()[2]
    own = [  # figures inside clauses, and two counted titles only (too few)
        ["1. 首日共有1016人次浏览，反响热烈", "2. 次日增至8.7万次浏览，仍在上升", "3. 第三天回落，共6.2万次浏览"],
        ["- 你的昆曲“入坑戏” 8.7万次浏览", "- 你最喜欢哪位科幻小说作家？7.2万次浏览"],
    ]
    for points in own:
        assert run("\n".join([*lines[:3], *points, *lines[3:]])).removals == [], points[0]
