"""The booth page in Chromium on a phone (360 x 740): staff (with MFA) register a person's
vote by cédula; the same person is then refused with an alert and the number is not in the
page; axe finds nothing serious and the page never scrolls sideways. (The page has no
script of its own: tests/budgets/test_booth.py drives it by plain POSTs. axe needs
JavaScript in the page, so the browser keeps it on.)"""

import re
from decimal import Decimal

import pytest
from django.test import Client
from playwright.sync_api import expect

from budgets import services
from budgets.models import Ballot
from tests.browser.test_budgets import assert_accessible
from tests.budgets.builders import (
    make_cycle,
    make_request,
    make_resident,
    make_staff,
    mfa_login,
    new_cedula,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


def staff_phone(new_context, site, user):
    client = Client()
    mfa_login(client, user)
    context = new_context(viewport=PHONE)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": site.url}]
    )
    return context.new_page()


def assert_fits_the_phone(page):
    width, viewport = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width <= viewport, f"the booth page is {width} px wide in a {viewport} px viewport"


def test_booth_on_a_phone_registers_once_and_refuses_the_second_time(site, new_context):
    cycle = make_cycle("calderon", total=Decimal("50000.00"), phase="prioritisation")
    park = make_request(cycle, title="Parque infantil de la plaza", cost=Decimal("30000.00"))
    make_request(cycle, title="Alumbrado de la calle principal", cost=Decimal("15000.00"))
    page = staff_phone(new_context, site, make_staff("calderon"))
    booth = site.url + cycle.url + "mesa/"

    page.goto(booth)
    expect(page.locator("h1")).to_be_visible()
    assert_fits_the_phone(page)
    assert_accessible(page, "booth page")

    number = new_cedula()
    page.locator("#id_cedula").fill(number)
    page.locator("#id_mesa").fill("Mesa 1, casa comunal")
    page.get_by_label(re.compile("Parque infantil de la plaza")).check()
    page.locator("#id_confirm").check()
    with page.expect_navigation():
        page.locator("form.booth-form button[type=submit]").click()
    expect(page.locator(".messages")).to_be_visible()
    assert Ballot.objects.filter(channel="booth").count() == 1
    # The booth's label stays for the next voter; the number field is empty.
    expect(page.locator("#id_mesa")).to_have_value("Mesa 1, casa comunal")
    expect(page.locator("#id_cedula")).to_have_value("")

    # The same person again: an alert, nothing written, the number not on the page.
    page.locator("#id_cedula").fill(number)
    page.get_by_label(re.compile("Parque infantil de la plaza")).check()
    page.locator("#id_confirm").check()
    with page.expect_navigation():
        page.locator("form.booth-form button[type=submit]").click()
    alert = page.locator("#booth-error[role=alert]")
    expect(alert).to_be_visible()
    assert Ballot.objects.count() == 1
    assert number not in page.content()
    expect(page.locator("#id_cedula")).to_have_value("")
    assert_fits_the_phone(page)
    assert_accessible(page, "booth page with the already-voted alert")
    assert park.ballot_lines.count() == 1


def test_someone_who_voted_online_gets_the_alert_at_the_booth(site, new_context):
    cycle = make_cycle("calderon", total=Decimal("50000.00"), phase="prioritisation")
    park = make_request(cycle, title="Parque infantil de la plaza", cost=Decimal("30000.00"))
    number = new_cedula()
    voter = make_resident("calderon", cedula=number)
    services.ballot_submit(cycle=cycle, user=voter, request_ids=[park.pk])
    page = staff_phone(new_context, site, make_staff("calderon"))
    page.goto(site.url + cycle.url + "mesa/")
    page.locator("#id_cedula").fill(number)
    page.get_by_label(re.compile("Parque infantil de la plaza")).check()
    page.locator("#id_confirm").check()
    with page.expect_navigation():
        page.locator("form.booth-form button[type=submit]").click()
    expect(page.locator("#booth-error[role=alert]")).to_be_visible()
    assert Ballot.objects.count() == 1 and Ballot.objects.get().channel == "online"
    assert_accessible(page, "booth page, voted online")
