"""Live assemblies in a real Chromium (tests of the assemblies app that need the browser
fixtures of this folder). The live page: axe finds no serious violations, with and without
JavaScript, and the page is usable without it.

(The two-page test, staff opening a vote while a follower's page updates, needs an ASGI live
server; pytest-django's live server is WSGI only. See the report / docs/live-protocol.md.)
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def assembly_site(transactional_db, live_server, browser):
    from assemblies.demo import load_demo_assemblies
    from home.demo import load_demo
    from territory.services import territory_load
    from tests.assemblies.conftest import wagtail_base

    wagtail_base()
    territory_load()
    load_demo()
    load_demo_assemblies()
    return live_server


LIVE = "/zonas/calderon/asamblea-zonal-calderon-en-vivo/"
PAST = "/zonas/calderon/asamblea-parroquial-llano-chico-2026/"


@pytest.mark.parametrize("path", [LIVE, PAST, "/asambleas/"])
def test_no_serious_accessibility_violations(assembly_site, page, path):
    page.goto(assembly_site.url + path)
    expect(page.locator("h1")).to_have_count(1)
    violations = Axe().run(page).response["violations"]
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in serious]


def test_live_page_without_javascript(assembly_site, new_context):
    nojs = new_context(java_script_enabled=False).new_page()
    nojs.goto(assembly_site.url + LIVE)
    expect(nojs.locator("#live-status")).to_have_text("En curso")
    expect(
        nojs.get_by_role("heading", name="¿Cuál debe ser la primera prioridad de obra?")
    ).to_be_visible()
    expect(nojs.locator("#live-agenda li[aria-current=step]")).to_have_text(
        "Votación de prioridades"
    )
    expect(nojs.get_by_text("Inicie sesión para hacer una pregunta")).to_be_visible()


# --- Taking part without reloading (fetch), errors inline, the no-JS notice ---------------
#
# pytest-django's live server is WSGI only: the page's WebSocket does not connect there (it
# keeps trying), which is what these tests need: everything shown after a submit comes from
# the fetch() answer, not from the socket.


@pytest.fixture
def taking_part(site):
    """A live assembly of Calderón with an open vote, its staff and a verified resident
    whose browser context is logged in."""
    from assemblies import services
    from assemblies.models import Poll
    from territory.models import ZonePage
    from tests.assemblies.conftest import make_assembly, staff_of, verified_resident

    zone_page = ZonePage.objects.get(zone__slug="calderon")
    assembly = make_assembly(zone_page, slug="participacion-sin-recarga")
    staff = staff_of(zone_page)
    services.assembly_start(assembly=assembly, actor=staff)
    poll = services.poll_open(
        assembly=assembly,
        actor=staff,
        question="¿Aprueba el plan de veredas?",
        options=["Sí", "No"],
        mode=Poll.Mode.BOTH,
    )
    return {
        "assembly": assembly,
        "poll": poll,
        "staff": staff,
        "voter": verified_resident(zone_page),
        "url": site.url + assembly.url,
    }


def _logged_in_page(new_context, site, user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    context = new_context()
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": site.url}]
    )
    return context.new_page()


def _serious(page):
    violations = Axe().run(page).response["violations"]
    return [
        (v["id"], [n["target"] for n in v["nodes"][:3]])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def test_asking_and_voting_do_not_reload_the_page(site, taking_part, new_context):
    from assemblies.models import Ballot, Question

    page = _logged_in_page(new_context, site, taking_part["voter"])
    page.goto(taking_part["url"])
    expect(page.locator("#live-nojs")).to_be_hidden()  # the script keeps the page fresh
    page.evaluate("window.__marker = 'still here'")

    page.locator("#question-form textarea").fill("¿Cuándo empiezan las obras?")
    page.locator("#question-form button[type=submit]").click()
    expect(page.locator("#questions-feedback")).not_to_be_empty()
    expect(page.locator("#questions-feedback")).not_to_have_class("live-feedback is-error")
    expect(page.locator("#question-form textarea")).to_have_value("")
    assert Question.objects.filter(text="¿Cuándo empiezan las obras?").exists()

    poll = taking_part["poll"]
    page.locator(f"#poll-{poll.pk} input[type=radio]").first.check()
    page.locator(f"#poll-{poll.pk} .vote-form button[type=submit]").click()
    expect(page.locator(f"#poll-{poll.pk} .notice")).to_be_visible()  # "you have voted"
    expect(page.locator(f"#poll-{poll.pk} .vote-form")).to_have_count(0)
    expect(page.locator(f"#poll-{poll.pk} tbody tr").first.locator("td").first).to_have_text("1")
    # The form it replaced had the focus: it moved to the message, not to the page's top.
    assert page.evaluate("document.activeElement.id") == "polls-feedback"
    assert Ballot.objects.filter(voter=taking_part["voter"], poll=poll).count() == 1

    assert page.evaluate("window.__marker") == "still here"  # no navigation happened
    assert page.url == taking_part["url"]
    assert not _serious(page)  # after the script re-rendered the poll


def test_an_error_from_a_submit_is_shown_inline_and_axe_stays_clean(site, taking_part, new_context):
    from assemblies import services

    page = _logged_in_page(new_context, site, taking_part["voter"])
    page.goto(taking_part["url"])
    page.evaluate("window.__marker = 'still here'")
    poll = taking_part["poll"]
    # Staff close the vote while the page (without its socket here) still offers it.
    services.poll_close(poll=poll, actor=taking_part["staff"])
    page.locator(f"#poll-{poll.pk} input[type=radio]").first.check()
    button = page.locator(f"#poll-{poll.pk} .vote-form button[type=submit]")
    button.click()
    feedback = page.locator("#polls-feedback")
    expect(feedback).to_have_class("live-feedback is-error")
    expect(feedback).to_have_attribute("aria-live", "polite")
    expect(feedback).to_contain_text("votación")  # the service's message, in Spanish
    expect(button).to_be_enabled()
    assert page.evaluate("document.activeElement.type") == "submit"  # focus stayed
    assert page.evaluate("window.__marker") == "still here"
    assert not _serious(page)


def test_without_javascript_the_page_offers_a_reload_and_still_posts(
    site, taking_part, new_context
):
    from django.test import Client

    from assemblies.models import Question

    client = Client()
    client.force_login(taking_part["voter"])
    context = new_context(java_script_enabled=False)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": site.url}]
    )
    page = context.new_page()
    page.goto(taking_part["url"])
    notice = page.locator("#live-nojs")
    expect(notice).to_be_visible()
    expect(notice.locator("a")).to_have_attribute("href", taking_part["assembly"].url)
    page.locator("#question-form textarea").fill("¿Habrá transporte?")
    page.locator("#question-form button[type=submit]").click()
    page.wait_for_url("**#questions")  # the form posted and the page came back
    expect(page.locator(".messages .message-success")).to_be_visible()
    assert Question.objects.filter(text="¿Habrá transporte?").exists()

    # axe on the notice: a page whose script does not load (axe needs JavaScript itself).
    blocked = new_context()
    blocked.route("**/live.js", lambda route: route.abort())
    page = blocked.new_page()
    page.goto(taking_part["url"])
    expect(page.locator("#live-nojs")).to_be_visible()
    assert not _serious(page)


def test_a_finished_assembly_never_says_live(site, taking_part, page):
    from assemblies import services

    services.assembly_end(assembly=taking_part["assembly"], actor=taking_part["staff"])
    page.goto(taking_part["url"])
    expect(page.locator("#live-status")).to_have_class("badge status-finalizada")
    expect(page.locator("#live-connection")).to_have_count(0)
    expect(page.locator("#stream-placeholder")).to_be_visible()
    page.wait_for_timeout(500)  # the script has run: it must not open a socket or say "vivo"
    assert "vivo" not in page.locator("main").inner_text().lower()
    assert not _serious(page)
