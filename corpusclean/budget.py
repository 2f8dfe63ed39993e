"""A time budget per document: no stage may spend more than a set number of CPU seconds on one document.

A crawl contains every odd line, and users write their own rule packs: one pattern with nested quantifiers
(``^(啊+)+$``) meeting a long run of one character backtracks for longer than the universe will last, and
one such document would hang the whole run. With a budget, that document goes to the rejects as
``<stage>/timeout`` and the run goes on.

How, cheaply: a CPU-time interval timer (``ITIMER_PROF``) ticks a few times per budget. The loop advances
a counter at every document; a tick that finds the counter where it was for longer than the budget raises
:class:`DocumentTimeout` in whatever code is running. Python's regular-expression engine checks for
signals while it backtracks, so even a runaway ``re`` match stops. The cost is one counter step per
document and stage, and four system calls per chunk of documents. CPU time rather than wall time, so a
busy machine does not reject documents a quiet one would keep.

Signals reach only a process's main thread: elsewhere (a library user's thread pool) the budget is off.

>>> import re
>>> budget = Budget(0.2)
>>> with budget:
...     budget.step()
...     try:
...         re.search(r"^(啊+)+$", "啊" * 40 + "哦")
...     except DocumentTimeout:
...         print("stopped")
stopped
"""

from __future__ import annotations

import signal
import threading
from types import FrameType, TracebackType
from typing import Any

# Ticks per budget: a document is stopped after between 1 and 1.25 budgets of CPU time.
_TICKS = 4


class DocumentTimeout(Exception):
    """One stage spent more than the budget on one document."""


class Budget:
    """The budget of ``seconds`` CPU seconds per stage and document; ``None`` or ``0`` is no budget.

    Use as a context manager around a loop over documents, calling :meth:`step` before each document.
    """

    def __init__(self, seconds: float | None) -> None:
        if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, int | float)
                                    or seconds < 0):
            raise ValueError(f"time_budget must be a number of seconds >= 0, got {seconds!r}")
        self.seconds = float(seconds or 0)
        self._count = 0
        self._seen = -1
        self._stalled = 0
        self._previous: Any = None
        self._armed = False

    def step(self) -> None:
        """A new document starts: the budget starts afresh."""
        self._count += 1

    def _tick(self, signum: int, frame: FrameType | None) -> None:
        if self._count != self._seen:
            self._seen, self._stalled = self._count, 0
            return
        self._stalled += 1
        if self._stalled >= _TICKS:
            self._stalled = 0
            raise DocumentTimeout(f"over {self.seconds:g} s of CPU time")

    def __enter__(self) -> Budget:
        if self.seconds > 0 and threading.current_thread() is threading.main_thread():
            self._seen, self._stalled = -1, 0
            self._previous = signal.signal(signal.SIGPROF, self._tick)
            interval = self.seconds / _TICKS
            signal.setitimer(signal.ITIMER_PROF, interval, interval)
            self._armed = True
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if self._armed:
            signal.setitimer(signal.ITIMER_PROF, 0, 0)
            signal.signal(signal.SIGPROF, self._previous)
            self._armed = False
