"""Residents' data rights under Ecuador's LOPDP: the export of one's data and the deletion
of one's account (with its grace period)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from quitodecide.storage import private_storage


def export_upload_to(instance, filename):
    """A random name: the ZIP holds personal data and is only served by the owner's view."""
    return f"privado/exportaciones/{uuid.uuid4().hex}.zip"


class DataExport(models.Model):
    """One request to download everything the platform holds about a person, built as a
    background task (privacy.exports)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="data_exports",
        verbose_name=_("user"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("available until"), null=True, blank=True)
    file = models.FileField(
        _("file"), upload_to=export_upload_to, storage=private_storage, blank=True
    )
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.user_id} · {self.requested_at:%Y-%m-%d %H:%M}"


class AccountDeletion(models.Model):
    """A request to delete one's account. Confirmed by e-mail; carried out by the scheduled
    task once the grace period has passed, unless cancelled first."""

    class Status(models.TextChoices):
        AWAITING_CONFIRMATION = "awaiting", _("Awaiting confirmation by e-mail")
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="deletion_request",
        verbose_name=_("user"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.AWAITING_CONFIRMATION,
    )
    requested_at = models.DateTimeField(_("requested at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    due_at = models.DateTimeField(_("to be deleted on"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("account deletion")
        verbose_name_plural = _("account deletions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="scheduled", due_at__isnull=False)
                | ~models.Q(status="scheduled"),
                name="deletion_scheduled_has_due_date",
            ),
        ]

    def __str__(self):
        return f"{self.user_id} · {self.status}"


class DeletionRecord(models.Model):
    """What remains after an account is deleted: when, and how many contributions were
    anonymised. Nothing that points to the person (no id, no e-mail, no name)."""

    deleted_at = models.DateTimeField(_("deleted at"), auto_now_add=True)
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=20)  # "request" or "unconfirmed"
    anonymised = models.JSONField(_("contributions anonymised"), default=dict)

    class Meta:
        verbose_name = _("deleted account")
        verbose_name_plural = _("deleted accounts")
        ordering = ["-deleted_at"]

    def __str__(self):
        return f"{self.deleted_at:%Y-%m-%d} · {self.reason}"
