"""The participation indicators as an open dataset: every value, by zone, parish, year and
category, with the methodology sheets (the JSON). Imported by opendata.registry."""

from django.utils.translation import gettext_lazy as _

from opendata.registry import CONTINUOUS, Column, Dataset, Distribution, register

from . import selectors
from .definitions import INDICATORS as INDICATOR_DEFINITIONS

INDICATORS = register(
    Dataset(
        slug="indicadores-participacion",
        title=_("Participation indicators"),
        description=_(
            "Every value of Quito Decide's participation indicators, per zonal "
            "administration (and for the whole city), parish, year and category: "
            "consultations, online comments and in-person observations, distinct "
            "participants, assemblies held by type and their attendance, participatory-budget "
            "requests and votes, participation per 1,000 inhabitants, parishes without "
            "participation, works by status with their average physical progress, social "
            "actors mapped by type, and training sessions held with their registrations, "
            "attendance and evaluation score. Each indicator has its methodology sheet at "
            "/indicadores/<indicator>/; the JSON carries the sheets too."
        ),
        theme=_("Citizen participation"),
        frequency=CONTINUOUS,
        distributions=(
            Distribution(format="CSV", url_name="indicators:dataset_csv"),
            Distribution(format="JSON", url_name="indicators:dataset_json"),
        ),
        dictionary=(
            Column("indicator", "string", _("Code of the indicator (its methodology sheet).")),
            Column("indicator_name", "string", _("Name of the indicator.")),
            Column("zone", "string", _("Code of the zonal administration; empty: whole city.")),
            Column("zone_name", "string", _("Name of the zonal administration.")),
            Column("parish", "string", _("INEC (DPA) code of the parish; empty: whole zone.")),
            Column("parish_name", "string", _("Name of the parish.")),
            Column(
                "year",
                "integer",
                _("Year (Quito time; the cycle's year for budgets, the budget year for works)."),
            ),
            Column(
                "category",
                "string",
                _(
                    "Assembly type, work status, vote channel or social actor type; empty when "
                    "it does not apply."
                ),
            ),
            Column("category_name", "string", _("Name of the category.")),
            Column("value", "decimal", _("Value of the indicator, in its unit.")),
            Column("unit", "string", _("Code of the unit of the value.")),
        ),
        modified=selectors.modified,
        keywords=(
            _("citizen participation"),
            _("indicators"),
            _("assemblies"),
            _("consultations"),
            _("social actors"),
            _("training"),
        ),
    )
)

SHEETS = register(
    Dataset(
        slug="indicadores-fichas-metodologicas",
        title=_("Methodology sheets of the participation indicators"),
        description=_(
            "One methodology sheet (ficha metodológica) per participation indicator: its "
            "definition, formula, source, unit, breakdowns, periodicity and the office "
            "responsible for it, with the indicator's values, as JSON."
        ),
        theme=_("Citizen participation"),
        frequency=CONTINUOUS,
        distributions=tuple(
            Distribution(
                format="JSON",
                url_name="indicators:sheet_json",
                url_args=(indicator.slug,),
                title=indicator.name,
            )
            for indicator in INDICATOR_DEFINITIONS
        ),
        dictionary=(
            Column("methodology.slug", "string", _("Code of the indicator.")),
            Column("methodology.name", "string", _("Name of the indicator.")),
            Column("methodology.definition", "string", _("What the indicator counts.")),
            Column("methodology.formula", "string", _("How it is computed.")),
            Column("methodology.source", "string", _("Where its data come from.")),
            Column("methodology.unit", "string", _("Code of the unit of its values.")),
            Column("methodology.breakdowns", "string", _("How its values are broken down.")),
            Column("methodology.periodicity", "string", _("How often it is computed.")),
            Column("methodology.responsible", "string", _("The office responsible for it.")),
            Column(
                "values", "string", _("Its values, with the columns of the indicators dataset.")
            ),
        ),
        modified=selectors.modified,
        keywords=(_("citizen participation"), _("indicators"), _("methodology")),
    )
)
