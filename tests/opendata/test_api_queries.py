"""API list endpoints make the same number of queries at 50 and at 5,000 rows (rows
bulk-created straight into the database), and page-backed lists (consultations, cycles,
assemblies) the same at 3 and at 30 pages (Wagtail pages cannot be bulk-created)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from discussions.models import Comment
from proposals.models import Request
from territory.models import Parish, ZonePage
from tests.assemblies.conftest import make_assembly
from tests.budgets.builders import make_cycle
from tests.consultations.helpers import make_consultation
from tests.factories import ResidentFactory
from works.models import Work

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    client.get(url)  # warm caches (site root, content types)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    assert len(response.json()["results"]) > 0, url
    return len(ctx.captured_queries)


def add_works(n: int, start: int = 0):
    parishes = list(Parish.objects.select_related("zone"))
    Work.objects.bulk_create(
        [
            Work(
                code=f"OB-2026-{start + i:05d}",
                title=f"Obra {start + i}",
                zone=parishes[i % len(parishes)].zone,
                parish=parishes[i % len(parishes)],
                year=2026,
                status="en_ejecucion" if i % 2 else "planificada",
                amount_assigned=Decimal("1000.00"),
                latitude=Decimal("-0.1"),
                longitude=Decimal("-78.4"),
            )
            for i in range(n)
        ],
        batch_size=1000,
    )


def add_comments(page, n: int):
    version = page.versions.last()
    threads = [p.thread_id for p in version.provisions.exclude(thread=None)]
    threads.append(page.general_thread_id)
    author = ResidentFactory().user
    Comment.objects.bulk_create(
        [
            Comment(
                thread_id=threads[i % len(threads)],
                author=author,
                body=f"c{i}",
                stance=("favor", "contra", "neutral")[i % 3],
                status="hidden" if i % 10 == 0 else "visible",
                moderation_reason="x" if i % 10 == 0 else "",
            )
            for i in range(n)
        ],
        batch_size=1000,
    )


def add_requests(cycle, n: int):
    parishes = list(Parish.objects.filter(zone=cycle.zone))
    Request.objects.bulk_create(
        [
            Request(
                cycle=cycle,
                kind="public_works",
                title=f"Solicitud {i}",
                description="d",
                parish=parishes[i % len(parishes)],
                barrio_name="Centro",
                estimated_cost=Decimal("1000.00"),
            )
            for i in range(n)
        ],
        batch_size=1000,
    )


def test_works_list_is_flat_from_50_to_5000(client, territory):
    add_works(50)
    urls = ["/api/v1/works", "/api/v1/works?zone=calderon&status=en_ejecucion&page_size=100"]
    small = [queries(client, url) for url in urls]
    add_works(4950, start=50)
    assert Work.objects.count() == 5000
    assert [queries(client, url) for url in urls] == small
    assert queries(client, "/api/v1/works?page=40&page_size=100") == small[0]


def test_comments_list_is_flat_from_50_to_5000(client, territory):
    page = make_consultation(slug="consulta-filas")
    add_comments(page, 50)
    url = f"/api/v1/consultations/{page.pk}/comments"
    small = queries(client, f"{url}?page_size=100")
    add_comments(page, 4950)
    assert Comment.objects.count() >= 5000
    assert queries(client, f"{url}?page_size=100") == small
    assert queries(client, f"{url}?stance=favor&page=10") == small


def test_requests_list_is_flat_from_50_to_5000(client, territory):
    cycle = make_cycle("calderon")
    add_requests(cycle, 50)
    url = f"/api/v1/budget-cycles/{cycle.pk}/requests?page_size=100"
    small = queries(client, url)
    add_requests(cycle, 4950)
    assert queries(client, url) == small


def test_page_lists_are_flat_from_3_to_30_pages(client, territory):
    zone_pages = list(ZonePage.objects.select_related("zone").order_by("pk"))
    now = timezone.now()

    def grow(start, stop):
        for i in range(start, stop):
            make_consultation(slug=f"consulta-{i}", opens=-(i + 1))
            make_cycle(zone_pages[i % len(zone_pages)].zone.slug, year=2000 + i)
            assembly = make_assembly(zone_pages[i % len(zone_pages)], slug=f"asamblea-{i}")
            assembly.starts_at = now - datetime.timedelta(days=i)
            assembly.save()

    urls = ["/api/v1/consultations", "/api/v1/budget-cycles", "/api/v1/assemblies"]
    grow(0, 3)
    small = [queries(client, url) for url in urls]
    grow(3, 30)
    assert [queries(client, url) for url in urls] == small


def test_territory_and_catalogue_lists(client, territory):
    # The catalogue costs one query per dataset provider (its "modified" date), whatever
    # the number of rows: the bound grows by one with each app that publishes datasets.
    for url in ("/api/v1/zones", "/api/v1/parishes?page_size=100", "/api/v1/datasets"):
        assert queries(client, url) <= 14, url
