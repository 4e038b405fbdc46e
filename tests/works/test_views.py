"""The public works pages: the list (filters, sorting, pagination, bounded queries), a
work's page, follows, the request page's link to its work, and the home and zone sections."""

import io
import itertools
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from territory.models import Zone, ZonePage
from tests.budgets.builders import make_cycle, make_request, make_staff
from tests.factories import UserFactory
from tests.works.builders import make_work
from works import services
from works.models import CommitteeMember, Follow, Work, WorkDocument, WorkSource
from works.status import WorkStatus

pytestmark = pytest.mark.django_db
_codes = itertools.count(1)
STATUSES = list(WorkStatus.values)


def bulk_works(count: int, *, zones=("calderon", "eloy-alfaro"), years=(2025, 2026), cycle=None):
    """`count` works straight in the database (bulk_create, no services: fast), spread over
    `zones`, their parishes, every status, `years` and both sources (budget ones need
    `cycle`). Positions around each zone's seat, a few without one."""
    zone_objs = [Zone.objects.get(slug=slug) for slug in zones]
    parishes = {zone.pk: list(zone.parishes.order_by("name")) for zone in zone_objs}
    works = []
    for number in range(count):
        zone = zone_objs[number % len(zone_objs)]
        # Every combination of zone, status and year comes up within 24 works.
        parish = parishes[zone.pk][(number // 3) % len(parishes[zone.pk])]
        status = STATUSES[(number // len(zone_objs)) % len(STATUSES)]
        budget = cycle is not None and number % 4 == 0
        located = number % 10 != 9
        base_lat = float(parish.lat or zone.lat or Decimal("-0.2"))
        base_lon = float(parish.lon or zone.lon or Decimal("-78.5"))
        works.append(
            Work(
                code=f"BK-{next(_codes):06d}",
                title=f"Obra masiva {number}",
                zone=zone,
                parish=parish,
                year=years[(number // (len(zone_objs) * len(STATUSES))) % len(years)],
                source=WorkSource.BUDGET if budget else WorkSource.MUNICIPAL,
                cycle=cycle if budget else None,
                status=status,
                physical_progress=Decimal(100 if status == "finalizada" else number % 80),
                amount_assigned=Decimal(1000 + number * 7),
                amount_executed=Decimal(number % 500),
                latitude=Decimal(f"{base_lat + (number % 13) * 0.001:.6f}") if located else None,
                longitude=Decimal(f"{base_lon + (number % 17) * 0.001:.6f}") if located else None,
                last_update_on=None,
            )
        )
    Work.objects.bulk_create(works, batch_size=500)
    return works


def listed_codes(response) -> list[str]:
    return re.findall(r'data-code="([^"]+)"', response.content.decode())


def png_upload(name="foto.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


# --- the list -----------------------------------------------------------------------------
def test_list_shows_works_with_status_progress_and_a_summary(client, territory):
    work = make_work(status=WorkStatus.UNDER_WAY, title="Adoquinado de la calle Quito")
    make_work(status=WorkStatus.FINISHED)
    response = client.get("/obras/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Adoquinado de la calle Quito" in page
    assert f'href="/obras/{work.code}/"' in page
    assert 'value="30.00"' in page or 'value="30"' in page  # the progress bar's figure
    assert response.context["summary"].total_works == 2
    counts = {row["status"]: row["count"] for row in response.context["summary"].rows}
    assert counts[WorkStatus.UNDER_WAY] == 1 and counts[WorkStatus.FINISHED] == 1
    # Without JavaScript the map gives way to links to the open data.
    assert 'href="/obras/geojson/"' in page and 'href="/obras/csv/"' in page
    assert 'id="works-map"' in page and "hidden" in page


def test_filters_by_zone_parish_status_year_and_source(client, territory):
    cycle = make_cycle("calderon")
    bulk_works(48, cycle=cycle)
    calderon = Zone.objects.get(slug="calderon")
    parish = calderon.parishes.order_by("name").first()
    cases = {
        "zona=calderon": Work.objects.filter(zone=calderon),
        f"parroquia={parish.pk}": Work.objects.filter(parish=parish),
        "estado=en_ejecucion": Work.objects.filter(status="en_ejecucion"),
        "anio=2025": Work.objects.filter(year=2025),
        "origen=presupuesto_participativo": Work.objects.filter(source="presupuesto_participativo"),
        "zona=calderon&estado=finalizada&anio=2026": Work.objects.filter(
            zone=calderon, status="finalizada", year=2026
        ),
    }
    for query, expected in cases.items():
        response = client.get(f"/obras/?{query}&por_pagina=100")
        assert response.status_code == 200
        assert set(listed_codes(response)) == set(expected.values_list("code", flat=True)), query
        assert expected.exists(), query  # the case is not vacuous


@pytest.mark.parametrize(
    "query",
    [
        "zona=atlantida",
        "estado=terminadisima",
        "anio=dosmil",
        "anio=1850",
        "parroquia=999999",
        "parroquia=abc",
        "origen=privado",
        "orden=al-azar",
        "por_pagina=100000",
        "pagina=9999",
        "pagina=-1",
        "pagina=uno",
    ],
)
def test_bad_filter_values_are_ignored_never_a_500(client, territory, query):
    """The rule, for the list, the map and the downloads alike: a value that cannot be used
    is ignored (and named), the page answers 200 with the other filters applied."""
    bulk_works(6)
    response = client.get(f"/obras/?{query}")
    assert response.status_code == 200
    assert client.get(f"/obras/geojson/?{query}").status_code == 200
    assert client.get(f"/obras/csv/?{query}").status_code == 200
    if not query.startswith("pagina"):
        assert response.context["filtered"].ignored
        assert "se ignoraron" in response.content.decode() or "ignored" in response.content.decode()


def test_an_ignored_filter_leaves_the_others_applied(client, territory):
    bulk_works(12)
    response = client.get("/obras/?zona=calderon&estado=nada&por_pagina=100")
    expected = Work.objects.filter(zone__slug="calderon").values_list("code", flat=True)
    assert set(listed_codes(response)) == set(expected)
    assert response.context["filtered"].ignored == ["estado"]


def test_sorting_options(client, territory):
    bulk_works(12)
    by_amount = listed_codes(client.get("/obras/?orden=monto&por_pagina=100"))
    assert by_amount == list(
        Work.objects.order_by("-amount_assigned", "code").values_list("code", flat=True)
    )
    by_code = listed_codes(client.get("/obras/?orden=codigo&por_pagina=100"))
    assert by_code == sorted(by_code)
    by_progress = listed_codes(client.get("/obras/?orden=avance&por_pagina=100"))
    progress = dict(Work.objects.values_list("code", "physical_progress"))
    values = [progress[code] for code in by_progress]
    assert values == sorted(values, reverse=True)


def test_newest_update_first_by_default(client, territory):
    old = make_work(title="Obra antigua")
    new = make_work(title="Obra reciente")
    Work.objects.filter(pk=old.pk).update(last_update_on="2025-01-10")
    Work.objects.filter(pk=new.pk).update(last_update_on="2025-06-10")
    assert listed_codes(client.get("/obras/")) == [new.code, old.code]


def test_pagination_is_bounded_and_keeps_the_filters(client, territory):
    bulk_works(130, zones=("calderon",))
    response = client.get("/obras/?zona=calderon&por_pagina=100")
    assert len(listed_codes(response)) == 100
    page = response.content.decode()
    assert "zona=calderon" in page and "pagina=2" in page
    second = client.get("/obras/?zona=calderon&por_pagina=100&pagina=2")
    assert len(listed_codes(second)) == 30
    # A page size that is not offered falls back to the default.
    assert len(listed_codes(client.get("/obras/?por_pagina=5000"))) == 20


def _count_list_queries(client, query="") -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(f"/obras/{query}")
    assert response.status_code == 200
    return len(context.captured_queries)


def test_list_queries_do_not_grow_with_the_number_of_works(client, territory):
    bulk_works(50)
    client.get("/obras/")  # warm caches (content types, site root paths)
    small = _count_list_queries(client)
    small_filtered = _count_list_queries(client, "?zona=calderon&estado=en_ejecucion")
    bulk_works(4950)
    assert Work.objects.count() == 5000
    assert _count_list_queries(client) == small
    assert _count_list_queries(client, "?zona=calderon&estado=en_ejecucion") == small_filtered


# --- a work's page ------------------------------------------------------------------------
def test_work_page_shows_figures_timeline_photos_committee_and_documents(client, territory):
    from wagtail.documents.models import Document

    staff = make_staff("calderon")
    work = make_work(status=WorkStatus.PROCUREMENT, staff=staff, contractor_name="Vialsur S.A.")
    services.update_post(
        work=work,
        actor=staff,
        date=work.last_update_on,
        status=WorkStatus.UNDER_WAY,
        physical_progress=Decimal("45"),
        financial_progress=Decimal("50"),
        text="Se colocó la base granular.",
        photos=[(png_upload(), "Máquinas sobre la calle")],
    )
    CommitteeMember.objects.create(
        work=work,
        display_name="Rosa Públicas",
        role="presidencia",
        consents_to_publish_name=True,
        phone="0999999999",
        email="rosa@example.ec",
    )
    CommitteeMember.objects.create(
        work=work, display_name="Pedro Reservado", consents_to_publish_name=False
    )
    document = Document.objects.create(
        title="Contrato", file=SimpleUploadedFile("contrato.pdf", b"%PDF-1.4 x")
    )
    WorkDocument.objects.create(work=work, document=document, title="Contrato de obra")
    response = client.get(f"/obras/{work.code}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="avance-fisico" max="100" value="45' in page
    assert 'id="avance-financiero" max="100" value="50' in page
    assert "Se colocó la base granular." in page
    assert 'alt="Máquinas sobre la calle"' in page
    assert "Rosa Públicas" in page
    assert "Pedro Reservado" not in page and "0999999999" not in page
    assert "rosa@example.ec" not in page
    assert "Contrato de obra" in page
    assert "Vialsur S.A." in page
    assert 'id="work-map"' in page  # the map (shown by the script) and the OSM link
    assert "openstreetmap.org/?mlat=-0.100000" in page
    # The timeline is newest first, with dd/mm/yyyy dates.
    updates = response.context["updates"]
    assert [u.status for u in updates][0] == WorkStatus.UNDER_WAY
    assert work.last_update_on.strftime("%d/%m/%Y") in page


def test_work_page_queries_do_not_grow_with_updates_and_photos(client, territory):
    staff = make_staff("calderon")
    work = make_work(status=WorkStatus.UNDER_WAY, staff=staff)

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(f"/obras/{work.code}/").status_code == 200
        return len(context.captured_queries)

    client.get(f"/obras/{work.code}/")
    before = queries()
    for progress in (50, 60, 70):
        services.update_post(
            work=Work.objects.get(pk=work.pk),
            actor=staff,
            date=work.last_update_on,
            status=WorkStatus.UNDER_WAY,
            physical_progress=Decimal(progress),
            financial_progress=Decimal(progress),
            photos=[(png_upload(), "Avance")],
        )
    assert queries() == before


def test_unknown_work_is_a_404(client, territory):
    assert client.get("/obras/OB-0000-99999/").status_code == 404


def test_work_page_links_to_its_request_and_the_request_page_links_back(client, territory):
    cycle = make_cycle("calderon", phase="results")
    request = make_request(cycle, title="Cancha del barrio La Josefina")
    work = make_work(title="Cancha de La Josefina")
    Work.objects.filter(pk=work.pk).update(source=WorkSource.BUDGET, cycle=cycle, request=request)
    page = client.get(f"/obras/{work.code}/").content.decode()
    request_url = cycle.url + cycle.reverse_subpage("request_detail", args=[request.pk])
    assert f'href="{request_url}"' in page
    assert request.reference in page
    request_page = client.get(request_url)
    assert request_page.status_code == 200
    text = request_page.content.decode()
    assert f'href="/obras/{work.code}/"' in text
    assert 'id="obra-avance"' in text


def test_request_page_without_a_work_still_renders(client, territory):
    cycle = make_cycle("calderon", phase="requests")
    request = make_request(cycle)
    response = client.get(cycle.url + cycle.reverse_subpage("request_detail", args=[request.pk]))
    assert response.status_code == 200
    assert 'id="obra"' not in response.content.decode()


# --- follow -------------------------------------------------------------------------------
def test_follow_needs_login(client, territory):
    work = make_work()
    response = client.post(f"/obras/{work.code}/seguir/")
    assert response.status_code == 302
    assert response["Location"].startswith("/cuenta/login/?next=")
    assert not Follow.objects.exists()


def test_follow_toggles(client, territory):
    work = make_work()
    user = UserFactory()
    client.force_login(user)
    assert client.get(f"/obras/{work.code}/seguir/").status_code == 405
    response = client.post(f"/obras/{work.code}/seguir/", follow=True)
    assert Follow.objects.filter(work=work, user=user).exists()
    assert "Dejar de seguir" in response.content.decode() or response.context["following"]
    client.post(f"/obras/{work.code}/seguir/")
    assert not Follow.objects.filter(work=work, user=user).exists()
    assert client.post("/obras/NO-EXISTE/seguir/").status_code == 404


# --- home and zone page -------------------------------------------------------------------
def test_home_shows_works_by_status_and_the_total_invested(client, territory):
    bulk_works(12)
    Work.objects.update(amount_executed=Decimal("1000.50"))
    page = client.get("/").content.decode()
    assert 'id="section-obras"' in page
    assert "/obras/?estado=en_ejecucion" in page
    assert "USD 12.006,00" in page  # 12 × 1000,50, written like the rest of the site


def test_home_without_works_has_no_works_section(client, territory):
    assert 'id="section-obras"' not in client.get("/").content.decode()


def test_zone_page_shows_its_works_and_their_map(client, territory):
    mine = make_work("calderon", title="Obra de Calderón")
    other = make_work("eloy-alfaro", title="Obra de Eloy Alfaro")
    zone_page = ZonePage.objects.get(zone__slug="calderon")
    page = client.get(zone_page.url).content.decode()
    assert "Obra de Calderón" in page and f'data-code="{mine.code}"' in page
    assert "Obra de Eloy Alfaro" not in page and other.code not in page
    assert 'data-geojson="/obras/geojson/?zona=calderon"' in page
    assert 'href="/obras/?zona=calderon"' in page


def test_zone_page_queries_do_not_grow_with_its_works(client, territory):
    zone_page = ZonePage.objects.get(zone__slug="calderon")
    bulk_works(10, zones=("calderon",))
    client.get(zone_page.url)

    def queries():
        with CaptureQueriesContext(connection) as context:
            client.get(zone_page.url)
        return len(context.captured_queries)

    before = queries()
    bulk_works(300, zones=("calderon",))
    assert queries() == before


@pytest.mark.django_db
def test_a_code_typed_in_lower_case_redirects_to_the_work(client, territory):
    from tests.works.builders import make_work

    work = make_work()
    response = client.get(f"/obras/{work.code.lower()}/")
    assert response.status_code == 301 and response["Location"] == f"/obras/{work.code}/"
    assert client.get("/obras/ob-ñandú/").status_code == 404
