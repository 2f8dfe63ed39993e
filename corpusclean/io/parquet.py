"""Parquet in and out (``pip install 'corpusclean[parquet]'``): rows read by row group, rows written in row
groups as chunks arrive, so neither side holds a file in memory.

A row travels to the workers as the JSON object of its columns and is parsed there exactly as a JSONL line
is (:func:`corpusclean.io.parse.parse_jsonl`): the same ``--text-field``/``--id-field`` handling, the same
rejects for a null or non-string text, located as ``FILE:ROW`` (rows counted from 0, as pyarrow and pandas
index them). Values JSON has no type for are written in a form the writer turns back into the column's
Arrow type: timestamps, dates and times as ISO 8601, binary as base64, decimals as strings, durations as
microseconds.

The writer gets the JSONL lines every engine makes (so the rest of the run, journal included, does not
know the output is Parquet) and keeps one schema per output, shards included: ``id``, ``text``,
``source``, the Parquet inputs' other columns with their Arrow types, for JSONL inputs the fields of the
first rows written with the types pyarrow infers, and ``meta``. Documents do not all carry the same meta
keys, so ``meta`` is a struct of the keys corpusclean's stages write (:data:`META_FIELDS`) plus ``other``,
the JSON object of any other key (nested stage notes such as ``normalize``, a rule pack's own fields), null
when there is none. A JSONL field missing from the schema, or whose value does not fit its column's type,
goes into the ``fields_json`` column the same way, so nothing read is lost.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import orjson

from corpusclean.io.atomic import AtomicFile
from corpusclean.io.inputs import STDIN, InputError, RawItem, detect_format, expand_inputs

INSTALL = "pip install 'corpusclean[parquet]'"
# Rows per row group written: large enough for Parquet's column encodings to pay, small enough that a
# buffer of long documents stays bounded (a group is also cut at _GROUP_BYTES of JSON).
_GROUP_ROWS = 8192
_GROUP_BYTES = 32 << 20
_OWN = ("id", "text", "source", "meta")  # output columns a carried input column cannot replace
OVERFLOW = "fields_json"


class ParquetMissing(InputError):
    """pyarrow is not installed: a usage error naming the extra to install."""


def require_pyarrow() -> Any:
    """The ``pyarrow`` module, imported only when Parquet is read or written."""
    try:
        import pyarrow
        import pyarrow.parquet  # the submodule is not imported with pyarrow
    except ImportError:
        raise ParquetMissing(f"Parquet needs pyarrow: {INSTALL}") from None
    return pyarrow


def _meta_type(pa: Any) -> Any:
    return pa.struct([(name, getattr(pa, kind)()) for name, kind in META_FIELDS] + [("other", pa.string())])


def _stage_meta_fields() -> tuple[tuple[str, str], ...]:
    """The meta keys corpusclean's stages write with plain values, and their Arrow types, read from where
    each is written; a stage that adds a key without adding it here only sends it to ``meta.other``."""
    from corpusclean.io.html_extract import META_FIELDS as HTML_FIELDS
    from corpusclean.rulepacks.pack import META_FIELDS as RULE_FIELDS

    fields = {
        "encoding": "string", "invalid_utf8": "bool_", "lone_surrogates": "bool_",  # io/parse.py
        "script": "string", "script_conversion": "string",  # stages/convert_script.py
        "language": "string", "language_score": "float64",  # stages/language.py
        "quality": "float64",  # stages/quality.py
        "dup_cluster": "string", "dup_count": "int64",  # stages/dedup.py
        "warc_date": "string",  # io/parse.py, WARC inputs
    }
    for name in (*HTML_FIELDS, *RULE_FIELDS):  # trafilatura's metadata; a rule pack's `meta` rules
        fields.setdefault(name, "string")
    return tuple(fields.items())


META_FIELDS = _stage_meta_fields()
_FITS: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "float64": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "int64": lambda v: isinstance(v, int) and not isinstance(v, bool) and -(1 << 63) <= v < (1 << 63),
    "bool_": lambda v: isinstance(v, bool),
}


def split_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """``meta`` as the struct stores it: the known keys whose value fits their type, the rest as JSON.

    >>> split_meta({"script": "simplified", "dup_count": 2, "normalize": {"removed": {"zero_width": 1}}})
    {'script': 'simplified', 'dup_count': 2, 'other': '{"normalize":{"removed":{"zero_width":1}}}'}
    >>> split_meta({"dup_count": "两"})["other"]
    '{"dup_count":"两"}'
    """
    row: dict[str, Any] = {}
    other: dict[str, Any] = {}
    for key, value in meta.items():
        kind = _KNOWN.get(key)
        if kind is not None and value is not None and _FITS[kind](value):
            row[key] = value
        else:
            other[key] = value
    row["other"] = orjson.dumps(other).decode() if other else None
    return row


_KNOWN = dict(META_FIELDS)


def join_meta(struct: dict[str, Any]) -> dict[str, Any]:
    """The inverse of :func:`split_meta` for a ``meta`` struct read back from Parquet (nulls are absent keys).

    >>> join_meta({"script": "simplified", "dup_count": None, "other": '{"editor":"王"}'})
    {'script': 'simplified', 'editor': '王'}
    """
    meta = {key: value for key, value in struct.items() if value is not None and key != "other"}
    if isinstance(struct.get("other"), str):
        try:
            extra = orjson.loads(struct["other"])
        except orjson.JSONDecodeError:
            extra = {"other": struct["other"]}
        if isinstance(extra, dict):
            meta.update(extra)
    return meta


# ---- reading ----

def _json_default(value: Any) -> Any:
    """Values orjson has no encoding for, in the form :func:`_converter` turns back into their Arrow type."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, timedelta):
        return value // timedelta(microseconds=1)
    if isinstance(value, datetime | date | time):  # subclasses (pandas.Timestamp) orjson leaves alone
        return value.isoformat()
    return str(value)  # Decimal, and anything else a reader can still show


def row_json(row: dict[str, Any]) -> bytes:
    """One row as the JSON object a worker parses like a JSONL line; a ``meta`` struct written by
    corpusclean is unfolded again so a cleaned Parquet file can be cleaned twice.

    >>> row_json({"content": "北京", "n": 3, "blob": b"\\x00", "at": datetime(2024, 5, 1, 8, 30)}).decode()
    '{"content":"北京","n":3,"blob":"AA==","at":"2024-05-01T08:30:00"}'
    """
    if isinstance(row.get("meta"), dict) and "other" in row["meta"]:
        row["meta"] = join_meta(row["meta"])
    return orjson.dumps(row, default=_json_default)


def parquet_items(path: str, errors: list[str]) -> Iterator[RawItem]:
    """Rows of one Parquet file, one row group at a time, as ``jsonl`` items located ``FILE:ROW``. A file
    that is not Parquet, or a row group that cannot be read, is reported in ``errors``."""
    pq = require_pyarrow().parquet
    import pyarrow as pa

    if path == STDIN:
        errors.append("<stdin>: Parquet cannot be read from standard input (it is read from its footer)")
        return
    row = 0
    try:
        source = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as exc:
        hint = "" if path.lower().endswith(".parquet") else \
            " (--format sets the input format; Parquet output is --output-format parquet)"
        errors.append(f"{path}: not a readable Parquet file: {exc}{hint}")
        return
    with source:
        try:
            for group in range(source.num_row_groups):
                for batch in source.iter_batches(batch_size=1024, row_groups=[group], use_threads=False):
                    for values in batch.to_pylist():
                        yield RawItem(path, row, row_json(values), "jsonl")
                        row += 1
        except (OSError, pa.ArrowException) as exc:
            errors.append(f"{path}: truncated or corrupt input after row {row}: {exc}")


def input_schema(inputs: Sequence[str], *, fmt: str | None, text_field: str, id_field: str | None) -> Any:
    """The carried columns of the Parquet ``inputs`` (read from their footers), unified across files; ``None``
    when no input is Parquet. Files whose schemas cannot be unified are a :class:`InputError`."""
    files = [path for path in expand_inputs(inputs, []) if path != STDIN and detect_format(path, fmt) == "parquet"]
    if not files:
        return None
    pa = require_pyarrow()
    schemas = []
    for path in files:
        try:
            schemas.append(pa.parquet.read_schema(path))
        except (OSError, pa.ArrowException):
            continue  # reported (and its rows accounted for) when the file is read
    try:
        schema = pa.unify_schemas(schemas, promote_options="permissive") if schemas else pa.schema([])
    except (pa.ArrowException, TypeError) as exc:
        raise InputError(f"the Parquet inputs' columns do not agree, so they cannot share one output: {exc}") \
            from None
    dropped = {text_field, id_field, *_OWN}
    return pa.schema([f.with_nullable(True) for f in schema if f.name not in dropped])


# ---- writing ----

def _timestamp(value: str) -> datetime:
    # Python reads at most 6 fractional digits; pandas writes 9 for nanosecond timestamps.
    head, dot, rest = value.partition(".")
    if dot:
        digits = len(rest) - len(rest.lstrip("0123456789"))
        if digits > 6:
            value = f"{head}.{rest[:6]}{rest[digits:]}"
    return datetime.fromisoformat(value)


def _converter(type_: Any) -> Callable[[Any], Any] | None:
    """What turns a JSON value back into what ``pyarrow.array`` takes for ``type_``; ``None``: as it is."""
    import pyarrow as pa

    t = pa.types
    if t.is_timestamp(type_):
        return lambda v: _timestamp(v) if isinstance(v, str) else v
    if t.is_date(type_):
        return lambda v: date.fromisoformat(v) if isinstance(v, str) else v
    if t.is_time(type_):
        return lambda v: time.fromisoformat(v) if isinstance(v, str) else v
    if t.is_binary(type_) or t.is_large_binary(type_) or t.is_fixed_size_binary(type_):
        return lambda v: base64.b64decode(v, validate=True) if isinstance(v, str) else v
    if t.is_decimal(type_):
        return lambda v: Decimal(v) if isinstance(v, str) else v
    if t.is_duration(type_):
        return lambda v: timedelta(microseconds=v) if isinstance(v, int) else v
    if t.is_map(type_):
        key, item = _converter(type_.key_type) or _same, _converter(type_.item_type) or _same
        return lambda v: [(_none(key, k), _none(item, x)) for k, x in v] if isinstance(v, list) else v
    if t.is_list(type_) or t.is_large_list(type_) or t.is_fixed_size_list(type_):
        inner = _converter(type_.value_type)
        if inner is None:
            return None
        return lambda v: [_none(inner, x) for x in v] if isinstance(v, list) else v
    if t.is_struct(type_):
        fields = {type_.field(i).name: _converter(type_.field(i).type) for i in range(type_.num_fields)}
        if not any(fields.values()):
            return None
        return lambda v: {k: _none(fields.get(k) or _same, x) for k, x in v.items()} if isinstance(v, dict) else v
    return None


def _same(value: Any) -> Any:
    return value


def _none(convert: Callable[[Any], Any], value: Any) -> Any:
    return None if value is None else convert(value)


def _strict(type_: Any) -> Callable[[Any], bool] | None:
    """Which JSON values a primitive column takes: ``pyarrow.array`` would truncate 5.5 into an int64 column
    and turn ``True`` into 1, where the value belongs in ``fields_json`` as it was."""
    import pyarrow as pa

    t = pa.types
    if t.is_integer(type_):
        return lambda v: isinstance(v, int) and not isinstance(v, bool)
    if t.is_floating(type_):
        return lambda v: isinstance(v, int | float) and not isinstance(v, bool)
    if t.is_boolean(type_):
        return lambda v: isinstance(v, bool)
    if t.is_string(type_) or t.is_large_string(type_):
        return lambda v: isinstance(v, str)
    return None


class _Column:
    """One carried column: its Arrow type and how JSON values become values of it."""

    def __init__(self, field: Any) -> None:
        self.name = field.name
        self.type = field.type
        self.convert = _converter(field.type)
        self.fits = _strict(field.type)

    def array(self, values: list[Any], overflow: list[dict[str, Any] | None]) -> Any:
        """The column's array; a value that does not fit becomes null and goes to its row's ``overflow``."""
        import pyarrow as pa

        fits = self.fits
        if fits is None or all(v is None or fits(v) for v in values):
            try:
                convert = self.convert
                return pa.array([_none(convert, v) for v in values] if convert else values, type=self.type)
            except (pa.ArrowException, ValueError, TypeError, OverflowError):
                pass
        kept: list[Any] = []
        for row, value in enumerate(values):
            try:
                if value is not None and fits is not None and not fits(value):
                    raise TypeError(value)
                converted = _none(self.convert, value) if self.convert else value
                pa.array([converted], type=self.type)
            except (pa.ArrowException, ValueError, TypeError, OverflowError):
                overflow[row] = {**(overflow[row] or {}), self.name: value}
                converted = None
            kept.append(converted)
        return pa.array(kept, type=self.type)


def _infer(values: list[Any]) -> Any:
    """The Arrow type pyarrow infers for a JSONL field's first values; when they disagree (an int, then a
    string), the first value's type, and the values that do not fit it go to ``fields_json``.

    >>> str(_infer([1, 2])), str(_infer([1, "二"])), str(_infer([None, ["a"]]))
    ('int64', 'int64', 'list<item: string>')
    """
    import pyarrow as pa

    try:
        return pa.array(values).type
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        first = next(v for v in values if v is not None)
        return pa.array([first]).type


class ParquetSchema:
    """The columns shared by every file of one output. For JSONL inputs the fields' columns are fixed from
    the first rows written (:meth:`settle`), so every shard of a directory has the same schema."""

    def __init__(self, carried: Any | None) -> None:
        pa = require_pyarrow()
        self.fixed = carried is not None
        self.columns = [_Column(f) for f in carried] if carried is not None else []
        self.overflow = not self.fixed  # JSONL fields may not fit the first rows' types
        self._meta = _meta_type(pa)
        self.schema: Any = None

    def settle(self, records: list[dict[str, Any]]) -> None:
        if self.schema is not None:
            return
        pa = require_pyarrow()
        if not self.fixed:
            names: dict[str, None] = {}
            for record in records:
                names.update(dict.fromkeys(k for k in record if k not in _OWN and k != OVERFLOW))
            self.columns = [_Column(pa.field(name, _infer([r.get(name) for r in records]))) for name in names]
        fields = [pa.field(name, pa.string()) for name in ("id", "text", "source")]
        fields += [pa.field(c.name, c.type) for c in self.columns]
        if self.overflow:
            fields.append(pa.field(OVERFLOW, pa.string()))
        fields.append(pa.field("meta", self._meta))
        self.schema = pa.schema(fields)

    def table(self, records: list[dict[str, Any]]) -> Any:
        """The rows of ``records`` (output records as JSONL holds them) as a table of :attr:`schema`."""
        pa = require_pyarrow()
        self.settle(records)
        overflow: list[dict[str, Any] | None] = [None] * len(records)
        known = {c.name for c in self.columns}
        for row, record in enumerate(records):
            extra = {k: v for k, v in record.items() if k not in known and k not in _OWN}
            if extra:
                overflow[row] = extra
        arrays = [pa.array([r["id"] for r in records], pa.string()),
                  pa.array([r["text"] for r in records], pa.string()),
                  pa.array([r["source"] for r in records], pa.string())]
        arrays += [c.array([r.get(c.name) for r in records], overflow) for c in self.columns]
        if self.overflow:
            arrays.append(pa.array([orjson.dumps(o).decode() if o else None for o in overflow], pa.string()))
        elif any(overflow):
            row = next(i for i, o in enumerate(overflow) if o)
            raise ValueError(f"{records[row]['source']}: fields {sorted(overflow[row])} do not fit the Parquet "
                             "inputs' columns")
        arrays.append(pa.array([split_meta(r.get("meta") or {}) for r in records], self._meta))
        return pa.Table.from_arrays(arrays, schema=self.schema)


class ParquetFile(AtomicFile):
    """A Parquet file that appears under its name only on :meth:`commit`. Takes the JSONL lines the
    engines make and writes a row group whenever :data:`_GROUP_ROWS` rows (or :data:`_GROUP_BYTES` of
    JSON) are waiting."""

    def __init__(self, path: str, *, schema: ParquetSchema) -> None:
        require_pyarrow()
        super().__init__(path)
        self.columns = schema
        self._writer: Any = None
        self._pending: list[bytes] = []
        self._pending_bytes = 0

    def write(self, data: bytes) -> None:
        self.write_many([data])

    def write_many(self, lines: list[bytes]) -> None:
        self._pending.extend(lines)
        self._pending_bytes += sum(len(line) for line in lines)
        self.count += len(lines)
        if len(self._pending) >= _GROUP_ROWS or self._pending_bytes >= _GROUP_BYTES:
            self._flush()

    def _flush(self) -> None:
        import pyarrow.parquet as pq

        records = [orjson.loads(line) for line in self._pending]
        self._pending, self._pending_bytes = [], 0
        table = self.columns.table(records)
        if self._writer is None:
            self._writer = pq.ParquetWriter(self._stream, self.columns.schema, compression="zstd")
        self._writer.write_table(table, row_group_size=max(len(records), 1))

    def commit(self) -> None:
        if self._pending or self._writer is None:
            self._flush()
        self._writer.close()
        super().commit()

    def abort(self) -> None:
        try:
            if self._writer is not None:
                self._writer.close()
        finally:
            super().abort()


def parquet_opener(carried: Any | None) -> Callable[[str], ParquetFile]:
    """Opens the files of one output (a file or every shard of a directory) on one shared schema."""
    schema = ParquetSchema(carried)
    return lambda path: ParquetFile(path, schema=schema)


def is_parquet_output(path: str, output_format: str | None) -> bool:
    """Whether ``path`` gets Parquet: ``--output-format parquet``, or a name ending in ``.parquet``."""
    if output_format is not None:
        return output_format == "parquet"
    return path != STDIN and os.path.splitext(path)[1].lower() == ".parquet"
