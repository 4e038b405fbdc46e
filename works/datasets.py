"""The public works as an open dataset: the list's CSV and its GeoJSON map, unfiltered (the
same downloads the works list offers with its filters). Imported by opendata.registry."""

from django.db.models import Max, Min
from django.utils.translation import gettext_lazy as _

from opendata.registry import (
    CONTINUOUS,
    Column,
    Dataset,
    Distribution,
    register,
)

from .models import Work


def _modified():
    return Work.objects.aggregate(latest=Max("updated_at"))["latest"]


def _issued():
    return Work.objects.aggregate(first=Min("created_at"))["first"]


WORKS = register(
    Dataset(
        slug="obras-publicas",
        title=_("Public works"),
        description=_(
            "Every public work the city follows on Quito Decide: where it is, what it costs "
            "(assigned, contracted and executed amounts), who is responsible for it, its "
            "status, its physical and financial progress and its dates. Works that come from "
            "participatory budgets say so in their source. The GeoJSON has the works that "
            "have a location, as points."
        ),
        theme=_("Public works"),
        frequency=CONTINUOUS,
        distributions=(
            Distribution(format="CSV", url_name="works:csv"),
            Distribution(format="GeoJSON", url_name="works:geojson"),
        ),
        dictionary=(
            Column("code", "string", _("Public code of the work (PP- for participatory budgets).")),
            Column("title", "string", _("Name of the work.")),
            Column("zone", "string", _("Zonal administration where it is built.")),
            Column("parish", "string", _("Parish (empty in a zone with no whole parish).")),
            Column("barrio", "string", _("Neighbourhood (barrio), as recorded.")),
            Column("year", "integer", _("Year of the budget that funds it.")),
            Column(
                "source",
                "string",
                _("Where the work comes from: presupuesto_participativo or municipal."),
            ),
            Column(
                "status",
                "string",
                _(
                    "Status: planificada, en_contratacion, en_ejecucion, suspendida, "
                    "finalizada or cancelada."
                ),
            ),
            Column("physical_progress", "decimal", _("Physical progress, in percent (0–100).")),
            Column("financial_progress", "decimal", _("Financial progress, in percent (0–100).")),
            Column("amount_assigned_usd", "decimal", _("Amount assigned, in US dollars.")),
            Column(
                "amount_contracted_usd",
                "decimal",
                _("Amount of the contract, in US dollars (empty before contracting)."),
            ),
            Column("amount_executed_usd", "decimal", _("Amount executed so far, in US dollars.")),
            Column("responsible_unit", "string", _("Municipal unit responsible for the work.")),
            Column("contractor", "string", _("Contractor's name (a company or a person).")),
            Column("contract_number", "string", _("Number of the public contract.")),
            Column("planned_start", "date", _("Planned start date.")),
            Column("planned_end", "date", _("Planned end date.")),
            Column("actual_start", "date", _("Date the work actually started.")),
            Column("actual_end", "date", _("Date the work actually ended.")),
            Column("last_update_on", "date", _("Date of the latest dated update.")),
            Column("latitude", "decimal", _("Latitude (WGS 84), empty if not located.")),
            Column("longitude", "decimal", _("Longitude (WGS 84), empty if not located.")),
            Column("url", "url", _("Page of the work on Quito Decide.")),
            Column("licence", "string", _("Licence of the data (CC BY 4.0).")),
        ),
        modified=_modified,
        issued=_issued,
        keywords=(_("public works"), _("public investment"), _("social oversight")),
    )
)
