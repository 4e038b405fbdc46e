from urllib.parse import quote

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.training.helpers import held, make_module, make_plan, make_session
from training import selectors, services
from training.demo import load_demo_training
from training.models import Registration, TrainingPlan, TrainingSession

pytestmark = pytest.mark.django_db


def test_index_filters_plan_and_session_pages(client, territory):
    plan = make_plan()
    make_module(plan, hours=4)
    upcoming = make_session(plan, title="Sesión próxima")
    past = held(make_session(plan, title="Sesión pasada"))
    other = make_plan("la-mariscal", title="Plan Mariscal")
    hidden = make_plan(title="Plan oculto", is_published=False)
    page = client.get("/formacion/").content.decode()
    assert plan.title in page and other.title in page and hidden.title not in page
    assert "Sesión próxima" in page and "Sesión pasada" not in page
    filtered = client.get("/formacion/", {"zona": "la-mariscal", "anio": "2026"}).content.decode()
    assert other.title in filtered and plan.title not in filtered
    assert client.get("/formacion/", {"zona": "x" * 300, "anio": "２０２６"}).status_code == 200
    detail = client.get(plan.get_absolute_url()).content.decode()
    assert "Sesión próxima" in detail and "Sesión pasada" in detail and "Módulo 1" in detail
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get(upcoming.get_absolute_url()).status_code == 200
    closed = client.get(past.get_absolute_url())
    assert (
        b'id="registration-closed"' in closed.content
        and b'<form method="post"' not in closed.content
    )
    assert client.get("/formacion/sesion/99999999999/").status_code == 404


text = st.text(max_size=300)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    data=st.dictionaries(
        st.sampled_from(["name", "email", "parish", "privacy_consent", "x", "attended"]),
        st.one_of(text, st.lists(text, max_size=3)),
        max_size=6,
    )
)
def test_hostile_posts_never_500(client, territory, data):
    session = TrainingSession.objects.filter(title="hostil").first() or make_session(
        title="hostil", capacity=2
    )
    response = client.post(f"/formacion/sesion/{session.pk}/", data)
    assert response.status_code in {302, 400, 403, 429}  # 429: rate limited
    token = data.get("name") if isinstance(data.get("name"), str) else ""
    response = client.post(reverse("training:cancel", args=["t" + quote(token, safe="")]))
    assert response.status_code == 404
    code = data.get("email") if isinstance(data.get("email"), str) else ""
    assert client.get("/formacion/certificados/verificar/", {"codigo": code}).status_code in {
        200,
        400,
        429,
    }


def test_indicator_rows(territory, django_capture_on_commit_callbacks):
    plan = make_plan()
    session = make_session(plan, capacity=5)
    regs = [
        services.register(
            None,
            session,
            name=f"P{n}",
            email=f"p{n}@example.ec",
            parish=territory and plan.zone.parishes.first(),
            privacy_consent=True,
        )
        for n in range(3)
    ]
    held(session)
    make_session(plan, status=TrainingSession.Status.CANCELLED)
    make_session(plan)  # upcoming: not held
    from tests.training.helpers import staff

    services.attendance_save(actor=staff(), session=session, attended_ids=[regs[0].pk, regs[1].pk])
    rows = [r for r in selectors.indicator_rows() if r["zone"] == "calderon" and r["year"] == 2026]
    assert rows == [
        {
            "zone": "calderon",
            "zone_name": "Calderón",
            "year": 2026,
            "sessions": 1,
            "registrations": 3,
            "attended": 2,
            "evaluation_mean": None,
            "evaluation_answers": 0,
        }
    ]


def test_demo_is_idempotent_and_complete(client, territory):
    from surveys.models import Response

    lines = load_demo_training()
    counts = (
        TrainingPlan.objects.count(),
        TrainingSession.objects.count(),
        Registration.objects.count(),
        Response.objects.count(),
    )
    assert load_demo_training() and counts == (
        TrainingPlan.objects.count(),
        TrainingSession.objects.count(),
        Registration.objects.count(),
        Response.objects.count(),
    )
    assert Registration.objects.filter(status="en_espera").exists()
    assert Registration.objects.filter(certificate_code__isnull=False).count() == 15
    assert Response.objects.count() == 15
    rows = {(r["zone"], r["year"]): r for r in selectors.indicator_rows()}
    assert rows[("calderon", 2026)]["sessions"] == 2
    assert 1 <= rows[("calderon", 2026)]["evaluation_mean"] <= 5
    for line in lines:
        assert client.get(line).status_code == 200, line
