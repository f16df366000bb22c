import pytest

from apps.realtime.tests.conftest import connect_as  # noqa: F401


@pytest.fixture
def connect_as_lobby(connect_as):  # noqa: F811
    return connect_as
