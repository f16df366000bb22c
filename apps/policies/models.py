from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class PolicyKind(models.TextChoices):
    TERMS = "terms", _("Terms of service")
    PRIVACY = "privacy", _("Privacy policy")
    COMMUNITY = "community", _("Community rules")
    SAFETY = "safety", _("Safety tips")
    CONTACT = "contact", _("Contact")


# What a student must accept before matching and chat; the other documents are read, not signed.
CONSENT_KINDS = (PolicyKind.TERMS, PolicyKind.PRIVACY)


class PolicyVersion(models.Model):
    """One version of one document, in Korean and English.

    A draft (no `published_at`) may be edited; a published version is never changed again
    (a trigger in PostgreSQL refuses it), so an acceptance always points at the text the
    student read. The current version of a kind is its newest published one.
    """

    kind = models.CharField(_("document"), max_length=16, choices=PolicyKind.choices)
    version = models.PositiveIntegerField(_("version"))
    title_ko = models.CharField(_("title (Korean)"), max_length=120)
    title_en = models.CharField(_("title (English)"), max_length=120)
    body_ko = models.TextField(
        _("text (Korean)"), help_text=_("'## ' starts a heading, '- ' a list item, a blank line a paragraph.")
    )
    body_en = models.TextField(
        _("text (English)"), help_text=_("'## ' starts a heading, '- ' a list item, a blank line a paragraph.")
    )
    changes_ko = models.CharField(_("what changed (Korean)"), max_length=300, blank=True)
    changes_en = models.CharField(_("what changed (English)"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="policy_version_unique"),
            models.CheckConstraint(condition=Q(version__gte=1), name="policy_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def title(self) -> str:
        return self.title_en if get_language() == "en" else self.title_ko

    @property
    def body(self) -> str:
        return self.body_en if get_language() == "en" else self.body_ko

    @property
    def changes(self) -> str:
        return self.changes_en if get_language() == "en" else self.changes_ko


class PolicyAcceptance(models.Model):
    """A student accepted one version: when, and from which address (kept as proof of consent)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="policy_acceptances", verbose_name=_("user")
    )
    version = models.ForeignKey(
        PolicyVersion, on_delete=models.PROTECT, related_name="acceptances", verbose_name=_("document version")
    )
    accepted_at = models.DateTimeField(verbose_name=_("accepted at"))
    ip_address = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("IP address"))

    class Meta:
        verbose_name = _("policy acceptance")
        verbose_name_plural = _("policy acceptances")
        constraints = [models.UniqueConstraint(fields=["user", "version"], name="policy_acceptance_once")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.version}"
