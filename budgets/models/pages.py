"""The Wagtail pages that present participatory budgets.

`/presupuestos/` (BudgetIndexPage) lists cycles across zones; each zone has one
`/zonas/<zona>/presupuestos/` (ZoneBudgetsPage) holding one BudgetCyclePage per year
(`/zonas/calderon/presupuestos/2026/`). The cycle page routes to the participation views
(requests, voting, results); the participation data itself lives in plain models.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index


class PhaseKind(models.TextChoices):
    """Quito's yearly cycle, in order."""

    REQUESTS = "requests", _("Requests")
    PREFEASIBILITY = "prefeasibility", _("Pre-feasibility")
    PRIORITISATION = "prioritisation", _("Prioritisation")
    RESULTS = "results", _("Results")
    EXECUTION = "execution", _("Execution")
    FOLLOW_UP = "follow_up", _("Follow-up")


PHASE_ORDER = [kind.value for kind in PhaseKind]


class BallotRule(models.TextChoices):
    APPROVAL = "approval", _("Approval: choose up to a number of projects")
    KNAPSACK = "knapsack", _("Budget: choose projects whose costs fit the envelope")


class BudgetIndexPage(Page):
    """`/presupuestos/`: the participatory-budget cycles of every zone."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types: list[str] = []
    max_count = 1

    class Meta:
        verbose_name = _("participatory budgets index")
        verbose_name_plural = _("participatory budgets indexes")

    def get_context(self, request, *args, **kwargs):
        from budgets.selectors import cycles_for_index

        context = super().get_context(request, *args, **kwargs)
        context["cycles"] = cycles_for_index()
        return context


class ZoneBudgetsPage(Page):
    """`/zonas/<zona>/presupuestos/`: the cycles of one zone, one page per year below it."""

    zone = models.ForeignKey(
        "territory.Zone",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        null=True,
        verbose_name=_("zone"),
    )
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["territory.ZonePage"]
    subpage_types = ["budgets.BudgetCyclePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("zone participatory budgets page")
        verbose_name_plural = _("zone participatory budgets pages")

    def save(self, *args, **kwargs):
        if self.zone_id is None and self.depth:
            from territory.selectors import zone_of

            self.zone = zone_of(self.get_parent())
        return super().save(*args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["cycles"] = (
            BudgetCyclePage.objects.child_of(self)
            .live()
            .order_by("-year")
            .prefetch_related("phases")
        )
        return context


class BudgetCyclePageForm(WagtailAdminPageForm):
    """One cycle per zone and year; its slug is the year."""

    def clean(self):
        cleaned = super().clean()
        year = cleaned.get("year")
        parent = self.parent_page if self.instance.pk is None else self.instance.get_parent()
        if year and parent is not None:
            siblings = BudgetCyclePage.objects.child_of(parent).filter(year=year)
            if self.instance.pk:
                siblings = siblings.exclude(pk=self.instance.pk)
            if siblings.exists():
                self.add_error("year", _("This zone already has a cycle for that year."))
            cleaned["slug"] = str(year)
        if self._reopens_voting():
            raise ValidationError(
                _(
                    "This cycle has published results: withdraw them first (on the cycle's "
                    "results page, with a reason) before moving prioritisation to reopen voting."
                )
            )
        return cleaned

    def _reopens_voting(self) -> bool:
        """Would these phase dates put prioritisation (voting) on or after today while
        results are published? (The vote rule refuses then anyway; this says why.)"""
        if self.instance.pk is None or not self.instance.results.exists():
            return False
        formset = self.formsets.get("phases")
        today = timezone.localdate()
        for form in formset.forms if formset is not None else []:
            if not form.is_valid():
                continue
            data = form.cleaned_data
            if data.get("DELETE") or data.get("kind") != PhaseKind.PRIORITISATION:
                continue
            if data.get("ends_on") and data["ends_on"] >= today:
                return True
        return False


class BudgetCyclePage(RoutablePageMixin, Page):
    """One zone's participatory-budget cycle for one year."""

    zone = models.ForeignKey(
        "territory.Zone",
        on_delete=models.PROTECT,
        related_name="budget_cycles",
        editable=False,
        null=True,
        verbose_name=_("zone"),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    total_amount = models.DecimalField(
        _("total amount (USD)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    investment_share = models.DecimalField(
        _("share of the zone's investment budget (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("60.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Quito puts at least 60% of each zone's investment budget here."),
    )
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    ballot_rule = models.CharField(
        _("ballot rule"), max_length=12, choices=BallotRule.choices, default=BallotRule.KNAPSACK
    )
    max_choices = models.PositiveSmallIntegerField(
        _("maximum choices (approval rule)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )

    content_panels = [
        *Page.content_panels,
        FieldRowPanel(
            [FieldPanel("year"), FieldPanel("total_amount"), FieldPanel("investment_share")]
        ),
        FieldPanel("intro"),
        MultiFieldPanel(
            [FieldPanel("ballot_rule"), FieldPanel("max_choices")], heading=_("Prioritisation")
        ),
        InlinePanel("phases", heading=_("Phases"), label=_("Phase")),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["budgets.ZoneBudgetsPage"]
    subpage_types: list[str] = []
    base_form_class = BudgetCyclePageForm

    class Meta:
        verbose_name = _("participatory budget cycle")
        verbose_name_plural = _("participatory budget cycles")
        constraints = [
            models.UniqueConstraint(fields=["zone", "year"], name="budget_cycle_one_per_zone_year"),
            models.CheckConstraint(
                condition=models.Q(total_amount__gte=0), name="budget_cycle_total_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(investment_share__gte=0, investment_share__lte=100),
                name="budget_cycle_share_is_percentage",
            ),
            models.CheckConstraint(
                condition=~models.Q(ballot_rule="approval") | models.Q(max_choices__gte=1),
                name="budget_cycle_approval_has_max_choices",
            ),
        ]

    def clean(self):
        if self.year:
            self.slug = str(self.year)
        super().clean()
        if self.ballot_rule == BallotRule.APPROVAL and not self.max_choices:
            raise ValidationError(
                {"max_choices": _("The approval rule needs a maximum number of choices.")}
            )

    def save(self, *args, **kwargs):
        if self.zone_id is None and self.depth:
            from territory.selectors import zone_of

            self.zone = zone_of(self.get_parent())
        return super().save(*args, **kwargs)

    # --- phases -------------------------------------------------------------------------
    @cached_property
    def phase_list(self) -> list:
        """The phases, read once per page instance (every permission check consults them)."""
        return sorted(self.phases.all(), key=lambda p: PHASE_ORDER.index(p.kind))

    @cached_property
    def timeline(self) -> list:
        """The phases in the cycle's order, each knowing whether it is past, open or future."""
        phases = self.phase_list
        today = timezone.localdate()
        for phase in phases:
            phase.state = phase.state_on(today)
        return phases

    def phase(self, kind: str):
        return next((phase for phase in self.phase_list if phase.kind == kind), None)

    def is_open(self, kind: str, today: datetime.date | None = None) -> bool:
        phase = self.phase(kind)
        return phase is not None and phase.state_on(today or timezone.localdate()) == "open"

    def has_started(self, kind: str, today: datetime.date | None = None) -> bool:
        phase = self.phase(kind)
        return phase is not None and phase.starts_on <= (today or timezone.localdate())

    def proposals_open_for(self, step: str) -> bool:
        """Which phases take which step of the proposals engine (proposals.rules)."""
        if step == "submit":
            return self.is_open(PhaseKind.REQUESTS)
        if step in {"support", "assess"}:
            return self.is_open(PhaseKind.REQUESTS) or self.is_open(PhaseKind.PREFEASIBILITY)
        return False

    @property
    def current_phase(self):
        return next((phase for phase in self.timeline if phase.state == "open"), None)

    @property
    def is_knapsack(self) -> bool:
        return self.ballot_rule == BallotRule.KNAPSACK

    # --- routes: thin, the views live in budgets.views and proposals.views ---------------
    @path("")
    def route_overview(self, request):
        from budgets import views

        return views.cycle_overview(request, self)

    @path("solicitudes/", name="requests")
    def route_requests_list(self, request):
        from proposals import views

        return views.request_list(request, self)

    @path("solicitudes/nueva/", name="request_new")
    def route_request_new(self, request):
        from proposals import views

        return views.request_create(request, self)

    @path("solicitudes/<int:pk>/", name="request_detail")
    def route_request_detail(self, request, pk):
        from proposals import views

        return views.request_detail(request, self, pk)

    @path("solicitudes/<int:pk>/comentar/", name="request_comment")
    def route_request_comment(self, request, pk):
        from proposals import views

        return views.request_comment(request, self, pk)

    @path("solicitudes/<int:pk>/comentario/<int:comment_id>/<slug:action>/")
    def route_request_comment_action(self, request, pk, comment_id, action):
        from proposals import views

        return views.request_comment_action(request, self, pk, comment_id, action)

    @path("solicitudes/<int:pk>/apoyar/", name="request_support")
    def route_request_support(self, request, pk):
        from proposals import views

        return views.request_support(request, self, pk)

    @path("solicitudes/<int:pk>/prefactibilidad/", name="request_verdict")
    def route_request_verdict(self, request, pk):
        from proposals import views

        return views.request_verdict(request, self, pk)

    @path("sobres/", name="envelopes")
    def route_envelopes(self, request):
        from budgets import views

        return views.envelopes_edit(request, self)

    @path("votar/", name="vote")
    def route_vote(self, request):
        from budgets import views

        return views.ballot_vote(request, self)

    @path("mesa/", name="booth")
    def route_booth(self, request):
        from budgets import views

        return views.booth_vote(request, self)

    @path("actas/", name="tallies")
    def route_tallies(self, request):
        from budgets import views

        return views.tally_record(request, self)

    @path("resultados/", name="results")
    def route_results(self, request):
        from budgets import views

        return views.results_page(request, self)

    @path("resultados/csv/", name="results_csv")
    def route_results_csv(self, request):
        from budgets import views

        return views.results_csv(request, self)

    @path("resultados/json/", name="results_json")
    def route_results_json(self, request):
        from budgets import views

        return views.results_json(request, self)

    @path("resultados/recuento/", name="results_bundle")
    def route_results_bundle(self, request):
        from budgets import views

        return views.results_bundle(request, self)

    @path("resultados/calcular/", name="results_compute")
    def route_results_compute(self, request):
        from budgets import views

        return views.results_compute(request, self)

    @path("resultados/retirar/", name="results_withdraw")
    def route_results_withdraw(self, request):
        from budgets import views

        return views.results_withdraw(request, self)


class Phase(Orderable):
    """A dated phase of a cycle. Dates are days in Quito (America/Guayaquil), inclusive."""

    cycle = ParentalKey(
        BudgetCyclePage, on_delete=models.CASCADE, related_name="phases", verbose_name=_("cycle")
    )
    kind = models.CharField(_("phase"), max_length=20, choices=PhaseKind.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    panels = [FieldRowPanel([FieldPanel("kind"), FieldPanel("starts_on"), FieldPanel("ends_on")])]

    class Meta(Orderable.Meta):
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "kind"], name="budget_phase_once_per_cycle"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="budget_phase_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.get_kind_display()

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A phase cannot end before it starts.")})

    def state_on(self, today: datetime.date) -> str:
        if today < self.starts_on:
            return "future"
        if today > self.ends_on:
            return "past"
        return "open"
