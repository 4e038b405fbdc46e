"""The city's second open-government action plan (PAGA 2, 2022-2023) for `make run`: its
five commitments, their milestones with the statuses of the May 2023 compliance report,
and their verifiables, from opengov/data/paga2.json (the report's facts, its long texts
summarised in our words). Also makes sure the open-government staff group exists.

Idempotent, and staff's work wins: a plan already in the database (same slug) is left as
it is, since the open-government team may have updated its statuses in the admin since.
"""

import datetime
import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from . import services
from .models import ActionPlan, Commitment, Milestone, MilestoneStatus, Verifiable

DATA = Path(__file__).resolve().parent / "data" / "paga2.json"
PLAN_FIELDS = (
    "number",
    "title",
    "start_year",
    "end_year",
    "summary",
    "status_source",
    "documents_url",
)


@dataclass
class LoadSummary:
    created: bool
    plan: str
    commitments: int = 0
    milestones: int = 0
    verifiables: int = 0


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def read_data(path: Path = DATA) -> dict:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


@transaction.atomic
def load_opengov(path: Path = DATA) -> LoadSummary:
    services.group_ensure()
    data = read_data(path)
    values = data["plan"]
    if ActionPlan.objects.filter(slug=values["slug"]).exists():
        return LoadSummary(created=False, plan=values["slug"])
    plan = ActionPlan(
        slug=values["slug"],
        approved_on=_date(values.get("approved_on")),
        launched_on=_date(values.get("launched_on")),
        status_as_of=_date(values.get("status_as_of")),
        **{name: values.get(name, "") for name in PLAN_FIELDS},
    )
    plan.full_clean()
    plan.save()
    summary = LoadSummary(created=True, plan=plan.slug)
    statuses = set(MilestoneStatus.values)
    for item in data["commitments"]:
        commitment = Commitment(
            plan=plan,
            number=item["number"],
            title=item["title"],
            description=item.get("description", ""),
            responsible=item["responsible"],
            counterpart=item.get("counterpart", ""),
        )
        commitment.full_clean()
        commitment.save()
        summary.commitments += 1
        for order, row in enumerate(item["milestones"]):
            if row["status"] not in statuses:
                raise ValueError(f"Unknown milestone status {row['status']!r} in {path.name}")
            milestone = Milestone(
                commitment=commitment,
                sort_order=order,
                title=row["title"],
                status=row["status"],
                note=row.get("note", ""),
            )
            milestone.full_clean()
            milestone.save()
            summary.milestones += 1
            for position, document in enumerate(row.get("verifiables", [])):
                verifiable = Verifiable(
                    milestone=milestone,
                    sort_order=position,
                    title=document["title"],
                    url=document.get("url", ""),
                )
                verifiable.full_clean()
                verifiable.save()
                summary.verifiables += 1
    return summary
