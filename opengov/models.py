"""Open-government action plans (Planes de Acción de Gobierno Abierto, PAGA) followed in public.

An action plan holds numbered commitments (each with the municipal unit responsible for it
and its civil-society or academic counterpart); a commitment holds ordered milestones, each
with its status as the latest compliance report gives it ("Cumplido", "Cumplido*" with the
note the asterisk points to, "Pendiente") and its verifiables (documents: a Wagtail document,
a link, or only a title when the document sits in the plan's repository).

A commitment's progress is computed, never stored: the share of its milestones fulfilled
(`opengov.progress`). Staff edit all of it in the Wagtail admin (opengov/wagtail_hooks.py)
through opengov.services, which ask the rule book and write the audit entry.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from .progress import FULFILLED, Progress
from .progress import of as progress_of

YEAR = [MinValueValidator(2000), MaxValueValidator(2100)]


class MilestoneStatus(models.TextChoices):
    # The report's three statuses. Values in English; labels are the report's words.
    FULFILLED = "fulfilled", _("Fulfilled")
    FULFILLED_WITH_NOTE = "fulfilled_with_note", _("Fulfilled*")
    PENDING = "pending", _("Pending")


# "Cumplido" and "Cumplido*" count as fulfilled (opengov.progress).
FULFILLED_STATUSES = FULFILLED


class ActionPlan(models.Model):
    slug = models.SlugField(
        _("slug"),
        max_length=60,
        unique=True,
        help_text=_("The plan's address: /gobierno-abierto/<slug>/ (e.g. paga-2)."),
    )
    number = models.PositiveSmallIntegerField(
        _("number"), help_text=_("Which action plan of the city it is (1 for the first).")
    )
    title = models.CharField(_("title"), max_length=200)
    start_year = models.PositiveSmallIntegerField(_("first year"), validators=YEAR)
    end_year = models.PositiveSmallIntegerField(_("last year"), validators=YEAR)
    summary = models.TextField(_("summary"), blank=True)
    approved_on = models.DateField(
        _("commitments approved on"),
        null=True,
        blank=True,
        help_text=_("When the open-government advisory council approved the commitments."),
    )
    launched_on = models.DateField(_("launched on"), null=True, blank=True)
    status_as_of = models.DateField(
        _("statuses as of"),
        null=True,
        blank=True,
        help_text=_("The date of the compliance report the statuses come from."),
    )
    status_source = models.CharField(
        _("source of the statuses"),
        max_length=300,
        blank=True,
        help_text=_("The compliance report (or other document) the statuses come from."),
    )
    documents_url = models.URLField(
        _("repository of the verifiables"),
        blank=True,
        help_text=_("Where the plan's verifiable documents can be read, when not linked here."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("open-government action plan")
        verbose_name_plural = _("open-government action plans")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")),
                name="opengov_plan_years_in_order",
            ),
            models.UniqueConstraint(fields=["number"], name="opengov_plan_number_unique"),
        ]

    def __str__(self):
        return f"{self.title} ({self.period})"

    @property
    def period(self) -> str:
        if self.start_year == self.end_year:
            return str(self.start_year)
        return f"{self.start_year}-{self.end_year}"

    def clean(self):
        super().clean()
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("The last year cannot be before the first.")})


class Commitment(ClusterableModel):
    plan = models.ForeignKey(
        ActionPlan,
        on_delete=models.PROTECT,  # a plan with commitments is a record: never erased with them
        related_name="commitments",
        verbose_name=_("action plan"),
    )
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(
        _("description"), blank=True, help_text=_("What the commitment promises, in full.")
    )
    responsible = models.CharField(
        _("responsible"), max_length=300, help_text=_("The municipal unit that carries it out.")
    )
    counterpart = models.CharField(
        _("counterpart"),
        max_length=300,
        blank=True,
        help_text=_("The civil-society organisation or university that follows it with the city."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"], name="opengov_commitment_number_unique"
            )
        ]

    def __str__(self):
        return _("Commitment %(number)s: %(title)s") % {"number": self.number, "title": self.title}

    def progress(self) -> Progress:
        """The share of milestones fulfilled (reads the milestones: prefetch them for lists)."""
        return progress_of([milestone.status for milestone in self.milestones.all()])


class Milestone(Orderable, ClusterableModel):
    commitment = ParentalKey(
        Commitment,
        on_delete=models.CASCADE,
        related_name="milestones",
        verbose_name=_("commitment"),
    )
    title = models.CharField(_("title"), max_length=500)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=MilestoneStatus.choices,
        default=MilestoneStatus.PENDING,
    )
    note = models.TextField(
        _("note"),
        blank=True,
        help_text=_(
            "Required for “Fulfilled*”: what the asterisk means (a change of dates, an added "
            "indicator...). For the other statuses, an optional remark."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta(Orderable.Meta):
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self):
        return self.title

    @property
    def is_fulfilled(self) -> bool:
        return self.status in FULFILLED_STATUSES

    def clean(self):
        super().clean()
        if self.status == MilestoneStatus.FULFILLED_WITH_NOTE and not self.note.strip():
            raise ValidationError(
                {"note": _("Say what the asterisk of “Fulfilled*” means for this milestone.")}
            )


class Verifiable(Orderable):
    """A means of verification of a milestone: a title, and a Wagtail document or a link
    (or neither, when the document is in the plan's repository)."""

    milestone = ParentalKey(
        Milestone,
        on_delete=models.CASCADE,
        related_name="verifiables",
        verbose_name=_("milestone"),
    )
    title = models.CharField(_("title"), max_length=300)
    document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("document"),
    )
    url = models.URLField(_("link"), max_length=500, blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("verifiable")
        verbose_name_plural = _("verifiables")

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.document_id and self.url:
            raise ValidationError({"url": _("Give a document or a link, not both.")})

    @property
    def link(self) -> str:
        """Where to read it: the document's address on this site, the link, or ""."""
        if self.document_id:
            return self.document.url
        return self.url
