"""The cycle pages over HTTP: overview, voting without JavaScript, staff pages, results and
their downloads, with query counts that do not grow with the data."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from budgets import services
from budgets.models import Ballot
from tests.budgets.builders import (
    make_cycle,
    make_request,
    make_resident,
    make_staff,
    mfa_login,
    parish,
    set_phase,
)

pytestmark = pytest.mark.django_db


def url(cycle, name="", *args):
    return cycle.url + (cycle.reverse_subpage(name, args=args or None) if name else "")


def test_overview_shows_timeline_rule_and_money(client):
    cycle = make_cycle("calderon", total=Decimal("2450000.50"))
    assert cycle.url == "/zonas/calderon/presupuestos/2026/"
    html = client.get(cycle.url).content.decode()
    assert "USD 2.450.000,50" in html
    assert 'aria-current="step"' in html  # the open phase in the timeline
    assert "<dt>Solicitudes</dt>" in html
    assert "simple" in html  # the combination rule is stated


def test_index_and_zone_sections_list_cycles(client):
    from budgets.models import BudgetIndexPage
    from home.models import HomePage

    home = HomePage.objects.get()
    home.add_child(
        instance=BudgetIndexPage(title="Presupuestos participativos", slug="presupuestos")
    )
    make_cycle("calderon")
    make_cycle("tumbaco", year=2026)
    html = client.get("/presupuestos/").content.decode()
    assert "Calderón" in html and "Tumbaco" in html
    assert "/zonas/calderon/presupuestos/2026/" in client.get("/zonas/calderon/").content.decode()
    assert "/zonas/tumbaco/presupuestos/2026/" in client.get("/").content.decode()


def test_voting_works_without_javascript(client):
    cycle = make_cycle("calderon", total=Decimal("50000.00"), phase="prioritisation")
    a = make_request(cycle, title="Parque infantil", cost=Decimal("30000.00"))
    b = make_request(cycle, title="Alumbrado", cost=Decimal("25000.00"))
    voter = make_resident("calderon")
    client.force_login(voter)
    page = client.get(url(cycle, "vote")).content.decode()
    assert "USD 50.000,00" in page and "Parque infantil" in page
    # "Recalculate" shows the remaining budget computed on the server, saving nothing.
    response = client.post(url(cycle, "vote"), {"proyectos": [a.pk], "action": "preview"})
    assert "USD 20.000,00" in response.content.decode()
    assert not Ballot.objects.exists()
    # Over budget: refused with the reason, choices kept on screen.
    response = client.post(url(cycle, "vote"), {"proyectos": [a.pk, b.pk], "action": "save"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "USD 55.000,00" in body and 'role="alert"' in body
    response = client.post(url(cycle, "vote"), {"proyectos": [b.pk], "action": "save"})
    assert response.status_code == 302
    ballot = Ballot.objects.get()
    assert list(ballot.lines.values_list("request_id", flat=True)) == [b.pk]


def test_people_who_cannot_vote_are_told_why(client):
    cycle = make_cycle("calderon", phase="prioritisation")
    make_request(cycle)
    assert "Inicie sesión para votar" in client.get(url(cycle, "vote")).content.decode()
    client.force_login(make_resident("calderon", verified=False))
    response = client.get(url(cycle, "vote"))
    assert response.status_code == 200 and b"proyectos" not in response.content
    response = client.post(url(cycle, "vote"), {"proyectos": [1]})
    assert response.status_code == 403


def test_vote_page_query_count_does_not_grow(client, django_assert_max_num_queries):
    cycle = make_cycle("calderon", phase="prioritisation")
    voter = make_resident("calderon")
    client.force_login(voter)

    def count_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as context:
            assert client.get(url(cycle, "vote")).status_code == 200
        return len(context.captured_queries)

    make_request(cycle, title="Uno")
    count_queries()  # warm up (site root, content types)
    few = count_queries()
    for i in range(15):
        make_request(cycle, title=f"Proyecto {i}")
    assert count_queries() == few


def test_staff_pages_need_zone_staff_and_two_factor(client):
    cycle = make_cycle("calderon")
    client.force_login(make_staff("calderon"))  # no TOTP set up (see test_budget_mfa_gate.py)
    response = client.get(url(cycle, "envelopes"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp") == "/cuenta/2fa/totp/activate/"
    client.logout()
    mfa_login(client, make_staff("tumbaco"))
    assert client.get(url(cycle, "envelopes")).status_code == 403
    client.logout()
    mfa_login(client, make_staff("calderon"))
    assert client.get(url(cycle, "envelopes")).status_code == 200


def test_staff_compute_envelopes_in_the_form(client):
    cycle = make_cycle("calderon", total=Decimal("1000000.00"))
    mfa_login(client, make_staff("calderon"))
    first, second = parish("calderon", 0), parish("calderon", 1)
    data = {"action": "weighted"}
    for p, values in ((first, (100, 10, 5, 1)), (second, (300, 30, 15, 3))):
        for name, value in zip(
            ("population", "unmet_needs", "density", "infrastructure_needs"), values, strict=True
        ):
            data[f"{name}_{p.pk}"] = value
    response = client.post(url(cycle, "envelopes"), data)
    assert response.status_code == 302
    html = client.get(cycle.url).content.decode()
    assert "USD 250.000,00" in html and "USD 750.000,00" in html


def test_tallies_and_results_with_downloads(client, django_assert_max_num_queries):
    cycle = make_cycle("calderon", total=Decimal("40000.00"), phase="prioritisation")
    projects = [make_request(cycle, title=f"P{i}", cost=Decimal(15000)) for i in range(3)]
    for i in range(3):
        services.ballot_submit(
            cycle=cycle, user=make_resident("calderon"), request_ids=[projects[i % 2].pk]
        )
    staff = make_staff("calderon")
    mfa_login(client, staff)
    form = client.get(url(cycle, "tallies") + f"?parroquia={parish('calderon').pk}")
    assert form.status_code == 200
    data = {
        "parroquia": parish("calderon").pk,
        "held_on": timezone.localdate().isoformat(),
        "attendees": 120,
        "acta": SimpleUploadedFile(
            "acta.pdf", b"%PDF-1.4 acta\n%%EOF\n", content_type="application/pdf"
        ),
        **{f"votes_{p.pk}": 4 if p == projects[2] else 0 for p in projects},
    }
    assert client.post(url(cycle, "tallies"), data).status_code == 302
    bad = {**data, "acta": SimpleUploadedFile("acta.exe", b"MZ...", content_type="text/plain")}
    bad["parroquia"] = parish("calderon", 1).pk
    response = client.post(url(cycle, "tallies"), bad)
    assert response.status_code == 200 and "PDF" in response.content.decode()

    cycle = set_phase(cycle, "results")
    assert client.post(url(cycle, "results_compute"), {"confirm": "1"}).status_code == 302
    # Fixed cost: Wagtail routing walks the page path (~10 queries), staff's MFA check and
    # the withdraw rule's look for published results; none per project.
    with django_assert_max_num_queries(24):
        html = client.get(url(cycle, "results")).content.decode()
    assert "P2" in html and "USD 15.000,00" in html
    content = client.get(url(cycle, "results_csv")).content.decode()
    assert content.startswith("\ufeff")  # the BOM, for spreadsheets
    rows = list(csv.DictReader(io.StringIO(content.removeprefix("\ufeff"))))
    assert rows[0]["cost_usd"] == "15000.00"
    assert [row["title"] for row in rows] == ["P2", "P0", "P1"]
    assert [row["selected"] for row in rows] == ["True", "True", "False"]
    assert rows[2]["reason"] == "did_not_fit"
    payload = json.loads(client.get(url(cycle, "results_json")).content)
    assert payload["scopes"][0]["selected_total_usd"] == "30000.00"
    assert payload["projects"][0]["assembly_votes"] == 4


def test_sections_cost_one_query_and_skip_private_cycles(client):
    from wagtail.models import PageViewRestriction

    from budgets.selectors import zone_section
    from territory.models import ZonePage

    public = make_cycle("calderon", year=2026)
    private = make_cycle("calderon", year=2025)
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    zone_page = ZonePage.objects.get(zone__slug="calderon")
    zone_page.url  # noqa: B018  (warm the site cache)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        section = zone_section(zone_page, None)
        urls = [item["url"] for item in section.items]
    assert urls == [public.url]
    assert len(context.captured_queries) <= 2  # the cycles (+ the site root for URLs once)
