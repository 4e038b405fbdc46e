"""Benchmark: the open-data API's main list endpoints at 5,000 rows each.

Run with `make bench-api` (SQLite file in var/ by default, recreated; set DATABASE_URL to
an empty throw-away PostgreSQL database to measure PostgreSQL). It seeds 5,000 works over
every parish, one consultation with 5,000 comments (one in ten hidden by moderation, as the
API must skip them) and one budget cycle with 5,000 requests, then measures server time
(the full Django request cycle through the test client: middleware, the API's wrapper with
its rate-limit counter and validators, the operation, queries, JSON) for REQUESTS requests
per URL, and prints p50/p95, the query count and the size of each.

Baseline from the same run, on the same database: `/healthz`, the bare Django request
cycle. Also measured: a revalidation (If-None-Match answered 304), which still builds the
body to hash it (a weak ETag of the body), so it costs what a 200 costs minus the transfer.

The rate limit is lifted for the run (one address makes every request).
"""

import datetime
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quitodecide.settings.test")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_api.sqlite3'}")

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "30"))
ROWS = int(os.environ.get("BENCH_ROWS", "5000"))


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def percentiles(timings):
    timings = sorted(timings)
    return statistics.median(timings), timings[max(0, int(len(timings) * 0.95) - 1)]


def seed_works():
    from territory.models import Parish
    from works.models import Work

    parishes = list(Parish.objects.select_related("zone"))
    statuses = ["planificada", "en_contratacion", "en_ejecucion"]
    Work.objects.bulk_create(
        [
            Work(
                code=f"OB-2026-{n:05d}",
                title=f"Obra número {n} en {parishes[n % len(parishes)].name}",
                description="Adoquinado, aceras y bordillos del barrio.",
                zone=parishes[n % len(parishes)].zone,
                parish=parishes[n % len(parishes)],
                barrio_name="Centro",
                year=2024 + n % 3,
                status=statuses[n % 3],
                amount_assigned=Decimal(10_000 + n),
                latitude=Decimal("-0.2"),
                longitude=Decimal("-78.5"),
                responsible_unit="Administración zonal",
            )
            for n in range(ROWS)
        ],
        batch_size=1000,
    )


def seed_consultation():
    from django.utils import timezone

    from accounts.models import Resident, User
    from consultations.demo import ensure_index
    from consultations.models import ConsultationPage
    from discussions.models import Comment
    from discussions.services import thread_recount

    text = "\n".join(
        f"Artículo {n}.- Título {n}.- Texto del artículo {n} sobre participación ciudadana."
        for n in range(1, 41)
    )
    now = timezone.now()
    page = ConsultationPage(
        title="Consulta de rendimiento",
        slug="rendimiento-api",
        summary="x",
        responsible_body="Comisión",
        draft_text=text,
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=30),
    )
    ensure_index().add_child(instance=page)
    page.save_revision().publish()
    page = ConsultationPage.objects.get(pk=page.pk)
    threads = [p.thread for p in page.versions.get().provisions.exclude(thread=None)]
    threads.append(page.general_thread)
    users = []
    for i in range(50):
        user = User.objects.create_user(email=f"bench-api{i}@example.ec", password=None)
        Resident.objects.create(user=user, display_name=f"Vecina {i}")
        users.append(user)
    Comment.objects.bulk_create(
        [
            Comment(
                thread=threads[i % len(threads)],
                author=users[i % len(users)],
                body=f"Comentario número {i} con algo de texto. " * 3,
                stance=("favor", "contra", "neutral")[i % 3],
                status="hidden" if i % 10 == 0 else "visible",
                moderation_reason="Fuera de tema" if i % 10 == 0 else "",
                revision=1,
                support_count=i % 17,
            )
            for i in range(ROWS)
        ],
        batch_size=1000,
    )
    for thread in threads:
        thread_recount(thread=thread)
    return page


def seed_cycle():
    from budgets.models import BudgetCyclePage, Phase, ZoneBudgetsPage
    from proposals.models import Request
    from territory.models import Parish, ZonePage

    zone_page = ZonePage.objects.get(zone__slug="calderon")
    parent = zone_page.add_child(
        instance=ZoneBudgetsPage(title="Presupuestos participativos", slug="presupuestos")
    )
    cycle = parent.add_child(
        instance=BudgetCyclePage(
            title="Presupuestos 2026", slug="2026", year=2026, total_amount=Decimal("500000")
        )
    )
    today = datetime.date.today()
    Phase.objects.create(
        cycle=cycle, kind="requests", starts_on=today, ends_on=today + datetime.timedelta(30)
    )
    parishes = list(Parish.objects.filter(zone__slug="calderon"))
    Request.objects.bulk_create(
        [
            Request(
                cycle=cycle,
                kind="public_works",
                title=f"Solicitud {i}",
                description="Descripción de la obra solicitada por el barrio.",
                parish=parishes[i % len(parishes)],
                barrio_name="Centro",
                estimated_cost=Decimal("10000.00"),
            )
            for i in range(ROWS)
        ],
        batch_size=1000,
    )
    return cycle


def main():
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.OPENDATA_API_RATE = "1000000/m"
    if connection.vendor == "sqlite":
        Path(connection.settings_dict["NAME"]).unlink(missing_ok=True)
    call_command("migrate", verbosity=0)

    from territory.services import territory_load

    territory_load()
    started = time.perf_counter()
    seed_works()
    page = seed_consultation()
    cycle = seed_cycle()
    print(
        f"database: {connection.vendor}; {ROWS} works, {ROWS} comments, {ROWS} requests "
        f"seeded in {time.perf_counter() - started:.1f} s; {REQUESTS} requests per URL"
    )
    client = Client()

    def measure(name, url, **headers):
        for _ in range(3):
            client.get(url)
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            response = client.get(url, **headers)
        expected = 304 if headers else 200
        assert response.status_code == expected, (url, response.status_code, response.content)
        size = len(response.content)
        timings = []
        for _ in range(REQUESTS):
            start = time.perf_counter()
            client.get(url, **headers)
            timings.append((time.perf_counter() - start) * 1000)
        p50, p95 = percentiles(timings)
        print(
            f"{name:<46} | p50 {p50:8.2f} ms | p95 {p95:8.2f} ms | "
            f"{counter.count:3d} queries | {size / 1024:7.1f} KiB"
        )

    measure("baseline: /healthz", "/healthz")
    measure("/api/v1/works (page 1 of 100)", "/api/v1/works")
    measure("/api/v1/works?page_size=100&page=50", "/api/v1/works?page_size=100&page=50")
    measure(
        "/api/v1/works?zone=calderon&status=en_ejecucion",
        "/api/v1/works?zone=calderon&status=en_ejecucion&page_size=100",
    )
    etag = client.get("/api/v1/works")["ETag"]
    measure("/api/v1/works If-None-Match (304)", "/api/v1/works", HTTP_IF_NONE_MATCH=etag)
    comments = f"/api/v1/consultations/{page.pk}/comments"
    measure("/api/v1/consultations/{id}/comments", comments)
    measure("  ...?page_size=100&page=40", comments + "?page_size=100&page=40")
    measure("/api/v1/consultations/{id} (40 articles)", f"/api/v1/consultations/{page.pk}")
    requests_url = f"/api/v1/budget-cycles/{cycle.pk}/requests"
    measure("/api/v1/budget-cycles/{id}/requests", requests_url)
    measure("  ...?page_size=100&page=50", requests_url + "?page_size=100&page=50")
    measure("/api/v1/parishes?page_size=100", "/api/v1/parishes?page_size=100")
    measure("/api/v1/openapi.json", "/api/v1/openapi.json")


if __name__ == "__main__":
    main()
