"""Traditional <-> Simplified conversion backends behind one OpenCC-style interface.

Three backends, all OpenCC configuration names (``t2s``, ``s2twp``, ...):

* ``opencc``: opencc-python-reimplemented, the reference (pure Python, ~0.9 MB/s). It installs the
  top-level module ``opencc``, like the official OpenCC binding, so only one of the two can be present.
* ``opencc_pyo3``: opencc-pyo3 (Rust, current OpenCC lexicons, MIT, ~20-40 MB/s). Installed by default.
* ``zhconv_rs``: zhconv-rs (Rust, MediaWiki's conversion tables, ~80-130 MB/s). Optional because it is
  GPL-2.0-or-later; it has no character-only regional configurations, so it serves fewer of them.

``auto`` takes the first one installed in that order of preference (``opencc_pyo3``, ``zhconv_rs``,
``opencc``) that serves the configuration. The backends differ on a few words (see
``tests/data/convert_cases.json``), so the run report records the backend and its version.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
from collections.abc import Callable

# OpenCC configurations: source script first. The ones the reference backend ships.
CONFIGS: dict[str, str] = {
    "t2s": "Traditional -> Simplified",
    "tw2s": "Traditional (Taiwan variants) -> Simplified",
    "hk2s": "Traditional (Hong Kong variants) -> Simplified",
    "tw2sp": "Traditional (Taiwan) -> Simplified with Mainland phrases (軟體 -> 软件)",
    "s2t": "Simplified -> Traditional (OpenCC standard)",
    "s2tw": "Simplified -> Traditional with Taiwan variants",
    "s2twp": "Simplified -> Traditional with Taiwan variants and phrases (软件 -> 軟體)",
    "s2hk": "Simplified -> Traditional with Hong Kong variants",
    "t2tw": "Traditional (OpenCC standard) -> Taiwan variants",
    "t2hk": "Traditional (OpenCC standard) -> Hong Kong variants",
}

BACKENDS: dict[str, tuple[str, str]] = {  # name -> (import name, distribution to pip install)
    "opencc_pyo3": ("opencc_pyo3", "opencc-pyo3"),
    "zhconv_rs": ("zhconv_rs", "zhconv-rs"),
    "opencc": ("opencc", "opencc-python-reimplemented"),
}

# zhconv-rs converts to a target variant whatever the input; these targets match the OpenCC configs.
# s2tw/s2hk/t2tw/t2hk (variants, no phrases) have no MediaWiki counterpart: zh-TW and zh-HK also
# replace vocabulary, which only s2twp does.
_ZHCONV_TARGETS = {
    "t2s": "zh-Hans", "tw2s": "zh-Hans", "hk2s": "zh-Hans", "tw2sp": "zh-CN",
    "s2t": "zh-Hant", "s2twp": "zh-TW",
}


def source_script(config: str) -> str:
    """The script a configuration converts from: ``traditional`` or ``simplified``.

    >>> source_script("t2s"), source_script("s2twp"), source_script("t2tw")
    ('traditional', 'simplified', 'traditional')
    """
    check_config(config)
    return "simplified" if config.startswith("s2") else "traditional"


def check_config(config: str) -> None:
    if config not in CONFIGS:
        raise ValueError(f"unknown conversion {config!r} (known: {', '.join(CONFIGS)})")


def is_installed(backend: str) -> bool:
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r} (known: auto, {', '.join(BACKENDS)})")
    # For "opencc" the official binding (same module name) serves as well as the reference.
    return importlib.util.find_spec(BACKENDS[backend][0]) is not None


def supports(backend: str, config: str) -> bool:
    """Whether ``backend`` implements OpenCC configuration ``config``.

    >>> supports("opencc", "s2tw"), supports("zhconv_rs", "s2tw"), supports("zhconv_rs", "t2s")
    (True, False, True)
    """
    check_config(config)
    return backend != "zhconv_rs" or config in _ZHCONV_TARGETS


def resolve_backend(backend: str, config: str) -> str:
    """The backend that will run: ``backend`` itself, checked, or for ``auto`` the first installed one.

    Raises ``ValueError`` naming the ``pip install`` to run when the chosen backend is missing.
    """
    check_config(config)
    if backend == "auto":
        for name in BACKENDS:
            if supports(name, config) and is_installed(name):
                return name
        raise ValueError("no conversion backend is installed: pip install opencc-pyo3")
    if not is_installed(backend):
        raise ValueError(f"backend {backend!r} is not installed: pip install {BACKENDS[backend][1]}")
    if not supports(backend, config):
        others = [name for name in BACKENDS if supports(name, config)]
        raise ValueError(f"backend {backend!r} has no {config!r} conversion (use one of: {', '.join(others)})")
    return backend


def backend_version(backend: str) -> str:
    """Installed version of a backend's distribution (the official OpenCC binding if it replaced the reference)."""
    for dist in (BACKENDS[backend][1], "OpenCC") if backend == "opencc" else (BACKENDS[backend][1],):
        try:
            return f"{dist} {importlib.metadata.version(dist)}"
        except importlib.metadata.PackageNotFoundError:
            continue
    return "unknown"


# The process in which opencc_pyo3 was first used. It converts on a Rust (rayon) thread pool, and a
# thread pool does not survive fork(): a worker forked after its parent converted would hang for ever
# on its first conversion. So a forked worker that finds another pid here refuses with a clear error.
_PYO3_PID: int | None = None


def _pyo3_converter(config: str) -> Callable[[str], str]:
    global _PYO3_PID
    if _PYO3_PID is not None and os.getpid() != _PYO3_PID:
        raise RuntimeError(
            "opencc_pyo3 cannot run in a worker forked after its parent process converted text with it "
            "(its thread pool does not survive fork); convert only inside the workers, or use "
            'backend = "zhconv_rs" or "opencc"'
        )
    import opencc_pyo3

    _PYO3_PID = os.getpid()
    return opencc_pyo3.OpenCC(config).convert


def make_converter(config: str, *, backend: str = "auto") -> Callable[[str], str]:
    """A function converting a string with OpenCC configuration ``config``.

    >>> make_converter("t2s", backend="opencc")("頭髮很乾燥，皇后說")
    '头发很干燥，皇后说'
    >>> make_converter("s2twp", backend="opencc")("软件")
    '軟體'
    """
    name = resolve_backend(backend, config)
    if name == "opencc_pyo3":
        return _pyo3_converter(config)
    if name == "zhconv_rs":
        import zhconv_rs

        target = _ZHCONV_TARGETS[config]
        # wikitext=False: MediaWiki's -{...}- markup is ordinary text in a crawl.
        return lambda text: zhconv_rs.zhconv(text, target, False)
    import opencc

    try:
        return opencc.OpenCC(config).convert
    except Exception:  # the official binding wants the file name of the configuration
        return opencc.OpenCC(f"{config}.json").convert
