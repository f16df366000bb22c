from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from apps.accounts import notifications, photos, selectors
        from apps.moderation import hooks as moderation_hooks

        moderation_hooks.image_decided.register(photos.profile_photo_decided)
        moderation_hooks.reported_profile_snapshot.register(selectors.reported_profile_snapshot)
        moderation_hooks.notice_mail_allowed.register(notifications.moderation_notice_mail_allowed)
        moderation_hooks.user_language.register(notifications.account_language)
