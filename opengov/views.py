"""Public pages of the open-government action plans, and the milestones download."""

from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from opendata.registry import LICENCE, LICENCE_URL, PUBLISHER
from quitodecide import exports

from . import selectors

MILESTONES_EXPORT = exports.register(
    "opengov.milestones",
    description=(
        "Milestones of the open-government action plans, with status, note, verifiables and "
        "their commitment's progress: CSV and JSON (CC BY 4.0)."
    ),
)
MAX_NUMBER = 32767  # a commitment number is a small integer; larger ones are simply not there


def _plan_view(plan):
    commitments = []
    for item in plan.commitments.all():
        milestones = list(item.milestones.all())
        commitments.append(
            {
                "commitment": item,
                "progress": selectors.commitment_progress(item),
                "milestones": selectors.numbered(milestones),
                "status_counts": selectors.status_counts(milestones),
            }
        )
    return {"plan": plan, "progress": selectors.plan_progress(plan), "commitments": commitments}


@require_GET
def plan_list(request):
    plans = [_plan_view(plan) for plan in selectors.plan_queryset()]
    return render(request, "opengov/plan_list.html", {"plans": plans})


@require_GET
def plan_detail(request, plan_slug):
    plan = selectors.plan_by_slug(plan_slug)
    if plan is None:
        raise Http404(selectors.unknown_plan_message(plan_slug))
    return render(request, "opengov/plan_detail.html", _plan_view(plan))


@require_GET
def commitment_detail(request, plan_slug, number):
    item = selectors.commitment(plan_slug, number) if number <= MAX_NUMBER else None
    if item is None:
        raise Http404(_("This action plan has no such commitment."))
    milestones = list(item.milestones.all())
    context = {
        "plan": item.plan,
        "commitment": item,
        "progress": selectors.commitment_progress(item),
        "milestones": selectors.numbered(milestones),
        "status_counts": selectors.status_counts(milestones),
    }
    return render(request, "opengov/commitment_detail.html", context)


def _download(request, fmt):
    plan_slug = request.GET.get("plan")
    if plan_slug is not None and not selectors.plan_exists(plan_slug):
        return HttpResponseBadRequest(
            selectors.unknown_plan_message(plan_slug), content_type="text/plain; charset=utf-8"
        )
    base_url = request.build_absolute_uri("/").rstrip("/")
    rows = selectors.milestone_rows(plan_slug=plan_slug, base_url=base_url)
    filename = f"gobierno-abierto-hitos-{plan_slug}" if plan_slug else "gobierno-abierto-hitos"
    if fmt == "csv":
        return exports.csv_response(
            MILESTONES_EXPORT, filename=filename, header=selectors.MILESTONE_COLUMNS, rows=rows
        )
    data = {
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "publisher": PUBLISHER,
        "milestones": [
            {
                **{name: row[name] for name in selectors.MILESTONE_COLUMNS[:-2]},
                "verifiables": row["verifiables_list"],
            }
            for row in rows
        ],
    }
    return exports.json_response(MILESTONES_EXPORT, filename=filename, data=data)


@require_GET
def milestones_csv(request):
    return _download(request, "csv")


@require_GET
def milestones_json(request):
    return _download(request, "json")
