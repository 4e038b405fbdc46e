"""The map of the actors of the Sistema Metropolitano de Participación Ciudadana
(mapeo de actores): barrio committees, cabildos, sports leagues, civil-society
organisations, academia and delegates to the Asamblea de Quito, per zonal administration.

Each actor is mapped by a source (the zonal administration, or a partner university) in a
year. Its contact details (a person's name, e-mail and phone) are personal data: staff of
its zone see them; the public directory shows them only while the actor consents to
publishing them (`contact_public`). Edited by zone staff through actors.services (rule
book: actors.manage), and imported from CSV/XLSX (actors.importer).
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Actor(models.Model):
    class Kind(models.TextChoices):
        BARRIO_COMMITTEE = "comite_barrial", _("Barrio committee")
        CABILDO = "cabildo", _("Cabildo")
        SPORTS_LEAGUE = "liga_deportiva", _("Sports league")
        CIVIL_SOCIETY = "sociedad_civil", _("Civil-society organisation")
        ACADEMIA = "academia", _("Academia")
        ASSEMBLY_DELEGATE = "delegado_asamblea", _("Delegate to the Asamblea de Quito")
        OTHER = "otro", _("Other")

    class LegalStatus(models.TextChoices):
        REGISTERED = "con_personeria", _("Legal personality granted")
        IN_PROGRESS = "en_tramite", _("Legal personality in progress")
        DE_FACTO = "de_hecho", _("De facto organisation (no legal personality)")
        NOT_APPLICABLE = "no_aplica", _("Not applicable (a person or an institution)")

    class Source(models.TextChoices):
        ZONAL = "administracion_zonal", _("Zonal administration")
        UNIVERSITY = "universidad", _("Partner university")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices)
    zone = models.ForeignKey(
        "territory.Zone", on_delete=models.PROTECT, related_name="actors", verbose_name=_("zone")
    )
    parish = models.ForeignKey(
        "territory.Parish",
        on_delete=models.PROTECT,
        related_name="actors",
        verbose_name=_("parish"),
    )
    barrio = models.CharField(_("barrio"), max_length=150, blank=True)
    legal_status = models.CharField(_("legal status"), max_length=20, choices=LegalStatus.choices)
    registration = models.CharField(
        _("legal registration"),
        max_length=100,
        blank=True,
        help_text=_("The agreement or registry number that granted legal personality."),
    )
    members = models.PositiveIntegerField(_("number of members"), null=True, blank=True)
    year_mapped = models.PositiveSmallIntegerField(_("year mapped"))
    source = models.CharField(_("source"), max_length=30, choices=Source.choices)
    source_name = models.CharField(
        _("source name"),
        max_length=200,
        blank=True,
        help_text=_("E.g. the partner university's name."),
    )
    description = models.TextField(_("description"), blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    # Personal data of the actor's contact person (not an account of the platform).
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_public = models.BooleanField(
        _("the actor consents to publishing the contact details"), default=False
    )
    contact_consent_at = models.DateTimeField(_("consent given on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        ordering = ["zone__name", "name"]
        verbose_name = _("social actor")
        verbose_name_plural = _("social actors")
        constraints = [
            # The import's natural key: one actor of a kind and name per parish.
            models.UniqueConstraint(
                "parish", "kind", Lower("name"), name="actor_unique_name_per_parish_and_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(year_mapped__gte=2000, year_mapped__lte=2100),
                name="actor_year_mapped_plausible",
            ),
        ]
        indexes = [models.Index(fields=["zone", "year_mapped"])]

    def __str__(self):
        return self.name


class ActorImport(models.Model):
    """One CSV/XLSX import of a zone's actors, with its row-by-row report."""

    zone = models.ForeignKey(
        "territory.Zone", on_delete=models.PROTECT, related_name="+", verbose_name=_("zone")
    )
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created = models.PositiveIntegerField(_("actors created"), default=0)
    updated = models.PositiveIntegerField(_("actors updated"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("imported by"),
    )

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("actor import")
        verbose_name_plural = _("actor imports")

    def __str__(self):
        return self.file_name
