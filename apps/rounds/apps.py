from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoundsConfig(AppConfig):
    name = "apps.rounds"
    verbose_name = _("Speed-dating rounds")

    def ready(self) -> None:
        from apps.rounds import consumers  # noqa: F401 - registers the check-in and answer frame handlers
