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
    Column("comment_id", "integer", gettext_lazy("Number of the comment.")),
    Column("created_at", "datetime", gettext_lazy("When the comment was posted (ISO 8601).")),
    Column(
        "article", "string", gettext_lazy("Article or section commented on, or the general thread.")
    ),
    Column("revision", "integer", gettext_lazy("Version of the draft the comment was made on.")),
    Column("parent_id", "integer", gettext_lazy("The comment this one answers (empty if none).")),
    Column("official", "boolean", gettext_lazy("Whether it is the administration's answer.")),
    Column("status", "string", gettext_lazy("visible, or hidden by moderation (text removed).")),
    Column("stance", "string", gettext_lazy("Stance on the article: favor, contra or neutral.")),
    Column("supports", "integer", gettext_lazy("How many residents supported the comment.")),
    Column(
        "author",
        "string",
        gettext_lazy(
            "The public name the resident chose to show; empty when they chose none. "
            "Never an e-mail or a cédula."
        ),
    ),
    Column("author_zone", "string", gettext_lazy("Zone of residence the author declared.")),
    Column("author_parish", "string", gettext_lazy("Parish of residence the author declared.")),
    Column("body", "string", gettext_lazy("Text of the comment (empty if hidden).")),
    Column(
        "proposed_wording",
        "string",
        gettext_lazy("Wording the author proposes for the article (empty if hidden)."),
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
            "parish; the JSON adds the counts per article and stance and the in-person "
            "sessions. Comments hidden by moderation keep their place without their text. "
            "Authors appear only by the public name they chose."
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
