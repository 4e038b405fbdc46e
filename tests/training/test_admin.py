import pytest
from wagtail.models import ModelLogEntry

from tests.factories import login_with_mfa
from tests.training.helpers import make_module, make_plan, make_session, staff
from training.models import TrainingPlan, TrainingSession

pytestmark = pytest.mark.django_db


def test_staff_create_a_plan_and_a_session_through_the_services(client, territory):
    login_with_mfa(client, staff())
    response = client.post(
        "/admin/formacion/plan/new/",
        {
            "zone": TrainingPlan._meta.get_field("zone")
            .related_model.objects.get(slug="calderon")
            .pk,
            "year": "2026",
            "title": "Plan de prueba",
            "slug": "plan-de-prueba",
            "description": "",
            "is_published": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    plan = TrainingPlan.objects.get(slug="plan-de-prueba")
    module = make_module(plan)
    response = client.post(
        "/admin/formacion/sesion/new/",
        {
            "plan": plan.pk,
            "module": module.pk,
            "title": "Sesión nueva",
            "description": "",
            "starts_at": "2026-12-20 18:00",
            "ends_at": "2026-12-20 20:00",
            "place": "",
            "online_url": "",
            "capacity": "20",
            "facilitator": "Facilitadora",
            "partner": "",
            "status": "programada",
        },
    )
    assert response.status_code == 200  # neither a place nor a link
    assert not TrainingSession.objects.filter(title="Sesión nueva").exists()
    response = client.post(
        "/admin/formacion/sesion/new/",
        {
            "plan": plan.pk,
            "module": module.pk,
            "title": "Sesión nueva",
            "starts_at": "2026-12-20 18:00",
            "ends_at": "2026-12-20 20:00",
            "place": "Casa barrial",
            "capacity": "20",
            "facilitator": "Facilitadora",
            "status": "programada",
        },
    )
    assert response.status_code == 302
    session = TrainingSession.objects.get(title="Sesión nueva")
    actions = set(ModelLogEntry.objects.values_list("action", flat=True))
    assert {"training.plan_save", "training.session_save"} <= actions
    assert client.get("/admin/formacion/sesion/").status_code == 200
    assert client.get(f"/admin/formacion/sesion/{session.pk}/inscripciones/").status_code == 200


def test_other_zone_staff_see_nothing_of_it(client, territory):
    plan = make_plan()
    session = make_session(plan)
    login_with_mfa(client, staff("la-mariscal"))
    listing = client.get("/admin/formacion/sesion/")
    assert listing.status_code == 200 and session.title.encode() not in listing.content
    assert client.get(f"/admin/formacion/sesion/edit/{session.pk}/").status_code == 404
    assert client.get(f"/admin/formacion/plan/edit/{plan.pk}/").status_code == 404
    response = client.post(
        "/admin/formacion/plan/new/",
        {"zone": plan.zone_id, "year": "2026", "title": "Intruso", "slug": "intruso"},
    )
    assert not TrainingPlan.objects.filter(slug="intruso").exists()
    assert response.status_code in {200, 302}
