"""The run report as one self-contained HTML page: ``corpusclean clean ... --report report.html``.

Inline CSS and inline SVG charts drawn here, no script, no font or file fetched: the page opens offline, can
be mailed or attached to an issue. It shows what the JSON report counts (documents and characters in and
out, removals and rejections per rule, the recipe) and what the run observed for it
(:mod:`corpusclean.report_detail`): real examples per rule, the distribution of every filter's measured
value with its threshold, duplicate-cluster sizes and time per stage. Every piece of text from the corpus
or the recipe goes through :func:`html.escape`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from typing import Any

from corpusclean.report_detail import SHARE_BINS, Detail, Histogram, visible

BLUE = "#4c78a8"
RED = "#d6604d"
GREY = "#9aa5b1"
INK = "#1f2933"

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",
"WenQuanYi Micro Hei",sans-serif;color:#1f2933;background:#fff;margin:0;line-height:1.45}
main{max-width:1120px;margin:0 auto;padding:24px 28px 60px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:34px 0 10px;border-bottom:2px solid #e4e7eb;
padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
.muted{color:#616e7c;font-size:13px}.cards{display:flex;gap:14px;flex-wrap:wrap;margin:16px 0}
.card{border:1px solid #e4e7eb;border-radius:8px;padding:10px 16px;min-width:150px;background:#f8fafc}
.card b{display:block;font-size:24px}.card span{font-size:13px;color:#616e7c}
table{border-collapse:collapse;width:100%;font-size:13.5px;margin:6px 0 10px}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eef1f4;vertical-align:top}
th{background:#f3f5f7;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12.5px}
.ex{border:1px solid #e4e7eb;border-left:4px solid #d6604d;border-radius:4px;margin:6px 0 10px;padding:6px 10px;
background:#fcfcfd}.ex.rej{border-left-color:#4c78a8}
.ex .meta{font-size:12px;color:#616e7c;margin-bottom:3px}
pre{white-space:pre-wrap;word-break:break-all;margin:2px 0;font-family:inherit;font-size:13.5px}
del{background:#fbd5cf;color:#8a1c0c;text-decoration:line-through;text-decoration-color:#d6604d}
ins{background:#d5f0dd;text-decoration:none}
.grid{display:grid;grid-template-columns:repeat(3,1fr);gap:10px 16px}
.chart{border:1px solid #eef1f4;border-radius:6px;padding:6px 8px}.chart p{margin:2px 0;font-size:12.5px}
svg text{font-family:inherit}
"""


def is_html_report(path: str) -> bool:
    """Whether ``--report`` names a page rather than JSON.

    >>> is_html_report("out/run.HTML"), is_html_report("run.htm"), is_html_report("run.json")
    (True, True, False)
    """
    return path.lower().endswith((".html", ".htm"))


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _num(value: float) -> str:
    """A number for a label: integers with thousands separators, small shares with 3 significant digits.

    >>> _num(12345), _num(0.25), _num(0.00123), _num(1.5e6)
    ('12,345', '0.25', '0.00123', '1,500,000')
    """
    if value == int(value) and abs(value) >= 1:
        return f"{int(value):,}"
    return f"{value:.3g}"


def _page(title: str, body: Iterable[str]) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            f"<title>{_e(title)}</title><style>{_CSS}</style></head>\n<body><main>\n"
            + "\n".join(body) + "\n</main></body></html>\n")


def bars_svg(rows: Sequence[tuple[str, float, str]], *, width: int = 720, color: str = BLUE) -> str:
    """Horizontal bars, one per ``(label, value, value text)``, scaled to the largest value."""
    label_width, row = 230, 22
    top = max((value for _, value, _ in rows), default=0) or 1
    span = width - label_width - 240
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{row * len(rows) + 6}" '
             f'role="img">']
    for i, (label, value, text) in enumerate(rows):
        y = i * row + 3
        length = max(span * value / top, 1 if value else 0)
        parts.append(f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end" font-size="13" fill="{INK}">'
                     f'{_e(label)}</text><rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="15" '
                     f'rx="2" fill="{color}"/><text x="{label_width + length + 6:.1f}" y="{y + 15}" font-size="12" '
                     f'fill="#52606d">{_e(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _position(histogram: Histogram, value: float, last: int) -> float:
    """Where ``value`` falls on a histogram's x axis, in bins (0 to ``last + 1``)."""
    if histogram.scale == "share":
        if value > histogram.upper:
            return SHARE_BINS + min((value - histogram.upper) / max(1 - histogram.upper, 1e-9), 1.0)
        return value / histogram.upper * SHARE_BINS
    return math.log10(max(value, 0) + 1) * 10


def histogram_svg(histogram: Histogram, *, width: int = 340, height: int = 150) -> str:
    """Bars of a measured value's distribution (log-scaled counts), bars past the threshold in red, and the
    threshold as a vertical line."""
    left, right, top, bottom = 38, 10, 14, 30
    if histogram.scale == "share":
        last = SHARE_BINS if histogram.upper < 1 else SHARE_BINS - 1
    else:
        last = max([*histogram.bins, histogram.bin(histogram.threshold) + 3])
    count = last + 1
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / count
    peak = math.log10(1 + max(histogram.bins.values(), default=1))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">',
             f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#9aa5b1"/>']
    for index, n in sorted(histogram.bins.items()):
        low, high = histogram.edges(index)
        dropped = high <= histogram.threshold if histogram.bound == "min" else low >= histogram.threshold
        bar = plot_h * math.log10(1 + n) / peak if peak else 0
        parts.append(f'<rect x="{left + index * step + 0.5:.1f}" y="{top + plot_h - bar:.1f}" '
                     f'width="{max(step - 1, 1):.1f}" height="{bar:.1f}" fill="{RED if dropped else BLUE}">'
                     f'<title>{_e(_num(low))} – {_e(_num(high))}: {n:,}</title></rect>')
    for power in range(int(10 ** peak) and int(peak) + 1):  # y ticks at 1, 10, 100 ... documents
        y = top + plot_h - plot_h * math.log10(1 + 10 ** power) / peak
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="10" fill="#616e7c">'
                     f'{_e(_num(10 ** power))}</text>')
    for value in _x_ticks(histogram, last):
        x = left + _position(histogram, value, last) * step
        parts.append(f'<line x1="{x:.1f}" y1="{top + plot_h}" x2="{x:.1f}" y2="{top + plot_h + 4}" stroke="#9aa5b1"/>'
                     f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle" font-size="10" '
                     f'fill="#616e7c">{_e(_num(value))}</text>')
    x = left + _position(histogram, histogram.threshold, last) * step
    side = "below" if histogram.bound == "min" else "above"
    anchor, label_x = ("end", x - 4) if x > left + plot_w * 0.6 else ("start", x + 4)
    parts.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{top + plot_h}" stroke="{RED}" '
                 f'stroke-width="2" stroke-dasharray="4 3"/><text x="{label_x:.1f}" y="{top + 2}" '
                 f'text-anchor="{anchor}" font-size="11" fill="{RED}">{_e(histogram.bound)} '
                 f'{_e(_num(histogram.threshold))} (drop {side})</text>')
    axis = "share" if histogram.scale == "share" else "count (log scale)"
    if histogram.scale == "share" and histogram.upper < 1:
        axis += f"; last bar: above {_num(histogram.upper)}"
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 2}" text-anchor="middle" font-size="10" '
                 f'fill="#616e7c">{_e(axis)}; documents on a log scale</text></svg>')
    return "".join(parts)


def _x_ticks(histogram: Histogram, last: int) -> list[float]:
    if histogram.scale == "share":
        return [0.0, histogram.upper / 2, histogram.upper]
    top = 10 ** ((last + 1) / 10) - 1
    powers = [10.0 ** k for k in range(0, 10) if 10.0 ** k <= top]
    every = max(1, math.ceil(len(powers) / 4))  # at most about five labels: they must not run together
    return [0.0, *powers[::-1][::every][::-1]]


def _overview(report: dict[str, Any]) -> list[str]:
    docs_in, docs_out = report["docs_in"], report["docs_out"]
    chars_in, chars_out = report["chars_in"], report["chars_out"]
    kept = f"{chars_out / chars_in:.1%}" if chars_in else "–"
    cards = [("documents in", docs_in), ("documents out", docs_out), ("documents rejected", docs_in - docs_out),
             ("characters in", chars_in), ("characters out", chars_out)]
    out = ['<div class="cards">'] + [f'<div class="card"><b>{n:,}</b><span>{_e(label)}</span></div>'
                                     for label, n in cards]
    out.append(f'<div class="card"><b>{_e(kept)}</b><span>characters kept</span></div></div>')
    out.append(bars_svg([("documents in", docs_in, f"{docs_in:,}"), ("documents out", docs_out, f"{docs_out:,}")]))
    out.append(bars_svg([("characters in", chars_in, f"{chars_in:,}"),
                         ("characters out", chars_out, f"{chars_out:,} ({kept})")], color="#72b7b2"))
    return out


def _removal_example(example: dict[str, Any]) -> str:
    where = f"line {example['line'] + 1}" if example.get("line") is not None else "no line recorded"
    body = (f'<pre>{_e(visible(example["head"]))}<del>{_e(visible(example["removed"]))}</del>'
            f'{_e(visible(example["tail"]))}</pre>')
    if example.get("after") is not None:
        body += f'<pre class="muted">after: <ins>{_e(visible(example["after"]))}</ins></pre>'
    return (f'<div class="ex"><div class="meta">document <code>{_e(example["id"])}</code> · {_e(where)} · '
            f'{_e(example["kind"])} removed</div>{body}</div>')


def _removals(report: dict[str, Any], detail: Detail | None) -> list[str]:
    removed = report["removed_by_rule"]
    out = ['<h2 id="removals">Removed lines and spans, per rule</h2>']
    if not removed:
        return [*out, '<p class="muted">Nothing was removed from the documents kept.</p>']
    order = sorted(removed, key=lambda key: (-removed[key]["chars"], key))
    out.append(bars_svg([(key, removed[key]["chars"], f'{removed[key]["chars"]:,} chars') for key in order],
                        color=RED))
    out.append("<table><tr><th>rule</th><th>removals</th><th>characters</th></tr>")
    out += [f'<tr><td><a href="#rm-{_e(key)}"><code>{_e(key)}</code></a></td><td class="n">'
            f'{removed[key]["count"]:,}</td><td class="n">{removed[key]["chars"]:,}</td></tr>' for key in order]
    out.append("</table>")
    if detail is None:
        return out
    for key in order:
        examples = detail.removals.get(key, [])
        out.append(f'<h3 id="rm-{_e(key)}"><code>{_e(key)}</code> <span class="muted">'
                   f'{removed[key]["count"]:,} removals, {len(examples)} shown</span></h3>')
        out += [_removal_example(example) for example in examples]
    return out


def _rejection_example(example: dict[str, Any]) -> str:
    measured = []
    if example.get("value") is not None:
        measured.append(f'value {_e(_num(example["value"]))}')
    if example.get("threshold") is not None:
        measured.append(f'threshold {_e(_num(example["threshold"]))}')
    measured += [f'{_e(key)} <code>{_e(value)}</code>' for key, value in example.get("detail", {}).items()]
    return (f'<div class="ex rej"><div class="meta">document <code>{_e(example["id"])}</code>'
            f'{" · " if measured else ""}{" · ".join(measured)}</div><pre>{_e(visible(example["text"]))}</pre></div>')


def _rejections(report: dict[str, Any], detail: Detail | None) -> list[str]:
    rejected = report["rejected_by_rule"]
    out = ['<h2 id="rejections">Rejected documents, per rule</h2>']
    if not rejected:
        return [*out, '<p class="muted">No document was rejected.</p>']
    order = sorted(rejected, key=lambda key: (-rejected[key], key))
    docs_in = max(report["docs_in"], 1)
    out.append(bars_svg([(key, rejected[key], f"{rejected[key]:,} ({rejected[key] / docs_in:.1%})")
                         for key in order]))
    if detail is None:
        return out
    for key in order:
        examples = detail.rejections.get(key, [])
        out.append(f'<h3><code>{_e(key)}</code> <span class="muted">{rejected[key]:,} documents, '
                   f'{len(examples)} shown (first {len(examples[0]["text"]) if examples else 0} characters)'
                   f'</span></h3>')
        out += [_rejection_example(example) for example in examples]
    return out


def _signals(report: dict[str, Any], detail: Detail) -> list[str]:
    out = ['<h2 id="signals">Quality signals and thresholds</h2>',
           '<p class="muted">Per filter, how the documents that reached it spread over each value it compares with '
           'a threshold (dashed line); red bars are on the side that is dropped. A document is dropped by the first '
           'rule it fails, so the counts of later rules are of the documents still there.</p>']
    stages: dict[str, list[tuple[str, Histogram]]] = {}
    for key, histogram in detail.signals.items():
        stage, rule = key.split("/", 1)
        stages.setdefault(stage, []).append((rule, histogram))
    for stage, histograms in stages.items():
        out.append(f'<h3><code>{_e(stage)}</code></h3><div class="grid">')
        for rule, histogram in histograms:
            rejected = report["rejected_by_rule"].get(f"{stage}/{rule}", 0)
            chart = (histogram_svg(histogram) if histogram.documents else
                     '<p class="muted">not measured on any document</p>')
            out.append(f'<div class="chart"><p><code>{_e(rule)}</code></p>{chart}<p class="muted">'
                       f'{histogram.documents:,} documents measured, {rejected:,} rejected by this rule</p></div>')
        out.append("</div>")
    return out


def _cluster_buckets(clusters: dict[int, int]) -> list[tuple[str, int]]:
    """Clusters per size, each size alone while there are few, else in widening buckets.

    >>> _cluster_buckets({1: 90, 2: 5, 7: 1})
    [('1', 90), ('2', 5), ('7', 1)]
    >>> _cluster_buckets({size: 1 for size in range(1, 30)})[-3:]
    [('6–10', 5), ('11–20', 10), ('21–50', 9)]
    """
    if len(clusters) <= 12:
        return [(str(size), n) for size, n in sorted(clusters.items())]
    edges = [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 10), (11, 20), (21, 50), (51, 100), (101, 1000),
             (1001, math.inf)]
    out = []
    for low, high in edges:
        n = sum(count for size, count in clusters.items() if low <= size <= high)
        if n:
            label = str(low) if low == high else f"{low}+" if high == math.inf else f"{low}–{high}"
            out.append((label, n))
    return out


def _clusters(detail: Detail) -> list[str]:
    out = ['<h2 id="dedup">Duplicate clusters</h2>']
    if not detail.clusters:
        return [*out, '<p class="muted">No deduplication stage ran, or no document was kept.</p>']
    clusters = dict(detail.clusters)
    repeated = {size: n for size, n in clusters.items() if size > 1}
    copies = sum((size - 1) * n for size, n in repeated.items())
    out.append(f'<p>{sum(clusters.values()):,} documents kept; {sum(repeated.values()):,} of them stand for a '
               f'cluster of two or more ({copies:,} copies dropped); the largest cluster has {max(clusters):,} '
               'documents. Clusters by size (documents in the cluster, the kept one included):</p>')
    out.append(bars_svg([(f"size {label}", n, f"{n:,} clusters") for label, n in _cluster_buckets(clusters)],
                        color="#54a24b"))
    return out


def _timings(report: dict[str, Any], detail: Detail) -> list[str]:
    names = ["read", *(stage["stage"] for stage in report["stages"])]
    names += [key for key in detail.seconds if key not in names]
    rows = [(name, detail.seconds[name], detail.wall.get(name, 0.0)) for name in names if name in detail.seconds]
    total = sum(cpu for _, cpu, _ in rows) or 1
    out = ['<h2 id="timings">Time per stage</h2>',
           '<p class="muted">CPU seconds of each stage over the whole run, all worker processes added (the clock '
           'is the operating system\'s per-process CPU clock; wall-clock seconds beside it). "read" is parsing the '
           'input; "(decide)" is deduplication\'s decision in the main process. Collecting this report\'s '
           'examples and measurements is not counted.</p>']
    out.append(bars_svg([(name, cpu, f"{cpu:.2f} s CPU ({cpu / total:.0%}), {wall:.2f} s wall")
                         for name, cpu, wall in rows], color="#b279a2", width=900))
    return out


def _recipe(report: dict[str, Any]) -> list[str]:
    out = ['<h2 id="recipe">Recipe and versions</h2><table><tr><th>stage</th><th>parameters</th></tr>']
    for stage in report["stages"]:
        params = ", ".join(f"{key} = {value}" for key, value in stage.items() if key != "stage")
        out.append(f'<tr><td><code>{_e(stage["stage"])}</code></td><td><code>{_e(params)}</code></td></tr>')
    versions = ", ".join(f"{name} {version or '(not installed)'}" for name, version in report["versions"].items())
    out.append(f'</table><p class="muted">{_e(versions)}</p>')
    return out


def _errors(report: dict[str, Any]) -> list[str]:
    errors = report["errors"]
    if not errors:
        return []
    items = "".join(f"<li><code>{_e(error)}</code></li>" for error in errors[:200])
    more = f"<p class='muted'>… and {len(errors) - 200:,} more</p>" if len(errors) > 200 else ""
    return [f'<h2 id="errors">Input errors ({len(errors):,})</h2><ul>{items}</ul>{more}']


def render_report(report: dict[str, Any], detail: Detail | None) -> str:
    """The HTML page for ``report`` (the JSON run report's dict, :func:`corpusclean.engines.local.run_report`)
    and ``detail`` (what the run observed for it; ``None`` shows the counts alone).

    >>> report = {"docs_in": 2, "docs_out": 1, "chars_in": 10, "chars_out": 4, "rejected_by_rule": {"length/x": 1},
    ...           "removed_by_rule": {}, "errors": [], "inputs": ["<in>.jsonl"], "output": "o.jsonl",
    ...           "stages": [{"stage": "length"}], "versions": {"corpusclean": "0"}}
    >>> page = render_report(report, None)
    >>> "&lt;in&gt;.jsonl" in page and "<script" not in page
    True
    """
    inputs = ", ".join(report["inputs"])
    body = ['<h1>corpusclean run report</h1>',
            f'<p class="muted">inputs <code>{_e(inputs)}</code> → output <code>{_e(report["output"])}</code>'
            + (f' · rejects <code>{_e(report["rejects"])}</code>' if report.get("rejects") else "") + "</p>",
            '<p class="muted"><a href="#removals">removals</a> · <a href="#rejections">rejections</a>'
            + (' · <a href="#signals">signals</a> · <a href="#dedup">duplicates</a> · <a href="#timings">time</a>'
               if detail is not None else "") + ' · <a href="#recipe">recipe</a></p>']
    body += _overview(report)
    body += _removals(report, detail)
    body += _rejections(report, detail)
    if detail is not None:
        body += _signals(report, detail)
        body += _clusters(detail)
        body += _timings(report, detail)
    body += _errors(report)
    body += _recipe(report)
    return _page("corpusclean run report", body)
