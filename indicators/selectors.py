"""Reads of the participation indicators, shared by the pages, the downloads and the API.

Everything comes from the cached payload (`indicators.cache`), computed in `compute.py`.

For the API (stable signatures):
- `indicator_rows(*, zone_slug=None, year=None)`: one dict per value with `indicator`
  (slug), `zone` (slug; None for the whole city), `parish` (DPA code or None), `year`,
  `category` (an assembly type, a work status, a vote channel or a social actor's type;
  None when the indicator has no categories), `value` (int or float) and `unit` (a code).
  Without `zone_slug`, every value (city, zones and parishes); with it, that zone's values
  and its parishes'.
- `methodologies()`: one dict per indicator, its methodology sheet.
"""

from django.utils.translation import gettext as _

from . import cache
from . import definitions as d


def _payload() -> dict:
    return cache.payload()


def indicator_rows(*, zone_slug: str | None = None, year: int | None = None) -> list[dict]:
    rows = _payload()["rows"]
    return [
        dict(row)
        for row in rows
        if (zone_slug is None or row["zone"] == zone_slug) and (year is None or row["year"] == year)
    ]


def methodology(indicator: d.Indicator) -> dict:
    return {
        "slug": indicator.slug,
        "name": str(indicator.name),
        "definition": str(indicator.definition),
        "formula": str(indicator.formula),
        "source": str(indicator.source),
        "unit": indicator.unit,
        "breakdowns": [str(item) for item in indicator.breakdowns],
        "periodicity": str(indicator.periodicity),
        "responsible": indicator.responsible,
    }


def methodologies() -> list[dict]:
    return [methodology(indicator) for indicator in d.INDICATORS]


def years() -> list[int]:
    return list(_payload()["years"])


def dataset_rows() -> list[dict]:
    """Every value with the names of its indicator, zone, parish and category (the
    downloadable dataset)."""
    data = _payload()
    labels = d.category_labels()
    names = {indicator.slug: str(indicator.name) for indicator in d.INDICATORS}
    rows = []
    for row in data["rows"]:
        parish = data["parishes"].get(row["parish"]) if row["parish"] else None
        category = row["category"]
        rows.append(
            {
                "indicator": row["indicator"],
                "indicator_name": names[row["indicator"]],
                "zone": row["zone"],
                "zone_name": data["zones"].get(row["zone"]) if row["zone"] else _("Whole city"),
                "parish": row["parish"],
                "parish_name": parish["name"] if parish else None,
                "year": row["year"],
                "category": category,
                "category_name": (
                    str(labels.get(row["indicator"], {}).get(category, category))
                    if category
                    else None
                ),
                "value": row["value"],
                "unit": row["unit"],
            }
        )
    return rows


def modified():
    return _payload()["modified"]


# --- the page ---------------------------------------------------------------------------
class _Lookup:
    """Values of one zone (or the city) by (indicator, year, category)."""

    def __init__(self, rows, zone):
        self.values = {
            (row["indicator"], row["year"], row["category"]): row["value"]
            for row in rows
            if row["zone"] == zone and row["parish"] is None
        }

    def get(self, indicator, year, category=None):
        return self.values.get((indicator, year, category))


def _text(value) -> str:
    from .charts import format_value

    return "—" if value is None else format_value(value)


def _signed(change) -> str:
    if change is None:
        return "—"
    if change > 0:
        return "+" + _text(change)
    if change < 0:
        return "−" + _text(-change)  # a real minus sign, read as "minus"
    return _text(change)


def _change(before, now):
    if before is None or now is None:
        return None
    return round(now - before, 2)


def comparison(lookup: _Lookup, year: int) -> list[dict]:
    """Every figure of `year` against the year before: one line per indicator (or per
    category of it)."""
    labels = d.category_labels()
    lines = []
    for indicator in d.INDICATORS:
        for category in labels.get(indicator.slug) or [None]:
            before, now = (
                lookup.get(indicator.slug, year - 1, category),
                lookup.get(indicator.slug, year, category),
            )
            if before is None and now is None:
                continue
            name = str(indicator.name)
            if category:
                name = f"{name}: {labels[indicator.slug][category]}"
            change = _change(before, now)
            lines.append(
                {
                    "indicator": indicator,
                    "category": category or "",
                    "name": name,
                    "before": before,
                    "now": now,
                    "change": change,
                    "before_text": _text(before),
                    "now_text": _text(now),
                    "change_text": _signed(change),
                    "unit": d.UNIT_LABELS[indicator.unit],
                }
            )
    return lines


def _series_chart(chart_id, title, description, lookup, items, years_shown, unit):
    """A chart whose bars are `items` (label, indicator, category), one series per year."""
    from .charts import bar_chart

    rows = [
        (label, [lookup.get(indicator, year, category) or 0 for year in years_shown])
        for label, indicator, category in items
    ]
    return bar_chart(
        chart_id=chart_id,
        title=title,
        description=description,
        series=[str(year) for year in years_shown],
        rows=rows,
        unit=unit,
    )


def page_context(*, zone_slug: str | None, year: int | None) -> dict:
    """Everything /indicadores/ shows for a zone (or the city) and a year."""
    from .charts import bar_chart

    data = _payload()
    all_years = data["years"]
    if year is None and all_years:
        year = all_years[-1]
    lookup = _Lookup(data["rows"], zone_slug)
    place = data["zones"].get(zone_slug) if zone_slug else _("the whole city")
    context = {
        "year": year,
        "previous": (year - 1) if year else None,
        "place": place,
        "zone_slug": zone_slug,
        "has_data": bool(all_years),
        "methodologies": d.INDICATORS,
    }
    if year is None:
        return context
    shown = [year - 1, year]
    labels = d.category_labels()
    context["comparison"] = comparison(lookup, year)
    kinds = [(str(label), d.ASSEMBLIES, kind) for kind, label in labels[d.ASSEMBLIES].items()]
    context["assemblies_chart"] = _series_chart(
        "chart-assemblies",
        _("Assemblies held by type, %(before)s and %(now)s") % {"before": year - 1, "now": year},
        _(
            "Horizontal bars, one pair per assembly type: the assemblies held in %(place)s "
            "in %(before)s and in %(now)s. The table that follows gives the same numbers."
        )
        % {"place": place, "before": year - 1, "now": year},
        lookup,
        kinds,
        shown,
        d.UNIT_LABELS["assemblies"],
    )
    context["attendance_chart"] = _series_chart(
        "chart-attendance",
        _("Assembly attendance by type, %(before)s and %(now)s")
        % {"before": year - 1, "now": year},
        _(
            "Horizontal bars, one pair per assembly type: the attendance of the assemblies "
            "held in %(place)s in %(before)s and in %(now)s. The table that follows gives the "
            "same numbers."
        )
        % {"place": place, "before": year - 1, "now": year},
        lookup,
        [(str(label), d.ATTENDANCE, kind) for kind, label in labels[d.ATTENDANCE].items()],
        shown,
        d.UNIT_LABELS["attendees"],
    )
    participation = [
        (str(d.BY_SLUG[d.CONSULTATIONS].name), d.CONSULTATIONS, None),
        (str(d.BY_SLUG[d.COMMENTS].name), d.COMMENTS, None),
        (str(d.BY_SLUG[d.OBSERVATIONS].name), d.OBSERVATIONS, None),
        (str(d.BY_SLUG[d.PARTICIPANTS].name), d.PARTICIPANTS, None),
        (str(d.BY_SLUG[d.REQUESTS].name), d.REQUESTS, None),
        (_("Budget votes online"), d.VOTES, d.VOTES_ONLINE),
        (_("Budget votes in person at a booth"), d.VOTES, d.VOTES_BOOTH),
        (_("Budget votes in parish assemblies"), d.VOTES, d.VOTES_ASSEMBLY),
    ]
    context["participation_chart"] = _series_chart(
        "chart-participation",
        _("Participation, %(before)s and %(now)s") % {"before": year - 1, "now": year},
        _(
            "Horizontal bars, one pair per kind of participation in %(place)s: consultations, "
            "online comments, in-person observations, distinct participants, budget requests "
            "and votes, in %(before)s and in %(now)s. The table that follows gives the same "
            "numbers."
        )
        % {"place": place, "before": year - 1, "now": year},
        lookup,
        participation,
        shown,
        "",
    )
    context["works_chart"] = _series_chart(
        "chart-works",
        _("Public works by status, budget years %(before)s and %(now)s")
        % {"before": year - 1, "now": year},
        _(
            "Horizontal bars, one pair per status: the public works of %(place)s of the "
            "budget years %(before)s and %(now)s. The table that follows gives the same "
            "numbers."
        )
        % {"place": place, "before": year - 1, "now": year},
        lookup,
        [(str(label), d.WORKS, status) for status, label in labels[d.WORKS].items()],
        shown,
        d.UNIT_LABELS["works"],
    )
    context["progress"] = {
        "before": _text(lookup.get(d.PROGRESS, year - 1)),
        "now": _text(lookup.get(d.PROGRESS, year)),
    }
    # Training and social actors.
    context["actors_chart"] = _series_chart(
        "chart-actors",
        _("Social actors mapped by type, %(before)s and %(now)s")
        % {"before": year - 1, "now": year},
        _(
            "Horizontal bars, one pair per type of actor: the social actors of %(place)s "
            "mapped in %(before)s and in %(now)s. The table that follows gives the same "
            "numbers."
        )
        % {"place": place, "before": year - 1, "now": year},
        lookup,
        [(str(label), d.ACTORS, kind) for kind, label in labels[d.ACTORS].items()],
        shown,
        d.UNIT_LABELS["actors"],
    )
    context["training_chart"] = _series_chart(
        "chart-training",
        _("Training in participation, %(before)s and %(now)s") % {"before": year - 1, "now": year},
        _(
            "Horizontal bars, one pair per figure of the training sessions held in %(place)s: "
            "sessions, confirmed registrations and attendance, in %(before)s and in "
            "%(now)s. The table that follows gives the same numbers."
        )
        % {"place": place, "before": year - 1, "now": year},
        lookup,
        [
            (str(d.BY_SLUG[d.SESSIONS].name), d.SESSIONS, None),
            (str(d.BY_SLUG[d.REGISTRATIONS].name), d.REGISTRATIONS, None),
            (str(d.BY_SLUG[d.TRAINING_ATTENDANCE].name), d.TRAINING_ATTENDANCE, None),
        ],
        shown,
        "",
    )
    context["evaluation"] = {
        "before": _text(lookup.get(d.EVALUATION, year - 1)),
        "now": _text(lookup.get(d.EVALUATION, year)),
    }
    # Per parish, per 1,000 inhabitants (parishes whose population is known).
    parishes = data["parishes"]
    per_parish = {
        row["parish"]: row["value"]
        for row in data["rows"]
        if row["indicator"] == d.PER_THOUSAND and row["year"] == year and row["parish"]
    }
    chosen = [
        code
        for code in parishes
        if code in per_parish and (zone_slug is None or parishes[code]["zone"] == zone_slug)
    ]
    context["per_thousand"] = _text(lookup.get(d.PER_THOUSAND, year))
    context["unknown_population"] = sum(
        1
        for code, parish in parishes.items()
        if code not in data["population"] and (zone_slug is None or parish["zone"] == zone_slug)
    )
    context["parish_chart"] = (
        bar_chart(
            chart_id="chart-per-thousand",
            title=_("Participation per 1,000 inhabitants by parish, %(year)s") % {"year": year},
            description=_(
                "Horizontal bars, one per parish of %(place)s whose population is known: "
                "distinct participants living in the parish per 1,000 inhabitants in "
                "%(year)s. The table that follows gives the same numbers."
            )
            % {"place": place, "year": year},
            series=[str(year)],
            rows=[(parishes[code]["name"], [per_parish[code]]) for code in chosen],
            unit=d.UNIT_LABELS["per_1000_inhabitants"],
        )
        if chosen
        else None
    )
    # Parishes without participation in the year, by zone.
    quiet = data["inactive"].get(year, [])
    by_zone: dict[str, list] = {}
    for code in quiet:
        zone = parishes[code]["zone"]
        if zone_slug is None or zone == zone_slug:
            by_zone.setdefault(zone, []).append({"code": code, "name": parishes[code]["name"]})
    context["quiet"] = [
        {"zone": data["zones"].get(zone, zone), "parishes": items}
        for zone, items in sorted(by_zone.items(), key=lambda item: data["zones"].get(item[0], ""))
    ]
    context["quiet_count"] = sum(len(group["parishes"]) for group in context["quiet"])
    # Assemblies held per year and type, every year (the 2021 against 2022 comparison).
    history = []
    for each in all_years:
        counts = [lookup.get(d.ASSEMBLIES, each, kind) or 0 for kind in labels[d.ASSEMBLIES]]
        history.append({"year": each, "counts": counts, "total": sum(counts)})
    context["assembly_history"] = history
    context["assembly_kinds"] = [str(label) for label in labels[d.ASSEMBLIES].values()]
    return context


def sheet_context(indicator: d.Indicator) -> dict:
    """A methodology sheet with the indicator's values for the city and each zone."""
    data = _payload()
    labels = d.category_labels().get(indicator.slug, {})
    values = [
        {
            **row,
            "zone_name": data["zones"].get(row["zone"], row["zone"]) if row["zone"] else None,
            "parish_name": (data["parishes"].get(row["parish"]) or {}).get("name"),
            "category_name": str(labels.get(row["category"], row["category"] or "")),
            "value_text": _text(row["value"]),
        }
        for row in data["rows"]
        if row["indicator"] == indicator.slug
    ]
    return {
        "indicator": indicator,
        "sheet": methodology(indicator),
        "unit_label": d.UNIT_LABELS[indicator.unit],
        "category_label": indicator.category_label,
        "values": values,
    }
