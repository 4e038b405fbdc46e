"""Benchmark: the public works list and GeoJSON at 10,000 works, and a 10,000-row import.

Run with `make bench-works` (SQLite file in var/ by default, recreated; set DATABASE_URL to
an empty throw-away PostgreSQL database to measure PostgreSQL). It seeds 10,000 works over
every parish of the district, then measures server time (the full Django request cycle
through the test client: middleware, view, queries, template or JSON) for REQUESTS requests
per URL, and prints p50/p95 and the query count of each.

Baselines from the same run, on the same database and rows:
- `/healthz`: the bare Django request cycle (middleware, routing, an empty response);
- "raw GeoJSON": the same 10,000 points read with one `values_list` and serialised with
  `json.dumps`, in process, no view: the floor any GeoJSON view of these rows stands on.

Then it builds a 10,000-row monthly matrix (CSV, one row per work, every row a change) and
times the importer's validation (`batch_upload`) and its apply (`batch_confirm`), with the
background tasks run inline. Aims (issue #9): GeoJSON p50 under 300 ms on SQLite; the
import under 60 s.
"""

import csv
import io
import json
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quitodecide.settings.test")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_works.sqlite3'}")

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "30"))
WORKS = int(os.environ.get("BENCH_WORKS", "10000"))


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def seed(rng):
    from django.utils import timezone

    from territory.models import Parish, Zone
    from works.models import Work
    from works.status import WorkStatus

    parishes = list(Parish.objects.select_related("zone"))
    zones = {zone.pk: zone for zone in Zone.objects.all()}
    statuses = [WorkStatus.PLANNED, WorkStatus.PROCUREMENT, WorkStatus.UNDER_WAY]
    today = timezone.localdate()
    rows = []
    for number in range(WORKS):
        parish = parishes[number % len(parishes)]
        zone = zones[parish.zone_id]
        lat = float(parish.lat if parish.lat is not None else zone.lat or -0.2)
        lon = float(parish.lon if parish.lon is not None else zone.lon or -78.5)
        status = statuses[number % len(statuses)]
        progress = Decimal(rng.randint(5, 60)) if status == WorkStatus.UNDER_WAY else Decimal(0)
        rows.append(
            Work(
                code=f"OB-2026-{number:05d}",
                title=f"Obra número {number} en {parish.name}",
                description="Adoquinado, aceras y bordillos del barrio.",
                zone=zone,
                parish=parish,
                barrio_name="Centro",
                latitude=Decimal(f"{lat + rng.uniform(-0.02, 0.02):.6f}"),
                longitude=Decimal(f"{lon + rng.uniform(-0.02, 0.02):.6f}"),
                year=2024 + number % 3,
                status=status,
                physical_progress=progress,
                financial_progress=progress,
                amount_assigned=Decimal(rng.randrange(10_000, 300_000, 500)),
                last_update_on=today,
                actual_start=today if status == WorkStatus.UNDER_WAY else None,
                responsible_unit=zone.official_name,
            )
        )
    Work.objects.bulk_create(rows, batch_size=1000)


def raw_geojson() -> bytes:
    from works.models import Work

    rows = Work.objects.exclude(latitude=None).values_list(
        "code", "title", "status", "longitude", "latitude"
    )
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
            "properties": {"code": code, "title": title, "status": status},
        }
        for code, title, status, lon, lat in rows
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def percentiles(timings):
    timings = sorted(timings)
    return statistics.median(timings), timings[max(0, int(len(timings) * 0.95) - 1)]


def main():
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    if connection.vendor == "sqlite":
        Path(connection.settings_dict["NAME"]).unlink(missing_ok=True)
    call_command("migrate", verbosity=0)

    from django.contrib.auth.models import Group

    from accounts.models import User
    from quitodecide.mfa import mark_user
    from territory.services import CITY_GROUP_NAME, territory_load
    from works import importer
    from works.models import Work, WorkUpdate

    territory_load()
    rng = random.Random(9)  # noqa: S311 (benchmark data)
    started = time.perf_counter()
    seed(rng)
    print(
        f"database: {connection.vendor}; {Work.objects.count()} works seeded in "
        f"{time.perf_counter() - started:.1f} s; {REQUESTS} requests per URL"
    )
    client = Client()

    def measure(name, url, *, expect="200"):
        for _ in range(3):
            client.get(url)
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            response = client.get(url)
        assert str(response.status_code) == expect, (url, response.status_code)
        size = len(response.content)
        timings = []
        for _ in range(REQUESTS):
            start = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        p50, p95 = percentiles(timings)
        print(
            f"{name:<34} | p50 {p50:8.2f} ms | p95 {p95:8.2f} ms | "
            f"{counter.count:3d} queries | {size / 1024:8.1f} KiB"
        )
        return p50

    measure("baseline: /healthz", "/healthz")
    raw = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        payload = raw_geojson()
        raw.append((time.perf_counter() - start) * 1000)
    p50, p95 = percentiles(raw)
    print(
        f"{'baseline: raw GeoJSON (in process)':<34} | p50 {p50:8.2f} ms | p95 {p95:8.2f} ms | "
        f"  1 queries | {len(payload) / 1024:8.1f} KiB"
    )
    measure("/obras/", "/obras/")
    measure("/obras/ filtered + sorted", "/obras/?zona=calderon&estado=en_ejecucion&orden=avance")
    measure("/obras/ page 100", "/obras/?pagina=100")
    geo = measure("/obras/geojson/ (all points)", "/obras/geojson/")
    measure("/obras/geojson/?zoom=11 (clusters)", "/obras/geojson/?zoom=11")
    measure("/obras/geojson/?zoom=16&bbox", "/obras/geojson/?zoom=16&bbox=-78.6,-0.35,-78.4,-0.1")
    measure("/obras/csv/", "/obras/csv/")
    print(f"target GeoJSON p50 < 300 ms: {'OK' if geo < 300 else 'MISSED'} ({geo:.0f} ms)")

    # --- a 10,000-row monthly matrix ----------------------------------------------------
    staff = User.objects.create_user(email="bench-obras@example.ec", password=None)
    staff.groups.add(Group.objects.get(name=CITY_GROUP_NAME))
    mark_user(staff, True)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        [
            "codigo",
            "fecha",
            "estado",
            "avance_fisico",
            "avance_financiero",
            "monto_ejecutado",
            "observacion",
        ]
    )
    from django.utils import timezone

    today = timezone.localdate().strftime("%d/%m/%Y")
    for work in Work.objects.order_by("code").values("code", "status", "physical_progress"):
        progress = min(100, int(work["physical_progress"]) + 10)
        status = {"planificada": "En contratación", "en_contratacion": "En ejecución"}.get(
            work["status"], "En ejecución"
        )
        physical = "0" if status == "En contratación" else str(progress)
        writer.writerow([work["code"], today, status, physical, "45,5", "1.234,56", "Avance"])
    content = out.getvalue().encode("utf-8")
    before = WorkUpdate.objects.count()
    start = time.perf_counter()
    batch = importer.batch_upload(actor=staff, zone=None, content=content, file_name="m.csv")
    checked = time.perf_counter() - start
    batch.refresh_from_db()
    assert batch.state == "valido", (batch.state, batch.errors[:3])
    start = time.perf_counter()
    importer.batch_confirm(batch=batch, actor=staff)
    applied = time.perf_counter() - start
    batch.refresh_from_db()
    written = WorkUpdate.objects.count() - before
    assert batch.state == "aplicado" and written == WORKS, (batch.state, written)
    print(
        f"import {WORKS} rows ({len(content) / 1024:.0f} KiB CSV): validate {checked:.1f} s, "
        f"apply {applied:.1f} s, total {checked + applied:.1f} s; {written} updates written; "
        f"target < 60 s: {'OK' if checked + applied < 60 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
