from django.db import migrations


def copy_digest_opt_outs(apps, schema_editor):
    """Whoever switched the digest off keeps it off, now as an accounts notification opt-out."""
    ChatPreference = apps.get_model("chat", "ChatPreference")
    NotificationOptOut = apps.get_model("accounts", "NotificationOptOut")
    NotificationOptOut.objects.bulk_create(
        [
            NotificationOptOut(user_id=user_id, kind="digest", source="link")
            for user_id in ChatPreference.objects.filter(digest_enabled=False).values_list("user_id", flat=True)
        ],
        ignore_conflicts=True,
    )


def copy_digest_opt_outs_back(apps, schema_editor):
    ChatPreference = apps.get_model("chat", "ChatPreference")
    NotificationOptOut = apps.get_model("accounts", "NotificationOptOut")
    for user_id in NotificationOptOut.objects.filter(kind="digest").values_list("user_id", flat=True):
        ChatPreference.objects.update_or_create(user_id=user_id, defaults={"digest_enabled": False})


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0004_room_contact_guard"),
        ("accounts", "0003_account_language_notifications_email_change"),
    ]

    operations = [
        migrations.RunPython(copy_digest_opt_outs, copy_digest_opt_outs_back),
        migrations.RemoveField(model_name="chatpreference", name="digest_enabled"),
    ]
