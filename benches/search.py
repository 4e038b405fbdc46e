"""Benchmark: the site search on PostgreSQL at city volume.

Run with `make bench-search` (options through BENCH_ARGS). It fills (once; `--rebuild` to
start again) a PostgreSQL database of its own (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/qd_bench_search) with 50,000 visible comments on
consultation articles, 5,000 standard pages (indexed by Wagtail's search backend) and
10,000 budget requests, all of generated Spanish text. Then it times typical searches
through the real view (`/buscar/` through Django's test client: middleware, form, the
search of sitesearch.search, template rendering), against the empty search page (the same
view, form, zone list and template, no search) measured in the same run, the queries
interleaved (each round times every query once). Prints p50/p95/p99 per query, the
EXPLAIN (ANALYZE) of the main query (the union that reads the page of hits) and whether
the GIN indexes were used.
"""

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/qd_bench_search"

RARE = "chaquiñán"  # in RARE_COUNT comments only
RARE_COUNT = 12
QUERIES = [
    ("one word", {"q": "alcantarillado"}),
    ("one word, accents", {"q": "participación"}),
    ("one word, no accents", {"q": "participacion"}),
    ("two words", {"q": "alumbrado parque"}),
    ("phrase", {"q": "recolección de basura en el barrio"}),
    ("rare word", {"q": RARE}),
    ("very common word", {"q": "barrio"}),
    ("zone filter", {"q": "seguridad", "zona": "calderon"}),
    ("type filter", {"q": "seguridad", "tipo": "solicitud"}),
    ("page 3", {"q": "seguridad", "pagina": "3"}),
]

NOUNS = [
    "barrio",
    "calle",
    "parque",
    "vereda",
    "acera",
    "alcantarillado",
    "alumbrado",
    "seguridad",
    "basura",
    "recolección",
    "transporte",
    "bus",
    "parada",
    "ciclovía",
    "escuela",
    "colegio",
    "centro",
    "salud",
    "agua",
    "luz",
    "vía",
    "puente",
    "quebrada",
    "mercado",
    "plaza",
    "cancha",
    "árbol",
    "jardín",
    "policía",
    "vecino",
    "vecina",
    "comité",
    "asamblea",
    "presupuesto",
    "ordenanza",
    "artículo",
    "concejo",
    "municipio",
    "participación",
    "información",
    "señalización",
    "semáforo",
    "bordillo",
    "adoquinado",
    "asfalto",
    "bache",
    "lluvia",
    "inundación",
    "muro",
    "talud",
    "ladera",
    "sendero",
    "niños",
    "jóvenes",
    "mayores",
    "mujeres",
    "familias",
    "comerciantes",
    "feria",
    "tránsito",
    "ruido",
    "contaminación",
    "reciclaje",
    "contenedor",
    "cámara",
    "vigilancia",
    "iluminación",
    "espacio",
    "público",
    "casa",
    "comunal",
    "biblioteca",
    "guardería",
    "piscina",
    "gimnasio",
    "mirador",
    "loma",
    "río",
    "vía",
]
ADJECTIVES = [
    "público",
    "pública",
    "nuevo",
    "nueva",
    "urgente",
    "peligroso",
    "oscura",
    "limpio",
    "sucia",
    "seguro",
    "insegura",
    "comunitario",
    "municipal",
    "barrial",
    "amplia",
    "estrecha",
    "abandonado",
    "deteriorada",
    "accesible",
]
VERBS = [
    "necesita",
    "pide",
    "propone",
    "requiere",
    "mejora",
    "arregla",
    "construye",
    "amplía",
    "ilumina",
    "limpia",
    "repara",
    "solicita",
    "apoya",
    "rechaza",
    "revisa",
    "plantea",
    "sugiere",
    "espera",
]
GLUE = [
    "de",
    "del",
    "en",
    "el",
    "la",
    "los",
    "las",
    "con",
    "para",
    "por",
    "sin",
    "y",
    "que",
    "una",
    "un",
    "al",
    "sobre",
    "desde",
    "hasta",
]
PLACES = [
    "Carapungo",
    "Calderón",
    "Llano",
    "Chico",
    "Tumbaco",
    "Cumbayá",
    "Conocoto",
    "Quitumbe",
    "Chillogallo",
    "Cotocollao",
    "Carcelén",
    "Pomasqui",
    "La",
    "Magdalena",
    "San",
    "Juan",
    "Guápulo",
    "Puembo",
    "Pifo",
]


def sentence(rng: random.Random) -> str:
    words = []
    for _ in range(rng.randint(6, 14)):
        roll = rng.random()
        if roll < 0.35:
            words.append(rng.choice(GLUE))
        elif roll < 0.7:
            words.append(rng.choice(NOUNS))
        elif roll < 0.82:
            words.append(rng.choice(ADJECTIVES))
        elif roll < 0.95:
            words.append(rng.choice(VERBS))
        else:
            words.append(rng.choice(PLACES))
    if rng.random() < 0.15:
        words += ["la", "recolección", "de", "basura", "en", "el", "barrio"]
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random, low=1, high=4) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(low, high)))


def ensure_database(url: str, rebuild: bool) -> None:
    """Create the bench's own database (dropped first with --rebuild)."""
    from urllib.parse import urlparse

    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    user, host = parsed.username or "postgres", parsed.hostname
    admin = f"postgresql://{user}@{host}:{parsed.port or 5432}/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and rebuild:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def populate(counts, rng):
    from decimal import Decimal

    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone
    from wagtail.models import Page
    from wagtail.search.backends import get_search_backend

    from budgets.models import BudgetCyclePage, Phase, ZoneBudgetsPage
    from consultations.demo import ensure_index
    from consultations.models import ConsultationPage
    from discussions.models import Comment
    from home.models import StandardPage
    from proposals.models import Request
    from territory.models import ZonePage
    from territory.services import territory_load

    started = time.perf_counter()
    territory_load()
    now = timezone.now()
    zone_pages = list(ZonePage.objects.select_related("zone").order_by("path"))
    # Consultations: one per zone (zone threads) and one city-wide, 40 articles each.
    threads = []
    for position, parent in enumerate([ensure_index(), *zone_pages[:8]]):
        text = "\n".join(
            f"Artículo {n}.- {rng.choice(NOUNS).capitalize()} {rng.choice(ADJECTIVES)}.- "
            f"{paragraph(rng, 2, 3)}"
            for n in range(1, 41)
        )
        import datetime

        page = ConsultationPage(
            title=f"Ordenanza de {rng.choice(NOUNS)} {position}",
            slug=f"ordenanza-{position}",
            summary=paragraph(rng, 1, 1),
            responsible_body="Comisión de Participación",
            draft_text=text,
            opens_at=now - datetime.timedelta(days=1),
            closes_at=now + datetime.timedelta(days=30),
        )
        parent.add_child(instance=page)
        page.save_revision().publish()
        page = ConsultationPage.objects.get(pk=page.pk)
        threads += [p.thread for p in page.versions.get().provisions.exclude(thread=None)]
        threads.append(page.general_thread)
    print(f"  consultations: {len(threads)} threads ({time.perf_counter() - started:.0f} s)")

    # Budget requests: one cycle per zone, requests spread over them.
    cycles = []
    for zone_page in zone_pages:
        budgets = zone_page.add_child(
            instance=ZoneBudgetsPage(title="Presupuestos participativos", slug="presupuestos")
        )
        cycle = budgets.add_child(
            instance=BudgetCyclePage(
                title="Presupuestos participativos 2026",
                slug="2026",
                year=2026,
                total_amount=Decimal("500000.00"),
                ballot_rule="knapsack",
            )
        )
        Phase.objects.create(
            cycle=cycle,
            kind="requests",
            starts_on=now.date() - datetime.timedelta(days=2),
            ends_on=now.date() + datetime.timedelta(days=8),
        )
        parishes = list(zone_page.zone.parishes.all())
        if parishes:
            cycles.append((cycle, parishes))
    if not cycles:
        raise SystemExit("no zone has parishes: the territory did not load")
    rows = []
    for i in range(counts["requests"]):
        cycle, parishes = cycles[i % len(cycles)]
        rows.append(
            Request(
                cycle=cycle,
                kind="public_works",
                title=f"{rng.choice(NOUNS).capitalize()} {rng.choice(ADJECTIVES)} "
                f"{rng.choice(GLUE)} {rng.choice(NOUNS)} {rng.choice(PLACES)}"[:150],
                description=paragraph(rng, 2, 5),
                parish=rng.choice(parishes),
                barrio_name=f"Barrio {rng.choice(PLACES)}",
                estimated_cost=Decimal(rng.randint(1000, 90000)),
            )
        )
    Request.objects.bulk_create(rows, batch_size=2000)
    print(f"  requests: {len(rows)} ({time.perf_counter() - started:.0f} s)")

    # Comments: visible, top-level, on the consultations' threads.
    rows = []
    rare_at = set(rng.sample(range(counts["comments"]), RARE_COUNT))
    for i in range(counts["comments"]):
        body = paragraph(rng, 1, 3)
        if i in rare_at:
            body += f" Por el {RARE} se baja a la quebrada."
        rows.append(
            Comment(
                thread=threads[i % len(threads)],
                body=body[:2000],
                stance=("favor", "contra", "neutral")[i % 3],
                revision=1,
            )
        )
    Comment.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:  # the denormalised counters bulk inserts bypass
        cursor.execute(
            "UPDATE discussions_thread t SET comment_count = c.n FROM (SELECT thread_id, "
            "count(*) n FROM discussions_comment GROUP BY thread_id) c WHERE c.thread_id = t.id"
        )
    print(f"  comments: {len(rows)} ({time.perf_counter() - started:.0f} s)")

    # Pages: standard pages under a library page of each zone, written in bulk (Page rows
    # with their tree paths, then the StandardPage rows), then indexed by Wagtail's backend.
    content_type = ContentType.objects.get_for_model(StandardPage)
    per_zone = counts["pages"] // len(zone_pages)
    created = 0
    backend = get_search_backend()
    for z, zone_page in enumerate(zone_pages):
        number = per_zone if z < len(zone_pages) - 1 else counts["pages"] - created
        library = zone_page.add_child(
            instance=StandardPage(title="Biblioteca del barrio", slug="biblioteca")
        )
        pages = []
        for n in range(number):
            slug = f"p-{n}"
            title = (
                f"{rng.choice(NOUNS).capitalize()} {rng.choice(ADJECTIVES)} en {rng.choice(PLACES)}"
            )
            pages.append(
                Page(
                    title=title,
                    draft_title=title,
                    slug=slug,
                    content_type=content_type,
                    path=StandardPage._get_path(library.path, library.depth + 1, n + 1),
                    depth=library.depth + 1,
                    numchild=0,
                    url_path=f"{library.url_path}{slug}/",
                    live=True,
                    locale_id=library.locale_id,
                    first_published_at=now,
                    last_published_at=now,
                    translation_key=uuid.uuid4(),
                )
            )
        with transaction.atomic():
            Page.objects.bulk_create(pages, batch_size=2000)
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO home_standardpage (page_ptr_id, intro, body) "
                    "VALUES (%s, %s, '[]')",
                    [(page.pk, paragraph(rng, 2, 4)[:400]) for page in pages],
                )
            Page.objects.filter(pk=library.pk).update(numchild=number)
        backend.add_bulk(
            StandardPage, list(StandardPage.objects.filter(pk__in=[p.pk for p in pages]))
        )
        created += number
    print(f"  pages: {created} ({time.perf_counter() - started:.0f} s)")


def filled(counts) -> bool:
    from discussions.models import Comment
    from home.models import StandardPage
    from proposals.models import Request

    return (
        Comment.objects.count() >= counts["comments"]
        and Request.objects.count() >= counts["requests"]
        and StandardPage.objects.filter(slug__startswith="p-").count() >= counts["pages"]
    )


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true", help="drop and refill the database")
    parser.add_argument("--comments", type=int, default=50_000)
    parser.add_argument("--pages", type=int, default=5_000)
    parser.add_argument("--budget-requests", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=50, help="timed requests per query")
    parser.add_argument(
        "--cap", type=int, help="SEARCH_RESULT_CAP for this run (default: the setting's)"
    )
    args = parser.parse_args()
    counts = {"comments": args.comments, "pages": args.pages, "requests": args.budget_requests}

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        sys.exit(
            "benches/search.py measures PostgreSQL full text: BENCH_DATABASE_URL must be postgres://"
        )
    ensure_database(url, args.rebuild)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "quitodecide.settings.test"

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from sitesearch import search as sitesearch

    setup_test_environment()
    if args.cap:
        from django.conf import settings

        settings.SEARCH_RESULT_CAP = args.cap
    print(f"result cap per type: {sitesearch.result_cap()}")
    call_command("migrate", verbosity=0)
    if not filled(counts):
        if connection.introspection.table_names() and not args.rebuild:
            from discussions.models import Comment

            if Comment.objects.exists():
                sys.exit("the database holds other data: run with --rebuild")
        print(f"filling {url.rsplit('/', 1)[-1]}: {counts}")
        populate(counts, random.Random(15))
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        print(f"reusing the filled database {url.rsplit('/', 1)[-1]} (--rebuild to refill)")

    from discussions.models import Comment
    from home.models import StandardPage
    from proposals.models import Request

    print(
        f"volume: {Comment.objects.count()} comments, {Request.objects.count()} requests, "
        f"{StandardPage.objects.count()} standard pages; PostgreSQL "
        f"{connection.cursor().connection.info.server_version}"
    )

    client = Client()
    timed = [("baseline: empty search page", {})] + QUERIES
    # Interleaved: each round times every query once (the baseline too), so a few seconds
    # in which the machine is slower (a VM's neighbours) fall on every query alike instead
    # of on the one being timed then.
    timings = {label: [] for label, _params in timed}
    last = {}
    for round_number in range(3 + args.repeat):
        for label, params in timed:
            start = time.perf_counter()
            response = client.get("/buscar/", params)
            elapsed = (time.perf_counter() - start) * 1000
            assert response.status_code == 200, (label, response.status_code)
            if round_number >= 3:  # three warm-up rounds
                timings[label].append(elapsed)
            last[label] = response
    rows = []
    for label, params in timed:
        results = last[label].context["results"] if params else None
        # hits: the exact count, or ">N" when more than the cap (SEARCH_RESULT_CAP) match
        total = 0 if results is None else f">{results.cap}" if results.more else results.total
        rows.append((label, params, timings[label], total))

    print(
        f"\n/buscar/ through the test client, {args.repeat} timed requests each, "
        "interleaved (ms)"
    )
    print(f"{'query':<30} {'q':<38} {'hits':>7} {'p50':>7} {'p95':>7} {'p99':>7}")
    worst = 0.0
    for label, params, timings, total in rows:
        p95 = percentile(timings, 0.95)
        if params:
            worst = max(worst, p95)
        query = " ".join(f"{k}={v}" for k, v in params.items())
        print(
            f"{label:<30} {query:<38} {total:>7} {statistics.median(timings):7.1f} "
            f"{p95:7.1f} {percentile(timings, 0.99):7.1f}"
        )
    print(
        "target p95 <= 50 ms on every query: "
        f"{'OK' if worst <= 50 else 'MISSED'} (worst {worst:.1f} ms)"
    )

    # The main statement: the union of the candidates, counted and read for one page of hits.
    sql, params = sitesearch.page_statement(
        sitesearch.Scope(terms=["alumbrado", "parque"]), None, 1, sitesearch.PAGE_SIZE
    )
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS OFF) " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
    print("\nEXPLAIN (ANALYZE) of the page-and-total statement for 'alumbrado parque':")
    for line in plan:
        print("  " + line)
    text = "\n".join(plan)
    wanted = ["sitesearch_comment_document", "sitesearch_request_document"]
    used = {name: name in text for name in wanted}
    wagtail_gin = "wagtailsear" in text and "Bitmap Index Scan" in text
    print(
        "GIN index used: "
        + ("yes" if all(used.values()) else "no")
        + " ("
        + ", ".join(f"{name}: {'yes' if ok else 'no'}" for name, ok in used.items())
        + f", Wagtail index entries: {'yes' if wagtail_gin else 'no'})"
    )


if __name__ == "__main__":
    main()
