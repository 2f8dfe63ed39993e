"""Deduplication on real articles with planted duplicates (see tests/dedup_corpus.py)."""

from __future__ import annotations

import json
import os
import random
from collections import defaultdict

import numpy as np
import pytest
from dedup_corpus import (
    base_articles,
    cluster_pairs,
    make_variant,
    planted_corpus,
    precision_recall,
    true_pairs,
    wrap_in_chrome,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from corpusclean.dedup.clusters import components, kept_members
from corpusclean.dedup.minhash import agreement, signature
from corpusclean.dedup.shingles import normalized_view, shingle_hashes, view_codes
from corpusclean.document import Document
from corpusclean.pipeline import Pipeline
from corpusclean.recipe import build_pipeline, default_recipe
from corpusclean.stages.dedup import Dedup


@pytest.fixture(scope="module")
def planted():
    return planted_corpus(duplicated=0.7, max_variants=3, seed=5)


def dedup(docs, **params) -> list[Document]:
    return list(Pipeline([Dedup(**params)]).run([Document(id=d.id, text=d.text) for d in docs]))


def clusters_of(out: list[Document]) -> set[frozenset[str]]:
    """The partition the stage decided: each kept document with the documents rejected as its duplicates."""
    groups: dict[str, set[str]] = defaultdict(set)
    for doc in out:
        kept = doc.rejected.detail["duplicate_of"] if doc.rejected else doc.id
        groups[kept].add(doc.id)
    return {frozenset(members) for members in groups.values()}


@pytest.fixture(scope="module")
def planted_out(planted):
    return dedup(planted)


def test_planted_duplicates_precision_and_recall(planted, planted_out):
    precision, recall = precision_recall(cluster_pairs(list(clusters_of(planted_out))), true_pairs(planted))
    assert precision >= 0.99
    assert recall >= 0.97


@pytest.mark.parametrize("kind", ["exact", "chrome", "traditional", "edited", "dropped", "reordered"])
def test_every_kind_of_variant_joins_its_original(planted, planted_out, kind):
    cluster_of = {member: members for members in clusters_of(planted_out) for member in members}
    originals = {d.group: d.id for d in planted if d.kind == "original"}
    variants = [d for d in planted if d.kind == kind]
    assert variants, f"the planted corpus has no {kind} variant"
    joined = [d for d in variants if originals[d.group] in cluster_of[d.id]]
    assert len(joined) == len(variants), [d.id for d in variants if d not in joined]


def test_rejects_name_the_kept_document_and_kept_ones_carry_the_cluster(planted_out):
    by_id = {doc.id: doc for doc in planted_out}
    rejected = [doc for doc in planted_out if doc.rejected]
    assert rejected
    for doc in rejected:
        kept = by_id[doc.rejected.detail["duplicate_of"]]
        assert doc.rejected.stage == "dedup"
        assert doc.rejected.rule in ("exact_duplicate", "near_duplicate")
        assert kept.rejected is None
        assert kept.meta["dup_cluster"] == doc.rejected.detail["dup_cluster"]
    for members in clusters_of(planted_out):
        kept = [by_id[m] for m in members if by_id[m].rejected is None]
        assert len(kept) == 1
        assert kept[0].meta["dup_count"] == len(members)


def test_exact_copies_are_exact_duplicates():
    article = base_articles()[3]
    out = dedup([Document(id="a", text=article), Document(id="b", text="  " + article.replace("\n", "\n\n"))])
    assert out[1].rejected.rule == "exact_duplicate"
    assert out[1].rejected.value == 1.0


def test_traditional_copy_is_a_duplicate_of_the_simplified_one():
    import opencc

    article = base_articles()[5]
    traditional = opencc.OpenCC("s2t").convert(article)
    assert traditional != article
    out = dedup([Document(id="simplified", text=article), Document(id="traditional", text=traditional)])
    assert out[1].rejected.detail["duplicate_of"] == "simplified"


def test_different_articles_in_the_same_chrome_are_kept():
    """Parts of one source (same topic and style) in identical site chrome: not duplicates."""
    rng = random.Random(3)
    bases = base_articles()
    header = "当前位置：首页 > 新闻中心 > 国内\n来源：人民网　作者：王芳　发布时间：2023-05-06"
    footer = "版权所有 © 2023 人民网 未经授权禁止转载\n分享到：微信 微博 QQ空间\n扫一扫在手机打开当前页"
    docs = [Document(id=str(i), text=f"{header}\n{bases[i]}\n{footer}") for i in range(12)]
    docs.append(Document(id="x", text=wrap_in_chrome(rng, bases[0])))
    out = dedup(docs)
    assert [d.id for d in out if d.rejected] == ["x"]


def test_clusters_do_not_depend_on_input_order(planted, planted_out):
    shuffled = list(planted)
    random.Random(11).shuffle(shuffled)
    assert clusters_of(dedup(shuffled)) == clusters_of(planted_out)


def test_keep_first_keeps_the_earliest_and_longest_the_longest(planted, planted_out):
    position = {d.id: n for n, d in enumerate(planted)}
    length = {d.id: len(d.text) for d in planted}
    for members in clusters_of(planted_out):
        kept = [d.id for d in planted_out if d.id in members and d.rejected is None]
        assert kept == [min(members, key=position.get)]
    longest = dedup(planted, keep="longest")
    assert clusters_of(longest) == clusters_of(planted_out)
    for doc in longest:
        if doc.rejected:
            assert length[doc.rejected.detail["duplicate_of"]] >= length[doc.id]


def test_two_workers_give_identical_output(planted):
    docs = planted[:80]

    def run(workers):
        pipe = Pipeline([Dedup()])
        out = pipe.run([Document(id=d.id, text=d.text) for d in docs], workers=workers)
        return [(d.id, d.rejected.as_dict() if d.rejected else None, d.meta) for d in out]

    assert run(2) == run(1)


def test_spilled_documents_are_removed_after_the_run(tmp_path, planted):
    out = list(Pipeline([Dedup(spill_dir=str(tmp_path))]).run([Document(id=d.id, text=d.text) for d in planted[:20]]))
    assert len(out) == 20
    assert os.listdir(tmp_path) == []


def test_documents_rejected_earlier_pass_through_untouched(planted):
    docs = [Document(id=d.id, text=d.text) for d in planted[:10]]
    docs[0].reject("min_length", "min_chars", value=1, threshold=2)
    out = list(Dedup().run(iter(docs)))
    assert [d.id for d in out] == [d.id for d in docs]
    assert out[0].rejected.stage == "min_length"
    assert "dup_count" not in out[0].meta


def test_index_dedups_a_new_crawl_against_the_previous_run(tmp_path, planted):
    index = str(tmp_path / "seen.npz")
    first = [d for d in planted if d.kind == "original"][:30]
    out1 = dedup(first, index=index)
    assert all(d.rejected is None for d in out1)
    rng = random.Random(2)
    unseen = next(a for g, a in enumerate(base_articles()) if g not in {d.group for d in first})
    reposts = [Document(id="new-edit", text=make_variant(rng, first[0].text, "edited")),
               Document(id="new-trad", text=make_variant(rng, first[1].text, "traditional")),
               Document(id="new-unique", text=unseen)]
    out2 = list(Pipeline([Dedup(index=index)]).run(reposts))
    assert [d.rejected.detail["duplicate_of"] if d.rejected else None for d in out2] == [first[0].id, first[1].id, None]
    again = list(Pipeline([Dedup(index=index)]).run([Document(id="third", text=reposts[2].text)]))
    assert again[0].rejected.detail["duplicate_of"] == "new-unique"


def test_index_built_with_other_parameters_is_refused(tmp_path, planted):
    index = str(tmp_path / "seen.npz")
    dedup(planted[:5], index=index)
    with pytest.raises(ValueError, match="num_perm=128, this run uses num_perm=64"):
        dedup(planted[:5], index=index, num_perm=64, bands=16)


def test_bad_parameters_name_the_value():
    with pytest.raises(ValueError, match="keep must be one of first, longest, got 'last'"):
        Dedup(keep="last")
    with pytest.raises(ValueError, match="bands \\* rows = 160 exceeds num_perm = 128"):
        Dedup(bands=20, rows=8)


def test_default_recipe_ends_with_dedup():
    assert build_pipeline(default_recipe()).names[-1] == "dedup"


def test_signature_agreement_estimates_jaccard_on_real_text():
    """On real articles and their edited copies, the estimate is within 0.1 of the true Jaccard."""
    rng = random.Random(7)
    errors = []
    for article in base_articles()[:30]:
        copy = make_variant(rng, article, rng.choice(["edited", "dropped", "chrome"]))
        a, b = (shingle_hashes(view_codes(t)) for t in (article, copy))
        true = len(set(a.tolist()) & set(b.tolist())) / len(set(a.tolist()) | set(b.tolist()))
        errors.append(abs(agreement(signature(a), signature(b)) - true))
    assert max(errors) < 0.1
    assert float(np.mean(errors)) < 0.04


def test_normalized_view_folds_script_width_and_punctuation():
    assert normalized_view("《貴州日報》２０２３年，ＡＢＣ！") == normalized_view("贵州日报 2023年 abc")


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=60))),
    st.randoms())
def test_components_match_union_find_whatever_the_edge_order(graph, rnd):
    count, edges = graph
    parent = list(range(count))

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in edges:
        parent[find(a)] = find(b)
    reference = [min(i for i in range(count) if find(i) == find(node)) for node in range(count)]
    rnd.shuffle(edges)
    left = np.array([a for a, _ in edges], dtype=np.int64)
    right = np.array([b for _, b in edges], dtype=np.int64)
    assert components(count, left, right).tolist() == reference
    assert kept_members(components(count, right, left)).tolist() == reference


def test_rejects_record_serialises(planted_out):
    from corpusclean.io.writers import reject_records

    doc = next(d for d in planted_out if d.rejected)
    record = reject_records(doc)[-1]
    assert json.loads(json.dumps(record, ensure_ascii=False))["duplicate_of"] == doc.rejected.detail["duplicate_of"]


def test_cli_dedups_by_default_and_no_dedup_turns_it_off(tmp_path, planted):
    from click.testing import CliRunner

    from corpusclean.cli import main

    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"id": d.id, "text": d.text}, ensure_ascii=False) + "\n"
                              for d in planted[:60]), encoding="utf-8")
    recipe = tmp_path / "recipe.toml"
    recipe.write_text('[[stages]]\nuse = "whitespace"\n\n[[stages]]\nuse = "dedup"\n', encoding="utf-8")
    runner = CliRunner()
    kept = {}
    for flag in ([], ["--no-dedup"]):
        out = tmp_path / f"out{len(flag)}.jsonl"
        result = runner.invoke(main, ["clean", str(source), "-o", str(out), "--config", str(recipe), "-q", *flag])
        assert result.exit_code == 0, result.output
        kept[bool(flag)] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    expected = len({frozenset(c) for c in clusters_of(dedup(planted[:60]))})
    assert len(kept[False]) == expected < 60
    assert len(kept[True]) == 60
    assert all("dup_count" in r["meta"] for r in kept[False])


def test_cli_dedup_index_carries_over_to_the_next_run(tmp_path, planted):
    from click.testing import CliRunner

    from corpusclean.cli import main

    recipe = tmp_path / "recipe.toml"
    recipe.write_text('[[stages]]\nuse = "dedup"\n', encoding="utf-8")
    originals = [d for d in planted if d.kind == "original"][:10]
    rng = random.Random(4)
    for name, docs in (("old", originals), ("new", originals[:3])):
        texts = [(d.id, make_variant(rng, d.text, "chrome") if name == "new" else d.text) for d in docs]
        lines = [json.dumps({"id": f"{name}-{i}", "text": t}, ensure_ascii=False) + "\n" for i, t in texts]
        (tmp_path / f"{name}.jsonl").write_text("".join(lines), encoding="utf-8")
    runner = CliRunner()
    index = tmp_path / "seen.npz"
    for name in ("old", "new"):
        paths = [str(tmp_path / f"{name}.{suffix}") for suffix in ("jsonl", "out.jsonl", "rej.jsonl")]
        result = runner.invoke(main, ["clean", paths[0], "-o", paths[1], "--rejects", paths[2],
                                      "--config", str(recipe), "--dedup-index", str(index), "-q"])
        assert result.exit_code == 0, result.output
    assert (tmp_path / "new.out.jsonl").read_text(encoding="utf-8") == ""
    rejects = [json.loads(line) for line in (tmp_path / "new.rej.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["duplicate_of"] for r in rejects] == [f"old-{d.id}" for d in originals[:3]]
    result = runner.invoke(main, ["clean", str(tmp_path / "new.jsonl"), "-o", "-", "--config", str(recipe),
                                  "--dedup-index", str(index), "--no-dedup"])
    assert result.exit_code == 2 and "--dedup-index" in result.output


def test_large_buckets_give_the_components_of_all_verified_pairs(planted, monkeypatch):
    """Buckets verified representative-first (the path for floods of near-identical pages) must give the
    same components as verifying every pair that shares a band."""
    import corpusclean.dedup.lsh as lsh

    stage = Dedup(num_perm=32, bands=16, rows=2, threshold=0.5)  # short bands: big, mixed buckets
    sigs = []
    for d in planted:
        doc = Document(id=d.id, text=d.text)
        stage.prepare(doc)
        sigs.append(np.frombuffer(doc.scratch["dedup"][1], dtype=np.uint32))
    sigs = np.vstack(sigs)
    everyone = np.arange(len(sigs))
    params = dict(bands=16, rows=2, threshold=0.5)
    left, right = [], []
    for band in range(16):
        keys = lsh.band_keys(sigs, band, rows=2)
        for a in everyone:
            for b in everyone[a + 1:]:
                if keys[a] == keys[b] and lsh.agreement_count(sigs[a], sigs[b]) >= lsh.min_agreement(0.5, 32):
                    left.append(a)
                    right.append(b)
    assert len(left) > len(planted)
    expected = components(len(sigs), np.array(left), np.array(right)).tolist()
    for small in (32, 2):
        monkeypatch.setattr(lsh, "SMALL_BUCKET", small)
        edges = lsh.near_duplicate_edges(sigs, everyone, **params)
        assert components(len(sigs), edges[0], edges[1]).tolist() == expected
