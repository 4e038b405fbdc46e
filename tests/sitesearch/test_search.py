"""The site search over every public content type: what it finds, what it must not, ranking,
filters, excerpts, hostile input and query counts. Runs on SQLite (the fallback) and on
PostgreSQL (full text, `quito_es`, GIN indexes) when DATABASE_URL says so; where the two
differ, each test asserts the behaviour of the database it runs on."""

import datetime
import re

import pytest
from django.db import connection
from django.db.models import BooleanField, Func
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from assemblies.models import AssemblyKind, AssemblyPage
from consultations.models import ConsultationPage, Provision
from discussions.models import Comment
from home.demo import load_demo
from home.forms import SearchForm
from home.models import StandardPage
from proposals.services import request_thread as request_thread_of
from sitesearch import search as sitesearch
from territory.models import Zone, ZonePage
from tests.budgets.builders import make_cycle, make_request
from tests.consultations.helpers import make_consultation
from tests.factories import UserFactory
from tests.works.builders import make_work

pytestmark = pytest.mark.django_db

# "bicicletas" is in one item of every type below, and in the consultation's own page.
EVERYTHING = 7


def hits(client, **params):
    response = client.get("/buscar/", params)
    assert response.status_code == 200
    html = response.content.decode()
    found = re.findall(r'<li class="search-hit" data-kind="(\w+)">.*?<a href="([^"]*)"', html, re.S)
    return found, html


def _assembly(zone_page, title, summary):
    page = AssemblyPage(
        title=title,
        slug="asamblea-" + str(abs(hash(title)) % 10_000),
        kind=AssemblyKind.ZONAL,
        starts_at=timezone.now() + datetime.timedelta(days=3),
        place="Casa Somos",
        summary=summary,
    )
    zone_page.add_child(instance=page)
    page.save_revision().publish()
    return page


def _comment(thread, body, **fields):
    return Comment.objects.create(thread=thread, author=UserFactory(), body=body, **fields)


@pytest.fixture
def world(territory):
    """One item of every type mentioning WORD, in Calderón unless said otherwise."""
    load_demo()
    calderon = ZonePage.objects.get(zone__slug="calderon")
    consultation = make_consultation(
        calderon,
        slug="ciclovias",
        text="ORDENANZA\n\nArtículo 1.- Ciclovías.- Las bicicletas circulan por la derecha.\n"
        "Artículo 2.- Aceras.- Nadie estaciona en las aceras.\n",
    )
    provision = Provision.objects.get(version__consultation=consultation, key__contains="1")
    cycle = make_cycle("calderon")
    request = make_request(cycle, title="Parqueadero de bicicletas en Carapungo")
    work = make_work("tumbaco", title="Ciclovía de Tumbaco con estacionamiento de bicicletas")
    assembly = _assembly(calderon, "Asamblea de movilidad", "Hablaremos de bicicletas y buses.")
    comment = _comment(provision.thread, "Pido más parqueaderos para bicicletas, por favor.")
    standard = StandardPage.objects.live().first()
    standard.intro = "Rutas seguras para bicicletas."
    standard.save_revision().publish()
    return {
        "consultation": consultation,
        "provision": provision,
        "request": request,
        "work": work,
        "assembly": assembly,
        "comment": comment,
        "standard": StandardPage.objects.get(pk=standard.pk),
        "cycle": cycle,
    }


def test_one_search_finds_every_type_with_its_label_and_link(client, world):
    found, html = hits(client, q="bicicleta")  # singular: stemming, or a substring on SQLite
    kinds = {kind for kind, _url in found}
    assert kinds == {"pagina", "articulo", "comentario", "solicitud", "asamblea", "obra"}
    urls = {url for _kind, url in found}
    consultation, provision = world["consultation"], world["provision"]
    assert f"{consultation.url}articulo/{provision.key}/" in urls
    assert f"{consultation.url}articulo/{provision.key}/#comentario-{world['comment'].pk}" in urls
    assert f"{world['cycle'].url}solicitudes/{world['request'].pk}/" in urls
    assert f"/obras/{world['work'].code}/" in urls
    assert world["assembly"].url in urls and world["standard"].url in urls
    assert consultation.url in urls
    assert html.count('class="badge"') == len(found) == EVERYTHING
    assert "<mark>bicicletas</mark>" in html
    for url in urls:  # every link leads somewhere real
        assert client.get(url).status_code == 200, url


def test_hidden_deleted_unpublished_and_private_content_is_not_found(client, world):
    thread = world["provision"].thread
    _comment(thread, "bicicletas ocultas", status=Comment.Status.HIDDEN, moderation_reason="spam")
    _comment(thread, "bicicletas borradas", status=Comment.Status.DELETED)
    draft = make_consultation(slug="borrador", text="Artículo 1.- Uno.- Sobre bicicletas.\n")
    draft_provision = Provision.objects.filter(version__consultation=draft).first()
    _comment(draft_provision.thread, "Comentario sobre bicicletas en un borrador.")
    draft.unpublish()
    old_cycle = make_cycle("tumbaco", year=2025)
    make_request(old_cycle, title="Bicicletas para la escuela")
    old_cycle.unpublish()
    private = StandardPage.objects.live().exclude(pk=world["standard"].pk).first()
    private.intro = "Bicicletas privadas."
    private.save_revision().publish()
    PageViewRestriction.objects.create(page=private, restriction_type="login")

    found, html = hits(client, q="bicicletas")
    assert len(found) == EVERYTHING
    for secret in ("ocultas", "borradas", "borrador", "escuela", "privadas"):
        assert secret not in html
    # A comment hidden later leaves the results at once.
    world["comment"].status = Comment.Status.HIDDEN
    world["comment"].moderation_reason = "spam"
    world["comment"].save()
    assert "comentario" not in {kind for kind, _ in hits(client, q="bicicletas")[0]}


def test_a_change_of_visibility_shows_in_the_very_next_search(client, world):
    # The same search before and after each change: nothing remembered from the previous
    # search (PostgreSQL reuses the compiled statement of a search of the same shape) may
    # show what has since become private, unpublished or moved out of the zone.
    def kinds(**params):
        return sorted(kind for kind, _url in hits(client, q="bicicletas", **params)[0])

    everything = kinds()
    assert len(everything) == EVERYTHING and kinds(zona="calderon").count("articulo") == 1
    consultation = world["consultation"]
    restriction = PageViewRestriction.objects.create(page=consultation, restriction_type="login")
    private = kinds()
    # the consultation page, its article and the comment on it are gone
    assert "articulo" not in private and "comentario" not in private
    assert len(private) == EVERYTHING - 3
    restriction.delete()
    assert kinds() == everything
    consultation.unpublish()
    assert kinds() == private
    world["cycle"].unpublish()
    assert "solicitud" not in kinds() and "solicitud" not in kinds(tipo="solicitud")
    ConsultationPage.objects.get(pk=consultation.pk).save_revision().publish()
    assert kinds(zona="calderon").count("articulo") == 1
    # moved to another zone: the zone's search no longer has it, the other zone's does
    tumbaco = ZonePage.objects.get(zone__slug="tumbaco")
    Page.objects.get(pk=consultation.pk).move(tumbaco, pos="last-child")
    assert "articulo" not in kinds(zona="calderon")
    assert kinds(zona="tumbaco").count("articulo") == 1


def test_accents_and_case_are_ignored_and_stemming_depends_on_the_database(client, world):
    assert len(hits(client, q="BICICLETAS")[0]) == EVERYTHING
    found, _ = hits(client, q="ciclovia")  # "Ciclovías" in the article, "Ciclovía" in the work
    assert {"articulo", "obra"} <= {kind for kind, _ in found}
    found, _ = hits(client, q="estacionar")
    if connection.vendor == "postgresql":
        # Spanish stemming: "estacionar", "estaciona" (article 2) and "estacionamiento" (the
        # work's title) share the stem "estacion".
        assert {"articulo", "obra"} <= {kind for kind, _ in found}
    else:
        # The SQLite fallback compares words as typed (substrings, accents folded).
        assert found == []


def test_title_matches_rank_first_and_the_participation_ordinance_leads(client, territory):
    from consultations.demo import load_demo_consultations

    load_demo()
    load_demo_consultations()
    ordinance = ConsultationPage.objects.get(slug="ordenanza-participacion-ciudadana")
    found, html = hits(client, q="participacion")
    assert found, html
    assert found[0] == ("pagina", ordinance.url)
    # The rank is title first: no body-only hit comes before a title hit.
    rows = list(sitesearch.ranked(sitesearch.Scope(terms=["participacion"]))[:50])
    ranks = [row["hit_rank"] for row in rows]
    assert ranks == sorted(ranks, reverse=True)
    titles = [bool(re.search(r"(?i)particip", _title_of(row))) for row in rows]
    assert titles == sorted(titles, reverse=True), titles


def _title_of(row) -> str:
    if row["hit_kind"] in {"pagina", "asamblea"}:
        return Page.objects.get(pk=row["hit_id"]).title
    if row["hit_kind"] == "articulo":
        provision = Provision.objects.get(pk=row["hit_id"])
        return f"{provision.label} {provision.heading}"
    return ""  # comments have no title


def test_filters_by_type_and_zone(client, world):
    found, html = hits(client, q="bicicletas", tipo="obra")
    assert [kind for kind, _ in found] == ["obra"]
    assert '<option value="obra" selected>' in html
    found, html = hits(client, q="bicicletas", zona="calderon")
    kinds = {kind for kind, _ in found}
    # The work is in Tumbaco; the consultation's page, under Calderón's, is a page of it.
    assert kinds == {"pagina", "articulo", "comentario", "solicitud", "asamblea"}
    assert '<option value="calderon" selected>' in html
    found, _ = hits(client, q="bicicletas", zona="tumbaco", tipo="obra")
    assert [url for _, url in found] == [f"/obras/{world['work'].code}/"]
    assert hits(client, q="bicicletas", zona="quitumbe")[0] == []


def test_excerpts_mark_the_hit_and_never_let_markup_through(client, world):
    _comment(
        world["provision"].thread,
        '<script>alert(1)</script><img src=x onerror=alert(2)> bicicletas "seguras"',
    )
    found, html = hits(client, q="bicicletas", tipo="comentario")
    assert len(found) == 2
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    assert "<mark>bicicletas</mark> &quot;seguras&quot;" in html
    assert re.search(r'<a href="[^"]+">Comment on|<a href="[^"]+">Comentario sobre', html)


def test_results_are_paginated_and_links_keep_the_filters(client, world):
    for number in range(12):
        make_work("tumbaco", title=f"Bicicletas públicas, estación {number}")
    first, html = hits(client, q="bicicletas", tipo="obra")
    assert len(first) == sitesearch.PAGE_SIZE
    assert "?q=bicicletas&amp;tipo=obra&amp;pagina=2" in html
    second, _ = hits(client, q="bicicletas", tipo="obra", pagina="2")
    assert len(second) == 13 - sitesearch.PAGE_SIZE
    assert not set(first) & set(second)


HOSTILE = [
    ({"q": "a\x00b"}, None),
    ({"q": "bicicletas " * 100}, "search-notices"),
    ({"q": "&|!:*()'"}, "search-notices"),
    ({"q": "bicicletas & !(parque | 'x'):*"}, None),
    ({"q": "NEAR(a b) col:a ^a \\ % _"}, None),
    ({"q": "bicicletas", "tipo": "<script>"}, "search-notices"),
    ({"q": "bicicletas", "zona": "narnia"}, "search-notices"),
    ({"q": "bicicletas", "pagina": "abc"}, "search-notices"),
    ({"q": "bicicletas", "pagina": "-1"}, "search-notices"),
    ({"q": "bicicletas", "pagina": "9" * 40}, "search-notices"),
    ({"q": "bicicletas", "pagina": "٢"}, "search-notices"),
    ({"q": "de la y"}, None),
    ({"q": "\u202e\ufeff"}, "search-notices"),
]


def test_hostile_input_is_never_a_500_and_is_explained(client, world):
    for params, marker in HOSTILE:
        response = client.get("/buscar/", params)
        html = response.content.decode()
        if "\x00" in params["q"]:
            # Refused before the view by quitodecide.middleware.RefuseNulMiddleware, with
            # the reason; the form would refuse it too (field error) if it got that far.
            assert response.status_code == 400 and "NUL" in html, params
            form = SearchForm(params, zones=())
            assert not form.is_valid() and form.errors["q"] and form.query == ""
            continue
        assert response.status_code == 200, params
        if marker:
            assert f'id="{marker}"' in html, params


def test_a_long_query_is_cut_and_searched(client, world):
    found, html = hits(client, q="bicicletas " + "x" * 400)
    assert 'id="search-notices"' in html
    assert 'maxlength="200"' in html


def _count(client, **params):
    client.get("/buscar/", params)  # warm per-process caches (site root paths, content types)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/buscar/", params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_query_count_does_not_grow_with_the_hits(client, world):
    every_type = _count(client, q="bicicletas")
    # zones list, page-view restrictions, count, one page of rows, the stems (PostgreSQL),
    # and one to four reads for each type on the page (comments: their threads' pages).
    assert every_type <= 22, every_type
    one_comment = _count(client, q="bicicletas", tipo="comentario")
    thread = world["provision"].thread
    request_thread = request_thread_of(request=world["request"])
    for number in range(8):
        _comment(thread, f"Más bicicletas, pedido {number}.")
        _comment(request_thread, f"Bicicletas en la solicitud {number}.")
    assert _count(client, q="bicicletas", tipo="comentario") == one_comment


def test_the_query_count_of_each_type_does_not_grow_with_its_hits(client, world):
    # Hits are read with the columns they show (`only`): a column left out would be read
    # again for every hit. One hit of each type, then several (in other zones, consultations,
    # cycles and threads): the same number of queries.
    kinds = ("pagina", "articulo", "solicitud", "asamblea", "obra", "comentario")
    before = {kind: _count(client, q="bicicletas", tipo=kind) for kind in kinds}
    tumbaco = ZonePage.objects.get(zone__slug="tumbaco")
    for number, standard in enumerate(StandardPage.objects.live().exclude(pk=world["standard"].pk)):
        standard.intro = f"Bicicletas, página {number}."
        standard.save_revision().publish()
    other = make_consultation(
        tumbaco,
        slug="aceras",
        text="Artículo 1.- Bicicletas.- Van por la ciclovía.\n"
        "Artículo 2.- Parqueo.- Las bicicletas se dejan en el parqueadero.\n",
    )
    cycle = make_cycle("tumbaco")
    for number in range(3):
        make_request(cycle, title=f"Bicicletas para el barrio {number}")
        make_request(world["cycle"], title=f"Más bicicletas {number}")
        make_work("calderon", title=f"Estacionamiento de bicicletas {number}")
        _assembly(tumbaco, f"Asamblea de bicicletas {number}", "Sobre bicicletas.")
    threads = [
        Provision.objects.filter(version__consultation=other).first().thread,
        request_thread_of(request=world["request"]),
        world["work"].thread,
        world["consultation"].general_thread,
    ]
    for number, thread in enumerate(threads):
        _comment(thread, f"Bicicletas, comentario {number}.")
    for kind in kinds:
        found, _html = hits(client, q="bicicletas", tipo=kind)
        assert len(found) >= 3, (kind, found)
        assert _count(client, q="bicicletas", tipo=kind) == before[kind], kind


def test_each_hit_names_the_zone_it_belongs_to(client, world):
    found, html = hits(client, q="bicicletas")
    labels = dict(
        re.findall(r'data-kind="(\w+)">\s*<p class="search-hit-type">(.*?)</p>', html, re.S)
    )
    for kind in ("articulo", "comentario", "solicitud", "asamblea"):
        assert "Calderón" in labels[kind], (kind, labels[kind])
    assert "Tumbaco" in labels["obra"]
    assert "Calderón" not in labels["obra"] and "Tumbaco" not in labels["solicitud"]


def test_the_postgresql_stored_documents_match_the_queries(world):
    from importlib import import_module

    migration = import_module("sitesearch.migrations.0002_stored_documents")
    assert migration.VECTOR_FIELDS == sitesearch.VECTOR_FIELDS
    names = [migration.column_index_name(label) for label in sitesearch.VECTOR_FIELDS]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'sitesearch_%%'")
            assert sorted(row[0] for row in cursor.fetchall()) == sorted(names)
            # The stored column holds exactly the document the search used to compute.
            from django.apps import apps

            for label, (title_fields, body_fields) in sitesearch.VECTOR_FIELDS.items():
                model = apps.get_model(label)
                same = Func(
                    sitesearch.StoredDocument(),
                    sitesearch.document_vector(title_fields, body_fields),
                    template="(%(expressions)s)",
                    arg_joiner=" = ",
                    output_field=BooleanField(),
                )
                differing = model.objects.annotate(same=same).filter(same=False)
                assert model.objects.exists() and not differing.exists(), label
            # With the planner told to avoid table and pk scans, the comments' search reads the
            # stored column through its GIN index and never analyses the text at query time.
            rows = sitesearch.ranked_rows(
                sitesearch.PROVIDERS["comentario"], sitesearch.Scope(terms=["bicicletas"])
            )
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")  # not the pk order: the GIN
            sql, params = rows.query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "sitesearch_comment_document" in plan, plan
            assert "search_document" in plan and "to_tsvector" not in plan, plan
        else:
            cursor.execute("SELECT qd_fold('PARTICIPACIÓN')")
            assert cursor.fetchone()[0] == "participacion"
            cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE 'sitesearch_%'")
            assert cursor.fetchall() == []


def _expression_ranks(provider, scope):
    """The ranks as the search computed them before the stored documents: ts_rank of the
    document expression, plus the title bonus from the title's own vector."""
    from django.contrib.postgres.search import SearchRank, SearchVector
    from django.db.models import Case, FloatField, Value, When
    from django.db.models.functions import Cast

    vector = sitesearch.document_vector(provider.title_fields, provider.body_fields)
    rows = provider.rows(scope).order_by().annotate(doc=vector).filter(doc=scope.query)
    rank = SearchRank(vector, scope.query) + Value(provider.priority)
    if provider.title_fields:
        rows = rows.annotate(only_title=SearchVector(*provider.title_fields, config="quito_es"))
        bonus = Case(When(only_title=scope.query, then=Value(1.0)), default=Value(0.0))
        rank = rank + bonus
    rows = rows.annotate(r=Cast(rank, FloatField()))
    return {pk: round(r, 6) for pk, r in rows.values_list("pk", "r")}


def test_ranks_from_the_stored_documents_equal_the_expression_ranks(world):
    if connection.vendor != "postgresql":
        # SQLite has no stored documents: the ranking is the word-count one.
        assert "search_document" not in str(
            sitesearch.ranked(sitesearch.Scope(terms=["bicicletas"])).query
        )
        return
    _comment(world["provision"].thread, "Bicicletas, bicicletas y más ciclovías para bicicletas.")
    for terms in (["bicicletas"], ["ciclovía"], ["bicicletas", "carapungo"]):
        scope = sitesearch.Scope(terms=terms)
        for key in ("articulo", "comentario", "solicitud", "obra"):
            provider = sitesearch.PROVIDERS[key]
            stored = {
                row["hit_id"]: round(row["hit_rank"], 6)
                for row in sitesearch.ranked_rows(provider, scope)
            }
            assert stored == _expression_ranks(provider, scope), (terms, key)


def test_common_words_are_counted_up_to_the_cap_and_said_so(client, world, settings):
    settings.SEARCH_RESULT_CAP = 3
    # The page renders in the visitor's language (Spanish by default), whatever the test's.
    response = client.get("/buscar/", {"q": "bicicletas"})
    html = response.content.decode()
    found, _html = hits(client, q="bicicletas")
    if connection.vendor == "postgresql":
        assert "Más de 3 resultados para" in html and 'id="search-capped"' in html
        assert len(found) == 3  # the best 3 listed, one page, no link to an empty page
        assert 'rel="next"' not in html
        # the listed ones are the best ranked of all: the first three of the full list
        full = sitesearch.search(sitesearch.Scope(terms=["bicicletas"]))
        assert full.more and full.total == EVERYTHING and full.page.paginator.count == 3
        settings.SEARCH_RESULT_CAP = 1000
        uncapped = sitesearch.search(sitesearch.Scope(terms=["bicicletas"]))
        assert not uncapped.more and uncapped.total == EVERYTHING
        assert [h.url for h in full.hits] == [h.url for h in uncapped.hits][:3]
    else:  # SQLite: exact counts, no cap
        assert 'id="search-capped"' not in html and len(found) == EVERYTHING


def test_the_query_count_does_not_grow_beyond_the_cap(client, world, settings):
    settings.SEARCH_RESULT_CAP = 2
    thread = world["provision"].thread
    _comment(thread, "Bicicletas otra vez.")
    _comment(thread, "Y más bicicletas.")
    few = _count(client, q="bicicletas", tipo="comentario")
    for number in range(6):
        _comment(thread, f"Bicicletas, pedido {number}.")
    assert _count(client, q="bicicletas", tipo="comentario") == few
    response = client.get("/buscar/", {"q": "bicicletas", "tipo": "comentario"})
    listed = response.content.decode().count('class="search-hit"')
    assert listed == (2 if connection.vendor == "postgresql" else 9)


def test_zones_without_a_page_and_the_empty_form(client, world):
    assert client.get("/buscar/").status_code == 200
    zone = Zone.objects.create(slug="nueva", name="Nueva", official_name="Zona Nueva")
    found, html = hits(client, q="bicicletas", zona=zone.slug)
    assert found == [] and 'id="search-empty"' in html
