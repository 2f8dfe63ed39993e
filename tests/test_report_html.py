"""`clean --report report.html`: the issue's case end to end (Parquet in and out, the real seed pages), what
the page holds, that it is self-contained and escaped, that collecting it changes no output and merges the
same across workers, and that it renders: a headless Chromium screenshot that is not blank.

The render test needs Chromium (`sh tests/install-browser.sh`, part of the README's test command): missing, it
skips on a developer's machine and FAILS under CI (the variable CI set), where a skip would hide a defect."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from click.testing import CliRunner
from realtext import records, seed_texts, write_jsonl

from corpusclean.cli import main
from corpusclean.engines.local import RunConfig, clean_files
from corpusclean.recipe import build_pipeline, default_recipe

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

WATERMARK = "AEJ毕节网"  # seed 000's watermark, removed by rules/aej_bijie_watermark


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def seed_table():
    """The five real seed pages as Parquet rows with a typed id and an extra column; the first page twice
    (a duplicate for dedup), and a page that is mostly markup-looking text (escaping)."""
    texts = list(seed_texts().values())
    texts += [texts[0], "<script>alert('x')</script> 首页 & 新闻"]
    n = len(texts)
    return pa.table({
        "doc_id": pa.array([500 + i for i in range(n)], pa.int64()),
        "content": pa.array(texts, pa.string()),
        "site": pa.array([f"site{i % 2}.cn" for i in range(n)], pa.string()),
    })


@pytest.fixture(scope="module")
def seed_run(tmp_path_factory):
    """`corpusclean clean in.parquet --text-field content --id-field doc_id -o out.parquet --report report.html`
    over the seeds, as the issue names it."""
    tmp = tmp_path_factory.mktemp("seed_run")
    pq.write_table(seed_table(), tmp / "in.parquet")
    result = invoke("clean", tmp / "in.parquet", "--text-field", "content", "--id-field", "doc_id",
                    "-o", tmp / "out.parquet", "--report", tmp / "report.html", "-q", "-w", 1)
    assert result.exit_code == 0, result.output
    return tmp


def test_parquet_output_keeps_the_input_columns(seed_run):
    source, out = pq.read_table(seed_run / "in.parquet"), pq.read_table(seed_run / "out.parquet")
    # the id and text columns come out as id and text (as every corpusclean output); the others as they were
    assert out.schema.names == ["id", "text", "source", "site", "meta"]
    assert out.schema.field("site").type == source.schema.field("site").type
    assert out.column("id").to_pylist() == ["500", "501", "502", "503", "504"]  # the copy and the stub dropped
    assert out.column("site").to_pylist() == source.column("site").to_pylist()[:5]
    assert not any(WATERMARK in text for text in out.column("text").to_pylist())


def test_report_holds_the_real_rules_examples_histograms_clusters_and_timings(seed_run):
    page = (seed_run / "report.html").read_text(encoding="utf-8")
    for rule in ("rules/aej_bijie_watermark", "rules/breadcrumb_location", "spam_lists/headline_run",
                 "dedup/exact", "length/too_few_cjk"):
        assert rule in page, rule
    # a real removal in place: the watermark struck out at the end of its line, and the breadcrumb of seed 003
    assert f"<del>{WATERMARK}</del>" in page
    assert "<del>当前位置：首页 &gt; 政务联播 &gt; 各区动态 &gt; 白云区</del>" in page
    # a rejected document's excerpt, value and threshold; the duplicate names the page it copies
    assert "duplicate_of <code>500</code>" in page and "threshold 30" in page
    # one histogram per filter rule with its threshold line, the cluster sizes, and every stage timed
    assert page.count("<svg") > 30 and "max 0.25 (drop above)" in page and "min 30 (drop below)" in page
    assert "size 2" in page and "1 of them stand for a cluster of two or more" in page
    for stage in ("read", "mojibake", "rules", "repetition", "dedup", "dedup (decide)"):
        assert f">{stage}</text>" in page, stage


def test_report_is_self_contained_and_escapes_the_corpus(seed_run):
    page = (seed_run / "report.html").read_text(encoding="utf-8")
    assert "<script" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in page
    assert " src=" not in page and "<link" not in page and "@import" not in page


def test_an_html_report_changes_no_output_and_the_same_on_any_number_of_workers(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    write_jsonl(corpus, records(700, seed=3) + [{"id": name, "text": text} for name, text in seed_texts().items()])
    plain = invoke("clean", corpus, "-o", tmp_path / "plain.jsonl", "--rejects", tmp_path / "plain.rej", "-q",
                   "-w", 1, "--report", tmp_path / "plain.json")
    assert plain.exit_code == 0, plain.output
    details = []
    for workers in (1, 2):
        pipeline = build_pipeline(default_recipe())
        pipeline.observe = True
        out, rejects = tmp_path / f"o{workers}.jsonl", tmp_path / f"r{workers}.jsonl"
        summary = clean_files(pipeline, RunConfig(inputs=[str(corpus)], output=str(out), rejects=str(rejects),
                                                  workers=workers))
        assert out.read_bytes() == (tmp_path / "plain.jsonl").read_bytes()
        assert rejects.read_bytes() == (tmp_path / "plain.rej").read_bytes()
        report = json.loads((tmp_path / "plain.json").read_text(encoding="utf-8"))
        assert summary.as_dict() == {key: report[key] for key in summary.as_dict()}
        detail = summary.detail
        details.append((detail.removals, detail.rejections, {k: dict(h.bins) for k, h in detail.signals.items()},
                        detail.clusters, sorted(detail.seconds)))
        assert sum(h.documents for k, h in detail.signals.items() if k == "length/too_few_cjk") == summary.docs_in
    assert details[0] == details[1]


def test_json_report_is_unchanged_and_html_needs_the_local_engine(tmp_path):
    path = tmp_path / "in.jsonl"
    write_jsonl(path, records(20))
    result = invoke("clean", path, "-o", tmp_path / "o.jsonl", "--report", tmp_path / "r.json", "-q")
    assert result.exit_code == 0 and json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["docs_in"] == 20
    result = invoke("clean", path, "-o", tmp_path / "o2.jsonl", "--report", tmp_path / "r.html", "--engine", "ray")
    assert result.exit_code == 2 and "--engine local" in result.output


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing under CI: the README's test command installs it "
                        "(sh tests/install-browser.sh)")
        pytest.skip("chromium not installed (sh tests/install-browser.sh)")
    return found


def test_report_renders_in_a_headless_browser(seed_run, tmp_path):
    from PIL import Image

    shot = tmp_path / "report.png"
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
               "--window-size=1200,3000", (seed_run / "report.html").as_uri()]
    done = subprocess.run(command, capture_output=True, timeout=120)
    assert shot.is_file(), done.stderr.decode(errors="replace")[-2000:]
    image = Image.open(shot).convert("RGB")
    assert image.size == (1200, 3000)
    data = image.tobytes()
    pixels = list(zip(data[0::3], data[1::3], data[2::3], strict=True))
    inked = sum(1 for r, g, b in pixels if min(r, g, b) < 235)
    assert inked > 0.03 * len(pixels), f"only {inked} of {len(pixels)} pixels drawn"
    colours = {(r // 16, g // 16, b // 16) for r, g, b in pixels}
    assert len(colours) > 40  # text anti-aliasing, bars in several colours, the examples' highlights
    # the bars of the charts drew: the removal bars' red and the document bars' blue are on the page
    assert any(abs(r - 0xd6) < 12 and abs(g - 0x60) < 12 and abs(b - 0x4d) < 12 for r, g, b in pixels)
    assert any(abs(r - 0x4c) < 12 and abs(g - 0x78) < 12 and abs(b - 0xa8) < 12 for r, g, b in pixels)
