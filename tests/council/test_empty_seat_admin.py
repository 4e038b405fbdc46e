"""The secretariat's empty-seat screens: only the secretariat's group after MFA sees the
applications and downloads their documents (zone and city staff get 403, without MFA the
gate); accredit and reject through the forms (a reason to reject, in Spanish); filters
that ignore bad values; flat query counts on the list."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from council import empty_seat
from council.models import EmptySeatApplication
from territory.models import Zone
from territory.services import CITY_GROUP_NAME, zone_group_name
from tests.council.helpers import secretariat
from tests.council.test_empty_seat import make_item, pdf, storage, stored_names, submit
from tests.factories import UserFactory, login_with_mfa

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_private_storage():
    for name in stored_names(storage()):
        storage().delete(name)


@pytest.fixture
def application():
    item = make_item()
    return submit(item, files=[pdf("Registro «legal».pdf", "Registro")])


def staff_of_zone(*, city=False):
    user = UserFactory(is_staff=True)
    zone = Zone.objects.order_by("pk").first()
    user.groups.add(Group.objects.get(name=CITY_GROUP_NAME if city else zone_group_name(zone)))
    return user


def urls(application):
    document = application.documents.get()
    return [
        "/admin/silla-vacia/",
        f"/admin/silla-vacia/{application.pk}/",
        f"/admin/silla-vacia/documento/{document.pk}/",
    ]


def test_the_secretariat_sees_the_list_the_application_and_downloads_a_document(
    client, application
):
    login_with_mfa(client, secretariat())
    listing = client.get("/admin/silla-vacia/")
    assert listing.status_code == 200
    assert "Federación de Barrios del Noroccidente" in listing.content.decode()
    page = client.get(f"/admin/silla-vacia/{application.pk}/").content.decode()
    for value in ("MIES-2019-0457", "marco@example.ec", "lucia@example.ec", "fbn@example.ec"):
        assert value in page
    document = application.documents.get()
    response = client.get(f"/admin/silla-vacia/documento/{document.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'attachment; filename="registro-legal.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


@pytest.mark.parametrize("who", ["zone_staff", "city_staff", "resident", "applicant"])
def test_others_are_refused(client, application, territory, who):
    user = {
        "zone_staff": lambda: staff_of_zone(),
        "city_staff": lambda: staff_of_zone(city=True),
        "resident": lambda: UserFactory(),
        "applicant": lambda: application.applicant,
    }[who]()
    login_with_mfa(client, user)
    for url in urls(application):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:  # Wagtail's admin answers a refusal with its home
            assert response["Location"] in ("/admin/", "/admin/login/?next=" + url) or (
                "/login/" in response["Location"]
            )
        assert not hasattr(response, "streaming_content"), url
    response = client.post(f"/admin/silla-vacia/{application.pk}/", {"action": "accredit"})
    assert response.status_code in (302, 403)
    application.refresh_from_db()
    assert application.status == EmptySeatApplication.Status.RECEIVED


def test_anonymous_visitors_are_sent_to_log_in(client, application):
    for url in urls(application):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_the_secretariat_without_mfa_is_sent_through_the_gate(client, application):
    user = secretariat()
    client.force_login(user)
    for url in urls(application):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/cuenta/" in response["Location"] or "mfa" in response["Location"], url


def test_the_menu_item_is_for_the_secretariat_only(client, territory):
    login_with_mfa(client, secretariat())
    assert "/admin/silla-vacia/" in client.get("/admin/").content.decode()
    other = staff_of_zone(city=True)
    client.logout()
    login_with_mfa(client, other)
    assert "/admin/silla-vacia/" not in client.get("/admin/").content.decode()


def test_reject_needs_a_reason_then_accredit_another(client, application, mailoutbox):
    login_with_mfa(client, secretariat())
    url = f"/admin/silla-vacia/{application.pk}/"
    response = client.post(url, {"action": "reject", "rechazar-reason": "  "})
    assert response.status_code == 400
    assert "Indique el motivo del rechazo." in response.content.decode()
    application.refresh_from_db()
    assert application.status == EmptySeatApplication.Status.RECEIVED
    response = client.post(url, {"action": "accredit", "acreditar-reason": ""})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == EmptySeatApplication.Status.ACCREDITED
    # A second organisation cannot be accredited on the same item.
    other = submit(application.item, legal_registration="OTRA-9", organisation="Comité Dos")
    response = client.post(
        f"/admin/silla-vacia/{other.pk}/", {"action": "accredit", "acreditar-reason": ""}
    )
    assert response.status_code == 400
    assert "ya está acreditada" in response.content.decode()
    other.refresh_from_db()
    assert other.status == EmptySeatApplication.Status.RECEIVED
    response = client.post(
        f"/admin/silla-vacia/{other.pk}/", {"action": "reject", "rechazar-reason": "Duplicada."}
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.status == EmptySeatApplication.Status.REJECTED
    assert other.decision_reason == "Duplicada."


def test_after_the_deadline_the_secretariat_reads_but_cannot_decide(client, application):
    session = application.item.session
    session.starts_at = timezone.now() + datetime.timedelta(hours=12)
    session.save()
    login_with_mfa(client, secretariat())
    url = f"/admin/silla-vacia/{application.pk}/"
    page = client.get(url).content.decode()
    assert "El plazo venció" in page and 'name="action"' not in page
    response = client.post(url, {"action": "accredit"})
    # Wagtail's admin turns the rule's refusal into a redirect to its home with the message.
    assert response.status_code in (302, 403)
    assert response.status_code == 403 or response["Location"] == "/admin/"
    application.refresh_from_db()
    assert application.status == EmptySeatApplication.Status.RECEIVED


@pytest.mark.parametrize(
    "query", ["?status=nada", "?item=abc", "?item=-4", "?upcoming=quizas", "?item=99999999"]
)
def test_bad_filters_are_no_500(client, application, query):
    login_with_mfa(client, secretariat())
    assert client.get("/admin/silla-vacia/" + query).status_code == 200


def test_filters_by_status_and_item(client, application):
    rejected = submit(application.item, legal_registration="R-2", organisation="Comité Rechazado")
    empty_seat.application_decide(
        application=rejected, actor=secretariat(), accredit=False, reason="No."
    )
    elsewhere = submit(make_item(), legal_registration="R-3", organisation="Otro Punto")
    login_with_mfa(client, secretariat())
    html = client.get("/admin/silla-vacia/?status=rechazada").content.decode()
    assert "Comité Rechazado" in html and "Federación" not in html
    html = client.get(f"/admin/silla-vacia/?item={elsewhere.item_id}").content.decode()
    assert "Otro Punto" in html and "Federación" not in html


def test_unknown_ids_are_404(client):
    login_with_mfa(client, secretariat())
    assert client.get("/admin/silla-vacia/999999/").status_code == 404
    assert client.get("/admin/silla-vacia/documento/999999/").status_code == 404


def test_the_list_keeps_its_query_count_flat(client, django_assert_max_num_queries):
    login_with_mfa(client, secretariat())
    item = make_item()
    submit(item, legal_registration="R-0")
    client.get("/admin/silla-vacia/")  # warm caches (menu, site)
    with django_assert_max_num_queries(40) as few:
        client.get("/admin/silla-vacia/")
    baseline = len(few.captured_queries)
    for n in range(1, 15):
        submit(make_item(), legal_registration=f"R-{n}")
    with django_assert_max_num_queries(baseline):
        client.get("/admin/silla-vacia/")
