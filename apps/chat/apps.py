from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "apps.chat"
    verbose_name = _("Chat")

    def ready(self) -> None:
        from apps.chat import consumers  # noqa: F401 - registers the chat frame handlers
        from apps.chat.announcements import lobby_announcements_latest
        from apps.events.widget import lobby_announcement_providers

        if lobby_announcements_latest not in lobby_announcement_providers:
            lobby_announcement_providers.append(lobby_announcements_latest)
