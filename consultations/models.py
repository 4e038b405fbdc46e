"""Normative consultations: a draft ordinance in versions, its provisions, in-person
sessions, and the consultation page that presents them."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from discussions.models import Thread
from home.blocks import DocumentBlock

from .forms_admin import ConsultationPageForm


class ConsultationIndexPage(Page):
    """`/consultas/`: every consultation across zones, and the home of city-wide ones."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["consultations.ConsultationPage"]
    max_count = 1

    class Meta:
        verbose_name = _("consultation index page")
        verbose_name_plural = _("consultation index pages")

    def get_context(self, request, *args, **kwargs):
        from .selectors import consultation_list

        context = super().get_context(request, *args, **kwargs)
        context.update(consultation_list(request.GET))
        return context


class Status(models.TextChoices):
    UPCOMING = "proxima", _("Upcoming")
    OPEN = "abierta", _("Open")
    CLOSED = "cerrada", _("Closed")
    REPORTED = "informe", _("Report published")


class ConsultationPage(RoutablePageMixin, Page):
    summary = models.TextField(_("summary"), max_length=1000)
    responsible_body = models.CharField(
        _("responsible body"), max_length=200, help_text=_("E.g. Comisión de Uso de Suelo.")
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    requires_verified_residency = models.BooleanField(
        _("only verified residents may comment"), default=False
    )
    draft_text = models.TextField(
        _("draft ordinance"),
        help_text=_(
            "Paste the ordinance as plain text or Markdown: one “Artículo 1.-” or “Art. 1.-” "
            "per line, headings (TÍTULO, CAPÍTULO, SECCIÓN) and DISPOSICIONES GENERALES / "
            "TRANSITORIAS / DEROGATORIAS / FINAL. Publishing a changed text creates a new "
            "version; use Preview to check the result first."
        ),
    )
    documents = StreamField(
        [("document", DocumentBlock())], blank=True, verbose_name=_("attached documents")
    )
    report_published = models.BooleanField(_("report published"), default=False)
    report_conclusions = RichTextField(
        _("conclusions"), blank=True, features=["bold", "italic", "link", "ol", "ul"]
    )
    # Staff corrections of the proposed article matching for the draft not yet published:
    # {"draft_sha": <sha256 of draft_text>, "pairs": {new_key: old_key or ""}}. Ignored
    # once the draft text changes (consultations.matching).
    article_matching = models.JSONField(
        _("article matching corrections"), default=dict, blank=True, editable=False
    )
    general_thread = models.OneToOneField(
        Thread,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("general thread"),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("responsible_body"),
        MultiFieldPanel(
            [
                FieldPanel("opens_at"),
                FieldPanel("closes_at"),
                FieldPanel("requires_verified_residency"),
            ],
            heading=_("Participation"),
        ),
        FieldPanel("draft_text"),
        FieldPanel("draft_upload"),
        FieldPanel("documents"),
        InlinePanel("sessions", heading=_("In-person sessions"), label=_("session")),
        MultiFieldPanel(
            [FieldPanel("report_conclusions"), FieldPanel("report_published")],
            heading=_("Participation report"),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("draft_text"),
        index.FilterField("closes_at"),
    ]
    parent_page_types = ["consultations.ConsultationIndexPage", "territory.ZonePage"]
    subpage_types: list[str] = []
    base_form_class = ConsultationPageForm

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")

    def clean(self):
        from django.core.exceptions import ValidationError

        from .parser import ParseError, parse_ordinance

        super().clean()
        errors = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("The consultation must close after it opens.")
        try:
            parse_ordinance(self.draft_text or "")
        except ParseError as error:
            errors["draft_text"] = error.messages
        if errors:
            raise ValidationError(errors)

    def with_content_json(self, content):
        """A revision brings back what the editor edits; the fields written by services
        (the staff's matching corrections, the general thread) stay as stored, so
        publishing an older or concurrent revision cannot roll them back."""
        obj = super().with_content_json(content)
        obj.article_matching = self.article_matching
        obj.general_thread_id = self.general_thread_id
        return obj

    @property
    def zone_page(self):
        from territory.selectors import zone_page_of

        return zone_page_of(self)

    @property
    def zone(self):
        """The zone whose staff run this consultation; None for a city-wide one."""
        from territory.selectors import zone_of

        return zone_of(self)

    def status_at(self, now=None) -> str:
        now = now or timezone.now()
        if self.report_published and now >= self.closes_at:
            return Status.REPORTED
        if now < self.opens_at:
            return Status.UPCOMING
        if now < self.closes_at:
            return Status.OPEN
        return Status.CLOSED

    @property
    def status(self) -> str:
        return self.status_at()

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def is_open(self) -> bool:
        return self.status == Status.OPEN

    def get_context(self, request, *args, **kwargs):
        from . import views

        context = super().get_context(request, *args, **kwargs)
        context.update(views.consultation_context(self, request))
        return context

    # Sub-pages. Thin: each delegates to consultations.views.
    @path("articulo/<slug:key>/")
    def provision_thread(self, request, key):
        from . import views

        return views.provision_thread(request, self, key)

    @path("general/")
    def general_discussion(self, request):
        from . import views

        return views.general_thread(request, self)

    @path("version/<int:number>/")
    def version_detail(self, request, number):
        from . import views

        return views.version_detail(request, self, number)

    @path("cambios/")
    def version_diff(self, request):
        from . import views

        return views.version_diff(request, self)

    @path("comentar/")
    def comment_post(self, request):
        from . import views

        return views.comment_post(request, self)

    @path("comentario/<int:comment_id>/<slug:action>/")
    def comment_action(self, request, comment_id, action):
        from . import views

        return views.comment_action(request, self, comment_id, action)

    @path("informe/")
    def report(self, request):
        from . import report

        return report.report(request, self)

    @re_path(r"^informe/(?P<fmt>csv|json)/$")
    def report_download(self, request, fmt):
        from . import report

        return report.report_download(request, self, fmt)

    @path("texto-sancionado/")
    def enacted_text(self, request):
        from . import enacted

        return enacted.enacted_view(request, self)


class DraftVersion(models.Model):
    consultation = models.ForeignKey(
        ConsultationPage,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("consultation"),
    )
    number = models.PositiveIntegerField(_("version"))
    source_text = models.TextField(_("text"))
    preamble = models.TextField(_("preamble"), blank=True)
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    # The sanctioned ordinance, attached after the council enacted it: the final version.
    is_enacted = models.BooleanField(_("enacted text"), default=False)
    enacted_on = models.DateField(_("sanctioned on"), null=True, blank=True)
    ordinance_number = models.CharField(
        _("ordinance number"), max_length=60, blank=True, help_text=_("E.g. PMU-045-2026.")
    )
    enacted_document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("official document"),
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("draft version")
        verbose_name_plural = _("draft versions")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "number"], name="draft_version_number_unique"
            ),
            models.UniqueConstraint(
                fields=["consultation"],
                condition=Q(is_enacted=True),
                name="draft_version_one_enacted",
            ),
            models.CheckConstraint(
                condition=Q(is_enacted=False) | Q(enacted_on__isnull=False),
                name="draft_version_enacted_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.consultation.title} v{self.number}"


class Provision(models.Model):
    class Kind(models.TextChoices):
        HEADING = "heading", _("Heading")
        ARTICLE = "article", _("Article")
        DISPOSITION = "disposition", _("Provision")

    version = models.ForeignKey(
        DraftVersion, on_delete=models.CASCADE, related_name="provisions", verbose_name=_("version")
    )
    position = models.PositiveIntegerField(verbose_name=_("position"))
    kind = models.CharField(max_length=12, choices=Kind.choices, verbose_name=_("kind"))
    key = models.CharField(max_length=60, verbose_name=_("key"))
    label = models.CharField(max_length=120, verbose_name=_("label"))
    heading = models.CharField(max_length=300, blank=True, verbose_name=_("heading"))
    body = models.TextField(blank=True, verbose_name=_("text"))
    level = models.PositiveSmallIntegerField(default=0, verbose_name=_("level"))
    # The article's identity: a provision matched to one of the previous version (by
    # content, consultations.matching) shares its thread, so comments follow the article.
    thread = models.ForeignKey(
        Thread,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="provisions",
        verbose_name=_("thread"),
    )

    class Meta:
        verbose_name = _("provision")
        verbose_name_plural = _("provisions")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="provision_key_per_version"),
            models.UniqueConstraint(
                fields=["version", "position"], name="provision_position_per_version"
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def is_commentable(self) -> bool:
        return self.kind != self.Kind.HEADING


class InPersonSession(Orderable):
    """A socialisation session held in person; its observations are counted apart."""

    consultation = ParentalKey(
        ConsultationPage,
        on_delete=models.CASCADE,
        related_name="sessions",
        verbose_name=_("consultation"),
    )
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    parish = models.ForeignKey(
        "territory.Parish",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("parish"),
    )
    attendees = models.PositiveIntegerField(_("number of attendees"))

    panels = [
        FieldPanel("held_on"),
        FieldPanel("place"),
        FieldPanel("parish"),
        FieldPanel("attendees"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("in-person session")
        verbose_name_plural = _("in-person sessions")

    def __str__(self):
        return f"{self.place} ({self.held_on:%d/%m/%Y})"


class SessionObservation(models.Model):
    session = models.ForeignKey(
        InPersonSession,
        on_delete=models.CASCADE,
        related_name="observations",
        verbose_name=_("session"),
    )
    provision_key = models.CharField(
        _("article"),
        max_length=60,
        blank=True,
        help_text=_("Empty for observations on the ordinance as a whole."),
    )
    stance = models.CharField(
        _("stance"),
        max_length=10,
        blank=True,
        choices=[("favor", _("In favour")), ("contra", _("Against")), ("neutral", _("Neutral"))],
    )
    text = models.TextField(_("observation"), max_length=3000)
    # The article's identity (its thread, shared by the versions matched to it) and the
    # version the observation was about: it follows the article through renumbering.
    thread = models.ForeignKey(
        Thread,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("article thread"),
    )
    revision = models.PositiveIntegerField(_("version discussed"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["session", "pk"]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")

    def __str__(self):
        return self.text[:60]


class Disposition(models.Model):
    """What became of one contribution (a comment, with or without proposed wording, or an
    in-person observation) once the consultation closed: given by its zone's staff."""

    class Outcome(models.TextChoices):
        ACCEPTED = "acogida", _("Taken up")
        PARTIAL = "parcial", _("Partly taken up")
        REJECTED = "no_acogida", _("Not taken up")
        OUT_OF_SCOPE = "fuera_ambito", _("Outside the scope")

    consultation = models.ForeignKey(
        ConsultationPage,
        on_delete=models.CASCADE,
        related_name="dispositions",
        verbose_name=_("consultation"),
    )
    comment = models.OneToOneField(
        "discussions.Comment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="disposition",
        verbose_name=_("comment"),
    )
    observation = models.OneToOneField(
        SessionObservation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="disposition",
        verbose_name=_("observation"),
    )
    outcome = models.CharField(_("disposition"), max_length=14, choices=Outcome.choices)
    reason = models.TextField(
        _("reason"), max_length=2000, blank=True, help_text=_("Required unless taken up.")
    )
    decided_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    notified_at = models.DateTimeField(_("author notified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("disposition")
        verbose_name_plural = _("dispositions")
        ordering = ["consultation", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(comment__isnull=False) & Q(observation__isnull=True))
                | (Q(comment__isnull=True) & Q(observation__isnull=False)),
                name="disposition_one_contribution",
            ),
            models.CheckConstraint(
                condition=Q(outcome="acogida") | ~Q(reason=""),
                name="disposition_reason_unless_taken_up",
            ),
        ]

    def __str__(self):
        return self.get_outcome_display()

    @property
    def is_taken_up(self) -> bool:
        return self.outcome in {self.Outcome.ACCEPTED, self.Outcome.PARTIAL}
