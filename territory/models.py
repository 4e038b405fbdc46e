"""The territory of the Distrito Metropolitano de Quito and the zone pages that present it.

Zones, parishes and barrios are reference data loaded from `territory/data/` and edited in
the admin; the list of zones is data, never an enum (Chocó Andino appeared in 2024).
"""

from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import ModelLogEntry, Page
from wagtail.models.audit_log import ModelLogEntryManager
from wagtail.search import index

from home.blocks import BodyBlock


class Zone(models.Model):
    class Kind(models.TextChoices):
        ZONAL = "zonal", _("Zonal administration")
        SPECIAL = "especial", _("Special administration")

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    official_name = models.CharField(_("official name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ZONAL)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    since = models.DateField(_("established"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")

    def __str__(self):
        return self.name


class Parish(models.Model):
    class Type(models.TextChoices):
        URBAN = "urbana", _("Urban")
        RURAL = "rural", _("Rural")

    class Confidence(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        INFERRED = "inferred", _("Inferred")
        DISPUTED = "disputed", _("Disputed")

    dpa_code = models.CharField(
        _("DPA code"),
        max_length=6,
        unique=True,
        help_text=_("INEC's geographic code, e.g. 170103."),
    )
    name = models.CharField(_("name"), max_length=120)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices)
    zone = models.ForeignKey(
        Zone, on_delete=models.PROTECT, related_name="parishes", verbose_name=_("zone")
    )
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    confidence = models.CharField(
        _("confidence of the zone assignment"),
        max_length=10,
        choices=Confidence.choices,
        default=Confidence.CONFIRMED,
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("parish")
        verbose_name_plural = _("parishes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(dpa_code__regex=r"^17[0-9]{4}$"),
                name="parish_dpa_code_is_pichincha",
            ),
        ]

    def __str__(self):
        return self.name


class Barrio(models.Model):
    name = models.CharField(_("name"), max_length=150)
    parish = models.ForeignKey(
        Parish, on_delete=models.PROTECT, related_name="barrios", verbose_name=_("parish")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("barrio")
        verbose_name_plural = _("barrios")
        constraints = [
            models.UniqueConstraint(fields=["parish", "name"], name="barrio_unique_per_parish"),
        ]

    def __str__(self):
        return f"{self.name} ({self.parish.name})"


class ZoneIndexPage(Page):
    """`/zonas/`: every zonal administration."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["territory.ZonePage"]
    parent_page_types = ["home.HomePage"]
    max_count = 1

    class Meta:
        verbose_name = _("zone index page")
        verbose_name_plural = _("zone index pages")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["zone_pages"] = (
            ZonePage.objects.child_of(self).live().select_related("zone").order_by("zone__name")
        )
        return context


class ZonePage(Page):
    """The public page of one zonal administration; its subtree is that zone's staff's."""

    zone = models.OneToOneField(
        Zone, on_delete=models.PROTECT, related_name="page", verbose_name=_("zone")
    )
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("image"),
    )
    image_alt = models.CharField(_("image alternative text"), max_length=250, blank=True)
    seat_address = models.CharField(_("seat address"), max_length=250, blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=120, blank=True)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = [
        *Page.content_panels,
        HelpPanel(
            content=_(
                "The zone itself (name, parishes, map point) is edited under "
                "Territory in the admin menu."
            )
        ),
        FieldPanel("zone", permission="territory.change_zone"),
        FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("image"), FieldPanel("image_alt")], heading=_("Image")),
        MultiFieldPanel(
            [
                FieldPanel("seat_address"),
                FieldPanel("phone"),
                FieldPanel("email"),
                FieldPanel("opening_hours"),
            ],
            heading=_("Contact and seat"),
        ),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["territory.ZoneIndexPage"]
    subpage_types = [
        "territory.NewsPage",
        "consultations.ConsultationPage",
        "budgets.ZoneBudgetsPage",
        "assemblies.AssemblyPage",
        "home.StandardPage",
    ]

    class Meta:
        verbose_name = _("zone page")
        verbose_name_plural = _("zone pages")

    def clean(self):
        super().clean()
        from django.core.exceptions import ValidationError

        if self.image_id and not self.image_alt:
            raise ValidationError(
                {"image_alt": _("Describe the image for people who cannot see it.")}
            )

    @cached_property
    def parishes_by_type(self):
        parishes = list(self.zone.parishes.order_by("name"))
        return {
            "urban": [p for p in parishes if p.type == Parish.Type.URBAN],
            "rural": [p for p in parishes if p.type == Parish.Type.RURAL],
        }

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        from .selectors import zone_sections

        context["news"] = NewsPage.objects.child_of(self).live().order_by("-date", "-pk")[:5]
        context["sections"] = zone_sections(self, request)
        return context


class NewsPage(Page):
    """A news item of a zone, built from the shared block library."""

    date = models.DateField(_("date"))
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["territory.ZonePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news")


class ZoneScopedLogEntryManager(ModelLogEntryManager):
    def viewable_by_user(self, user):
        """Wagtail's rule (model permissions), narrowed by the admin's zone scopes.

        Entries about a zone-scoped model (comments, observations, residents...) are read
        through its viewset's scope: zone staff see those of their zones, the city-wide
        team and superusers all. Entries about any other model follow Wagtail's rule,
        except for zone staff, who see none of them: their zone is not known here, and a
        model permission granted to a zone's group must not open every zone's log."""
        from django.contrib.contenttypes.models import ContentType
        from django.db.models import CharField, Q
        from django.db.models.functions import Cast

        from .admin_scope import zone_scopes
        from .permissions import staff_zones

        scopes = zone_scopes()
        content_types = ContentType.objects.get_for_models(*scopes, for_concrete_models=False)
        scoped = Q(content_type__in=content_types.values())
        zones = staff_zones(user)
        if zones is None:
            return super().viewable_by_user(user) | self.filter(scoped)
        readable = self.filter(pk__in=[])
        for model, scope in scopes.items():
            ids = scope(user).annotate(_log_id=Cast("pk", CharField())).values("_log_id")
            readable |= self.filter(content_type=content_types[model], object_id__in=ids)
        if not zones:  # no zone's staff: Wagtail's rule for the other models
            readable |= super().viewable_by_user(user).exclude(scoped)
        return readable


class ZoneScopedLogEntry(ModelLogEntry):
    """Wagtail's log of non-page objects (same table), read through the zone scopes; it
    replaces ModelLogEntry in the log registry (territory/wagtail_hooks.py), so the site
    history and its filters (users, types, actions) only offer what the reader may see."""

    objects = ZoneScopedLogEntryManager()

    class Meta:
        proxy = True
        verbose_name = _("model log entry")
        verbose_name_plural = _("model log entries")
