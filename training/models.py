"""Training in participation (formación ciudadana): plans per zonal administration and
year, with modules; sessions (date, place or online link, capacity, facilitator, partner
institution); registrations with an account or with name, e-mail and parish; a waiting
list when a session is full; attendance taken by staff on a phone; the session's
evaluation survey sent to attendees (surveys, by invitation); attendance certificates as
PDF with a verification code checkable at a public URL.

Edited through training.services (rule book: training.manage, training.attendance,
training.register).
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Certificate codes: no 0/O or 1/I/L to misread when typed from paper.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_certificate_code() -> str:
    """ "QD-XXXX-XXXX-XXXX": 60 bits of randomness, grouped to be typed from paper."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"QD-{raw[:4]}-{raw[4:8]}-{raw[8:]}"


class TrainingPlan(models.Model):
    zone = models.ForeignKey(
        "territory.Zone",
        on_delete=models.PROTECT,
        related_name="training_plans",
        verbose_name=_("zone"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_published = models.BooleanField(_("published"), default=True)

    class Meta:
        ordering = ["-year", "zone__name", "title"]
        verbose_name = _("training plan")
        verbose_name_plural = _("training plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="training_plan_year_plausible"
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.year})"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("training:plan", kwargs={"slug": self.slug})


class Module(models.Model):
    plan = models.ForeignKey(
        TrainingPlan, on_delete=models.CASCADE, related_name="modules", verbose_name=_("plan")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    hours = models.PositiveSmallIntegerField(_("hours"), null=True, blank=True)

    class Meta:
        ordering = ["plan", "position"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "position"], name="module_position_unique_per_plan"
            ),
        ]

    def __str__(self):
        return self.title


class TrainingSession(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "programada", _("Scheduled")
        CANCELLED = "cancelada", _("Cancelled")

    plan = models.ForeignKey(
        TrainingPlan, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("plan")
    )
    module = models.ForeignKey(
        Module,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("module"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=255, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"))
    facilitator = models.CharField(_("facilitator"), max_length=200)
    partner = models.CharField(_("partner institution"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED
    )
    evaluation = models.OneToOneField(
        "surveys.Survey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_session",
        verbose_name=_("evaluation survey"),
    )

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="training_session_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1), name="training_session_capacity_positive"
            ),
            models.CheckConstraint(
                condition=~Q(place="", online_url=""),
                name="training_session_has_place_or_link",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("training:session", kwargs={"pk": self.pk})

    @property
    def zone(self):
        return self.plan.zone

    def phase(self, now=None) -> str:
        """The rule book's phases: "upcoming" (registration open until it starts), "held"
        (from the start of its day, Quito time: attendance is taken), "cancelled"."""
        if self.status == self.Status.CANCELLED:
            return "cancelled"
        now = now or timezone.now()
        local_start = timezone.localtime(self.starts_at)
        day_start = local_start.replace(hour=0, minute=0, second=0, microsecond=0)
        if now >= self.starts_at:
            return "held"
        return "today" if now >= day_start else "upcoming"


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmada", _("Confirmed")
        WAITLISTED = "en_espera", _("On the waiting list")
        CANCELLED = "cancelada", _("Cancelled")

    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.CASCADE,
        related_name="registrations",
        verbose_name=_("session"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_registrations",
        verbose_name=_("account"),
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    parish = models.ForeignKey(
        "territory.Parish",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("parish"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CONFIRMED
    )
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # The cancel link's secret, and the evaluation invitation's: stored as a SHA-256.
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    attended = models.BooleanField(_("attended"), default=False)
    attendance_marked_at = models.DateTimeField(_("attendance marked"), null=True, blank=True)
    attendance_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("attendance marked by"),
    )
    certificate_code = models.CharField(
        _("certificate code"), max_length=20, unique=True, null=True, blank=True
    )
    evaluation_sent_at = models.DateTimeField(_("evaluation sent"), null=True, blank=True)

    class Meta:
        ordering = ["session", "created_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                "session",
                Lower("email"),
                condition=~Q(status="cancelada"),
                name="one_live_registration_per_email",
            ),
            models.UniqueConstraint(
                fields=["session", "user"],
                condition=Q(user__isnull=False) & ~Q(status="cancelada"),
                name="one_live_registration_per_account",
            ),
            models.CheckConstraint(
                condition=Q(attended=False) | Q(status="confirmada"),
                name="only_confirmed_registrations_attend",
            ),
        ]

    def __str__(self):
        return f"{self.name} — {self.session}"
