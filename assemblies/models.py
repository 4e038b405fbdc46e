"""Assemblies: Wagtail pages present them, plain models carry what happens live.

`AssemblyPage` is the editorial face (type, date, place, stream, agenda, minutes). What
changes during the assembly (status, current agenda item, announcements, votes, questions)
lives in plain models written by `services.py`, never in page revisions: publishing an old
revision must not turn a finished assembly back into a scheduled one.
Every live change is also an `AssemblyEvent` with a gapless per-assembly sequence number.
"""

import re
from urllib.parse import parse_qs, urlparse

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, HelpPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

QUESTION_MAX_LENGTH = 500
ANNOUNCEMENT_MAX_LENGTH = 1000


class AssemblyIndexPage(Page):
    """`/asambleas/`: the assemblies of every zone: live now, upcoming and past."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types: list[str] = []
    max_count = 1

    class Meta:
        verbose_name = _("assembly index page")
        verbose_name_plural = _("assembly index pages")

    def get_context(self, request, *args, **kwargs):
        from .forms import IndexFilterForm
        from .selectors import assembly_index

        context = super().get_context(request, *args, **kwargs)
        context.update(assembly_index(**IndexFilterForm(request.GET).filters()))
        return context


class AssemblyKind(models.TextChoices):
    BARRIAL = "barrial", _("Barrio assembly")
    PARROQUIAL = "parroquial", _("Parish assembly")
    ZONAL = "zonal", _("Zonal assembly")
    QUITO = "quito", _("Asamblea de Quito")


class AssemblyStatus(models.TextChoices):
    SCHEDULED = "programada", _("Scheduled")
    LIVE = "en_curso", _("In progress")
    FINISHED = "finalizada", _("Finished")


_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")


class AssemblyPage(RoutablePageMixin, Page):
    """One assembly. Lives under its zone's page, so the zone's staff edit it."""

    kind = models.CharField(_("type"), max_length=12, choices=AssemblyKind.choices)
    starts_at = models.DateTimeField(_("date and time"), help_text=_("Time in Quito."))
    place = models.CharField(_("place"), max_length=250)
    parish = models.ForeignKey(
        "territory.Parish",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("parish"),
    )
    barrio = models.ForeignKey(
        "territory.Barrio",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("barrio"),
    )
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    stream_url = models.URLField(
        _("stream link"),
        blank=True,
        help_text=_("YouTube, Facebook or webinar link. YouTube and Facebook are embedded."),
    )
    minutes_text = RichTextField(
        _("minutes"), blank=True, features=["bold", "italic", "h2", "h3", "ol", "ul", "link"]
    )
    minutes_document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("minutes (PDF)"),
    )
    attendees = models.PositiveIntegerField(
        _("people who attended"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100_000)],
        help_text=_(
            "From the attendance sheet, after the assembly. Empty: the indicators estimate it "
            "from online participants and the largest room count."
        ),
    )

    content_panels = [
        *Page.content_panels,
        HelpPanel(
            content=_(
                "Start, agenda, announcements, votes and questions are run from the assembly's "
                "control panel (the page's address followed by control/), not from here."
            )
        ),
        MultiFieldPanel(
            [
                FieldPanel("kind"),
                FieldPanel("starts_at"),
                FieldPanel("place"),
                FieldPanel("parish"),
                FieldPanel("barrio"),
            ],
            heading=_("When and where"),
        ),
        FieldPanel("summary"),
        FieldPanel("stream_url"),
        InlinePanel("agenda_items", heading=_("Agenda"), label=_("Agenda item")),
        MultiFieldPanel(
            [
                FieldPanel("minutes_text"),
                FieldPanel("minutes_document"),
                FieldPanel("attendees"),
            ],
            heading=_("Minutes (after the assembly)"),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("place"),
        index.SearchField("minutes_text"),
    ]
    parent_page_types = ["territory.ZonePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("assembly")
        verbose_name_plural = _("assemblies")

    def clean(self):
        super().clean()
        errors = {}
        if self.barrio_id and self.parish_id and self.barrio.parish_id != self.parish_id:
            errors["barrio"] = _("This barrio is not in the chosen parish.")
        if self.minutes_document_id and not self.minutes_document.filename.lower().endswith(".pdf"):
            errors["minutes_document"] = _("The minutes must be a PDF document.")
        if errors:
            raise ValidationError(errors)

    @property
    def zone_page(self):
        from territory.selectors import zone_page_of

        return zone_page_of(self)

    @property
    def zone(self):
        from territory.selectors import zone_of

        return zone_of(self)

    @property
    def stream_embed_url(self) -> str:
        """An embeddable URL for YouTube and Facebook streams (both allowed by the CSP);
        other links (webinars) are shown as a link only."""
        if not self.stream_url:
            return ""
        url = urlparse(self.stream_url)
        host = (url.hostname or "").removeprefix("www.").removeprefix("m.")
        video = ""
        if host == "youtu.be":
            video = url.path.strip("/")
        elif host == "youtube.com":
            if url.path == "/watch":
                video = parse_qs(url.query).get("v", [""])[0]
            elif url.path.startswith(("/live/", "/embed/")):
                video = url.path.split("/")[2]
        if video and _YOUTUBE_ID.match(video):
            return f"https://www.youtube-nocookie.com/embed/{video}"
        if host == "facebook.com" and "/videos/" in url.path:
            from urllib.parse import quote

            return (
                "https://www.facebook.com/plugins/video.php?href="
                + quote(self.stream_url, safe="")
                + "&show_text=false"
            )
        return ""

    def get_context(self, request, *args, **kwargs):
        from .views import live_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(live_page_context(self, request))
        return context

    # Routes under the page's own URL; the views live in views.py.
    @path("votar/<int:poll_id>/", name="vote")
    def vote_route(self, request, poll_id):
        from . import views

        return views.vote(self, request, poll_id)

    @path("preguntas/", name="ask")
    def ask_route(self, request):
        from . import views

        return views.ask(self, request)

    @path("preguntas/<int:question_id>/apoyar/", name="upvote")
    def upvote_route(self, request, question_id):
        from . import views

        return views.upvote(self, request, question_id)

    @path("control/", name="control")
    def control_route(self, request):
        from . import views

        return views.control(self, request)

    @path("estado/", name="state")
    def state_route(self, request):
        from . import views

        return views.state(self, request)

    @path("recuento/", name="results_bundle")
    def results_bundle_route(self, request):
        from . import views

        return views.results_bundle(self, request)


class AgendaItem(Orderable):
    """An item of the agenda, in order; edited with the page."""

    page = ParentalKey(
        AssemblyPage,
        on_delete=models.CASCADE,
        related_name="agenda_items",
        verbose_name=_("assembly"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    panels = [FieldPanel("title"), FieldPanel("description")]

    class Meta(Orderable.Meta):
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self):
        return self.title


class LiveState(models.Model):
    """What an assembly is doing now, and the last sequence number it handed out.

    Services lock this row (SELECT ... FOR UPDATE) to number events: that serialises the
    changes of one assembly and makes the sequence gapless."""

    assembly = models.OneToOneField(
        AssemblyPage,
        on_delete=models.CASCADE,
        related_name="live_state",
        primary_key=True,
        verbose_name=_("assembly"),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AssemblyStatus.choices,
        default=AssemblyStatus.SCHEDULED,
    )
    current_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current agenda item"),
    )
    last_seq = models.PositiveBigIntegerField(_("last sequence number"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("live state")
        verbose_name_plural = _("live states")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="en_curso") | models.Q(started_at__isnull=False),
                name="assembly_live_has_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="finalizada") | models.Q(ended_at__isnull=False),
                name="assembly_finished_has_end",
            ),
        ]

    def __str__(self):
        return f"{self.assembly_id} · {self.status} · {self.last_seq}"


class AssemblyEvent(models.Model):
    """One state change, numbered. `payload` is what everyone receives; `staff_payload`,
    when set, is what staff receive instead (e.g. a question awaiting moderation)."""

    assembly = models.ForeignKey(
        AssemblyPage, on_delete=models.CASCADE, related_name="events", verbose_name=_("assembly")
    )
    seq = models.PositiveBigIntegerField(_("sequence number"))
    type = models.CharField(_("type"), max_length=40)
    payload = models.JSONField(_("payload"), default=dict)
    staff_payload = models.JSONField(_("staff payload"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("assembly event")
        verbose_name_plural = _("assembly events")
        ordering = ["assembly", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "seq"], name="assembly_event_seq_unique"),
        ]

    def __str__(self):
        return f"{self.assembly_id}#{self.seq} {self.type}"


class Announcement(models.Model):
    assembly = models.ForeignKey(
        AssemblyPage,
        on_delete=models.CASCADE,
        related_name="announcements",
        verbose_name=_("assembly"),
    )
    text = models.TextField(_("text"), validators=[MaxLengthValidator(ANNOUNCEMENT_MAX_LENGTH)])
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.text[:60]


class Poll(models.Model):
    """A vote held during an assembly: online by verified residents, by hand count in the
    room, or both."""

    class Mode(models.TextChoices):
        ONLINE = "online", _("Verified residents online")
        ROOM = "room", _("Hand count in the room")
        BOTH = "both", _("Both")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    assembly = models.ForeignKey(
        AssemblyPage, on_delete=models.CASCADE, related_name="polls", verbose_name=_("assembly")
    )
    question = models.CharField(_("question"), max_length=300)
    mode = models.CharField(_("who votes"), max_length=8, choices=Mode.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    results_published = models.BooleanField(_("results published"), default=False)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["opened_at", "pk"]
        constraints = [
            # At most one open vote per assembly: attendees can follow one question at a time.
            models.UniqueConstraint(
                fields=["assembly"],
                condition=models.Q(status="open"),
                name="poll_one_open_per_assembly",
            ),
            models.CheckConstraint(
                condition=~models.Q(results_published=True) | models.Q(status="closed"),
                name="poll_results_only_when_closed",
            ),
        ]

    def __str__(self):
        return self.question

    @property
    def counts_online(self) -> bool:
        return self.mode in (self.Mode.ONLINE, self.Mode.BOTH)

    @property
    def counts_room(self) -> bool:
        return self.mode in (self.Mode.ROOM, self.Mode.BOTH)


class PollOption(models.Model):
    poll = models.ForeignKey(
        Poll, on_delete=models.CASCADE, related_name="options", verbose_name=_("vote")
    )
    label = models.CharField(_("option"), max_length=150)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    room_count = models.PositiveIntegerField(_("hand count in the room"), null=True, blank=True)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.label


class Ballot(models.Model):
    """One verified resident's final vote on a poll. The unique constraint is the rule."""

    poll = models.ForeignKey(
        Poll, on_delete=models.CASCADE, related_name="ballots", verbose_name=_("vote")
    )
    option = models.ForeignKey(
        PollOption, on_delete=models.CASCADE, related_name="ballots", verbose_name=_("option")
    )
    # NULL once the voter deleted their account: the vote still counts, linked to nobody.
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("voter"),
    )
    cast_at = models.DateTimeField(_("cast at"), default=timezone.now)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(fields=["poll", "voter"], name="ballot_one_per_voter"),
        ]

    def __str__(self):
        return f"{self.poll_id}: {self.voter_id}"


class Question(models.Model):
    """A question from the public. Staff approve it before everyone sees it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting moderation")
        APPROVED = "approved", _("Approved")
        ANSWERED = "answered", _("Answered")
        HIDDEN = "hidden", _("Hidden")

    assembly = models.ForeignKey(
        AssemblyPage, on_delete=models.CASCADE, related_name="questions", verbose_name=_("assembly")
    )
    # NULL once the author deleted their account (privacy.deletion).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("question"), validators=[MaxLengthValidator(QUESTION_MAX_LENGTH)])
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    pinned = models.BooleanField(_("being discussed"), default=False)
    upvote_count = models.PositiveIntegerField(_("upvotes"), default=0)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["-pinned", "-upvote_count", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pinned=False) | models.Q(status="approved"),
                name="question_pinned_is_approved",
            ),
            models.UniqueConstraint(
                fields=["assembly"],
                condition=models.Q(pinned=True),
                name="question_one_pinned_per_assembly",
            ),
        ]

    def __str__(self):
        return self.text[:60]

    @property
    def is_public(self) -> bool:
        return self.status in (self.Status.APPROVED, self.Status.ANSWERED)


class QuestionUpvote(models.Model):
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="upvotes", verbose_name=_("question")
    )
    # NULL once the person deleted their account: the upvote still counts.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("upvote")
        verbose_name_plural = _("upvotes")
        constraints = [
            models.UniqueConstraint(fields=["question", "user"], name="question_upvote_once"),
        ]

    def __str__(self):
        return f"{self.question_id}: {self.user_id}"
