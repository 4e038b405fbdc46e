"""Two browser pages on a real ASGI server: staff post in the control panel and a follower
sees it arrive over the WebSocket without reloading.

pytest-django's live server speaks plain HTTP only, so this test starts daphne. The server
must share the test database and a channel layer with the test, which needs PostgreSQL and
Redis (CI sets DATABASE_URL and REDIS_URL); like the two-process integration test, it is not
run on SQLite.
"""

import os

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from assemblies import services
from home.demo import load_demo
from territory.models import ZonePage
from territory.services import territory_load
from tests.assemblies.conftest import make_assembly, pass_mfa, staff_of, wagtail_base
from tests.assemblies.test_integration import free_port, start_server, wait_until_up

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (os.environ.get("REDIS_URL") and ON_POSTGRES),
        reason="needs REDIS_URL and a PostgreSQL DATABASE_URL (CI sets both)",
    ),
]


def test_follower_sees_the_staff_announcement_live(transactional_db, new_context):
    wagtail_base()
    territory_load()
    load_demo()
    zone_page = ZonePage.objects.get(zone__slug="calderon")
    assembly = make_assembly(zone_page, slug="en-vivo")
    staff = staff_of(zone_page)
    services.assembly_start(assembly=assembly, actor=staff)
    session = pass_mfa(Client(), staff).cookies["sessionid"].value
    port = free_port()
    # The layer production uses by default (settings.base, chosen by `make bench-live`).
    server = start_server(port, "channels_redis.pubsub.RedisPubSubChannelLayer")
    try:
        wait_until_up(port, server)
        base = f"http://127.0.0.1:{port}"
        follower = new_context().new_page()
        follower.goto(base + assembly.url)
        expect(follower.locator("#live-connection")).to_contain_text("vivo", timeout=10_000)

        staff_context = new_context()
        staff_context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
        panel = staff_context.new_page()
        panel.goto(base + assembly.url + "control/")
        panel.locator("textarea[name=text]").first.fill("Se abre el turno de preguntas")
        panel.locator("button[name=action][value=announce]").click()

        # No reload on the follower's page: the announcement arrives over the socket.
        expect(follower.locator("#live-announcements")).to_contain_text(
            "Se abre el turno de preguntas", timeout=3_000
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_resident_votes_over_the_open_socket(transactional_db, new_context):
    """The live page sends a vote over its socket (no request of its own): with every
    request to the vote URL blocked, the vote still lands and the page says so."""
    from assemblies.models import Ballot
    from tests.assemblies.conftest import live_poll, verified_resident

    wagtail_base()
    territory_load()
    load_demo()
    zone_page = ZonePage.objects.get(zone__slug="calderon")
    assembly = make_assembly(zone_page, slug="votos-en-vivo")
    poll = live_poll(assembly, staff_of(zone_page))
    voter = verified_resident(zone_page)
    client = Client()
    client.force_login(voter)
    port = free_port()
    server = start_server(port, "channels_redis.pubsub.RedisPubSubChannelLayer")
    try:
        wait_until_up(port, server)
        base = f"http://127.0.0.1:{port}"
        context = new_context()
        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
        )
        page = context.new_page()
        posts = []
        page.route(
            "**/votar/**",
            lambda route: (posts.append(route.request.method), route.abort()),
        )
        page.goto(base + assembly.url)
        expect(page.locator("#live-connection")).to_contain_text("vivo", timeout=10_000)
        page.locator(f"#poll-{poll.pk} input[type=radio]").first.check()
        page.locator(f"#poll-{poll.pk} .vote-form button[type=submit]").click()
        expect(page.locator(f"#poll-{poll.pk} .notice")).to_be_visible(timeout=5_000)
        expect(page.locator("#polls-feedback")).to_have_class("live-feedback")  # no error
        assert posts == []  # nothing went by fetch
        assert Ballot.objects.filter(voter=voter, poll=poll).count() == 1
    finally:
        server.terminate()
        server.wait(timeout=10)
