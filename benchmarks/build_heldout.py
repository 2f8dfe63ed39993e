"""Build the held-out page sets of ``docs/heldout-pages.md`` from local mirrors of their public repositories.

Two sets, each a folder with ``manifest.jsonl`` (one page a line), the HTML files (bytes unchanged), the gold
texts (UTF-8, one paragraph a line), ``selection_report.jsonl`` (every candidate page, kept or dropped, with the
reason and the measures behind it) and ``sources.json`` (the commit read from each repository):

- ``magic``: ``magichtml_article`` and ``magichtml_forum`` (opendatalab/magic-html) and ``htmltotext_zh``
  (leogao2/htmltotext-benchmark): hand-made gold. Usually built into /work/heldout.
- ``heldout2``: ``gne`` (GeneralNewsExtractor/GeneralNewsExtractor), ``cx163`` (chrislinan/cx-extractor-python)
  and ``fundus`` (flairNLP/fundus): extractor-made gold. ``set`` is ``<source>_<split>``. Usually built into
  /work/heldout2. Its 8-gram overlap check reads the first set's gold too, so it needs all five mirrors.

Nothing is downloaded here: the repositories must already be mirrored as bare git directories under
``--mirrors`` (``<owner>+<name>/repo``, or ``<owner>+<name>/repo/.git``), as the search tool's ``fetch`` leaves
them. Each repository is read at the commit pinned below when the mirror has it, else at its HEAD (said on
stderr and in ``sources.json``).

Usage:
    python benchmarks/build_heldout.py --set magic --out /work/heldout
    python benchmarks/build_heldout.py --set heldout2 --out /work/heldout2 [--mirrors /work/.mirror]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` and ``corpusclean`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.content_data import site_half

DEFAULT_MIRRORS = Path("/work/.mirror")

MAGIC_HTML = "opendatalab/magic-html"
HTMLTOTEXT = "leogao2/htmltotext-benchmark"
GNE = "GeneralNewsExtractor/GeneralNewsExtractor"
CX = "chrislinan/cx-extractor-python"
FUNDUS = "flairNLP/fundus"
PINNED = {
    MAGIC_HTML: "47d4a7fed12030e906a093b074637f178cb46ef2",
    HTMLTOTEXT: "feab59949ee4f9789af8e0c2412720895278d3cf",
    GNE: "3d5a67c65f4d6c8e13c3047754a4c18fc0b0754a",
    CX: "56f19b1b7a340f730a9cfd28d2e11e65709f8852",
    FUNDUS: "18da6e53592f99cf0ac5770dc63d6ba99ba63ae8",
}
SET_REPOS = {"magic": (MAGIC_HTML, HTMLTOTEXT), "heldout2": (GNE, CX, FUNDUS, MAGIC_HTML, HTMLTOTEXT)}

MIN_CJK_SHARE = 0.5
MIN_CHARS = 100
MIN_IN_PAGE = 0.5
MAX_OVERLAP = 0.5
NGRAM = 8

# --- pure helpers (no mirrors, no files) -------------------------------------------------------------

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_SPACE_RUN = re.compile(r"[ \t\u3000\u00a0]+")
_WHITESPACE = re.compile(r"\s+")


def convert_gold(text: str) -> str:
    """The gold conversion, and nothing else: CRLF/CR to LF, runs of spaces/tabs/U+3000/NBSP to one space,
    lines stripped, empty lines dropped.

    >>> convert_gold("标题\\r\\n\\r\\n\\u3000\\u3000第一段  文字\\t\\rb")
    '标题\\n第一段 文字\\nb'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = (_SPACE_RUN.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def cjk_chars(text: str) -> list[str]:
    """The CJK ideographs of ``text``, in order."""
    return _CJK.findall(text)


def nonspace(text: str) -> str:
    return _WHITESPACE.sub("", text)


def cjk_share(text: str) -> float:
    """CJK ideographs over non-whitespace characters (0 for an empty text). Kana and Hangul are not CJK here.

    >>> cjk_share("中文 ab")
    0.5
    """
    chars = nonspace(text)
    return len(cjk_chars(chars)) / len(chars) if chars else 0.0


def in_page_share(gold: str, visible: str) -> float:
    """Share of the gold's CJK characters found in the page's visible text, as multisets (a character the
    gold has three times and the page once counts once).

    >>> in_page_share("天天向上", "天向上")
    0.75
    """
    want = Counter(cjk_chars(gold))
    total = sum(want.values())
    if not total:
        return 0.0
    have = Counter(cjk_chars(visible))
    return sum(min(n, have[c]) for c, n in want.items()) / total


def ngrams(text: str, n: int = NGRAM) -> set[str]:
    """The distinct ``n``-grams of ``text``'s non-whitespace characters."""
    chars = nonspace(text)
    return {chars[i:i + n] for i in range(len(chars) - n + 1)}


def overlap(grams: set[str], other: set[str]) -> float:
    """Share of ``grams`` that also occur in ``other`` (0 when ``grams`` is empty).

    >>> overlap({"a", "b"}, {"b", "c"})
    0.5
    """
    return len(grams & other) / len(grams) if grams else 0.0


def url_key(url: str) -> str:
    """A URL reduced for comparison: no scheme, no fragment, host lowercased without ``www.``, no trailing
    slash.

    >>> url_key("HTTPS://www.Example.com/a/b/#top") == url_key("http://example.com/a/b")
    True
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    return f"{host}{path}" + (f"?{parts.query}" if parts.query else "")


def url_host(url: str) -> str:
    """The host name of ``url``, lowercased (the ``site`` of a page; ``www.`` kept)."""
    return (urlsplit(url.strip()).hostname or "").lower()


_CANONICAL = (
    re.compile(r"""<link\b[^>]*\brel\s*=\s*["']?canonical["']?[^>]*\bhref\s*=\s*["']([^"']+)""", re.I),
    re.compile(r"""<link\b[^>]*\bhref\s*=\s*["']([^"']+)["'][^>]*\brel\s*=\s*["']?canonical""", re.I),
    re.compile(r"""<meta\b[^>]*\bproperty\s*=\s*["']og:url["'][^>]*\bcontent\s*=\s*["']([^"']+)""", re.I),
    re.compile(r"""<meta\b[^>]*\bcontent\s*=\s*["']([^"']+)["'][^>]*\bproperty\s*=\s*["']og:url""", re.I),
)


def declared_url(html: str) -> str | None:
    """The page's own absolute URL as it declares it (``<link rel=canonical>``, else ``og:url``), if any.

    >>> declared_url('<meta property="og:url" content="https://a.cn/x.html">')
    'https://a.cn/x.html'
    """
    for pattern in _CANONICAL:
        match = pattern.search(html)
        if match and match.group(1).startswith(("http://", "https://")):
            return match.group(1).strip()
    return None


def visible_text(html: bytes) -> str:
    """The text a browser would show of a static page: decoded as corpusclean decodes it, without
    ``script``, ``style``, ``noscript`` and ``template`` elements."""
    import lxml.etree
    import lxml.html

    try:
        root = lxml.html.fromstring(decode_html(html))
    except (lxml.etree.ParserError, ValueError):  # empty or comment-only documents
        return ""
    for element in list(root.iter("script", "style", "noscript", "template")):
        if element.getparent() is not None:
            element.drop_tree()
    return str(root.text_content())


def decode_html(data: bytes) -> str:
    """Text of HTML or text bytes (UTF-8, else the declared charset or GB18030/Big5, as corpusclean reads)."""
    from corpusclean.io.encoding import declared_charset, decode_bytes

    return decode_bytes(data, declared_charset(data), max_error_rate=0.05)[0]


# --- candidates and selection ------------------------------------------------------------------------

@dataclass
class Candidate:
    """One upstream page before selection. ``source`` is the folder it is written to; the manifest's
    ``set`` is ``source`` (first set) or ``<source>_<split>`` (second set)."""

    source: str
    name: str
    html: bytes
    gold_raw: str
    url: str
    site: str
    origin: str
    gold_kind: str = ""
    note: str = ""
    skip: str = ""  # a reason to drop the page before any check (e.g. no gold upstream)
    gold: str = field(init=False)

    def __post_init__(self) -> None:
        self.gold = convert_gold(self.gold_raw)


@dataclass
class Reference:
    """A gold text the overlap check compares against (``where`` names it in the report)."""

    where: str
    grams: set[str]


@dataclass
class Selection:
    kept: list[Candidate] = field(default_factory=list)
    report: list[dict[str, Any]] = field(default_factory=list)


def select(candidates: Iterable[Candidate], *, eval_hashes: set[str], eval_urls: set[str],
           references: list[Reference] | None = None, own_label: str = "") -> Selection:
    """Apply the selection rules in order: CJK share, length, gold in the page's visible text, not byte-
    identical to / same URL as a ``shared/eval`` page, and (when ``references`` is given) the 8-gram overlap
    check against those golds and against the pages kept before this one (``own_label`` names them)."""
    out = Selection()
    own: list[Reference] = []
    pooled: set[str] = set().union(*(ref.grams for ref in references or []))
    for cand in candidates:
        row: dict[str, Any] = {"source": cand.source, "name": cand.name, "origin": cand.origin, "url": cand.url,
                               "site": cand.site}
        share = cjk_share(cand.gold)
        chars = len(nonspace(cand.gold))
        row.update(cjk_share=round(share, 4), chars=chars)
        reason = cand.skip
        if reason:
            pass
        elif share < MIN_CJK_SHARE:
            reason = f"gold CJK share {share:.3f} < {MIN_CJK_SHARE}"
        elif chars < MIN_CHARS:
            reason = f"gold has {chars} characters < {MIN_CHARS}"
        else:
            found = in_page_share(cand.gold, visible_text(cand.html))
            row["in_page"] = round(found, 4)
            if found < MIN_IN_PAGE:
                reason = f"only {found:.3f} of the gold's CJK characters are in the page's visible text"
            elif hashlib.sha256(cand.html).hexdigest() in eval_hashes:
                reason = "HTML byte-identical to a shared/eval page"
            elif cand.url and url_key(cand.url) in eval_urls:
                reason = "same URL as a shared/eval page"
            elif references is not None:
                grams = ngrams(cand.gold)
                best, where = 0.0, ""
                for ref in [*references, *own]:
                    share_ = overlap(grams, ref.grams)
                    if share_ > best:
                        best, where = share_, ref.where
                row.update(max_overlap=round(best, 4), max_overlap_with=where)
                old = max((overlap(grams, ref.grams) for ref in references), default=0.0)
                row["max_overlap_older_sets"] = round(old, 4)
                row["overlap_older_sets_pooled"] = round(overlap(grams, pooled), 4)
                if best >= MAX_OVERLAP:
                    reason = f"{best:.3f} of the gold's {NGRAM}-grams occur in the gold of {where}"
                else:
                    own.append(Reference(f"{own_label}{cand.source}/{cand.name}", grams))
        if cand.note:
            row["note"] = cand.note
        row["kept"] = not reason
        row["reason"] = reason or "kept"
        out.report.append(row)
        if not reason:
            out.kept.append(cand)
    return out


# --- mirrors -----------------------------------------------------------------------------------------

class MissingMirror(Exception):
    """A repository is not mirrored under the mirrors folder."""


class Mirror:
    """One repository's bare git directory, read at one commit."""

    def __init__(self, mirrors: Path, repo: str) -> None:
        self.repo = repo
        base = mirrors / repo.replace("/", "+")
        found = [d for d in (base / "repo", base / "repo" / ".git", base) if (d / "HEAD").is_file()
                 and (d / "objects").is_dir()]
        if not found:
            raise MissingMirror(repo)
        self.git_dir = found[0]
        pinned = PINNED[repo]
        if self._git("cat-file", "-e", f"{pinned}^{{commit}}", check=False).returncode == 0:
            self.commit, self.pinned = pinned, True
        else:
            self.commit = self._git("rev-parse", "HEAD").stdout.decode().strip()
            self.pinned = False
            print(f"build_heldout: {repo}: pinned commit {pinned[:12]} not in the mirror, reading HEAD "
                  f"{self.commit[:12]} instead", file=sys.stderr)

    def _git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(["git", "--git-dir", str(self.git_dir), *args], capture_output=True, check=check)

    def read(self, path: str) -> bytes:
        return self._git("show", f"{self.commit}:{path}").stdout

    def files(self, under: str) -> list[str]:
        out = self._git("ls-tree", "-r", "--name-only", self.commit, "--", under).stdout.decode("utf-8")
        return [line for line in out.splitlines() if line]

    def describe(self) -> dict[str, Any]:
        return {"repo": self.repo, "commit": self.commit, "pinned": self.pinned, "pinned_commit": PINNED[self.repo]}


def open_mirrors(mirrors: Path, repos: Iterable[str]) -> dict[str, Mirror]:
    return {repo: Mirror(mirrors, repo) for repo in repos}


# --- the sources ---------------------------------------------------------------------------------------

def magic_html(mirror: Mirror) -> Iterator[Candidate]:
    """magic-html's benchmark: gold per sha256 key in ``base.json``; NAME is the key's first 16 hex chars."""
    for kind in ("article", "forum"):
        base = json.loads(mirror.read(f"benchmark/data/{kind}/base.json"))
        for key in sorted(base):
            entry = base[key]
            origin = f"benchmark/data/{kind}/htmls/{key}.html"
            remark = entry.get("remark") or ""
            yield Candidate(source=f"magichtml_{kind}", name=key[:16], html=mirror.read(origin),
                            gold_raw=entry.get("content") or "", url=entry.get("url") or "",
                            site=url_host(entry.get("url") or ""), origin=origin,
                            note=f"remark {remark}" if remark not in ("", kind) else "")


_COMMENT_URL = re.compile(r"""commentUrl\s*=\s*["'](https?://[^"']+)""")


def htmltotext_zh(mirror: Mirror) -> Iterator[Candidate]:
    """htmltotext-benchmark's zh pages; the URL is the one the page declares (CCTV: its ``commentUrl``)."""
    for path in mirror.files("benchmarkdata/zh/html"):
        name = Path(path).stem
        html = mirror.read(path)
        text = decode_html(html)
        url = declared_url(text) or ""
        if not url and (match := _COMMENT_URL.search(text)):
            url = match.group(1)
        gold = decode_html(mirror.read(f"benchmarkdata/zh/text/{name}.txt"))
        yield Candidate(source="htmltotext_zh", name=name, html=html, gold_raw=gold, url=url, site=url_host(url),
                        origin=path)


_GNE_RESULT = re.compile(r">{5,}(tests/\S+?)>{5,}\n(.*?)\n<{5,}", re.S)

_MOBILE_AGENT = re.compile(r"""<meta\b[^>]*\bname\s*=\s*["']mobile-agent["'][^>]*\burl=(https?://[^"';\s]+)""", re.I)

# The site of a GNE page is the host of its URL: canonical or og:url, else its mobile-agent URL (guancha).
# Three folders have neither, and how the first build named their sites was not recorded. These values
# reproduce its documented 8 fit / 12 test split and per-half trafilatura figures (every other choice of 8
# fit pages of the 20 changes one of them): 163 as cx-extractor's NetEase pages, toutiao.com, and new.qq.com.
GNE_SITES = {"163": "163.com", "qq": "new.qq.com", "toutiao": "toutiao.com"}


def gne(mirror: Mirror) -> Iterator[Candidate]:
    """GNE's ``result.txt``: its 2019 output (title + content) for 20 of the 62 ``tests/<site>/*.html``."""
    results = {path: json.loads(body) for path, body in _GNE_RESULT.findall(mirror.read("result.txt").decode())}
    for path in mirror.files("tests"):
        if not path.endswith(".html"):
            continue
        folder, stem = path.split("/")[1], Path(path).stem
        name = f"{folder}_{stem}"
        html = mirror.read(path)
        if path not in results:
            yield Candidate(source="gne", name=name, html=html, gold_raw="", url="", site="", origin=path,
                            skip="no GNE result in result.txt (no gold)")
            continue
        result = results[path]
        text = decode_html(html)
        url = declared_url(text) or ""
        if not url and (match := _MOBILE_AGENT.search(text)):
            url = match.group(1)
        site = url_host(url) if url else GNE_SITES.get(folder, folder)
        gold = "\n".join(part for part in (result.get("title") or "", result.get("content") or "") if part)
        yield Candidate(source="gne", name=name, html=html, gold_raw=gold, url=url, site=site, origin=path,
                        gold_kind="extractor output: GNE result.txt (title + content)")


def cx163(mirror: Mirror) -> Iterator[Candidate]:
    """cx-extractor's ``RawHtml/<n>.html`` (NetEase 2015, GBK) with its own output ``Text/<n>.txt``."""
    paths = sorted(mirror.files("RawHtml"), key=lambda p: int(Path(p).stem) if Path(p).stem.isdigit() else 0)
    for path in paths:
        name = Path(path).stem
        gold = decode_html(mirror.read(f"Text/{name}.txt"))
        yield Candidate(source="cx163", name=name, html=mirror.read(path), gold_raw=gold, url="", site="163.com",
                        origin=path, gold_kind="extractor output: cx-extractor Text/<n>.txt")


def fundus(mirror: Mirror) -> Iterator[Candidate]:
    """fundus' People's Daily parser test: the gzipped page and the parser's expected output."""
    folder = "tests/resources/parser/test_data/cn"
    meta = json.loads(mirror.read(f"{folder}/meta.info"))
    expected = json.loads(mirror.read(f"{folder}/People.json"))
    for gz_name, info in sorted(meta.items()):
        html = gzip.decompress(mirror.read(f"{folder}/{gz_name}"))
        for version, fields in sorted(expected.items()):
            yield Candidate(source="fundus", name=gz_name.removesuffix(".html.gz"), html=html,
                            gold_raw=fundus_gold(fields), url=info["url"], site=url_host(info["url"]),
                            origin=f"{folder}/People.json ({version}), {folder}/{gz_name}",
                            gold_kind="parser output: fundus People.json (title, summary, headlines, paragraphs)")


def fundus_gold(fields: dict[str, Any]) -> str:
    """Title, summary, then each section's headlines and paragraphs, one a line.

    >>> fundus_gold({"title": "T", "body": {"summary": ["S"], "sections": [{"headline": ["H"], "paragraphs": ["P"]}]}})
    'T\\nS\\nH\\nP'
    """
    body = fields.get("body") or {}
    lines = [fields.get("title") or "", *body.get("summary", [])]
    for section in body.get("sections", []):
        lines += [*section.get("headline", []), *section.get("paragraphs", [])]
    return "\n".join(line for line in lines if line)


# --- shared/eval ---------------------------------------------------------------------------------------

_URL_FIELD = re.compile(r"^https?://")


def eval_identity(base: Path) -> tuple[set[str], set[str]]:
    """The sha256 of every HTML file of ``shared/eval`` and the URLs its pages have (metadata ``url``
    fields, trafilatura's keys, and each page's canonical or og:url)."""
    hashes: set[str] = set()
    urls: set[str] = set()
    for path in sorted(base.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix.lower() in (".html", ".htm"):
            data = path.read_bytes()
            hashes.add(hashlib.sha256(data).hexdigest())
            if url := declared_url(decode_html(data)):
                urls.add(url_key(url))
        elif path.suffix.lower() == ".json":
            for value in _json_strings(json.loads(path.read_text(encoding="utf-8"))):
                if _URL_FIELD.match(value) and not re.search(r"\.(?:jpe?g|png|gif|webp|svg)(?:\?|$)", value, re.I):
                    urls.add(url_key(value))
    return hashes, urls


def _json_strings(value: Any, key: str = "") -> Iterator[str]:
    """Page URLs in a JSON document: ``url`` fields and object keys that are URLs."""
    if isinstance(value, dict):
        for k, v in value.items():
            if _URL_FIELD.match(k):
                yield k
            yield from _json_strings(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _json_strings(v, key)
    elif isinstance(value, str) and key in ("url", "canonical_link"):
        yield value


def eval_references(base: Path) -> list[Reference]:
    """The gold texts of ``shared/eval`` (pages with full gold; trafilatura's snippets are not a gold text)."""
    from benchmarks.eval_data import pages

    return [Reference(f"shared/eval {p.set}/{p.name}", ngrams(p.gold)) for p in pages(base) if p.gold]


# --- writing -------------------------------------------------------------------------------------------

def write_set(out: Path, kept: list[Candidate], report: list[dict[str, Any]], mirrors: dict[str, Mirror], *,
              second: bool) -> None:
    out.mkdir(parents=True, exist_ok=True)
    lines = []
    for cand in kept:
        html_rel = Path(cand.source) / "html" / f"{cand.name}.html"
        gold_rel = Path(cand.source) / "gold" / f"{cand.name}.txt"
        (out / html_rel).parent.mkdir(parents=True, exist_ok=True)
        (out / gold_rel).parent.mkdir(parents=True, exist_ok=True)
        (out / html_rel).write_bytes(cand.html)
        (out / gold_rel).write_text(cand.gold + "\n", encoding="utf-8")
        split = site_half(cand.site)
        entry: dict[str, Any] = {"set": f"{cand.source}_{split}" if second else cand.source, "name": cand.name,
                                 "html": html_rel.as_posix(), "gold": gold_rel.as_posix(), "site": cand.site,
                                 "bytes": len(cand.html)}
        if second:
            entry.update(split=split, url=cand.url, gold_kind=cand.gold_kind, origin=cand.origin)
        lines.append(json.dumps(entry, ensure_ascii=False))
    (out / "manifest.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    (out / "selection_report.jsonl").write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in report), encoding="utf-8")
    (out / "sources.json").write_text(json.dumps([m.describe() for m in mirrors.values()], indent=2) + "\n",
                                      encoding="utf-8")


def build_magic(mirrors: dict[str, Mirror], eval_base: Path) -> Selection:
    hashes, urls = eval_identity(eval_base)
    candidates = [*magic_html(mirrors[MAGIC_HTML]), *htmltotext_zh(mirrors[HTMLTOTEXT])]
    return select(candidates, eval_hashes=hashes, eval_urls=urls)


def build_heldout2(mirrors: dict[str, Mirror], eval_base: Path) -> Selection:
    hashes, urls = eval_identity(eval_base)
    first = build_magic(mirrors, eval_base)
    references = eval_references(eval_base) + [Reference(f"heldout {c.source}/{c.name}", ngrams(c.gold))
                                               for c in first.kept]
    candidates = [*gne(mirrors[GNE]), *cx163(mirrors[CX]), *fundus(mirrors[FUNDUS])]
    return select(candidates, eval_hashes=hashes, eval_urls=urls, references=references, own_label="heldout2 ")


def summary(selection: Selection, *, second: bool) -> str:
    kept: Counter[str] = Counter()
    for cand in selection.kept:
        kept[f"{cand.source} {site_half(cand.site)}"] += 1
    dropped = Counter(row["source"] for row in selection.report if not row["kept"])
    lines = [f"kept {len(selection.kept)} of {len(selection.report)} candidate pages"]
    lines += [f"  {key}: {n}" for key, n in sorted(kept.items())]
    lines += [f"  dropped from {source}: {n}" for source, n in sorted(dropped.items())]
    if second:
        kept_rows = [row for row in selection.report if row["kept"]]
        one = max((row.get("max_overlap_older_sets", 0.0) for row in kept_rows), default=0.0)
        pooled = max((row.get("overlap_older_sets_pooled", 0.0) for row in kept_rows), default=0.0)
        lines.append(f"  highest 8-gram overlap of a kept page with the older sets: {one:.4f} with one gold, "
                     f"{pooled:.4f} with all their golds pooled")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", required=True, choices=tuple(SET_REPOS), help="which held-out set to build")
    parser.add_argument("--out", required=True, help="output folder (e.g. /work/heldout or /work/heldout2)")
    parser.add_argument("--mirrors", default=str(DEFAULT_MIRRORS),
                        help="folder of the mirrored repositories, <owner>+<name>/repo (default /work/.mirror)")
    parser.add_argument("--eval-dir", help="shared/eval folder (default: next to the repository)")
    args = parser.parse_args(argv)
    try:
        mirrors = open_mirrors(Path(args.mirrors), SET_REPOS[args.set])
    except MissingMirror as missing:
        print(f"build_heldout: no mirror of {missing.args[0]} under {args.mirrors}; fetch it first "
              f"(fetch github:{missing.args[0]}) and rerun", file=sys.stderr)
        return 2
    from benchmarks.eval_data import eval_dir

    eval_base = eval_dir(args.eval_dir)
    second = args.set == "heldout2"
    selection = (build_heldout2 if second else build_magic)(mirrors, eval_base)
    write_set(Path(args.out), selection.kept, selection.report, mirrors, second=second)
    print(summary(selection, second=second))
    print(f"wrote {args.out}/manifest.jsonl, selection_report.jsonl, sources.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
