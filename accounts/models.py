"""Accounts: the user (e-mail login), the resident profile, consent records."""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person with an account. Logs in with e-mail; there is no username."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.email


class Resident(models.Model):
    """What Quito Decide knows about a person as a resident of the district."""

    class Verification(models.TextChoices):
        UNVERIFIED = "unverified", _("Unverified")
        VERIFIED = "verified", _("Verified")

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="resident", verbose_name=_("user")
    )
    display_name = models.CharField(_("public display name"), max_length=80, blank=True)
    zone = models.ForeignKey(
        "territory.Zone",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("zone of residence"),
    )
    parish = models.ForeignKey(
        "territory.Parish",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("parish of residence"),
    )
    cedula_hash = models.CharField(
        _("cédula (keyed hash)"), max_length=64, null=True, blank=True, unique=True, editable=False
    )
    # When the cédula above was shown to belong to the person: matched in a census file, or
    # typed by staff from the card they saw. Online budget voting needs it (the cédula is
    # the voter key that keeps one person to one vote across online and booth voting).
    cedula_confirmed_at = models.DateTimeField(_("cédula confirmed on"), null=True, blank=True)
    verification_status = models.CharField(
        _("verification"),
        max_length=12,
        choices=Verification.choices,
        default=Verification.UNVERIFIED,
    )
    verification_method = models.CharField(_("verification method"), max_length=40, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    # Every verification expires (verification.methods decides how long by method); an
    # expired one counts as unverified everywhere (accounts.selectors).
    verification_expires_at = models.DateTimeField(
        _("verification valid until"), null=True, blank=True
    )
    verified_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    email_notifications = models.BooleanField(_("receive e-mail notifications"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(verification_status="unverified", verified_at__isnull=True)
                    | models.Q(verification_status="verified", verified_at__isnull=False)
                ),
                name="resident_verified_has_date",
            ),
        ]

    def __str__(self):
        return self.display_name or self.user.email

    @property
    def is_verified(self) -> bool:
        """Verified, and the verification has not expired (an expired one counts as
        unverified everywhere; accounts.selectors.verified_residents for queries)."""
        if self.verification_status != self.Verification.VERIFIED:
            return False
        from django.utils import timezone

        expires = self.verification_expires_at
        if expires is None and self.verified_at is not None:
            # Verified before expiries were recorded: its method's validity from then on.
            from .verification import VALIDITY

            validity = VALIDITY.get(self.verification_method) or VALIDITY["staff"]
            expires = self.verified_at + validity
        return expires is None or expires > timezone.now()

    @property
    def verification_expired(self) -> bool:
        """Was verified, and the verification has run out (the profile says so)."""
        return self.verification_status == self.Verification.VERIFIED and not self.is_verified

    @property
    def has_cedula(self) -> bool:
        return bool(self.cedula_hash)


class Consent(models.Model):
    """A consent given under Ecuador's LOPDP: free, specific, informed, never pre-ticked."""

    class Purpose(models.TextChoices):
        PRIVACY_POLICY = "privacy_policy", _("Privacy policy and processing of personal data")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="consents", verbose_name=_("user")
    )
    purpose = models.CharField(_("purpose"), max_length=40, choices=Purpose.choices)
    policy_version = models.CharField(_("policy version"), max_length=20)
    given_at = models.DateTimeField(_("given at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]
        constraints = [
            # One standing consent per version; after a withdrawal, accepting again is a new
            # record (every acceptance is kept, with its time).
            models.UniqueConstraint(
                fields=["user", "purpose", "policy_version"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="consent_once_per_policy_version",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.purpose} · {self.policy_version}"
