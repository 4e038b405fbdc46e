"""One search over everything the public can read: pages, consultation articles, visible
comments, budget requests, assemblies and public works, in one ranked list.

Each content type is a *provider* (the registry below, `PROVIDERS`): which rows the public
may see (live and public pages only, the current version's articles, visible comments in
public threads, requests of live cycles, every work), which fields are its title and its
body, how a zone narrows it, and how a page of hits of that type becomes links, labels and
excerpts.

Ranking and merging. Every provider's queryset is annotated with the same three columns
(`hit_kind`, `hit_id`, `hit_rank`) and the querysets are joined with one SQL `UNION ALL`, ordered
by rank and paginated by the database: one query counts (bounded, see below), one reads
the page. We chose the
union over a per-type top-N merge because the merged order is then exact on every page
(a top-N merge would need N to grow with the page number and would miscount the total),
and a filter by type is just fewer members in the union. Only the ten rows of the page
shown are then read in full, one or two queries per type present on it, so the number of
queries does not grow with the number of hits.

The rank of a row is comparable across types:
- PostgreSQL: `ts_rank` of the row's document (title with weight A, body with weight B,
  in the `quito_es` configuration: Spanish stemming over unaccented words, created by
  home migration 0002), plus `TITLE_BONUS` when the title alone matches, so that every
  title hit ranks above every body-only hit. The documents of the participation tables
  are stored columns (`search_document`, sitesearch migration 0002: a generated tsvector
  column with exactly the expression of `VECTOR_FIELDS` below, GIN-indexed), so neither
  the match, its recheck, the rank nor the title test (`ts_filter` of the A-weighted
  lexemes) re-analyses a row's text at query time. Pages and
  assemblies are read from Wagtail's own search index (`wagtailsearch_indexentry`: its
  title and body vectors, already in `quito_es` and GIN-indexed), re-weighted A and B.
- SQLite (the embedded default): no full-text engine of ours; every word typed must
  occur in the title or body, compared case- and accent-insensitively through
  `qd_fold` (sitesearch.apps). Rank: a bonus when the title has every word, then points
  per word in the title and in the body.
A small per-type `priority` breaks ties, pages first.

Bounded work for common words (PostgreSQL; trade-off). Each type ranks at most
`SEARCH_RESULT_CAP` (setting, default `RESULT_CAP` = 1,000) candidates: its most recent
matches (highest ids). The list shown is the best `SEARCH_RESULT_CAP` of the union of those
candidates, paginated honestly up to there. The count is also bounded: each type is counted
up to the cap plus one, so a total above the cap is shown as "more than N results" with a
note that results beyond are not listed (narrow by zone or type). Below the cap (every
type has at most the cap of matches) the results, count and order are exactly those of an
unbounded search. Above it, an older row that would rank high can be missing: we accept that
for words found in thousands of rows, where the rank of the thousandth row says little, in
exchange for a cost that does not grow with the number of hits. SQLite is not capped.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    Expression,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from . import text

CONFIG = "quito_es"
TITLE_BONUS = 1.0
PAGE_SIZE = 10
MAX_TERMS = 8  # words beyond these are dropped (and the person is told)
RESULT_CAP = 1000  # default of settings.SEARCH_RESULT_CAP (see the module docstring)
COLUMN = "search_document"  # the stored document of migration 0002 (PostgreSQL)

# The document of each participation table: (title fields, body fields). The GIN indexes
# of migration 0001 are built from exactly these (a test compares them).
VECTOR_FIELDS = {
    "consultations.Provision": (("label", "heading"), ("body",)),
    "discussions.Comment": ((), ("body",)),
    "proposals.Request": (("title",), ("description", "barrio_name")),
    "works.Work": (("title",), ("code", "description", "barrio_name")),
}


def document_vector(title_fields, body_fields, config=CONFIG):
    """setweight(to_tsvector(title), 'A') || setweight(to_tsvector(body), 'B')."""
    parts = []
    if title_fields:
        parts.append(SearchVector(*title_fields, weight="A", config=config))
    if body_fields:
        parts.append(SearchVector(*body_fields, weight="B", config=config))
    vector = parts[0]
    for part in parts[1:]:
        vector = vector + part
    return vector


def index_name(label: str) -> str:
    return "sitesearch_" + label.split(".")[1].lower() + "_doc"


# --- what one search is about ---------------------------------------------------------------
@dataclass
class Scope:
    """The words, and the zone narrowing the search (None: the whole city)."""

    terms: list[str]
    zone: object = None

    @property
    def postgres(self) -> bool:
        return connection.vendor == "postgresql"

    @cached_property
    def public_pages(self):
        """Live pages outside private sections (Wagtail reads its view restrictions once)."""
        from wagtail.models import Page

        return Page.objects.live().public()

    @cached_property
    def zone_page_path(self) -> str | None:
        """The path of the zone's page: pages of the zone are those under it."""
        if self.zone is None:
            return None
        from territory.models import ZonePage

        found = ZonePage.objects.filter(zone=self.zone).values_list("path", flat=True).first()
        return found or "\x01no-zone-page"

    def public(self, model):
        """The live, public pages of a page model, whatever the zone."""
        return model.objects.live().filter(pk__in=self.public_pages.values("pk"))

    def pages(self, model=None):
        """Public pages (of `model`), narrowed to the zone's subtree."""
        pages = self.public_pages if model is None else self.public(model)
        if self.zone_page_path is not None:
            pages = pages.filter(path__startswith=self.zone_page_path)
        return pages

    @cached_property
    def query(self):
        return SearchQuery(" ".join(self.terms), config=CONFIG, search_type="plain")

    @cached_property
    def matcher(self) -> Callable[[str], bool]:
        """Which words of a title or excerpt to mark: on PostgreSQL the stems the query was
        made of, on SQLite the words typed."""
        if not self.postgres:
            return text.substring_matcher(self.terms)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT unnest(tsvector_to_array(to_tsvector(%s::regconfig, %s)))",
                [CONFIG, " ".join(self.terms)],
            )
            stems = [row[0] for row in cursor.fetchall()]
        return text.prefix_matcher(stems)


@dataclass
class Hit:
    kind: str
    label: str
    title: SafeString
    url: str
    excerpt: SafeString
    zone: object = None
    detail: str = ""


@dataclass(frozen=True)
class Provider:
    key: str  # the value of the type filter in the URL
    label: str  # plural, for the filter
    singular: str  # on each hit
    priority: float
    rows: Callable[[Scope], object]  # the public rows of this type, zone applied
    hydrate: Callable[[list[int], Scope], dict[int, Hit]]
    title_fields: tuple = ()
    body_fields: tuple = ()
    index_entries: bool = False  # rows are Wagtail search index entries of pages


# --- ranking --------------------------------------------------------------------------------
def _stored_vector(name: str, weight: str):
    return Func(F(name), Value(weight), function="setweight", output_field=SearchVectorField())


class _Concat(Func):
    arg_joiner = " || "
    template = "(%(expressions)s)"
    output_field = SearchVectorField()


def _folded(name: str):
    return Func(F(name), function="qd_fold", output_field=CharField())


class StoredDocument(Expression):
    """The row's stored search document (`search_document`, sitesearch migration 0002), a
    column the models do not declare, read from the queryset's own table."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        alias = compiler.query.get_initial_alias()
        return f"{compiler.quote_name(alias)}.{connection.ops.quote_name(COLUMN)}", []


class _Matches(Func):
    """vector @@ query, as a boolean expression for filters and CASE."""

    template = "(%(expressions)s)"
    arg_joiner = " @@ "
    output_field = BooleanField()


def _title_part(vector):
    """The title's lexemes of a document (weight A), positions kept: it matches a query
    exactly when the title's own vector does."""
    return Func(vector, Value("{a}"), function="ts_filter", output_field=SearchVectorField())


def _candidates(provider: Provider, scope: Scope, rows, limit: int):
    """The pks of the provider's matching rows, most recent first, at most `limit`."""
    query = scope.query
    if provider.index_entries:
        rows = rows.filter(Q(title=query) | Q(body=query))
    else:
        rows = rows.alias(search_document=StoredDocument()).filter(
            _Matches(F("search_document"), query)
        )
    return rows.order_by("-pk").values("pk")[:limit]


def _postgres_ranked(provider: Provider, scope: Scope, rows):
    query = scope.query
    model = rows.model
    rows = model._default_manager.filter(
        pk__in=_candidates(provider, scope, rows, result_cap())
    ).order_by()
    if provider.index_entries:
        vector = _Concat(_stored_vector("title", "A"), _stored_vector("body", "B"))
        title_hit = Q(title=query)
    else:
        vector = StoredDocument()
        title_hit = None
        if provider.title_fields:
            title_hit = _Matches(_title_part(StoredDocument()), query)
    rank = SearchRank(vector, query) + Value(provider.priority)
    if title_hit is not None:
        rank = rank + Case(When(title_hit, then=Value(TITLE_BONUS)), default=Value(0.0))
    return rows.annotate(hit_rank=Cast(rank, FloatField()))


def _sqlite_ranked(provider: Provider, scope: Scope, rows):
    title_fields, body_fields = provider.title_fields, provider.body_fields
    aliases = {f"folded_{name}": _folded(name) for name in (*title_fields, *body_fields)}
    rows = rows.alias(**aliases)
    terms = [text.fold(term) for term in scope.terms]

    def anywhere(fields, term):
        condition = Q(pk__in=[])
        for name in fields:
            condition |= Q(**{f"folded_{name}__contains": term})
        return condition

    for term in terms:
        rows = rows.filter(anywhere((*title_fields, *body_fields), term))
    rank = Value(provider.priority)
    if title_fields:
        all_in_title = Q()
        for term in terms:
            all_in_title &= anywhere(title_fields, term)
            rank = rank + Case(
                When(anywhere(title_fields, term), then=Value(2.0)), default=Value(0.0)
            )
        rank = rank + Case(When(all_in_title, then=Value(10.0)), default=Value(0.0))
    for term in terms:
        rank = rank + Case(When(anywhere(body_fields, term), then=Value(1.0)), default=Value(0.0))
    return rows.annotate(hit_rank=Cast(rank, FloatField()))


def ranked_rows(provider: Provider, scope: Scope):
    """The provider's matching rows as (hit_kind, hit_id, hit_rank)."""
    rows = provider.rows(scope).order_by()
    if scope.postgres:
        rows = _postgres_ranked(provider, scope, rows)
    else:
        rows = _sqlite_ranked(provider, scope, rows)
    obj_id = Cast("object_id", IntegerField()) if provider.index_entries else F("pk")
    return rows.annotate(
        hit_kind=Value(provider.key, output_field=CharField()), hit_id=obj_id
    ).values("hit_kind", "hit_id", "hit_rank")


def ranked(scope: Scope, kinds=None):
    """All matching rows of the chosen types, best first, as one queryset (a union)."""
    providers = [p for p in PROVIDERS.values() if not kinds or p.key in kinds]
    querysets = [ranked_rows(provider, scope) for provider in providers]
    combined = querysets[0]
    if len(querysets) > 1:
        combined = combined.union(*querysets[1:], all=True)
    return combined.order_by("-hit_rank", "hit_kind", "hit_id")


def result_cap() -> int:
    return max(int(getattr(settings, "SEARCH_RESULT_CAP", RESULT_CAP)), 1)


def counted(scope: Scope, kinds=None) -> int:
    """How many rows match, counted up to the cap plus one per type (PostgreSQL): more
    than the cap means "more than `result_cap()`", whatever the exact number."""
    providers = [p for p in PROVIDERS.values() if not kinds or p.key in kinds]
    if not scope.postgres:
        return ranked(scope, kinds).count()
    limit = result_cap() + 1
    members = [
        _candidates(provider, scope, provider.rows(scope).order_by(), limit)
        for provider in providers
    ]
    combined = members[0]
    if len(members) > 1:
        combined = combined.union(*members[1:], all=True)
    return combined.count()


class _CountedPaginator(Paginator):
    def __init__(self, object_list, per_page, count):
        super().__init__(object_list, per_page)
        self._given_count = count

    @cached_property
    def count(self):
        return self._given_count


@dataclass
class Results:
    page: object  # a Paginator page of row dicts
    hits: list[Hit] = field(default_factory=list)
    total: int = 0  # matching rows, exact up to `cap`
    cap: int = 0

    @property
    def more(self) -> bool:
        """More rows match than are listed (only on PostgreSQL: see the docstring)."""
        return self.total > self.cap


def search(scope: Scope, *, kinds=None, page_number=1, page_size=PAGE_SIZE) -> Results:
    cap = result_cap()
    total = counted(scope, kinds)
    listed = min(total, cap) if scope.postgres else total
    rows = ranked(scope, kinds)
    if scope.postgres:
        rows = rows[:listed]
    page = _CountedPaginator(rows, page_size, listed).get_page(page_number)
    rows = list(page.object_list)
    by_kind = defaultdict(list)
    for row in rows:
        by_kind[row["hit_kind"]].append(row["hit_id"])
    hydrated = {kind: PROVIDERS[kind].hydrate(ids, scope) for kind, ids in by_kind.items()}
    hits = [
        hydrated[row["hit_kind"]][row["hit_id"]]
        for row in rows
        if row["hit_id"] in hydrated[row["hit_kind"]]
    ]
    return Results(page=page, hits=hits, total=total, cap=cap if scope.postgres else total)


# --- the providers --------------------------------------------------------------------------
def _page_types(models=None, *, exclude=()) -> list[int]:
    """Content type ids of the page models (all but `exclude` when `models` is None)."""
    from wagtail.models import get_page_models

    if not models:
        models = [m for m in get_page_models() if not issubclass(m, tuple(exclude))]
    types = ContentType.objects.get_for_models(*models, for_concrete_models=False)
    return [content_type.pk for content_type in types.values()]


def _index_entries(scope: Scope, models=None, *, exclude=()):
    """Wagtail's search index entries of the public pages of `models` (or of every page
    type but `exclude`), zone applied."""
    from wagtail.search.models import IndexEntry

    page_ids = scope.pages().annotate(id_text=Cast("pk", CharField())).values("id_text")
    return IndexEntry.objects.filter(
        content_type__in=_page_types(models, exclude=exclude), object_id__in=page_ids
    )


def _index_texts(ids) -> dict[int, str]:
    """Page id -> the body text Wagtail indexed for it (what the search matched)."""
    from wagtail.search.models import IndexEntry

    column = "body_text" if connection.vendor == "postgresql" else "body"
    entries = IndexEntry.objects.filter(
        content_type__in=_page_types(), object_id__in=[str(pk) for pk in ids]
    ).values_list("object_id", column)
    return {int(object_id): body or "" for object_id, body in entries}


def _singular(key: str) -> str:
    return str(PROVIDERS[key].singular)


def _type_label(page) -> str:
    model = ContentType.objects.get_for_id(page.content_type_id).model_class()
    return str(model._meta.verbose_name).capitalize() if model else str(_("Page"))


def _page_rows(scope):
    from assemblies.models import AssemblyPage

    return _index_entries(scope, exclude=(AssemblyPage,))


def _hydrate_pages(ids, scope, *, model=None):
    from wagtail.models import Page

    from territory.selectors import prime_zones, zone_of

    pages = list((model or Page).objects.filter(pk__in=ids))
    prime_zones(pages)
    texts = _index_texts(ids)
    hits = {}
    for page in pages:
        hits[page.pk] = Hit(
            kind="asamblea" if model else "pagina",
            label=_singular("asamblea") if model else _type_label(page),
            title=text.as_html(page.title),
            url=page.url or "",
            excerpt=text.excerpt(texts.get(page.pk, ""), scope.matcher),
            zone=zone_of(page),
            detail=_assembly_date(page) if model else "",
        )
    return hits


def _assembly_date(page) -> str:
    from django.utils import formats, timezone

    return formats.date_format(timezone.localtime(page.starts_at), "DATETIME_FORMAT")


def _assembly_rows(scope):
    from assemblies.models import AssemblyPage

    return _index_entries(scope, [AssemblyPage])


def _hydrate_assemblies(ids, scope):
    from assemblies.models import AssemblyPage

    return _hydrate_pages(ids, scope, model=AssemblyPage)


def _current_provisions(scope):
    from consultations.models import ConsultationPage, DraftVersion, Provision

    newer = DraftVersion.objects.filter(
        consultation_id=OuterRef("version__consultation_id"), number__gt=OuterRef("version__number")
    )
    return (
        Provision.objects.filter(version__consultation__in=scope.pages(ConsultationPage))
        .exclude(kind=Provision.Kind.HEADING)
        .exclude(Exists(newer))
    )


def _hydrate_provisions(ids, scope):
    from consultations.models import Provision
    from quitodecide.pages import subpage_url
    from territory.selectors import prime_zones, zone_of

    provisions = list(Provision.objects.filter(pk__in=ids).select_related("version__consultation"))
    prime_zones([p.version.consultation for p in provisions])
    hits = {}
    for provision in provisions:
        consultation = provision.version.consultation
        title = f"{provision.label} {provision.heading}".strip()
        hits[provision.pk] = Hit(
            kind="articulo",
            label=_singular("articulo"),
            title=text.as_html(title),
            url=subpage_url(consultation, "provision_thread", provision.key),
            excerpt=text.excerpt(provision.body, scope.matcher),
            zone=zone_of(consultation),
            detail=consultation.title,
        )
    return hits


def _public_thread_ids(scope) -> Q:
    from budgets.models import BudgetCyclePage
    from consultations.models import ConsultationPage, Provision
    from proposals.models import Request
    from works.models import Work

    consultations = scope.public(ConsultationPage)
    provisions = Provision.objects.filter(version__consultation__in=consultations)
    requests = Request.objects.filter(cycle__in=scope.public(BudgetCyclePage))
    return (
        Q(thread_id__in=provisions.values("thread_id"))
        | Q(thread_id__in=consultations.values("general_thread_id"))
        | Q(thread_id__in=requests.values("thread_id"))
        | Q(thread_id__in=Work.objects.values("thread_id"))
    )


def _comment_rows(scope):
    from discussions.models import Comment

    comments = Comment.objects.filter(status=Comment.Status.VISIBLE)
    comments = comments.filter(_public_thread_ids(scope))
    if scope.zone is not None:
        comments = comments.filter(thread__zone=scope.zone)
    return comments


def _thread_links(thread_ids) -> dict[int, tuple[str, str]]:
    """thread id -> (url of the page showing it, what it is about), 4 queries at most."""
    from consultations.models import ConsultationPage, Provision
    from proposals.models import Request
    from quitodecide.pages import subpage_url
    from works.models import Work

    links = {}
    for work in Work.objects.filter(thread_id__in=thread_ids).only("code", "title", "thread_id"):
        links[work.thread_id] = (reverse("works:detail", args=[work.code]), work.title)
    for item in Request.objects.filter(thread_id__in=thread_ids).select_related("cycle"):
        links[item.thread_id] = (subpage_url(item.cycle, "request_detail", item.pk), item.title)
    for page in ConsultationPage.objects.filter(general_thread_id__in=thread_ids):
        links[page.general_thread_id] = (subpage_url(page, "general_discussion"), page.title)
    provisions = (
        Provision.objects.filter(thread_id__in=thread_ids)
        .select_related("version__consultation")
        .order_by("thread_id", "-version__number")
    )
    for provision in provisions:
        if provision.thread_id not in links:
            page = provision.version.consultation
            url = subpage_url(page, "provision_thread", provision.key)
            links[provision.thread_id] = (url, f"{provision.label} · {page.title}")
    return links


def _hydrate_comments(ids, scope):
    from discussions.models import Comment

    comments = list(Comment.objects.filter(pk__in=ids).select_related("thread__zone"))
    links = _thread_links({comment.thread_id for comment in comments})
    hits = {}
    for comment in comments:
        url, about = links.get(comment.thread_id, ("", comment.thread.title))
        hits[comment.pk] = Hit(
            kind="comentario",
            label=_singular("comentario"),
            title=text.as_html(_("Comment on “%(about)s”") % {"about": about}),
            url=f"{url}#comentario-{comment.pk}" if url else "",
            excerpt=text.excerpt(comment.body, scope.matcher),
            zone=comment.thread.zone,
        )
    return hits


def _request_rows(scope):
    from budgets.models import BudgetCyclePage
    from proposals.models import Request

    cycles = scope.pages(BudgetCyclePage)
    requests = Request.objects.filter(cycle__in=cycles)
    if scope.zone is not None:
        requests = requests.filter(cycle__zone=scope.zone)
    return requests


def _hydrate_requests(ids, scope):
    from proposals.models import Request
    from quitodecide.pages import subpage_url

    hits = {}
    for item in Request.objects.filter(pk__in=ids).select_related("cycle__zone"):
        hits[item.pk] = Hit(
            kind="solicitud",
            label=_singular("solicitud"),
            title=text.as_html(item.title),
            url=subpage_url(item.cycle, "request_detail", item.pk),
            excerpt=text.excerpt(item.description, scope.matcher),
            zone=item.cycle.zone,
            detail=f"{item.reference} · {item.cycle.title}",
        )
    return hits


def _work_rows(scope):
    from works.models import Work

    works = Work.objects.all()
    if scope.zone is not None:
        works = works.filter(zone=scope.zone)
    return works


def _hydrate_works(ids, scope):
    from works.models import Work

    hits = {}
    for work in Work.objects.filter(pk__in=ids).select_related("zone"):
        hits[work.pk] = Hit(
            kind="obra",
            label=_singular("obra"),
            title=text.as_html(work.title),
            url=reverse("works:detail", args=[work.code]),
            excerpt=text.excerpt(work.description, scope.matcher),
            zone=work.zone,
            detail=f"{work.code} · {work.get_status_display()}",
        )
    return hits


def _fields(label):
    return dict(zip(("title_fields", "body_fields"), VECTOR_FIELDS[label], strict=True))


PROVIDERS: dict[str, Provider] = {
    provider.key: provider
    for provider in (
        Provider(
            "pagina",
            _("Pages"),
            _("Page"),
            0.05,
            _page_rows,
            _hydrate_pages,
            ("title",),
            ("body",),
            index_entries=True,
        ),
        Provider(
            "articulo",
            _("Consultation articles"),
            _("Article"),
            0.03,
            _current_provisions,
            _hydrate_provisions,
            **_fields("consultations.Provision"),
        ),
        Provider(
            "solicitud",
            _("Budget requests"),
            _("Budget request"),
            0.02,
            _request_rows,
            _hydrate_requests,
            **_fields("proposals.Request"),
        ),
        Provider(
            "asamblea",
            _("Assemblies"),
            _("Assembly"),
            0.04,
            _assembly_rows,
            _hydrate_assemblies,
            ("title",),
            ("body",),
            index_entries=True,
        ),
        Provider(
            "obra",
            _("Public works"),
            _("Public work"),
            0.02,
            _work_rows,
            _hydrate_works,
            **_fields("works.Work"),
        ),
        Provider(
            "comentario",
            _("Comments"),
            _("Comment"),
            0.0,
            _comment_rows,
            _hydrate_comments,
            **_fields("discussions.Comment"),
        ),
    )
}
