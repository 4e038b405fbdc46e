"""Editing the plans in the Wagtail admin: the open-government group (after MFA) creates and
edits commitments, milestones and verifiables through the services, each save audited;
without MFA, or as other staff, nothing is written."""

import pytest
from wagtail.models import ModelLogEntry

from opengov import audit, services
from opengov.models import ActionPlan, Commitment, Milestone, MilestoneStatus, Verifiable
from quitodecide import rulebook
from quitodecide.errors import PermissionDenied
from tests.budgets.builders import make_staff
from tests.factories import UserFactory, login_with_mfa
from tests.opengov.builders import make_commitment, make_opengov_staff, make_plan

pytestmark = pytest.mark.django_db
S = MilestoneStatus
PLANS = "/admin/planes-gobierno-abierto/"
COMMITMENTS = "/admin/compromisos-gobierno-abierto/"
MILESTONES = "/admin/hitos-gobierno-abierto/"


def inline(prefix, rows=(), initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        row = {"id": "", "DELETE": "", "ORDER": str(index + 1), **row}
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def commitment_form(plan, **overrides):
    return {
        "plan": str(plan.pk),
        "number": "1",
        "title": "Datos abiertos de obras",
        "description": "",
        "responsible": "Secretaría General de Planificación",
        "counterpart": "Universidad Central del Ecuador",
        **inline(
            "milestones",
            [
                {"title": "Diagnóstico del portal", "status": S.FULFILLED, "note": ""},
                {
                    "title": "Nuevo visor",
                    "status": S.FULFILLED_WITH_NOTE,
                    "note": "Con fechas nuevas.",
                },
                {"title": "Estrategia de comunicación", "status": S.PENDING, "note": ""},
            ],
        ),
        **overrides,
    }


def milestone_form(milestone, verifiables=(), **overrides):
    return {
        "commitment": str(milestone.commitment_id),
        "title": milestone.title,
        "status": milestone.status,
        "note": milestone.note,
        **inline("verifiables", verifiables),
        **overrides,
    }


@pytest.fixture
def team_client(client):
    staff = make_opengov_staff()
    login_with_mfa(client, staff)
    client.staff = staff
    return client


def test_the_group_creates_a_commitment_with_its_milestones_audited(team_client):
    plan = make_plan()
    response = team_client.post(COMMITMENTS + "new/", commitment_form(plan))
    assert response.status_code == 302, response.content.decode()[:3000]
    commitment = Commitment.objects.get()
    assert list(commitment.milestones.values_list("status", flat=True)) == [
        S.FULFILLED,
        S.FULFILLED_WITH_NOTE,
        S.PENDING,
    ]
    entry = ModelLogEntry.objects.get(action=audit.CREATE, object_id=str(commitment.pk))
    assert entry.user_id == team_client.staff.pk
    assert "milestones" in entry.data["fields"]
    assert not ModelLogEntry.objects.filter(action="wagtail.create").exists()  # one entry


def test_the_group_edits_a_milestone_status_and_adds_verifiables_audited(team_client):
    commitment = make_commitment(make_plan(), statuses=[S.PENDING])
    milestone = commitment.milestones.get()
    data = milestone_form(
        milestone,
        [
            {"title": "Informe del hito", "url": "https://example.org/informe.pdf", "document": ""},
            {"title": "Acta en el repositorio del plan", "url": "", "document": ""},
        ],
        status=S.FULFILLED_WITH_NOTE,
        note="El consejo aprobó nuevas fechas.",
    )
    response = team_client.post(f"{MILESTONES}edit/{milestone.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    milestone.refresh_from_db()
    assert milestone.status == S.FULFILLED_WITH_NOTE
    assert list(milestone.verifiables.values_list("title", "url")) == [
        ("Informe del hito", "https://example.org/informe.pdf"),
        ("Acta en el repositorio del plan", ""),
    ]
    entry = ModelLogEntry.objects.get(action=audit.EDIT, object_id=str(milestone.pk))
    assert {"status", "note", "verifiables"} <= set(entry.data["fields"])
    assert commitment.progress().percent == 100


def test_fulfilled_with_a_note_needs_the_note_and_a_verifiable_a_document_or_a_link(team_client):
    commitment = make_commitment(make_plan(), statuses=[S.PENDING])
    milestone = commitment.milestones.get()
    response = team_client.post(
        f"{MILESTONES}edit/{milestone.pk}/",
        milestone_form(milestone, status=S.FULFILLED_WITH_NOTE, note=""),
    )
    assert response.status_code == 200
    assert "note" in response.context["form"].errors
    response = team_client.post(
        f"{MILESTONES}edit/{milestone.pk}/",
        milestone_form(
            milestone, [{"title": "Informe", "url": "javascript:alert(1)", "document": ""}]
        ),
    )
    assert response.status_code == 200
    milestone.refresh_from_db()
    assert milestone.status == S.PENDING and not Verifiable.objects.exists()
    assert not ModelLogEntry.objects.filter(action__startswith="opengov.").exists()


def test_the_group_creates_and_deletes_plans_but_not_a_plan_with_commitments(team_client):
    data = {
        "number": "3",
        "slug": "paga-3",
        "title": "Tercer Plan de Acción de Gobierno Abierto",
        "start_year": "2024",
        "end_year": "2025",
        "summary": "",
        "approved_on": "",
        "launched_on": "",
        "status_source": "",
        "status_as_of": "",
        "documents_url": "",
    }
    assert team_client.post(PLANS + "new/", data).status_code == 302
    plan = ActionPlan.objects.get(slug="paga-3")
    assert (
        team_client.post(
            PLANS + "new/", {**data, "end_year": "2023", "slug": "x", "number": "4"}
        ).status_code
        == 200
    )
    make_commitment(plan)
    team_client.post(f"{PLANS}delete/{plan.pk}/")
    assert ActionPlan.objects.filter(pk=plan.pk).exists()
    empty = make_plan()
    assert team_client.post(f"{PLANS}delete/{empty.pk}/").status_code == 302
    assert not ActionPlan.objects.filter(pk=empty.pk).exists()
    assert ModelLogEntry.objects.filter(action=audit.DELETE, object_id=str(empty.pk)).exists()


def test_the_screens_open_for_the_group(team_client):
    commitment = make_commitment(make_plan(), statuses=[S.PENDING])
    for path in (
        PLANS,
        COMMITMENTS,
        MILESTONES,
        f"{COMMITMENTS}edit/{commitment.pk}/",
        f"{MILESTONES}edit/{commitment.milestones.get().pk}/",
    ):
        assert team_client.get(path).status_code == 200, path


def test_the_group_without_mfa_in_the_session_is_sent_to_the_gate_and_writes_nothing(client):
    staff = make_opengov_staff(mfa=False)
    client.force_login(staff)  # password only
    plan = make_plan()
    response = client.post(COMMITMENTS + "new/", commitment_form(plan))
    assert response.status_code == 302 and "/admin/" not in response["Location"]
    assert not Commitment.objects.exists()
    with pytest.raises(PermissionDenied):
        services.record_save(
            actor=staff, record=Commitment(plan=plan, number=1), write=lambda: None, changed=[]
        )


@pytest.mark.parametrize("who", ["zone_staff", "account"])
def test_other_staff_and_accounts_are_refused(client, territory, who):
    user = make_staff("calderon") if who == "zone_staff" else UserFactory()
    login_with_mfa(client, user)
    commitment = make_commitment(make_plan(), statuses=[S.PENDING])
    milestone = commitment.milestones.get()
    for path in (COMMITMENTS, f"{MILESTONES}edit/{milestone.pk}/"):
        assert client.get(path).status_code in (302, 403), path
    response = client.post(
        f"{MILESTONES}edit/{milestone.pk}/", milestone_form(milestone, status=S.FULFILLED)
    )
    assert response.status_code in (302, 403)
    assert client.post(
        COMMITMENTS + "new/", commitment_form(commitment.plan, number="2")
    ).status_code in (302, 403)
    milestone.refresh_from_db()
    assert milestone.status == S.PENDING and Commitment.objects.count() == 1
    user.__dict__.pop("_opengov_staff", None)
    from quitodecide.mfa import mark_user

    mark_user(user, True)
    assert not rulebook.allowed(user, "opengov.edit", commitment.plan)
    with pytest.raises(PermissionDenied):
        services.record_delete(actor=user, record=milestone)
    assert Milestone.objects.filter(pk=milestone.pk).exists()


def test_the_city_wide_team_may_edit_too_and_superusers(territory):
    city = make_staff(city=True)
    assert rulebook.allowed(city, "opengov.edit", make_plan())
    admin = UserFactory(is_superuser=True)
    from quitodecide.mfa import mark_user

    mark_user(admin, True)
    assert rulebook.allowed(admin, "opengov.edit", None)
    mark_user(admin, False)
    assert not rulebook.allowed(admin, "opengov.edit", None)


def test_only_choosable_documents_can_be_verifiables(team_client):
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model
    from wagtail.models import Collection

    root = Collection.get_first_root_node()
    elsewhere = root.add_child(name="Otra dependencia")
    document = get_document_model().objects.create(
        title="Reservado", file=ContentFile(b"%PDF-1.4", name="r.pdf"), collection=elsewhere
    )
    commitment = make_commitment(make_plan(), statuses=[S.FULFILLED])
    milestone = commitment.milestones.get()
    response = team_client.post(
        f"{MILESTONES}edit/{milestone.pk}/",
        milestone_form(
            milestone, [{"title": "Reservado", "url": "", "document": str(document.pk)}]
        ),
    )
    assert response.status_code == 200
    assert not Verifiable.objects.exists()
