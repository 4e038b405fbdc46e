"""Budget services: envelopes, ballots, assembly tallies and results."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.models import ModelLogEntry, PageLogEntry

from budgets import services
from budgets.models import Ballot, BallotLine, ParishEnvelope, ResultSet
from proposals.models import Request, StatusChange
from quitodecide.errors import DomainError, PermissionDenied
from territory.models import Parish
from tests.budgets.builders import (
    make_cycle,
    make_request,
    make_resident,
    make_staff,
    parish,
    set_phase,
)

pytestmark = pytest.mark.django_db

ACTA = b"%PDF-1.4\n% acta firmada\n%%EOF\n"


def acta():
    return SimpleUploadedFile("acta.pdf", ACTA, content_type="application/pdf")


def logged(cycle, action):
    return PageLogEntry.objects.filter(page=cycle, action=action).exists() or (
        ModelLogEntry.objects.filter(action=action).exists()
    )


# --- envelopes -----------------------------------------------------------------------------
def test_manual_envelopes_must_add_up_to_the_total(cycle, staff):
    parishes = list(Parish.objects.filter(zone=cycle.zone))
    amounts = {p: Decimal("0.00") for p in parishes}
    amounts[parishes[0]] = Decimal("60000.00")
    amounts[parishes[1]] = Decimal("39999.99")
    with pytest.raises(DomainError, match="USD 99.999,99"):
        services.envelopes_set(cycle=cycle, amounts=amounts, actor=staff)
    amounts[parishes[1]] = Decimal("40000.00")
    envelopes = services.envelopes_set(cycle=cycle, amounts=amounts, actor=staff)
    assert len(envelopes) == len(parishes)
    assert sum(e.amount for e in ParishEnvelope.objects.filter(cycle=cycle)) == cycle.total_amount
    assert logged(cycle, "budgets.envelopes_set")


def test_weighted_envelopes_add_up_exactly_and_keep_the_figures(staff):
    cycle = make_cycle("calderon", total=Decimal("1234567.89"))
    figures = {
        p: {
            "population": 1000 * (i + 1),
            "unmet_needs": Decimal("33.3") + i,
            "density": Decimal(17 * (i + 2)),
            "infrastructure_needs": Decimal(i % 3),
        }
        for i, p in enumerate(Parish.objects.filter(zone=cycle.zone))
    }
    services.envelopes_compute(cycle=cycle, figures=figures, actor=staff)
    envelopes = list(ParishEnvelope.objects.filter(cycle=cycle))
    assert len(envelopes) == len(figures)
    assert sum(e.amount for e in envelopes) == Decimal("1234567.89")
    assert all(e.method == "weighted" and e.population for e in envelopes)
    assert logged(cycle, "budgets.envelopes_compute")


def test_weighted_envelopes_need_every_parish(cycle, staff):
    one = parish("calderon")
    figures = {
        one: dict.fromkeys(["population", "unmet_needs", "density", "infrastructure_needs"], 1)
    }
    with pytest.raises(DomainError, match="faltan"):
        services.envelopes_compute(cycle=cycle, figures=figures, actor=staff)


def test_envelopes_are_frozen_once_prioritisation_starts(staff):
    cycle = make_cycle("calderon", phase="prioritisation")
    with pytest.raises(PermissionDenied):
        services.envelopes_clear(cycle=cycle, actor=staff)


def test_other_zone_staff_cannot_set_envelopes(cycle):
    with pytest.raises(PermissionDenied):
        services.envelopes_clear(cycle=cycle, actor=make_staff("tumbaco"))


# --- ballots -------------------------------------------------------------------------------
@pytest.fixture
def voting():
    cycle = make_cycle("calderon", total=Decimal("50000.00"), phase="prioritisation")
    projects = [
        make_request(cycle, title=f"Proyecto {i}", cost=Decimal(cost))
        for i, cost in enumerate(["30000.00", "20000.00", "15000.00"])
    ]
    return cycle, projects


def test_knapsack_ballot_fits_the_envelope(voting):
    cycle, (a, b, c) = voting
    voter = make_resident("calderon")
    ballot = services.ballot_submit(cycle=cycle, user=voter, request_ids=[a.pk, b.pk])
    assert ballot.total_cost == Decimal("50000.00")
    with pytest.raises(DomainError, match="USD 65.000,00"):
        services.ballot_submit(cycle=cycle, user=voter, request_ids=[a.pk, b.pk, c.pk])
    # The failed change left the ballot as it was.
    assert set(ballot.lines.values_list("request_id", flat=True)) == {a.pk, b.pk}


def test_changing_a_ballot_replaces_its_lines(voting):
    cycle, (a, b, c) = voting
    voter = make_resident("calderon")
    services.ballot_submit(cycle=cycle, user=voter, request_ids=[a.pk])
    ballot = services.ballot_submit(cycle=cycle, user=voter, request_ids=[b.pk, c.pk])
    assert Ballot.objects.filter(cycle=cycle).count() == 1
    assert sorted(ballot.lines.values_list("request_id", flat=True)) == sorted([b.pk, c.pk])
    assert ballot.revision == 2


def test_approval_rule_limits_the_number_of_choices():
    cycle = make_cycle("calderon", rule="approval", max_choices=2, phase="prioritisation")
    projects = [make_request(cycle, title=f"P{i}", cost=Decimal("90000")) for i in range(3)]
    voter = make_resident("calderon")
    # Costs do not matter under approval, only the count.
    services.ballot_submit(cycle=cycle, user=voter, request_ids=[p.pk for p in projects[:2]])
    with pytest.raises(DomainError, match="como máximo 2"):
        services.ballot_submit(cycle=cycle, user=voter, request_ids=[p.pk for p in projects])


def test_only_viable_projects_of_the_scope_can_be_chosen(voting):
    cycle, (a, _b, _c) = voting
    rejected = make_request(cycle, viable=False)
    other_zone = make_request(make_cycle("tumbaco", phase="prioritisation"))
    voter = make_resident("calderon")
    for pk in (rejected.pk, other_zone.pk):
        with pytest.raises(DomainError, match="no está en su papeleta"):
            services.ballot_submit(cycle=cycle, user=voter, request_ids=[a.pk, pk])
    with pytest.raises(DomainError, match="al menos un proyecto"):
        services.ballot_submit(cycle=cycle, user=voter, request_ids=[])


def test_with_parish_envelopes_residents_vote_their_parish_ballot(staff):
    cycle = make_cycle("calderon", total=Decimal("100000.00"), phase="requests")
    first, second = parish("calderon", 0), parish("calderon", 1)
    amounts = {p: Decimal(0) for p in Parish.objects.filter(zone=cycle.zone)}
    amounts[first], amounts[second] = Decimal("70000.00"), Decimal("30000.00")
    services.envelopes_set(cycle=cycle, amounts=amounts, actor=staff)
    own = make_request(cycle, parish_obj=second, cost=Decimal("25000.00"))
    elsewhere = make_request(cycle, parish_obj=first, cost=Decimal("1000.00"))
    too_dear = make_request(cycle, parish_obj=second, cost=Decimal("10000.00"))
    cycle = set_phase(cycle, "prioritisation")
    voter = make_resident("calderon", parish_obj=second)
    with pytest.raises(DomainError, match="no está en su papeleta"):
        services.ballot_submit(cycle=cycle, user=voter, request_ids=[elsewhere.pk])
    with pytest.raises(DomainError, match="USD 30.000,00"):
        services.ballot_submit(cycle=cycle, user=voter, request_ids=[own.pk, too_dear.pk])
    ballot = services.ballot_submit(cycle=cycle, user=voter, request_ids=[own.pk])
    assert ballot.parish == second


@pytest.mark.parametrize(
    ("kwargs", "phase"),
    [
        ({"verified": False}, "prioritisation"),
        ({"zone_slug": "tumbaco"}, "prioritisation"),
        ({}, "prefeasibility"),
        ({}, "results"),
    ],
)
def test_who_cannot_vote(kwargs, phase):
    cycle = make_cycle("calderon", phase="prioritisation")
    project = make_request(cycle)
    cycle = set_phase(cycle, phase)
    voter = make_resident(**{"zone_slug": "calderon", **kwargs})
    with pytest.raises(PermissionDenied):
        services.ballot_submit(cycle=cycle, user=voter, request_ids=[project.pk])
    assert not Ballot.objects.exists()


def test_the_database_refuses_a_second_ballot_and_a_repeated_line(voting):
    cycle, (a, _b, _c) = voting
    voter = make_resident("calderon")
    ballot = services.ballot_submit(cycle=cycle, user=voter, request_ids=[a.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(cycle=cycle, resident=voter.resident)
    with pytest.raises(IntegrityError), transaction.atomic():
        BallotLine.objects.create(ballot=ballot, request=a, cost=a.verdict.technical_cost)


# --- tallies and results -------------------------------------------------------------------
def test_results_combine_online_and_assembly_votes(voting, staff):
    cycle, (a, b, c) = voting
    for choice in ([a.pk], [a.pk], [b.pk, c.pk]):
        services.ballot_submit(cycle=cycle, user=make_resident("calderon"), request_ids=choice)
    with pytest.raises(DomainError, match="acta"):
        services.tally_record(
            cycle=cycle, parish=parish("calderon"), held_on="2026-08-01", votes={}, actor=staff
        )
    services.tally_record(
        cycle=cycle,
        parish=parish("calderon"),
        held_on=timezone.localdate(),
        votes={b.pk: 5, c.pk: 1},
        acta=acta(),
        attendees=40,
        actor=staff,
    )
    with pytest.raises(PermissionDenied):  # still prioritisation
        services.results_publish(cycle=cycle, actor=staff)
    cycle = set_phase(cycle, "results")
    # A late acta replaces the earlier count of the same assembly.
    services.tally_record(
        cycle=cycle,
        parish=parish("calderon"),
        held_on=cycle.phase("prioritisation").ends_on,
        votes={b.pk: 0, c.pk: 1},
        attendees=40,
        actor=staff,
    )
    [result] = services.results_publish(cycle=cycle, actor=staff)
    lines = list(result.lines.order_by("rank"))
    # a: 2 online; c: 1 + 1 (tie with a, broken by the lower cost); b: 1 + 0.
    assert [(line.request_id, line.online_votes, line.assembly_votes) for line in lines] == [
        (c.pk, 1, 1),
        (a.pk, 2, 0),
        (b.pk, 1, 0),
    ]
    assert [line.reason for line in lines] == ["selected", "selected", "did_not_fit"]
    assert result.selected_total == Decimal("45000.00") <= result.envelope
    statuses = dict(Request.objects.filter(cycle=cycle).values_list("pk", "status"))
    assert statuses == {a.pk: "prioritised", b.pk: "not_selected", c.pk: "prioritised"}
    assert StatusChange.objects.filter(request=a, to_status="prioritised", actor=staff).exists()
    assert logged(cycle, "budgets.results_publish")
    # Publishing again gives the same result and no duplicate.
    services.results_publish(cycle=cycle, actor=staff)
    assert ResultSet.objects.filter(cycle=cycle).count() == 1
    assert StatusChange.objects.filter(request=a, to_status="prioritised").count() == 1


def test_tally_only_for_projects_on_the_ballot_and_own_zone(voting, staff):
    cycle, (a, _b, _c) = voting
    rejected = make_request(cycle, viable=False)
    with pytest.raises(DomainError):
        services.tally_record(
            cycle=cycle,
            parish=parish("calderon"),
            held_on="2026-08-01",
            votes={rejected.pk: 3},
            acta=acta(),
            actor=staff,
        )
    with pytest.raises(PermissionDenied):
        services.tally_record(
            cycle=cycle,
            parish=parish("calderon"),
            held_on="2026-08-01",
            votes={a.pk: 3},
            acta=acta(),
            actor=make_staff("tumbaco"),
        )
