from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "apps.events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from apps.events import consumers  # noqa: F401 - registers the lobby frame handlers
