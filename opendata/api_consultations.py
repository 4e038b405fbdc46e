"""API: consultations on draft ordinances (live, public pages only), their articles with
per-stance comment counts, and their comments, anonymised: text, stance, date, article and
supports; never an author, and never a hidden or deleted comment."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from consultations.models import ConsultationPage, Provision
from consultations.models import Status as ConsultationStatus
from consultations.selectors import consultation_list, version_provisions
from discussions.models import Comment, Stance, Thread

from .apikit import BadFilter, Error, Page, PageParams, not_found, paginate, zone_by_slug

router = Router(tags=["consultations"])
CITY = "ciudad"
StatusValue = ConsultationStatus.values


class Counts(Schema):
    total: int
    favor: int
    contra: int
    neutral: int


class ConsultationOut(Schema):
    id: int
    title: str
    url: str
    zone: str | None = Field(description="Zone slug; null for a city-wide consultation.")
    summary: str
    responsible_body: str
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    status: str = Field(description="proxima, abierta, cerrada or informe.")
    report_published: bool
    last_published_at: datetime.datetime | None


class ArticleOut(Schema):
    key: str = Field(description="Stable key of the article across versions (comments follow it).")
    label: str
    kind: str = Field(description="heading, article or disposition.")
    heading: str
    body: str
    level: int
    comments: Counts | None = Field(description="Visible comments by stance; null for headings.")


class SessionOut(Schema):
    held_on: datetime.date
    place: str
    parish: str | None = Field(description="DPA code of the parish.")
    attendees: int


class ConsultationDetail(ConsultationOut):
    version: int | None = Field(description="Number of the current version of the text.")
    version_published_at: datetime.datetime | None
    articles: list[ArticleOut]
    general_comments: Counts
    comments: Counts = Field(description="All visible comments (articles and general).")
    sessions: list[SessionOut]


class CommentOut(Schema):
    id: int
    article: str | None = Field(description="Article key; null for the general discussion.")
    parent_id: int | None
    stance: str | None
    text: str
    proposed_wording: str
    is_official: bool = Field(description="An official answer of the responsible body.")
    supports: int
    created_at: datetime.datetime
    edited_at: datetime.datetime | None


class ConsultationFilters(Schema):
    zone: str | None = Field(None, description="Zone slug, or “ciudad” for city-wide ones.")
    status: str | None = Field(None, description="proxima, abierta, cerrada or informe.")
    year: int | None = Field(None, ge=2000, le=2100, description="Year it opens.")


def _consultation_data(page, zone, status) -> dict:
    return {
        "id": page.pk,
        "title": page.title,
        "url": page.full_url or page.url,
        "zone": zone.slug if zone else None,
        "summary": page.summary,
        "responsible_body": page.responsible_body,
        "opens_at": page.opens_at,
        "closes_at": page.closes_at,
        "status": status,
        "report_published": page.report_published,
        "last_published_at": page.last_published_at,
    }


@router.get("/consultations", response={200: Page[ConsultationOut], 400: Error, 404: Error})
def consultations(request, filters: Query[ConsultationFilters], params: Query[PageParams]):
    """Consultations on draft ordinances, newest first."""
    if filters.zone and filters.zone != CITY:
        zone_by_slug(filters.zone)
    if filters.status and filters.status not in StatusValue:
        raise BadFilter("status", _choices_message(StatusValue))
    data = consultation_list({"zona": filters.zone or "", "estado": filters.status or ""})
    rows = data["consultations"]
    if filters.year:
        rows = [
            row for row in rows if timezone.localtime(row["page"].opens_at).year == filters.year
        ]
    return paginate(
        request,
        rows,
        params,
        lambda row: _consultation_data(row["page"], row["zone"], row["status"]),
    )


def _choices_message(values) -> str:
    return _("Use one of: %(values)s.") % {"values": ", ".join(values)}


def _live_consultation(consultation_id: int) -> ConsultationPage:
    page = ConsultationPage.objects.live().public().filter(pk=consultation_id).first()
    if page is None:
        raise not_found()
    return page


EMPTY = {"total": 0, "favor": 0, "contra": 0, "neutral": 0}


@router.get("/consultations/{consultation_id}", response={200: ConsultationDetail, 404: Error})
def consultation(request, consultation_id: int):
    """One consultation: its current text article by article with the visible comments on
    each by stance, the general discussion's counts and the in-person sessions."""
    page = _live_consultation(consultation_id)
    version = page.versions.order_by("-number").first()
    provisions = version_provisions(version) if version else []
    general = EMPTY
    if page.general_thread_id:
        thread = Thread.objects.filter(pk=page.general_thread_id).first()
        general = thread.counts if thread else EMPTY
    totals = dict(general)
    articles = []
    for provision in provisions:
        counts = provision.counts if provision.is_commentable else None
        if counts:
            for key in totals:
                totals[key] += counts[key]
        articles.append(
            {
                "key": provision.key,
                "label": provision.label,
                "kind": provision.kind,
                "heading": provision.heading,
                "body": provision.body,
                "level": provision.level,
                "comments": counts,
            }
        )
    sessions = page.sessions.select_related("parish").order_by("held_on", "pk")
    data = _consultation_data(page, page.zone, page.status)
    data.update(
        {
            "version": version.number if version else None,
            "version_published_at": version.published_at if version else None,
            "articles": articles,
            "general_comments": general,
            "comments": totals,
            "sessions": [
                {
                    "held_on": session.held_on,
                    "place": session.place,
                    "parish": session.parish.dpa_code if session.parish_id else None,
                    "attendees": session.attendees,
                }
                for session in sessions
            ],
        }
    )
    return data


class CommentFilters(Schema):
    article: str | None = Field(
        None, description="Article key; “general” for the general discussion."
    )
    stance: str | None = Field(None, description="favor, contra or neutral.")


@router.get(
    "/consultations/{consultation_id}/comments",
    response={200: Page[CommentOut], 400: Error, 404: Error},
)
def consultation_comments(
    request, consultation_id: int, filters: Query[CommentFilters], params: Query[PageParams]
):
    """The visible comments of a consultation, oldest first, without their authors."""
    page = _live_consultation(consultation_id)
    article_of = dict(
        Provision.objects.filter(version__consultation=page, thread__isnull=False)
        .order_by("version__number")
        .values_list("thread_id", "key")
    )
    threads = set(article_of)
    if page.general_thread_id:
        threads.add(page.general_thread_id)
    if filters.stance and filters.stance not in Stance.values:
        raise BadFilter("stance", _choices_message(Stance.values))
    if filters.article:
        if filters.article == "general":
            threads = {page.general_thread_id} if page.general_thread_id else set()
        else:
            threads = {thread for thread, key in article_of.items() if key == filters.article}
            if not threads:
                raise BadFilter("article", _("This consultation has no article with that key."))
    comments = (
        Comment.objects.filter(thread_id__in=threads, status=Comment.Status.VISIBLE)
        .only(
            "pk",
            "thread_id",
            "parent_id",
            "stance",
            "body",
            "proposed_wording",
            "is_official",
            "support_count",
            "created_at",
            "edited_at",
        )
        .order_by("created_at", "pk")
    )
    if filters.stance:
        comments = comments.filter(stance=filters.stance)

    def serialise(comment):
        return {
            "id": comment.pk,
            "article": article_of.get(comment.thread_id),
            "parent_id": comment.parent_id,
            "stance": comment.stance or None,
            "text": comment.body,
            "proposed_wording": comment.proposed_wording,
            "is_official": comment.is_official,
            "supports": comment.support_count,
            "created_at": comment.created_at,
            "edited_at": comment.edited_at,
        }

    return paginate(request, comments, params, serialise)
