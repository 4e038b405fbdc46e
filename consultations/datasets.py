"""Participation reports of closed consultations as open datasets: one per consultation whose
report is public (it is once the consultation closes), with the report's CSV and JSON.
Built from the database each time the catalogue is read. Imported by opendata.registry.

One dataset per consultation, not one with a file each: each report is other data (another
ordinance, other dates), and DCAT keeps a dataset's distributions for formats of one thing."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opendata.registry import IRREGULAR, Column, Dataset, page_distribution, register_provider

from .models import ConsultationPage

DICTIONARY = (
    Column(
        "comment_id",
        "integer",
        gettext_lazy("Number of the comment (empty on the rows of in-person observations)."),
    ),
    Column(
        "created_at",
        "datetime",
        gettext_lazy("When the comment was posted or the observation recorded (ISO 8601)."),
    ),
    Column(
        "article",
        "string",
        gettext_lazy(
            "Article or section the contribution is on; “La ordenanza en su conjunto” for "
            "the whole text (the general thread)."
        ),
    ),
    Column(
        "revision",
        "integer",
        gettext_lazy("Version of the draft the contribution was made on (may be empty)."),
    ),
    Column("parent_id", "integer", gettext_lazy("The comment this one answers (empty if none).")),
    Column("official", "boolean", gettext_lazy("Whether it is the administration's answer.")),
    Column(
        "status",
        "string",
        gettext_lazy("visible, or hidden by moderation (text removed); empty on observation rows."),
    ),
    Column("stance", "string", gettext_lazy("Stance on the article: favor, contra or neutral.")),
    Column(
        "supports",
        "integer",
        gettext_lazy("How many residents supported the comment (empty on observation rows)."),
    ),
    Column(
        "author",
        "string",
        gettext_lazy(
            "The public name the resident chose to show; empty when they chose none and on "
            "observation rows. Never an e-mail or a cédula."
        ),
    ),
    Column("author_zone", "string", gettext_lazy("Zone of residence the author declared.")),
    Column("author_parish", "string", gettext_lazy("Parish of residence the author declared.")),
    Column(
        "body",
        "string",
        gettext_lazy("Text of the comment or of the observation (empty if hidden)."),
    ),
    Column(
        "proposed_wording",
        "string",
        gettext_lazy("Wording the author proposes for the article (empty if hidden)."),
    ),
    Column(
        "kind",
        "string",
        gettext_lazy(
            "comment (posted on the platform) or observation (recorded at an in-person session)."
        ),
    ),
    Column(
        "observation_id",
        "integer",
        gettext_lazy("Number of the in-person observation (empty on comment rows)."),
    ),
    Column(
        "session",
        "string",
        gettext_lazy(
            "Place and date (DD/MM/YYYY) of the in-person session where the observation was "
            "recorded (empty on comment rows)."
        ),
    ),
    Column(
        "disposition",
        "string",
        gettext_lazy(
            "What became of the contribution: acogida, parcial, no_acogida or fuera_ambito; "
            "empty while pending (and on hidden comments and official answers)."
        ),
    ),
    Column(
        "disposition_label",
        "string",
        gettext_lazy("The disposition in words (empty while pending)."),
    ),
    Column(
        "disposition_reason",
        "string",
        gettext_lazy(
            "The reason the administration gave for the disposition (may be empty when "
            "taken up in full)."
        ),
    ),
    Column(
        "decided_at",
        "datetime",
        gettext_lazy("When the disposition was last given or changed (ISO 8601)."),
    ),
)


@register_provider
def report_datasets() -> list[Dataset]:
    pages = (
        ConsultationPage.objects.live()
        .public()
        .filter(closes_at__lte=timezone.now())
        .order_by("slug")
    )
    return [_dataset(page) for page in pages]


def _dataset(page) -> Dataset:
    base = page.url
    closes_at, published = page.closes_at, page.last_published_at
    modified = max(filter(None, (closes_at, published)))
    slug = f"consulta-{page.slug}-informe"

    def download(fmt):
        return base + page.reverse_subpage("report_download", kwargs={"fmt": fmt})

    return Dataset(
        slug=slug,
        title=_("Participation report: %(title)s") % {"title": page.title},
        description=_(
            "The participation report of the consultation “%(title)s” (%(body)s): every "
            "comment with its article, stance, supports and the author's declared zone and "
            "parish, and every observation recorded at its in-person sessions; each "
            "contribution with its disposition (taken up, partly, not taken up or outside "
            "the scope), the reason and when it was decided. The JSON adds the counts per "
            "article and stance, the dispositions per article and the in-person sessions. "
            "Comments hidden by moderation keep their place without their text. Authors "
            "appear only by the public name they chose."
        )
        % {"title": page.title, "body": page.responsible_body},
        theme=_("Consultations"),
        frequency=IRREGULAR,
        distributions=tuple(
            page_distribution(slug, fmt.upper(), download(fmt)) for fmt in ("csv", "json")
        ),
        dictionary=DICTIONARY,
        modified=lambda: modified,
        issued=lambda: closes_at,
        keywords=(_("consultation"), _("ordinance"), _("participation")),
        extra={"page": base + page.reverse_subpage("report")},
    )
