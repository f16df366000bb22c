import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import hooks, identity
from apps.accounts.errors import ErrorCode
from apps.accounts.models import (
    Gender,
    Interest,
    Profile,
    Region,
    SeekingChoice,
    University,
    UniversityEmailVerification,
    User,
)
from apps.accounts.notifications import recipient_language
from apps.accounts.roles import Role, roles_for_groups
from apps.accounts.selectors import profile_for_user, university_for_email, user_social_access_problem
from apps.core.durations import duration_text
from apps.core.errors import DomainError
from apps.core.ratelimit import RateLimit, rate_limit_hit
from apps.moderation import text as moderation_text

NICKNAME_MIN_LENGTH = 2
NICKNAME_MAX_LENGTH = 20
BIO_MAX_LENGTH = 300
OLDEST_PLAUSIBLE_AGE_YEARS = 100


def user_require_social_access(*, user: User) -> None:
    """Raise unless the user may use matching and chat (signed in, profile complete, adult)."""
    problem = user_social_access_problem(user=user)
    if problem is not None:
        code, message = problem
        raise DomainError(code, message, http_status=403)


def user_sign_up(*, email: str, password: str) -> User:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(ErrorCode.INVALID_EMAIL, _("Enter a valid e-mail address."), field="email") from None
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError(
            ErrorCode.EMAIL_TAKEN, _("An account with this e-mail address already exists."), field="email", http_status=409
        )
    try:
        validate_password(password, user=User(email=email))
    except ValidationError as error:
        raise DomainError(ErrorCode.WEAK_PASSWORD, " ".join(error.messages), field="password") from None
    try:
        return User.objects.create_user(email=email, password=password, email_confirmation_pending=True)
    except IntegrityError:
        raise DomainError(
            ErrorCode.EMAIL_TAKEN, _("An account with this e-mail address already exists."), field="email", http_status=409
        ) from None


def _clean_nickname(nickname: str, *, user: User) -> str:
    nickname = (nickname or "").strip()
    if not NICKNAME_MIN_LENGTH <= len(nickname) <= NICKNAME_MAX_LENGTH:
        raise DomainError(
            ErrorCode.INVALID_NICKNAME,
            _("The nickname must be %(min)d to %(max)d characters.") % {"min": NICKNAME_MIN_LENGTH, "max": NICKNAME_MAX_LENGTH},
            field="nickname",
        )
    if any(not (character.isalnum() or character in "_-. ") for character in nickname):
        raise DomainError(
            ErrorCode.INVALID_NICKNAME, _("Use letters, digits, spaces, '.', '-' and '_' in the nickname."), field="nickname"
        )
    moderation_text.profile_text_check(text=nickname, field="nickname")
    if Profile.objects.filter(nickname__iexact=nickname).exclude(user=user).exists():
        raise DomainError(ErrorCode.NICKNAME_TAKEN, _("This nickname is already taken."), field="nickname", http_status=409)
    return nickname


def _clean_birth_date(birth_date: date) -> date:
    today = timezone.localdate()
    if not isinstance(birth_date, date) or birth_date > today:
        raise DomainError(ErrorCode.INVALID_BIRTH_DATE, _("Enter your real birth date."), field="birth_date")
    if birth_date < today.replace(year=today.year - OLDEST_PLAUSIBLE_AGE_YEARS):
        raise DomainError(ErrorCode.INVALID_BIRTH_DATE, _("Enter your real birth date."), field="birth_date")
    return birth_date


def _clean_interests(interest_ids: list[int]) -> list[Interest]:
    unique_ids = list(dict.fromkeys(interest_ids))
    if len(unique_ids) > settings.PROFILE_MAX_INTERESTS:
        raise DomainError(
            ErrorCode.TOO_MANY_INTERESTS,
            _("Choose at most %(max)d interests.") % {"max": settings.PROFILE_MAX_INTERESTS},
            field="interests",
        )
    interests = list(Interest.objects.filter(pk__in=unique_ids))
    if len(interests) != len(unique_ids):
        raise DomainError(ErrorCode.INVALID_INTEREST, _("Choose interests from the list."), field="interests")
    return interests


@transaction.atomic
def profile_save(
    *,
    user: User,
    nickname: str,
    gender: str,
    seeking: str,
    birth_date: date,
    university_id: int,
    region: str,
    interest_ids: list[int],
    bio: str = "",
) -> Profile:
    """Create or update the user's profile after validating every field."""
    nickname = _clean_nickname(nickname, user=user)
    if gender not in Gender.values:
        raise DomainError(ErrorCode.INVALID_GENDER, _("Choose a gender from the list."), field="gender")
    if seeking not in SeekingChoice.values:
        raise DomainError(ErrorCode.INVALID_SEEKING, _("Choose who you would like to meet."), field="seeking")
    birth_date = _clean_birth_date(birth_date)
    identity.identity_lock_check(user=user, birth_date=birth_date, gender=gender)
    if region not in Region.values:
        raise DomainError(ErrorCode.INVALID_REGION, _("Choose a region from the list."), field="region")
    university = University.objects.filter(pk=university_id).first()
    if university is None:
        raise DomainError(ErrorCode.INVALID_UNIVERSITY, _("Choose a university from the list."), field="university")
    bio = (bio or "").strip()
    if len(bio) > BIO_MAX_LENGTH:
        raise DomainError(
            ErrorCode.BIO_TOO_LONG, _("The bio must be at most %(max)d characters.") % {"max": BIO_MAX_LENGTH}, field="bio"
        )
    moderation_text.profile_text_check(text=bio, field="bio")
    interests = _clean_interests(interest_ids)

    profile = profile_for_user(user=user) or Profile(user=user)
    if profile.pk and profile.university_id != university.pk:
        # A verified badge belongs to one university; changing it asks for a new proof.
        profile.university_verified_at = None
        profile.verified_email = ""
    profile.nickname = nickname
    profile.gender = gender
    profile.seeking = seeking
    profile.birth_date = birth_date
    profile.university = university
    profile.region = region
    profile.bio = bio
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError:
        raise DomainError(
            ErrorCode.NICKNAME_TAKEN, _("This nickname is already taken."), field="nickname", http_status=409
        ) from None
    profile.interests.set(interests)
    hooks.profile_changed.send(user_id=user.pk)
    return profile


def _hash_code(code: str, *, verification_email: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{verification_email}:{code}".encode(), hashlib.sha256).hexdigest()


def _domain_list(university) -> str:
    return ", ".join("@" + domain for domain in university.domains.order_by("domain").values_list("domain", flat=True))


def university_verification_start(*, user: User, email: str) -> UniversityEmailVerification:
    """Mail a six-digit code to a university address; throttled per user."""
    profile = profile_for_user(user=user)
    if profile is None:
        raise DomainError(ErrorCode.PROFILE_INCOMPLETE, _("Complete your profile first."), http_status=403)
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(ErrorCode.INVALID_EMAIL, _("Enter a valid e-mail address."), field="email") from None
    university = university_for_email(email=email)
    expected = {"university": str(profile.university), "domains": _domain_list(profile.university)}
    if university is None:
        raise DomainError(
            ErrorCode.UNKNOWN_UNIVERSITY_DOMAIN,
            _("We do not know this e-mail domain. For %(university)s, use an address ending in %(domains)s.") % expected,
            field="email",
        )
    if university.pk != profile.university_id:
        raise DomainError(
            ErrorCode.UNIVERSITY_MISMATCH,
            _(
                "This address belongs to %(other)s. For %(university)s, the university in your profile, "
                "use an address ending in %(domains)s."
            )
            % {**expected, "other": str(university)},
            field="email",
        )
    now = timezone.now()
    last = user.university_verifications.order_by("-sent_at").first()
    if last is not None:
        wait_s = int(settings.UNIVERSITY_CODE_RESEND_INTERVAL_S - (now - last.sent_at).total_seconds())
        if wait_s > 0:
            raise DomainError(
                ErrorCode.RESEND_THROTTLED,
                _("Please wait %(wait)s before asking for a new code.") % {"wait": duration_text(wait_s)},
                http_status=429,
                retry_after_s=wait_s,
            )
    code = f"{secrets.randbelow(1_000_000):06d}"
    verification = UniversityEmailVerification.objects.create(
        user=user,
        university=university,
        email=email,
        code_hash=_hash_code(code, verification_email=email),
        sent_at=now,
        expires_at=now + timedelta(seconds=settings.UNIVERSITY_CODE_TTL_S),
    )
    with recipient_language(user):
        body = render_to_string(
            "accounts/email/university_code.txt",
            {"code": code, "university": university, "minutes": settings.UNIVERSITY_CODE_TTL_S // 60},
        )
        send_mail(_("Your MatchMinds verification code"), body, None, [email])
    return verification


def university_verification_confirm(*, user: User, code: str) -> Profile:
    """Check a code; a wrong one still counts as an attempt (the count is committed)."""
    code = (code or "").strip()
    with transaction.atomic():
        verification = (
            UniversityEmailVerification.objects.select_for_update()
            .filter(user=user, verified_at__isnull=True)
            .order_by("-sent_at")
            .first()
        )
        if verification is None:
            raise DomainError(ErrorCode.NO_PENDING_CODE, _("Ask for a verification code first."), field="code")
        if verification.expires_at <= timezone.now():
            raise DomainError(ErrorCode.CODE_EXPIRED, _("This code has expired. Ask for a new one."), field="code")
        if verification.attempts >= settings.UNIVERSITY_CODE_MAX_ATTEMPTS:
            raise DomainError(
                ErrorCode.TOO_MANY_ATTEMPTS, _("Too many wrong codes. Ask for a new one."), field="code", http_status=429
            )
        code_matches = hmac.compare_digest(verification.code_hash, _hash_code(code, verification_email=verification.email))
        if code_matches:
            now = timezone.now()
            verification.verified_at = now
            verification.save(update_fields=["verified_at"])
            profile = user.profile
            profile.university_verified_at = now
            profile.verified_email = verification.email
            profile.save(update_fields=["university_verified_at", "verified_email", "updated_at"])
            return profile
        verification.attempts += 1
        verification.save(update_fields=["attempts"])
        remaining = settings.UNIVERSITY_CODE_MAX_ATTEMPTS - verification.attempts
    raise DomainError(
        ErrorCode.WRONG_CODE,
        _("That code is not right. %(remaining)d attempts left.") % {"remaining": remaining},
        field="code",
    )


def user_roles_sync(*, user: User, roles: set[Role]) -> User:
    """Make the user's staff/superuser flags and moderator membership exactly what `roles` grant.

    Roles that are no longer granted are taken away; groups other than the moderators'
    group are left alone.
    """
    is_superuser = Role.ADMIN in roles
    is_staff = is_superuser or Role.STAFF in roles
    if (user.is_staff, user.is_superuser) != (is_staff, is_superuser):
        user.is_staff, user.is_superuser = is_staff, is_superuser
        user.save(update_fields=["is_staff", "is_superuser"])
    moderators, _created = Group.objects.get_or_create(name=settings.MODERATORS_GROUP_NAME)
    if Role.MODERATOR in roles:
        user.groups.add(moderators)
    else:
        user.groups.remove(moderators)
    return user


def _oidc_user_find_or_create(*, subject: str, email: str) -> User:
    user = User.objects.filter(oidc_sub=subject).first()
    if user is not None:
        if user.email.lower() != email and not User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
            # The provider's verified address changed: follow it unless another account has it.
            user.email = email
            user.save(update_fields=["email"])
        return user
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return User.objects.create_user(email=email, password=None, oidc_sub=subject)
    if user.oidc_sub:
        raise DomainError(
            ErrorCode.ACCOUNT_CONFLICT,
            _("This e-mail address already belongs to another sign-in. Contact support to merge the accounts."),
            http_status=409,
        )
    user.oidc_sub = subject
    user.save(update_fields=["oidc_sub"])
    return user


def user_oidc_sign_in(*, subject: str, email: str | None, email_verified: bool, groups: Iterable[str]) -> User:
    """The account for a person the provider vouched for: found by subject, else linked or created
    by verified e-mail; its roles are then set from `groups` (granted and revoked).

    Raises DomainError when the e-mail is missing or unverified, already linked to another
    subject, or the account is deactivated.
    """
    email = (email or "").strip().lower()
    if not subject:
        raise DomainError(ErrorCode.SUBJECT_MISSING, _("The sign-in service did not say who you are."), http_status=400)
    if not email:
        raise DomainError(
            ErrorCode.EMAIL_MISSING,
            _("Your sign-in account has no e-mail address. Add one there, then sign in again."),
            http_status=403,
        )
    if not email_verified:
        raise DomainError(
            ErrorCode.EMAIL_UNVERIFIED,
            _("Your e-mail address is not verified yet. Confirm it with the code you were sent, then sign in again."),
            http_status=403,
        )
    try:
        with transaction.atomic():
            user = _oidc_user_find_or_create(subject=subject, email=email)
    except IntegrityError:
        # A parallel first sign-in of the same person created or linked the account first.
        user = User.objects.filter(oidc_sub=subject).first()
        if user is None:
            raise DomainError(
                ErrorCode.ACCOUNT_CONFLICT,
                _("This e-mail address already belongs to another sign-in. Contact support to merge the accounts."),
                http_status=409,
            ) from None
    if not user.is_active:
        raise DomainError(ErrorCode.ACCOUNT_DISABLED, _("This account is deactivated."), http_status=403)
    with transaction.atomic():
        return user_roles_sync(user=user, roles=roles_for_groups(groups))


def login_attempt_register(*, email: str, client_ip: str) -> None:
    """Count one local password login attempt against the per-account and per-address limits.

    Raises DomainError `login_throttled` (with retry_after_s) when either limit is reached.
    """
    account_key = hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:32]
    per_account = RateLimit("login-account", settings.LOGIN_THROTTLE_ACCOUNT_LIMIT, settings.LOGIN_THROTTLE_ACCOUNT_WINDOW_S)
    per_ip = RateLimit("login-ip", settings.LOGIN_THROTTLE_IP_LIMIT, settings.LOGIN_THROTTLE_IP_WINDOW_S)
    rules = [(per_account, account_key), (per_ip, client_ip)]
    for rule, subject in rules:
        try:
            rate_limit_hit(rule=rule, subject=subject)
        except DomainError as error:
            raise DomainError(
                ErrorCode.LOGIN_THROTTLED,
                _("Too many login attempts. Try again in %(wait)s.") % {"wait": duration_text(error.retry_after_s)},
                http_status=429,
                retry_after_s=error.retry_after_s,
            ) from None
