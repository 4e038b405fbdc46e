"""The district's territory as open datasets: the parishes (INEC's DPA codes, their type and
zone) and the zonal administrations, downloaded from opendata.views in CSV, JSON and
GeoJSON. Imported by opendata.registry."""

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _
from wagtail.models import ModelLogEntry

from opendata.registry import IRREGULAR, Column, Dataset, Distribution, register

from .models import Parish, Zone

# DCAT-AP data themes: "Regions and cities", and "Government and public sector".
EU_THEMES = ("REGI", "GOVE")


def _modified():
    """The last staff change to a zone or parish (the territory log); None before any."""
    types = ContentType.objects.get_for_models(Zone, Parish).values()
    entry = (
        ModelLogEntry.objects.filter(content_type__in=list(types)).order_by("-timestamp").first()
    )
    return entry.timestamp if entry else None


def _distributions(kind: str) -> tuple[Distribution, ...]:
    return (
        Distribution(format="CSV", url_name="opendata:territory", url_args=(kind, "csv")),
        Distribution(format="JSON", url_name="opendata:territory", url_args=(kind, "json")),
        Distribution(format="GeoJSON", url_name="opendata:territory", url_args=(kind, "geojson")),
    )


PARISHES = register(
    Dataset(
        slug="parroquias",
        title=_("Parishes of the Distrito Metropolitano de Quito"),
        description=_(
            "The urban and rural parishes of the district with INEC's geographic code (DPA), "
            "their type, the zonal administration they belong to and, where it is recorded, a "
            "map point. The confidence column says whether the parish's zone is confirmed by an "
            "official source or inferred. The GeoJSON has one point per parish (no geometry "
            "where there is no map point yet)."
        ),
        theme=_("Territory"),
        frequency=IRREGULAR,
        distributions=_distributions("parroquias"),
        dictionary=(
            Column("dpa_code", "string", _("INEC's six-digit geographic code (DPA).")),
            Column("name", "string", _("Name of the parish.")),
            Column("type", "string", _("urbana (urban) or rural.")),
            Column("zone_slug", "string", _("Identifier of its zonal administration.")),
            Column("zone", "string", _("Name of its zonal administration.")),
            Column("latitude", "decimal", _("Latitude of its map point (WGS 84), if recorded.")),
            Column("longitude", "decimal", _("Longitude of its map point (WGS 84), if recorded.")),
            Column(
                "confidence",
                "string",
                _("How sure its zone is: confirmed, inferred or disputed."),
            ),
        ),
        modified=_modified,
        keywords=(_("parishes"), _("territory"), "DPA", "INEC"),
        extra={"eu_themes": EU_THEMES},
    )
)

ZONES = register(
    Dataset(
        slug="zonas",
        title=_("Zonal administrations of Quito"),
        description=_(
            "The zonal administrations of the district (and the special administration of La "
            "Mariscal): their official name, kind, the date a recent one was established, a map "
            "point and how many parishes each holds."
        ),
        theme=_("Territory"),
        frequency=IRREGULAR,
        distributions=_distributions("zonas"),
        dictionary=(
            Column("slug", "string", _("Identifier of the zone, as used in our addresses.")),
            Column("name", "string", _("Short name of the zone.")),
            Column("official_name", "string", _("Official name of the administration.")),
            Column("kind", "string", _("zonal, or especial (special administration).")),
            Column("latitude", "decimal", _("Latitude of its map point (WGS 84).")),
            Column("longitude", "decimal", _("Longitude of its map point (WGS 84).")),
            Column("established", "date", _("Date it was established, when it is recent.")),
            Column("parishes", "integer", _("Number of parishes it holds.")),
            Column("note", "string", _("Remarks on its map point or its history.")),
        ),
        modified=_modified,
        keywords=(_("zones"), _("territory"), _("zonal administrations")),
        extra={"eu_themes": EU_THEMES},
    )
)
