"""Personal data is masked; dates, amounts, order numbers and digit runs inside longer numbers are not."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from realtext import seed_texts, sentences
from teststages import one_and_batched

import corpusclean
from corpusclean.document import Document
from corpusclean.stages.pii import Pii, find_pii, valid_id_number

MASKED = [
    ("请拨打13912345678联系我们。", "请拨打<PHONE>联系我们。"),
    ("手机：139-1234-5678，微信同号", "手机：<PHONE>，微信同号"),
    ("电话 +86 139 1234 5678", "电话 <PHONE>"),
    ("邮箱zhang.wei@example.cn，欢迎来信", "邮箱<EMAIL>，欢迎来信"),
    ("投稿请发至 news-desk@mail.people.com.cn 。", "投稿请发至 <EMAIL> 。"),
    ("身份证号11010519491231002X已登记", "身份证号<ID_NUMBER>已登记"),
    ("身份证号：11010519491231002x", "身份证号：<ID_NUMBER>"),
    ("登录IP：192.168.10.254，异地登录提醒", "登录IP：<IP>，异地登录提醒"),
]

KEPT = [
    "2022年01月17日，会议在北京召开。",
    "2022-01-17 21:25 来源：新华网",
    "全年实现营业收入13912345678.50元，同比增长12.5%。",  # an amount with decimals
    "订单号：13912345678，请在24小时内付款。",  # an order number shaped like a mobile number
    "快递单号 13912345678 已签收",
    "流水号2019123113912345678001",  # a phone-like run inside a longer number
    "编号110105194912310021的设备",  # 18 digits, wrong check digit
    "卡号6222021234567890123",
    "固定电话0857-8223456，传真0857-8223457",  # landlines are not masked (public switchboards)
    "本次更新至 v1.2.3.4 版本",
    "圆周率约为3.1415926535，光速约为299792458米每秒。",
    "138****1234",  # already masked by the site
    "售价12,800元，2023.10.01起执行",
]


@pytest.mark.parametrize(("text", "expected"), MASKED)
def test_personal_data_is_masked_with_a_receipt(text, expected):
    doc = Document(id="1", text=text)
    Pii().process(doc)
    assert doc.text == expected
    assert [r.stage for r in doc.removals] == ["pii"]
    # the receipt holds the original: placeholder + receipt restores the input
    placeholder = next(p for p in ("<PHONE>", "<EMAIL>", "<ID_NUMBER>", "<IP>") if p in doc.text)
    assert doc.text.replace(placeholder, doc.removals[0].text) == text


@pytest.mark.parametrize("text", KEPT)
def test_numbers_that_are_not_personal_data_are_kept(text):
    assert find_pii(text) == []


def test_real_prose_and_the_seeds_have_no_false_hits():
    texts = sentences() + list(seed_texts().values())
    hits = [(text[s:e], kind) for text in texts for s, e, kind in find_pii(text)]
    # the only personal data in the eval gold is one author's published e-mail address
    assert all(kind == "email" and "@" in found for found, kind in hits)


def test_pii_is_in_the_default_recipe_and_can_be_limited():
    pipeline = corpusclean.default_pipeline()
    assert "pii" in pipeline.names
    doc = Document(id="1", text="手机13912345678，邮箱zhang.wei@example.cn")
    Pii(kinds=["email"]).process(doc)
    assert doc.text == "手机13912345678，邮箱<EMAIL>"
    with pytest.raises(ValueError, match="unknown kind 'qq'"):
        Pii(kinds=["qq"])


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), st.text("0123456789", min_size=1, max_size=6),
       st.booleans())
def test_a_phone_number_glued_to_more_digits_is_never_masked(phone, digits, before):
    text = f"编码{digits}{phone}结束" if before else f"编码{phone}{digits}结束"
    assert find_pii(text) == []


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), st.sampled_from(["电话", "请拨打", "手机号：", "联系 "]))
def test_masking_is_idempotent_and_reversible(phone, lead):
    text = f"{lead}{phone}。"
    doc = Document(id="1", text=text)
    stage = Pii()
    stage.process(doc)
    once = doc.text
    stage.process(doc)
    assert doc.text == once == f"{lead}<PHONE>。"
    assert once.replace("<PHONE>", doc.removals[0].text) == text


def test_id_number_check_digit_of_every_valid_number_is_unique():
    base = "11010519491231002"
    valid = [c for c in "0123456789X" if valid_id_number(base + c)]
    assert valid == ["X"]


def _masked(docs: list[Document]) -> list[tuple[str, list[tuple[str, str, int | None]]]]:
    return [(doc.text, [(r.rule, r.text, r.line) for r in doc.removals]) for doc in docs]


def _masked_one_by_one_and_as_a_chunk(texts: list[str]) -> tuple[list, list]:
    one, many = one_and_batched(Pii(), texts)
    return _masked(one), _masked(many)


def test_a_chunk_is_masked_as_its_documents_one_by_one():
    texts = [text for text, _ in MASKED] + KEPT + sentences()[:300] + list(seed_texts().values()) + [""]
    texts += ["联系13912345678或a.b@c.cn，IP 10.0.0.1\n订单号13912345678", "𠀀13912345678\ud800", "邮箱@与123456"]
    one, many = _masked_one_by_one_and_as_a_chunk(texts)
    assert many == one


_PIECES = st.sampled_from(["0", "1", "9", "13912345678", "+86 ", "86-", "139-1234-5678", "11010519491231002X",
                           "192.168.1.", "v", "版本", "订单号", "@", "a.b", "@example.cn", "x", "X", "-", ".", " ",
                           "\n", "_", "%", "+", "中文", "。", "𠀀", "\ud800", "?", "２"])


@given(st.lists(st.lists(_PIECES, max_size=12).map("".join), max_size=8))
def test_a_chunk_of_number_soup_is_masked_as_one_by_one(texts):
    one, many = _masked_one_by_one_and_as_a_chunk(texts)
    assert many == one
