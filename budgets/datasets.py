"""Participatory-budget results as open datasets: one dataset per cycle with published
results (its results page's CSV and JSON), built from the database each time the catalogue
is read, so a cycle is listed as soon as its results are published and leaves the catalogue
if they are withdrawn. Imported by opendata.registry.

One dataset per cycle rather than one dataset with a file per cycle: in DCAT a dataset's
distributions are the same data in different formats, and each cycle's results are other
data (another zone, another year, another ballot), with their own dates and place."""

from django.db.models import Max, Min
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opendata.registry import IRREGULAR, Column, Dataset, page_distribution, register_provider

from .models import BudgetCyclePage

DICTIONARY = (
    Column(
        "scope",
        "string",
        gettext_lazy("Ballot scope: the parish whose envelope it is, or the zone's name."),
    ),
    Column("rank", "integer", gettext_lazy("Place of the project in its scope (1 = most votes).")),
    Column("reference", "string", gettext_lazy("Public reference of the project request.")),
    Column("title", "string", gettext_lazy("Title of the project.")),
    Column("parish", "string", gettext_lazy("Parish where the project would be built.")),
    Column("online_votes", "integer", gettext_lazy("Votes cast online by verified residents.")),
    Column(
        "booth_votes",
        "integer",
        gettext_lazy(
            "Votes registered at a booth, one per person (by cédula, checked against the "
            "online votes)."
        ),
    ),
    Column(
        "assembly_votes",
        "integer",
        gettext_lazy("Votes counted by hand in the assemblies (aggregate tallies with an acta)."),
    ),
    Column("votes", "integer", gettext_lazy("Total votes: online plus booth plus assembly votes.")),
    Column("cost_usd", "decimal", gettext_lazy("Technical cost of the project, in US dollars.")),
    Column(
        "envelope_left_usd",
        "decimal",
        gettext_lazy("Money left in the scope's envelope when its turn came, in US dollars."),
    ),
    Column("selected", "boolean", gettext_lazy("Whether the project was selected.")),
    Column(
        "reason",
        "string",
        gettext_lazy("Why: selected, did_not_fit (its cost did not fit) or below_minimum."),
    ),
)


@register_provider
def cycle_results_datasets() -> list[Dataset]:
    cycles = (
        BudgetCyclePage.objects.live()
        .public()
        .filter(results__isnull=False)
        .select_related("zone")
        .annotate(
            first_computed=Min("results__computed_at"), last_computed=Max("results__computed_at")
        )
        .order_by("zone__slug", "year")
    )
    return [_dataset(cycle) for cycle in cycles]


def _dataset(cycle) -> Dataset:
    names = {"zone": cycle.zone.name, "year": cycle.year}
    base = cycle.url
    first, last = cycle.first_computed, cycle.last_computed
    slug = f"presupuestos-{cycle.zone.slug}-{cycle.year}-resultados"
    return Dataset(
        slug=slug,
        title=_("Participatory budget results, %(zone)s %(year)s") % names,
        description=_(
            "The published results of the participatory budget of %(zone)s for %(year)s: "
            "every project of every ballot scope (the zone, or each parish's envelope) with "
            "its online, booth and assembly votes, its cost, what was left of the envelope at its "
            "turn and whether it was selected. The JSON adds the rule, the tie-break and each "
            "scope's envelope. The ZIP is the recount bundle: the anonymised ballots, the "
            "assembly tallies with the SHA-256 of their actas, the envelopes and the rule, "
            "with a README saying how to recompute the result. No ballot says who cast it."
        )
        % names,
        theme=_("Participatory budgets"),
        frequency=IRREGULAR,
        distributions=(
            page_distribution(slug, "CSV", base + cycle.reverse_subpage("results_csv")),
            page_distribution(slug, "JSON", base + cycle.reverse_subpage("results_json")),
            # The recount bundle: what anyone needs to recompute these results.
            page_distribution(slug, "ZIP", base + cycle.reverse_subpage("results_bundle")),
        ),
        dictionary=DICTIONARY,
        modified=lambda: last,
        issued=lambda: first,
        keywords=(_("participatory budget"), _("results"), _("votes"), cycle.zone.name),
        spatial=cycle.zone.official_name or cycle.zone.name,
        extra={
            "zone": cycle.zone.slug,
            "year": cycle.year,
            "page": base + cycle.reverse_subpage("results"),
        },
    )
