"""API: the dataset catalogue (opendata.registry), the participation indicators and their
methodology sheets (indicators.selectors) and the open-government action plans
(opengov.selectors). The indicators and open-government modules are imported when an
endpoint is called, so that the API (and its OpenAPI document) never depends on their
import order."""

import datetime
import importlib

from django.urls import reverse
from ninja import Field, Query, Router, Schema

from .apikit import Error, Page, PageParams, paginate, parish_by_code, zone_by_slug

router = Router()


# --- datasets -------------------------------------------------------------------------------
class DistributionOut(Schema):
    format: str
    media_type: str
    url: str


class ColumnOut(Schema):
    name: str
    type: str
    description: str


class DatasetOut(Schema):
    slug: str
    title: str
    description: str
    theme: str
    keywords: list[str]
    frequency: str = Field(description="EU frequency code: CONT, DAILY, WEEKLY, MONTHLY...")
    licence: str
    licence_url: str
    publisher: str
    spatial: str
    modified: datetime.datetime | datetime.date | None
    distributions: list[DistributionOut]
    dictionary: list[ColumnOut]


def _dataset_data(request, dataset, publisher: str) -> dict:
    distributions = []
    for item in dataset.distributions:
        url = reverse(item.url_name, args=item.url_args)
        if item.query:
            url = f"{url}?{item.query}"
        distributions.append(
            {
                "format": item.format,
                "media_type": item.media_type,
                "url": request.build_absolute_uri(url),
            }
        )
    return {
        "slug": dataset.slug,
        "title": str(dataset.title),
        "description": str(dataset.description),
        "theme": str(dataset.theme),
        "keywords": [str(word) for word in dataset.keywords],
        "frequency": dataset.frequency,
        "licence": dataset.licence,
        "licence_url": dataset.licence_url,
        "publisher": publisher,
        "spatial": str(dataset.spatial),
        "modified": dataset.modified(),
        "distributions": distributions,
        "dictionary": [
            {"name": column.name, "type": column.type, "description": str(column.description)}
            for column in dataset.dictionary
        ],
    }


@router.get(
    "/datasets", response={200: Page[DatasetOut], 400: Error, 404: Error}, tags=["datasets"]
)
def datasets(request, params: Query[PageParams]):
    """The open datasets (the catalogue of /datos/), with their downloads and dictionaries."""
    from . import registry

    return paginate(
        request,
        registry.datasets(),
        params,
        lambda dataset: _dataset_data(request, dataset, registry.PUBLISHER),
    )


# --- indicators -----------------------------------------------------------------------------
def _indicators():
    return importlib.import_module("indicators.selectors")


class IndicatorValueOut(Schema):
    indicator: str = Field(description="Indicator slug (see /indicators/methodologies).")
    zone: str | None = Field(description="Zone slug; null for the whole city.")
    parish: str | None = Field(description="DPA code; null for a zone or the city.")
    year: int
    category: str | None = Field(
        None, description="An assembly type, a work status or a vote channel, if any."
    )
    value: float
    unit: str


class MethodologyOut(Schema):
    slug: str
    name: str
    definition: str
    formula: str
    source: str
    unit: str
    breakdowns: list[str]
    periodicity: str
    responsible: str


class IndicatorFilters(Schema):
    zone: str | None = Field(None, description="Zone slug: that zone's values and its parishes'.")
    parish: str | None = Field(None, description="DPA code of the parish.")
    year: int | None = Field(None, ge=2000, le=2100)
    indicator: str | None = Field(None, description="Indicator slug.")


@router.get(
    "/indicators",
    response={200: Page[IndicatorValueOut], 400: Error, 404: Error},
    tags=["indicators"],
)
def indicators(request, filters: Query[IndicatorFilters], params: Query[PageParams]):
    """Participation indicators, one row per value (indicator, place, year, category)."""
    zone = zone_by_slug(filters.zone)
    parish = parish_by_code(filters.parish)
    rows = _indicators().indicator_rows(zone_slug=zone.slug if zone else None, year=filters.year)
    if parish is not None:
        rows = [row for row in rows if row.get("parish") == parish.dpa_code]
    if filters.indicator:
        rows = [row for row in rows if row.get("indicator") == filters.indicator]
    return paginate(request, rows, params, dict)


@router.get("/indicators/methodologies", response=list[MethodologyOut], tags=["indicators"])
def indicator_methodologies(request):
    """The methodology sheet (ficha) of every indicator."""
    return _indicators().methodologies()


# --- open government -------------------------------------------------------------------------
class VerifiableOut(Schema):
    title: str
    url: str


class MilestoneOut(Schema):
    number: int
    title: str
    status: str
    status_label: str
    status_note: str
    verifiables: list[VerifiableOut]


class CommitmentOut(Schema):
    number: int
    title: str
    description: str = ""
    responsible: str
    counterpart: str
    progress_percent: float
    milestones: list[MilestoneOut]


class PlanOut(Schema):
    slug: str
    number: int
    title: str
    start_year: int
    end_year: int
    summary: str = ""
    approved_on: datetime.date | None = None
    status_as_of: datetime.date | None = None
    progress_percent: float
    commitments: list[CommitmentOut]


@router.get("/open-government/plans", response=list[PlanOut], tags=["open government"])
def open_government_plans(request):
    """The city's open-government action plans, their commitments, milestones and
    verifiables, newest plan first."""
    selectors = importlib.import_module("opengov.selectors")
    return selectors.plans(base_url=request.build_absolute_uri("/").rstrip("/"))
