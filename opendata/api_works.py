"""API: public works (obras), through works.selectors.filtered_works, the one selector of
the works list, map and downloads, so the API's set of works for a filter is the page's.
No committee (names or contacts), no contractor RUC, no authors of updates."""

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from works.models import Work
from works.selectors import filtered_works, work_detail

from .apikit import BadFilter, Error, Page, PageParams, not_found, paginate, parish_by_code

router = Router(tags=["works"])
# The API's parameter for each of the works filter form's fields.
API_NAMES = {
    "zona": "zone",
    "parroquia": "parish",
    "estado": "status",
    "anio": "year",
    "origen": "source",
}


class WorkOut(Schema):
    code: str
    title: str
    url: str
    zone: str = Field(description="Zone slug.")
    parish: str | None = Field(description="DPA code.")
    barrio: str
    year: int
    source: str = Field(description="presupuesto_participativo or municipal.")
    status: str = Field(
        description=(
            "planificada, en_contratacion, en_ejecucion, suspendida, finalizada or cancelada."
        )
    )
    physical_progress: float
    financial_progress: float
    amount_assigned_usd: float
    amount_contracted_usd: float | None
    amount_executed_usd: float
    responsible_unit: str
    contractor: str
    contract_number: str
    planned_start: datetime.date | None
    planned_end: datetime.date | None
    actual_start: datetime.date | None
    actual_end: datetime.date | None
    last_update_on: datetime.date | None
    latitude: float | None
    longitude: float | None
    budget_cycle_id: int | None
    budget_request_id: int | None


class PhotoOut(Schema):
    url: str
    alt_text: str
    width: int
    height: int


class UpdateOut(Schema):
    date: datetime.date
    status: str
    from_status: str
    text: str
    photos: list[PhotoOut]


class DocumentOut(Schema):
    title: str
    url: str


class WorkDetail(WorkOut):
    description: str
    updates: list[UpdateOut]
    documents: list[DocumentOut]


class WorkFilters(Schema):
    zone: str | None = Field(None, description="Zone slug.")
    parish: str | None = Field(None, description="DPA code of the parish.")
    year: int | None = Field(None, ge=2000, le=2100)
    status: str | None = Field(None, description="One of the work statuses.")
    source: str | None = Field(None, description="presupuesto_participativo or municipal.")


def _number(value):
    return float(value) if value is not None else None


def _detail_prefix(request) -> str:
    """The absolute URL of a work's page without its code (one reverse for a whole page)."""
    marker = "CODE"
    url = request.build_absolute_uri(reverse("works:detail", args=[marker]))
    return url[: url.rindex(marker)]


def _work_data(work: Work, prefix: str) -> dict:
    return {
        "code": work.code,
        "title": work.title,
        "url": f"{prefix}{work.code}/",
        "zone": work.zone.slug,
        "parish": work.parish.dpa_code if work.parish_id else None,
        "barrio": work.barrio_name,
        "year": work.year,
        "source": work.source,
        "status": work.status,
        "physical_progress": _number(work.physical_progress),
        "financial_progress": _number(work.financial_progress),
        "amount_assigned_usd": _number(work.amount_assigned),
        "amount_contracted_usd": _number(work.amount_contracted),
        "amount_executed_usd": _number(work.amount_executed),
        "responsible_unit": work.responsible_unit,
        "contractor": work.contractor_name,
        "contract_number": work.contract_number,
        "planned_start": work.planned_start,
        "planned_end": work.planned_end,
        "actual_start": work.actual_start,
        "actual_end": work.actual_end,
        "last_update_on": work.last_update_on,
        "latitude": _number(work.latitude),
        "longitude": _number(work.longitude),
        "budget_cycle_id": work.cycle_id,
        "budget_request_id": work.request_id,
    }


@router.get("/works", response={200: Page[WorkOut], 400: Error, 404: Error})
def works(request, filters: Query[WorkFilters], params: Query[PageParams]):
    """Public works, most recently updated first (the order of /obras/)."""
    parish = parish_by_code(filters.parish)
    query = {
        "zona": filters.zone or "",
        "parroquia": str(parish.pk) if parish is not None else "",
        "estado": filters.status or "",
        "anio": str(filters.year) if filters.year else "",
        "origen": filters.source or "",
    }
    # Any year is a valid filter here (a year without works is an empty page, not an error).
    chosen = filtered_works(query, years=[filters.year] if filters.year else [])
    for name in chosen.ignored:
        errors = chosen.form.errors.get(name) or [_("Not a valid value.")]
        raise BadFilter(API_NAMES.get(name, name), str(errors[0]))
    prefix = _detail_prefix(request)
    return paginate(request, chosen.queryset, params, lambda work: _work_data(work, prefix))


@router.get("/works/{code}", response={200: WorkDetail, 404: Error})
def work(request, code: str):
    """One work with its history of updates (and their photos) and its documents."""
    try:
        found = work_detail(code)
    except Work.DoesNotExist:
        raise not_found() from None
    data = _work_data(found, _detail_prefix(request))
    data["description"] = found.description
    data["updates"] = [
        {
            "date": update.date,
            "status": update.status,
            "from_status": update.from_status,
            "text": update.text,
            "photos": [
                {
                    "url": request.build_absolute_uri(photo.image.url),
                    "alt_text": photo.alt_text,
                    "width": photo.width,
                    "height": photo.height,
                }
                for photo in update.photos.all()
            ],
        }
        for update in found.timeline
    ]
    data["documents"] = [
        {"title": item.title, "url": request.build_absolute_uri(item.document.url)}
        for item in found.documents.all()
    ]
    return data
