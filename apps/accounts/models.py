from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class Language(models.TextChoices):
    """The languages of the pages and e-mails; each name is written in its own language."""

    KOREAN = "ko", "한국어"
    ENGLISH = "en", "English"


class User(AbstractUser):
    """A person who signs in with an e-mail address (locally or through OIDC)."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-mail address"), unique=True)
    oidc_sub = models.CharField(_("OIDC subject"), max_length=255, unique=True, null=True, blank=True)
    # Only a local sign-up waits for its address to be confirmed; accounts made otherwise
    # (single sign-on vouches for its address, the admin, imports) start confirmed.
    email_confirmation_pending = models.BooleanField(_("e-mail confirmation pending"), default=False)
    email_confirmed_at = models.DateTimeField(_("e-mail confirmed at"), null=True, blank=True)
    # Pages after sign-in and every e-mail to this person are in this language; empty until
    # chosen: pages then follow the browser, e-mails the site's default (LANGUAGE_CODE).
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, blank=True, default="")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(condition=Q(language__in=["", "ko", "en"]), name="user_language_valid"),
        ]

    def __str__(self) -> str:
        return self.email


class Region(models.TextChoices):
    """The 17 first-level divisions (시/도) of the Republic of Korea."""

    SEOUL = "seoul", _("Seoul")
    BUSAN = "busan", _("Busan")
    DAEGU = "daegu", _("Daegu")
    INCHEON = "incheon", _("Incheon")
    GWANGJU = "gwangju", _("Gwangju")
    DAEJEON = "daejeon", _("Daejeon")
    ULSAN = "ulsan", _("Ulsan")
    SEJONG = "sejong", _("Sejong")
    GYEONGGI = "gyeonggi", _("Gyeonggi")
    GANGWON = "gangwon", _("Gangwon")
    CHUNGBUK = "chungbuk", _("North Chungcheong")
    CHUNGNAM = "chungnam", _("South Chungcheong")
    JEONBUK = "jeonbuk", _("North Jeolla")
    JEONNAM = "jeonnam", _("South Jeolla")
    GYEONGBUK = "gyeongbuk", _("North Gyeongsang")
    GYEONGNAM = "gyeongnam", _("South Gyeongsang")
    JEJU = "jeju", _("Jeju")


class Gender(models.TextChoices):
    MALE = "M", _("Man")
    FEMALE = "F", _("Woman")


class SeekingChoice(models.TextChoices):
    """Which genders a person wants to meet, stored as the sorted gender codes."""

    MEN = "M", _("Men")
    WOMEN = "F", _("Women")
    EVERYONE = "FM", _("Men and women")


class University(models.Model):
    name_ko = models.CharField(_("name (Korean)"), max_length=100, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=150)
    region = models.CharField(_("region"), max_length=16, choices=Region.choices)

    class Meta:
        verbose_name = _("university")
        verbose_name_plural = _("universities")
        ordering = ["name_ko"]

    def __str__(self) -> str:
        return self.name_en if get_language() == "en" else self.name_ko


class UniversityDomain(models.Model):
    """An e-mail domain whose mailboxes belong to the university's members."""

    university = models.ForeignKey(University, on_delete=models.CASCADE, related_name="domains", verbose_name=_("university"))
    domain = models.CharField(_("e-mail domain"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("university e-mail domain")
        verbose_name_plural = _("university e-mail domains")

    def __str__(self) -> str:
        return self.domain


class Interest(models.Model):
    """An entry of the curated interest list."""

    slug = models.SlugField(unique=True, verbose_name=_("slug"))
    name_ko = models.CharField(max_length=40, verbose_name=_("name (Korean)"))
    name_en = models.CharField(max_length=40, verbose_name=_("name (English)"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("interest")
        verbose_name_plural = _("interests")

    def __str__(self) -> str:
        return self.name_en if get_language() == "en" else self.name_ko


class PhotoStatus(models.TextChoices):
    NONE = "none", _("No photo")
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Profile(models.Model):
    """What other students see. A user has a profile once they have completed it."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile", verbose_name=_("user"))
    nickname = models.CharField(_("nickname"), max_length=20)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    seeking = models.CharField(_("looking for"), max_length=2, choices=SeekingChoice.choices)
    birth_date = models.DateField(_("birth date"))
    university = models.ForeignKey(University, on_delete=models.PROTECT, related_name="profiles", verbose_name=_("university"))
    region = models.CharField(_("region"), max_length=16, choices=Region.choices)
    interests = models.ManyToManyField(Interest, blank=True, related_name="profiles", verbose_name=_("interests"))
    bio = models.CharField(_("bio"), max_length=300, blank=True)
    photo = models.ImageField(_("photo"), upload_to="photos/%Y/%m/", blank=True)
    photo_status = models.CharField(
        max_length=10, choices=PhotoStatus.choices, default=PhotoStatus.NONE, verbose_name=_("photo review")
    )
    university_verified_at = models.DateTimeField(null=True, blank=True, verbose_name=_("university verified at"))
    verified_email = models.EmailField(blank=True, verbose_name=_("verified university e-mail"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            models.UniqueConstraint(Lower("nickname"), name="profile_nickname_ci_unique"),
            models.CheckConstraint(condition=Q(gender__in=["M", "F"]), name="profile_gender_valid"),
            models.CheckConstraint(condition=Q(seeking__in=["M", "F", "FM"]), name="profile_seeking_valid"),
        ]

    def __str__(self) -> str:
        return self.nickname

    @property
    def seeking_genders(self) -> list[str]:
        return list(self.seeking)

    @property
    def is_university_verified(self) -> bool:
        return self.university_verified_at is not None


class UniversityEmailVerification(models.Model):
    """A one-time code mailed to a university address; only its hash is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="university_verifications", verbose_name=_("user"))
    university = models.ForeignKey(University, on_delete=models.CASCADE, verbose_name=_("university"))
    email = models.EmailField(verbose_name=_("e-mail"))
    code_hash = models.CharField(max_length=128, verbose_name=_("code (hashed)"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    sent_at = models.DateTimeField(verbose_name=_("sent at"))
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    verified_at = models.DateTimeField(null=True, blank=True, verbose_name=_("verified at"))

    class Meta:
        verbose_name = _("university e-mail verification")
        verbose_name_plural = _("university e-mail verifications")
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.email} ({self.sent_at:%Y-%m-%d %H:%M})"


class IdentityVerification(models.Model):
    """Who the identity check says the student is (apps/accounts/identity.py).

    `person_hash` is an HMAC of the provider's per-person value (CI) under IDENTITY_HASH_KEY:
    unique, so one person verifies one account, and never the CI itself. A self-declared
    check has none and locks nothing.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="identity", verbose_name=_("user"))
    verifier = models.CharField(_("verifier"), max_length=20)
    person_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, verbose_name=_("person hash"))
    name = models.CharField(_("verified name"), max_length=60, blank=True)
    birth_date = models.DateField(_("verified birth date"))
    gender = models.CharField(_("verified gender"), max_length=1, choices=Gender.choices)
    verified_at = models.DateTimeField(_("verified at"))

    class Meta:
        verbose_name = _("identity verification")
        verbose_name_plural = _("identity verifications")

    def __str__(self) -> str:
        return f"{self.user_id} ({self.verifier})"

    @property
    def locks_profile(self) -> bool:
        return self.person_hash is not None


class NotificationKind(models.TextChoices):
    """The kinds of e-mail a person can switch off one by one (apps/accounts/notifications.py)."""

    DIGEST = "digest", _("Missed-message digest")
    NEW_MATCH = "new_match", _("New match")
    EVENT_REMINDER = "event_reminder", _("Event reminders")
    MODERATION_NOTICE = "moderation_notice", _("Moderation notices")


class OptOutSource(models.TextChoices):
    SETTINGS = "settings", _("Settings page or API")
    UNSUBSCRIBE_LINK = "link", _("Unsubscribe link")


class NotificationOptOut(models.Model):
    """One kind of e-mail this person does not want; no row means the kind is on."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notification_opt_outs", verbose_name=_("user"))
    kind = models.CharField(max_length=32, choices=NotificationKind.choices, verbose_name=_("e-mail kind"))
    source = models.CharField(max_length=16, choices=OptOutSource.choices, verbose_name=_("turned off from"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("turned off at"))

    class Meta:
        verbose_name = _("notification opt-out")
        verbose_name_plural = _("notification opt-outs")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_optout_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=[kind.value for kind in NotificationKind]), name="notification_optout_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind}"


class EmailChange(models.Model):
    """A signed-in person's request to move their account to a new address.

    Only the newest unconfirmed request of a user counts; it takes effect when the link mailed
    to the new address is confirmed (apps/accounts/credentials.py).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_changes", verbose_name=_("user"))
    old_email = models.EmailField(verbose_name=_("old e-mail address"))
    new_email = models.EmailField(verbose_name=_("new e-mail address"))
    requested_at = models.DateTimeField(verbose_name=_("requested at"))
    sent_at = models.DateTimeField(verbose_name=_("link sent at"))
    confirmed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("confirmed at"))

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("e-mail change")
        verbose_name_plural = _("e-mail changes")

    def __str__(self) -> str:
        return f"{self.old_email} → {self.new_email}"
