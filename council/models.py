"""The Concejo Metropolitano in the open: its councillors, its sessions (plenary and
commissions) with agenda items linked to the consultations behind them, attendance,
roll-call votes per councillor, and the silla vacía: organisations accredited to take the
empty seat for one agenda item, with voice and vote on it.

Plain Django models edited through services (council.services, council.empty_seat) by the
council secretariat's group (rule book: council.manage, council.accredit).
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quitodecide.storage import private_storage

DEFAULT_EMPTY_SEAT_DAYS = 3


class Commission(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("commission")
        verbose_name_plural = _("commissions")

    def __str__(self):
        return self.name


class Councillor(models.Model):
    name = models.CharField(_("name"), max_length=200)
    party = models.CharField(_("political organisation"), max_length=200, blank=True)
    constituency = models.CharField(
        _("constituency"), max_length=120, blank=True, help_text=_("E.g. Circunscripción Norte.")
    )
    is_active = models.BooleanField(_("in office"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("councillor")
        verbose_name_plural = _("councillors")

    def __str__(self):
        return self.name


class CouncilSession(models.Model):
    class Kind(models.TextChoices):
        ORDINARY = "ordinaria", _("Ordinary session")
        EXTRAORDINARY = "extraordinaria", _("Extraordinary session")
        SOLEMN = "solemne", _("Solemn session")
        COMMISSION = "comision", _("Commission session")

    class Status(models.TextChoices):
        CONVENED = "convocada", _("Convened")
        HELD = "realizada", _("Held")
        POSTPONED = "suspendida", _("Postponed")

    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    commission = models.ForeignKey(
        Commission,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("commission"),
        help_text=_("Only for commission sessions."),
    )
    number = models.CharField(_("number"), max_length=40, help_text=_("E.g. 045."))
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    place = models.CharField(_("place"), max_length=200)
    video_url = models.URLField(_("video link"), blank=True, max_length=500)
    minutes_url = models.URLField(_("minutes link"), blank=True, max_length=500)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.CONVENED
    )
    empty_seat_days = models.PositiveSmallIntegerField(
        _("empty-seat deadline (days before the session)"),
        default=DEFAULT_EMPTY_SEAT_DAYS,
        help_text=_(
            "Organisations apply, and the secretariat accredits or rejects them, until this "
            "many days before the session."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("council session")
        verbose_name_plural = _("council sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="comision", commission__isnull=False)
                | (~Q(kind="comision") & Q(commission__isnull=True)),
                name="council_session_commission_iff_kind",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    @property
    def empty_seat_deadline(self) -> datetime.datetime:
        return self.starts_at - datetime.timedelta(days=self.empty_seat_days)

    def empty_seat_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.CONVENED and now < self.empty_seat_deadline


class AgendaItem(models.Model):
    class Outcome(models.TextChoices):
        PENDING = "", _("Not voted yet")
        APPROVED = "aprobado", _("Approved")
        REJECTED = "negado", _("Rejected")
        DEFERRED = "diferido", _("Deferred")

    session = models.ForeignKey(
        CouncilSession, on_delete=models.CASCADE, related_name="items", verbose_name=_("session")
    )
    position = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True, max_length=3000)
    consultation = models.ForeignKey(
        "consultations.ConsultationPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("consultation"),
    )
    empty_seat = models.BooleanField(
        _("takes empty-seat applications"),
        default=True,
        help_text=_("Organisations may apply for the empty seat on this item."),
    )
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["session", "position"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "position"], name="agenda_item_position_per_session"
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.title}"


class Attendance(models.Model):
    class Presence(models.TextChoices):
        PRESENT = "presente", _("Present")
        ABSENT = "ausente", _("Absent")
        EXCUSED = "excusado", _("Excused")
        ALTERNATE = "alterno", _("Replaced by the alternate")

    session = models.ForeignKey(
        CouncilSession,
        on_delete=models.CASCADE,
        related_name="attendance",
        verbose_name=_("session"),
    )
    councillor = models.ForeignKey(
        Councillor, on_delete=models.PROTECT, related_name="+", verbose_name=_("councillor")
    )
    presence = models.CharField(_("attendance"), max_length=10, choices=Presence.choices)

    class Meta:
        ordering = ["session", "councillor__name"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "councillor"], name="attendance_once_per_session"
            ),
        ]

    def __str__(self):
        return f"{self.councillor}: {self.get_presence_display()}"


class RollCallVote(models.Model):
    class Choice(models.TextChoices):
        YES = "a_favor", _("In favour")
        NO = "en_contra", _("Against")
        ABSTAIN = "abstencion", _("Abstention")
        BLANK = "blanco", _("Blank")
        ABSENT = "ausente", _("Absent")

    item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="votes", verbose_name=_("agenda item")
    )
    councillor = models.ForeignKey(
        Councillor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("councillor"),
    )
    # The empty seat's vote: the accredited organisation's delegate, on this item only.
    empty_seat = models.ForeignKey(
        "council.EmptySeatApplication",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("empty seat"),
    )
    choice = models.CharField(_("vote"), max_length=10, choices=Choice.choices)

    class Meta:
        ordering = ["item", "councillor__name"]
        verbose_name = _("roll-call vote")
        verbose_name_plural = _("roll-call votes")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "councillor"], name="roll_call_once_per_councillor"
            ),
            models.UniqueConstraint(
                fields=["item", "empty_seat"], name="roll_call_once_per_empty_seat"
            ),
            models.CheckConstraint(
                condition=(Q(councillor__isnull=False) & Q(empty_seat__isnull=True))
                | (Q(councillor__isnull=True) & Q(empty_seat__isnull=False)),
                name="roll_call_councillor_or_empty_seat",
            ),
        ]

    def __str__(self):
        return f"{self.councillor or self.empty_seat}: {self.get_choice_display()}"


class EmptySeatApplication(models.Model):
    """An organisation's application for the empty seat on one agenda item."""

    class Status(models.TextChoices):
        RECEIVED = "recibida", _("Received")
        ACCREDITED = "acreditada", _("Accredited")
        REJECTED = "rechazada", _("Rejected")
        WITHDRAWN = "retirada", _("Withdrawn")

    item = models.ForeignKey(
        AgendaItem,
        on_delete=models.CASCADE,
        related_name="empty_seat_applications",
        verbose_name=_("agenda item"),
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("applicant"),
    )
    organisation = models.CharField(_("organisation"), max_length=200)
    legal_registration = models.CharField(
        _("legal registration"),
        max_length=120,
        help_text=_("The organisation's registry number (RUC, or the ministerial agreement)."),
    )
    legal_representative = models.CharField(_("legal representative"), max_length=200)
    delegate = models.CharField(_("delegate"), max_length=200)
    delegate_email = models.EmailField(_("delegate's e-mail"))
    alternate = models.CharField(_("alternate"), max_length=200, blank=True)
    alternate_email = models.EmailField(_("alternate's e-mail"), blank=True)
    contact_email = models.EmailField(_("contact e-mail"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    decision_reason = models.TextField(_("reason"), max_length=2000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        ordering = ["item", "created_at"]
        verbose_name = _("empty-seat application")
        verbose_name_plural = _("empty-seat applications")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rechazada") | ~Q(decision_reason=""),
                name="empty_seat_rejection_has_reason",
            ),
            # One live application per organisation (by its registration) and item.
            models.UniqueConstraint(
                fields=["item", "legal_registration"],
                condition=Q(status__in=["recibida", "acreditada"]),
                name="empty_seat_once_per_organisation",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} · {self.item}"


class EmptySeatDocument(models.Model):
    """A supporting document (PDF) of an application: kept in private storage, never
    served from a public URL."""

    application = models.ForeignKey(
        EmptySeatApplication,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("application"),
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to="silla-vacia/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["application", "pk"]
        verbose_name = _("supporting document")
        verbose_name_plural = _("supporting documents")

    def __str__(self):
        return self.original_name
