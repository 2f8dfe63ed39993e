"""The command line: parse options, call the library, turn errors into one-line messages and exit codes.

Exit codes: 0 success; 1 some input was skipped or the run was aborted (details on stderr and in
``--report``); 2 usage or recipe error; 130 interrupted.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import unicodedata
from collections.abc import Callable
from typing import Any

import click

from corpusclean.document import Document
from corpusclean.engines.journal import JournalMismatch
from corpusclean.engines.local import RunAborted, RunConfig, clean_files, run_report, sweep_leftovers
from corpusclean.io.parse import ParseOptions
from corpusclean.io.readers import FORMATS, STDIN, InputError, expand_inputs, iter_raw, split_suffix
from corpusclean.pipeline import start_worker_server
from corpusclean.recipe import RecipeError, build_pipeline, load_recipe, stage_params
from corpusclean.report_html import is_html_report

EXIT_SKIPPED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class ConfigError(click.ClickException):
    """A bad recipe or option value: one line and exit 2, without the usage text (the recipe file, not the
    command line, is what needs fixing)."""

    exit_code = EXIT_USAGE


def input_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by every command that reads inputs."""
    for option in reversed([
        click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
                     help="Input format; default: by file extension (stdin: jsonl)."),
        click.option("--text-field", default="text", show_default=True, help="JSONL field holding the text."),
        click.option("--id-field", default="id", show_default=True, help="JSONL field holding the document id."),
        click.option("--config", "recipe_path", type=click.Path(dir_okay=False), default=None,
                     help="Recipe TOML file; default: the built-in recipe."),
        click.option("--debug", is_flag=True, help="Show Python tracebacks instead of one-line errors."),
    ]):
        func = option(func)
    return func


def friendly_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into one-line messages and the documented exit codes (tracebacks with --debug)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except click.exceptions.Exit:
            raise
        except (click.ClickException, click.Abort):
            raise
        except BrokenPipeError:
            # The reader went away (`corpusclean rules | head`): not an error worth a message.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(0)
        except KeyboardInterrupt:
            click.echo("corpusclean: interrupted; no output was written", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except Exception as exc:
            if kwargs.get("debug"):
                raise
            if isinstance(exc, RecipeError | InputError | JournalMismatch):
                raise ConfigError(str(exc)) from None
            if isinstance(exc, RunAborted):
                click.echo(f"corpusclean: aborted (--on-error fail), nothing written: {exc}", err=True)
                sys.exit(EXIT_SKIPPED)
            if isinstance(exc, OSError):
                name = f"{exc.filename}: " if exc.filename else ""
                raise click.ClickException(f"{name}{exc.strerror or exc}") from None
            raise click.ClickException(f"{type(exc).__name__}: {exc}") from None

    return wrapper


def rule_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--rules PATH`` and ``--disable-rule ID``: add rule packs to / switch rules off in the recipe's rules stage."""
    for option in reversed([
        click.option("--rules", "rule_packs", multiple=True, metavar="PATH",
                     help="Add a rule pack (.toml file or directory of them) to the rules stage; repeatable."),
        click.option("--disable-rule", "disabled_rules", multiple=True, metavar="ID",
                     help="Switch off a rule by id (see `corpusclean rules`); repeatable."),
    ]):
        func = option(func)
    return func


# Below this much input, worker processes cost more than they save: starting them (a fork server that
# imports the stages and loads their tables) takes ~0.5 s of wall time, and two workers clean ~16 MB/s
# against ~9 MB/s for one process past start-up (benchmarks/bench_pipeline.py), so they win from ~8 MB.
SMALL_INPUT_BYTES = 8_000_000
# Compressed inputs count at about the ratio zstd and gzip reach on Chinese text.
COMPRESSED_RATIO = 4


def default_workers(inputs: tuple[str, ...]) -> int:
    """The number of cores, or 1 when the input files hold less than :data:`SMALL_INPUT_BYTES` (stdin
    counts as large: its size is unknown). Stops reading directories once the inputs are known large."""
    cores = os.cpu_count() or 1
    if cores == 1:
        return 1
    total = 0
    for path in expand_inputs(inputs, []):
        if path == STDIN:
            return cores
        try:
            size = os.path.getsize(path)
        except OSError:
            continue
        total += size * (COMPRESSED_RATIO if split_suffix(path)[1] else 1)
        if total >= SMALL_INPUT_BYTES:
            return cores
    return 1


def _recipe(recipe_path: str | None, rule_packs: tuple[str, ...] = (),
            disabled_rules: tuple[str, ...] = ()) -> dict[str, Any]:
    recipe = load_recipe(recipe_path)
    if rule_packs or disabled_rules:
        params = stage_params(recipe, "rules")
        if params is None:
            hint = "--rules" if rule_packs else "--disable-rule"
            raise click.BadParameter("the recipe has no 'rules' stage to change", param_hint=hint)
        params["extra_packs"] = [*params.get("extra_packs", []), *rule_packs]
        params["disable"] = [*params.get("disable", []), *disabled_rules]
    return recipe


def _pipeline(recipe_path: str | None, rule_packs: tuple[str, ...] = (),
              disabled_rules: tuple[str, ...] = ()) -> Any:
    recipe = _recipe(recipe_path, rule_packs, disabled_rules)
    return build_pipeline(recipe, where=recipe_path or "built-in recipe")


def dedup_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--no-dedup`` and ``--dedup-index PATH`` for the recipe's dedup stage."""
    for option in reversed([
        click.option("--no-dedup", is_flag=True, help="Skip document deduplication for this run."),
        click.option("--dedup-index", type=click.Path(dir_okay=False), default=None, metavar="PATH",
                     help="Deduplicate against the documents kept by earlier runs recorded in PATH (if it "
                          "exists), then add this run's kept documents to it."),
    ]):
        func = option(func)
    return func


def _apply_dedup_options(recipe: dict[str, Any], no_dedup: bool, dedup_index: str | None) -> None:
    if no_dedup and dedup_index:
        raise click.BadParameter("cannot be used with --no-dedup", param_hint="--dedup-index")
    if no_dedup:
        recipe["stages"] = [table for table in recipe.get("stages", []) if table.get("use") != "dedup"]
    elif dedup_index:
        params = stage_params(recipe, "dedup")
        if params is None:
            raise click.BadParameter("the recipe has no 'dedup' stage", param_hint="--dedup-index")
        params["index"] = dedup_index


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="corpusclean")
def main() -> None:
    """Clean Chinese web text into deduplicated UTF-8 JSONL for language-model training.

    \b
    Start here:
      corpusclean clean seeds/ -o clean.jsonl --rejects rejects.jsonl
      corpusclean explain seeds/000_4756ecb91caec781.txt
    """


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", required=True,
              help="Output: FILE.jsonl[.gz|.bz2|.xz|.zst], FILE.parquet, a DIRECTORY/ of shards, or - for stdout.")
@click.option("--output-format", type=click.Choice(["jsonl", "parquet"]), default=None,
              help="Output format; default: parquet for a .parquet OUTPUT, else jsonl. A DIRECTORY/ with "
                   "parquet gets part-NNNNN.parquet shards (pip install 'corpusclean[parquet]').")
@click.option("--two-pass", is_flag=True,
              help="First mine INPUTS for templated boilerplate (as `corpusclean mine`), then clean with the "
                   "mined rules added; INPUTS are read again, so not stdin.")
@click.option("--rejects", default=None, help="JSONL file receiving every removed document, line and span.")
@click.option("--report", default=None, type=click.Path(dir_okay=False),
              help="Write the run summary here: JSON, or for a FILE.html (.htm) one self-contained page with "
                   "examples per rule, signal histograms with their thresholds, duplicate clusters and time per "
                   "stage (collecting them costs the run some time).")
@click.option("--workers", "-w", type=click.IntRange(min=1), default=None,
              help="Worker processes for per-document stages; default: number of cores (one for inputs "
                   "under 8 MB, which workers would take longer to start than to clean).")
@click.option("--shard-size", type=click.IntRange(min=1), default=None,
              help="Documents per output shard; makes OUTPUT a directory of part-NNNNN.jsonl files.")
@click.option("--on-error", type=click.Choice(["skip", "fail"]), default="skip", show_default=True,
              help="skip: send unreadable lines to rejects and go on; fail: stop and write nothing.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary on stderr.")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="local: worker processes on this machine; ray: a Ray cluster (pip install 'corpusclean[ray]').")
@click.option("--ray-address", default=None, metavar="ADDRESS",
              help="Ray cluster to use with --engine ray (e.g. ray://head:10001 or auto); default: start a local one.")
@click.option("--html-metadata/--no-html-metadata", default=True, show_default=True,
              help="HTML and WARC inputs: keep each page's author, date, site name and description in meta. "
                   "--no-html-metadata keeps the title alone and extracts about twice as fast; the text is the same.")
@click.option("--html-extractor", type=click.Choice(["readability", "trafilatura"]), default="readability",
              show_default=True,
              help="HTML and WARC inputs: readability chooses the main block, with trafilatura's precision mode "
                   "where it finds too little (the better text on every labelled set); trafilatura: its "
                   "defaults alone, ~1.6x faster.")
@click.option("--resume", is_flag=True,
              help="Journal finished chunks beside OUTPUT, and go on from the journal of an earlier run of this "
                   "command that was killed (same inputs, recipe and options); the output is what an "
                   "uninterrupted run writes.")
@click.option("--time-budget", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
              help="CPU seconds one stage may spend on one document before the document goes to the rejects "
                   "as <stage>/timeout (default: the recipe's time_budget, 5; 0: no limit).")
@input_options
@rule_options
@dedup_options
@friendly_errors
def clean(inputs: tuple[str, ...], output: str, rejects: str | None, report: str | None, workers: int | None,
          shard_size: int | None, on_error: str, quiet: bool, fmt: str | None, text_field: str, id_field: str,
          recipe_path: str | None, debug: bool, rule_packs: tuple[str, ...] = (),
          disabled_rules: tuple[str, ...] = (), no_dedup: bool = False, dedup_index: str | None = None,
          engine: str = "local", ray_address: str | None = None, two_pass: bool = False,
          html_metadata: bool = True, time_budget: float | None = None, resume: bool = False,
          html_extractor: str = "readability",
          output_format: str | None = None) -> None:
    """Clean INPUTS (files, directories, globs, or - for stdin) into JSONL or Parquet.

    Formats by extension: .jsonl/.json (one record per line), .txt (one document per file), .html/.htm
    (main text extracted), .warc/.warc.gz (HTML responses), .parquet (one document per row, other columns
    kept with their types); .gz/.bz2/.xz/.zst are decompressed.
    Non-UTF-8 files (GBK, GB18030, Big5) are detected and decoded.

    \b
    Examples:
      corpusclean clean seeds/ -o clean.jsonl --rejects rejects.jsonl
      corpusclean clean 'crawl/*.jsonl.zst' -o out/ --shard-size 100000 --workers 8
      zcat dump.jsonl.gz | corpusclean clean - -o - --text-field content > clean.jsonl
      corpusclean clean pages/ -o clean.jsonl.zst --config my-recipe.toml --report run.json
      corpusclean clean shard.jsonl -o out.jsonl --rules my-site.toml --disable-rule follow_subscribe
      corpusclean clean crawl-2024-06/ -o june.jsonl --dedup-index seen.npz   # also drop what earlier runs kept
      corpusclean clean crawl/ -o clean.jsonl --two-pass --report run.json   # mine site templates first
      corpusclean clean s3://bucket/crawl/ -o s3://bucket/clean/ --engine ray --ray-address auto
      corpusclean clean crawl/ -o out/ --resume          # after a kill, the same command goes on from the journal
      corpusclean clean in.parquet --text-field content --id-field doc_id -o out.parquet
      corpusclean clean crawl/ -o clean.jsonl --report report.html   # a page to read: examples, histograms
      corpusclean clean 'fineweb/*.parquet' -o clean/ --output-format parquet   # part-NNNNN.parquet shards

    Exit status: 0 all input read; 1 some input skipped (listed on stderr and in --report);
    2 bad usage or recipe.
    """
    if engine == "local":
        workers = workers or default_workers(inputs)
        if workers > 1:
            start_worker_server()
    recipe = _recipe(recipe_path, rule_packs, disabled_rules)
    _apply_dedup_options(recipe, no_dedup, dedup_index)
    if time_budget is not None:
        recipe["time_budget"] = time_budget
    mined = _two_pass(recipe, inputs, fmt, text_field, id_field, quiet) if two_pass else None
    pipeline = build_pipeline(recipe, where=recipe_path or "built-in recipe")
    html_report = report is not None and is_html_report(report)
    if html_report and engine == "ray":
        raise click.BadParameter("an HTML report works with --engine local only; give a .json path",
                                 param_hint="--report")
    pipeline.observe = html_report
    if output != "-" and rejects and os.path.abspath(output) == os.path.abspath(rejects):
        raise click.BadParameter("must differ from --output", param_hint="--rejects")
    config = RunConfig(
        inputs=inputs, output=output, rejects=rejects, fmt=fmt,
        parse=ParseOptions(text_field=text_field, id_field=id_field or None, html_metadata=html_metadata,
                           html_extractor=html_extractor),
        workers=workers or os.cpu_count() or 1, on_error=on_error, shard_size=shard_size,
        progress=not quiet and sys.stderr.isatty(), resume=resume, output_format=output_format,
    )
    if output_format == "parquet" and output == "-":
        raise click.BadParameter("Parquet cannot go to stdout; give a FILE.parquet or a DIRECTORY/",
                                 param_hint="--output-format")
    if engine == "ray":
        if output_format == "parquet" or output.endswith(".parquet"):
            raise click.BadParameter("Parquet output works with --engine local only", param_hint="--output")
        if resume:
            raise click.BadParameter("works with --engine local only", param_hint="--resume")
        summary = _clean_on_ray(pipeline, config, ray_address, workers)
    else:
        if ray_address is not None:
            raise click.BadParameter("needs --engine ray", param_hint="--ray-address")
        swept = sweep_leftovers(pipeline, config)
        if swept and not quiet:
            click.echo(f"corpusclean: removed {len(swept)} partial file(s) or spill folder(s) left by killed runs "
                       f"({', '.join(swept[:3])}{', ...' if len(swept) > 3 else ''})", err=True)
        summary = clean_files(pipeline, config)
    if report:
        from corpusclean.io.writers import AtomicFile

        sink = AtomicFile(report)
        data = run_report(summary, pipeline, config)
        if mined is not None:
            data["mined"] = mined
        if html_report:
            from corpusclean.report_html import render_report

            sink.write(render_report(data, summary.detail).encode())
        else:
            sink.write(json.dumps(data, ensure_ascii=False, indent=2).encode() + b"\n")
        sink.commit()
    if not quiet:
        click.echo(summary.render(), err=True)
    elif summary.errors:
        for error in summary.errors:
            click.echo(f"corpusclean: {error}", err=True)
    if summary.errors:
        sys.exit(EXIT_SKIPPED)


def _clean_on_ray(pipeline: Any, config: RunConfig, address: str | None, workers: int | None) -> Any:
    """``clean --engine ray``: a missing Ray is a usage error naming the extra to install (exit 2)."""
    from corpusclean.engines.ray_dedup import Unsupported
    from corpusclean.engines.ray_engine import RayMissing, clean_with_ray, require_ray

    try:
        require_ray()
        return clean_with_ray(pipeline, config, address=address, workers=workers)
    except (RayMissing, Unsupported) as exc:
        raise ConfigError(str(exc)) from None


def _two_pass(recipe: dict[str, Any], inputs: tuple[str, ...], fmt: str | None, text_field: str, id_field: str,
              quiet: bool) -> dict[str, Any]:
    """``clean --two-pass``: mine the inputs, add the mined pack to the recipe's rules stage (a temporary
    file, removed when the command ends); returns what was mined, for the report."""
    import shutil
    import tempfile

    from corpusclean.io.readers import STDIN
    from corpusclean.mining.boilerplate import existing_rules, mine_files
    from corpusclean.mining.mined_pack import write_pack

    if STDIN in inputs:
        raise click.BadParameter("reads INPUTS twice; stdin ('-') can be read once: save it to a file first",
                                 param_hint="--two-pass")
    params = stage_params(recipe, "rules")
    if params is None:
        raise click.BadParameter("the recipe has no 'rules' stage to add mined rules to", param_hint="--two-pass")
    existing = existing_rules([*params.get("packs", ["builtin"]), *params.get("extra_packs", [])],
                              params.get("disable", []))
    result = mine_files(inputs, parse=ParseOptions(text_field=text_field, id_field=id_field or None), fmt=fmt,
                        existing=existing)
    if not quiet:
        click.echo(f"corpusclean: mined {len(result.rules)} rules from {result.documents:,} documents "
                   f"({len(result.dropped)} candidates dropped by the guards)", err=True)
    if result.rules:
        directory = tempfile.mkdtemp(prefix="corpusclean-mined-")
        click.get_current_context().call_on_close(lambda: shutil.rmtree(directory, ignore_errors=True))
        path = write_pack(result, os.path.join(directory, "mined.toml"), inputs=inputs)
        params["extra_packs"] = [*params.get("extra_packs", []), str(path)]
    return result.as_dict()


def _loose(text: str) -> str:
    """Matching key for explain: receipts hold text as the stage saw it (after normalisation turned ':'
    into '：' or removed padding), the display shows the input; NFKC without blanks equates the two."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def render_explanation(before: str, doc: Document) -> str:
    """Show a document before cleaning, with every removed piece marked by the rule that removed it."""
    lines = before.split("\n")
    keys = [_loose(line) for line in lines]
    marks: dict[int, str] = {}
    spans: dict[int, list[tuple[str, str]]] = {}

    def free(i: int, piece: str, label: str) -> bool:
        return i not in marks and (piece, label) not in spans.get(i, [])

    for removal in doc.removals:
        label = f"{removal.stage}/{removal.rule}"
        # A block receipt holds several lines: each is marked where it stands.
        for offset, piece in enumerate(p.strip() for p in removal.text.split("\n")):
            key = _loose(piece)
            if not key:
                continue
            # The receipt's line number is where the stage saw it; trust it when the piece is there
            # (stages before it rarely move lines), else take the first line holding it not yet marked.
            hit = removal.line + offset if removal.line is not None else None
            if hit is None or not 0 <= hit < len(lines) or key not in keys[hit] or not free(hit, piece, label):
                hit = next((i for i, k in enumerate(keys) if key in k and free(i, piece, label)), None)
            if hit is None:
                continue
            if keys[hit] == key:
                marks[hit] = label
            else:
                spans.setdefault(hit, []).append((piece, label))
    out = []
    for number, line in enumerate(lines):
        if number in marks:
            out.append(click.style(f"- {line}", fg="red") + click.style(f"   [{marks[number]}]", fg="yellow"))
            continue
        for piece, label in spans.get(number, []):
            marked = click.style(f"⟦{piece}⟧", fg="red") + click.style(f"[{label}]", fg="yellow")
            line = line.replace(piece, marked, 1) if piece in line else f"{line} {marked}"
        out.append(f"  {line}")
    return "\n".join(out)


@main.command()
@click.argument("file")
@click.option("--id", "doc_id", default=None, help="Document id to explain; default: the first document.")
@input_options
@rule_options
@friendly_errors
def explain(file: str, doc_id: str | None, fmt: str | None, text_field: str, id_field: str,
            recipe_path: str | None, debug: bool, rule_packs: tuple[str, ...] = (),
            disabled_rules: tuple[str, ...] = ()) -> None:
    """Show one document before and after cleaning, each removed piece marked with its rule.

    Lines removed whole are prefixed with '-'; removed spans inside a line are shown as ⟦…⟧ followed by the
    rule id. Reach for this when a rule misfires.

    \b
    Examples:
      corpusclean explain seeds/000_4756ecb91caec781.txt
      corpusclean explain shard.jsonl.gz --id 12345
    """
    from corpusclean.io.parse import parse_item

    pipeline = _pipeline(recipe_path, rule_packs, disabled_rules)
    errors: list[str] = []
    options = ParseOptions(text_field=text_field, id_field=id_field or None)
    for item in iter_raw([file], errors, fmt=fmt):
        doc = parse_item(item, options)
        if doc_id is not None and doc.id != doc_id:
            continue
        before = doc.text
        doc = next(pipeline.run([doc]))
        click.echo(f"document {doc.id} ({doc.source})")
        click.echo(render_explanation(before, doc))
        click.echo()
        if doc.rejected is not None:
            detail = json.dumps(doc.rejected.as_dict(), ensure_ascii=False)
            click.echo(f"REJECTED by {doc.rejected.stage}/{doc.rejected.rule}: {detail}")
        else:
            meta = json.dumps(doc.meta, ensure_ascii=False)
            click.echo(f"kept: {len(doc.text):,} of {len(before):,} characters; meta: {meta}")
        return
    for error in errors:
        click.echo(f"corpusclean: {error}", err=True)
    what = f"no document with id {doc_id!r}" if doc_id is not None else "no document"
    raise click.ClickException(f"{file}: {what}")


@main.command("rules")
@click.option("--check", is_flag=True, help="Run every rule's remove/keep examples; exit 1 if any fails.")
@click.option("--config", "recipe_path", type=click.Path(dir_okay=False), default=None,
              help="Recipe TOML file whose rules stage to list; default: the built-in recipe.")
@rule_options
@click.option("--debug", is_flag=True, help="Show Python tracebacks instead of one-line errors.")
@friendly_errors
def rules_command(check: bool, recipe_path: str | None, rule_packs: tuple[str, ...], disabled_rules: tuple[str, ...],
                  debug: bool) -> None:
    """List the rules the recipe's rules stage loads: id, kind, pack and what each removes.

    Disabled rules are marked 'off'. With --check, every rule's own examples are run (text it must
    remove, text it must keep) and each failure is printed.

    \b
    Examples:
      corpusclean rules
      corpusclean rules --rules my-site.toml --check
    """
    from corpusclean.rulepacks.engine import check_rule
    from corpusclean.rulepacks.pack import load_packs

    params = stage_params(_recipe(recipe_path, rule_packs, disabled_rules), "rules")
    if params is None:
        raise click.UsageError(f"{recipe_path or 'built-in recipe'}: no 'rules' stage")
    packs = load_packs([*params.get("packs", ["builtin"]), *params.get("extra_packs", [])])
    disabled = set(params.get("disable", []))
    unknown = sorted(disabled - {rule.id for pack in packs for rule in pack.rules})
    if unknown:
        raise click.BadParameter(f"no loaded rule has id {unknown[0]!r}", param_hint="--disable-rule")
    failures: list[str] = []
    for pack in packs:
        click.echo(f"{pack.id} {pack.version}  {pack.path}  ({len(pack.rules)} rules)")
        for rule in pack.rules:
            state = "off " if rule.id in disabled else ""
            click.echo(f"  {state}{rule.id:<32} {rule.kind:<6} {rule.description}")
            if check:
                failures += [f"{pack.path}: {message}" for message in check_rule(rule)]
    if check:
        total = sum(len(pack.rules) for pack in packs)
        for failure in failures:
            click.echo(f"FAIL {failure}", err=True)
        click.echo(f"examples: {total} rules checked, {len(failures)} failing", err=True)
        if failures:
            sys.exit(EXIT_SKIPPED)


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--after-clean", is_flag=True,
              help="Measure the text after the recipe's editing stages (what the quality filters see).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Measure only the first N documents.")
@click.option("--json", "as_json", is_flag=True, help="Print the percentiles as JSON.")
@input_options
@friendly_errors
def stats(inputs: tuple[str, ...], after_clean: bool, limit: int | None, as_json: bool, fmt: str | None,
          text_field: str, id_field: str, recipe_path: str | None, debug: bool) -> None:
    """Print percentiles (p1 p5 p25 p50 p75 p95 p99) of every quality signal over INPUTS.

    The signals are the ones the quality filters (length, language, repetition, structure, composition,
    spam) compare with their recipe thresholds: choose thresholds from your own corpus's distribution.
    Unreadable documents are skipped; with --after-clean, documents an editing stage drops are too.

    \b
    Examples:
      corpusclean stats seeds/
      corpusclean stats 'crawl/*.jsonl.zst' --after-clean --limit 100000
      corpusclean stats shard.jsonl --json > signals.json
    """
    import itertools

    from corpusclean.io.parse import parse_item
    from corpusclean.quality.stats import SignalStats, editing_stages

    cleaner = editing_stages(_pipeline(recipe_path)) if after_clean else None
    options = ParseOptions(text_field=text_field, id_field=id_field or None)
    errors: list[str] = []
    docs = (parse_item(item, options) for item in iter_raw(list(inputs), errors, fmt=fmt))
    docs = (doc for doc in docs if doc.rejected is None)
    if cleaner is not None:
        docs = (cleaner.process(doc) for doc in docs)
    result = SignalStats()
    result.add_docs(itertools.islice(docs, limit))
    for error in errors:
        click.echo(f"corpusclean: {error}", err=True)
    click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2) if as_json else result.render())


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Rule pack to write (TOML), e.g. rules/mined.toml.")
@click.option("--min-docs", type=click.IntRange(min=1), default=10, show_default=True,
              help="Documents a line must be on to be mined.")
@click.option("--site-field", default=None, metavar="FIELD",
              help="JSONL field naming each document's site or url; default: site, hostname, host, domain, url.")
@click.option("--pack-id", default="mined", show_default=True, help="The [pack] id written (snake_case).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@input_options
@rule_options
@friendly_errors
def mine(inputs: tuple[str, ...], output: str, min_docs: int, site_field: str | None, pack_id: str, quiet: bool,
         fmt: str | None, text_field: str, id_field: str, recipe_path: str | None, debug: bool,
         rule_packs: tuple[str, ...] = (), disabled_rules: tuple[str, ...] = ()) -> None:
    """Find templated boilerplate across INPUTS and write it as a rule pack to review.

    Lines that many documents carry at their head or tail (a copyright notice whose site name and year
    change, "本文来源于…") are clustered across variants and written as rules with their counts, sites and
    examples in comments. Lines the recipe's rule packs already remove are not mined again. INPUTS are read
    twice (not stdin). Load the pack with `clean --rules`, or use `clean --two-pass` to do both at once.

    \b
    Examples:
      corpusclean mine 'crawl/*.jsonl.zst' -o rules/mined.toml
      corpusclean clean 'crawl/*.jsonl.zst' -o clean.jsonl --rules rules/mined.toml
      corpusclean mine pages.jsonl -o site.toml --site-field domain --min-docs 50
    """
    import re

    from corpusclean.io.readers import STDIN
    from corpusclean.mining.boilerplate import BoilerplateMiner, existing_rules, mine_files
    from corpusclean.mining.mined_pack import write_pack

    if STDIN in inputs:
        raise click.BadParameter("INPUTS are read twice; stdin ('-') can be read once: save it to a file first",
                                 param_hint="INPUTS")
    if not re.match(r"^[a-z][a-z0-9_]*$", pack_id):
        raise click.BadParameter(f"must be snake_case (a-z, 0-9, _), got {pack_id!r}", param_hint="--pack-id")
    params = stage_params(_recipe(recipe_path, rule_packs, disabled_rules), "rules") or {}
    existing = existing_rules([*params.get("packs", []), *params.get("extra_packs", [])], params.get("disable", []))
    errors: list[str] = []
    result = mine_files(inputs, miner=BoilerplateMiner(min_docs=min_docs, site_field=site_field),
                        parse=ParseOptions(text_field=text_field, id_field=id_field or None), fmt=fmt,
                        existing=existing, errors=errors)
    for error in errors:
        click.echo(f"corpusclean: {error}", err=True)
    if not result.rules:
        click.echo(f"corpusclean: no templated boilerplate found in {result.documents:,} documents "
                   f"({len(result.dropped)} candidates dropped by the guards); nothing written", err=True)
    else:
        write_pack(result, output, pack_id=pack_id, inputs=inputs)
        if not quiet:
            for rule in result.rules:
                click.echo(f"{rule.rule['id']}  {rule.docs:>7,} docs  {rule.site_count:>5} sites  "
                           f"{rule.rule['remove'][0]}", err=True)
            click.echo(f"corpusclean: {len(result.rules)} rules from {result.documents:,} documents written to "
                       f"{output} ({len(result.dropped)} candidates dropped by the guards)", err=True)
    if errors:
        sys.exit(EXIT_SKIPPED)


if __name__ == "__main__":  # pragma: no cover
    main()
