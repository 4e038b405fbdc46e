"""Benchmark: an article's thread (the page listing its comments) at 500 against 5,000
comments, and its query count up to 50,000.

Run with `make bench-threads` (options through BENCH_ARGS). PostgreSQL by default, in a
database of its own that is recreated on each run (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/qd_bench_threads); `--sqlite` uses var/bench_threads.sqlite3.
It seeds one consultation of 40 articles (the method of benches/consultation.py), grows
article 7's thread to 500, 5,000 and 50,000 top-level comments, and times full pages of
the thread (20 comments each) through Django's test client as a logged-in resident: the
first page and the last full page (the deepest OFFSET). The thread's first page at 500
comments is the baseline of the ratio; the query counts of every page at every volume are
printed (they must be equal).
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/qd_bench_threads"
ARTICLES = 40
PAGE_SIZE = 20


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def fresh_postgres(url: str) -> None:
    from urllib.parse import urlparse

    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = f"postgresql://{parsed.username or 'postgres'}@{parsed.hostname}:{parsed.port or 5432}"
    with psycopg.connect(admin + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", action="store_true", help="SQLite file in var/ instead")
    parser.add_argument("--repeat", type=int, default=40, help="timed requests per page")
    parser.add_argument("--sizes", default="500,5000,50000", help="thread sizes (first: baseline)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    if args.sqlite:
        path = ROOT / "var" / "bench_threads.sqlite3"
        path.parent.mkdir(exist_ok=True)
        path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
        fresh_postgres(url)
        os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "quitodecide.settings.test"

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    setup_test_environment()
    call_command("migrate", verbosity=0)
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
    provision = page.versions.get().provisions.get(key="art-7")
    thread = provision.thread
    users = []
    for i in range(200):
        user = User.objects.create_user(email=f"bench{i}@example.ec", password=None)
        Resident.objects.create(user=user, display_name=f"Vecina {i}")
        users.append(user)

    def grow_to(total):
        existing = Comment.objects.filter(thread=thread).count()
        start = now - datetime.timedelta(days=30)
        rows = [
            Comment(
                thread=thread,
                author=users[i % len(users)],
                body=f"Comentario número {i} sobre el artículo, con algo de texto. " * 3,
                stance=("favor", "contra", "neutral")[i % 3],
                revision=1,
                support_count=i % 17,
                created_at=start + datetime.timedelta(seconds=i * 20),
            )
            for i in range(existing, total)
        ]
        Comment.objects.bulk_create(rows, batch_size=5000)
        thread_recount(thread=thread)  # bulk inserts bypass the services' counters
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE discussions_comment")

    client = Client()
    client.force_login(users[0])
    base = page.url + "articulo/art-7/"

    def measure(size):
        last = size // PAGE_SIZE
        urls = {"first page": base, f"last page ({last})": f"{base}?pagina={last}"}
        results = {}
        for name, url in urls.items():
            for _ in range(5):
                assert client.get(url).status_code == 200
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                response = client.get(url)
            shown = len(response.context["thread"].page.object_list)
            assert shown == PAGE_SIZE, (url, shown)
            timings = []
            repeat = args.repeat if size <= 5000 else max(5, args.repeat // 4)
            for _ in range(repeat):
                started = time.perf_counter()
                client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            key = name.split(" (")[0]
            results[key] = {
                "p50": statistics.median(timings),
                "p95": timings[max(0, int(len(timings) * 0.95) - 1)],
                "queries": counter.count,
            }
            print(
                f"{size:>7} comments | {name:<17} | p50 {results[key]['p50']:7.2f} ms"
                f" | p95 {results[key]['p95']:7.2f} ms | {counter.count} queries"
            )
        return results

    print(
        f"database: {connection.vendor}; article thread, {PAGE_SIZE} comments a page, "
        f"{args.repeat} timed requests per page"
    )
    figures = {}
    for size in sizes:
        grow_to(size)
        figures[size] = measure(size)
    small, large = sizes[0], sizes[1] if len(sizes) > 1 else sizes[0]
    for name in ("first page", "last page"):
        ratio = figures[large][name]["p50"] / figures[small][name]["p50"]
        print(f"p50 ratio {large}/{small} | {name:<10} | x{ratio:.2f}")
    ratio = figures[large]["first page"]["p50"] / figures[small]["first page"]["p50"]
    worst = max(
        figures[large][name]["p50"] / figures[small][name]["p50"]
        for name in ("first page", "last page")
    )
    print(
        f"target (p50 ratio {large}/{small} <= 1.2): first page "
        f"{'OK' if ratio <= 1.2 else 'MISSED'} (x{ratio:.2f}); worst of both pages x{worst:.2f}"
    )
    counts = {
        (size, name): figures[size][name]["queries"] for size in sizes for name in figures[size]
    }
    same = len(set(counts.values())) == 1
    print(
        "query counts equal at "
        + ", ".join(str(size) for size in sizes)
        + f": {'yes' if same else 'no'} ({sorted(set(counts.values()))})"
    )


if __name__ == "__main__":
    main()
