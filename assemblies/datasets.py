"""Assembly votes as open datasets: one per assembly with published vote results, whose
distribution is its recount bundle (ZIP: the anonymised online votes, the room counts,
the published tallies, the rule version and a README). Built from the database each time
the catalogue is read. Imported by opendata.registry."""

from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opendata.registry import IRREGULAR, Column, Dataset, page_distribution, register_provider

from .models import AssemblyPage

DICTIONARY = (
    Column("poll", "integer", gettext_lazy("Number of the vote within the bundle.")),
    Column("question", "string", gettext_lazy("The question put to the vote.")),
    Column("option", "string", gettext_lazy("An answer of the vote.")),
    Column("online_votes", "integer", gettext_lazy("Votes cast online by verified residents.")),
    Column("room_count", "integer", gettext_lazy("Hands counted in the room by the staff.")),
    Column(
        "ballot",
        "integer",
        gettext_lazy("Opaque number of an online vote, new in every download: never a person."),
    ),
)


@register_provider
def assembly_vote_datasets() -> list[Dataset]:
    pages = (
        AssemblyPage.objects.live()
        .public()
        .filter(polls__results_published=True)
        .annotate(last_vote=Max("polls__closed_at"))
        .order_by("starts_at", "pk")
    )
    return [_dataset(page) for page in pages]  # a handful: their zones are read one by one


def _dataset(page) -> Dataset:
    slug = f"asamblea-{page.pk}-votaciones"
    last = page.last_vote
    zone = page.zone
    return Dataset(
        slug=slug,
        title=_("Votes of the assembly “%(title)s”") % {"title": page.title},
        description=_(
            "The published votes of this assembly, ready to be recomputed: each question and "
            "answer with its online votes (anonymised, one opaque number per vote) and the "
            "hand count of the room, the published tallies, the rule's version and a README "
            "saying how to check them with `manage.py recount_poll`."
        ),
        theme=_("Assemblies"),
        frequency=IRREGULAR,
        distributions=(
            page_distribution(slug, "ZIP", page.url + page.reverse_subpage("results_bundle")),
        ),
        dictionary=DICTIONARY,
        modified=lambda: last,
        keywords=(_("assembly"), _("votes"), zone.name if zone else ""),
        spatial=(zone.official_name or zone.name) if zone else "Distrito Metropolitano de Quito",
        extra={"page": page.url},
    )
