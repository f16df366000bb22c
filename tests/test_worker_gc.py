"""A Celery worker keeps its startup heap out of the collector's passes (matchminds/celery.py)."""

import gc

from django.conf import settings

from matchminds.celery import _tune_garbage_collector


def test_a_worker_freezes_what_it_loaded_and_collects_with_the_configured_thresholds():
    before_threshold = gc.get_threshold()
    try:
        gc.unfreeze()
        loaded = len(gc.get_objects())

        _tune_garbage_collector()

        assert gc.get_threshold() == settings.WORKER_GC_THRESHOLDS == (20000, 2, 500)
        # Everything alive at startup is frozen: the collector no longer walks it.
        assert gc.get_freeze_count() >= loaded * 0.9
        assert len(gc.get_objects()) < loaded * 0.1
    finally:
        gc.unfreeze()
        gc.set_threshold(*before_threshold)
