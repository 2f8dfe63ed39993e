"""Raw items to documents: every JSONL shape a crawl export can throw at us, charset detection, HTML pages."""

from __future__ import annotations

import json

import pytest
from evalgold import articles
from realtext import GBK_PAGE, ROOT, UTF8_PAGE, gold_text, seed_texts

from corpusclean.io.encoding import UndecodableError, decode_bytes
from corpusclean.io.parse import ParseOptions, parse_item
from corpusclean.io.readers import RawItem

SEED = next(iter(seed_texts().values()))
FIRST_LINE = SEED.split("\n")[0]


def jsonl(data: bytes, options: ParseOptions | None = None):
    return parse_item(RawItem("part.jsonl", 7, data, "jsonl"), options or ParseOptions())


def line(record: object) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n"


def test_jsonl_record_keeps_other_fields_and_takes_id():
    doc = jsonl(line({"id": 12, "text": SEED, "url": "https://example.cn/a", "tags": ["新闻"]}))
    assert doc.rejected is None
    assert (doc.id, doc.text, doc.source) == ("12", SEED, "part.jsonl:7")
    assert doc.fields == {"url": "https://example.cn/a", "tags": ["新闻"]}


def test_jsonl_custom_text_and_id_fields():
    options = ParseOptions(text_field="content", id_field="doc_id")
    doc = jsonl(line({"doc_id": "x-1", "content": FIRST_LINE, "text": "另一个字段"}), options)
    assert (doc.id, doc.text, doc.fields) == ("x-1", FIRST_LINE, {"text": "另一个字段"})


def test_jsonl_without_id_is_named_by_location():
    assert jsonl(line({"text": FIRST_LINE})).id == "part.jsonl:7"


def test_jsonl_meta_object_is_merged_into_meta():
    doc = jsonl(line({"text": FIRST_LINE, "meta": {"crawl": "2024-10"}}))
    assert doc.meta == {"crawl": "2024-10"} and "meta" not in doc.fields


@pytest.mark.parametrize(
    ("data", "rule", "says"),
    [
        (b"{not json\n", "bad_json", "not valid JSON"),
        (b'{"text": "\xe4\xbd\xa0\n', "bad_json", "not valid JSON"),
        (b"[1, 2]\n", "not_an_object", "an array"),
        ('"一个字符串"\n'.encode(), "not_an_object", "a string"),
        (b"42\n", "not_an_object", "a number"),
        (b"null\n", "not_an_object", "null"),
        (b'{"id": "a"}\n', "missing_text", "no 'text' field"),
        (b'{"id": "a", "text": 3.5}\n', "text_not_string", "a number"),
        (b'{"id": "a", "text": ["\xe4\xbd\xa0"]}\n', "text_not_string", "an array"),
        (b'{"id": "a", "text": null}\n', "text_not_string", "null"),
        (b'{"id": "a", "text": {"zh": "x"}}\n', "text_not_string", "an object"),
    ],
)
def test_unreadable_lines_become_rejected_documents_with_the_raw_line(data, rule, says):
    doc = jsonl(data)
    assert doc.rejected is not None
    assert (doc.rejected.stage, doc.rejected.rule) == ("read", rule)
    error = doc.rejected.detail["error"]
    assert error.startswith("part.jsonl:7: ") and says in error
    assert doc.rejected.detail["raw"] == data.decode("utf-8").rstrip("\n")


def test_rejected_record_keeps_its_own_id():
    assert jsonl(b'{"id": "keep-me", "text": 1}\n').id == "keep-me"
    assert jsonl(b'{"id": ["odd"], "body": "x"}\n').id == "part.jsonl:7"


def test_undecodable_raw_line_is_kept_as_base64():
    import base64

    data = b'{"text": \xff\xfe}\n'
    doc = jsonl(data)
    assert doc.rejected.rule == "bad_json"
    assert base64.b64decode(doc.rejected.detail["raw_b64"]) == data


def test_invalid_utf8_inside_a_string_is_replaced_and_noted():
    data = b'{"text": "' + FIRST_LINE.encode()[:-1] + b'\xff"}\n'
    doc = jsonl(data)
    assert doc.rejected is None
    assert doc.text.endswith("\ufffd") and doc.text.startswith(FIRST_LINE[:-1])
    assert doc.meta["invalid_utf8"] is True


def test_escaped_lone_surrogates_are_replaced_and_noted():
    doc = jsonl(b'{"text": "\xe4\xbd\xa0\\ud83d\xe5\xa5\xbd", "title": "\\udfff"}\n')
    assert (doc.text, doc.fields["title"]) == ("你\ufffd好", "\ufffd")
    assert doc.meta["lone_surrogates"] is True
    doc.text.encode("utf-8")  # writable as UTF-8 now


def test_escaped_surrogate_pairs_are_not_touched():
    doc = jsonl(b'{"text": "\\ud83d\\ude00\xe4\xbd\xa0"}\n')
    assert doc.text == "\U0001f600你" and doc.meta == {}


def test_raw_control_bytes_inside_strings_are_read():
    doc = jsonl(b'{"text": "\xe4\xbd\xa0\x00\x07\t\xe5\xa5\xbd"}\n')
    assert doc.rejected is None and doc.text == "你\x00\x07\t好"


def test_text_file_in_gbk_and_big5_is_decoded_and_encoding_recorded():
    from opencc import OpenCC

    traditional = OpenCC("s2t").convert(SEED)
    for text, codec, expected in ((SEED, "gbk", "gb18030"), (traditional, "big5", "big5")):
        data = text.encode(codec, errors="ignore")
        doc = parse_item(RawItem("dir/page.txt", None, data, "text"), ParseOptions())
        assert doc.rejected is None
        assert doc.meta["encoding"] == expected
        assert doc.text == data.decode(codec)
        assert (doc.id, doc.source) == ("page.txt", "dir/page.txt")


def test_binary_file_is_rejected_as_undecodable_not_garbled():
    import random

    noise = random.Random(3).randbytes(5000)
    with pytest.raises(UndecodableError):
        decode_bytes(noise)
    doc = parse_item(RawItem("blob.txt", None, noise, "text"), ParseOptions())
    assert (doc.rejected.stage, doc.rejected.rule) == ("read", "undecodable")
    assert "raw_b64" in doc.rejected.detail


def test_gbk_html_without_any_charset_is_detected_and_extracted():
    doc = parse_item(RawItem(str(GBK_PAGE), None, GBK_PAGE.read_bytes(), "html"), ParseOptions())
    assert doc.rejected is None
    assert doc.meta["encoding"] == "gb18030"
    gold_paragraphs = [p for p in gold_text(GBK_PAGE).split("\n") if len(p) > 20]
    found = [p for p in gold_paragraphs if p in doc.text]
    assert len(found) >= 0.8 * len(gold_paragraphs)
    assert "\ufffd" not in doc.text


def test_utf8_html_gives_title_date_and_main_text():
    doc = parse_item(RawItem("yunnan.html", None, UTF8_PAGE.read_bytes(), "html"), ParseOptions())
    assert doc.meta["encoding"] == "utf-8"
    assert doc.meta["date"] == "2022-02-13"
    assert doc.meta["title"] == "17种产品、1个园区入选国家绿色制造名单 - 要闻云南"
    # The text leads with the headline, without the section name the site chained to it.
    assert doc.text.startswith("17种产品、1个园区入选国家绿色制造名单\n") and "要闻云南" not in doc.text
    longest = max(gold_text(UTF8_PAGE).split("\n"), key=len)
    assert longest.strip() in doc.text
    # The page's own heading already leads its text, so the title is not added again.
    assert doc.text.count("17种产品、1个园区入选国家绿色制造名单") == 1


def test_html_title_leads_the_text_without_the_site_chain_unless_switched_off():
    body = "<p>" + "近年来，我省积极把握制造业发展趋势，加速向智能制造、绿色制造方向转型升级。" * 4 + "</p>"
    page = f"<html><head><title>我省15家企业入选国家绿色工厂_要闻_云南网</title></head><body>{body}</body></html>"
    doc = parse_item(RawItem("y.html", None, page.encode(), "html"), ParseOptions())
    assert doc.text.startswith("我省15家企业入选国家绿色工厂\n\n近年来") and "云南网" not in doc.text
    assert doc.meta["title"] == "我省15家企业入选国家绿色工厂_要闻_云南网"
    no_title = parse_item(RawItem("y.html", None, page.encode(), "html"), ParseOptions(html_title=False))
    assert no_title.text.startswith("近年来")


def test_html_without_metadata_pass_gives_the_same_text_and_the_title_alone():
    full = parse_item(RawItem("yunnan.html", None, UTF8_PAGE.read_bytes(), "html"), ParseOptions())
    fast = parse_item(RawItem("yunnan.html", None, UTF8_PAGE.read_bytes(), "html"), ParseOptions(html_metadata=False))
    assert fast.text == full.text
    assert fast.meta["title"] == full.meta["title"]
    assert "date" in full.meta and "date" not in fast.meta


CWCED_PAGES = ROOT.parent / "shared" / "eval" / "cwced" / "original"


def _page(name: str):
    """A page through trafilatura's own writer (whose tables these tests are about)."""
    path = CWCED_PAGES / name
    options = ParseOptions(html_extractor="trafilatura")
    return parse_item(RawItem(str(path), None, path.read_bytes(), "html"), options)


def test_layout_table_rows_become_plain_lines():
    # A GBK page laid out in a table: trafilatura writes each paragraph as a one-cell Markdown row.
    doc = _page("e3f3b532-95de-433e-a4b5-ad51bb981c96.html")
    lines = doc.text.split("\n")
    assert "投身外交(3)" in lines
    assert "罗银胜" in lines
    assert not [line for line in lines if line.startswith("|")]


def test_data_tables_stay_tables():
    # A Wikipedia infobox has rows of two cells: it stays a Markdown table, border row included.
    lines = _page("d5bced5e-4ff7-49a8-8808-4344f0823c51.html").text.split("\n")
    assert "| 原文名 | 김종국 |" in [line.rstrip() for line in lines]
    assert "|---|---|" in lines


def test_a_thread_whose_posts_trafilatura_files_as_comments_is_read_with_them_not_dropped():
    # Forum replies sit in comment containers: the precision-first extractors find only the title, which the
    # length stage would drop, so the reader takes trafilatura's recall text with comments (THIN_CJK).
    _, paragraphs = articles()[0]
    posts = "".join(f"<div class='comment'><p>{p}</p></div>" for p in paragraphs[:3])
    body = f"<h1>讨论帖</h1><div id='comments'>{posts}</div>"
    page = f"<html><head><title>讨论帖</title></head><body>{body}</body></html>"
    for extractor in ("trafilatura", "readability"):
        doc = parse_item(RawItem("t.html", None, page.encode(), "html"), ParseOptions(html_extractor=extractor))
        assert [line for line in doc.text.split("\n") if line][1:] == [p.strip() for p in paragraphs[:3]], extractor
