"""Tables kept on disk (corpusclean.text.table_cache): a loaded table equals a freshly built one, and a cache
that is stale, damaged or unwritable is never trusted and never an error."""

from __future__ import annotations

import importlib
import os
import sys

import numpy as np
import pytest

from corpusclean.dedup import shingles
from corpusclean.quality import charclasses, keywords
from corpusclean.stages import normalize
from corpusclean.text import mojibake, script, table_cache


def _no_build(*_args: object) -> None:
    raise AssertionError("built again although a cached copy is there")


def _equal(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, tuple) and hasattr(a, "_fields"):  # script's tables: dicts, arrays, sets
        return all(_equal(x, y) for x, y in zip(a, b, strict=True))
    return a == b


# (cached function, the functools cache to clear, module and name of the builder, fresh build)
TABLES = {
    "script": (script._tables, script, "_fold_sets", lambda: script._make_tables(*script._fold_sets())),
    "shingles": (shingles._bmp_table, shingles, "_build_bmp_table", shingles._build_bmp_table),
    "normalize": (normalize._invisible_bmp_points, normalize, "_measure_invisible_bmp_points",
                  normalize._measure_invisible_bmp_points),
    "quality_signals": (charclasses._class_table, charclasses, "_build_class_table",
                        charclasses._build_class_table),
    "view_inverse": (keywords._view_inverse, keywords, "_build_view_inverse",
                     lambda: (*keywords._build_view_inverse()[:2],
                              frozenset(keywords._build_view_inverse()[2]))),
    "mojibake": (mojibake._expensive_bmp, mojibake, "_measure_expensive_bmp", mojibake._measure_expensive_bmp),
}


@pytest.mark.parametrize("name", TABLES)
def test_a_table_loaded_from_disk_equals_a_fresh_build(name, tmp_path, monkeypatch):
    cached, module, builder, fresh = TABLES[name]
    monkeypatch.setenv("CORPUSCLEAN_CACHE", str(tmp_path))
    clear = getattr(cached, "cache_clear", lambda: None)
    clear()
    try:
        saved = cached()  # built and saved
        (path,) = [p for p in tmp_path.iterdir() if p.name.startswith(f"{name}-v")]
        clear()
        monkeypatch.setattr(module, builder, _no_build)
        loaded = cached()  # read back, not built
        monkeypatch.undo()
        assert _equal(loaded, saved) and _equal(loaded, fresh())
        assert path.stat().st_size > 0
    finally:
        clear()


def test_the_tables_give_the_same_answers_loaded_or_built(tmp_path, monkeypatch):
    """Through the functions that use them: the fold, the dedup view, the invisible characters, the
    character classes and the mojibake share, on text that exercises every table."""
    text = "貴州省黨政代表團，赴廣東！\u200b２０２１年ＧＤＰ\ue000 浣犲ソ涓栫晫锛岃繖鏄竴娈垫祴璇曟枃瀛椼��"

    def answers() -> tuple:
        return (script.fold_to_simplified(text), shingles.normalized_view(text),
                normalize.remove_invisible(text, {}), charclasses.char_classes(text).tolist(),
                keywords._spellings("qq号"), mojibake.mojibake_share(text))

    monkeypatch.setenv("CORPUSCLEAN_CACHE", str(tmp_path))
    functions = (script._tables, shingles._bmp_table, normalize._invisible_bmp_points, normalize._invisible,
                 charclasses._class_table, keywords._view_inverse, mojibake._expensive_runs)
    try:
        results = []
        for _ in range(2):  # built, then loaded
            for function in functions:
                function.cache_clear()
            results.append(answers())
        assert results[0] == results[1]
    finally:
        for function in functions:
            function.cache_clear()


def _load(tmp_path, build, **kwargs):
    return table_cache.load_or_build("demo", build, version=1, directory=str(tmp_path), **kwargs)


def test_a_damaged_file_is_rebuilt_and_replaced(tmp_path):
    table = {"深": 1.5, "圳": 2.5}
    _load(tmp_path, lambda: table)
    (path,) = tmp_path.iterdir()
    path.write_bytes(path.read_bytes()[:7])
    assert _load(tmp_path, lambda: table) == table
    assert _load(tmp_path, _no_build) == table


def test_a_file_of_another_key_under_this_name_is_not_trusted(tmp_path):
    _load(tmp_path, lambda: "old")
    (path,) = tmp_path.iterdir()
    other = tmp_path / "other"
    _load(other, lambda: "other", extra=["something else"])
    (other_path,) = other.iterdir()
    os.replace(other_path, path)  # right file name, wrong contents (a digest collision or a stray copy)
    assert _load(tmp_path, lambda: "new") == "new"


def test_an_unwritable_or_missing_cache_is_skipped_silently(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert _load(blocker / "cache", lambda: (1, 2)) == (1, 2)
    assert table_cache.load_or_build("demo", lambda: (3,), version=1, directory=None) == (3,)
    # An input that cannot be found: built (the builder reports it), nothing saved.
    assert _load(tmp_path / "c", lambda: (4,), inputs=[str(tmp_path / "missing.txt")]) == (4,)
    assert not (tmp_path / "c").exists()


def test_an_edited_module_or_input_is_a_new_file(tmp_path, monkeypatch):
    module = tmp_path / "corpusclean_demo_builder.py"
    module.write_text("TABLE = '深圳'\n", encoding="utf-8")
    data = tmp_path / "words.txt"
    data.write_text("深圳 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()

    def name() -> str:
        earlier = table_cache._STARTED_NS - 10**9  # edited before this process started
        os.utime(module, ns=(earlier, earlier))
        table_cache._module_digest.cache_clear()
        key = table_cache.table_key(version=1, sources=["corpusclean_demo_builder"], inputs=[str(data)])
        return table_cache.file_name("demo", key)

    first = name()
    module.write_text("TABLE = '毕节'\n", encoding="utf-8")
    second = name()
    data.write_text("深圳 1\n毕节 2\n", encoding="utf-8")
    third = name()
    assert len({first, second, third}) == 3
    assert name() == third
    sys.modules.pop("corpusclean_demo_builder", None)


def test_a_module_edited_after_the_process_started_is_not_cached(tmp_path, monkeypatch):
    module = tmp_path / "corpusclean_demo_edited.py"
    module.write_text("TABLE = '深圳'\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    later = table_cache._STARTED_NS + 10**9
    os.utime(module, ns=(later, later))  # the process may still run the code from before the edit
    cache = tmp_path / "cache"
    assert _load(cache, lambda: "built", sources=["corpusclean_demo_edited"]) == "built"
    assert not cache.exists()


def test_saving_removes_older_versions_and_keeps_a_few_of_this_one(tmp_path):
    older = tmp_path / "demo-v0-0123456789abcdef.marshal"
    unrelated = [tmp_path / "notes.txt", tmp_path / "demo2-v0-0123456789abcdef.marshal"]
    this_version = [tmp_path / f"demo-v1-{i:016x}.marshal" for i in range(table_cache.KEEP_PER_TABLE + 2)]
    for age, path in enumerate([older, *unrelated, *this_version]):
        path.write_bytes(b"x")
        os.utime(path, ns=(10**18 + age, 10**18 + age))
    _load(tmp_path, lambda: "table")
    kept = {p.name for p in tmp_path.iterdir()}
    assert older.name not in kept and all(p.name in kept for p in unrelated)
    # The file just written and the newest others of this version.
    newest = [p.name for p in this_version[-(table_cache.KEEP_PER_TABLE - 1):]]
    assert sorted(n for n in kept if n.startswith("demo-v1-")) == sorted([*newest, table_cache.file_name(
        "demo", table_cache.table_key(version=1))])


def test_cache_location_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CORPUSCLEAN_CACHE", str(tmp_path / "a"))
    assert table_cache.cache_dir() == str(tmp_path / "a")
    monkeypatch.delenv("CORPUSCLEAN_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "b"))
    assert table_cache.cache_dir() == os.path.join(str(tmp_path / "b"), "corpusclean")


def test_the_language_model_mapped_from_disk_is_py3langid_own(tmp_path, monkeypatch):
    """The language model's arrays, read and saved, then mapped from the saved file, make the identifier
    py3langid makes from its own file: the same arrays and integers, the same ranking of every language."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from corpusclean.text import language_id

    own = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    texts = ["深圳市对口帮扶毕节二十周年回顾与展望", "貴州省黨政代表團赴廣東省學習考察",
             "どうやって、1年以上参照されていないファイルを識別するか？", "한국어 문장은 여기에 있습니다.",
             "The cooperation between Shenzhen and Bijie has covered industry.", "Привет, как дела?",
             "深圳 Shenzhen 2021年GDP增长6.7%，The economy grew.", "1234 5678 !!!", "ä½ å¥½ï¼Œä¸–ç•Œ"]
    monkeypatch.setenv("CORPUSCLEAN_CACHE", str(tmp_path))
    language_id._identifier.cache_clear()
    try:
        read = language_id._identifier()  # read from py3langid's file and saved
        (path,) = [p for p in tmp_path.iterdir() if p.name.startswith("langid_model-v")]
        language_id._identifier.cache_clear()
        monkeypatch.setattr(language_id, "_read_model", _no_build)
        mapped = language_id._identifier()  # mapped from the saved file, not read again
        assert not mapped.nb_ptc.flags.writeable
        for identifier in (read, mapped):
            for name in ("nb_ptc", "nb_pc"):
                ours, theirs = getattr(identifier, name), getattr(own, name)
                assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs)
            assert identifier.nb_classes == own.nb_classes and identifier.tk_output == own.tk_output
            assert bytes(identifier.tk_nextmove) == own.tk_nextmove.tobytes()
            assert identifier.tk_nextmove.format == own.tk_nextmove.typecode
            assert identifier._rowbase == own._rowbase
            assert [identifier.rank(text) for text in texts] == [own.rank(text) for text in texts]
        assert path.stat().st_size > 60_000_000
    finally:
        language_id._identifier.cache_clear()
