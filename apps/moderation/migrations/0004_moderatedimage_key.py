"""Chat images get an unguessable address: a random `key`, which image messages now carry.

Existing rows get a key of their own, and existing image messages, whose body was the
image's sequential id, get its key instead.
"""

import uuid

from django.db import migrations, models


def keys_fill(apps, schema_editor):
    image_model = apps.get_model("moderation", "ModeratedImage")
    for image in image_model.objects.filter(key__isnull=True).only("pk").iterator():
        image_model.objects.filter(pk=image.pk).update(key=uuid.uuid4())


def image_messages_address_by_key(apps, schema_editor):
    image_model = apps.get_model("moderation", "ModeratedImage")
    message_model = apps.get_model("chat", "Message")
    keys = dict(image_model.objects.filter(purpose="chat_image").values_list("pk", "key"))
    for message in message_model.objects.filter(kind="image").only("pk", "body").iterator():
        key = keys.get(int(message.body)) if message.body.isdigit() else None
        if key is not None:
            message_model.objects.filter(pk=message.pk).update(body=str(key))


def image_messages_address_by_id(apps, schema_editor):
    image_model = apps.get_model("moderation", "ModeratedImage")
    message_model = apps.get_model("chat", "Message")
    ids = {str(key): pk for pk, key in image_model.objects.filter(purpose="chat_image").values_list("pk", "key")}
    for message in message_model.objects.filter(kind="image").only("pk", "body").iterator():
        if message.body in ids:
            message_model.objects.filter(pk=message.pk).update(body=str(ids[message.body]))


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0003_message_kind_image"),
        ("moderation", "0003_audit_log_append_only"),
    ]

    operations = [
        migrations.AddField(model_name="moderatedimage", name="key", field=models.UUIDField(null=True, editable=False)),
        migrations.RunPython(keys_fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="moderatedimage",
            name="key",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.RunPython(image_messages_address_by_key, image_messages_address_by_id),
    ]
