"""Temporary files and folders named for the process that owns them, and the sweep that removes those a
killed run left behind.

A run writes its output under a temporary name and renames it at the end, and spills documents to a
temporary folder it deletes when done. A run killed with SIGKILL (the OOM killer, a batch scheduler)
renames and deletes nothing, so its partial files and spill folders, each as large as the run got, stay.
Every such name carries the owner's process id (``.out.jsonl.p1234.k2x9.partial``,
``corpusclean-dedup-p1234.k2x9``), so a later run can tell the litter of a dead process from the work of
a live one, and removes only the former.

>>> name = owned_name(".out.jsonl.")
>>> owner(".out.jsonl.", name + "k2x9.partial") == os.getpid()
True
>>> owner(".out.jsonl.", ".out.jsonl.k2x9.partial") is None   # a name without an owner is never touched
True
"""

from __future__ import annotations

import os
import re
import shutil


def owned_name(prefix: str) -> str:
    """``prefix`` followed by this process's tag: the prefix to give ``tempfile.mkstemp``/``mkdtemp``."""
    return f"{prefix}p{os.getpid()}."


def owner(prefix: str, name: str) -> int | None:
    """The process id in ``name`` if it was made by :func:`owned_name` with ``prefix``, else None."""
    found = re.match(re.escape(prefix) + r"p(\d+)\.", name)
    return int(found.group(1)) if found else None


def alive(pid: int) -> bool:
    """Whether process ``pid`` exists (a process of another user counts as alive).

    >>> alive(os.getpid())
    True
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep(directory: str, prefix: str, *, suffix: str = "") -> list[str]:
    """Remove the entries of ``directory`` named ``prefix`` + an owner tag + ... + ``suffix`` whose owner
    process has ended; the paths removed. A folder that cannot be listed is left alone."""
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    for name in sorted(names):
        pid = owner(prefix, name)
        if pid is None or not name.endswith(suffix) or pid == os.getpid() or alive(pid):
            continue
        path = os.path.join(directory, name)
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            else:
                os.unlink(path)
        except OSError:
            continue
        removed.append(path)
    return removed
