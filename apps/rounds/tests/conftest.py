from apps.realtime.tests.conftest import connect_as  # noqa: F401
