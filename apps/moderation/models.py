import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Block(models.Model):
    """`blocker` never wants to meet or hear from `blocked` again (applies both ways)."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made", verbose_name=_("blocked by")
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_received", verbose_name=_("blocked person")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_unique_pair"),
            models.CheckConstraint(condition=~Q(blocker=F("blocked")), name="block_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} ⊘ {self.blocked_id}"


class ImageStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    NEEDS_REVIEW = "review", _("Needs review")


class ImagePurpose(models.TextChoices):
    PROFILE_PHOTO = "profile_photo", _("Profile photo")
    CHAT_IMAGE = "chat_image", _("Chat image")


class ModeratedImage(models.Model):
    """One stored upload and where it stands in the moderation pipeline.

    The file lives in the private default storage under `storage_name`; the owner's feature
    (profile photo, chat message) points at the same name and asks this row whether others
    may see it. A chat image is addressed by `key`, never by its sequential pk: an address
    that can be guessed would be checked, but it would also tell which images exist.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderated_images", verbose_name=_("owner")
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=ImagePurpose.choices)
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("key"))
    storage_name = models.CharField(max_length=255, verbose_name=_("stored file"))
    room_id = models.BigIntegerField(null=True, blank=True, verbose_name=_("chat room"))
    status = models.CharField(_("status"), max_length=10, choices=ImageStatus.choices, default=ImageStatus.PENDING)
    backend = models.CharField(max_length=32, blank=True, verbose_name=_("screening service"))
    scores = models.JSONField(default=dict, blank=True, verbose_name=_("scores"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="modimage_status_created")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} #{self.pk}"


class ReportReason(models.TextChoices):
    HARASSMENT = "harassment", _("Harassment or hate")
    SEXUAL = "sexual", _("Sexual content")
    SPAM = "spam", _("Spam or advertising")
    SCAM = "scam", _("Scam or fraud")
    UNDERAGE = "underage", _("Looks under 19")
    FAKE = "fake", _("Fake profile")
    OTHER = "other", _("Other")


class ReportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACTIONED = "actioned", _("Action taken")
    DISMISSED = "dismissed", _("Dismissed")


class Report(models.Model):
    """A user's complaint about another user or one of their messages."""

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="reports_made", verbose_name=_("reporter")
    )
    reported_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="reports_received",
        verbose_name=_("reported user"),
    )
    reported_user_label = models.CharField(_("reported user (at the time)"), max_length=120, blank=True)
    room_id = models.BigIntegerField(null=True, blank=True, verbose_name=_("chat room"))
    message_seq = models.BigIntegerField(null=True, blank=True, verbose_name=_("message number"))
    reason = models.CharField(_("reason"), max_length=16, choices=ReportReason.choices)
    text = models.CharField(_("details"), max_length=1000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("resolved at"))

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["created_at"]
        constraints = [
            # One open report per reporter, person and message; the same message twice is a duplicate.
            models.UniqueConstraint(
                fields=["reporter", "reported_user", "room_id", "message_seq"],
                condition=Q(status="open", reporter__isnull=False, reported_user__isnull=False),
                nulls_distinct=False,
                name="report_unique_open",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="report_status_created")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} #{self.pk}"


class ReportEvidence(models.Model):
    """What the reporter saw, kept apart from the live data so account deletion cannot erase it.

    `purge_after` is set when the report closes or a party deletes their account; a scheduled
    task deletes the row after it.
    """

    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("report"))
    snapshot = models.JSONField(default=dict, verbose_name=_("snapshot"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    purge_after = models.DateTimeField(null=True, blank=True, verbose_name=_("delete after"))

    class Meta:
        verbose_name = _("report evidence")
        verbose_name_plural = _("report evidence")

    def __str__(self) -> str:
        return _("evidence of report #%(report)s") % {"report": self.report_id}


class FlagKind(models.TextChoices):
    MESSAGE = "message", _("Chat message")
    IMAGE = "image", _("Image")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONFIRMED = "confirmed", pgettext_lazy("flagged content", "Confirmed")
    DISMISSED = "dismissed", _("Dismissed")


class FlaggedContent(models.Model):
    """Content the filters caught, waiting for a human to confirm or dismiss it."""

    kind = models.CharField(_("kind"), max_length=10, choices=FlagKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("user")
    )
    room_id = models.BigIntegerField(null=True, blank=True, verbose_name=_("chat room"))
    message_seq = models.BigIntegerField(null=True, blank=True, verbose_name=_("message number"))
    text = models.TextField(_("text"), blank=True)
    matches = models.JSONField(default=list, blank=True, verbose_name=_("matched terms"))
    action = models.CharField(_("filter action"), max_length=10)
    status = models.CharField(_("status"), max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    created_at = models.DateTimeField(_("flagged at"), auto_now_add=True)

    class Meta:
        verbose_name = _("flagged message")
        verbose_name_plural = _("flagged messages")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class BlockedTerm(models.Model):
    """An operator-maintained word or phrase that the text filters treat as abusive."""

    term = models.CharField(_("term"), max_length=60, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("blocked term")
        verbose_name_plural = _("blocked terms")
        ordering = ["term"]

    def __str__(self) -> str:
        return self.term


class HiddenWord(models.Model):
    """A word one user does not want to read: messages containing it are collapsed for them only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hidden_words", verbose_name=_("user")
    )
    word = models.CharField(_("word"), max_length=40)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("hidden word")
        verbose_name_plural = _("hidden words")
        constraints = [models.UniqueConstraint(fields=["user", "word"], name="hidden_word_unique")]

    def __str__(self) -> str:
        return self.word


class Standing(models.TextChoices):
    GOOD = "good", _("In good standing")
    WARNED = "warned", _("Warned")
    SUSPENDED = "suspended", _("Suspended")
    BANNED = "banned", _("Banned")


class AccountStanding(models.Model):
    """Sanctions on one account; no row means good standing."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="standing", verbose_name=_("user")
    )
    standing = models.CharField(_("standing"), max_length=10, choices=Standing.choices, default=Standing.GOOD)
    suspended_until = models.DateTimeField(_("suspended until"), null=True, blank=True)
    warnings = models.PositiveIntegerField(_("warnings"), default=0)
    hidden_pending_review = models.BooleanField(_("hidden pending review"), default=False)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("account standing")
        verbose_name_plural = _("account standings")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.standing}"


class ModerationAction(models.Model):
    """Append-only audit log of every moderation decision (a DB trigger refuses updates and deletes).

    Ids are plain numbers, not foreign keys, so deleting an account never rewrites history.
    """

    actor_id = models.BigIntegerField(_("moderator id"), null=True, blank=True)
    actor_label = models.CharField(_("moderator"), max_length=254)
    action = models.CharField(_("action"), max_length=20)
    target_type = models.CharField(_("target type"), max_length=20)
    target_id = models.BigIntegerField(_("target id"))
    target_user_id = models.BigIntegerField(_("target user id"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    before = models.JSONField(_("before"), default=dict)
    after = models.JSONField(_("after"), default=dict)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}#{self.target_id} by {self.actor_label}"


class CommunityRule(models.TextChoices):
    """The community rules a sanction names. The codes are stable: stored, e-mailed and read by clients."""

    RESPECT = "respect", _("Treat everyone with respect: no harassment, hate or threats")
    SEXUAL_CONTENT = "sexual_content", _("No sexual content and no unwanted sexual advances")
    SPAM = "spam", _("No spam, advertising or recruiting")
    SCAM = "scam", _("No scams and no asking for money")
    ADULTS_ONLY = "adults_only", _("Only adults (19 and over) may take part")
    REAL_IDENTITY = "real_identity", _("Be yourself: no fake profiles or impersonation")
    PRIVACY = "privacy", _("Never share other people's personal information")
    ILLEGAL = "illegal", _("Nothing illegal or dangerous")


class SanctionKind(models.TextChoices):
    WARNING = "warning", _("Warning")
    SUSPENSION = "suspension", _("Suspension")
    BAN = "ban", _("Ban")


class Sanction(models.Model):
    """One decision against an account as its owner is told about it: the rule, what, until when.

    In effect until `ends_at` (suspensions) or until lifted (an overturned appeal, a moderator's
    clear); AccountStanding holds the sum of what is in effect.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sanctions", verbose_name=_("user"))
    kind = models.CharField(_("sanction"), max_length=12, choices=SanctionKind.choices)
    rule = models.CharField(_("rule broken"), max_length=20, choices=CommunityRule.choices)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    moderator_id = models.BigIntegerField(_("moderator id"), null=True, blank=True)
    created_at = models.DateTimeField(_("decided at"), auto_now_add=True)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "created_at"], name="sanction_user_created")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class AppealStatus(models.TextChoices):
    OPEN = "open", _("Waiting for review")
    UPHELD = "upheld", _("Decision upheld")
    OVERTURNED = "overturned", _("Decision overturned")


class Appeal(models.Model):
    """A student's request to review a sanction; at most one per sanction (the one-to-one key)."""

    sanction = models.OneToOneField(Sanction, on_delete=models.CASCADE, related_name="appeal", verbose_name=_("sanction"))
    text = models.TextField(_("the student's explanation"))
    status = models.CharField(_("status"), max_length=12, choices=AppealStatus.choices, default=AppealStatus.OPEN)
    created_at = models.DateTimeField(_("appealed at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by_label = models.CharField(_("decided by"), max_length=254, blank=True)
    decision_reason = models.CharField(_("reason for the decision"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="appeal_status_created")]

    def __str__(self) -> str:
        return f"{_('appeal')} #{self.pk}"


class NoticeKind(models.TextChoices):
    SANCTION = "sanction", _("A sanction on your account")
    SANCTION_LIFTED = "sanction_lifted", _("A sanction was lifted")
    APPEAL_UPHELD = "appeal_upheld", _("Your appeal was reviewed")
    REPORT_HANDLED = "report_handled", _("Your report was handled")


class ReportOutcome(models.TextChoices):
    """All a reporter learns about their report: never the other person's sanction."""

    ACTION_TAKEN = "action_taken", _("We took action")
    NO_VIOLATION = "no_violation", _("We found no rule broken")


class Notice(models.Model):
    """What a student is told about a moderation decision: e-mailed, and shown at their next
    visit (and live) until they acknowledge it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderation_notices", verbose_name=_("student")
    )
    kind = models.CharField(max_length=16, choices=NoticeKind.choices, verbose_name=_("notice kind"))
    sanction = models.ForeignKey(
        Sanction, on_delete=models.CASCADE, null=True, blank=True, related_name="notices", verbose_name=_("sanction")
    )
    report_outcome = models.CharField(max_length=16, choices=ReportOutcome.choices, blank=True, verbose_name=_("report outcome"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("sent at"))
    acknowledged_at = models.DateTimeField(null=True, blank=True, verbose_name=_("read at"))
    emailed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("e-mailed at"))

    class Meta:
        verbose_name = _("moderation notice")
        verbose_name_plural = _("moderation notices")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "acknowledged_at"], name="notice_user_unread")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"
