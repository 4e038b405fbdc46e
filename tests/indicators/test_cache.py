"""The indicators page is cached and invalidated when its inputs change: a second request
within the cache makes fewer queries; a new comment, assembly or work shows at once (their
saves bump the cache version), while a write that sends no signal waits for the timeout."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assemblies.models import AssemblyKind
from consultations import services as consultation_services
from discussions.models import Comment
from indicators import cache
from indicators import definitions as d
from territory.models import ZonePage
from tests.budgets.builders import make_resident
from tests.consultations.helpers import make_consultation
from tests.works.builders import make_work
from works.models import Work
from works.status import WorkStatus

from .builders import A, assembly

pytestmark = pytest.mark.django_db


def comparison(client, **query):
    response = client.get("/indicadores/", {"zona": A, **query})
    assert response.status_code == 200
    from bs4 import BeautifulSoup

    document = BeautifulSoup(response.content.decode(), "html.parser")
    return {
        (tr["data-indicator"], tr["data-category"]): [
            td.get_text(strip=True) for td in tr.find_all("td")
        ][1]
        for tr in document.find(id="comparison").tbody.find_all("tr")
    }


@pytest.fixture
def consultation(territory):
    page = make_consultation(ZonePage.objects.get(zone__slug=A), slug="consulta-cache")
    consultation_services.consultation_comment(
        consultation=page, user=make_resident(A), body="Primera", provision_key="art-1"
    )
    return page


def test_a_second_request_within_the_cache_makes_fewer_queries(client, consultation):
    with CaptureQueriesContext(connection) as first:
        assert client.get("/indicadores/").status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert client.get("/indicadores/").status_code == 200
    assert len(second.captured_queries) < len(first.captured_queries)
    # What is left is the filter form's zone list: none of the indicators' own queries.
    assert len(second.captured_queries) <= 2, [q["sql"] for q in second.captured_queries]


def test_new_comment_assembly_and_work_change_the_page(client, consultation):
    year = timezone.localdate().year
    before = comparison(client)
    assert before[(d.COMMENTS, "")] == "1"

    consultation_services.consultation_comment(
        consultation=consultation, user=make_resident(A), body="Segunda", provision_key="art-2"
    )
    assert comparison(client)[(d.COMMENTS, "")] == "2"
    assert comparison(client)[(d.PARTICIPANTS, "")] == "2"

    assert comparison(client)[(d.ASSEMBLIES, "zonal")] == "0"
    assembly(A, AssemblyKind.ZONAL, year)
    assert comparison(client)[(d.ASSEMBLIES, "zonal")] == "1"

    assert comparison(client)[(d.WORKS, "en_ejecucion")] == "0"
    make_work(A, status=WorkStatus.UNDER_WAY, year=year)
    after = comparison(client)
    assert after[(d.WORKS, "en_ejecucion")] == "1"
    assert after[(d.PROGRESS, "")] == "30,00"

    # Deleting an input invalidates too.
    Work.objects.get().delete()
    assert comparison(client)[(d.WORKS, "en_ejecucion")] == "0"


def test_a_write_without_signals_is_served_from_the_cache_until_invalidated(client, consultation):
    assert comparison(client)[(d.COMMENTS, "")] == "1"
    Comment.objects.update(status=Comment.Status.DELETED)  # queryset.update(): no signal
    assert comparison(client)[(d.COMMENTS, "")] == "1"  # the cached figure
    cache.bump()
    assert comparison(client)[(d.COMMENTS, "")] == "0"


def test_the_version_survives_a_lost_key(territory):
    from django.core.cache import cache as django_cache

    first = cache.version()
    cache.bump()
    assert cache.version() == first + 1
    django_cache.delete(cache.VERSION_KEY)
    cache.bump()  # no key to increment: a fresh one
    assert cache.version() not in (first, first + 1)


def test_a_works_matrix_import_refreshes_the_works_figures(
    client, territory, django_capture_on_commit_callbacks
):
    """The matrix writes its works with one raw UPDATE (no save signal); its audit entry,
    once the apply has committed, invalidates the indicators."""
    import io

    from tests.budgets.builders import make_staff
    from works import importer
    from works.models import Work as WorkModel

    staff = make_staff("calderon")
    work = make_work("calderon", status=WorkStatus.PROCUREMENT, staff=staff)
    before = cache.payload()
    out = io.StringIO()
    out.write("codigo;fecha;estado;avance_fisico;avance_financiero\n")
    out.write(f"{work.code};{timezone.localdate().isoformat()};en_ejecucion;40;35\n")
    with django_capture_on_commit_callbacks(execute=True):
        batch = importer.batch_upload(
            actor=staff, zone=work.zone, content=out.getvalue().encode(), file_name="m.csv"
        )
        batch.refresh_from_db()
        importer.batch_confirm(batch=batch, actor=staff)
    assert WorkModel.objects.get(pk=work.pk).status == WorkStatus.UNDER_WAY
    assert cache.payload() != before
