"""Pacing policies: how the queue estimates waits and spots a skewed gender balance.

The policy is named by the MATCHING_PACING_POLICY setting so an event operator can swap it
without touching the engine; every policy answers from the same QueueView.
"""

import math
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class QueueView:
    position: int  # 1 = next among those competing for the same partners
    partners_waiting: int  # compatible-gender partners waiting right now
    my_side_waiting: int  # waiting users of my gender
    other_side_waiting: int
    pairings_in_window: int
    window_s: int


@dataclass(frozen=True)
class Estimate:
    eta_s: int | None  # None: no recent matches to base an honest estimate on
    long_side: bool


class RatioAwarePacing:
    """ETA from the recent match rate, counting only the partners still to arrive.

    When one gender outnumbers the other by MATCHING_IMBALANCE_RATIO, people on the long
    side are told so: their wait is set by how fast the short side arrives.
    """

    def __init__(self, imbalance_ratio: float | None = None, sweep_interval_s: float | None = None) -> None:
        self.imbalance_ratio = imbalance_ratio or settings.MATCHING_IMBALANCE_RATIO
        self.sweep_interval_s = sweep_interval_s or settings.MATCHING_SWEEP_INTERVAL_S

    def is_long_side(self, *, my_side: int, other_side: int) -> bool:
        return my_side >= 2 and my_side > self.imbalance_ratio * max(other_side, 1)

    def estimate(self, view: QueueView) -> Estimate:
        long_side = self.is_long_side(my_side=view.my_side_waiting, other_side=view.other_side_waiting)
        still_needed = view.position - view.partners_waiting
        if still_needed <= 0:
            return Estimate(eta_s=math.ceil(self.sweep_interval_s), long_side=long_side)
        if view.pairings_in_window == 0:
            return Estimate(eta_s=None, long_side=long_side)
        per_second = view.pairings_in_window / view.window_s
        return Estimate(eta_s=math.ceil(still_needed / per_second), long_side=long_side)


@cache
def pacing_policy() -> RatioAwarePacing:
    return import_string(settings.MATCHING_PACING_POLICY)()
