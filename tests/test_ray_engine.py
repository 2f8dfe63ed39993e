"""The ray engine against the local one: same records, same kept documents, same rejects, same summary.

One local Ray (2 CPUs) serves every test of the module: Ray takes seconds to start. Without Ray installed
only the test of the install hint runs.
"""

from __future__ import annotations

import gzip
import json
import logging
import random
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from dedup_corpus import dump_jsonl, planted_corpus
from realtext import GBK_PAGE, SEEDS, UTF8_PAGE

from corpusclean.cli import main
from corpusclean.dedup.clusters import components
from corpusclean.engines.local import RunConfig, clean_files
from corpusclean.recipe import build_pipeline, default_recipe


@pytest.fixture(scope="module")
def ray_session():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Real articles with planted duplicates (exact, other chrome, Traditional script, edited, reordered,
    cut) in two JSONL shards (one gzipped), the seed documents, two real HTML pages (one GBK without a
    declared charset), a line that is not JSON and a truncated gzip file."""
    root = tmp_path_factory.mktemp("ray-corpus")
    docs = planted_corpus(duplicated=0.7, max_variants=3, seed=5)
    half = len(docs) // 2
    dump_jsonl(docs[:half], root / "a.jsonl")
    with open(root / "a.jsonl", "a", encoding="utf-8") as handle:
        handle.write('{"id": "broken", "text": "新闻\n')
    dump_jsonl(docs[half:], root / "b.jsonl")
    with open(root / "b.jsonl", "rb") as src, gzip.open(root / "b.jsonl.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    (root / "b.jsonl").unlink()
    # 40 reposts of one article that differ only in their last line: one LSH bucket larger than the
    # local engine verifies pair by pair, so its large-bucket path is compared too.
    article = docs[0].text
    (root / "d.jsonl").write_text("".join(
        json.dumps({"id": f"repost{n}", "text": f"{article}\n第{n}期　编辑：{'张王李赵'[n % 4]}"}, ensure_ascii=False)
        + "\n" for n in range(40)), encoding="utf-8")
    copy = gzip.compress("".join(json.dumps({"id": f"t{i}", "text": d.text}, ensure_ascii=False) + "\n"
                                 for i, d in enumerate(docs[:5])).encode())
    (root / "c.jsonl.gz").write_bytes(copy[: len(copy) * 2 // 3])  # complete lines first, then cut off
    pages = root / "pages"
    pages.mkdir()
    shutil.copy(GBK_PAGE, pages / "gbk.html")
    shutil.copy(UTF8_PAGE, pages / "utf8.html")
    shutil.copytree(SEEDS, root / "seeds")
    return root


def _lines(path: Path) -> list[bytes]:
    files = sorted(path.glob("part-*.jsonl")) if path.is_dir() else [path]
    return [line for f in files for line in f.read_bytes().splitlines()]


def test_ray_output_is_the_local_output(ray_session, corpus, tmp_path):
    from corpusclean.engines.ray_engine import clean_with_ray

    pipeline = build_pipeline(default_recipe())
    local = clean_files(pipeline, RunConfig(inputs=[str(corpus)], output=str(tmp_path / "local.jsonl"),
                                            rejects=str(tmp_path / "local-rejects.jsonl")))
    ray = clean_with_ray(pipeline, RunConfig(inputs=[str(corpus)], output=str(tmp_path / "ray.jsonl"),
                                             rejects=str(tmp_path / "ray-rejects.jsonl")))
    kept = [json.loads(line) for line in _lines(tmp_path / "local.jsonl")]
    removed = [json.loads(line) for line in _lines(tmp_path / "local-rejects.jsonl")]
    dropped = {r["rule"] for r in removed if r["kind"] == "document"}
    # The corpus exercises what must agree: both kinds of duplicate, a bad line, a truncated file, pages.
    assert {"exact_duplicate", "near_duplicate", "bad_json"} <= dropped
    assert any("truncated" in error for error in local.errors)
    assert {r["source"] for r in kept + removed if r["source"].endswith(".html")} == {
        str(corpus / "pages" / "gbk.html"), str(corpus / "pages" / "utf8.html")}
    assert {r["id"] for r in kept} == {json.loads(line)["id"] for line in _lines(tmp_path / "ray.jsonl")}
    # Input order on both engines, so the files are equal byte for byte, and so are the accounts.
    assert (tmp_path / "ray.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert (tmp_path / "ray-rejects.jsonl").read_bytes() == (tmp_path / "local-rejects.jsonl").read_bytes()
    # Errors: the ray engine lists them in input order; the local one as its reader, which runs ahead of
    # parsing, meets them (a truncated file before a bad line of an earlier file).
    assert sorted(ray.errors) == sorted(local.errors) and len(local.errors) == 2
    assert {**ray.as_dict(), "errors": None} == {**local.as_dict(), "errors": None}
    assert not list(tmp_path.glob(".*partial*"))


def test_keep_longest_and_sharded_output_agree(ray_session, corpus, tmp_path):
    from corpusclean.engines.ray_engine import clean_with_ray

    pipeline = build_pipeline({"stages": [{"use": "whitespace"}, {"use": "dedup", "keep": "longest"}]})
    inputs = [str(corpus / "a.jsonl"), str(corpus / "b.jsonl.gz"), str(corpus / "d.jsonl")]
    clean_files(pipeline, RunConfig(inputs=inputs, output=str(tmp_path / "local.jsonl")))
    clean_with_ray(pipeline, RunConfig(inputs=inputs, output=str(tmp_path / "out"), shard_size=25), workers=2)
    shards = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert shards == [f"part-{n:05d}.jsonl" for n in range(len(shards))] and len(shards) > 2
    local, ray = _lines(tmp_path / "local.jsonl"), _lines(tmp_path / "out")
    assert ray == local
    longest = [json.loads(line) for line in local if json.loads(line)["meta"]["dup_count"] > 1]
    assert longest, "the corpus has clusters"


def test_distributed_components_are_the_local_components(ray_session):
    """A long path (the worst case for label propagation), stars, cycles and isolated pairs, shuffled."""
    import ray.data

    from corpusclean.engines.ray_dedup import components as ray_components
    from corpusclean.engines.ray_engine import _ray_session

    rng = random.Random(3)
    nodes = rng.sample(range(10_000), 400)
    edges = [(nodes[i], nodes[i + 1]) for i in range(120)]                     # a path of 121 nodes
    edges += [(nodes[130], nodes[j]) for j in range(131, 170)]                # a star
    edges += [(nodes[j], nodes[j + 1 if j < 199 else 170]) for j in range(170, 200)]  # a cycle
    edges += [(nodes[j], nodes[j + 1]) for j in range(200, 400, 2)]            # pairs
    edges += [(b, a) for a, b in rng.sample(edges, 60)]                       # both directions, repeated
    rng.shuffle(edges)
    with _ray_session(None, progress=False):  # the engine's shuffle settings (a dataset takes them when made)
        dataset = ray.data.from_items([{"a": a, "b": b} for a, b in edges], override_num_blocks=4)
        stars = ray_components(dataset, partitions=4).take_all()
    got = {row["a"]: row["b"] for row in stars}
    assert all(got[row["a"]] == row["b"] for row in stars)  # one root per node
    index = {node: i for i, node in enumerate(sorted({n for e in edges for n in e}))}
    order = np.array(sorted(index))
    labels = components(len(index), np.array([index[a] for a, _ in edges]), np.array([index[b] for _, b in edges]))
    expected = {int(order[i]): int(order[labels[i]]) for i in range(len(order)) if labels[i] != i}
    assert got == expected


def test_without_ray_the_engine_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray raises ImportError
    result = CliRunner().invoke(main, ["clean", str(SEEDS), "-o", str(tmp_path / "out.jsonl"), "--engine", "ray"])
    assert result.exit_code == 2
    assert "pip install 'corpusclean[ray]'" in result.output
    assert not (tmp_path / "out.jsonl").exists()


def test_unsupported_options_are_usage_errors(tmp_path):
    pytest.importorskip("ray")
    result = CliRunner().invoke(main, ["clean", str(SEEDS), "-o", str(tmp_path / "out.jsonl"), "--engine", "ray",
                                       "--dedup-index", str(tmp_path / "seen.npz")])
    assert result.exit_code == 2 and "dedup index" in result.output
    result = CliRunner().invoke(main, ["clean", "-", "-o", str(tmp_path / "out.jsonl"), "--engine", "ray"])
    assert result.exit_code == 2 and "standard input" in result.output
