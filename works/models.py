"""Public works (obras): what the city builds, where, with whose money, and how it goes.

A work's status and progress are its latest dated update's (`WorkUpdate`): they change only
through `works.services`, which append an update and copy its figures to the work, so the
history is never overwritten. Residents' on-the-ground observations (veeduría ciudadana)
are comments of the work's discussion thread, moderated with the discussion engine.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from quitodecide.storage import private_storage

from .status import WorkStatus

CODE_PATTERN = r"^[A-Z0-9][A-Z0-9-]{2,29}$"
PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class WorkSource(models.TextChoices):
    BUDGET = "presupuesto_participativo", _("Participatory budget")
    MUNICIPAL = "municipal", _("Municipal")


def _percent_field(label):
    return models.DecimalField(
        label, max_digits=5, decimal_places=2, default=Decimal("0"), validators=PERCENT
    )


def _money_field(label, **kwargs):
    return models.DecimalField(
        label,
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        **kwargs,
    )


class Work(ClusterableModel):
    Status = WorkStatus
    Source = WorkSource

    code = models.CharField(
        _("public code"),
        max_length=30,
        unique=True,
        validators=[
            RegexValidator(
                CODE_PATTERN,
                _("Use capital letters, digits and hyphens (3 to 30), e.g. OB-2026-00012."),
            )
        ],
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    zone = models.ForeignKey(
        "territory.Zone", on_delete=models.PROTECT, related_name="works", verbose_name=_("zone")
    )
    # Empty only for a zone that holds no whole parish (La Mariscal covers a sector of
    # Mariscal Sucre): the services require a parish of the zone wherever it has any.
    parish = models.ForeignKey(
        "territory.Parish",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="works",
        verbose_name=_("parish"),
    )
    barrio_name = models.CharField(_("barrio"), max_length=150, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    year = models.PositiveSmallIntegerField(
        _("year"),
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=_("The budget year the work belongs to."),
    )
    source = models.CharField(
        _("source"), max_length=30, choices=WorkSource.choices, default=WorkSource.MUNICIPAL
    )
    cycle = models.ForeignKey(
        "budgets.BudgetCyclePage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="works",
        verbose_name=_("budget cycle"),
    )
    request = models.OneToOneField(
        "proposals.Request",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work",
        verbose_name=_("originating request"),
    )
    responsible_unit = models.CharField(_("responsible unit"), max_length=200, blank=True)
    contractor_name = models.CharField(_("contractor"), max_length=200, blank=True)
    contractor_ruc = models.CharField(_("contractor's RUC"), max_length=13, blank=True)
    contract_number = models.CharField(_("contract number"), max_length=80, blank=True)
    amount_assigned = _money_field(_("assigned amount (USD)"), default=Decimal("0"))
    amount_contracted = _money_field(_("contracted amount (USD)"), null=True, blank=True)
    amount_executed = _money_field(_("executed amount (USD)"), default=Decimal("0"))
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    # The latest update's figures (kept by works.services; never edited by hand).
    status = models.CharField(
        _("status"), max_length=20, choices=WorkStatus.choices, default=WorkStatus.PLANNED
    )
    physical_progress = _percent_field(_("physical progress (%)"))
    financial_progress = _percent_field(_("financial progress (%)"))
    last_update_on = models.DateField(_("last update"), null=True, blank=True)
    thread = models.OneToOneField(
        "discussions.Thread",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("thread"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("work")
        verbose_name_plural = _("works")
        ordering = ["-year", "code"]
        indexes = [
            models.Index(fields=["zone", "status"], name="work_zone_status"),
            models.Index(fields=["year", "status"], name="work_year_status"),
            models.Index(fields=["parish"], name="work_parish"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=WorkStatus.values), name="work_status_known"
            ),
            models.CheckConstraint(
                condition=Q(source__in=WorkSource.values), name="work_source_known"
            ),
            models.CheckConstraint(
                condition=Q(physical_progress__gte=0, physical_progress__lte=100)
                & Q(financial_progress__gte=0, financial_progress__lte=100),
                name="work_progress_is_percent",
            ),
            models.CheckConstraint(
                condition=Q(amount_assigned__gte=0, amount_executed__gte=0)
                & (Q(amount_contracted__isnull=True) | Q(amount_contracted__gte=0)),
                name="work_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="work_location_complete_and_valid",
            ),
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True)
                | Q(planned_end__isnull=True)
                | Q(planned_end__gte=models.F("planned_start")),
                name="work_planned_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(actual_start__isnull=True)
                | Q(actual_end__isnull=True)
                | Q(actual_end__gte=models.F("actual_start")),
                name="work_actual_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(source="municipal", request__isnull=True)
                | Q(source="presupuesto_participativo", cycle__isnull=False),
                name="work_source_matches_origin",
            ),
        ]

    def __str__(self):
        return f"{self.code} · {self.title}"

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def is_final(self) -> bool:
        from .status import FINAL

        return self.status in FINAL


def photo_upload_to(instance, filename):
    """A random name: an uploader's file name never reaches the public URL."""
    return f"obras/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}.jpg"


class WorkUpdate(models.Model):
    """A dated report on a work: its status and progress on that date, and what happened.
    Never edited: a correction is a later update that says so."""

    class Origin(models.TextChoices):
        STAFF = "staff", _("Staff")
        IMPORT = "import", _("Monthly matrix")
        RESULTS = "results", _("Budget results")

    work = models.ForeignKey(
        Work, on_delete=models.CASCADE, related_name="updates", verbose_name=_("work")
    )
    date = models.DateField(_("date"))
    text = models.TextField(_("what happened"), blank=True, max_length=3000)
    from_status = models.CharField(
        _("previous status"), max_length=20, choices=WorkStatus.choices, blank=True
    )
    status = models.CharField(_("status"), max_length=20, choices=WorkStatus.choices)
    physical_progress = _percent_field(_("physical progress (%)"))
    financial_progress = _percent_field(_("financial progress (%)"))
    amount_executed = _money_field(_("executed amount (USD)"), null=True, blank=True)
    origin = models.CharField(
        _("origin"), max_length=10, choices=Origin.choices, default=Origin.STAFF
    )
    batch = models.ForeignKey(
        "works.ImportBatch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="updates",
        verbose_name=_("import"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("work update")
        verbose_name_plural = _("work updates")
        ordering = ["date", "pk"]
        indexes = [models.Index(fields=["work", "date"], name="work_update_work_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(physical_progress__gte=0, physical_progress__lte=100)
                & Q(financial_progress__gte=0, financial_progress__lte=100),
                name="work_update_progress_is_percent",
            ),
        ]

    def __str__(self):
        return f"{self.work_id} · {self.date} · {self.status}"


class WorkPhoto(models.Model):
    """A photo of an update, re-encoded on upload like requests' photos."""

    update = models.ForeignKey(
        WorkUpdate, on_delete=models.CASCADE, related_name="photos", verbose_name=_("update")
    )
    image = models.ImageField(
        _("photo"), upload_to=photo_upload_to, width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(default=0, verbose_name=_("width"))
    height = models.PositiveIntegerField(default=0, verbose_name=_("height"))
    alt_text = models.CharField(_("description of the photo"), max_length=250)

    class Meta:
        verbose_name = _("work photo")
        verbose_name_plural = _("work photos")
        ordering = ["pk"]

    def __str__(self):
        return self.alt_text


class CommitteeMember(models.Model):
    """A member of the work's follow-up committee (comité de seguimiento), elected at the
    parish assembly. The public sees the display name only with the member's consent, and
    never the contact details."""

    class Role(models.TextChoices):
        CHAIR = "presidencia", _("Chair")
        SECRETARY = "secretaria", _("Secretary")
        MEMBER = "vocal", _("Member")

    work = ParentalKey(
        Work, on_delete=models.CASCADE, related_name="committee", verbose_name=_("work")
    )
    display_name = models.CharField(_("display name"), max_length=120)
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    consents_to_publish_name = models.BooleanField(
        _("agrees to show the name in public"), default=False
    )
    phone = models.CharField(_("phone (staff only)"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail (staff only)"), blank=True)

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["role", "pk"]

    def __str__(self):
        return self.display_name


class WorkDocument(models.Model):
    """A public document of the work (contract, acta de entrega, report)."""

    work = ParentalKey(
        Work, on_delete=models.CASCADE, related_name="documents", verbose_name=_("work")
    )
    document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("document"),
    )
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        verbose_name = _("work document")
        verbose_name_plural = _("work documents")
        ordering = ["pk"]

    def __str__(self):
        return self.title


class Follow(models.Model):
    """Someone who wants to hear when the work's status changes."""

    work = models.ForeignKey(
        Work, on_delete=models.CASCADE, related_name="follows", verbose_name=_("work")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [
            models.UniqueConstraint(fields=["work", "user"], name="work_follow_once"),
        ]

    def __str__(self):
        return f"{self.user_id} → {self.work_id}"


class Assessment(models.TextChoices):
    PROGRESSING = "avanza", _("Progressing")
    STOPPED = "detenida", _("Stopped")
    FINISHED = "terminada", pgettext_lazy("residents' assessment of a work", "Finished")
    PROBLEMS = "con_problemas", _("Has problems")


def observation_upload_to(instance, filename):
    return f"obras/veeduria/{uuid.uuid4().hex}.jpg"


class Observation(models.Model):
    """A verified resident's dated report from the ground ("¿Cómo va esta obra?"). Its text
    is a comment of the work's thread, so flags and moderation are the discussion engine's;
    an observation counts only while its comment is visible."""

    work = models.ForeignKey(
        Work, on_delete=models.CASCADE, related_name="observations", verbose_name=_("work")
    )
    comment = models.OneToOneField(
        "discussions.Comment",
        on_delete=models.CASCADE,
        related_name="work_observation",
        verbose_name=_("comment"),
    )
    assessment = models.CharField(_("how is it going?"), max_length=15, choices=Assessment.choices)
    photo = models.ImageField(
        _("photo"),
        upload_to=observation_upload_to,
        width_field="photo_width",
        height_field="photo_height",
        blank=True,
    )
    photo_width = models.PositiveIntegerField(default=0, verbose_name=_("photo width"))
    photo_height = models.PositiveIntegerField(default=0, verbose_name=_("photo height"))
    photo_alt = models.CharField(_("description of the photo"), max_length=250, blank=True)
    created_at = models.DateTimeField(
        auto_now_add=True, db_index=True, verbose_name=_("created at")
    )

    class Meta:
        verbose_name = _("residents' observation")
        verbose_name_plural = _("residents' observations")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["work", "created_at"], name="observation_work_time")]
        constraints = [
            models.CheckConstraint(
                condition=Q(assessment__in=Assessment.values), name="observation_assessment_known"
            ),
        ]

    def __str__(self):
        return f"{self.work_id} · {self.assessment}"


def import_upload_to(instance, filename):
    return f"privado/matrices/{uuid.uuid4().hex}"


class ImportBatch(models.Model):
    """One upload of the monthly update matrix: validated in full before anything is
    written, applied atomically on confirmation. The file lives outside MEDIA_URL's public
    tree only by name; it is deleted once the batch is applied or discarded."""

    class State(models.TextChoices):
        PENDING = "pendiente", _("Waiting to be validated")
        VALIDATING = "validando", _("Validating")
        INVALID = "con_errores", _("Has errors")
        VALID = "valido", _("Ready to apply")
        APPLYING = "aplicando", _("Applying")
        APPLIED = "aplicado", _("Applied")
        FAILED = "fallido", _("Failed")
        DISCARDED = "descartado", _("Discarded")

    zone = models.ForeignKey(
        "territory.Zone",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("zone"),
        help_text=_("The uploader's zone; empty for the city-wide team."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    file = models.FileField(
        _("file"), upload_to=import_upload_to, storage=private_storage, blank=True
    )
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True, verbose_name=_("SHA-256 checksum"))
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.PENDING
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("matrix import")
        verbose_name_plural = _("matrix imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.file_name

    @property
    def percent_done(self) -> int:
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.rows_done / self.rows_total))
