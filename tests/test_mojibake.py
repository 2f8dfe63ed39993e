"""Mojibake repair on real text: case files, seed 002, round trips over real sentences, zero false repairs."""

from __future__ import annotations

import contextlib
import functools
import json
import random
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from teststages import one_and_batched, planted

from corpusclean.document import Document
from corpusclean.pipeline import Pipeline
from corpusclean.recipe import build_stage
from corpusclean.text.codepoints import NUMPY_MIN_CHARS
from corpusclean.text.lost_bytes import (
    _character_readings,
    encode_with_lost_bytes,
    lost_by_cp1252,
    lost_by_gb18030,
    lost_by_gbk,
)
from corpusclean.text.mojibake import _gate, _utf8_lead_as_gbk, fix_mojibake, gate_signs, looks_broken, mojibake_share

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "data" / "mojibake_cases"
EVAL = ROOT.parent / "shared" / "eval"
SEEDS = ROOT / "seeds"
SEED_002 = "002_1bf7682267f199a3.txt"


def _cases(name: str) -> list[dict[str, str]]:
    return json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", _cases("in_the_wild") + _cases("synthetic"), ids=lambda c: c["label"])
def test_repairs(case):
    assert fix_mojibake(case["original"])[0] == case["fixed"]


@pytest.mark.parametrize("case", _cases("negative"), ids=lambda c: c["label"])
def test_negative_cases_are_not_changed(case):
    assert fix_mojibake(case["original"]) == (case["original"], [])


@pytest.mark.parametrize("case", _cases("known_failures"), ids=lambda c: c["label"])
@pytest.mark.xfail(strict=True, reason="known failure, see the case label")
def test_known_failures(case):
    assert fix_mojibake(case["original"])[0] == case["fixed"]


@functools.cache
def clean_sentences() -> tuple[str, ...]:
    """Distinct sentences with 5+ ideographs from the gold texts of real pages and the seeds (not 002)."""
    files = sorted((EVAL / "cwced" / "cleaned").glob("*.txt")) + sorted((EVAL / "newspaper4k_zh" / "gold").glob("*"))
    files += [p for p in sorted(SEEDS.glob("*.txt")) if p.name != SEED_002]
    seen: dict[str, None] = {}
    for path in files:
        for sentence in re.split(r"(?<=[。！？!?])|\n", path.read_text(encoding="utf-8", errors="replace")):
            sentence = sentence.strip()
            if len(re.findall(r"[\u4e00-\u9fff]", sentence)) >= 5:
                seen.setdefault(sentence, None)
    return tuple(seen)


def test_zero_false_repairs_on_clean_sentences():
    sentences = clean_sentences()
    assert len(sentences) >= 5000
    changed = [s for s in sentences if fix_mojibake(s)[0] != s]
    assert changed == []


def test_seed_002_is_repaired_through_the_stages():
    labels = json.loads((Path(__file__).parent / "data" / "seeds_lines.json").read_text(encoding="utf-8"))[SEED_002]
    pipe = Pipeline([build_stage("mojibake", {}), build_stage("normalize", {}), build_stage("mojibake_filter", {})])
    doc = pipe.clean((SEEDS / SEED_002).read_text(encoding="utf-8"))
    assert doc.rejected is None
    for garbage in labels["mojibake_absent"]:
        assert garbage not in doc.text
    assert "群眾就業" in doc.text and "?" not in doc.text
    assert not re.search(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)", doc.text)

    def key(s: str) -> str:
        return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))

    out = key(doc.text)
    assert [line for line in labels["keep"] if key(line) not in out] == []


# --- corruptions of real sentences, repaired ---------------------------------------------------------------

def _utf8_as_gb18030(s: str) -> str:
    return s.encode("utf-8").decode("gb18030", errors="replace")


def _utf8_as_latin1(s: str) -> str:
    return s.encode("utf-8").decode("latin-1")


def _gbk_as_latin1(s: str) -> str:
    return s.encode("gbk").decode("latin-1")


def _big5_as_latin1(s: str) -> str:
    return _to_traditional()(s).encode("big5").decode("latin-1")


@functools.cache
def _real_pinyin() -> tuple[str, ...]:
    """The syllables a real broken converter glued into seed 002."""
    text = (SEEDS / SEED_002).read_text(encoding="utf-8")
    return tuple(sorted(set(re.findall(r"\(([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+)\)", text))))


@functools.cache
def _to_traditional():
    from opencc import OpenCC

    return OpenCC("s2t").convert


def _glue_pinyin(s: str, rng: random.Random) -> tuple[str, str]:
    """(Traditional original, the same with a real syllable glued after each converted character)."""
    from corpusclean.text.script import fold_to_simplified

    traditional = _to_traditional()(s)
    pool = _real_pinyin()
    glued = "".join(ch + (f"({rng.choice(pool)})" if fold_to_simplified(ch) != ch else "") for ch in traditional)
    return traditional, glued


def _encodable(s: str, encoding: str) -> bool:
    try:
        return s.encode(encoding).decode(encoding) == s
    except UnicodeError:
        return False


def _sample(n: int = 600) -> list[str]:
    return random.Random(4).sample(clean_sentences(), n)


@pytest.mark.parametrize(
    ("corrupt", "encoding"),
    [(_utf8_as_gb18030, "utf-8"), (_utf8_as_latin1, "utf-8"), (_gbk_as_latin1, "gbk"), (_big5_as_latin1, "big5")],
    ids=["utf8_as_gb18030_lossless", "utf8_as_latin1", "gbk_as_latin1", "big5_as_latin1"],
)
def test_round_trip_rate_on_a_fixed_sample(corrupt, encoding):
    """Class 1 and 2: >= 99% of real sentences come back exactly (only corruptions that keep every byte:
    lossy ones are measured in benchmarks/bench_normalize.py)."""
    original = _to_traditional() if encoding == "big5" else str
    # Only ~7% of sentences survive UTF-8 -> GB18030 with every byte: draw more of them.
    sample = _sample(3000 if corrupt is _utf8_as_gb18030 else 600)
    pairs = [(original(s), corrupt(s)) for s in sample if _encodable(original(s), encoding)]
    pairs = [(s, c) for s, c in pairs if "\ufffd" not in c and c != s]
    assert len(pairs) >= 100
    repaired = sum(fix_mojibake(c)[0] == s for s, c in pairs)
    assert repaired / len(pairs) >= 0.99, (repaired, len(pairs))


# Measured on this sample (600 real sentences, seed 4; those that lost a byte): 0.747, 0.855, 0.897 of
# the sentences and 0.936, 0.930, 0.976 of the characters that lost a byte come back exactly; the
# thresholds sit just below, so that a worse guess of lost bytes fails here (benchmarks/bench_normalize.py
# measures the same on 2,000 sentences).
@pytest.mark.parametrize(
    ("codec", "min_sentences", "min_characters"),
    [("gbk", 0.73, 0.93), ("gb18030", 0.84, 0.92), ("cp1252", 0.88, 0.97)],
)
def test_lossy_round_trip_rate_on_a_fixed_sample(codec, min_sentences, min_characters):
    """Class 1 with lost bytes (U+FFFD): information is gone, so the bar is what the measured guess
    reaches, not 99%."""
    pairs = [(s, s.encode("utf-8").decode(codec, errors="replace")) for s in _sample()]
    pairs = [(s, c) for s, c in pairs if "\ufffd" in c]
    assert len(pairs) >= 500
    exact = characters = right = 0
    for s, c in pairs:
        fixed = fix_mojibake(c)[0]
        exact += fixed == s
        for i in _lost_characters(s, c, "cp1252" if codec == "cp1252" else "gb18030"):
            characters += 1
            right += len(fixed) == len(s) and fixed[i] == s[i]
    assert exact / len(pairs) >= min_sentences, (exact, len(pairs))
    assert right / characters >= min_characters, (right, characters)


def _lost_characters(original: str, shown: str, codec: str) -> set[int]:
    """Indexes of the characters of ``original`` that lost a byte in ``shown`` (one U+FFFD a byte; the
    other characters of ``shown`` re-encoded with ``codec``)."""
    starts = []
    for i, ch in enumerate(original):
        starts += [i] * len(ch.encode("utf-8"))
    lost, offset = set(), 0
    for ch in shown:
        if ch == "\ufffd":
            lost.add(starts[offset])
            offset += 1
        else:
            offset += len(ch.encode(codec))
    return lost


def test_glued_pinyin_round_trip_rate():
    rng = random.Random(5)
    pairs = [_glue_pinyin(s, rng) for s in _sample()]
    pairs = [(t, g) for t, g in pairs if t != g]
    assert len(pairs) >= 300
    repaired = sum(fix_mojibake(g)[0] == t for t, g in pairs)
    assert repaired / len(pairs) >= 0.99, (repaired, len(pairs))


sentence = st.sampled_from(clean_sentences()) if EVAL.exists() else st.nothing()


@settings(max_examples=150, deadline=None)
@given(sentence)
def test_clean_sentences_and_their_traditional_form_are_left_alone(s):
    assert fix_mojibake(s) == (s, [])
    traditional = _to_traditional()(s)
    assert fix_mojibake(traditional) == (traditional, [])
    assert mojibake_share(s) == 0.0


@settings(max_examples=100, deadline=None)
@given(sentence, st.sampled_from([_utf8_as_gb18030, _utf8_as_latin1, _gbk_as_latin1]))
def test_repair_is_idempotent_and_leaves_text_that_looks_fixed(s, corrupt):
    if not _encodable(s, "gbk"):
        return
    fixed, _ = fix_mojibake(corrupt(s))
    assert fix_mojibake(fixed)[0] == fixed
    assert "\ufffd" not in fixed


def test_filter_drops_lost_bytes_and_keeps_repaired_text():
    lossy = "\n".join(s.encode("utf-8").decode("big5", errors="replace") for s in _sample(20))
    pipe = Pipeline([build_stage("mojibake", {}), build_stage("normalize", {}), build_stage("mojibake_filter", {})])
    doc = pipe.clean(lossy)
    assert doc.rejected is not None and doc.rejected.rule == "mojibake_share"
    assert doc.rejected.value > doc.rejected.threshold
    repaired = pipe.clean("\n".join(_utf8_as_latin1(s) for s in _sample(20)))
    assert repaired.rejected is None and repaired.meta["mojibake"]["fixes"]
    assert not looks_broken(repaired.text)


@settings(max_examples=150, deadline=None)
@given(sentence, st.sampled_from(["gbk", "gb18030", "cp1252"]))
def test_the_lost_byte_is_always_among_the_candidates(s, codec):
    """The decoder and UTF-8 narrow a lost byte down (~8 of 128 bytes for GBK, 5 for cp1252); the byte
    that was lost must never be narrowed away."""
    shown = s.encode("utf-8").decode(codec, errors="replace")
    encoding = "cp1252" if codec == "cp1252" else "gb18030"
    lost = {"gbk": lost_by_gbk, "gb18030": lost_by_gb18030, "cp1252": lost_by_cp1252}[codec]
    seq: list[int | None] = []
    for part in encode_with_lost_bytes(shown, encoding):
        seq.extend([None] if part is None else part)
    starts = [0]
    for ch in s:
        starts.append(starts[-1] + len(ch.encode("utf-8")))
    for i in _lost_characters(s, shown, encoding):
        readings = _character_readings(seq, starts[i], starts[i + 1], lost, True)
        if seq[starts[i] : starts[i + 1]].count(None) <= 2:
            assert s[i] in readings, (s, i)


# Every real sentence of the pool the lossy repair gets wrong, found by running the property below over all
# 7,983 (strict xfail below; the property test skips them, so that its random draw of 100 cannot fail CI).
# A symbol of three UTF-8 bytes next to ASCII or at a line end ("①", "□", "”", "∶") read as GBK is one real
# character and a lost byte; the run is too short to be decoded, so that character stays and the lost byte
# is cut as residue.
KNOWN_LOSSY_MISSES = (
    "① 买家和卖家是可以自由的对淘宝上提供的物流供应商在“运送方式”的服务方面进行选择来完成合作。",
    "② 与客户进行交易的物流订单是在后台得到接收以及一并处理的，是淘宝与物流供应商联网的。",
    "③ 淘宝还可以根据买家与卖家的地址，通过计算机计算价格的功能来自动计算出各个物流供应商的运送价格，"
    "以便于客户的选择。",
    "□ 本报记者 葛灵丹",
    "”自1998年起政府投资愈加发力，占用了更多的资源，所以可以认为政府与民间之间的中长期贷款比例没有大的变化，仍为75∶25。",
)


@pytest.mark.xfail(strict=True, reason="a short symbol run next to ASCII stays misread after UTF-8 read as GBK")
@pytest.mark.parametrize("s", KNOWN_LOSSY_MISSES)
def test_known_lossy_misses(s):
    shown = s.encode("utf-8").decode("gbk", errors="replace")
    fixed = fix_mojibake(shown)[0]
    assert fixed.encode("utf-8").decode("gbk", errors="replace") == shown


@settings(max_examples=100, deadline=None)
@given(sentence, st.sampled_from(["gbk", "gb18030"]))
def test_a_repaired_lossy_text_reads_back_as_the_mojibake(s, codec):
    """Whatever the repair guessed for lost bytes, the wrong decoder shows it exactly as the input."""
    if s in KNOWN_LOSSY_MISSES:
        return
    try:
        s.encode("gbk")
    except UnicodeEncodeError:
        return  # private-use or rare characters: the sentence itself may not survive a GBK round trip
    if any("\x80" <= ch <= "\u07ff" for ch in s):
        # A two-byte UTF-8 character alone between ASCII reads as one real GBK character (· as 路), which
        # nothing marks as broken: it stays, and the text reads back otherwise (hypothesis found
        # '·\t医疗关注--前列腺新发现\t·\t皮肤顽疾----康复圣地').
        return
    shown = s.encode("utf-8").decode(codec, errors="replace")
    fixed = fix_mojibake(shown)[0]
    if "\ufffd" in shown and "\ufffd" not in fixed and not looks_broken(fixed):
        assert any(fixed.encode("utf-8").decode(c, errors="replace") == shown for c in ("gbk", "gb18030"))


def test_the_stage_counts_the_lost_bytes_it_guessed():
    pipe = Pipeline([build_stage("mojibake", {})])
    lossy = [s for s in _sample(50) if "\ufffd" in _utf8_as_gb18030(s)][:10]
    text = "\n".join(lossy)
    shown = "\n".join(_utf8_as_gb18030(s) for s in lossy)
    doc = pipe.clean(shown)
    repaired = sum(a == b for a, b in zip(doc.text.split("\n"), lossy, strict=True))
    assert repaired >= 5 and "\ufffd" not in doc.text
    assert doc.meta["mojibake"]["guessed_bytes"] == shown.count("\ufffd") - sum(
        r.text.count("\ufffd") for r in doc.removals)
    assert "guessed_bytes" not in pipe.clean(_utf8_as_latin1(text)).meta["mojibake"]


# Characters the gate's branches are made of, beside real text: GBK characters of UTF-8 lead bytes (浏
# and 楠 are real words' characters), Latin-1 letters and signs, residue, pinyin, brackets, blanks.
_GATE_PARTS = st.sampled_from(
    [*_utf8_lead_as_gbk()[:40], *"浏览器楠锟斤拷烫屯(?)xiéǐü·×°Ã¤\ufffd .，\n\t", "\U0001f600"])


@settings(max_examples=300, deadline=None)
@given(sentence, st.lists(st.tuples(st.integers(0, 10**6), st.lists(_GATE_PARTS, min_size=1, max_size=4)), max_size=5),
       st.integers(1, 40))
def test_the_table_of_signs_decides_as_the_gate_regex(s, inserts, repeat):
    """Long text is judged by a table of characters first (no sign: clean; only GBK characters of
    UTF-8 lead bytes: their branch checked at once); it must say what the regex says, and every match
    of the regex must hold a sign."""
    text = planted(s, repeat, [(position, "".join(part)) for position, part in inserts])
    expected = _gate().search(text) is not None
    assert looks_broken(text) == expected, len(text) >= NUMPY_MIN_CHARS
    assert all(set(match.group()) & set(gate_signs()) for match in _gate().finditer(text))


# Each kind of mojibake, a false alarm of the gate (浏览器 before ASCII) and Latin-1 signs in clean text.
_BROKEN_PIECES = st.sampled_from(["浏览器.", "ä½ å¥½", "ÄãºÃ", "cafÃ©", "協(xié)作", "?shù)厝罕娋蜆I",
                                  "锟斤拷", "\ufffd", "浣犲ソ涓栫晫", "·", "“é”"])


@settings(max_examples=150, deadline=None)
@given(sentence, st.lists(st.tuples(st.integers(0, 10**6), _BROKEN_PIECES), max_size=4), st.integers(1, 60))
def test_fixes_skipped_for_lack_of_their_characters_would_not_have_changed_the_text(s, inserts, repeat):
    from corpusclean.text import mojibake

    # Each piece on a line of its own: a run of its own.
    text = planted(s, repeat, [(position, f"\n{part}\n") for position, part in inserts])
    cuts: list[tuple[str, str]] = []
    skipping = fix_mojibake(text, cuts=cuts), cuts
    needs, mojibake._NEEDS = mojibake._NEEDS, {}  # every fix runs
    try:
        cuts = []
        assert (fix_mojibake(text, cuts=cuts), cuts) == skipping
    finally:
        mojibake._NEEDS = needs


# --- the stage's process_batch: one scan of a chunk, the same results as one document at a time ---------


def _one_at_a_time_and_batched(texts: list[str]) -> tuple[list[Document], list[Document]]:
    return one_and_batched(build_stage("mojibake", {}), texts)


def _assert_same(one: list[Document], many: list[Document]) -> None:
    for a, b in zip(one, many, strict=True):
        assert a.text == b.text and a.meta == b.meta
        assert [r.as_dict() for r in a.removals] == [r.as_dict() for r in b.removals]
        assert a.scratch.get("normalize_steps") == b.scratch.get("normalize_steps")  # what normalize reads next


def test_scan_chunk_gives_every_character_its_steps():
    """For a short text normalize's character steps come from a regex of its rare characters plus COMMON, for a
    long one from the table: the chunk's one table pass must give the same value for every code point alone
    (steps are an OR over the characters, so alone is enough), beside long texts of each."""
    from corpusclean.stages.mojibake import scan_chunk
    from corpusclean.stages.normalize import _steps_with_work

    points = [*range(0x10000), *range(0x10000, 0x110000, 997), 0x10FFFF]
    texts = [chr(cp) for cp in points]
    scanned = scan_chunk(texts)
    assert [steps for steps, _, _ in scanned] == [_steps_with_work(text) for text in texts]
    assert all(verdict is None and signs is None for _, verdict, signs in scanned)
    rng = random.Random(15)
    long_texts = ["深圳" * 300 + "".join(chr(rng.choice(points)) for _ in range(40)) for _ in range(200)]
    assert [steps for steps, _, _ in scan_chunk(long_texts)] == [_steps_with_work(text) for text in long_texts]


_CHUNK_PIECES = st.one_of(_BROKEN_PIECES, _GATE_PARTS, st.sampled_from(["\ud83d", "\ude00", "\U0001f600", "\n"]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(sentence, st.integers(0, 60),
                          st.lists(st.tuples(st.integers(0, 10**6), _CHUNK_PIECES), max_size=4)), max_size=8),
       st.lists(st.text(max_size=30), max_size=3))
def test_batch_equals_one_document_at_a_time(texts, loose):
    """process_batch leaves every document as process does: text, meta, receipts and the character steps kept
    for normalize; its verdicts and fix signs are looks_broken's and _fix_signs' where it gives them. Texts
    either side of NUMPY_MIN_CHARS, empty ones, lone surrogates at the edges (a joined chunk must not pair them)."""
    from corpusclean.stages.mojibake import scan_chunk
    from corpusclean.text.mojibake import _fix_signs

    chunk = [planted(s, repeat, inserts) for s, repeat, inserts in texts] + loose
    _assert_same(*_one_at_a_time_and_batched(chunk))
    for text, (_, verdict, signs) in zip(chunk, scan_chunk(chunk), strict=True):
        if verdict is not None:
            assert verdict == looks_broken(text)
        if signs is not None:
            assert signs == _fix_signs(text)


def test_batch_equals_one_document_at_a_time_on_real_text():
    """Real pages and sentences, clean and broken every way the tests know, in chunks as a worker gets them."""
    rng = random.Random(15)
    texts = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    sentences = _sample(400)
    for k in range(0, len(sentences), 8):
        page = "\n".join(sentences[k : k + 8])
        texts.append(page)
        corrupt = rng.choice([_utf8_as_gb18030, _utf8_as_latin1, _gbk_as_latin1, None])
        with contextlib.suppress(UnicodeError):
            texts.append(_glue_pinyin(page, rng)[1] if corrupt is None else corrupt(page))
    for k in range(0, len(texts), 64):
        _assert_same(*_one_at_a_time_and_batched(texts[k : k + 64]))


# --- GBK read as a Cyrillic code page ------------------------------------------------------------------

# What a charset detector made of a GBK page's navigation (cwced 0df12126, trafilatura's text: ISO-8859-5).
CYRILLIC_SHOWN = "ФњЕФЮЛжУЃКжївГ>веЪѕНЬг§>дКаЃеаЩњзЪбЖ>жабыУРЪѕбЇдК"
# Real Russian sentences (news and everyday text), which read as GBK would be Chinese characters too.
RUSSIAN = [
    "Москва — столица России и крупнейший город страны.",
    "Президент заявил, что переговоры продолжатся на следующей неделе.",
    "Центральный банк сохранил ключевую ставку на прежнем уровне.",
    "В субботу в Санкт-Петербурге ожидается дождь и сильный ветер.",
    "Сборная Китая по настольному теннису выиграла чемпионат мира.",
    "Министерство иностранных дел КНР провело брифинг для журналистов.",
    "Ученые из Новосибирска разработали новый метод очистки воды.",
    "Цены на нефть выросли после заявления ОПЕК.",
    "Он сказал: «Мы готовы к сотрудничеству».",
    "ЮНЕСКО включило объект в список всемирного наследия.",
]


def test_gbk_read_as_a_cyrillic_code_page_is_repaired_and_russian_is_not():
    repaired = "您的位置：主页>艺术教育>院校招生资讯>中央美术学院"
    assert fix_mojibake(CYRILLIC_SHOWN) == (repaired, ["decode_gbk_read_as_cyrillic"])
    for sentence in RUSSIAN:
        assert fix_mojibake(sentence) == (sentence, []), sentence
        # Beside Chinese (a name in an article) it stays as well.
        mixed = f"记者注意到，俄媒报道称：{sentence}此事引发关注。"
        assert fix_mojibake(mixed) == (mixed, []), sentence


# Measured on this sample (595 real sentences whose every GBK byte the code page shows): 0.992, 0.992, 0.992,
# 0.982 come back exactly; what is left are short runs the absolute plausibility bar keeps (a rare name, a
# lone full-width sign) on lines with no longer run. The thresholds sit just below.
@pytest.mark.parametrize(("codepage", "min_rate"),
                         [("cp1251", 0.99), ("iso8859_5", 0.99), ("koi8_r", 0.99), ("mac_cyrillic", 0.98)])
def test_round_trip_rate_of_gbk_read_as_cyrillic(codepage, min_rate):
    pairs = []
    for s in _sample():
        with contextlib.suppress(UnicodeError):
            pairs.append((s, s.encode("gbk").decode(codepage)))
    assert len(pairs) >= 300
    repaired = sum(fix_mojibake(c)[0] == s for s, c in pairs)
    assert repaired / len(pairs) >= min_rate, (repaired, len(pairs))


_RUSSIAN_WORDS = sorted({word for sentence in RUSSIAN for word in re.findall(r"[А-Яа-яЁё]+", sentence)})


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_RUSSIAN_WORDS), min_size=1, max_size=8), sentence)
def test_russian_words_beside_chinese_are_never_repaired(words, s):
    text = s + " ".join(words) + "。"
    assert fix_mojibake(text) == (text, [])
