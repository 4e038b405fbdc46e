"""The participation indicators: the page with its charts, a methodology sheet per
indicator (page and JSON) and the downloadable dataset. Thin: the figures come from
`selectors` (cached), the files from `quitodecide.exports`."""

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from quitodecide import exports

from . import definitions, selectors
from .forms import IndicatorFilterForm

DATASET_EXPORT = exports.register(
    "indicators.dataset",
    formats=["csv", "json"],
    description="Every participation indicator value, by zone, parish, year and category.",
)
SHEET_EXPORT = exports.register(
    "indicators.sheet",
    formats=["json"],
    description="One indicator's methodology sheet with its values.",
)
DATASET_COLUMNS = (
    "indicator",
    "indicator_name",
    "zone",
    "zone_name",
    "parish",
    "parish_name",
    "year",
    "category",
    "category_name",
    "value",
    "unit",
)


@require_safe
def index(request):
    form = IndicatorFilterForm(request.GET or None, years=selectors.years())
    criteria = form.criteria() if form.is_bound else {"zone_slug": None, "year": None}
    context = selectors.page_context(**criteria)
    context.update({"form": form, "ignored": form.ignored() if form.is_bound else []})
    return render(request, "indicators/index.html", context)


def _indicator(slug):
    indicator = definitions.BY_SLUG.get(slug)
    if indicator is None:
        raise Http404(_("There is no indicator with this name."))
    return indicator


@require_safe
def sheet(request, slug):
    context = selectors.sheet_context(_indicator(slug))
    return render(request, "indicators/sheet.html", context)


@require_safe
def sheet_json(request, slug):
    indicator = definitions.BY_SLUG.get(slug)
    if indicator is None:
        return JsonResponse({"error": _("There is no indicator with this name.")}, status=404)
    values = [row for row in selectors.dataset_rows() if row["indicator"] == slug]
    return exports.json_response(
        SHEET_EXPORT,
        filename=f"ficha-{slug}",
        data={"methodology": selectors.methodology(indicator), "values": values},
    )


@require_safe
def dataset_csv(request):
    return exports.csv_response(
        DATASET_EXPORT,
        filename="indicadores-participacion",
        header=DATASET_COLUMNS,
        rows=selectors.dataset_rows(),
    )


@require_safe
def dataset_json(request):
    return exports.json_response(
        DATASET_EXPORT,
        filename="indicadores-participacion",
        data={
            "methodologies": selectors.methodologies(),
            "values": selectors.dataset_rows(),
        },
    )
