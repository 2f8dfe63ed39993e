"""Mine templated boilerplate across documents: lines that many documents carry, turned into rules.

Every site stamps the same lines on thousands of pages ("本文来源于…", a copyright notice whose site name
and year change, a disclaimer). No single page shows that they are boilerplate; the corpus does. Mining
reads the corpus twice, streaming, in bounded memory:

1. **Discover** (:meth:`BoilerplateMiner.discover`). Each short line gets an exact key and MinHash LSH
   band keys of the character n-grams of its template view (:mod:`corpusclean.mining.line_fingerprints`:
   Simplified-folded, punctuation dropped, digit runs collapsed), so variants that differ in a site name or
   a date share keys. Keys are counted once per document in a count-min sketch; the keys seen in several
   documents get an exact count and a random sample of their lines (:mod:`corpusclean.mining.heavy_hitters`).
   The lines sampled under a frequent key that resemble each other (Dice similarity of the character
   bigrams of their views, at least ``similarity``) form a family; each family's variants become one
   anchored pattern (:mod:`corpusclean.mining.line_templates`).
2. **Measure** (:meth:`BoilerplateMiner.measure`). The candidate patterns run over the corpus with the
   rule engine, after the rules already loaded (built-in packs), so a mined rule is credited only with
   lines nothing else removes. This gives exact counts: documents, where in them the line stands, sites,
   how many different documents (by content) carry it, and real corpus lines that share the rule's
   keyword without matching it (the rule's ``keep`` examples).
3. **Decide** (:meth:`BoilerplateMiner.decide`): the guards, so that legitimately common lines stay:

   * length: lines shorter than ``min_chars`` view characters or longer than ``max_chars`` are never mined
     (short headings, prose paragraphs), nor lines that open with a heading number (一、 （二） 第三章 1.);
   * documents: at least ``min_docs`` documents, most of them different (``min_distinct_share`` of them
     with different content: the last paragraph of one article reposted 50 times is not a template);
   * position: at least ``min_edge_share`` of the documents carry it within their first or last
     ``edge_lines`` non-blank lines (a third of a short document's lines; a quotation inside articles is
     not page chrome);
   * sites (when documents name their site: a ``url``, ``site``, ``hostname`` or ``domain`` field): at
     least ``min_sites`` sites, and most occurrences on sites where the line is on at least ``site_share``
     of the site's documents (a template is on most pages of its site; a famous quotation is on a few
     pages of many sites).

The rules that pass are checked against their own examples (:func:`corpusclean.rulepacks.engine.check_rule`)
before they are kept; :mod:`corpusclean.mining.mined_pack` writes them as a reviewable rule pack.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from corpusclean.document import Document
from corpusclean.mining.heavy_hitters import HeavyHitters
from corpusclean.mining.line_fingerprints import line_keys
from corpusclean.mining.line_templates import Template, generalise
from corpusclean.rulepacks.engine import RuleEngine, check_rule
from corpusclean.rulepacks.pack import Rule, matching_view, parse_rule

SITE_KEYS = ("site", "hostname", "host", "domain", "url", "source_url", "link")

# A line that opens with a heading number is a section heading ("一、基本情况", "（二）主要做法", "第三章",
# "1. 概述"): common across documents of one kind, and content.
_HEADING = re.compile(r"^\s*(?:[(（]?[一二三四五六七八九十百]{1,3}[)）、.．]|[(（][0-9]{1,2}[)）]|"
                      r"第[一二三四五六七八九十百零0-9]{1,4}[章节条部分篇编]|[0-9]{1,2}(?:[.．][0-9]{1,2})*[、.．]\s*\D)")
_SENTENCE_END = re.compile(r"[。！？!?]")
_NOT_WORD = re.compile(r"[\W_]+")
_DIGIT_RUN = re.compile(r"\d+")
_BATCH_CHARS = 1 << 20
_VARIANTS = 12
_EXAMPLES = 5
_NEAR_LINE_DOCS = 50_000  # keep examples are looked for in the first documents only (it costs a scan each)


def document_site(doc: Document, site_field: str | None = None) -> str:
    """The site a document comes from: a site/hostname/domain field, or the host of its url (``www.``
    dropped); ``""`` when the record names none. ``site_field`` names the field to use.

    >>> document_site(Document(id="1", text="正文", fields={"url": "https://www.Xinhuanet.com/a/1.htm"}))
    'xinhuanet.com'
    >>> document_site(Document(id="2", text="正文", meta={"hostname": "news.sina.com.cn"}))
    'news.sina.com.cn'
    """
    keys = (site_field,) if site_field else SITE_KEYS
    for key in keys:
        value = doc.fields.get(key, doc.meta.get(key))
        if not isinstance(value, str) or not value.strip():
            continue
        value = value.strip()
        if "://" in value or value.startswith("//"):
            value = urlsplit(value if "://" in value else "http:" + value).hostname or ""
        value = value.lower().rstrip(".")
        return value[4:] if value.startswith("www.") else value
    return ""


def is_heading(line: str) -> bool:
    """Whether a line opens with a section number, like a heading.

    >>> is_heading("一、基本情况"), is_heading("（二）主要做法"), is_heading("本文来源于新华网")
    (True, True, False)
    """
    return bool(_HEADING.match(line))


@dataclass(slots=True)
class Candidate:
    """A family of similar frequent lines and the pattern generalising over them."""

    template: Template
    variants: list[tuple[str, int]]
    estimate: int
    rule_id: str = ""
    docs: int = 0
    lines: int = 0
    edge_docs: int = 0
    head_docs: int = 0
    tail_docs: int = 0
    from_head: list[int] = field(default_factory=lambda: [0, 0])  # sum and max over documents of the
    from_tail: list[int] = field(default_factory=lambda: [0, 0])  # distance (in lines) from that end
    sites: Counter[str] = field(default_factory=Counter)
    contexts: set[int] = field(default_factory=set)
    matched: Counter[str] = field(default_factory=Counter)
    near: list[str] = field(default_factory=list)


@dataclass(slots=True)
class MinedRule:
    """A rule that passed the guards, with the evidence for it (written into the pack's comments)."""

    rule: dict[str, Any]
    docs: int
    lines: int
    sites: list[tuple[str, int]]
    site_count: int
    edge_share: float
    distinct_share: float
    variants: list[tuple[str, int]]

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.rule["id"], "pattern": self.rule["pattern"], "where": self.rule.get("where", "anywhere"),
                "docs": self.docs, "lines": self.lines, "sites": self.site_count, "top_sites": self.sites[:5],
                "edge_share": round(self.edge_share, 3), "distinct_share": round(self.distinct_share, 3),
                "examples": list(self.rule["remove"])}


@dataclass(slots=True)
class MiningResult:
    """What a mining run found: the rules kept, the candidates dropped (id, why, an example line), and corpus
    counts."""

    rules: list[MinedRule]
    dropped: list[tuple[str, str, str]]
    documents: int
    documents_with_site: int
    sites: int
    params: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"rules": [rule.as_dict() for rule in self.rules], "dropped": [list(d) for d in self.dropped],
                "documents": self.documents, "documents_with_site": self.documents_with_site, "sites": self.sites,
                "params": self.params}


class BoilerplateMiner:
    """Find templated lines that many documents carry and turn them into checked rules.

    >>> docs = [Document(id=str(n), text=f"第{n}篇报道的正文，讲述了当地发生的一件新鲜事，共{n}个人参加。\\n"
    ...                  f"本文来源于{site}，版权所有，未经授权不得转载。", fields={"url": f"https://{host}/{n}"})
    ...         for n in range(24) for site, host in [[("新华网", "xinhua.cn"), ("人民网", "people.cn")][n % 2]]]
    >>> result = BoilerplateMiner(min_docs=10).mine(lambda: docs)
    >>> [(r.docs, r.site_count, r.rule["remove"][0]) for r in result.rules]
    [(24, 2, '本文来源于新华网，版权所有，未经授权不得转载。')]
    """

    def __init__(self, *, min_docs: int = 10, min_chars: int = 8, max_chars: int = 200, edge_lines: int = 5,
                 min_edge_share: float = 0.8, min_distinct_share: float = 0.5, site_share: float = 0.3,
                 min_sites: int = 1, similarity: float = 0.5, ngram: int = 3, bands: int = 12, rows: int = 2,
                 max_rules: int = 200, site_field: str | None = None, seed: int = 1,
                 max_tracked: int = 200_000) -> None:
        for key, value in (("min_docs", min_docs), ("min_chars", min_chars), ("max_chars", max_chars),
                           ("edge_lines", edge_lines), ("min_sites", min_sites), ("ngram", ngram),
                           ("bands", bands), ("rows", rows), ("max_rules", max_rules), ("max_tracked", max_tracked)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{key} must be a positive integer, got {value!r}")
        for key, share in (("min_edge_share", min_edge_share), ("min_distinct_share", min_distinct_share),
                           ("site_share", site_share), ("similarity", similarity)):
            if not isinstance(share, int | float) or not 0.0 <= share <= 1.0:
                raise ValueError(f"{key} must be a number between 0 and 1, got {share!r}")
        if min_chars > max_chars:
            raise ValueError(f"min_chars ({min_chars}) must not exceed max_chars ({max_chars})")
        self.min_docs, self.min_chars, self.max_chars = min_docs, min_chars, max_chars
        self.edge_lines, self.min_edge_share = edge_lines, float(min_edge_share)
        self.min_distinct_share, self.site_share = float(min_distinct_share), float(site_share)
        self.min_sites, self.similarity = min_sites, float(similarity)
        self.ngram, self.bands, self.rows, self.seed = ngram, bands, rows, seed
        self.max_rules, self.site_field, self.max_tracked = max_rules, site_field, max_tracked

    def params(self) -> dict[str, Any]:
        return {"min_docs": self.min_docs, "min_chars": self.min_chars, "max_chars": self.max_chars,
                "edge_lines": self.edge_lines, "min_edge_share": self.min_edge_share,
                "min_distinct_share": self.min_distinct_share, "site_share": self.site_share,
                "min_sites": self.min_sites, "similarity": self.similarity, "ngram": self.ngram,
                "bands": self.bands, "rows": self.rows, "seed": self.seed}

    # --- pass 1: discover -------------------------------------------------------------------------------

    def eligible(self, line: str) -> bool:
        """Whether a (stripped) line may be mined at all: length within bounds, not a numbered heading."""
        return self.min_chars <= len(line) <= self.max_chars and not is_heading(line)

    def discover(self, docs: Iterable[Document]) -> list[Candidate]:
        """Pass 1: count fingerprints of every eligible line; families of frequent similar lines, as
        patterns, most frequent first."""
        return self.families(self.count(docs))

    def count(self, docs: Iterable[Document]) -> HeavyHitters:
        """The streaming part of pass 1: fingerprints of every eligible line, counted per document."""
        hitters = HeavyHitters(track_from=min(3, self.min_docs), max_tracked=self.max_tracked, seed=self.seed)
        lines: list[str] = []
        owners: list[int] = []
        edges: list[bool] = []
        chars = 0
        for number, doc in enumerate(docs):
            if doc.rejected is not None:
                continue
            stripped = [line for line in map(str.strip, doc.text.split("\n")) if line]
            count = len(stripped)
            edge = max(1, min(self.edge_lines, count // 3))
            for rank, line in enumerate(stripped):
                if self.eligible(line):
                    lines.append(line)
                    owners.append(number)
                    edges.append(rank < edge or rank >= count - edge)
                    chars += len(line)
            if chars >= _BATCH_CHARS:
                self._count_batch(hitters, lines, owners, edges)
                lines, owners, edges, chars = [], [], [], 0
        self._count_batch(hitters, lines, owners, edges)
        return hitters

    def _count_batch(self, hitters: HeavyHitters, lines: list[str], owners: list[int], edges: list[bool]) -> None:
        if not lines:
            return
        keys = line_keys(lines, ngram=self.ngram, bands=self.bands, rows=self.rows, seed=self.seed)
        valid = np.flatnonzero(keys.lengths >= self.min_chars)
        if len(valid) == 0:
            return
        doc = np.asarray(owners, dtype=np.int64)[valid]
        band = keys.bands[valid]
        all_keys = np.concatenate([keys.exact[valid], band.ravel()])
        all_docs = np.concatenate([doc, np.repeat(doc, self.bands)])
        carriers = np.concatenate([valid, np.repeat(valid, self.bands)])
        real = all_keys != 0
        all_keys, all_docs, carriers = all_keys[real], all_docs[real], carriers[real]
        order = np.lexsort((all_docs, all_keys))  # each key once per document
        k, d, carriers = all_keys[order], all_docs[order], carriers[order]
        first = np.flatnonzero(np.r_[True, (k[1:] != k[:-1]) | (d[1:] != d[:-1])])
        at_edge = np.asarray(edges, dtype=np.uint8)[carriers]
        flags = np.maximum.reduceat(at_edge, first).astype(bool)  # at an edge anywhere in that document
        hitters.add(k[first], carriers[first], lines, flags=flags)

    def families(self, hitters: HeavyHitters) -> list[Candidate]:
        """The end of pass 1: frequent keys whose sampled lines resemble each other, grouped into families,
        each generalised into a pattern (at most ``2 * max_rules`` candidates, most frequent first)."""
        views: dict[str, str] = {}

        def view(text: str) -> str:  # the template view of one line (str methods: cheaper than numpy per line)
            found = views.get(text)
            if found is None:
                found = views[text] = _DIGIT_RUN.sub("0", _NOT_WORD.sub("", matching_view(text)))
            return found

        bigram_sets: dict[str, set[str]] = {}

        def grams(text: str) -> set[str]:
            found = bigram_sets.get(text)
            if found is None:
                found = bigram_sets[text] = _bigrams(view(text))
            return found

        parent: dict[str, str] = {}

        def root(text: str) -> str:
            while parent.setdefault(text, text) != text:
                parent[text] = parent[parent[text]]
                text = parent[text]
            return text

        weight: Counter[str] = Counter()
        estimate: dict[str, int] = {}
        floor = max(2, self.min_docs // 2)
        # Pass 1 already knows roughly where keys stand: one mostly in the middle of documents (a sentence
        # repeated across articles) is no template, and is not worth a pattern and a second-pass check.
        keys = [key for key in hitters.frequent(floor)
                if hitters.tracked[key].flagged >= 0.5 * self.min_edge_share * hitters.tracked[key].docs]
        for key in keys[: 20 * self.max_rules]:  # the most frequent keys (a family has up to 1 + bands keys)
            entry = hitters.tracked[key]
            counts = Counter(entry.sample)
            representative = min(counts, key=lambda text: (-counts[text], text))
            rep_grams = grams(representative)
            members = [text for text in counts
                       if text == representative or _dice(rep_grams, grams(text)) >= self.similarity]
            share = sum(counts[text] for text in members) / len(entry.sample)
            verified = int(entry.estimate * share)
            if verified < floor:
                continue
            for text in members:
                weight[text] = max(weight[text], counts[text] * entry.estimate // len(entry.sample))
                parent[root(text)] = root(representative)
            estimate[representative] = max(estimate.get(representative, 0), verified)
        groups: dict[str, list[str]] = {}
        for text in weight:
            groups.setdefault(root(text), []).append(text)
        family_estimate: Counter[str] = Counter()
        for text, value in estimate.items():
            family_estimate[root(text)] = max(family_estimate[root(text)], value)
        unique: list[Candidate] = []
        seen: set[str] = set()
        # Largest families first; stop at 2 * max_rules candidates (generalising costs per family).
        for head in sorted(groups, key=lambda h: (-family_estimate[h], h)):
            if len(unique) >= 2 * self.max_rules:
                break
            ranked = sorted(groups[head], key=lambda text: (-weight[text], text))
            distinct: dict[str, str] = {}
            for text in ranked:  # one variant per matching view (spacing/script differences add nothing)
                distinct.setdefault(matching_view(text), text)
            variants = list(distinct.values())[:_VARIANTS]
            template = _generalise_best(variants)
            if template is None or template.pattern in seen:
                continue
            seen.add(template.pattern)
            digest = hashlib.blake2b(template.pattern.encode(), digest_size=4).hexdigest()
            unique.append(Candidate(template=template, variants=[(t, weight[t]) for t in variants],
                                    estimate=family_estimate[head], rule_id=f"mined_{digest}"))
        return unique

    # --- pass 2: measure --------------------------------------------------------------------------------

    def measure(self, docs: Iterable[Document], candidates: list[Candidate],
                existing: list[Rule] | tuple[Rule, ...] = ()) -> tuple[int, int, Counter[str]]:
        """Pass 2: run the candidate patterns (after ``existing`` rules) over the corpus and fill each
        candidate's exact counts. Returns (documents, documents with a site, documents per site)."""
        rules = {c.rule_id: _probe_rule(c) for c in candidates}
        by_id = {c.rule_id: c for c in candidates}
        engine = RuleEngine([*existing, *rules.values()])
        needy = list(candidates)
        scanned: tuple[int, Any] | None = None
        site_docs: Counter[str] = Counter()
        total = with_site = 0
        for doc in docs:
            if doc.rejected is not None:
                continue
            total += 1
            site = document_site(doc, self.site_field)
            if site:
                with_site += 1
                site_docs[site] += 1
            out = engine.apply(doc.text)
            hits = [cut for cut in out.cuts if cut.rule in by_id]
            if hits:
                self._credit(doc, site, hits, by_id, {cut.line for cut in out.cuts})
            if needy and total <= _NEAR_LINE_DOCS:
                if scanned is None or len(needy) * 2 < scanned[0]:  # one keyword scan for all candidates
                    scanned = (len(needy), _scanner([c.template.keyword for c in needy]))
                needy = self._near_lines(doc.text, needy, rules, scanned[1])
        return total, with_site, site_docs

    def _credit(self, doc: Document, site: str, hits: list[Any], by_id: dict[str, Candidate],
                cut_lines: set[int]) -> None:
        raw_lines = doc.text.split("\n")
        nonblank = [number for number, line in enumerate(raw_lines) if line.strip()]
        position = {number: rank for rank, number in enumerate(nonblank)}
        count = len(nonblank)
        edge = max(1, min(self.edge_lines, count // 3))  # in a short document, its first or last third
        # What the document is about: its longest line that no rule cut (the same for copies of one article).
        content = max((line.strip() for number, line in enumerate(raw_lines) if number not in cut_lines),
                      key=len, default="")
        context = int.from_bytes(hashlib.blake2b(content.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
                                 "little")
        seen: dict[str, tuple[int, int]] = {}
        for cut in hits:
            candidate = by_id[cut.rule]
            candidate.lines += 1
            candidate.matched[cut.text.strip()] += 1
            rank = position.get(cut.line, 0)
            from_head, from_tail = seen.get(cut.rule, (count, count))
            seen[cut.rule] = (min(from_head, rank), min(from_tail, count - 1 - rank))
        for rule_id, (from_head, from_tail) in seen.items():
            candidate = by_id[rule_id]
            candidate.docs += 1
            candidate.head_docs += from_head < edge
            candidate.tail_docs += from_tail < edge
            candidate.edge_docs += from_head < edge or from_tail < edge
            for total, distance in ((candidate.from_head, from_head), (candidate.from_tail, from_tail)):
                total[0] += distance
                total[1] = max(total[1], distance)
            if site:
                candidate.sites[site] += 1
            if len(candidate.contexts) < 100_000:
                candidate.contexts.add(context)

    def _near_lines(self, text: str, needy: list[Candidate], rules: dict[str, Rule], scanner: Any) -> list[Candidate]:
        """Collect real lines that hold a candidate's keyword but are not matched by it: its keep examples."""
        view = matching_view(text)
        present = set(scanner.find_matches_as_strings(view, overlapping=True))
        views: list[tuple[str, str]] | None = None
        for candidate in needy:
            keyword = candidate.template.keyword
            if keyword not in present:
                continue
            if views is None:
                views = [(line.strip(), matching_view(line.strip())) for line in text.split("\n")]
            rule = rules[candidate.rule_id]
            for line, line_view in views:
                if (len(candidate.near) < 3 and len(line) >= 10 and keyword in line_view
                        and line not in candidate.near and rule.matches(line_view) is None):
                    candidate.near.append(line)
        return [c for c in needy if len(c.near) < 3]

    # --- decide -----------------------------------------------------------------------------------------

    def decide(self, candidates: list[Candidate], *, documents: int, with_site: int, site_docs: Counter[str],
               fallback_keep: list[str]) -> tuple[list[MinedRule], list[tuple[str, str, str]]]:
        """Apply the guards to measured candidates; build and check each surviving rule."""
        kept: list[MinedRule] = []
        dropped: list[tuple[str, str, str]] = []  # rule id, reason, most frequent variant
        use_sites = with_site * 2 >= max(documents, 1)
        for candidate in candidates:
            reason = self._guard(candidate, use_sites, site_docs)
            if reason is None and len(kept) >= self.max_rules:
                reason = f"over max_rules ({self.max_rules})"
            table = None
            if reason is None:
                table, reason = self._rule_table(candidate, fallback_keep)
            if table is None:
                dropped.append((candidate.rule_id, reason or "no rule", candidate.variants[0][0]))
                continue
            kept.append(MinedRule(rule=table, docs=candidate.docs, lines=candidate.lines,
                                  sites=candidate.sites.most_common(), site_count=len(candidate.sites),
                                  edge_share=candidate.edge_docs / candidate.docs,
                                  distinct_share=len(candidate.contexts) / candidate.docs,
                                  variants=candidate.matched.most_common(_VARIANTS)))
        return kept, dropped

    def _guard(self, candidate: Candidate, use_sites: bool, site_docs: Counter[str]) -> str | None:
        """Why a measured candidate is not boilerplate, or None when every guard passes."""
        docs = candidate.docs
        if docs < self.min_docs:
            return f"in {docs} documents (min_docs {self.min_docs}) after the rules already loaded"
        edge = candidate.edge_docs / docs
        if edge < self.min_edge_share:
            return f"at the head or tail of {edge:.0%} of its documents (min_edge_share {self.min_edge_share:.0%})"
        distinct = len(candidate.contexts) / docs
        if distinct < self.min_distinct_share:
            return (f"its {docs} documents have {len(candidate.contexts)} different contents (copies of one "
                    f"article; min_distinct_share {self.min_distinct_share:.0%})")
        if use_sites:
            if len(candidate.sites) < self.min_sites:
                return f"on {len(candidate.sites)} sites (min_sites {self.min_sites})"
            on_sites = sum(candidate.sites.values())
            templated = sum(count for site, count in candidate.sites.items()
                            if site_docs[site] >= 2 and count >= self.site_share * site_docs[site])
            if on_sites and templated * 2 < on_sites:
                return (f"only {templated} of its {on_sites} documents are on sites where it is on "
                        f">= {self.site_share:.0%} of the pages (a common line, not a site template)")
        return None

    def _rule_table(self, candidate: Candidate, fallback_keep: list[str]) -> tuple[dict[str, Any] | None, str | None]:
        template = candidate.template
        remove = [text for text, _ in candidate.matched.most_common(_EXAMPLES)]
        rule_check = _probe_rule(candidate)
        keep = [line for line in [*candidate.near, *fallback_keep]
                if rule_check.matches(matching_view(line)) is None][:2]
        if not keep:
            return None, "no corpus line to serve as a keep example"
        # Confine the rule to the end of the documents it was found at, when every occurrence was within
        # 2 * edge_lines lines of that end: then the rule cannot reach into an article's middle.
        where, within = "anywhere", 2 * self.edge_lines
        (head_sum, head_max), (tail_sum, tail_max) = candidate.from_head, candidate.from_tail
        if tail_max < within and tail_sum <= head_sum:
            where = "tail"
        elif head_max < within and head_sum < tail_sum:
            where = "head"
        longest = max(len(text) for text in candidate.matched)
        sites = len(candidate.sites)
        table: dict[str, Any] = {
            "id": candidate.rule_id, "kind": "line", "keywords": [template.keyword], "pattern": template.pattern,
        }
        if where != "anywhere":
            table["where"], table["within"] = where, within
        table["max_chars"] = max(longest + 20, int(longest * 1.5))
        on = f" on {sites} sites" if sites else ""
        table["description"] = (f"Mined: templated line in {candidate.docs} documents{on}, "
                                f"{len(candidate.matched)} variants")
        table["remove"] = remove
        table["keep"] = keep
        try:
            rule = parse_rule(table, pack="mined", source="mined")
        except ValueError as exc:
            return None, f"invalid rule: {exc}"
        failures = check_rule(rule)
        if failures:
            return None, "its own examples fail: " + "; ".join(failures)
        return table, None

    # --- both passes ------------------------------------------------------------------------------------

    def mine(self, open_docs: Callable[[], Iterable[Document]],
             existing: list[Rule] | tuple[Rule, ...] = ()) -> MiningResult:
        """Both passes over the documents ``open_docs()`` yields (called twice: the corpus is read twice).

        ``existing``: rules already applied when cleaning (the built-in packs); lines they remove are not
        credited to mined rules, so the pack holds only what they miss.
        """
        candidates = self.discover(open_docs())
        fallback: list[str] = []
        documents, with_site, site_docs = self.measure(_sampling(open_docs(), fallback), candidates, existing)
        rules, dropped = self.decide(candidates, documents=documents, with_site=with_site, site_docs=site_docs,
                                     fallback_keep=fallback)
        return MiningResult(rules=rules, dropped=dropped, documents=documents, documents_with_site=with_site,
                            sites=len(site_docs), params=self.params())


def _sampling(docs: Iterable[Document], pool: list[str], size: int = 50) -> Iterator[Document]:
    """Pass documents through, keeping the first real prose line of each of the first ``size`` documents
    (keep examples for rules whose keyword no other corpus line holds)."""
    for doc in docs:
        if len(pool) < size and doc.rejected is None:
            for line in map(str.strip, doc.text.split("\n")):
                if len(line) >= 20 and _SENTENCE_END.search(line) and len(pool) < size:
                    pool.append(line)
                    break
        yield doc


def _probe_rule(candidate: Candidate) -> Rule:
    """The candidate as a rule matching anywhere in a document (for measuring where it really occurs)."""
    template = candidate.template
    longest = max(len(text) for text, _ in candidate.variants)
    return parse_rule({"id": candidate.rule_id, "kind": "line", "keywords": [template.keyword],
                       "pattern": template.pattern, "max_chars": max(longest + 20, int(longest * 1.5)),
                       "description": "candidate", "remove": [candidate.variants[0][0]], "keep": ["-"]},
                      pack="mined", source="mined")


def _scanner(keywords: list[str]) -> Any:
    import ahocorasick_rs

    return ahocorasick_rs.AhoCorasick(sorted(set(keywords)), implementation=ahocorasick_rs.Implementation.DFA)


def _bigrams(view: str) -> set[str]:
    return {view[i:i + 2] for i in range(len(view) - 1)} or {view}


def _dice(a: set[str], b: set[str]) -> float:
    """Dice similarity of two bigram sets: 0.5 for 本文来源新华网 / 本文来源人民网 (half of each is the skeleton)."""
    return 2 * len(a & b) / (len(a) + len(b))


def _generalise_best(variants: list[str]) -> Template | None:
    """A pattern over as many of the variants (most frequent first) as still give a safe one."""
    for count in sorted({len(variants), min(len(variants), 3), 1}, reverse=True):
        template = generalise(variants[:count])
        if template is not None:
            return template
    return None


def mine_files(inputs: list[str] | tuple[str, ...], *, miner: BoilerplateMiner | None = None,
               parse: Any = None, fmt: str | None = None, existing: list[Rule] | tuple[Rule, ...] = (),
               errors: list[str] | None = None) -> MiningResult:
    """Mine input files (any format ``corpusclean clean`` reads). They are read twice, so stdin cannot be
    one; unreadable inputs are reported in ``errors`` and skipped, as ``clean`` does."""
    from corpusclean.io.parse import ParseOptions, parse_item
    from corpusclean.io.readers import STDIN, iter_raw

    if any(spec == STDIN for spec in inputs):
        raise ValueError("mining reads its inputs twice and stdin ('-') can be read once: save it to a file first")
    miner = miner or BoilerplateMiner()
    options = parse or ParseOptions()
    passes = [errors if errors is not None else [], []]  # report read errors of the first pass only

    def open_docs() -> Iterator[Document]:
        found = passes.pop(0) if passes else []
        for item in iter_raw(list(inputs), found, fmt=fmt):
            yield parse_item(item, options)

    return miner.mine(open_docs, existing)


def existing_rules(packs: list[str] | tuple[str, ...], disable: list[str] | tuple[str, ...] = ()) -> list[Rule]:
    """The rules a rules stage with these ``packs`` and ``disable`` applies (credited before mined ones)."""
    from corpusclean.rulepacks.pack import load_packs

    off = set(disable)
    return [rule for pack in load_packs(list(packs)) for rule in pack.rules if rule.id not in off]
