import pytest

from apps.events.tests.factories import make_event
from apps.realtime.tests.conftest import connect_as  # noqa: F401


@pytest.fixture
def live_event(db):
    return make_event()


@pytest.fixture
def staff_user(db):
    from apps.accounts.tests.factories import make_user

    user = make_user()
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user
