from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "apps.matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        from apps.events import selectors as event_selectors
        from apps.matching import consumers  # noqa: F401 - registers the queue and match frame handlers
        from apps.matching.selectors import queue_counts

        event_selectors.lobby_count_providers.append(queue_counts)
