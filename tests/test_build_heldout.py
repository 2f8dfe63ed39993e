"""The held-out set builder's pure helpers (benchmarks/build_heldout.py) on tiny inline inputs: no mirrors,
no network, no shared/eval."""

import doctest
import hashlib
import json
import subprocess
import sys
from pathlib import Path

from benchmarks import build_heldout
from benchmarks.build_heldout import (
    _GNE_RESULT,
    Candidate,
    Reference,
    cjk_share,
    convert_gold,
    declared_url,
    fundus_gold,
    in_page_share,
    ngrams,
    overlap,
    select,
    url_key,
)

ROOT = Path(__file__).resolve().parent.parent
PROSE = "今天天气很好，我们一起去公园散步，看见湖边的柳树发了新芽，孩子们在草地上放风筝。" * 3


def page(body: str, head: str = "") -> bytes:
    return f"<html><head>{head}</head><body>{body}</body></html>".encode()


def cand(name: str, gold: str, html: bytes, url: str = "") -> Candidate:
    return Candidate(source="t", name=name, html=html, gold_raw=gold, url=url, site="a.cn", origin=f"{name}.html")


def test_doctests() -> None:
    assert doctest.testmod(build_heldout).failed == 0


def test_convert_gold_only_whitespace() -> None:
    raw = "  标题\r\n\r\n\u3000\u3000正文\u00a0 第一段。\t\tEnd  \rlast\n\n"
    assert convert_gold(raw) == "标题\n正文 第一段。 End\nlast"
    assert convert_gold("全角，标点！ＡＢＣ") == "全角，标点！ＡＢＣ"  # nothing else is touched


def test_cjk_share_counts_ideographs_over_non_space() -> None:
    assert cjk_share("") == 0.0
    assert cjk_share("中文中文 abcd") == 0.5
    assert cjk_share("ひらがな漢字") == 2 / 6  # kana is not CJK here


def test_in_page_share_is_a_multiset() -> None:
    assert in_page_share("好好好学", "好学") == 0.5
    assert in_page_share("abc", "abc") == 0.0


def test_ngrams_and_overlap() -> None:
    grams = ngrams("一二三四五六七八九", 8)
    assert grams == {"一二三四五六七八", "二三四五六七八九"}
    assert ngrams("一二 三四\n五六七八") == {"一二三四五六七八"}
    assert overlap(grams, {"一二三四五六七八"}) == 0.5
    assert overlap(set(), grams) == 0.0


def test_urls() -> None:
    assert url_key("https://www.a.cn/x/") == url_key("http://a.cn/x#c")
    assert url_key("http://a.cn/x?id=1") != url_key("http://a.cn/x?id=2")
    assert declared_url('<link href="https://a.cn/p.html" rel="canonical">') == "https://a.cn/p.html"
    assert declared_url('<link rel="canonical" href="/p.html">') is None


def test_fundus_gold_order() -> None:
    fields = {"title": "题", "body": {"summary": ["摘要"], "sections": [
        {"headline": [], "paragraphs": ["一", "二"]}, {"headline": ["小标题"], "paragraphs": ["三"]}]}}
    assert fundus_gold(fields) == "题\n摘要\n一\n二\n小标题\n三"


def test_gne_result_format() -> None:
    text = (">>>>>>>>>>>>>tests/163/1.html>>>>>>>>>>>>>\n{\n  \"title\": \"标题\",\n  \"content\": \"正文\"\n}\n"
            "<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<\n")
    (path, body), = _GNE_RESULT.findall(text)
    assert path == "tests/163/1.html"
    assert json.loads(body) == {"title": "标题", "content": "正文"}


def test_select_reasons() -> None:
    html = page(f"<script>var x = '{PROSE}';</script><p>{PROSE}</p>")
    script_only = page(f"<script>var x = '{PROSE}';</script><p>出错了</p>")
    same_bytes = page(f"<div>{PROSE}</div>")
    candidates = [
        cand("ok", PROSE, html),
        cand("english", "An English gold text that is long enough to pass the length rule. " * 3, html),
        cand("short", "短短的金标准", html),
        cand("js", PROSE, script_only),
        cand("copy", PROSE, same_bytes),
        cand("url", PROSE, html, url="https://www.shared.cn/a/"),
        cand("dup", PROSE + "再加一句。", html),
    ]
    candidates[0].note = "first"
    selection = select(candidates, eval_hashes={hashlib.sha256(same_bytes).hexdigest()},
                       eval_urls={url_key("http://shared.cn/a")},
                       references=[Reference("old", ngrams("无关的文字" * 5))])
    reasons = {row["name"]: row["reason"] for row in selection.report}
    assert [c.name for c in selection.kept] == ["ok"]
    assert reasons["ok"] == "kept"
    assert reasons["english"].startswith("gold CJK share 0.000")
    assert reasons["short"].startswith("gold has 6 characters")
    assert "visible text" in reasons["js"]  # the gold is only in a <script>
    assert reasons["copy"] == "HTML byte-identical to a shared/eval page"
    assert reasons["url"] == "same URL as a shared/eval page"
    assert reasons["dup"].endswith("t/ok")  # near-duplicate of an earlier kept page
    assert selection.report[0]["note"] == "first"


def test_select_without_references_skips_overlap() -> None:
    html = page(f"<p>{PROSE}</p>")
    selection = select([cand("a", PROSE, html), cand("b", PROSE, html)], eval_hashes=set(), eval_urls=set())
    assert [c.name for c in selection.kept] == ["a", "b"]


def test_missing_mirror_exits_2(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "build_heldout.py"), "--set", "magic",
                          "--out", str(tmp_path / "out"), "--mirrors", str(tmp_path)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 2
    assert "opendatalab/magic-html" in run.stderr and "fetch github:opendatalab/magic-html" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()
