import pytest

from apps.accounts.models import University
from apps.accounts.tests.factories import make_profile
from apps.events.models import Event
from apps.events.tests.factories import make_event  # the matching tests import it from here too
from apps.matching import queue, services
from apps.realtime.tests.conftest import connect_as  # noqa: F401


def university(name_ko: str) -> University:
    return University.objects.get(name_ko=name_ko)


@pytest.fixture
def live_event(db) -> Event:
    return make_event()


@pytest.fixture
def pair_of_profiles(db):
    """A woman seeking men and a man seeking women at different universities."""
    woman = make_profile(gender="F", seeking="M", university=university("서울대학교"), interest_slugs=[])
    man = make_profile(gender="M", seeking="F", university=university("부산대학교"))
    return woman, man


def worker_pairs(event_id: int, user_id: int) -> int | None:
    """Run what the drain task runs, then return the user's open proposal id, if any."""
    services.arrivals_drain(event_id=event_id)
    proposal = queue.ticket_get(event_id=event_id, user_id=user_id).get("p")
    return int(proposal) if proposal else None
