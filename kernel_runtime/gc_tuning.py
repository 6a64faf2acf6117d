"""Tune Python's cyclic garbage collector while a pipeline runs, and put it back afterwards.

A streaming pipeline allocates a few short-lived containers per record (records, dicts, lists)
and keeps whole batches in flight. With CPython's default first threshold (700 net new
containers) a collection starts in the middle of nearly every batch, promotes the records in
flight to older generations, and a full collection then walks every object of the process: in
a notebook kernel, IPython's heap and everything the user built. Measured in a kernel
(benchmarks/kernel.py): the collector took about a quarter of the pipeline's time, full
collections held the interpreter for up to 60 ms at a time, and that showed as the p99 of a
trivial cell. Two changes remove that:

- the first threshold goes to `YOUNG_THRESHOLD`, so short-lived records die by reference
  counting before any collection sees them (reference cycles are still collected, later);
- `gc.freeze()` moves what existed before the pipeline started out of the collector's scans.
  `gc.unfreeze()` at the end hands those objects back, so cycles among them are not leaked.

The tuning is process-wide and reference counted: the first `acquire` applies it, the last
`release` restores the thresholds the process had. Thread-safe. `LS_WORKBENCH_GC_TUNING=0` in
the environment leaves the collector as it is (for comparison, or for a program that tunes the
collector itself).
"""

from __future__ import annotations

import gc
import os
import threading

YOUNG_THRESHOLD = 50_000

_lock = threading.Lock()
_holders = 0
_saved_thresholds: tuple[int, ...] | None = None
_froze = False


def enabled() -> bool:
    """False when the environment says LS_WORKBENCH_GC_TUNING=0."""
    return os.environ.get("LS_WORKBENCH_GC_TUNING", "1").strip() != "0"


def acquire() -> None:
    """Apply the streaming tuning (first holder) or count one more holder."""
    global _holders, _saved_thresholds, _froze
    with _lock:
        _holders += 1
        if _holders > 1 or not enabled():
            return
        _saved_thresholds = gc.get_threshold()
        young, *older = _saved_thresholds
        gc.set_threshold(max(young, YOUNG_THRESHOLD), *older)
        # a program that froze objects itself (a pre-fork server) keeps its own freeze
        _froze = gc.get_freeze_count() == 0
        if _froze:
            gc.freeze()


def release() -> None:
    """Drop one holder; the last one restores the thresholds and unfreezes."""
    global _holders, _saved_thresholds, _froze
    with _lock:
        if _holders == 0:
            return
        _holders -= 1
        if _holders > 0 or _saved_thresholds is None:
            return
        if _froze:
            gc.unfreeze()
            _froze = False
        gc.set_threshold(*_saved_thresholds)
        _saved_thresholds = None


def applied() -> bool:
    """Whether the tuning is in force now."""
    with _lock:
        return _saved_thresholds is not None
