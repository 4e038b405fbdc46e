"""The participation report of a closed consultation: its page, its print view and its
CSV and JSON downloads (through the export module), with every contribution's disposition
and a summary per article."""

from collections import Counter, defaultdict

from django.db.models import Count
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from discussions.models import Comment, Support
from quitodecide import exports

from .models import ConsultationPage, InPersonSession, SessionObservation
from .selectors import STANCES, version_provisions


def report_data(consultation: ConsultationPage) -> dict:
    """Everything the participation report shows, in a fixed number of queries."""
    version = consultation.versions.order_by("-number").first()
    provisions = version_provisions(version) if version else []
    thread_ids = [p.thread_id for p in provisions if p.thread_id]
    if consultation.general_thread_id:
        thread_ids.append(consultation.general_thread_id)
    comments = list(
        Comment.objects.filter(thread_id__in=thread_ids)
        .exclude(status=Comment.Status.DELETED)
        .select_related("author__resident__zone", "author__resident__parish")
        .order_by("created_at", "pk")
    )
    visible = [c for c in comments if c.status == Comment.Status.VISIBLE]
    citizen = [c for c in visible if not c.is_official]
    participants = {c.author_id: c.author for c in citizen}
    by_zone = Counter()
    by_parish = Counter()
    for author in participants.values():
        resident = getattr(author, "resident", None)
        by_zone[resident.zone.name if resident and resident.zone else "—"] += 1
        by_parish[resident.parish.name if resident and resident.parish else "—"] += 1
    by_stance = Counter(c.stance for c in citizen if c.stance)
    supports = dict(
        Support.objects.filter(comment__thread_id__in=thread_ids)
        .values("comment__thread_id")
        .annotate(n=Count("pk"))
        .values_list("comment__thread_id", "n")
    )
    sessions = list(
        InPersonSession.objects.filter(consultation=consultation)
        .select_related("parish")
        .annotate(observation_count=Count("observations"))
    )
    observations = list(
        SessionObservation.objects.filter(session__consultation=consultation)
        .select_related("session__parish")
        .order_by("session__held_on", "pk")
    )
    observations_by_key = defaultdict(list)
    for observation in observations:
        observations_by_key[observation.provision_key].append(observation)
    label_by_thread = {p.thread_id: p.label for p in provisions if p.thread_id}
    per_article = []
    for provision in provisions:
        if not provision.is_commentable:
            continue
        per_article.append(
            {
                "provision": provision,
                "favor": provision.counts["favor"],
                "contra": provision.counts["contra"],
                "neutral": provision.counts["neutral"],
                "total": provision.counts["total"],
                "supports": supports.get(provision.thread_id, 0),
                "observations": len(observations_by_key.get(provision.key, [])),
            }
        )
    for comment in comments:
        comment.place_label = label_by_thread.get(comment.thread_id, "General")
    top = sorted(
        (c for c in citizen if c.parent_id is None),
        key=lambda c: (-c.support_count, c.created_at),
    )[:10]
    official = [c for c in visible if c.is_official]
    attendance = sum(s.attendees for s in sessions)
    return {
        "version": version,
        "per_article": per_article,
        "comments": comments,
        "citizen_comments": citizen,
        "participants": len(participants),
        "by_zone": sorted(by_zone.items(), key=lambda kv: (-kv[1], kv[0])),
        "by_parish": sorted(by_parish.items(), key=lambda kv: (-kv[1], kv[0])),
        "by_stance": {stance: by_stance.get(stance, 0) for stance in STANCES},
        "top_comments": top,
        "official_answers": official,
        "sessions": sessions,
        "attendance": attendance,
        "observations": observations,
        "observations_by_key": dict(observations_by_key),
        "hidden_count": sum(1 for c in comments if c.status == Comment.Status.HIDDEN),
        "versions": list(consultation.versions.order_by("number")),
    }


def _report_allowed(consultation) -> bool:
    return consultation.status in {"cerrada", "informe"}


def report(request, consultation):
    if not _report_allowed(consultation):
        raise Http404
    data = report_data(consultation)
    return TemplateResponse(request, "consultations/report.html", {"page": consultation, **data})


CSV_COLUMNS = [
    "comment_id",
    "created_at",
    "article",
    "revision",
    "parent_id",
    "official",
    "status",
    "stance",
    "supports",
    "author",
    "author_zone",
    "author_parish",
    "body",
    "proposed_wording",
]


def _public_author(comment) -> str:
    """The display name only where the person made one public; never e-mail or cédula."""
    resident = getattr(comment.author, "resident", None)
    if comment.is_official:
        return "Administración"
    if comment.author_id is None:  # the author deleted their account
        return _("Anonymous participant")
    return resident.display_name if resident and resident.display_name else ""


def report_rows(consultation, data=None) -> list[dict]:
    """One row per comment; a hidden comment keeps its place but never its text."""
    if data is None:
        data = report_data(consultation)
    rows = []
    for comment in data["comments"]:
        resident = getattr(comment.author, "resident", None)
        hidden = comment.status == Comment.Status.HIDDEN
        rows.append(
            {
                "comment_id": comment.pk,
                "created_at": comment.created_at.isoformat(),
                "article": comment.place_label,
                "revision": comment.revision,
                "parent_id": comment.parent_id,
                "official": comment.is_official,
                "status": comment.status,
                "stance": comment.stance,
                "supports": comment.support_count,
                "author": _public_author(comment),
                "author_zone": resident.zone.name if resident and resident.zone else "",
                "author_parish": resident.parish.name if resident and resident.parish else "",
                "body": "" if hidden else comment.body,
                "proposed_wording": "" if hidden else comment.proposed_wording,
            }
        )
    return rows


REPORT_EXPORT = exports.register(
    "consultations.report",
    description="A closed consultation's participation report: figures and every comment.",
)


def report_download(request, consultation, fmt):
    if not _report_allowed(consultation):
        raise Http404
    data = report_data(consultation)
    rows = report_rows(consultation, data)
    filename = f"informe-{consultation.slug}"
    if fmt == "json":
        payload = {
            "consultation": {
                "title": consultation.title,
                "url": consultation.full_url,
                "responsible_body": consultation.responsible_body,
                "opens_at": consultation.opens_at.isoformat(),
                "closes_at": consultation.closes_at.isoformat(),
                "version": data["version"].number if data["version"] else None,
            },
            "participants": data["participants"],
            "by_stance": data["by_stance"],
            "per_article": [
                {
                    "key": row["provision"].key,
                    "label": row["provision"].label,
                    "favor": row["favor"],
                    "contra": row["contra"],
                    "neutral": row["neutral"],
                    "supports": row["supports"],
                    "in_person_observations": row["observations"],
                }
                for row in data["per_article"]
            ],
            "in_person_sessions": [
                {
                    "date": s.held_on.isoformat(),
                    "place": s.place,
                    "parish": s.parish.name if s.parish else "",
                    "attendees": s.attendees,
                }
                for s in data["sessions"]
            ],
            "comments": rows,
            "licence": "CC BY 4.0",
        }
        return exports.json_response(REPORT_EXPORT, filename=filename, data=payload)
    return exports.csv_response(REPORT_EXPORT, filename=filename, header=CSV_COLUMNS, rows=rows)
