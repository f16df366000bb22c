import pytest
from django.utils import translation

from apps.core.durations import duration_text


@pytest.mark.parametrize(
    ("seconds", "korean", "english"),
    [
        (0.2, "1초", "1 second"),
        (1, "1초", "1 second"),
        (59, "59초", "59 seconds"),
        (90, "90초", "90 seconds"),
        (91, "2분", "2 minutes"),
        (900, "15분", "15 minutes"),
        (5400, "90분", "90 minutes"),
        (5401, "2시간", "2 hours"),
        (3600 * 23 + 1, "24시간", "24 hours"),
        (86400, "24시간", "24 hours"),
        (2 * 86400, "48시간", "48 hours"),
        (2 * 86400 + 1, "3일", "3 days"),
        (7 * 86400, "7일", "7 days"),
    ],
)
def test_a_wait_is_told_in_one_natural_unit_rounded_up(seconds, korean, english):
    with translation.override("ko"):
        assert duration_text(seconds) == korean
    with translation.override("en"):
        assert duration_text(seconds) == english
