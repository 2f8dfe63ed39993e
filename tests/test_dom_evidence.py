"""Per-line DOM evidence of HTML pages (corpusclean.io.dom_evidence) on real pages: it marks navigation and
related-post lines and not the article's, it reaches stages in worker processes, and it changes no output."""

from __future__ import annotations

import pytest

from corpusclean.document import Document
from corpusclean.io.dom_evidence import FEATURES, WORD_GROUPS, index_page, line_evidence, normalise, realign
from corpusclean.io.parse import DOM_LINES, DOM_TEXT, ParseOptions, parse_item
from corpusclean.io.readers import RawItem, iter_raw
from corpusclean.pipeline import Pipeline
from tests.realtext import BLOG_PAGE, GBK_PAGE, UTF8_PAGE, gold_text, write_warc
from tests.teststages import DomProbe


def _read(path, **options) -> Document:
    """A page with evidence, through trafilatura's defaults unless told (the lines these tests look at)."""
    options = {"html_evidence": True, "html_extractor": "trafilatura", **options}
    return parse_item(RawItem(str(path), None, path.read_bytes(), "html"), ParseOptions(**options))


def _rows(doc: Document) -> list[tuple[str, dict[str, float]]]:
    return [(line, row) for line, row in zip(doc.text.split("\n"), doc.scratch[DOM_LINES], strict=True)
            if line.strip()]


def _in_gold(line: str, gold: str) -> bool:
    return normalise(line) in normalise(gold)


def test_one_row_per_line_with_every_feature():
    for page in (BLOG_PAGE, GBK_PAGE, UTF8_PAGE):
        doc = _read(page)
        assert doc.scratch[DOM_TEXT] == doc.text
        rows = doc.scratch[DOM_LINES]
        assert len(rows) == len(doc.text.split("\n"))
        for row in rows:
            assert tuple(row) == FEATURES
            assert all(isinstance(v, float) and v >= 0 for v in row.values())
            assert row["position"] <= 1


def test_most_lines_are_found_in_the_page():
    for page in (BLOG_PAGE, GBK_PAGE, UTF8_PAGE):
        rows = _rows(_read(page))
        texty = [row for line, row in rows if line.replace("|", "").strip(" -:")]
        assert sum(row["matched"] for row in texty) >= 0.95 * len(texty), page.name


def test_related_posts_of_a_blog_are_a_link_list_after_the_article():
    # The post is followed by the blog's other posts: "[2005-08-21] 为什么总要面对呢…" (dated links).
    doc = _read(BLOG_PAGE)
    gold = gold_text(BLOG_PAGE)
    related = [row for line, row in _rows(doc) if line.startswith("[2005-")]
    article = [row for line, row in _rows(doc) if len(line) > 30 and _in_gold(line, gold)]
    assert len(related) >= 5 and len(article) >= 10
    assert all(r["link_list"] == 1 and r["after_main"] == 1 and r["in_main"] == 0 for r in related)
    assert all(r["link_list"] == 0 and r["in_main"] == 1 and r["link_density"] == 0 for r in article)
    assert all(r["in_article"] == 1 for r in article)
    # the blog's name above the post is a link, outside the article
    name = dict(_rows(doc))["bjreader的博客"]
    assert name["line_link_share"] == 1 and name["in_main"] == 0


def test_navigation_row_of_a_gbk_page():
    # An old GBK page laid out in tables: a row of channel links above the article.
    doc = _read(GBK_PAGE)
    rows = _rows(doc)
    nav = [row for line, row in rows if "最新军情" in line and "军事评论" in line]
    body = [row for line, row in rows if "飞行归因于作用在飞机上的几个力" in line]
    assert len(nav) == 1 and len(body) == 1
    assert nav[0]["link_list"] == 1 and nav[0]["link_density"] > 0.9 and nav[0]["in_main"] == 0
    # the article's cell starts with the breadcrumb "当前位置：首页->军事技术", merged into the same line
    assert body[0]["in_main"] > 0.9 and body[0]["link_density"] < 0.1 and body[0]["link_list"] == 0


def test_article_lines_of_a_clean_page_carry_no_chrome_evidence():
    doc = _read(UTF8_PAGE)
    gold = gold_text(UTF8_PAGE)
    article = [row for line, row in _rows(doc) if len(line) > 30 and _in_gold(line, gold)]
    assert len(article) >= 4
    chrome = [f"words_{g}" for g in WORD_GROUPS if g != "content"]
    for row in article:
        assert row["in_main"] == 1 and row["link_density"] == 0 and row["link_list"] == 0
        assert not any(row[name] for name in chrome)


def test_evidence_changes_no_output():
    for page in (BLOG_PAGE, GBK_PAGE, UTF8_PAGE):
        for metadata in (True, False):
            with_ = _read(page, html_metadata=metadata)
            without = _read(page, html_metadata=metadata, html_evidence=False)
            assert (with_.text, with_.meta, with_.id) == (without.text, without.meta, without.id)
            assert DOM_LINES not in without.scratch


@pytest.mark.parametrize("workers", [1, 2])
def test_evidence_reaches_stages_in_workers(workers):
    items = [RawItem(str(p), None, p.read_bytes(), "html") for p in (BLOG_PAGE, GBK_PAGE, UTF8_PAGE)]
    docs = list(Pipeline([DomProbe()]).run_raw(items, ParseOptions(html_evidence=True), workers=workers))
    for doc in docs:
        assert doc.meta["dom_rows"] == len(doc.text.split("\n"))
        assert doc.meta["dom_matched"] >= 3


def test_warc_responses_get_evidence(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    write_warc(path, gzip_records=True)
    errors: list[str] = []
    docs = [parse_item(item, ParseOptions(html_evidence=True)) for item in iter_raw([str(path)], errors)]
    assert errors == [] and len(docs) == 2
    for doc in docs:
        rows = doc.scratch[DOM_LINES]
        assert len(rows) == len(doc.text.split("\n")) and sum(r["matched"] for r in rows) >= 3


def test_class_words_of_chinese_sites():
    page = ("<body><div id='artibody'><p>" + "正文的一句话，写得很长。" * 3 + "</p></div>"
            "<div class='xgxw'><a href='/1'>相关新闻一</a></div><div class='pinglun'>网友评论</div>"
            "<div class='tj_box'>推荐阅读</div><div class='bottom'>关于我们</div></body>")
    body, related, comment, recommend, bottom = line_evidence(
        page, ["正文的一句话，写得很长。" * 3, "相关新闻一", "网友评论", "推荐阅读", "关于我们"])
    assert body["words_content"] == 1 and body["in_main"] == 1
    assert related["words_related"] == 1 and recommend["words_related"] == 1
    assert comment["words_comment"] == 1 and bottom["words_footer"] == 1
    assert not any(body[f"words_{g}"] for g in WORD_GROUPS if g != "content")


def test_tables_lists_and_merged_lines_are_matched():
    page = ("<body><ul><li>第一步</li><li>第二步</li></ul><table><tr><td>甲</td><td>乙</td></tr></table>"
            "<p>一段<b>加粗</b>的<a href='#'>文字</a>。</p></body>")
    rows = line_evidence(page, ["- 第一步", "| 甲 | 乙 |", "一段加粗的文字。", "不在页面上的行", ""])
    assert [r["matched"] for r in rows] == [1.0, 1.0, 1.0, 0.0, 0.0]
    assert rows[0]["in_list"] == 1 and rows[1]["in_table"] == 1
    assert rows[2]["line_link_share"] == pytest.approx(2 / 8)
    assert rows[3]["position"] == rows[2]["position"]  # an unmatched line keeps the position before it


def test_no_tree_gives_unmatched_rows():
    assert line_evidence("", ["正文"]) == [dict.fromkeys(FEATURES, 0.0)]
    assert index_page(None).text == ""


def test_realign_follows_edits_of_earlier_stages():
    doc = _read(BLOG_PAGE)
    rows = doc.scratch[DOM_LINES]
    lines = doc.text.split("\n")
    kept = [line for line in lines if not line.startswith("[2005-")]
    again = realign(doc.text, rows, "\n".join(kept))
    assert again == [rows[lines.index(line)] for line in kept]
    with pytest.raises(ValueError, match="rows describe"):
        realign(doc.text, rows[:-1], doc.text)


def test_readability_extractor_leaves_out_the_related_posts():
    pytest.importorskip("readability")
    default = _read(BLOG_PAGE, html_evidence=False)
    readable = _read(BLOG_PAGE, html_extractor="readability")
    gold = gold_text(BLOG_PAGE)
    assert any(line.startswith("[2005-") for line in default.text.split("\n"))
    assert not any(line.startswith("[2005-") for line in readable.text.split("\n"))
    article = [line for line in default.text.split("\n") if len(line) > 30 and _in_gold(line, gold)]
    assert all(normalise(line) in normalise(readable.text) for line in article)
    assert readable.meta == default.meta  # metadata still comes from trafilatura
    assert len(readable.scratch[DOM_LINES]) == len(readable.text.split("\n"))


def test_unknown_extractor_is_a_value_error():
    with pytest.raises(ValueError, match="'goose'"):
        _read(UTF8_PAGE, html_extractor="goose")
