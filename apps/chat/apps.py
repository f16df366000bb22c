from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "apps.chat"
    verbose_name = _("Chat")

    def ready(self) -> None:
        from apps.accounts import hooks as accounts_hooks
        from apps.chat import (
            consumers,  # noqa: F401 - registers the chat frame handlers
            safety,
        )
        from apps.chat.announcements import lobby_announcements_latest
        from apps.events.widget import lobby_announcement_providers
        from apps.moderation import hooks as moderation_hooks

        if lobby_announcements_latest not in lobby_announcement_providers:
            lobby_announcement_providers.append(lobby_announcements_latest)
        moderation_hooks.block_created.register(safety.on_block_created)
        moderation_hooks.image_decided.register(safety.on_image_decided)
        moderation_hooks.report_room_evidence.register(safety.report_room_evidence)
        moderation_hooks.room_has_member.register(safety.room_has_member)
        moderation_hooks.room_event_id.register(safety.room_event_id)
        accounts_hooks.profile_changed.register(safety.on_profile_changed)
        accounts_hooks.account_exporting.register(safety.account_export_sections)
        accounts_hooks.account_deleting.register(safety.on_account_deleting)
