"""Benchmark: the consultation page and an article's thread at 50 and at 5,000 comments.

Run with `make bench-consultation` (SQLite file in var/ by default; set DATABASE_URL to an
empty throw-away PostgreSQL database to measure PostgreSQL). It seeds a consultation with
40 articles, measures server time (the full Django request cycle through the test client:
middleware, views, templates, queries) for REQUESTS requests per page, then grows the
discussion to 5,000 comments and measures again. Prints p50/p95 per page and the 5,000/50
ratio (target for the consultation page: 1.3 or less).
"""

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quitodecide.settings.test")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_consultation.sqlite3'}")

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "60"))
ARTICLES = 40
TOTAL_COMMENTS = 5000


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def main():
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    # The bench owns its database: a file in var/ by default (recreated), or an empty
    # throw-away PostgreSQL database given in DATABASE_URL.
    if connection.vendor == "sqlite":
        Path(connection.settings_dict["NAME"]).unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    from django.utils import timezone

    from accounts.models import Resident, User
    from consultations.demo import ensure_index
    from consultations.models import ConsultationPage
    from discussions.models import Comment
    from discussions.services import thread_recount
    from territory.services import territory_load

    territory_load()
    text = "\n".join(
        f"Artículo {n}.- Título {n}.- Texto del artículo {n} sobre participación ciudadana."
        for n in range(1, ARTICLES + 1)
    )
    now = timezone.now()
    page = ConsultationPage(
        title="Consulta de rendimiento",
        slug="rendimiento",
        summary="x",
        responsible_body="Comisión",
        draft_text=text,
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=30),
    )
    ensure_index().add_child(instance=page)
    page.save_revision().publish()
    page = ConsultationPage.objects.get(pk=page.pk)
    provisions = list(page.versions.get().provisions.exclude(thread=None))
    threads = [p.thread for p in provisions] + [page.general_thread]
    users = []
    for i in range(200):
        user = User.objects.create_user(email=f"bench{i}@example.ec", password=None)
        Resident.objects.create(user=user, display_name=f"Vecina {i}")
        users.append(user)

    def grow_to(total):
        existing = Comment.objects.count()
        rows = []
        for i in range(existing, total):
            rows.append(
                Comment(
                    thread=threads[i % len(threads)],
                    author=users[i % len(users)],
                    body=f"Comentario número {i} con algo de texto. " * 3,
                    stance=("favor", "contra", "neutral")[i % 3],
                    revision=1,
                    support_count=i % 17,
                )
            )
        Comment.objects.bulk_create(rows, batch_size=1000)
        for thread in threads:  # bulk inserts bypass the services' counters
            thread_recount(thread=thread)

    client = Client()
    client.force_login(users[0])
    urls = {
        "consultation page": page.url,
        "article thread": page.url + "articulo/art-7/",
        "general thread": page.url + "general/",
    }

    def measure(label):
        results = {}
        for name, url in urls.items():
            for _ in range(10):  # warm caches and connections before timing
                client.get(url)
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                client.get(url)
            timings = []
            for _ in range(REQUESTS):
                start = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200
            timings.sort()
            results[name] = {
                "p50": statistics.median(timings),
                "p95": timings[int(len(timings) * 0.95) - 1],
                "queries": counter.count,
            }
            print(
                f"{label:>16} | {name:<18} | p50 {results[name]['p50']:7.2f} ms | "
                f"p95 {results[name]['p95']:7.2f} ms | {results[name]['queries']} queries"
            )
        return results

    print(f"database: {connection.vendor}; {REQUESTS} requests per page; {ARTICLES} articles")
    grow_to(50)
    small = measure("50 comments")
    grow_to(TOTAL_COMMENTS)
    large = measure(f"{TOTAL_COMMENTS} comments")
    for name in urls:
        ratio50 = large[name]["p50"] / small[name]["p50"]
        ratio95 = large[name]["p95"] / small[name]["p95"]
        print(f"ratio {TOTAL_COMMENTS}/50 | {name:<18} | p50 x{ratio50:.2f} | p95 x{ratio95:.2f}")
    page_ratio = large["consultation page"]["p50"] / small["consultation page"]["p50"]
    print(
        f"target (consultation page, p50 ratio <= 1.3): "
        f"{'OK' if page_ratio <= 1.3 else 'MISSED'} (x{page_ratio:.2f})"
    )
    print(
        "note: at 50 comments a thread page shows about 1 comment, at 5,000 a full page of "
        "20; the thread ratios measure that extra rendering, the query counts stay equal."
    )


if __name__ == "__main__":
    main()
