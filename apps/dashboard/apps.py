from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "apps.dashboard"
    verbose_name = _("Live operations")

    def ready(self) -> None:
        from apps.dashboard import consumers  # noqa: F401 - registers presence hooks and dashboard frames
