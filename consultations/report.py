"""The participation report of a closed consultation: its page, its print view and its
CSV and JSON downloads (through the export module), with every contribution's disposition
and a summary per article."""

from collections import Counter

from django.db.models import Count
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from discussions.models import Comment, Support
from quitodecide import exports

from . import dispositions
from .models import ConsultationPage, Disposition, InPersonSession, SessionObservation
from .selectors import STANCES, version_provisions


def report_data(consultation: ConsultationPage) -> dict:
    """Everything the participation report shows, in a fixed number of queries."""
    # The text consulted: the latest version that is not the enacted ordinance.
    version = consultation.versions.filter(is_enacted=False).order_by("-number").first()
    provisions = version_provisions(version) if version else []
    articles = dispositions.consultation_articles(consultation)
    thread_ids = [a.thread_id for a in articles if a.thread_id]
    comments = list(
        Comment.objects.filter(thread_id__in=thread_ids)
        .exclude(status=Comment.Status.DELETED)
        .select_related("author__resident__zone", "author__resident__parish", "disposition")
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
        .select_related("session__parish", "disposition")
        .order_by("session__held_on", "pk")
    )
    dispositions.distribute(articles, comments, observations)
    article_by_thread = {a.thread_id: a for a in articles if a.thread_id}
    general = articles[-1]
    per_article = []
    for provision in provisions:
        if not provision.is_commentable:
            continue
        article = article_by_thread.get(provision.thread_id)
        per_article.append(
            {
                "provision": provision,
                "favor": provision.counts["favor"],
                "contra": provision.counts["contra"],
                "neutral": provision.counts["neutral"],
                "total": provision.counts["total"],
                "supports": supports.get(provision.thread_id, 0),
                "observations": len(article.observations) if article else 0,
                "dispositions": article.summary if article else None,
            }
        )
    for comment in comments:
        comment.place_label = article_by_thread.get(comment.thread_id, general).label
        comment.report_disposition = (
            dispositions.disposition_of(comment)
            if comment.status == Comment.Status.VISIBLE and not comment.is_official
            else None
        )
    for observation in observations:
        observation.place_label = observation.article.label
    disposed_articles = [a for a in articles if a.contributions]
    top = sorted(
        (c for c in citizen if c.parent_id is None),
        key=lambda c: (-c.support_count, c.created_at),
    )[:10]
    official = [c for c in visible if c.is_official]
    attendance = sum(s.attendees for s in sessions)
    return {
        "version": version,
        "per_article": per_article,
        "articles": disposed_articles,
        "disposition_totals": dispositions.summary_totals(disposed_articles),
        "outcomes": Disposition.Outcome.choices,
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
    # Every contribution is a row: comments, and in-person observations (kind
    # "observation", with their own id and session), each with its disposition.
    "kind",
    "observation_id",
    "session",
    "disposition",
    "disposition_label",
    "disposition_reason",
    "decided_at",
]


def _disposition_cells(disposition) -> dict:
    if disposition is None:
        return {
            "disposition": "",
            "disposition_label": "",
            "disposition_reason": "",
            "decided_at": "",
        }
    return {
        "disposition": disposition.outcome,
        "disposition_label": disposition.get_outcome_display(),
        "disposition_reason": disposition.reason,
        "decided_at": disposition.decided_at.isoformat(),
    }


def _public_author(comment) -> str:
    """The display name only where the person made one public; never e-mail or cédula."""
    resident = getattr(comment.author, "resident", None)
    if comment.is_official:
        return "Administración"
    if comment.author_id is None:  # the author deleted their account
        return _("Anonymous participant")
    return resident.display_name if resident and resident.display_name else ""


def report_rows(consultation, data=None) -> list[dict]:
    """One row per comment, then one per in-person observation, each with its disposition;
    a hidden comment keeps its place but never its text (nor a disposition)."""
    if data is None:
        data = report_data(consultation)
    return comment_rows(data) + observation_rows(data)


def comment_rows(data) -> list[dict]:
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
                "kind": "comment",
                "observation_id": "",
                "session": "",
                **_disposition_cells(None if hidden else comment.report_disposition),
            }
        )
    return rows


def observation_rows(data) -> list[dict]:
    rows = []
    for observation in data["observations"]:
        session = observation.session
        rows.append(
            {
                "comment_id": "",
                "created_at": observation.created_at.isoformat(),
                "article": observation.place_label,
                "revision": observation.revision,
                "parent_id": "",
                "official": False,
                "status": "",
                "stance": observation.stance,
                "supports": "",
                "author": "",
                "author_zone": "",
                "author_parish": "",
                "body": observation.text,
                "proposed_wording": "",
                "kind": "observation",
                "observation_id": observation.pk,
                "session": f"{session.place} ({session.held_on:%d/%m/%Y})",
                **_disposition_cells(observation.current_disposition),
            }
        )
    return rows


def _summary_json(article) -> dict:
    summary = article.summary
    return {
        "article": article.label,
        "key": article.key,
        "in_current_version": article.current,
        "contributions": summary["total"],
        "taken_up": summary["taken_up"],
        "pending": summary["pending"],
        **{outcome: summary[outcome] for outcome in Disposition.Outcome.values},
    }


REPORT_EXPORT = exports.register(
    "consultations.report",
    description=(
        "A closed consultation's participation report: figures, every comment and in-person "
        "observation, and their dispositions."
    ),
)


def report_download(request, consultation, fmt):
    if not _report_allowed(consultation):
        raise Http404
    data = report_data(consultation)
    comments, observations = comment_rows(data), observation_rows(data)
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
            "dispositions": {
                "outcomes": dict(Disposition.Outcome.choices),
                "totals": data["disposition_totals"],
                "per_article": [_summary_json(article) for article in data["articles"]],
            },
            "in_person_sessions": [
                {
                    "date": s.held_on.isoformat(),
                    "place": s.place,
                    "parish": s.parish.name if s.parish else "",
                    "attendees": s.attendees,
                }
                for s in data["sessions"]
            ],
            "comments": comments,
            "observations": observations,
            "licence": "CC BY 4.0",
        }
        return exports.json_response(REPORT_EXPORT, filename=filename, data=payload)
    return exports.csv_response(
        REPORT_EXPORT, filename=filename, header=CSV_COLUMNS, rows=comments + observations
    )
