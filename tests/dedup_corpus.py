"""A deduplication test corpus made from real Chinese articles, with planted duplicates of known kinds.

Base articles are real text: the gold main texts in ``tests/data/dedup`` (CWCED, MIT; newspaper4k, MIT)
and the seed documents, and for larger sets also the gold texts in ``/work/shared/eval`` when present.
Long articles are cut into disjoint parts of a few paragraphs each, so many bases share a source, topic
and style without being duplicates. Every variant of a base belongs to the base's group; documents of
different groups are not duplicates, even when they share page chrome. Kinds of variant:

* ``exact``: the same text (with other line spacing);
* ``chrome``: the article inside other page chrome (navigation, bylines, copyright footers);
* ``traditional``: converted to Traditional script with OpenCC (``s2t``), in other chrome;
* ``edited``: 5-20% of the sentences edited (characters replaced, words inserted, a clause cut);
* ``reordered``: paragraphs in another order;
* ``dropped``: one paragraph (at most a sixth of the text) left out.

The same arguments always give the same corpus.
"""

from __future__ import annotations

import functools
import json
import os
import random
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
EVAL = Path(os.environ.get("CORPUSCLEAN_EVAL", "/work/shared/eval"))
KINDS = ("exact", "chrome", "traditional", "edited", "reordered", "dropped")

_SENTENCE = re.compile(r"[^。！？；\n]+[。！？；]*[”’」』）]*")
_CJK = re.compile(r"[\u4e00-\u9fff]")

# Page chrome as sites print it; {site}, {date}, {name} vary per site and page.
_CHROME_TOP = [
    "当前位置：首页 > 新闻中心 > {section}",
    "{site} | 首页 | 新闻 | 财经 | 体育 | 娱乐 | 科技 | 房产 | 汽车",
    "来源：{site}　作者：{name}　发布时间：{date}",
    "{date} 来源：{site} 责任编辑：{name}",
    "字号：大 中 小　打印本页　关闭窗口",
    "【字体：大 中 小】【打印】【关闭】",
]
_CHROME_BOTTOM = [
    "（责任编辑：{name}）",
    "版权所有 © {year} {site} 未经授权禁止转载",
    "本文来源于{site}，转载请注明出处。",
    "分享到：微信 微博 QQ空间",
    "扫一扫在手机打开当前页",
    "声明：本网转载此文目的在于传递更多信息，不代表本网赞同其观点和对其真实性负责。",
    "相关新闻：",
    "关于我们 | 联系我们 | 网站地图 | 广告服务 | 法律声明",
]
_SITES = ["新华网", "人民网", "中国新闻网", "搜狐新闻", "网易新闻", "凤凰网", "澎湃新闻", "光明网", "央视网",
          "中国日报网", "环球网", "南方网", "大众网", "东方网", "北青网", "中华网"]
_NAMES = ["王芳", "李强", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄涛", "周婷", "吴刚"]
_SECTIONS = ["国内", "国际", "社会", "财经", "科技", "文化", "教育", "健康"]
_INSERTS = ["据了解，", "记者注意到，", "值得一提的是，", "与此同时，", "业内人士表示，", "据悉，", "另外，"]


@dataclass(frozen=True)
class Doc:
    id: str
    text: str
    group: int  # documents with equal groups are duplicates of each other
    kind: str   # "original" or one of KINDS


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if _CJK.search(line)]


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None


@functools.cache
def real_articles(*, include_eval: bool = False) -> tuple[str, ...]:
    """Real article texts, in a fixed order: the copies in tests/data/dedup and the seeds; with
    ``include_eval``, also every gold text under /work/shared/eval that is not already there."""
    paths = sorted(DATA.joinpath("dedup").glob("*.txt")) + sorted((ROOT / "seeds").glob("*.txt"))
    if include_eval and EVAL.is_dir():
        have = {p.name.split("-", 1)[-1] for p in DATA.joinpath("dedup").glob("*.txt")}
        extra = sorted(EVAL.glob("cwced/cleaned/*.txt")) + sorted(EVAL.glob("newspaper4k_zh/gold/*.txt"))
        paths += [p for p in extra if p.name not in have]
    texts = [_read(p) for p in paths]
    return tuple(t for t in texts if t and len(_CJK.findall(t)) >= 300)


def base_articles(*, min_chars: int = 400, max_chars: int = 2500, include_eval: bool = False) -> list[str]:
    """Articles cut from the real texts: disjoint runs of whole paragraphs, ``min_chars`` to about
    ``max_chars`` Chinese characters each (so parts of one source share topic but are not duplicates)."""
    out = []
    for text in real_articles(include_eval=include_eval):
        part: list[str] = []
        size = 0
        for para in paragraphs(text):
            part.append(para)
            size += len(_CJK.findall(para))
            if size >= max_chars:
                out.append("\n".join(part))
                part, size = [], 0
        if size >= min_chars:
            out.append("\n".join(part))
    return [a for a in out if len(_CJK.findall(a)) >= min_chars and len(paragraphs(a)) >= 2]


def _chrome(rng: random.Random, lines: list[str]) -> list[str]:
    site = rng.choice(_SITES)
    fill = {"site": site, "name": rng.choice(_NAMES), "section": rng.choice(_SECTIONS),
            "date": f"20{rng.randint(15, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "year": str(rng.randint(2010, 2024))}
    return [line.format(**fill) for line in rng.sample(lines, rng.randint(1, 3))]


def wrap_in_chrome(rng: random.Random, article: str) -> str:
    return "\n".join([*_chrome(rng, _CHROME_TOP), article, *_chrome(rng, _CHROME_BOTTOM)])


@functools.cache
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def edit_sentences(rng: random.Random, article: str, share: float) -> str:
    """Edit ``share`` of the sentences: replace a few characters, insert a phrase, or cut a clause."""
    lines = article.split("\n")
    spots = [(i, m.start(), m.end()) for i, line in enumerate(lines) for m in _SENTENCE.finditer(line)
             if len(m.group()) >= 8]
    chosen = sorted(rng.sample(spots, max(1, round(share * len(spots)))), key=lambda s: (s[0], -s[1]))
    for line_no, start, end in chosen:
        line = lines[line_no]
        sentence = list(line[start:end])
        action = rng.choice(("replace", "insert", "cut"))
        if action == "replace":
            pool = _CJK.findall(article)
            for _ in range(rng.randint(1, 3)):
                sentence[rng.randrange(len(sentence))] = rng.choice(pool)
        elif action == "insert":
            sentence.insert(0, rng.choice(_INSERTS))
        else:
            cut = rng.randrange(len(sentence) // 2)
            del sentence[cut:cut + rng.randint(2, 6)]
        lines[line_no] = line[:start] + "".join(sentence) + line[end:]
    return "\n".join(lines)


def make_variant(rng: random.Random, article: str, kind: str) -> str:
    paras = article.split("\n")
    if kind == "exact":
        return article.replace("\n", "\n\n")
    if kind == "chrome":
        return wrap_in_chrome(rng, article)
    if kind == "traditional":
        return wrap_in_chrome(rng, _s2t().convert(article))
    if kind == "edited":
        return edit_sentences(rng, article, rng.uniform(0.05, 0.20))
    if kind == "reordered":
        order = paras[:]
        while order == paras and len(paras) > 1:
            rng.shuffle(order)
        return "\n".join(order)
    if kind == "dropped":
        total = len(article)
        small = [i for i, p in enumerate(paras) if len(p) <= total / 6]
        if not small:
            return edit_sentences(rng, article, 0.1)
        drop = rng.choice(small)
        return "\n".join(p for i, p in enumerate(paras) if i != drop)
    raise ValueError(f"unknown variant kind {kind!r}")


def planted_corpus(*, bases: list[str] | None = None, duplicated: float = 0.5, max_variants: int = 3,
                   seed: int = 0) -> list[Doc]:
    """Every base article once (plain or in chrome), and for a ``duplicated`` share of them 1 to
    ``max_variants`` variants of random kinds (each kind at least once when there are enough bases).
    Documents are shuffled so variants do not sit next to their original."""
    rng = random.Random(seed)
    bases = base_articles() if bases is None else bases
    docs: list[Doc] = []
    kinds = list(KINDS)
    for group, article in enumerate(bases):
        first = wrap_in_chrome(rng, article) if rng.random() < 0.5 else article
        docs.append(Doc(f"g{group:05d}-0", first, group, "original"))
        if rng.random() >= duplicated:
            continue
        for number in range(1, rng.randint(1, max_variants) + 1):
            kind = kinds.pop() if kinds else rng.choice(KINDS)
            docs.append(Doc(f"g{group:05d}-{number}", make_variant(rng, article, kind), group, kind))
    rng.shuffle(docs)
    return docs


def true_pairs(docs: list[Doc]) -> set[tuple[str, str]]:
    by_group: dict[int, list[str]] = {}
    for doc in docs:
        by_group.setdefault(doc.group, []).append(doc.id)
    return {(a, b) for ids in by_group.values() for a in ids for b in ids if a < b}


def cluster_pairs(clusters: list[set[str]]) -> set[tuple[str, str]]:
    return {(a, b) for members in clusters for a in members for b in members if a < b}


def precision_recall(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> tuple[float, float]:
    hits = len(found & truth)
    return (hits / len(found) if found else 1.0), (hits / len(truth) if truth else 1.0)


def dump_jsonl(docs: list[Doc], path: Path) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for doc in docs:
            handle.write(json.dumps({"id": doc.id, "text": doc.text}, ensure_ascii=False) + "\n")
