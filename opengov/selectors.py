"""Reads for the open-government pages, downloads and the API: every action plan with its
commitments, their computed progress and their milestones, in a fixed number of queries
whatever the number of plans, commitments and milestones."""

from django.conf import settings
from django.core.validators import slug_re
from django.db.models import Max, Prefetch
from django.utils import translation
from django.utils.translation import gettext as _

from .models import ActionPlan, Commitment, Milestone, MilestoneStatus, Verifiable
from .progress import of as progress_of

# The columns of the milestones download (CSV and JSON), in order.
MILESTONE_COLUMNS = (
    "plan",
    "plan_title",
    "plan_start_year",
    "plan_end_year",
    "commitment_number",
    "commitment_title",
    "responsible",
    "counterpart",
    "commitment_progress_percent",
    "milestone_number",
    "milestone_title",
    "status",
    "status_label",
    "status_note",
    "verifiables",
    "verifiable_urls",
)


def _milestones():
    verifiables = Verifiable.objects.select_related("document").order_by("sort_order", "pk")
    return Milestone.objects.order_by("sort_order", "pk").prefetch_related(
        Prefetch("verifiables", queryset=verifiables)
    )


def plan_queryset():
    """Plans with their commitments and milestones (and verifiables) prefetched: four
    queries, whatever their number."""
    commitments = Commitment.objects.order_by("number").prefetch_related(
        Prefetch("milestones", queryset=_milestones())
    )
    return ActionPlan.objects.order_by("-number").prefetch_related(
        Prefetch("commitments", queryset=commitments)
    )


def plan_by_slug(slug: str) -> ActionPlan | None:
    return plan_queryset().filter(slug=slug).first()


def commitment(plan_slug: str, number: int) -> Commitment | None:
    """One commitment with its plan, milestones and verifiables (three queries)."""
    return (
        Commitment.objects.select_related("plan")
        .prefetch_related(Prefetch("milestones", queryset=_milestones()))
        .filter(plan__slug=plan_slug, number=number)
        .first()
    )


def numbered(milestones) -> list[tuple[int, Milestone]]:
    """The milestones as the report numbers them ("Hito 1", "Hito 2"...)."""
    return list(enumerate(milestones, start=1))


def commitment_progress(commitment: Commitment):
    return progress_of(milestone.status for milestone in commitment.milestones.all())


def plan_progress(plan: ActionPlan):
    """The plan's milestones fulfilled, over all its milestones."""
    return progress_of(
        milestone.status
        for commitment in plan.commitments.all()
        for milestone in commitment.milestones.all()
    )


def status_counts(milestones) -> list[dict]:
    """How many milestones have each status, in the statuses' order (zeros kept)."""
    statuses = [milestone.status for milestone in milestones]
    return [
        {"status": value, "label": label, "count": statuses.count(value)}
        for value, label in MilestoneStatus.choices
    ]


def _link(verifiable: Verifiable, base_url: str) -> str:
    link = verifiable.link
    return base_url.rstrip("/") + link if link.startswith("/") else link


def plans(*, base_url: str = "") -> list[dict]:
    """Each action plan with its commitments (number, title, responsible, counterpart,
        progress %) and their milestones (title, status, status note, verifiables
        [{title, url}]), newest plan first. Verifiable URLs of documents stored here are site
        paths (/documentos/...) unless `base_url` ("https://host") is given; status labels are
    in the site's language ("Cumplido", "Cumplido*", "Pendiente"). Four queries."""
    with translation.override(settings.LANGUAGE_CODE):  # data speaks the site's language
        labels = {value: str(label) for value, label in MilestoneStatus.choices}
    result = []
    for plan in plan_queryset():
        commitments = []
        for item in plan.commitments.all():
            progress = commitment_progress(item)
            commitments.append(
                {
                    "number": item.number,
                    "title": item.title,
                    "description": item.description,
                    "responsible": item.responsible,
                    "counterpart": item.counterpart,
                    "progress_percent": float(progress.percent),
                    "milestones_fulfilled": progress.fulfilled,
                    "milestones_total": progress.total,
                    "milestones": [
                        {
                            "number": number,
                            "title": milestone.title,
                            "status": milestone.status,
                            "status_label": labels[milestone.status],
                            "status_note": milestone.note,
                            "verifiables": [
                                {"title": verifiable.title, "url": _link(verifiable, base_url)}
                                for verifiable in milestone.verifiables.all()
                            ],
                        }
                        for number, milestone in numbered(item.milestones.all())
                    ],
                }
            )
        overall = plan_progress(plan)
        result.append(
            {
                "slug": plan.slug,
                "number": plan.number,
                "title": plan.title,
                "start_year": plan.start_year,
                "end_year": plan.end_year,
                "summary": plan.summary,
                "approved_on": plan.approved_on,
                "launched_on": plan.launched_on,
                "status_as_of": plan.status_as_of,
                "status_source": plan.status_source,
                "documents_url": plan.documents_url,
                "progress_percent": float(overall.percent),
                "commitments": commitments,
            }
        )
    return result


def milestone_rows(*, plan_slug: str | None = None, base_url: str = "") -> list[dict]:
    """One row per milestone (MILESTONE_COLUMNS), for the downloads; verifiables come as a
    list of {title, url} under "verifiables_list" for the JSON download."""
    rows = []
    for plan in plans(base_url=base_url):
        if plan_slug is not None and plan["slug"] != plan_slug:
            continue
        for item in plan["commitments"]:
            for milestone in item["milestones"]:
                verifiables = milestone["verifiables"]
                rows.append(
                    {
                        "plan": plan["slug"],
                        "plan_title": plan["title"],
                        "plan_start_year": plan["start_year"],
                        "plan_end_year": plan["end_year"],
                        "commitment_number": item["number"],
                        "commitment_title": item["title"],
                        "responsible": item["responsible"],
                        "counterpart": item["counterpart"],
                        "commitment_progress_percent": item["progress_percent"],
                        "milestone_number": milestone["number"],
                        "milestone_title": milestone["title"],
                        "status": milestone["status"],
                        "status_label": milestone["status_label"],
                        "status_note": milestone["status_note"],
                        "verifiables": " | ".join(v["title"] for v in verifiables),
                        "verifiable_urls": " | ".join(v["url"] for v in verifiables),
                        "verifiables_list": verifiables,
                    }
                )
    return rows


def last_modified():
    """When any plan, commitment or milestone last changed (None when there are none)."""
    dates = [
        model.objects.aggregate(latest=Max("updated_at"))["latest"]
        for model in (ActionPlan, Commitment, Milestone)
    ]
    dates = [date for date in dates if date is not None]
    return max(dates) if dates else None


def plan_exists(slug: str) -> bool:
    """Whether `slug` names a plan. Anything that is not a slug (a NUL byte, which
    PostgreSQL refuses in text, spaces, 300 characters...) names none, without a query."""
    if not (0 < len(slug) <= 100 and slug_re.fullmatch(slug)):
        return False
    return ActionPlan.objects.filter(slug=slug).exists()


def unknown_plan_message(slug: str) -> str:
    shown = "".join(ch for ch in slug[:60] if ch.isprintable())
    return _("There is no action plan “%(slug)s”.") % {"slug": shown}
