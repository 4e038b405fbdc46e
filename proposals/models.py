"""Residents' participatory-budget requests, their supports, pre-feasibility verdicts and
status history. Written only through `proposals.services`."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestKind(models.TextChoices):
    PUBLIC_WORKS = "public_works", _("Public works")
    SOCIAL_PROJECT = "social_project", _("Social project")


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    VIABLE = "viable", _("Viable")
    NOT_VIABLE = "not_viable", _("Not viable")
    PRIORITISED = "prioritised", _("Prioritised")
    NOT_SELECTED = "not_selected", _("Not selected")


class Request(models.Model):
    """A request (ficha) for a public work or social project in a cycle."""

    Kind = RequestKind
    Status = RequestStatus

    cycle = models.ForeignKey(
        "budgets.BudgetCyclePage",
        on_delete=models.PROTECT,
        related_name="requests",
        verbose_name=_("cycle"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="budget_requests",
        verbose_name=_("author"),
    )
    kind = models.CharField(_("type"), max_length=20, choices=RequestKind.choices)
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"))
    parish = models.ForeignKey(
        "territory.Parish", on_delete=models.PROTECT, related_name="+", verbose_name=_("parish")
    )
    barrio = models.ForeignKey(
        "territory.Barrio",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("barrio (from the list)"),
    )
    barrio_name = models.CharField(_("barrio"), max_length=150)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    estimated_cost = models.DecimalField(_("estimated cost (USD)"), max_digits=12, decimal_places=2)
    organisation = models.CharField(_("organisation"), max_length=150, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED
    )
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Residents discuss a request through the shared discussion engine.
    thread = models.OneToOneField(
        "discussions.Thread",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("thread"),
    )

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["cycle", "status"], name="request_cycle_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(estimated_cost__gt=0), name="request_cost_positive"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(latitude__isnull=True, longitude__isnull=True)
                    | models.Q(
                        latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180
                    )
                ),
                name="request_location_complete_and_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[choice.value for choice in RequestStatus]),
                name="request_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=[choice.value for choice in RequestKind]),
                name="request_kind_known",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def reference(self) -> str:
        return self.reference_for(self.pk)

    @staticmethod
    def reference_for(pk: int) -> str:
        """The public reference of request `pk` (for rows read without the model)."""
        return f"PP-{pk:05d}"

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


IMAGE_EXTENSIONS = {".jpg", ".png", ".webp"}


def image_upload_to(instance, filename):
    """A random name (uuid4 hex) with the stored format's extension: the resident's own file
    name (often a person's name, a date or a place) is never kept, and names are not
    guessable."""
    extension = PurePath(filename).suffix.lower()
    if extension not in IMAGE_EXTENSIONS:
        extension = ".jpg"
    return f"presupuestos/solicitudes/{instance.request_id}/{uuid.uuid4().hex}{extension}"


class RequestImage(models.Model):
    """A photo of the place or the problem. Re-encoded on upload (metadata such as GPS
    positions stripped, size bounded) by the service."""

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="images", verbose_name=_("request")
    )
    image = models.ImageField(
        _("image"), upload_to=image_upload_to, width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    alt_text = models.CharField(_("description of the image"), max_length=250)

    class Meta:
        verbose_name = _("request image")
        verbose_name_plural = _("request images")
        ordering = ["pk"]

    def __str__(self):
        return self.alt_text


class Support(models.Model):
    """A verified resident backs a request. One per resident per request."""

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="supports", verbose_name=_("request")
    )
    # NULL once the resident deleted their account: the support still counts.
    resident = models.ForeignKey(
        "accounts.Resident",
        on_delete=models.SET_NULL,
        null=True,
        related_name="budget_supports",
        verbose_name=_("resident"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "resident"], name="support_once_per_resident"
            ),
        ]

    def __str__(self):
        return f"{self.request_id} · {self.resident_id}"


class Verdict(models.Model):
    """Staff's pre-feasibility verdict on a request (the latest one; history below)."""

    request = models.OneToOneField(
        Request, on_delete=models.CASCADE, related_name="verdict", verbose_name=_("request")
    )
    viable = models.BooleanField(_("viable"))
    reason = models.TextField(_("reason"), blank=True)
    technical_cost = models.DecimalField(
        _("technical cost estimate (USD)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    notes = models.TextField(_("technical notes"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        verbose_name = _("pre-feasibility verdict")
        verbose_name_plural = _("pre-feasibility verdicts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(viable=True) | ~models.Q(reason=""),
                name="verdict_not_viable_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(viable=False) | models.Q(technical_cost__gt=0),
                name="verdict_viable_has_cost",
            ),
        ]

    def __str__(self):
        return f"{self.request_id}: {'viable' if self.viable else 'not viable'}"


class StatusChange(models.Model):
    """Every change of a request's status, with who made it and when."""

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="history", verbose_name=_("request")
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=Request.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=Request.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.request_id}: {self.from_status} -> {self.to_status}"
