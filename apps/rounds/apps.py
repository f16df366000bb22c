from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoundsConfig(AppConfig):
    name = "apps.rounds"
    verbose_name = _("Speed-dating rounds")

    def ready(self) -> None:
        from apps.events import selectors as event_selectors
        from apps.rounds import consumers  # noqa: F401 - registers the check-in, answer and console frame handlers
        from apps.rounds.selectors import lobby_round_counts

        event_selectors.lobby_count_providers.append(lobby_round_counts)
