"""Telling students about moderation decisions: the sanctioned student (which rule, what,
until when, how to appeal) and the reporter (the outcome category only). Every notice is
e-mailed in the recipient's language, shown at their next visit until acknowledged, sent
live to their open tabs, and written to the audit log."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.core.task_queue import task_send_on_commit
from apps.moderation import events, hooks
from apps.moderation.audit import audit_log
from apps.moderation.errors import ErrorCode
from apps.moderation.models import Notice, NoticeKind, Sanction, SanctionKind

NOTICE_LINK_SALT = "moderation.notices.link"
KST = timezone.get_fixed_timezone(9 * 60)


def kst(moment: datetime) -> str:
    """A moment as Korean students read it, whatever the server's zone: 2026-12-08 19:00 KST."""
    return timezone.localtime(moment, KST).strftime("%Y-%m-%d %H:%M KST")


def notice_mail_allowed(*, user_id: int) -> bool:
    """Whether this student wants moderation notices by e-mail (the page shows them regardless).

    Moderation sits below accounts, so accounts provides the answer through the hook
    (its per-kind preference, NotificationKind.MODERATION_NOTICE), registered in its ready().
    """
    return bool(hooks.notice_mail_allowed.call(user_id=user_id))


def recipient_language(*, user_id: int) -> str:
    """The account's ko/en choice for e-mails (a hook accounts provides); the site's default otherwise."""
    language = hooks.user_language.call(user_id=user_id)
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def notice_link_token(*, user_id: int) -> str:
    return signing.TimestampSigner(salt=NOTICE_LINK_SALT).sign(str(user_id))


def notice_link_user_id(*, token: str) -> int:
    """The student a notice link (from an e-mail or a refused login) belongs to.

    The link is how a banned student, who can no longer sign in, still reads their notices and
    appeals; it opens nothing else.
    """
    max_age = timedelta(days=settings.MODERATION_NOTICE_LINK_MAX_AGE_DAYS)
    try:
        return int(signing.TimestampSigner(salt=NOTICE_LINK_SALT).unsign(token, max_age=max_age))
    except signing.SignatureExpired:
        message = _("This link has expired. Log in with your password to get a new one.")
        raise DomainError(ErrorCode.INVALID_NOTICE_LINK, message, http_status=400) from None
    except (signing.BadSignature, ValueError):
        raise DomainError(ErrorCode.INVALID_NOTICE_LINK, _("This link is not valid."), http_status=400) from None


def notice_link_url(*, user_id: int) -> str:
    return settings.PUBLIC_BASE_URL + reverse("moderation:notices-link", args=[notice_link_token(user_id=user_id)])


def notice_create(*, user_id: int, kind: str, sanction: Sanction | None = None, report_outcome: str = "") -> Notice:
    """Record a notice in the caller's transaction; after commit it is e-mailed and sent live."""
    notice = Notice.objects.create(user_id=user_id, kind=kind, sanction=sanction, report_outcome=report_outcome)
    after = {"kind": kind, "report_outcome": report_outcome}
    if sanction is not None:
        after.update(sanction_id=sanction.pk, sanction=sanction.kind, rule=sanction.rule)
    audit_log(
        actor=None,
        action="notice",
        target_type="notice",
        target_id=notice.pk,
        target_user_id=user_id,
        after=after,
    )
    with translation.override(recipient_language(user_id=user_id)):
        events.moderation_notice(user_id=user_id, notice_id=notice.pk, kind=kind, title=notice_title(notice))
    task_send_on_commit("apps.moderation.tasks.send_notice_mail", notice.pk)
    return notice


def notice_title(notice: Notice) -> str:
    """One line saying what happened, in the active language (the banner, the e-mail's subject)."""
    sanction = notice.sanction
    if notice.kind == NoticeKind.SANCTION and sanction is not None:
        if sanction.kind == SanctionKind.WARNING:
            return _("You received a warning for breaking a community rule")
        if sanction.kind == SanctionKind.SUSPENSION:
            return _("Your account is suspended until %(until)s") % {"until": kst(sanction.ends_at)}
        return _("Your account has been banned for breaking a community rule")
    if notice.kind == NoticeKind.SANCTION_LIFTED:
        return _("A sanction on your account was lifted")
    if notice.kind == NoticeKind.APPEAL_UPHELD:
        return _("We reviewed your appeal and the decision stands")
    return _("Thank you: we handled your report")


def notices_acknowledge(*, user_id: int) -> int:
    """The student has read their notices: the banner goes away. Returns how many were open."""
    return Notice.objects.filter(user_id=user_id, acknowledged_at__isnull=True).update(acknowledged_at=timezone.now())


def notice_mail_send(*, notice_id: int) -> bool:
    """E-mail one notice (the Celery task's body); True when a mail left.

    Safe to retry: the notice is claimed before sending and released if the mail server fails.
    """
    notice = Notice.objects.filter(pk=notice_id).select_related("user", "sanction").first()
    if notice is None or notice.emailed_at is not None or not notice_mail_allowed(user_id=notice.user_id):
        return False
    if not Notice.objects.filter(pk=notice_id, emailed_at__isnull=True).update(emailed_at=timezone.now()):
        return False
    try:
        _notice_mail(notice)
    except OSError:
        Notice.objects.filter(pk=notice_id).update(emailed_at=None)
        raise
    return True


def _notice_mail(notice: Notice) -> None:
    with translation.override(recipient_language(user_id=notice.user_id)):
        context = {
            "notice": notice,
            "title": notice_title(notice),
            "sanction": notice.sanction,
            "ends_at": kst(notice.sanction.ends_at) if notice.sanction and notice.sanction.ends_at else "",
            "appeal_days": settings.MODERATION_APPEAL_WINDOW_DAYS,
            "notices_url": notice_link_url(user_id=notice.user_id),
        }
        subject = _("MatchMinds: %(title)s") % {"title": context["title"]}
        body = render_to_string("moderation/email/notice.txt", context)
    EmailMultiAlternatives(subject, body, to=[notice.user.email]).send()


@transaction.atomic
def report_outcome_notify(*, reporter_id: int | None, outcome: str) -> Notice | None:
    """Tell the reporter their report was handled: the outcome category, nothing about the other person."""
    if reporter_id is None:
        return None
    return notice_create(user_id=reporter_id, kind=NoticeKind.REPORT_HANDLED, report_outcome=outcome)
