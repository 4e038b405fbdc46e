"""One search over everything the public can read: pages, consultation articles, visible
comments, budget requests, assemblies and public works, in one ranked list.

Each content type is a *provider* (the registry below, `PROVIDERS`): which rows the public
may see (live and public pages only, the current version's articles, visible comments in
public threads, requests of live cycles, every work), which fields are its title and its
body, how a zone narrows it, and how a page of hits of that type becomes links, labels and
excerpts.

Ranking and merging. Every provider's queryset is annotated with the same three columns
(`hit_kind`, `hit_id`, `hit_rank`) and the querysets are joined with one SQL `UNION ALL`,
ordered by rank and paginated by the database. We chose the union over a per-type top-N
merge because the merged order is then exact on every page (a top-N merge would need N to
grow with the page number and would miscount the total), and a filter by type is just
fewer members in the union. Only the ten rows of the page shown are then read in full,
one or two queries per type present on it, so the number of queries does not grow with
the number of hits.

On PostgreSQL one statement (`_PAGE_AND_TOTAL`) computes the union once, counts it and
reads the page. Its SQL is compiled once per shape (`_union_statement`: types, zone,
cap, the public consultations and budget cycles, the private sections) and reused with
the words as a parameter: building and compiling six querysets cost more than running
them. Each type's member works in two steps, candidates first (ids of the most recent
matches, from the GIN index), then those rows ranked (`_postgres_ranked`), so a common
word ranks a bounded number of rows.

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
`SEARCH_RESULT_CAP` + 1 (setting, default `RESULT_CAP` = 300) candidates: its most
recent matches (highest ids). The list shown is the best `SEARCH_RESULT_CAP` of the union
of those candidates, paginated honestly up to there. The count is bounded the same way (it
counts the candidates): a total above the cap is shown as "more than N results" with a
note that results beyond are not listed (narrow by zone or type). Below the cap (every
type has at most the cap of matches) the results, count and order are exactly those of
an unbounded search. Above it, an older row that would rank high can be missing: we
accept that for words found in hundreds of rows of a type, where a person reads the
first pages and narrows the search rather than reading page 30, in exchange for a cost
that does not grow with the number of hits (ranking is most of the statement's time: at
50,000 comments, 500 candidates per type took about 1.5 times as long as 300). SQLite
is not capped.
"""

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
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
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from wagtail.models import get_page_models

from . import text

CONFIG = "quito_es"
TITLE_BONUS = 1.0
PAGE_SIZE = 10
MAX_TERMS = 8  # words beyond these are dropped (and the person is told)
# Page types whose public pages the search reads as a list of ids (few pages each).
LISTED_PAGE_MODELS = ("consultations.ConsultationPage", "budgets.BudgetCyclePage")
RESULT_CAP = 300  # default of settings.SEARCH_RESULT_CAP (see the module docstring)
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
        """Live pages outside private sections (as Wagtail's `public()`, from the view
        restrictions read once for the search)."""
        from wagtail.models import Page

        private = Q()
        for path, depth in self.view_restrictions:
            private |= Q(path__startswith=path, depth__gte=depth)
        pages = Page.objects.live()
        return pages.exclude(private) if private else pages

    @cached_property
    def zone_page_path(self) -> str | None:
        """The path of the zone's page: pages of the zone are those under it."""
        if self.zone is None:
            return None
        from territory.models import ZonePage

        def build(ids):
            return ZonePage.objects.filter(zone_id__in=ids).values_list("path")

        found = _read("zone-path", build, [self.zone.pk])
        return found[0][0] if found else "\x01no-zone-page"

    @cached_property
    def view_restrictions(self) -> tuple:
        """Wagtail's private sections (the pages restricted, by path and depth)."""
        from wagtail.models import PageViewRestriction

        def build(_ids):
            return PageViewRestriction.objects.values_list("page__path", "page__depth")

        return tuple(sorted(set(_read("view-restrictions", build, ()))))

    def public(self, model):
        """The live, public pages of a page model, whatever the zone."""
        return model.objects.live().filter(pk__in=self.public_pages.values("pk"))

    @cached_property
    def _listed_pages(self) -> list[tuple[int, str, int]]:
        """(id, path, content type) of every public page of the `LISTED_PAGE_MODELS`, in
        one query."""
        models = [apps.get_model(label) for label in LISTED_PAGE_MODELS]

        def build(_ids):
            return self.public_pages.type(*models).values_list("pk", "path", "content_type_id")

        # the SQL names the private sections and the content types
        key = (self.view_restrictions, tuple(sorted(_page_types())))
        return sorted(_read("listed-pages", build, (), key=key))

    def page_ids(self, model, *, zoned=True) -> list[int]:
        """The ids of the public pages of `model` (one of the `LISTED_PAGE_MODELS`, types
        with few pages), narrowed to the zone's subtree when `zoned`: read once per search,
        so the statements that use them carry a short list instead of the whole visibility
        subquery (cheaper to plan)."""
        types = {
            content_type.pk
            for content_type in ContentType.objects.get_for_models(
                *[m for m in get_page_models() if issubclass(m, model)]
            ).values()
        }
        prefix = self.zone_page_path if zoned else None
        return [
            pk
            for pk, path, type_id in self._listed_pages
            if type_id in types and (prefix is None or path.startswith(prefix))
        ]

    def pages(self, model=None):
        """Public pages (of `model`), narrowed to the zone's subtree."""
        pages = self.public_pages if model is None else self.public(model)
        if self.zone_page_path is not None:
            pages = pages.filter(path__startswith=self.zone_page_path)
        return pages

    @cached_property
    def _zone_list(self) -> list:
        """Every zone (its id, slug and name: what a hit shows), with `page_path`, the path
        of its zone page (None without one)."""
        from territory.models import Zone

        def build(_ids):
            return Zone.objects.values_list("id", "slug", "name", "page__path")

        zones = []
        for pk, slug, name, page_path in _read("zones", build, ()):
            zone = Zone.from_db(connection.alias, ["id", "slug", "name"], [pk, slug, name])
            zone.page_path = page_path
            zones.append(zone)
        return zones

    @cached_property
    def zones(self) -> dict:
        """Every zone by its page's path (read once per search, one narrow query), for the
        zones of page hits (`territory.selectors.zone_at`)."""
        return {zone.page_path: zone for zone in self._zone_list if zone.page_path}

    @cached_property
    def zones_by_id(self) -> dict:
        """Every zone by id (the same query), for hits that name their zone."""
        return {zone.pk: zone for zone in self._zone_list}

    @cached_property
    def query(self):
        return SearchQuery(" ".join(self.terms), config=CONFIG, search_type="plain")

    @cached_property
    def matcher(self) -> Callable[[str], bool]:
        """Which words of a title or excerpt to mark: on PostgreSQL the stems the query was
        made of, on SQLite the words typed."""
        if not self.postgres:
            return text.substring_matcher(self.terms)
        return text.prefix_matcher(_stems(" ".join(self.terms)))


class _Recent:
    """Values computed once per key, the most recent `kept` keys remembered (per process):
    the compiled statements and reads, and the stems of recent searches. Two threads may
    compute the same value at once; both get it, one is kept."""

    def __init__(self, kept: int):
        self._values: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._kept = kept

    def get(self, key, compute: Callable[[], object]):
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = compute()
        with self._lock:
            self._values[key] = value
            while len(self._values) > self._kept:
                self._values.popitem(last=False)
        return value


def _compiled(queryset) -> tuple[str | None, tuple]:
    """The SQL and parameters of a queryset; None when it can match nothing."""
    try:
        sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    except EmptyResultSet:
        return None, ()
    return sql, tuple(params)


_STEMS = _Recent(512)  # (database, words) -> their stems


def _stems(words: str) -> tuple[str, ...]:
    """The lexemes PostgreSQL makes of `words` in `CONFIG` (for the marks), remembered per
    process for recent searches: the configuration is fixed by a migration, so the same
    words always give the same stems, and a repeated search saves a round trip."""

    def compute():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT unnest(tsvector_to_array(to_tsvector(%s::regconfig, %s)))",
                [CONFIG, words],
            )
            return tuple(row[0] for row in cursor.fetchall())

    return _STEMS.get((connection.alias, connection.settings_dict.get("NAME"), words), compute)


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


class _AnyOf(Func):
    """pk = ANY(ARRAY(subquery)): the subquery's rows are looked up one by one through the
    primary key (an IN (subquery) is planned as a join that reads the whole table)."""

    arity = 2
    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra_context):
        field, subquery = self.get_source_expressions()
        field_sql, field_params = compiler.compile(field)
        # A subquery that can match nothing raises EmptyResultSet: the filter then matches
        # nothing, as Django's own `__in` does.
        subquery_sql, subquery_params = compiler.compile(subquery)
        return f"({field_sql} = ANY(ARRAY{subquery_sql}))", (*field_params, *subquery_params)


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


def _postgres_ranked(provider: Provider, scope: Scope, rows):
    """The provider's matching rows with their rank, in two steps: the candidates (its
    `result_cap()` + 1 most recent matches: ids only, from the GIN index), then those rows
    read again by primary key and ranked. PostgreSQL computes a select list before the
    sort that a LIMIT follows, so ranking in the first step would rank every match (13,000
    comments for "basura"), not only those kept."""
    query = scope.query
    if provider.index_entries:
        matching = rows.filter(Q(title=query) | Q(body=query))
        vector = _Concat(_stored_vector("title", "A"), _stored_vector("body", "B"))
        title_hit = Q(title=query)
    else:
        matching = rows.alias(search_document=StoredDocument()).filter(
            _Matches(F("search_document"), query)
        )
        vector = StoredDocument()
        title_hit = None
        if provider.title_fields:
            title_hit = _Matches(_title_part(StoredDocument()), query)
    candidates = matching.order_by("-pk").values("pk")[: result_cap() + 1]
    rows = rows.model._default_manager.filter(_AnyOf(F("pk"), Subquery(candidates)))
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
    rows = rows.annotate(
        hit_kind=Value(provider.key, output_field=CharField()), hit_id=obj_id
    ).values("hit_kind", "hit_id", "hit_rank")
    return rows


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
    """How many rows match (SQLite: exact; PostgreSQL counts with the page, see
    `_postgres_page`)."""
    return ranked(scope, kinds).count()


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


def _page_number(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return max(number, 1)


# The page of hits and the total in one statement (PostgreSQL): the union of the ranked
# candidates is computed once (a materialised CTE), counted, and the page read from it;
# one row comes back even when the page is empty, so the total is always known.
_PAGE_AND_TOTAL = """
WITH hits AS MATERIALIZED ({union})
SELECT page.hit_kind, page.hit_id, page.hit_rank, counted.total
FROM (SELECT count(*) AS total FROM hits) AS counted
LEFT JOIN LATERAL (
    SELECT hit_kind, hit_id, hit_rank FROM hits
    ORDER BY hit_rank DESC, hit_kind, hit_id LIMIT %s OFFSET %s
) AS page ON true
"""


# Compiled statements (PostgreSQL), by shape. Building and compiling the union of six
# querysets costs more than running it, and the SQL depends on the words only through one
# parameter: the statement is compiled once per shape with a stand-in for the words, which
# are put in its parameters for each search. The shape is everything else the SQL is made
# of that can change: the types, the zone (and its page's path), the cap, the page types'
# content type ids, the ids of the public consultations and budget cycles, and Wagtail's
# view restrictions (private sections), so a publication, an unpublication or a new
# private section is a new shape.
_WORDS = "\ue000qd-search-words\ue000"  # a private-use character: never typed
_STATEMENTS = _Recent(256)


def _shape(scope: Scope, kinds) -> tuple:
    return (
        connection.alias,
        connection.settings_dict.get("NAME"),
        tuple(sorted(kinds)) if kinds else None,
        getattr(scope.zone, "pk", None),
        scope.zone_page_path,
        result_cap(),
        # content type ids are in the SQL too (a database flushed and filled again, as
        # between tests, gives them new ids)
        tuple(sorted(_page_types())),
        tuple(scope._listed_pages),
        scope.view_restrictions,
    )


def _union_statement(scope: Scope, kinds) -> tuple[str, list]:
    def compute():
        stand_in = Scope(terms=[_WORDS], zone=scope.zone)
        # what the shape was read from, not read again
        for name in ("_listed_pages", "zone_page_path", "view_restrictions", "public_pages"):
            if name in scope.__dict__:
                stand_in.__dict__[name] = scope.__dict__[name]
        # None: no type can match anything (nothing public)
        return _compiled(ranked(stand_in, kinds).order_by())

    union, params = _STATEMENTS.get(_shape(scope, kinds), compute)
    words = " ".join(scope.terms)
    return union, [words if param == _WORDS else param for param in params]


def page_statement(scope: Scope, kinds, number: int, page_size: int):
    """The SQL and parameters of `_PAGE_AND_TOTAL` for page `number` (PostgreSQL); None
    when nothing can match."""
    union, params = _union_statement(scope, kinds)
    if union is None:
        return None
    return _PAGE_AND_TOTAL.format(union=union), [*params, page_size, (number - 1) * page_size]


def _postgres_page(scope: Scope, kinds, number: int, page_size: int):
    """(rows of page `number`, total counted up to the cap + 1 per type)."""
    statement = page_statement(scope, kinds, number, page_size)
    if statement is None:
        return [], 0
    sql, params = statement
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    total = fetched[0][3]
    rows = [
        {"hit_kind": kind, "hit_id": hit_id, "hit_rank": rank}
        for kind, hit_id, rank, _total in fetched
        if kind is not None
    ]
    return rows, total


def search(scope: Scope, *, kinds=None, page_number=1, page_size=PAGE_SIZE) -> Results:
    if scope.postgres:
        cap = result_cap()
        number = _page_number(page_number)
        # Pages go up to the cap: a number beyond it is the last page (as get_page does).
        number = min(number, max((cap + page_size - 1) // page_size, 1))
        rows, total = _postgres_page(scope, kinds, number, page_size)
        listed = min(total, cap)
        paginator = _CountedPaginator((), page_size, listed)
        if number > paginator.num_pages:
            number = paginator.num_pages
            rows, total = _postgres_page(scope, kinds, number, page_size)
        rows = rows[: max(listed - (number - 1) * page_size, 0)]
        page = Page(rows, number, paginator)
    else:
        total = counted(scope, kinds)
        cap = total
        page = _CountedPaginator(ranked(scope, kinds), page_size, total).get_page(page_number)
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
    return Results(page=page, hits=hits, total=total, cap=cap)


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

    # Visibility row by row (the entry's page looked up by its primary key), not a list of
    # every public page's id as text: matches are few beside the pages of the city. The
    # cast is guarded, though only page types (numeric ids) are read.
    page_pk = Case(
        When(object_id__regex=r"^[0-9]{1,9}$", then=Cast("object_id", IntegerField())),
        default=None,
    )
    visible = scope.pages().filter(pk=OuterRef("page_pk"))
    return (
        IndexEntry.objects.filter(content_type__in=_page_types(models, exclude=exclude))
        .alias(page_pk=page_pk)
        .filter(Exists(visible))
    )


def _indexed_text():
    """The body text Wagtail indexed for the outer page (what the search matched)."""
    from wagtail.search.models import IndexEntry

    column = "body_text" if connection.vendor == "postgresql" else "body"
    entries = IndexEntry.objects.filter(
        content_type__in=_page_types(), object_id=Cast(OuterRef("pk"), CharField())
    )
    return Subquery(entries.values(column)[:1])


def _singular(key: str) -> str:
    return str(PROVIDERS[key].singular)


def _type_label(content_type_id: int) -> str:
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    return str(model._meta.verbose_name).capitalize() if model else str(_("Page"))


def _page_rows(scope):
    from assemblies.models import AssemblyPage

    return _index_entries(scope, exclude=(AssemblyPage,))


# --- reading the hits of a page -------------------------------------------------------------
# The ten rows of a page of hits are read by id with the columns they show, as tuples: with
# ten rows to read, Django building and compiling a queryset and building model instances
# (a page row has about 30 columns) cost several times what the database takes to run it.
# Each read's SQL is compiled once per process (per read, number of ids and the content
# types it names), with stand-in ids that are replaced by the real ones as parameters.
_STAND_IN = -2_000_000_000  # ids compiled in place of the real ones: never a row's id
_READS = _Recent(256)


def _read(name: str, build: Callable[[list[int]], object], ids, key=()) -> list[tuple]:
    """The rows of `build(ids)` (a `values_list` queryset filtered by `pk__in=ids`). Only
    for columns the database driver returns as Python wants them (numbers, text): the
    field converters of Django are not applied."""
    ids = list(ids)
    stand_ins = [_STAND_IN - index for index in range(len(ids))]
    cache_key = (connection.alias, connection.settings_dict.get("NAME"), name, len(ids), key)
    sql, params = _READS.get(cache_key, lambda: _compiled(build(stand_ins)))  # None: no ids
    if sql is None:
        return []
    real = dict(zip(stand_ins, ids, strict=True))
    params = [real.get(param, param) if type(param) is int else param for param in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _page_stub(model, pk: int, url_path: str):
    """An instance of page `model` holding only its id and URL path: all that Wagtail's
    `url` and a routable page's `reverse_subpage` read (any other column would be read
    from the database on access: the query-count tests would see it)."""
    values = {"id": pk, "page_ptr_id": pk, "url_path": url_path}
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


def _hydrate_pages(ids, scope):
    from wagtail.models import Page

    from territory.selectors import zone_at

    def build(ids):
        pages = Page.objects.filter(pk__in=ids).annotate(indexed=_indexed_text())
        return pages.values_list("pk", "title", "url_path", "path", "content_type_id", "indexed")

    hits = {}
    for pk, title, url_path, path, type_id, indexed in _read(
        "pages", build, ids, key=tuple(sorted(_page_types()))
    ):
        hits[pk] = Hit(
            kind="pagina",
            label=_type_label(type_id),
            title=text.as_html(title),
            url=_page_stub(Page, pk, url_path).url or "",
            excerpt=text.excerpt(indexed or "", scope.matcher),
            zone=zone_at(path, scope.zones),
        )
    return hits


def _assembly_date(page) -> str:
    from django.utils import formats, timezone

    return formats.date_format(timezone.localtime(page.starts_at), "DATETIME_FORMAT")


def _assembly_rows(scope):
    from assemblies.models import AssemblyPage

    return _index_entries(scope, [AssemblyPage])


def _hydrate_assemblies(ids, scope):
    """Through the ORM (few, and the date needs Django's conversion on SQLite)."""
    from assemblies.models import AssemblyPage
    from territory.selectors import zone_at

    fields = ("id", "title", "url_path", "path", "depth", "starts_at")
    pages = AssemblyPage.objects.filter(pk__in=ids).only(*fields)
    hits = {}
    for page in pages.annotate(indexed=_indexed_text()):
        hits[page.pk] = Hit(
            kind="asamblea",
            label=_singular("asamblea"),
            title=text.as_html(page.title),
            url=page.url or "",
            excerpt=text.excerpt(page.indexed or "", scope.matcher),
            zone=zone_at(page.path, scope.zones),
            detail=_assembly_date(page),
        )
    return hits


def _current_provisions(scope):
    from consultations.models import ConsultationPage, DraftVersion, Provision

    newer = DraftVersion.objects.filter(
        consultation_id=OuterRef("version__consultation_id"), number__gt=OuterRef("version__number")
    )
    return (
        Provision.objects.filter(version__consultation_id__in=scope.page_ids(ConsultationPage))
        .exclude(kind=Provision.Kind.HEADING)
        .exclude(Exists(newer))
    )


def _hydrate_provisions(ids, scope):
    from consultations.models import ConsultationPage, Provision
    from quitodecide.pages import subpage_url
    from territory.selectors import zone_at

    def build(ids):
        return Provision.objects.filter(pk__in=ids).values_list(
            "pk",
            "key",
            "label",
            "heading",
            "body",
            "version__consultation_id",
            "version__consultation__title",
            "version__consultation__url_path",
            "version__consultation__path",
        )

    hits = {}
    for pk, key, label, heading, body, page_id, page_title, url_path, path in _read(
        "provisions", build, ids
    ):
        consultation = _page_stub(ConsultationPage, page_id, url_path)
        hits[pk] = Hit(
            kind="articulo",
            label=_singular("articulo"),
            title=text.as_html(f"{label} {heading}".strip()),
            url=subpage_url(consultation, "provision_thread", key),
            excerpt=text.excerpt(body, scope.matcher),
            zone=zone_at(path, scope.zones),
            detail=page_title,
        )
    return hits


def _public_thread_ids(scope) -> Q:
    from budgets.models import BudgetCyclePage
    from consultations.models import ConsultationPage, Provision
    from proposals.models import Request
    from works.models import Work

    consultations = scope.page_ids(ConsultationPage, zoned=False)
    provisions = Provision.objects.filter(version__consultation_id__in=consultations)
    requests = Request.objects.filter(cycle_id__in=scope.page_ids(BudgetCyclePage, zoned=False))
    general = ConsultationPage.objects.filter(pk__in=consultations)
    return (
        Q(thread_id__in=provisions.values("thread_id"))
        | Q(thread_id__in=general.values("general_thread_id"))
        | Q(thread_id__in=requests.values("thread_id"))
        | Q(thread_id__in=Work.objects.values("thread_id"))
    )


def _comment_rows(scope):
    from discussions.models import Comment

    comments = Comment.objects.filter(status=Comment.Status.VISIBLE)
    comments = comments.filter(_public_thread_ids(scope))
    if scope.zone is not None and scope.postgres:
        # The zone's threads as a list (PostgreSQL: an array): a join to the threads made
        # PostgreSQL walk the newest comments backwards, re-checking each one's match
        # (24.6 -> 9.6 ms for "seguridad" in Calderón at 50,000 comments).
        from discussions.models import Thread

        zone_threads = Subquery(Thread.objects.filter(zone=scope.zone).values("pk"))
        comments = comments.filter(_AnyOf(F("thread_id"), zone_threads))
    elif scope.zone is not None:
        comments = comments.filter(thread__zone=scope.zone)
    return comments


def _thread_links(thread_ids) -> dict[int, tuple[str, str]]:
    """thread id -> (url of the page showing it, what it is about), 4 queries at most."""
    from budgets.models import BudgetCyclePage
    from consultations.models import ConsultationPage, Provision
    from proposals.models import Request
    from quitodecide.pages import subpage_url
    from works.models import Work

    ids = sorted(thread_ids)
    links = {}
    works = _read(
        "thread-works",
        lambda ids: Work.objects.filter(thread_id__in=ids).values_list(
            "thread_id", "code", "title"
        ),
        ids,
    )
    for thread_id, code, title in works:
        links[thread_id] = (reverse("works:detail", args=[code]), title)
    requests = _read(
        "thread-requests",
        lambda ids: Request.objects.filter(thread_id__in=ids).values_list(
            "thread_id", "pk", "title", "cycle_id", "cycle__url_path"
        ),
        ids,
    )
    for thread_id, pk, title, cycle_id, url_path in requests:
        cycle = _page_stub(BudgetCyclePage, cycle_id, url_path)
        links[thread_id] = (subpage_url(cycle, "request_detail", pk), title)
    generals = _read(
        "thread-generals",
        lambda ids: ConsultationPage.objects.filter(general_thread_id__in=ids).values_list(
            "general_thread_id", "pk", "title", "url_path"
        ),
        ids,
    )
    for thread_id, pk, title, url_path in generals:
        page = _page_stub(ConsultationPage, pk, url_path)
        links[thread_id] = (subpage_url(page, "general_discussion"), title)

    def provisions(ids):
        return (
            Provision.objects.filter(thread_id__in=ids)
            .order_by("thread_id", "-version__number")
            .values_list(
                "thread_id",
                "key",
                "label",
                "version__consultation_id",
                "version__consultation__title",
                "version__consultation__url_path",
            )
        )

    for thread_id, key, label, page_id, title, url_path in _read(
        "thread-provisions", provisions, ids
    ):
        if thread_id not in links:  # the newest version's article
            page = _page_stub(ConsultationPage, page_id, url_path)
            url = subpage_url(page, "provision_thread", key)
            links[thread_id] = (url, f"{label} · {title}")
    return links


def _hydrate_comments(ids, scope):
    from discussions.models import Comment

    def build(ids):
        return Comment.objects.filter(pk__in=ids).values_list(
            "pk", "body", "thread_id", "thread__title", "thread__zone_id"
        )

    rows = _read("comments", build, ids)
    links = _thread_links({thread_id for _pk, _body, thread_id, _title, _zone in rows})
    hits = {}
    for pk, body, thread_id, thread_title, zone_id in rows:
        url, about = links.get(thread_id, ("", thread_title))
        hits[pk] = Hit(
            kind="comentario",
            label=_singular("comentario"),
            title=text.as_html(_("Comment on “%(about)s”") % {"about": about}),
            url=f"{url}#comentario-{pk}" if url else "",
            excerpt=text.excerpt(body, scope.matcher),
            zone=scope.zones_by_id.get(zone_id),
        )
    return hits


def _request_rows(scope):
    from budgets.models import BudgetCyclePage
    from proposals.models import Request

    requests = Request.objects.filter(cycle_id__in=scope.page_ids(BudgetCyclePage))
    if scope.zone is not None:
        requests = requests.filter(cycle__zone=scope.zone)
    return requests


def _hydrate_requests(ids, scope):
    from budgets.models import BudgetCyclePage
    from proposals.models import Request
    from quitodecide.pages import subpage_url

    def build(ids):
        return Request.objects.filter(pk__in=ids).values_list(
            "pk",
            "title",
            "description",
            "cycle_id",
            "cycle__title",
            "cycle__url_path",
            "cycle__zone_id",
        )

    hits = {}
    for pk, title, description, cycle_id, cycle_title, url_path, zone_id in _read(
        "requests", build, ids
    ):
        cycle = _page_stub(BudgetCyclePage, cycle_id, url_path)
        hits[pk] = Hit(
            kind="solicitud",
            label=_singular("solicitud"),
            title=text.as_html(title),
            url=subpage_url(cycle, "request_detail", pk),
            excerpt=text.excerpt(description, scope.matcher),
            zone=scope.zones_by_id.get(zone_id),
            detail=f"{Request.reference_for(pk)} · {cycle_title}",
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
