"""The serving worker's garbage-collector settings (backend/runtime.py)."""

from __future__ import annotations

import gc

from backend.runtime import THRESHOLDS, tune_garbage_collector


def test_a_worker_freezes_its_start_up_objects_and_collects_less_often() -> None:
    before = gc.get_threshold()
    try:
        tune_garbage_collector()
        assert gc.get_threshold() == THRESHOLDS
        assert gc.get_freeze_count() > 10_000  # modules, schema, ORM metadata: out of every walk
        assert THRESHOLDS[0] > before[0]
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
