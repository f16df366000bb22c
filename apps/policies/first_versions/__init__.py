"""The first published version of every document (Korean and English texts in ko.py and en.py)."""

from django.utils import timezone

from apps.policies.first_versions import en, ko

DOCUMENTS = [
    ("terms", "TERMS"),
    ("privacy", "PRIVACY"),
    ("community", "COMMUNITY"),
    ("safety", "SAFETY"),
    ("contact", "CONTACT"),
]


def first_versions_install(*, version_model) -> None:
    """Publish version 1 of each document that has none (a migration passes its historical model)."""
    now = timezone.now()
    for kind, name in DOCUMENTS:
        version_model.objects.get_or_create(
            kind=kind,
            version=1,
            defaults={
                "title_ko": getattr(ko, f"{name}_TITLE"),
                "title_en": getattr(en, f"{name}_TITLE"),
                "body_ko": getattr(ko, name),
                "body_en": getattr(en, name),
                "published_at": now,
            },
        )
