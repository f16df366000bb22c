"""The account's own data: export (PIPA art. 35 / GDPR art. 15, 20) and deletion.

Each app below accounts is asked directly (moderation); apps above it contribute through
accounts' hooks (chat: the messages sent, and keeping deleted users' places in rooms).
"""

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts import hooks, notifications
from apps.accounts.errors import ErrorCode
from apps.accounts.models import Profile, User
from apps.core.errors import DomainError
from apps.moderation import account_data as moderation_account_data


def account_export(*, user: User) -> dict:
    """Everything we hold about the user, as JSON-ready data."""
    profile = Profile.objects.filter(user=user).select_related("university").first()
    data = {
        "account": {
            "email": user.email,
            "date_joined": user.date_joined.isoformat(),
            "language": user.language,
            "notifications": notifications.notification_preferences(user=user),
            "email_changes": [
                {
                    "old_email": change.old_email,
                    "new_email": change.new_email,
                    "requested_at": change.requested_at.isoformat(),
                    "confirmed_at": change.confirmed_at.isoformat() if change.confirmed_at else None,
                }
                for change in user.email_changes.all()
            ],
        },
        "profile": None if profile is None else _profile_export(profile),
        **moderation_account_data.account_export_sections(user=user),
    }
    for sections in hooks.account_exporting.send(user=user):
        data.update(sections)
    return data


def _profile_export(profile: Profile) -> dict:
    return {
        "nickname": profile.nickname,
        "gender": profile.gender,
        "seeking": profile.seeking,
        "birth_date": profile.birth_date.isoformat(),
        "university": profile.university.name_ko,
        "university_verified": profile.is_university_verified,
        "region": profile.region,
        "interests": [interest.slug for interest in profile.interests.all()],
        "bio": profile.bio,
        "photo_status": profile.photo_status,
    }


def account_delete(*, user: User, password: str | None) -> None:
    """Delete the account, its profile, its images (storage objects too) and its message texts.

    Partners then see the messages as from a deleted user. Evidence snapshots of reports the
    user is part of stay, apart from the account, until their retention ends.
    """
    if user.has_usable_password() and not user.check_password(password or ""):
        raise DomainError(ErrorCode.WRONG_PASSWORD, _("The password is not right."), field="password", http_status=403)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        storage_names = moderation_account_data.account_erasing(user_id=user.pk)
        profile = Profile.objects.filter(user=user).first()
        if profile is not None and profile.photo:
            storage_names.add(profile.photo.name)
        hooks.account_deleting.send(user_id=user.pk)
        user.delete()

        def delete_files() -> None:
            for name in storage_names:
                default_storage.delete(name)

        transaction.on_commit(delete_files)
