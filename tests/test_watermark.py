"""The automatic watermark detector on real text: the seeds, gold texts of real pages, and watermarks planted
into real articles."""

from __future__ import annotations

import functools
import pickle
import re
import tomllib
from collections import Counter

import pytest
from evalgold import articles, clean_texts, headlines, prose_paragraphs, seed_labels, seed_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from teststages import nonblank, process

from corpusclean.document import Document
from corpusclean.recipe import build_stage, default_recipe, stage_params
from corpusclean.rulepacks.pack import builtin_dir
from corpusclean.stages.watermark import (
    BLANKS,
    Watermark,
    glued_tail,
    load_lists,
    separated_head,
)
from corpusclean.text.script import fold_to_simplified

SEED_000 = "000_4756ecb91caec781.txt"
RULES = {"repeated_suffix", "repeated_prefix", "standalone_line", "inline"}


run = functools.partial(process, Watermark)


def test_seed_000_watermark_gone_and_every_article_line_kept():
    doc = run(seed_text(SEED_000))
    assert "AEJ毕节网" not in doc.text
    out = {line.strip() for line in doc.text.split("\n")}
    assert set(seed_labels()[SEED_000]["keep"]) <= out
    assert {r.rule for r in doc.removals} == {"repeated_suffix", "standalone_line"}
    assert {r.text.strip() for r in doc.removals} == {"AEJ毕节网"}
    # The editor credit is not a watermark: it is left to the rule packs.
    assert "( 编辑:周珊 )" in out


@pytest.mark.parametrize("name", sorted(seed_labels()))
def test_seeds_keep_lines_untouched(name):
    raw = seed_text(name)
    label = seed_labels()[name]
    doc = run(raw)
    out = {line.strip() for line in doc.text.split("\n")}
    present = [k for k in label["keep"] if k in raw]
    assert [k for k in present if k not in out] == []
    assert all(r.rule in RULES for r in doc.removals)
    if name != SEED_000:
        assert doc.removals == []  # no other seed has a watermark the detector could see


def test_clean_prose_loses_under_0_2_percent():
    total = removed = 0
    for _, text in clean_texts():
        doc = run(text)
        total += len(text)
        removed += len(text) - len(doc.text)
    assert total > 300_000
    assert removed / total < 0.002, f"removed {removed} of {total} characters"


SITES = ["新华网", "AEJ毕节网", "看看新闻Knews", "www.gzdaily.cn", "今日头条客户端"]


@pytest.mark.parametrize("site", SITES)
def test_planted_suffix_on_every_paragraph_of_real_articles(site):
    for name, lines in articles()[:20]:
        stamped = [line + site if line.strip() in set(prose_paragraphs()) else line for line in lines]
        doc = run("\n".join(stamped))
        assert nonblank(doc.text) == [line.rstrip() for line in lines], name
        assert all(r.rule == "repeated_suffix" for r in doc.removals)


def test_planted_standalone_and_spaced_suffix_in_traditional_text():
    # Seed 001 is Traditional: a Traditional site name on lines of its own and after the title.
    lines = nonblank(seed_text("001_b2f4033019ffc91c.txt"))[:8]
    stamped = []
    for line in lines:
        stamped += [line + " 國際在線", "國際在線"]
    doc = run("\n".join(stamped))
    assert nonblank(doc.text) == lines
    assert {r.rule for r in doc.removals} == {"repeated_suffix", "standalone_line"}


def test_planted_prefix_with_separator():
    _, lines = articles()[3]
    prose = set(prose_paragraphs())
    stamped = ["【看看新闻】" + line if line.strip() in prose else line for line in lines]
    doc = run("\n".join(stamped))
    assert nonblank(doc.text) == [line.rstrip() for line in lines]
    assert {r.rule for r in doc.removals} == {"repeated_prefix"}


def test_standalone_only_string_needs_a_site_name_ending():
    # A chorus line repeated between verses is not a watermark; a site name alone on lines is.
    _, lines = articles()[5]
    with_chorus = []
    for line in lines:
        with_chorus += [line, "就放心去吧"]
    assert run("\n".join(with_chorus)).removals == []
    with_site = [x if x != "就放心去吧" else "澎湃新闻" for x in with_chorus]
    assert nonblank(run("\n".join(with_site)).text) == [line.rstrip() for line in lines]


def test_shared_natural_endings_and_anaphora_survive():
    prose = list(prose_paragraphs())[:40]
    # The same words ending every line of hard-wrapped text (no sentence end before them) ...
    wrapped = [p[:-1] + "的发展" for p in prose[:12]]
    # ... anaphora opening every paragraph of a speech, and speaker labels of an interview.
    anaphora = ["我们要" + p for p in prose[12:24]]
    interview = [("问：" if i % 2 else "答：") + p for i, p in enumerate(prose[24:40])]
    for text in (wrapped, anaphora, interview):
        assert run("\n".join(text)).removals == []


def test_inline_copy_between_sentences_is_removed_inside_a_sentence_kept():
    prose = list(prose_paragraphs())[:6]
    lines = [p + "大河网" for p in prose]
    lines.append(prose[0] + " 大河网 " + "据大河网报道，今天多云。")
    doc = run("\n".join(lines))
    assert doc.text.split("\n")[-1] == prose[0] + " 据大河网报道，今天多云。"
    assert "inline" in {r.rule for r in doc.removals}


def _site_names():
    letters = st.text(alphabet="ABCDEFGHJKMNPQRSTUVWXYZ", min_size=1, max_size=4)
    middle = st.text(alphabet="毕节黔南遵义安顺铜仁六盘水贵阳凯里都匀兴义", min_size=0, max_size=5)
    ending = st.sampled_from(["网", "在线", "新闻", "日报", "频道"])
    return st.tuples(letters, middle, ending).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    paragraphs=st.lists(st.sampled_from(prose_paragraphs()), min_size=3, max_size=12, unique=True),
    site=_site_names(),
    separator=st.sampled_from(["", " ", "\u3000", " | "]),
    standalone_every=st.integers(min_value=0, max_value=3),
)
def test_any_real_paragraphs_plus_a_planted_watermark(paragraphs, site, separator, standalone_every):
    stamped = []
    for i, paragraph in enumerate(paragraphs):
        stamped.append(paragraph + separator + site)
        if standalone_every and i % standalone_every == 0:
            stamped.append(site)
    doc = run("\n\n".join(stamped))
    assert site not in doc.text
    assert nonblank(doc.text) == paragraphs


def test_parameters_are_validated_and_named():
    with pytest.raises(ValueError, match="min_share"):
        build_stage("watermark", {"min_share": 2})
    with pytest.raises(ValueError, match="min_count"):
        build_stage("watermark", {"min_count": 1})
    with pytest.raises(ValueError, match="no parameter 'min_lines'"):
        build_stage("watermark", {"min_lines": 3})
    with pytest.raises(ValueError, match="cannot read"):
        build_stage("watermark", {"lists": "/nonexistent/watermark.toml"})


def test_user_lists_file(tmp_path):
    path = tmp_path / "lists.toml"
    path.write_text('site_name_endings = ["视界"]\n', encoding="utf-8")
    _, lines = articles()[5]
    with_mark = []
    for line in lines:
        with_mark += [line, "东方视界"]
    assert run("\n".join(with_mark)).removals == []  # not a site ending in the built-in lists
    assert nonblank(run("\n".join(with_mark), lists=str(path)).text) == [line.rstrip() for line in lines]
    path.write_text('site_name_endings = ["网"]\nnevr = 1\n', encoding="utf-8")
    with pytest.raises(ValueError, match="unknown key 'nevr'"):
        Watermark(lists=str(path))


def test_builtin_lists_are_well_formed_and_their_examples_hold():
    path = builtin_dir() / "detectors" / "watermark.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert all(entry["examples"] and entry["why"] for entry in data["never"])
    endings, never = load_lists()  # raises if an example fails its pattern
    assert len(never) == len(data["never"])
    assert endings and all(e == fold_to_simplified(e).lower() for e in endings)


@pytest.mark.parametrize("entry", tomllib.loads((builtin_dir() / "detectors" / "watermark.toml")
                                                 .read_text(encoding="utf-8"))["never"], ids=lambda e: e["why"])
def test_never_examples_survive_glued_to_real_paragraphs(entry):
    paragraphs = list(prose_paragraphs())[100:110]
    for example in entry["examples"]:
        assert run("\n".join(p + example for p in paragraphs)).removals == []


def test_a_never_example_that_fails_breaks_loading(tmp_path):
    path = tmp_path / "lists.toml"
    path.write_text("[[never]]\npattern = '[哈]{2,}'\nexamples = ['呵呵']\n", encoding="utf-8")
    with pytest.raises(ValueError, match="does not match its example '呵呵'"):
        load_lists(path)


def test_stage_pickles_for_worker_processes():
    stage = pickle.loads(pickle.dumps(Watermark(min_share=0.3)))
    assert stage.describe()["min_share"] == 0.3
    assert "AEJ毕节网" not in stage.edit(Document(id="s", text=seed_text(SEED_000)))


def test_seed_000_after_the_default_normalize_stage():
    recipe = default_recipe()
    normalize = build_stage("normalize", {k: v for k, v in stage_params(recipe, "normalize").items() if k != "use"})
    doc = Document(id="s", text=seed_text(SEED_000))
    normalize.process(doc)
    doc.text = Watermark().edit(doc)
    assert "AEJ毕节网" not in doc.text
    keep = Document(id="k", text="\n".join(seed_labels()[SEED_000]["keep"]))
    normalize.process(keep)
    assert set(nonblank(keep.text)) <= set(nonblank(doc.text))


def test_blanks_are_exactly_what_strip_removes_but_the_line_break():
    # The whole-text passes find line edges with this class: it must agree with str.strip everywhere.
    blanks = re.compile(f"[{BLANKS}]")
    spaces = {chr(c) for c in range(0x110000) if chr(c).isspace()} - {"\n"}
    assert {chr(c) for c in range(0x110000) if blanks.match(chr(c))} == spaces


_EDGES = ["", " ", "\u3000", "\t", "\xa0", "\u2002", "\r", " | ", "|", "丨"]


@st.composite
def _text_with_marks(draw):
    # Real lines with one or two real-looking marks (sites, never-list strings, a prose fragment, bracketed
    # heads) glued at either end with any white space, or alone on lines, so that marks repeat.
    pool = [*SITES, "【看看新闻】", "（来源：毕节网）", "[微笑]", "哈哈", "——鲁迅", "记者：", "2019年", "就放心去吧",
            "”新华网", "。AEJ", draw(st.sampled_from(prose_paragraphs()))[: draw(st.integers(2, 40))]]
    marks = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=2))
    edge = st.sampled_from(_EDGES)
    line = st.one_of(st.sampled_from(prose_paragraphs()), st.sampled_from(headlines()),
                     st.sampled_from(prose_paragraphs()).map(lambda p: p[:12]))
    out = []
    for _ in range(draw(st.integers(0, 14))):
        before, glue, after, text, mark = draw(edge), draw(edge), draw(edge), draw(line), draw(st.sampled_from(marks))
        out.append(draw(st.sampled_from([before + text + after, before + text + glue + mark + after,
                                         before + mark + glue + text + after, before + mark + after])))
    return "\n".join(out)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_text_with_marks(), max_chars=st.sampled_from([4, 8, 12, 30]))
def test_whole_text_passes_agree_with_the_line_by_line_definitions(text, max_chars):
    wm = Watermark(max_chars=max_chars)
    lines = [line for line in map(str.strip, text.split("\n")) if line]
    every = "\n" + "\n".join(lines) + "\n"
    # glued_patterns finds what glued_tail and separated_head find line by line.
    tails = [t for t in (glued_tail(line, max_chars=max_chars) for line in lines) if t]
    heads = [h for h in (separated_head(line, max_chars=max_chars) for line in lines) if h]
    assert sorted(wm._glued(every, every[::-1], at_end=True)) == sorted(tails)
    assert sorted(wm._glued(every, every[::-1], at_end=False)) == sorted(heads)
    # A direction the gate rules out has no candidate, counted line by line.
    suffix, prefix = wm.might_have_watermark(text)
    alone = Counter(line for line in lines if len(line) <= max_chars)
    for ruled_out, glued in ((not suffix, tails), (not prefix, heads)):
        if ruled_out:
            evidence = alone + Counter(glued)
            assert not [t for t, n in evidence.items() if n >= wm.min_count and wm.looks_like_watermark_string(t)]
