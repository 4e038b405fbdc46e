"""Dispositions: what became of each citizen contribution to a closed consultation.

A contribution is a visible comment by a resident (top-level or a reply, with or without
proposed wording) on one of the consultation's article threads or its general thread, or
an observation recorded at one of its in-person sessions. Staff of the consultation's zone
give each one a disposition (taken up, partly, not taken up, outside the scope) with a
reason (required unless taken up), in bulk, article by article
(`consultations.admin_dispositions`); the authors with an account are told by e-mail
(`consultations.tasks.notify_dispositions`).

Articles are threads: the article matching makes one thread follow its article across
versions, so contributions are grouped by thread and labelled with the label of the
latest consulted version that has that thread (the enacted text is not a consulted
version). Observations on the ordinance as a whole go with the general comments.

Writes: `disposition_set`. Reads: `consultation_articles`, `article_of`, `pending`,
`decided`, `article_summary`, `summary_totals`, `taken_up_count`, `taken_up_by_thread`;
each in a fixed number of queries.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Func, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from discussions.models import Comment
from quitodecide import rulebook
from quitodecide.errors import DomainError
from quitodecide.pagecache import purge as purge_pages

from . import audit
from .models import ConsultationPage, Disposition, Provision, SessionObservation

Outcome = Disposition.Outcome
TAKEN_UP = (Outcome.ACCEPTED, Outcome.PARTIAL)
GENERAL = "general"  # the slug of the "article" that holds comments on the whole text
MAX_REASON = 2000


# --- which contributions ------------------------------------------------------------------
def _citizen_comments():
    return Comment.objects.filter(status=Comment.Status.VISIBLE, is_official=False)


def _consulted_thread_ids(consultation):
    """A subquery of the article threads of every consulted (not enacted) version."""
    return (
        Provision.objects.filter(
            version__consultation=consultation,
            version__is_enacted=False,
            thread__isnull=False,
        )
        .order_by()
        .values("thread_id")
    )


def _comments_of(consultation):
    """The citizen contributions (comments) of `consultation`, as a queryset."""
    on_articles = Q(thread_id__in=_consulted_thread_ids(consultation))
    if consultation.general_thread_id:
        on_articles |= Q(thread_id=consultation.general_thread_id)
    return _citizen_comments().filter(on_articles)


def _observations_of(consultation):
    return SessionObservation.objects.filter(session__consultation=consultation)


def _current_disposition_q() -> Q:
    """Dispositions whose contribution still is one (an observation, or a visible citizen
    comment: one hidden by moderation or deleted since no longer counts)."""
    return Q(observation__isnull=False) | Q(
        comment__status=Comment.Status.VISIBLE, comment__is_official=False
    )


def disposition_of(contribution) -> Disposition | None:
    """The disposition of a comment or an observation, or None (no query once loaded with
    select_related("disposition"))."""
    try:
        return contribution.disposition
    except Disposition.DoesNotExist:
        return None


# --- articles -----------------------------------------------------------------------------
@dataclass
class Article:
    """One article (a thread, whatever its number in each version), or the ordinance as a
    whole (`slug == "general"`), with its contributions once loaded."""

    slug: str
    thread_id: int | None
    key: str
    label: str
    revision: int | None = None  # the version the label comes from
    current: bool = True  # in the latest consulted version
    provision: Provision | None = None
    comments: list = field(default_factory=list)
    observations: list = field(default_factory=list)

    @property
    def is_general(self) -> bool:
        return self.slug == GENERAL

    @property
    def contributions(self) -> list:
        return [*self.comments, *self.observations]

    @property
    def summary(self) -> dict:
        return article_summary(self)


def consultation_articles(consultation) -> list[Article]:
    """The articles of `consultation` in the order of its latest consulted version, then
    those only earlier versions had, then the ordinance as a whole. One query."""
    provisions = list(
        Provision.objects.filter(
            version__consultation=consultation, version__is_enacted=False, thread__isnull=False
        )
        .select_related("thread", "version")
        .order_by("-version__number", "position")
    )
    latest_number = provisions[0].version.number if provisions else None
    articles: dict[int, Article] = {}
    for provision in provisions:  # newest version first: its label wins
        if provision.thread_id in articles:
            continue
        articles[provision.thread_id] = Article(
            slug=str(provision.thread_id),
            thread_id=provision.thread_id,
            key=provision.key,
            label=provision.label,
            revision=provision.version.number,
            current=provision.version.number == latest_number,
            provision=provision,
        )
    ordered = list(articles.values())
    general = Article(
        slug=GENERAL,
        thread_id=consultation.general_thread_id,
        key="",
        label=_("The ordinance as a whole"),
        revision=latest_number,
    )
    return [*ordered, general]


def _load(consultation, articles: list[Article], only: Article | None = None) -> None:
    """Fill the articles' comments and observations (two queries)."""
    by_thread = {a.thread_id: a for a in articles if a.thread_id is not None}
    comments = _comments_of(consultation)
    observations = _observations_of(consultation)
    if only is not None:
        comments = comments.filter(thread_id=only.thread_id) if only.thread_id else None
        if only.is_general:
            observations = observations.filter(
                Q(thread__isnull=True) | ~Q(thread_id__in=list(by_thread))
            )
        else:
            legacy = Q(thread__isnull=True, provision_key=only.key) if only.current else Q()
            observations = observations.filter(Q(thread_id=only.thread_id) | legacy)
    comments = (
        list(
            comments.select_related("author__resident", "disposition", "parent").order_by(
                "created_at", "pk"
            )
        )
        if comments is not None
        else []
    )
    observations = list(
        observations.select_related("session", "disposition").order_by("session__held_on", "pk")
    )
    distribute(articles, comments, observations, only=only)


def distribute(articles: list[Article], comments, observations, *, only=None) -> None:
    """Put loaded comments (the citizen contributions among them) and observations (loaded
    with select_related("disposition")) on their articles; no query."""
    by_thread = {a.thread_id: a for a in articles if a.thread_id is not None}
    general = next(a for a in articles if a.is_general)
    by_key = {a.key: a for a in articles if a.current and a.key}
    for comment in comments:
        if comment.status != Comment.Status.VISIBLE or comment.is_official:
            continue
        article = by_thread.get(comment.thread_id, general)
        if only is None or article is only:
            comment.current_disposition = disposition_of(comment)
            article.comments.append(comment)
    for observation in observations:
        if observation.thread_id in by_thread:
            article = by_thread[observation.thread_id]
        elif observation.thread_id is None and observation.provision_key in by_key:
            article = by_key[observation.provision_key]  # recorded before threads were kept
        else:
            article = general
        observation.article = article
        if only is None or article is only:
            observation.current_disposition = disposition_of(observation)
            article.observations.append(observation)


def consultation_contributions(consultation) -> list[Article]:
    """Every article with its contributions and their dispositions (three queries)."""
    articles = consultation_articles(consultation)
    _load(consultation, articles)
    return articles


def article_of(consultation, slug: str) -> Article | None:
    """One article (by its slug: a thread id, or "general") with its contributions, or
    None when the consultation has no such article. Three queries."""
    articles = consultation_articles(consultation)
    article = next((a for a in articles if a.slug == slug), None)
    if article is not None:
        _load(consultation, articles, only=article)
    return article


def pending(article: Article) -> list:
    return [c for c in article.contributions if c.current_disposition is None]


def decided(article: Article) -> list:
    return [c for c in article.contributions if c.current_disposition is not None]


def article_summary(article: Article) -> dict:
    """Counts per outcome (by code), and pending, decided, taken up (fully or partly), total."""
    counts = Counter(
        c.current_disposition.outcome for c in article.contributions if c.current_disposition
    )
    summary = {outcome: counts.get(outcome, 0) for outcome in Outcome.values}
    summary["total"] = len(article.contributions)
    summary["decided"] = sum(counts.values())
    summary["pending"] = summary["total"] - summary["decided"]
    summary["taken_up"] = sum(counts.get(outcome, 0) for outcome in TAKEN_UP)
    return summary


def summary_totals(articles: list[Article]) -> dict:
    totals = Counter()
    for article in articles:
        totals.update(article_summary(article))
    keys = [*Outcome.values, "total", "decided", "pending", "taken_up"]
    return {key: totals.get(key, 0) for key in keys}


def _scalar_count(queryset):
    """A COUNT(*) of `queryset` usable as a subquery expression."""
    return Coalesce(
        Subquery(
            queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _count_annotations() -> dict:
    """Subquery counts for a ConsultationPage queryset: contributions, dispositions given,
    taken up fully and partly."""
    # Nested one level deeper (inside the comments' subquery): the page is two levels out.
    provisions = (
        Provision.objects.filter(
            version__consultation=OuterRef(OuterRef("pk")),
            version__is_enacted=False,
            thread__isnull=False,
        )
        .order_by()
        .values("thread_id")
    )
    comments = _citizen_comments().filter(
        Q(thread_id__in=provisions) | Q(thread_id=OuterRef("general_thread_id"))
    )
    observations = SessionObservation.objects.filter(session__consultation=OuterRef("pk"))
    given = Disposition.objects.filter(Q(consultation=OuterRef("pk")) & _current_disposition_q())
    return {
        "n_comments": _scalar_count(comments),
        "n_observations": _scalar_count(observations),
        "n_decided": _scalar_count(given),
        "n_accepted": _scalar_count(given.filter(outcome=Outcome.ACCEPTED)),
        "n_partial": _scalar_count(given.filter(outcome=Outcome.PARTIAL)),
    }


def with_counts(queryset):
    """Annotate consultations with their contribution and disposition counts (one query
    for the whole list, whatever its length)."""
    return queryset.annotate(**_count_annotations())


def counts_of(page) -> dict:
    """The counts `with_counts` annotated, as a dict."""
    total = page.n_comments + page.n_observations
    taken_up = page.n_accepted + page.n_partial
    return {
        "total": total,
        "decided": page.n_decided,
        "pending": max(total - page.n_decided, 0),
        "accepted": page.n_accepted,
        "partial": page.n_partial,
        "taken_up": taken_up,
    }


def taken_up_count(consultation) -> dict:
    """How many contributions `consultation` received, how many have a disposition and how
    many were taken up (fully, partly): {"total", "decided", "pending", "accepted",
    "partial", "taken_up"}. One query."""
    page = with_counts(ConsultationPage.objects.filter(pk=consultation.pk)).only("pk").first()
    if page is None:
        return dict.fromkeys(("total", "decided", "pending", "accepted", "partial", "taken_up"), 0)
    return counts_of(page)


def taken_up_by_thread(consultation) -> dict[int | None, list[Disposition]]:
    """The dispositions that took a contribution up (fully or partly), by the thread of the
    article the contribution was about: the general thread's id for comments on the whole
    text, None for in-person observations on the whole text. Each disposition comes with
    its comment (and author's resident) or observation (and session) loaded. One query."""
    dispositions = (
        Disposition.objects.filter(consultation=consultation, outcome__in=TAKEN_UP)
        .filter(_current_disposition_q())
        .select_related("comment__author__resident", "observation__session")
        .order_by("pk")
    )
    result: dict[int | None, list[Disposition]] = {}
    for disposition in dispositions:
        if disposition.comment_id:
            thread_id = disposition.comment.thread_id
        else:
            thread_id = disposition.observation.thread_id
        result.setdefault(thread_id, []).append(disposition)
    return result


# --- the write ------------------------------------------------------------------------------
def _ids(items) -> list[int]:
    ids = []
    for item in items or ():
        value = getattr(item, "pk", item)
        try:
            ids.append(int(value))
        except (TypeError, ValueError) as error:
            raise DomainError(_("That contribution is not part of this consultation.")) from error
    return sorted(set(ids))


def clean_reason(outcome: str, reason: str) -> str:
    """The reason as stored; raises DomainError for a bad outcome or a missing reason."""
    if outcome not in Outcome.values:
        raise DomainError(_("Choose a disposition."))
    reason = (reason or "").replace("\x00", "").strip()
    if not reason and outcome != Outcome.ACCEPTED:
        raise DomainError(
            _("Give the reason: it is required unless the contribution was taken up in full.")
        )
    if len(reason) > MAX_REASON:
        raise DomainError(
            _("The reason can be at most %(max)d characters long.") % {"max": MAX_REASON}
        )
    return reason


@transaction.atomic
def disposition_set(
    *,
    consultation: ConsultationPage,
    actor,
    outcome: str,
    reason: str = "",
    comments=(),
    observations=(),
) -> list[Disposition]:
    """Give the selected comments and observations of a closed consultation one
    disposition (bulk). Staff of the consultation's zone, after MFA
    (`consultations.dispose`). Creates or updates; a disposition that changes is decided
    again (by `actor`, now) and its author is told again. One audit entry per call.
    Returns the dispositions created or changed."""
    rulebook.require(actor, "consultations.dispose", consultation)
    reason = clean_reason(outcome, reason)
    comment_ids, observation_ids = _ids(comments), _ids(observations)
    if not comment_ids and not observation_ids:
        raise DomainError(_("Select at least one contribution."))
    # One bulk action at a time per consultation: two staff giving the same new
    # contribution a disposition at once would both try to create it.
    ConsultationPage.objects.select_for_update().filter(pk=consultation.pk).first()
    found_comments = list(
        _comments_of(consultation).filter(pk__in=comment_ids).select_related("disposition")
    )
    found_observations = list(
        _observations_of(consultation).filter(pk__in=observation_ids).select_related("disposition")
    )
    if len(found_comments) != len(comment_ids) or len(found_observations) != len(observation_ids):
        raise DomainError(
            _(
                "Some of the selected contributions are not citizen contributions to this "
                "consultation (an official answer, a hidden or deleted comment, or another "
                "consultation's)."
            )
        )
    now = timezone.now()
    created, updated, unchanged = [], [], []
    for contribution in [*found_comments, *found_observations]:
        current = disposition_of(contribution)
        if current is None:
            disposition = Disposition(
                consultation=consultation,
                outcome=outcome,
                reason=reason,
                decided_by=actor,
                decided_at=now,
            )
            if isinstance(contribution, Comment):
                disposition.comment = contribution
            else:
                disposition.observation = contribution
            created.append(disposition)
        elif current.outcome == outcome and current.reason == reason:
            unchanged.append(current)
        else:
            current.outcome, current.reason = outcome, reason
            current.decided_by, current.decided_at, current.notified_at = actor, now, None
            updated.append(current)
    Disposition.objects.bulk_create(created)
    Disposition.objects.bulk_update(
        updated, ["outcome", "reason", "decided_by", "decided_at", "notified_at"]
    )
    purge_pages()  # no signal from this write: drop cached pages
    changed = [*created, *updated]
    log(
        instance=consultation,
        action=audit.DISPOSITION_SET,
        user=actor,
        data={
            "outcome": outcome,
            "reason": reason,
            "created": len(created),
            "updated": len(updated),
            "unchanged": len(unchanged),
            "comments": [c.pk for c in found_comments],
            "observations": [o.pk for o in found_observations],
        },
    )
    _schedule_notifications(changed)
    return changed


def _schedule_notifications(changed: list[Disposition]) -> None:
    """One e-mail per author per bulk action, listing their contributions, after commit.
    Observations have no account; deleted authors no one to tell."""
    from .tasks import notify_dispositions

    by_author: dict[int, list[int]] = {}
    for disposition in changed:
        comment = disposition.comment if disposition.comment_id else None
        if comment is not None and comment.author_id is not None:
            by_author.setdefault(comment.author_id, []).append(disposition.pk)
    for author_id, ids in by_author.items():
        transaction.on_commit(
            lambda author_id=author_id, ids=ids: notify_dispositions.enqueue(author_id, ids)
        )
