"""The identity check's writes and reads (the verifiers themselves: identity_verifiers.py).

One person, one account: the provider's per-person value (CI) is stored only as an HMAC
under IDENTITY_HASH_KEY, in a unique column. A verified birth date and gender replace the
profile's and lock them.
"""

import hashlib
import hmac
import secrets
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import hooks
from apps.accounts.errors import ErrorCode
from apps.accounts.identity_verifiers import MOBILE, SELF_DECLARED, VerifiedPerson, mobile_callback_verify, mobile_start_url
from apps.accounts.models import IdentityVerification, Profile, User
from apps.accounts.selectors import age_in_years
from apps.core.errors import DomainError
from apps.core.redis import get_redis

PENDING_KEY = "identity:pending:{request_id}"


def person_hash(*, ci: str) -> str:
    return hmac.new(settings.IDENTITY_HASH_KEY.encode(), ci.encode(), hashlib.sha256).hexdigest()


def identity_verifier_name() -> str:
    return settings.IDENTITY_VERIFIER


def identity_for_user(*, user_id: int) -> IdentityVerification | None:
    return IdentityVerification.objects.filter(user_id=user_id).first()


def user_identity_verified(*, user_id: int) -> bool:
    """A provider's check always counts; a self-declaration only while the site runs self_declared."""
    verification = identity_for_user(user_id=user_id)
    if verification is None:
        return False
    return verification.person_hash is not None or verification.verifier == settings.IDENTITY_VERIFIER


def identity_lock_check(*, user: User, birth_date: date, gender: str) -> None:
    """Refuse a profile whose birth date or gender differs from what the identity check verified."""
    verification = IdentityVerification.objects.filter(user_id=user.pk, person_hash__isnull=False).first()
    if verification is None:
        return
    if birth_date != verification.birth_date:
        raise DomainError(
            ErrorCode.IDENTITY_LOCKED,
            _("Your birth date comes from your identity check and cannot be changed."),
            field="birth_date",
        )
    if gender != verification.gender:
        raise DomainError(
            ErrorCode.IDENTITY_LOCKED, _("Your gender comes from your identity check and cannot be changed."), field="gender"
        )


def identity_start(*, user: User, return_url: str) -> str:
    """Begin a mobile identity check: remember a one-time request for this user and return the
    provider's address to send the browser to."""
    if settings.IDENTITY_VERIFIER != MOBILE:
        raise DomainError(ErrorCode.IDENTITY_UNAVAILABLE, _("This site does not use a mobile identity check."), http_status=404)
    request_id = secrets.token_urlsafe(24)
    get_redis().set(PENDING_KEY.format(request_id=request_id), user.pk, ex=settings.IDENTITY_CALLBACK_MAX_AGE_S)
    return mobile_start_url(request_id=request_id, return_url=return_url)


def identity_callback_complete(*, fields: dict[str, str], signed_in_user_id: int | None) -> IdentityVerification:
    """Record what a provider's callback vouches for, for the user who started the check.

    Refused, changing nothing: a forged or expired callback, one already used (replayed) or
    started by someone else, a person under the minimum age, a person already verified on
    another account.
    """
    if settings.IDENTITY_VERIFIER != MOBILE:
        raise DomainError(ErrorCode.IDENTITY_UNAVAILABLE, _("This site does not use a mobile identity check."), http_status=404)
    person = mobile_callback_verify(fields=fields)
    owner = get_redis().getdel(PENDING_KEY.format(request_id=person.request_id))
    if owner is None:
        raise DomainError(
            ErrorCode.IDENTITY_CALLBACK_USED,
            _("This identity answer was already used or its check expired. Nothing was changed; please start again."),
            http_status=409,
        )
    if signed_in_user_id is not None and int(owner) != signed_in_user_id:
        raise DomainError(
            ErrorCode.IDENTITY_CALLBACK_FORGED,
            _("This identity check was started by another account. Nothing was changed; please start again."),
        )
    return _identity_record(user_id=int(owner), person=person)


def _identity_record(*, user_id: int, person: VerifiedPerson) -> IdentityVerification:
    if age_in_years(birth_date=person.birth_date) < settings.MINIMUM_AGE_YEARS:
        raise DomainError(
            ErrorCode.UNDERAGE,
            _("Matching and chat are only for people aged %(age)d or older.") % {"age": settings.MINIMUM_AGE_YEARS},
            http_status=403,
        )
    hashed = person_hash(ci=person.ci)
    taken = _(
        "This person has already verified another MatchMinds account. One person may have one account; nothing was changed."
    )
    if IdentityVerification.objects.filter(person_hash=hashed).exclude(user_id=user_id).exists():
        raise DomainError(ErrorCode.IDENTITY_TAKEN, taken, http_status=409)
    existing = identity_for_user(user_id=user_id)
    if existing is not None and existing.person_hash not in (None, hashed):
        raise DomainError(
            ErrorCode.IDENTITY_LOCKED,
            _("This account is already verified as another person; nothing was changed."),
            http_status=409,
        )
    values = {
        "verifier": MOBILE,
        "person_hash": hashed,
        "name": person.name,
        "birth_date": person.birth_date,
        "gender": person.gender,
        "verified_at": timezone.now(),
    }
    try:
        with transaction.atomic():
            verification, _created = IdentityVerification.objects.update_or_create(user_id=user_id, defaults=values)
            Profile.objects.filter(user_id=user_id).update(
                birth_date=person.birth_date, gender=person.gender, updated_at=timezone.now()
            )
            hooks.profile_changed.send(user_id=user_id)
    except IntegrityError:
        # The same person finished a check on another account at the same moment.
        raise DomainError(ErrorCode.IDENTITY_TAKEN, taken, http_status=409) from None
    return verification


def identity_self_declare(*, user: User) -> IdentityVerification:
    """The student vouches for their profile's birth date and gender (IDENTITY_VERIFIER=self_declared)."""
    if settings.IDENTITY_VERIFIER != SELF_DECLARED:
        raise DomainError(ErrorCode.IDENTITY_UNAVAILABLE, _("Use the identity check offered on this page."), http_status=404)
    profile = Profile.objects.filter(user_id=user.pk).first()
    if profile is None:
        raise DomainError(ErrorCode.PROFILE_INCOMPLETE, _("Complete your profile first."), http_status=403)
    verification, _created = IdentityVerification.objects.update_or_create(
        user_id=user.pk,
        defaults={
            "verifier": SELF_DECLARED,
            "birth_date": profile.birth_date,
            "gender": profile.gender,
            "verified_at": timezone.now(),
        },
    )
    return verification
