"""Mining templated boilerplate across documents (``corpusclean mine``, ``clean --two-pass``).

The corpus is real text: the gold main texts of real pages (``tests/data/eval_gold.jsonl``) cut into
documents of a few paragraphs, spread over eight sites. Planted in it:

* templates whose site name and date vary: a tail line on every page of six sites, a tail line on most
  pages of six others (with a date), a head line on every page of four sites; and a tail line the built-in
  copyright pack already removes (so it must not be mined again);
* legitimately common lines: numbered headings near the head of 40 documents, a famous quotation in the
  middle of 34, a closing slogan at the tail of 24 documents spread thinly over four sites, and one article
  reposted as 16 copies (its last paragraph sits at the tail of all of them).
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from corpusclean.cli import main
from corpusclean.mining.boilerplate import BoilerplateMiner, Document, existing_rules, is_heading, mine_files
from corpusclean.mining.line_templates import generalise
from corpusclean.mining.mined_pack import render_pack, write_pack
from corpusclean.rulepacks.engine import RuleEngine, check_rule
from corpusclean.rulepacks.pack import load_pack, matching_view
from tests.evalgold import articles, prose_paragraphs

SITES = [("新华网", "www.xinhuanet.com"), ("人民网", "people.com.cn"), ("光明网", "www.gmw.cn"),
         ("中国新闻网", "www.chinanews.com.cn"), ("央视网", "news.cctv.com"), ("澎湃新闻", "www.thepaper.cn"),
         ("环球网", "www.huanqiu.com"), ("南方网", "www.southcn.com")]
FOLLOW = "更多精彩内容，请关注{site}官方微信公众号。"            # tail, sites 0-5, every page
FIRST = "（本稿件由{site}于{date}首发，转载请保留原文链接）"      # tail, sites 2-7, 70% of pages
WELCOME = "欢迎访问{site}，每日更新{year}年{month}月热点资讯"     # head, sites 0-3, every page
BUILTIN = "本文来源于{site}客户端，版权归原作者所有，如有侵权请联系删除。"  # the copyright pack removes it
HEADINGS = ["一、基本情况", "二、主要做法和取得的成效"]
QUOTE = "天下兴亡，匹夫有责。"
SLOGAN = "让我们携手共进，共创美好未来！"
TEMPLATES = {"follow": FOLLOW, "first": FIRST, "welcome": WELCOME}


def _documents() -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """Records, and the planted lines by kind."""
    rng = random.Random(5)
    chunks = [lines[start:start + 4] for _, lines in articles(4) for start in range(0, len(lines) - 3, 4)]
    chunks = [[line.strip() for line in chunk] for chunk in chunks if sum(len(line) for line in chunk) > 80]
    rng.shuffle(chunks)
    planted: dict[str, list[str]] = {kind: [] for kind in [*TEMPLATES, "builtin", "legit"]}
    records = []
    copied = chunks[0]
    for number in range(240):
        site, host = SITES[number % len(SITES)]
        body = list(copied if number % 15 == 0 else chunks[1 + number])
        index = number % len(SITES)
        head, tail = [], []
        if index < 4:
            head.append(WELCOME.format(site=site, year=rng.choice([2021, 2022, 2023]), month=rng.randint(1, 12)))
        if number % 6 == 1:
            body.insert(1, HEADINGS[(number // 6) % 2])
        if number % 7 == 3:
            body.insert(len(body) // 2, QUOTE)
        if number % 10 == 7:
            body.append(SLOGAN)
        if index < 6:
            tail.append(FOLLOW.format(site=site))
        if index >= 2 and rng.random() < 0.7:
            tail.append(FIRST.format(site=site, date=f"{rng.randint(2019, 2024)}年{rng.randint(1, 12)}月"
                                                       f"{rng.randint(1, 28)}日"))
        if number % 5 == 0:
            tail.append(BUILTIN.format(site=site))
        for line in head + tail:
            kind = next((k for k, t in TEMPLATES.items() if line[:4] == t[:4]), "builtin")
            planted[kind].append(line)
        records.append({"id": f"doc{number:03d}", "text": "\n".join(head + body + tail),
                        "url": f"https://{host}/news/{number}.html"})
    planted["legit"] = [*HEADINGS, QUOTE, SLOGAN, copied[-1]]
    return records, planted


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[str]]]:
    records, planted = _documents()
    path = tmp_path_factory.mktemp("mining") / "crawl.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path, planted


@pytest.fixture(scope="module")
def mined(corpus: tuple[Path, dict[str, list[str]]]) -> Any:
    path, _ = corpus
    return mine_files([str(path)], existing=existing_rules(["builtin"]))


def _engine(result: Any) -> RuleEngine:
    from corpusclean.rulepacks.pack import parse_rule

    return RuleEngine([parse_rule(r.rule, pack="mined", source="mined") for r in result.rules])


def _removed(engine: RuleEngine, line: str) -> bool:
    return bool(engine.apply(line).cuts)


def test_templates_are_mined_and_generalise_over_site_and_date(corpus: Any, mined: Any) -> None:
    _, planted = corpus
    engine = _engine(mined)
    for kind in TEMPLATES:
        missed = [line for line in planted[kind] if not _removed(engine, line)]
        assert planted[kind] and not missed, (kind, missed[:3])
    # Variants no page of the corpus had: another site, another date.
    assert _removed(engine, FOLLOW.format(site="大众网"))
    assert _removed(engine, FIRST.format(site="东方网", date="2025年1月9日"))
    assert _removed(engine, WELCOME.format(site="人民網", year=2030, month=2))  # Traditional script too
    assert len(mined.rules) == 3, [r.rule["remove"][0] for r in mined.rules]
    by_where = sorted(r.rule.get("where", "anywhere") for r in mined.rules)
    assert by_where == ["head", "tail", "tail"]


def test_lines_the_builtin_packs_remove_are_not_mined_again(corpus: Any, mined: Any) -> None:
    _, planted = corpus
    engine = _engine(mined)
    assert not any(_removed(engine, line) for line in planted["builtin"])


def test_common_legitimate_lines_are_kept(corpus: Any, mined: Any) -> None:
    _, planted = corpus
    engine = _engine(mined)
    assert [line for line in planted["legit"] if _removed(engine, line)] == []
    reasons = {example: reason for _, reason, example in mined.dropped}
    # position guard: the quote stands mid-document; pass 1 already skips it, or pass 2 drops it
    assert QUOTE not in reasons or "head or tail" in reasons[QUOTE]
    assert SLOGAN in reasons                             # position (near the tail, above the footers) or sites
    # the last paragraph of the article reposted 16 times: see test_site_and_distinct_content_guards
    assert all(is_heading(h) for h in HEADINGS) and not any(h in reasons for h in HEADINGS)  # never candidates


def test_site_and_distinct_content_guards() -> None:
    records, planted = _documents()
    with_sites = [Document(id=r["id"], text=r["text"], fields={"url": r["url"]}) for r in records]
    no_sites = [Document(id=r["id"], text=r["text"]) for r in records]
    miner = BoilerplateMiner(min_edge_share=0.0)  # the position guard off: only the site guard is left
    existing = existing_rules(["builtin"])
    result = miner.mine(lambda: with_sites, existing)
    reasons = {example: reason for _, reason, example in result.dropped}
    assert "sites where it is on" in reasons[SLOGAN] and "sites where it is on" in reasons[QUOTE]
    assert "different contents" in reasons[planted["legit"][-1]]
    assert not any(_removed(_engine(result), line) for line in planted["legit"])
    # The same corpus without urls: nothing tells the slogan from a template any more.
    assert _removed(_engine(miner.mine(lambda: no_sites, existing)), SLOGAN)


def test_mined_rules_never_match_real_prose() -> None:
    records, _ = _documents()
    docs = [Document(id=r["id"], text=r["text"], fields={"url": r["url"]}) for r in records]
    result = BoilerplateMiner().mine(lambda: docs, existing_rules(["builtin"]))
    engine = _engine(result)
    assert [p for p in prose_paragraphs() if _removed(engine, p)] == []


def test_without_a_site_field_templates_are_still_mined(corpus: Any) -> None:
    records, planted = _documents()
    docs = [Document(id=r["id"], text=r["text"]) for r in records]
    result = BoilerplateMiner().mine(lambda: docs, existing_rules(["builtin"]))
    engine = _engine(result)
    for kind in TEMPLATES:
        assert all(_removed(engine, line) for line in planted[kind]), kind
    assert result.documents_with_site == 0 and not _removed(engine, QUOTE)


def test_pack_validates_checks_and_is_deterministic(corpus: Any, mined: Any, tmp_path: Path) -> None:
    path = write_pack(mined, tmp_path / "mined.toml", inputs=["crawl.jsonl"])
    pack = load_pack(path)
    assert [rule.id for rule in pack.rules] == [r.rule["id"] for r in mined.rules]
    assert all(check_rule(rule) == [] for rule in pack.rules)
    for rule in pack.rules:  # keep examples are real corpus lines near the rule (they hold its keyword)
        assert rule.keep and all(keep.strip() for keep in rule.keep)
    text = path.read_text(encoding="utf-8")
    assert "sites:" in text and "variants seen" in text
    assert render_pack(mine_files([str(corpus[0])], existing=existing_rules(["builtin"])),
                       inputs=["crawl.jsonl"]) == text


def test_cli_mine_then_clean_with_the_pack(corpus: Any, tmp_path: Path) -> None:
    path, planted = corpus
    runner = CliRunner()
    pack = tmp_path / "mined.toml"
    result = runner.invoke(main, ["mine", str(path), "-o", str(pack)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(main, ["rules", "--rules", str(pack), "--check"]).exit_code == 0
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    result = runner.invoke(main, ["clean", str(path), "-o", str(out), "--rejects", str(rejects), "--rules", str(pack),
                                  "-q", "--workers", "1"])
    assert result.exit_code == 0, result.output
    cleaned = [json.loads(line)["text"] for line in out.read_text(encoding="utf-8").splitlines()]
    lines = {line.strip() for text in cleaned for line in text.split("\n")}
    for kind in TEMPLATES:
        assert not lines & {matching_view(x) for x in planted[kind]} and not lines & set(planted[kind]), kind
    for legit in planted["legit"]:
        assert legit in lines, legit
    receipts = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()]
    mined_ids = {r.get("rule") for r in receipts if str(r.get("rule", "")).startswith("mined_")}
    assert len(mined_ids) == 3

    two_out, report = tmp_path / "two.jsonl", tmp_path / "report.json"
    result = runner.invoke(main, ["clean", str(path), "-o", str(two_out), "--two-pass", "--report", str(report),
                                  "-q", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert two_out.read_bytes() == out.read_bytes()
    recorded = json.loads(report.read_text(encoding="utf-8"))["mined"]
    assert {r["id"] for r in recorded["rules"]} == mined_ids


def test_two_pass_and_mine_refuse_stdin(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["clean", "-", "-o", str(tmp_path / "o.jsonl"), "--two-pass"], input="{}\n")
    assert result.exit_code == 2 and "stdin" in result.output
    result = runner.invoke(main, ["mine", "-", "-o", str(tmp_path / "m.toml")], input="{}\n")
    assert result.exit_code == 2 and "stdin" in result.output


def test_generalise_keeps_the_skeleton_and_refuses_mostly_wildcards() -> None:
    template = generalise(["（本稿件由光明网于2023年5月6日首发，转载请保留原文链接）",
                           "（本稿件由中国新闻网于2019年11月26日首发，转载请保留原文链接）"])
    assert template is not None
    assert re.search(template.pattern, matching_view("（本稿件由環球網于2024年1月2日首發，轉載請保留原文鏈接）"))
    prose = "本稿件由光明网首发后，多家媒体转载了这篇报道，引起广泛关注。"
    assert not re.search(template.pattern, matching_view(prose))
    assert generalise(["新华网", "人民网日报社"]) is None  # too little in common to be a safe rule


def test_bad_parameters_name_the_value() -> None:
    with pytest.raises(ValueError, match="min_docs"):
        BoilerplateMiner(min_docs=0)
    with pytest.raises(ValueError, match="site_share"):
        BoilerplateMiner(site_share=1.5)
