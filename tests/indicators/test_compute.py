"""The indicators of a small history with known numbers (tests/indicators/builders.py):
every value is asserted exactly, for a zone, the other zone and the whole city."""

import pytest

from indicators import definitions as d
from indicators import selectors
from indicators.compute import compute

from .builders import A, B, build_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(territory):
    return build_history()


def value(rows, indicator, year, *, zone=None, parish=None, category=None):
    found = [
        row["value"]
        for row in rows
        if row["indicator"] == indicator
        and row["year"] == year
        and row["zone"] == zone
        and row["parish"] == parish
        and row["category"] == category
    ]
    assert len(found) <= 1, found
    return found[0] if found else None


# (indicator, category, zone, year): expected value. Worked out from the builder's story.
EXPECTED = {
    (d.CONSULTATIONS, None, A, 2022): 1,  # X
    (d.CONSULTATIONS, None, A, 2021): 0,
    (d.CONSULTATIONS, None, None, 2022): 1,
    (d.CONSULTATIONS, None, None, 2021): 1,  # Y is city-wide: the city only
    (d.COMMENTS, None, A, 2022): 4,  # r1 x2, r2, r3; the deleted one and the official one not
    (d.COMMENTS, None, B, 2022): 0,  # r3 lives in B but commented on A's consultation
    (d.COMMENTS, None, None, 2022): 4,
    (d.COMMENTS, None, None, 2021): 1,  # r1 on Y's general discussion
    (d.OBSERVATIONS, None, A, 2022): 3,
    (d.OBSERVATIONS, None, None, 2022): 3,
    (d.OBSERVATIONS, None, None, 2021): 1,  # Y's session (city-wide consultation)
    (d.OBSERVATIONS, None, B, 2021): 0,
    (d.PARTICIPANTS, None, A, 2022): 3,  # r1, r2, r3 (comments and the assembly)
    (d.PARTICIPANTS, None, B, 2022): 1,  # r3 (request and ballot)
    (d.PARTICIPANTS, None, None, 2022): 3,  # distinct over the city, not 3 + 1
    (d.PARTICIPANTS, None, None, 2021): 1,  # r1
    (d.ASSEMBLIES, "barrial", A, 2021): 2,
    (d.ASSEMBLIES, "zonal", A, 2021): 1,
    (d.ASSEMBLIES, "barrial", A, 2022): 3,  # the scheduled one is not held
    (d.ASSEMBLIES, "parroquial", A, 2022): 1,
    (d.ASSEMBLIES, "barrial", B, 2022): 1,
    (d.ASSEMBLIES, "barrial", None, 2022): 4,
    (d.ASSEMBLIES, "barrial", None, 2021): 2,
    (d.ASSEMBLIES, "quito", None, 2022): 0,
    (d.ATTENDANCE, "barrial", A, 2022): 23,  # r1, r2 voted, r3 asked (3) + room 12 + 8
    (d.ATTENDANCE, "parroquial", A, 2022): 0,
    (d.ATTENDANCE, "barrial", None, 2022): 23,
    (d.REQUESTS, None, A, 2022): 5,
    (d.REQUESTS, None, B, 2022): 1,
    (d.REQUESTS, None, None, 2022): 6,
    (d.VOTES, d.VOTES_ONLINE, A, 2022): 2,
    (d.VOTES, d.VOTES_ONLINE, B, 2022): 1,
    (d.VOTES, d.VOTES_ONLINE, None, 2022): 3,
    (d.VOTES, d.VOTES_ASSEMBLY, A, 2022): 15,  # 10 + 5 counted by hand in A4's assembly
    (d.VOTES, d.VOTES_ASSEMBLY, None, 2022): 15,
    (d.PER_THOUSAND, None, A, 2022): 0.67,  # r1, r2 in A0 / (2000 + 1000) known inhabitants
    (d.PER_THOUSAND, None, None, 2022): 0.67,
    (d.PER_THOUSAND, None, A, 2021): 0.33,  # r1 / 3000
    (d.NO_PARTICIPATION, None, A, 2022): 4,  # A0-A4 active; A5-A8 not
    (d.NO_PARTICIPATION, None, B, 2022): 1,  # B1
    (d.NO_PARTICIPATION, None, None, 2022): 59,  # 65 parishes, 6 active
    (d.NO_PARTICIPATION, None, A, 2021): 8,  # only A0 (r1, and an assembly there)
    (d.NO_PARTICIPATION, None, B, 2021): 1,  # B1 had Y's session; B0 nothing
    (d.WORKS, "en_ejecucion", A, 2022): 2,
    (d.WORKS, "finalizada", A, 2022): 1,
    (d.WORKS, "cancelada", A, 2022): 1,
    (d.WORKS, "planificada", A, 2022): 0,
    (d.WORKS, "planificada", B, 2022): 1,
    (d.WORKS, "en_ejecucion", None, 2022): 2,
    (d.PROGRESS, None, A, 2022): 53.33,  # (30 + 30 + 100) / 3, the cancelled one left out
    (d.PROGRESS, None, B, 2022): 0.0,
    (d.PROGRESS, None, None, 2022): 40.0,  # (30 + 30 + 100 + 0) / 4: not the mean of zones
}


def test_every_expected_value(history):
    rows = compute()["rows"]
    wrong = {
        key: value(rows, key[0], key[3], zone=key[2], category=key[1])
        for key, expected in EXPECTED.items()
        if value(rows, key[0], key[3], zone=key[2], category=key[1]) != expected
    }
    assert wrong == {}


def test_per_thousand_per_parish(history):
    a0, a1 = history["A"][0].dpa_code, history["A"][1].dpa_code
    rows = compute()["rows"]
    assert value(rows, d.PER_THOUSAND, 2022, zone=A, parish=a0) == 1.0  # 2 / 2000
    assert value(rows, d.PER_THOUSAND, 2022, zone=A, parish=a1) == 0.0
    assert value(rows, d.PER_THOUSAND, 2021, zone=A, parish=a0) == 0.5  # 1 / 2000
    # B's population is not known: no figure rather than a made-up one.
    assert value(rows, d.PER_THOUSAND, 2022, zone=B) is None
    parish_rows = [row for row in rows if row["indicator"] == d.PER_THOUSAND and row["parish"]]
    assert {row["parish"] for row in parish_rows} == {a0, a1}


def test_parishes_without_participation_are_listed(history):
    inactive = compute()["inactive"]
    a, b = history["A"], history["B"]
    quiet_2022 = set(inactive[2022])
    assert {p.dpa_code for p in a[5:]} | {b[1].dpa_code} <= quiet_2022
    assert not {p.dpa_code for p in a[:5]} & quiet_2022
    assert b[0].dpa_code not in quiet_2022
    assert a[0].dpa_code not in inactive[2021] and b[1].dpa_code not in inactive[2021]
    assert {p.dpa_code for p in a[1:]} <= set(inactive[2021])


def test_indicator_rows_filters_and_shape(history):
    rows = selectors.indicator_rows(zone_slug=A, year=2022)
    assert rows and {row["zone"] for row in rows} == {A}
    assert {row["year"] for row in rows} == {2022}
    assert set(rows[0]) == {"indicator", "zone", "parish", "year", "category", "value", "unit"}
    units = {row["indicator"]: row["unit"] for row in rows}
    assert units[d.PROGRESS] == "percent" and units[d.ASSEMBLIES] == "assemblies"
    city = [row for row in selectors.indicator_rows(year=2021) if row["zone"] is None]
    assert value(city, d.COMMENTS, 2021) == 1
    assert selectors.indicator_rows(zone_slug="no-such-zone") == []
    assert selectors.indicator_rows(year=1990) == []


def test_methodologies_cover_every_indicator(territory):
    sheets = selectors.methodologies()
    assert [sheet["slug"] for sheet in sheets] == [i.slug for i in d.INDICATORS]
    fields = {"slug", "name", "definition", "formula", "source", "unit", "breakdowns"}
    fields |= {"periodicity", "responsible"}
    for sheet in sheets:
        assert set(sheet) == fields
        assert all(isinstance(sheet[name], str) and sheet[name] for name in fields - {"breakdowns"})
        assert sheet["breakdowns"] and all(isinstance(b, str) for b in sheet["breakdowns"])


def test_a_fixed_number_of_queries_whatever_the_data(territory):
    """The same queries for an empty history and a full one (grouped in the database)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as empty:
        compute()
    build_history()
    with CaptureQueriesContext(connection) as full:
        compute()
    assert len(full.captured_queries) == len(empty.captured_queries)


def test_recorded_attendance_replaces_the_estimate(history):
    """Staff record the attendance sheet's number on the assembly page: it counts instead of
    the online-plus-room estimate; assemblies without it keep the estimate."""
    from assemblies.models import AssemblyPage

    # The 2022 barrial estimate of zone A (23) all comes from the busy assembly's votes,
    # question and room counts; the other barrial assemblies of 2022 estimate 0.
    AssemblyPage.objects.filter(pk=history["busy"].pk).update(attendees=140)
    rows = compute()["rows"]
    assert value(rows, d.ATTENDANCE, 2022, zone=A, category="barrial") == 140
    assert value(rows, d.ATTENDANCE, 2022, zone=A, category="parroquial") == 0


def test_booth_ballots_are_their_own_channel_and_ballots_without_a_resident_no_participant(
    history,
):
    """A booth ballot (no resident) counts as a booth vote, not an online one; a deleted
    account's ballot (resident NULL) still counts as an online vote. Neither is a
    participant: two booth voters and a deleted account are not one `None` person."""
    from budgets.models import Ballot, BudgetCyclePage

    cycle_b = BudgetCyclePage.objects.get(zone__slug=B, year=2022)
    before = compute()["rows"]
    for n in range(2):
        Ballot.objects.create(
            cycle=cycle_b, resident=None, channel="booth", voter_key=f"mesa-{n}", revision=1
        )
    Ballot.objects.create(cycle=cycle_b, resident=None, voter_key="eliminada", revision=1)
    rows = compute()["rows"]
    assert value(rows, d.VOTES, 2022, zone=B, category=d.VOTES_ONLINE) == 2  # r3 + deleted
    assert value(rows, d.VOTES, 2022, zone=B, category=d.VOTES_BOOTH) == 2
    assert value(rows, d.VOTES, 2022, category=d.VOTES_BOOTH) == 2
    assert value(rows, d.VOTES, 2022, category=d.VOTES_ONLINE) == 4
    assert value(rows, d.VOTES, 2022, zone=A, category=d.VOTES_BOOTH) == 0
    for zone in (B, None):
        assert value(rows, d.PARTICIPANTS, 2022, zone=zone) == value(
            before, d.PARTICIPANTS, 2022, zone=zone
        )
    assert value(rows, d.PARTICIPANTS, 2022, zone=B) == 1  # r3 only
    assert d.VOTES_BOOTH in d.category_labels()[d.VOTES]
