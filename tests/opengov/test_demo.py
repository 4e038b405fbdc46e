"""`manage.py load_opengov`: the city's second action plan (2022-2023) from the May 2023
report, with its five commitments, their milestones and statuses; idempotent, and a plan
staff have edited since is left as they left it."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from wagtail.models import GroupCollectionPermission

from opengov.demo import load_opengov
from opengov.models import ActionPlan, Commitment, Milestone, MilestoneStatus, Verifiable
from opengov.rules import OPENGOV_GROUP_NAME

pytestmark = pytest.mark.django_db
S = MilestoneStatus


def statuses(number):
    return [
        m.status for m in Milestone.objects.filter(commitment__number=number).order_by("sort_order")
    ]


def test_the_second_plan_loads_with_its_five_commitments_and_the_reports_statuses():
    summary = load_opengov()
    assert summary.created and (summary.commitments, summary.milestones) == (5, 22)
    plan = ActionPlan.objects.get()
    assert (plan.slug, plan.number, plan.start_year, plan.end_year) == ("paga-2", 2, 2022, 2023)
    assert str(plan.approved_on) == "2022-03-31" and str(plan.launched_on) == "2022-09-15"
    assert plan.documents_url.startswith("https://drive.google.com/")
    commitments = list(Commitment.objects.order_by("number"))
    assert [c.number for c in commitments] == [1, 2, 3, 4, 5]
    assert [(c.responsible, c.counterpart) for c in commitments] == [
        (
            "Secretaría General de Coordinación Territorial y Participación Ciudadana",
            "Universidad de los Hemisferios",
        ),
        (
            "Secretaría de Desarrollo Productivo y Competitividad; Corporación de Promoción "
            "Económica CONQUITO",
            "Universidad de los Hemisferios",
        ),
        ("Secretaría General de Planificación", "Universidad Central del Ecuador"),
        ("Secretaría General del Concejo Metropolitano", "Fundación Ciudadanía y Desarrollo"),
        ("Secretaría General de Planificación", "Escuela Politécnica Nacional"),
    ]
    # The report's status tables, milestone by milestone.
    assert statuses(1) == [S.FULFILLED, S.FULFILLED_WITH_NOTE, S.FULFILLED]
    assert statuses(2) == [S.FULFILLED, S.FULFILLED, S.FULFILLED_WITH_NOTE, S.PENDING]
    assert statuses(3) == [
        S.FULFILLED,
        S.FULFILLED,
        S.FULFILLED_WITH_NOTE,
        S.FULFILLED_WITH_NOTE,
        S.PENDING,
    ]
    assert statuses(4) == [S.FULFILLED] * 3
    assert statuses(5) == [S.FULFILLED] * 5 + [S.PENDING, S.FULFILLED]
    # Every "Cumplido*" carries the note its asterisk points to.
    noted = Milestone.objects.filter(status=S.FULFILLED_WITH_NOTE)
    assert noted.count() == 4 and not noted.filter(note="").exists()
    dates_changed = Milestone.objects.get(commitment__number=1, sort_order=1)
    assert "31 de enero de 2023" in dates_changed.note
    assert "31 de marzo de 2023" in Milestone.objects.get(commitment__number=2, sort_order=2).note
    # Verifiables: the annexes, and the one link the report gives.
    assert Verifiable.objects.filter(title__startswith="Anexo 1.2").exists()
    linked = Verifiable.objects.exclude(url="")
    assert list(linked.values_list("url", flat=True)) == [
        "https://zonales.quito.gob.ec/?page_id=29988"
    ]


def test_loading_again_changes_nothing_and_keeps_staff_edits():
    load_opengov()
    before = (Commitment.objects.count(), Milestone.objects.count(), Verifiable.objects.count())
    pending = Milestone.objects.get(commitment__number=2, sort_order=3)
    pending.status = S.FULFILLED
    pending.save()  # the open-government team updated it in the admin
    summary = load_opengov()
    assert not summary.created
    after = (Commitment.objects.count(), Milestone.objects.count(), Verifiable.objects.count())
    assert after == before == (5, 22, before[2])
    pending.refresh_from_db()
    assert pending.status == S.FULFILLED


def test_the_loader_creates_the_open_government_group_with_admin_access_and_documents():
    load_opengov()
    load_opengov()
    group = Group.objects.get(name=OPENGOV_GROUP_NAME)
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"access_admin", "change_commitment", "view_milestone"} <= codenames
    documents = GroupCollectionPermission.objects.filter(
        group=group, collection__name="Gobierno abierto"
    )
    assert set(documents.values_list("permission__codename", flat=True)) == {
        "add_document",
        "change_document",
        "choose_document",
    }


def test_the_command_says_what_it_did():
    out = io.StringIO()
    call_command("load_opengov", stdout=out)
    assert "5 commitments, 22 milestones" in out.getvalue()
    out = io.StringIO()
    call_command("load_opengov", stdout=out)
    assert "already loaded" in out.getvalue()
