"""`make screenshots`: the key public pages at 1280 and 390 px into docs/screenshots/.

Serves the site with the demo data of `make setup` (the development database, or the one
DATABASE_URL names) on a free local port, opens each page in Debian's Chromium through
Playwright and writes one JPEG of the first screenful per page and width (quality 70, so
the images stay small enough to commit).

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--full-page]
"""

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("PLAYWRIGHT_CHROMIUM", "/usr/bin/chromium")
WIDTHS = {1280: 900, 390: 844}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def key_pages() -> list[tuple[str, str]]:
    """(name, path) of the pages to photograph, read from the demo data."""
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quitodecide.settings.dev")
    import django

    django.setup()
    from assemblies.models import AssemblyPage
    from budgets.models import BudgetCyclePage
    from consultations.models import ConsultationPage
    from quitodecide.pages import subpage_url

    pages = [("home", "/"), ("zona", "/zonas/calderon/"), ("consultas", "/consultas/")]
    consultation = (
        ConsultationPage.objects.live().public().filter(url_path__contains="/consultas/").first()
        or ConsultationPage.objects.live().public().first()
    )
    if consultation:
        pages.append(("consulta", consultation.url))
    pages.append(("presupuestos", "/presupuestos/"))
    cycles = BudgetCyclePage.objects.live().public().order_by("-year", "pk")
    cycle = cycles.filter(results__isnull=False).distinct().first() or cycles.first()
    if cycle:
        pages.append(("ciclo", cycle.url))
        pages.append(("resultados", subpage_url(cycle, "results")))
    pages.append(("asambleas", "/asambleas/"))
    assembly = AssemblyPage.objects.live().public().order_by("-starts_at").first()
    if assembly:
        pages.append(("asamblea", assembly.url))
    pages += [("obras", "/obras/"), ("datos", "/datos/")]
    return pages


def wait_for(url: str, seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own local server)
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"The site did not answer at {url}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(BASE_DIR / "docs" / "screenshots"))
    parser.add_argument("--full-page", action="store_true", help="the whole page, not a screen")
    args = parser.parse_args()
    if not os.path.exists(CHROMIUM):
        raise SystemExit(f"Chromium not found at {CHROMIUM}: run `make browser` first.")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    pages = key_pages()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(base + "/healthz")
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            for width, height in WIDTHS.items():
                context = browser.new_context(
                    viewport={"width": width, "height": height}, locale="es-EC"
                )
                page = context.new_page()
                for name, path in pages:
                    page.goto(base + path, wait_until="load")
                    page.wait_for_timeout(300)  # web fonts none; let the map script draw
                    target = out / f"{name}-{width}.jpg"
                    page.screenshot(
                        path=str(target), type="jpeg", quality=70, full_page=args.full_page
                    )
                    print(f"{target.relative_to(BASE_DIR)}  {path}")
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
