"""Figures staff type must be possible: parish figures within their columns (unmet needs a
percentage), assembly tallies with no more votes than attendees, held during prioritisation,
and numbers that fit the database, refused with a Spanish message, never a 500."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from budgets import services
from budgets.forms import EnvelopesForm, TallyForm
from budgets.models import AssemblyTally, ParishEnvelope
from quitodecide.errors import DomainError
from territory.models import Parish
from tests.budgets.builders import (
    make_cycle,
    make_request,
    make_staff,
    mfa_login,
    parish,
    set_phase,
)

pytestmark = pytest.mark.django_db

INT32_MAX = 2**31 - 1


def acta():
    return SimpleUploadedFile("acta.pdf", b"%PDF-1.4 acta\n%%EOF\n", content_type="application/pdf")


def url(cycle, name):
    return cycle.url + cycle.reverse_subpage(name)


def today():
    return timezone.localdate()


@pytest.fixture
def voting(db):
    cycle = make_cycle("calderon", phase="prioritisation")
    return cycle, [make_request(cycle, title=f"Obra {i}") for i in range(3)]


def figures(parishes, **override):
    return {
        p: {
            "population": 1000,
            "unmet_needs": Decimal("40"),
            "density": Decimal("12.5"),
            "infrastructure_needs": Decimal("3"),
        }
        | override
        for p in parishes
    }


# --- envelopes ----------------------------------------------------------------------------
def test_weighted_envelopes_refuse_unmet_needs_over_100_percent(staff):
    cycle = make_cycle("calderon")
    parishes = list(Parish.objects.filter(zone=cycle.zone))
    with pytest.raises(DomainError, match="porcentaje"):
        services.envelopes_compute(
            cycle=cycle, figures=figures(parishes, unmet_needs=Decimal("150")), actor=staff
        )
    with pytest.raises(DomainError, match="demasiado grande"):
        services.envelopes_compute(
            cycle=cycle, figures=figures(parishes, population=INT32_MAX + 1), actor=staff
        )
    assert not ParishEnvelope.objects.filter(cycle=cycle).exists()
    services.envelopes_compute(cycle=cycle, figures=figures(parishes), actor=staff)
    assert ParishEnvelope.objects.filter(cycle=cycle).count() == len(parishes)


@pytest.mark.parametrize(
    ("figure", "value"),
    [
        ("unmet_needs", "100.01"),
        ("unmet_needs", "150"),
        ("population", str(INT32_MAX + 1)),
        ("population", "10.5"),
        ("density", "1" + "0" * 9),
        ("infrastructure_needs", "1" + "0" * 7),
        ("amount", "1" + "0" * 13),
    ],
)
def test_envelope_form_refuses_figures_out_of_range_in_spanish(figure, value):
    parishes = [parish("calderon")]
    data = {f"{figure}_{parishes[0].pk}": value}
    form = EnvelopesForm(data, parishes=parishes, envelopes={})
    assert not form.is_valid()
    messages = form.errors[f"{figure}_{parishes[0].pk}"]
    assert messages and all(m.startswith("Asegúrese") for m in messages), messages


def test_weighted_envelopes_over_http_show_an_error_not_a_500(client):
    cycle = make_cycle("calderon", total=Decimal("1000000.00"))
    mfa_login(client, make_staff("calderon"))
    data = {"action": "weighted"}
    for p in Parish.objects.filter(zone=cycle.zone):
        data |= {
            f"population_{p.pk}": 100,
            f"unmet_needs_{p.pk}": 150,
            f"density_{p.pk}": 5,
            f"infrastructure_needs_{p.pk}": 1,
        }
    response = client.post(url(cycle, "envelopes"), data)
    assert response.status_code == 200
    assert "Asegúrese de que este valor es menor o igual a 100" in response.content.decode()
    assert not ParishEnvelope.objects.filter(cycle=cycle).exists()


# --- tallies: the service -----------------------------------------------------------------
def record(cycle, votes, *, held_on=None, attendees=40, staff=None, existing_acta=True):
    return services.tally_record(
        cycle=cycle,
        parish=parish("calderon"),
        held_on=held_on or today(),
        votes=votes,
        attendees=attendees,
        acta=acta() if existing_acta else None,
        actor=staff or make_staff("calderon"),
    )


def test_a_tally_cannot_have_more_votes_than_attendees(voting):
    cycle, (a, b, _c) = voting
    with pytest.raises(DomainError, match="asistentes"):
        record(cycle, {a.pk: 10_000, b.pk: 3}, attendees=40)
    with pytest.raises(DomainError, match="asistentes"):
        record(cycle, {a.pk: 41}, attendees=40)
    with pytest.raises(DomainError, match="número de asistentes"):
        record(cycle, {a.pk: 1}, attendees=None)
    with pytest.raises(DomainError, match="no es verosímil"):
        record(cycle, {a.pk: 1}, attendees=INT32_MAX + 1)
    assert not AssemblyTally.objects.exists()
    # Everyone may vote for several projects: each project at most once per attendee.
    tally = record(cycle, {a.pk: 40, b.pk: 40}, attendees=40)
    assert sorted(tally.lines.values_list("votes", flat=True)) == [40, 40]


def test_under_the_approval_rule_the_total_is_bounded_by_the_choices():
    cycle = make_cycle("calderon", phase="prioritisation", rule="approval", max_choices=2)
    a, b, c = (make_request(cycle, title=f"Obra {i}") for i in range(3))
    with pytest.raises(DomainError, match="2 proyectos"):
        record(cycle, {a.pk: 10, b.pk: 10, c.pk: 1}, attendees=10)
    record(cycle, {a.pk: 10, b.pk: 10, c.pk: 0}, attendees=10)


def test_a_tally_is_dated_within_prioritisation_and_not_in_the_future(voting):
    cycle, (a, _b, _c) = voting
    phase = cycle.phase("prioritisation")
    for held_on in (
        datetime.date(1, 1, 1),
        datetime.date(9999, 12, 31),
        phase.starts_on - datetime.timedelta(days=1),
        today() + datetime.timedelta(days=1),  # still inside the phase, but not yet held
    ):
        with pytest.raises(DomainError, match="priorización"):
            record(cycle, {a.pk: 1}, held_on=held_on)
    assert not AssemblyTally.objects.exists()
    record(cycle, {a.pk: 1}, held_on=phase.starts_on)
    # During the results phase a late acta still needs a date within prioritisation.
    cycle = set_phase(cycle, "results")
    phase = cycle.phase("prioritisation")
    with pytest.raises(DomainError, match="priorización"):
        record(cycle, {a.pk: 1}, held_on=today())
    record(cycle, {a.pk: 2}, held_on=phase.ends_on, existing_acta=False)
    assert AssemblyTally.objects.get().held_on == phase.ends_on


# --- tallies: the form and the page -------------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(count=st.integers(min_value=services.MAX_ATTENDEES + 1, max_value=2**80))
def test_tally_form_refuses_huge_counts_in_spanish(count):
    option = type("Option", (), {"pk": 7, "title": "Obra"})()
    data = {"held_on": "2026-11-30", "attendees": count, "votes_7": count}
    form = TallyForm(data, {"acta": acta()}, options=[option])
    assert not form.is_valid()
    assert "menor o igual a 100000" in form.errors["attendees"][0]
    assert "menor o igual a 100000" in form.errors["votes_7"][0]


def test_tally_form_names_the_project_with_more_votes_than_attendees():
    options = [type("Option", (), {"pk": pk, "title": "Obra"})() for pk in (7, 8)]
    data = {"held_on": "2026-11-30", "attendees": 40, "votes_7": 41, "votes_8": 40}
    form = TallyForm(data, {"acta": acta()}, options=options)
    assert not form.is_valid()
    assert list(form.errors) == ["votes_7"]
    assert "asistentes (40)" in form.errors["votes_7"][0]


def test_tally_page_shows_errors_for_implausible_figures(client, voting):
    cycle, projects = voting
    mfa_login(client, make_staff("calderon"))
    base = {"parroquia": parish("calderon").pk, "held_on": today().isoformat(), "attendees": 40}
    votes = {f"votes_{p.pk}": 0 for p in projects}
    cases = [
        ({**votes, f"votes_{projects[0].pk}": 10_000}, "asistentes"),
        ({**votes, f"votes_{projects[0].pk}": 2**31}, "menor o igual"),
        ({**votes, "held_on": "0001-01-01"}, "priorización"),
        ({**votes, "held_on": "9999-12-31"}, "priorización"),
        ({**votes, "attendees": 2**40}, "menor o igual"),
    ]
    for extra, message in cases:
        response = client.post(url(cycle, "tallies"), {**base, **extra, "acta": acta()})
        assert response.status_code == 200, extra
        assert message in response.content.decode(), extra
    assert not AssemblyTally.objects.exists()
    response = client.post(
        url(cycle, "tallies"), {**base, **votes, f"votes_{projects[0].pk}": 40, "acta": acta()}
    )
    assert response.status_code == 302
    assert AssemblyTally.objects.get().attendees == 40
