from datetime import date

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from apps.accounts.errors import ErrorCode
from apps.accounts.models import Interest, PhotoStatus, Profile, University, UniversityDomain, User
from apps.accounts.roles import Role
from apps.core.db import ids_in
from apps.moderation import selectors as moderation_selectors
from apps.moderation.notices import notice_link_token
from apps.moderation.selectors import block_exists_between, user_moderation_problem


def age_in_years(*, birth_date: date, today: date | None = None) -> int:
    today = today or timezone.localdate()
    had_birthday = (today.month, today.day) >= (birth_date.month, birth_date.day)
    return today.year - birth_date.year - (0 if had_birthday else 1)


def university_code_resend_wait_s(*, user: User) -> int:
    """Seconds before the user may ask for another university code (0: now)."""
    last = user.university_verifications.order_by("-sent_at").first()
    if last is None:
        return 0
    return max(0, int(settings.UNIVERSITY_CODE_RESEND_INTERVAL_S - (timezone.now() - last.sent_at).total_seconds()))


def profile_for_user(*, user: User) -> Profile | None:
    try:
        return user.profile
    except Profile.DoesNotExist:
        return None


def user_social_access_problem(*, user: User) -> tuple[str, str] | None:
    """Why the user may not use matching and chat yet, as (code, message), or None."""
    if not user.is_authenticated or not user.is_active:
        return ErrorCode.NOT_AUTHENTICATED, _("Sign in first.")
    if user.email_confirmation_pending:
        return ErrorCode.EMAIL_NOT_CONFIRMED, _("Confirm your e-mail address first: open the link we sent to %(email)s.") % {
            "email": user.email
        }
    profile = profile_for_user(user=user)
    if profile is None:
        return ErrorCode.PROFILE_INCOMPLETE, _("Complete your profile first.")
    if age_in_years(birth_date=profile.birth_date) < settings.MINIMUM_AGE_YEARS:
        return ErrorCode.UNDERAGE, _("Matching and chat are only for people aged %(age)d or older.") % {
            "age": settings.MINIMUM_AGE_YEARS
        }
    return user_moderation_problem(user_id=user.pk)


def university_for_email(*, email: str) -> University | None:
    domain = email.rsplit("@", 1)[-1].lower()
    # Sub-domains count: mail.snu.ac.kr belongs to snu.ac.kr.
    candidates = [domain]
    parts = domain.split(".")
    candidates += [".".join(parts[index:]) for index in range(1, len(parts) - 1)]
    match = UniversityDomain.objects.select_related("university").filter(domain__in=candidates).first()
    return match.university if match else None


def interest_list() -> list[Interest]:
    return list(Interest.objects.all())


def profile_photo_visible_to(*, profile: Profile, viewer: User | None) -> bool:
    """The one rule for who sees a profile photo: its owner and staff always; other signed-in
    students once it is approved, and never across a block."""
    if not profile.photo or viewer is None or not viewer.is_authenticated:
        return False
    if viewer.pk == profile.user_id or viewer.is_staff:
        return True
    return profile.photo_status == PhotoStatus.APPROVED and not block_exists_between(
        user_id=viewer.pk, other_user_id=profile.user_id
    )


PHOTO_KEY_SALT = "accounts.photo"
PHOTO_KEY_LENGTH = 32


def _photo_key(*, user_id: int, photo_name: str) -> str:
    return salted_hmac(PHOTO_KEY_SALT, f"{user_id}:{photo_name}", algorithm="sha256").hexdigest()[:PHOTO_KEY_LENGTH]


def profile_photo_url(*, profile: Profile) -> str:
    """The address of the profile's current photo, with a key no one can guess from the user id.

    The key is derived from the stored file's name (an HMAC under SECRET_KEY): it changes with
    every new photo, so an old address shows the placeholder. `accounts:photo` still checks
    `profile_photo_visible_to` on every request; the key only stops enumerating photos by id.
    """
    if not profile.photo:
        return static("accounts/placeholder.svg")
    return reverse("accounts:photo", args=[profile.user_id, _photo_key(user_id=profile.user_id, photo_name=profile.photo.name)])


def profile_photo_key_matches(*, profile: Profile, key: str) -> bool:
    return bool(profile.photo) and constant_time_compare(key, _photo_key(user_id=profile.user_id, photo_name=profile.photo.name))


def profile_public_card(*, profile: Profile, viewer: User | None = None) -> dict:
    """What another student may see: never e-mail, birth date or exact age."""
    photo_visible = profile_photo_visible_to(profile=profile, viewer=viewer)
    return {
        "user_id": profile.user_id,
        "nickname": profile.nickname,
        "gender": profile.gender,
        "university": profile.university.name_ko,
        "university_verified": profile.is_university_verified,
        "region": profile.region,
        "interests": [interest.slug for interest in profile.interests.all()],
        "bio": profile.bio,
        "photo_url": profile_photo_url(profile=profile) if photo_visible else None,
    }


def profile_public_cards_unviewed(*, user_ids: list[int]) -> dict[int, dict]:
    """profile_public_card(viewer=None) for many students in two queries, without model instances
    (a speed-dating round shows 5,000 partners at once): with no viewer no photo is shown."""
    rows = Profile.objects.filter(user_id__in=ids_in(user_ids)).values_list(
        "pk", "user_id", "nickname", "gender", "university__name_ko", "university_verified_at", "region", "bio"
    )
    slugs: dict[int, list[str]] = {}
    for profile_id, slug in Profile.interests.through.objects.filter(profile__user_id__in=ids_in(user_ids)).values_list(
        "profile_id", "interest__slug"
    ):
        slugs.setdefault(profile_id, []).append(slug)
    return {
        user_id: {
            "user_id": user_id,
            "nickname": nickname,
            "gender": gender,
            "university": university,
            "university_verified": verified_at is not None,
            "region": region,
            "interests": slugs.get(pk, []),
            "bio": bio,
            "photo_url": None,
        }
        for pk, user_id, nickname, gender, university, verified_at, region, bio in rows
    }


AGE_BAND_YEARS = 5


def age_band(*, birth_date: date, today: date | None = None) -> list[int]:
    """A five-year band such as [20, 24]: enough to picture someone, never the exact age."""
    low = age_in_years(birth_date=birth_date, today=today) // AGE_BAND_YEARS * AGE_BAND_YEARS
    return [low, low + AGE_BAND_YEARS - 1]


def profile_match_card(*, profile: Profile) -> dict:
    """The card a proposed partner sees, in both UI languages (the page picks its own).

    Matching already excludes blocked pairs, so an approved photo is shown; the photo
    endpoint still checks each viewer."""
    interests = list(profile.interests.all())
    card = profile_public_card(profile=profile)
    card.update(
        {
            "university_en": profile.university.name_en,
            "interest_names": {"ko": [i.name_ko for i in interests], "en": [i.name_en for i in interests]},
            "age_band": age_band(birth_date=profile.birth_date),
            "photo_url": profile_photo_url(profile=profile)
            if profile.photo and profile.photo_status == PhotoStatus.APPROVED
            else None,
        }
    )
    return card


def user_for_oidc_subject(*, subject: str) -> User | None:
    """The active account linked to the provider's subject, if any."""
    return User.objects.filter(oidc_sub=subject, is_active=True).first()


def user_roles(*, user: User) -> list[str]:
    """The roles the user holds, sorted (see apps.accounts.roles)."""
    roles = set()
    if user.is_superuser:
        roles.add(Role.ADMIN)
    if user.is_staff:
        roles.add(Role.STAFF)
    if user.groups.filter(name=settings.MODERATORS_GROUP_NAME).exists():
        roles.add(Role.MODERATOR)
    return sorted(role.value for role in roles)


def reported_profile_snapshot(*, user_id: int) -> dict:
    """What a reported user's profile showed, kept as report evidence (moderation's hook)."""
    profile = Profile.objects.filter(user_id=user_id).first()
    if profile is None:
        return {"user_id": user_id}
    return {"user_id": user_id, "nickname": profile.nickname, "bio": profile.bio, "photo": profile.photo.name or ""}


def banned_login_notice_path(*, email: str, password: str) -> str | None:
    """A refused password login of a banned account, with the right password: the path of its
    moderation notices (a signed link), where the student still reads why and appeals. Signing in
    stays refused; None for every other refused login."""
    user = User.objects.filter(email__iexact=(email or "").strip(), is_active=False).first()
    if user is None or not user.check_password(password or "") or not moderation_selectors.user_is_banned(user_id=user.pk):
        return None
    return reverse("moderation:notices-link", args=[notice_link_token(user_id=user.pk)])
