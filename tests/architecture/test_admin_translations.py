"""What staff read in the admin is Korean in the Korean admin: every model's names, every
field's label and every choice of our apps has a Korean translation (a lazy gettext whose
Korean text holds Hangul)."""

import re

from django.apps import apps
from django.utils import translation
from django.utils.functional import Promise

HANGUL = re.compile("[\uac00-\ud7a3]")
# Labels that read the same in both languages (symbols, the id column, numbers), and the
# names of the languages a student can choose, which each language writes in its own script.
LANGUAGE_NEUTRAL = {"ID", ">", "≥", "<", "≤", "1:1", "URL", "S3", "한국어", "English"}


def untranslated_labels() -> list[str]:
    found = []
    with translation.override("ko"):
        for model in apps.get_models():
            if not model.__module__.startswith("apps."):
                continue
            name = model._meta.label
            labels = {"verbose_name": model._meta.verbose_name, "verbose_name_plural": model._meta.verbose_name_plural}
            for field in model._meta.get_fields():
                if field.auto_created or not hasattr(field, "verbose_name"):
                    continue
                labels[field.name] = field.verbose_name
                for value, label in getattr(field, "flatchoices", None) or []:
                    labels[f"{field.name}={value}"] = label
            for where, label in labels.items():
                if str(label) in LANGUAGE_NEUTRAL:
                    continue
                if not isinstance(label, Promise) or not HANGUL.search(str(label)):
                    found.append(f"{name}.{where}: {label!r}")
    return found


def test_every_admin_label_of_our_models_has_a_korean_translation(db):
    assert untranslated_labels() == []


def _admin_texts(model_admin) -> dict[str, object]:
    """The column and field titles, action names and filter titles an admin page shows that
    the ModelAdmin itself defines (not the model's fields, checked above)."""
    texts = {}
    names = [*model_admin.list_display, *model_admin.readonly_fields]
    for name in names:
        member = name if callable(name) else getattr(model_admin, name, None)
        if member is not None and hasattr(member, "short_description"):
            texts[f"column {getattr(member, '__name__', name)}"] = member.short_description
    for action in model_admin.actions or ():
        member = action if callable(action) else getattr(model_admin, action, None)
        if member is not None and hasattr(member, "short_description"):
            texts[f"action {member.__name__}"] = member.short_description
    for item in model_admin.list_filter:
        if isinstance(item, type) and getattr(item, "title", None):
            texts[f"filter {item.__name__}"] = item.title
    return texts


def test_every_admin_column_action_and_filter_of_our_apps_reads_korean_in_the_korean_admin(db):
    from django.contrib import admin

    found = []
    with translation.override("ko"):
        for model, model_admin in admin.site._registry.items():
            if not model.__module__.startswith("apps."):
                continue
            for where, text in _admin_texts(model_admin).items():
                if str(text) not in LANGUAGE_NEUTRAL and not HANGUL.search(str(text)):
                    found.append(f"{model._meta.label} {where}: {text!r}")
    assert found == []
