"""One person, one vote across channels: the per-cycle voter key (accounts.cedula), online
ballots and booth ballots exclusive of each other, the key surviving account deletion, the
legacy keys, the cédula never stored in clear, results by kind, and a PostgreSQL race
between an online submission and a booth vote for the same person."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone, translation
from wagtail.models import PageLogEntry

from accounts.cedula import cedula_hash, cycle_voter_key
from accounts.models import Resident
from budgets import rules as budget_rules
from budgets import selectors, services
from budgets.models import AssemblyTally, Ballot, BallotLine, ResultLine
from quitodecide import rulebook
from quitodecide.errors import DomainError, PermissionDenied
from tests.budgets.builders import (
    make_cycle,
    make_request,
    make_resident,
    make_staff,
    new_cedula,
    parish,
    set_phase,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def voting(territory):
    cycle = make_cycle("calderon", total=Decimal("60000.00"), phase="prioritisation")
    projects = [
        make_request(cycle, title=f"Proyecto {i}", cost=Decimal(cost))
        for i, cost in enumerate(["30000.00", "20000.00", "10000.00"])
    ]
    return cycle, projects


def booth(cycle, staff, cedula, ids, **kwargs):
    return services.booth_vote(
        cycle=cycle, actor=staff, cedula=cedula, request_ids=ids, booth="Mesa 1", **kwargs
    )


# --- the key ----------------------------------------------------------------------------------
def test_the_voter_key_is_per_cycle_and_the_same_from_the_profile_and_the_typed_number():
    number = new_cedula()
    stored = cedula_hash(number)
    assert cycle_voter_key(stored, 7) == cycle_voter_key(
        cedula_hash(f" {number[:9]}-{number[9]}"), 7
    )
    assert cycle_voter_key(stored, 7) != cycle_voter_key(stored, 8)  # unlinkable across cycles
    assert cycle_voter_key(stored, 7) != stored
    assert len(cycle_voter_key(stored, 7)) == 64
    assert number not in cycle_voter_key(stored, 7)


def test_the_voter_key_depends_on_the_secret(settings):
    stored = cedula_hash(new_cedula())
    before = cycle_voter_key(stored, 1)
    settings.CEDULA_HASH_KEY = settings.CEDULA_HASH_KEY + "-otra"
    assert cycle_voter_key(stored, 1) != before


# --- online needs a cédula -------------------------------------------------------------------
def test_voting_online_needs_a_cedula_on_the_profile(voting):
    cycle, projects = voting
    voter = make_resident("calderon", cedula=None)
    assert not rulebook.allowed(voter, "budgets.vote", cycle)
    with translation.override("en"):
        refusal = rulebook.explain(voter, "budgets.vote", cycle)
        assert refusal.reason == "Register your cédula number in your profile to vote."
    assert refusal.url == "/cuenta/perfil/"
    with pytest.raises(PermissionDenied):
        services.ballot_submit(cycle=cycle, user=voter, request_ids=[projects[0].pk])
    assert not Ballot.objects.exists()
    # A cédula typed by the person only is not enough: a made-up number would let them
    # vote online and again at a booth with their real card (found by the hostile review).
    Resident.objects.filter(user=voter).update(cedula_hash=cedula_hash(new_cedula()))
    voter.resident.refresh_from_db()
    assert not rulebook.allowed(voter, "budgets.vote", cycle)
    with translation.override("en"):
        refusal = rulebook.explain(voter, "budgets.vote", cycle)
        assert refusal.reason.startswith("Confirm your cédula to vote online")
    assert refusal.url == "/cuenta/verificacion/"
    # Once a census match or the zone's staff confirmed it, the same resident votes.
    Resident.objects.filter(user=voter).update(cedula_confirmed_at=timezone.now())
    voter.resident.refresh_from_db()
    ballot = services.ballot_submit(cycle=cycle, user=voter, request_ids=[projects[0].pk])
    assert ballot.voter_key == cycle_voter_key(voter.resident.cedula_hash, cycle.pk)
    assert ballot.channel == Ballot.Channel.ONLINE


def test_residency_reasons_come_before_the_cedula(voting):
    cycle, _projects = voting
    unverified = make_resident("calderon", verified=False, cedula=None)
    assert rulebook.explain(unverified, "budgets.vote", cycle).kind == "verification"
    assert budget_rules.has_cedula.test(make_resident("calderon"), cycle)


# --- exclusivity -----------------------------------------------------------------------------
def test_online_then_booth_is_refused_as_already_voted_online(voting):
    cycle, projects = voting
    number = new_cedula()
    voter = make_resident("calderon", cedula=number)
    services.ballot_submit(cycle=cycle, user=voter, request_ids=[projects[0].pk])
    with translation.override("en"), pytest.raises(services.AlreadyVoted) as refused:
        booth(cycle, make_staff("calderon"), number, [projects[1].pk])
    assert refused.value.message == "This person has already voted online."
    assert Ballot.objects.count() == 1
    assert list(BallotLine.objects.values_list("request_id", flat=True)) == [projects[0].pk]


def test_booth_then_online_is_refused(voting):
    cycle, projects = voting
    number = new_cedula()
    voter = make_resident("calderon", cedula=number)
    booth(cycle, make_staff("calderon"), number, [projects[1].pk])
    with translation.override("en"), pytest.raises(services.AlreadyVoted) as refused:
        services.ballot_submit(cycle=cycle, user=voter, request_ids=[projects[0].pk])
    assert refused.value.message == (
        "A vote with this cédula has already been registered in this cycle (in person)."
    )
    assert refused.value.channel == "booth"
    assert Ballot.objects.count() == 1
    assert not Ballot.objects.filter(resident__isnull=False).exists()


def test_two_booths_cannot_register_the_same_person(voting):
    cycle, projects = voting
    number = new_cedula()
    booth(cycle, make_staff("calderon"), number, [projects[1].pk])
    with translation.override("en"), pytest.raises(services.AlreadyVoted) as refused:
        booth(cycle, make_staff("calderon"), number, [projects[2].pk])
    assert refused.value.message == "This person has already voted at this or another booth."
    assert Ballot.objects.count() == 1


def test_online_revisions_still_replace_the_same_ballot(voting):
    cycle, projects = voting
    voter = make_resident("calderon")
    first = services.ballot_submit(cycle=cycle, user=voter, request_ids=[projects[0].pk])
    second = services.ballot_submit(cycle=cycle, user=voter, request_ids=[projects[1].pk])
    assert first.pk == second.pk and second.revision == 2
    assert Ballot.objects.count() == 1
    assert list(second.lines.values_list("request_id", flat=True)) == [projects[1].pk]


def test_the_same_person_votes_again_in_another_cycle(voting, territory):
    cycle, projects = voting
    number = new_cedula()
    booth(cycle, make_staff("calderon"), number, [projects[0].pk])
    other = make_cycle("calderon", year=2027, phase="prioritisation")
    option = make_request(other, title="Otro", cost=Decimal("100.00"))
    booth(other, make_staff("calderon"), number, [option.pk])
    keys = set(Ballot.objects.values_list("voter_key", flat=True))
    assert len(keys) == 2  # one per cycle, and they do not match


def test_the_database_refuses_a_second_ballot_with_the_same_key(voting):
    from django.db import IntegrityError, transaction

    cycle, _projects = voting
    key = cycle_voter_key(cedula_hash(new_cedula()), cycle.pk)
    Ballot.objects.create(cycle=cycle, voter_key=key, channel="booth")
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(cycle=cycle, voter_key=key, channel="booth")
    with pytest.raises(IntegrityError), transaction.atomic():  # a booth ballot has a key
        Ballot.objects.create(cycle=cycle, channel="booth")


# --- booth rules -----------------------------------------------------------------------------
def test_booth_choices_follow_the_online_rule(voting):
    cycle, projects = voting
    staff = make_staff("calderon")
    with pytest.raises(DomainError):  # 30000 + 20000 + 10000 fits; add a foreign id
        booth(cycle, staff, new_cedula(), [projects[0].pk, 999_999])
    with pytest.raises(DomainError):
        booth(cycle, staff, new_cedula(), [])
    over = make_request(cycle, title="Caro", cost=Decimal("1.00"))
    with pytest.raises(DomainError):  # 60000.00 + 1.00 > 60000.00
        booth(cycle, staff, new_cedula(), [p.pk for p in projects] + [over.pk])
    with pytest.raises(DomainError):
        booth(cycle, staff, "1710034066", [projects[0].pk])  # bad check digit
    assert not Ballot.objects.exists()
    ballot = booth(cycle, staff, new_cedula(), [p.pk for p in projects])
    assert ballot.total_cost == Decimal("60000.00")
    assert (ballot.channel, ballot.resident, ballot.recorded_by, ballot.booth) == (
        "booth",
        None,
        staff,
        "Mesa 1",
    )


def test_booth_is_refused_outside_voting_and_to_other_zones(voting):
    cycle, projects = voting
    with pytest.raises(PermissionDenied):
        booth(cycle, make_staff("tumbaco"), new_cedula(), [projects[0].pk])
    with pytest.raises(PermissionDenied):
        booth(cycle, make_resident("calderon"), new_cedula(), [projects[0].pk])
    closed = set_phase(cycle, "results")
    with pytest.raises(PermissionDenied):
        booth(closed, make_staff("calderon"), new_cedula(), [projects[0].pk])
    assert not Ballot.objects.exists()


def test_with_parish_envelopes_the_booth_asks_the_parish_and_uses_its_envelope(territory):
    cycle = make_cycle("calderon", total=Decimal("1000.00"), phase="requests")
    here, there = parish("calderon", 0), parish("calderon", 1)
    amounts = {p: Decimal("0.00") for p in cycle.zone.parishes.all()}
    amounts[here], amounts[there] = Decimal("600.00"), Decimal("400.00")
    services.envelopes_set(cycle=cycle, amounts=amounts, actor=make_staff("calderon"))
    mine = make_request(cycle, parish_obj=here, title="Aquí", cost=Decimal("500.00"))
    theirs = make_request(cycle, parish_obj=there, title="Allá", cost=Decimal("300.00"))
    cycle = set_phase(cycle, "prioritisation")
    staff = make_staff("calderon")
    with pytest.raises(DomainError):  # the parish picks the ballot
        booth(cycle, staff, new_cedula(), [mine.pk])
    with pytest.raises(DomainError):  # a project of another parish's ballot
        booth(cycle, staff, new_cedula(), [theirs.pk], parish=here)
    with pytest.raises(DomainError):  # a parish of another zone
        booth(cycle, staff, new_cedula(), [mine.pk], parish=parish("tumbaco"))
    ballot = booth(cycle, staff, new_cedula(), [mine.pk], parish=here)
    assert ballot.parish == here


def test_a_parish_counts_in_person_by_booth_or_by_hand_not_both(territory, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    settings.MEDIA_ROOT = tmp_path
    cycle = make_cycle("calderon", total=Decimal("1000.00"), phase="requests")
    here, there = parish("calderon", 0), parish("calderon", 1)
    amounts = {p: Decimal("0.00") for p in cycle.zone.parishes.all()}
    amounts[here], amounts[there] = Decimal("600.00"), Decimal("400.00")
    staff = make_staff("calderon")
    services.envelopes_set(cycle=cycle, amounts=amounts, actor=staff)
    mine = make_request(cycle, parish_obj=here, title="Aquí", cost=Decimal("500.00"))
    theirs = make_request(cycle, parish_obj=there, title="Allá", cost=Decimal("300.00"))
    cycle = set_phase(cycle, "prioritisation")
    booth(cycle, staff, new_cedula(), [mine.pk], parish=here)

    def tally(where, project):
        return services.tally_record(
            cycle=cycle,
            parish=where,
            held_on=timezone.localdate(),
            attendees=10,
            votes={project.pk: 3},
            actor=staff,
            acta=SimpleUploadedFile("acta.pdf", b"%PDF-1.4 acta", content_type="application/pdf"),
        )

    with pytest.raises(DomainError):
        tally(here, mine)
    assert not AssemblyTally.objects.filter(parish=here).exists()
    tally(there, theirs)  # a parish without booth ballots counts by hand as before
    with pytest.raises(DomainError):
        booth(cycle, staff, new_cedula(), [theirs.pk], parish=there)
    assert Ballot.objects.count() == 1


# --- deletion --------------------------------------------------------------------------------
def test_a_deleted_then_re_registered_person_cannot_vote_twice(voting):
    cycle, projects = voting
    number = new_cedula()
    voter = make_resident("calderon", cedula=number)
    services.ballot_submit(cycle=cycle, user=voter, request_ids=[projects[0].pk])
    counts_before = selectors.vote_counts(cycle)
    voter.delete()  # the account goes; its ballot stays counted, without the resident
    ballot = Ballot.objects.get()
    assert ballot.resident is None and ballot.voter_key
    assert {k: (v["online"], v["booth"], v["assembly"]) for k, v in counts_before.items()} == {
        k: (v["online"], v["booth"], v["assembly"]) for k, v in selectors.vote_counts(cycle).items()
    }
    again = make_resident("calderon", cedula=number)  # the same person signs up again
    with translation.override("en"), pytest.raises(services.AlreadyVoted) as refused:
        services.ballot_submit(cycle=cycle, user=again, request_ids=[projects[1].pk])
    assert (
        refused.value.message
        == "A vote with this cédula has already been registered in this cycle."
    )
    with pytest.raises(services.AlreadyVoted):
        booth(cycle, make_staff("calderon"), number, [projects[1].pk])
    assert Ballot.objects.count() == 1


def test_results_by_kind_and_unchanged_by_deleting_a_voter(voting, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    settings.MEDIA_ROOT = tmp_path
    cycle, projects = voting
    staff = make_staff("calderon")
    online_voter = make_resident("calderon")
    services.ballot_submit(cycle=cycle, user=online_voter, request_ids=[projects[0].pk])
    services.ballot_submit(
        cycle=cycle, user=make_resident("calderon"), request_ids=[projects[0].pk, projects[2].pk]
    )
    booth(cycle, staff, new_cedula(), [projects[0].pk])
    booth(cycle, staff, new_cedula(), [projects[1].pk])
    services.tally_record(
        cycle=cycle,
        parish=parish("calderon"),
        held_on=timezone.localdate(),
        attendees=20,
        votes={projects[1].pk: 5},
        actor=staff,
        acta=SimpleUploadedFile("acta.pdf", b"%PDF-1.4 acta", content_type="application/pdf"),
    )
    cycle = set_phase(cycle, "results")

    def published():
        services.results_publish(cycle=cycle, actor=staff)
        return {
            line.request_id: (line.online_votes, line.booth_votes, line.assembly_votes, line.votes)
            for line in ResultLine.objects.filter(result__cycle=cycle)
        }

    before = published()
    assert before == {
        projects[0].pk: (2, 1, 0, 3),
        projects[1].pk: (0, 1, 5, 6),
        projects[2].pk: (1, 0, 0, 1),
    }
    online_voter.delete()
    assert published() == before


# --- the clear number is nowhere ---------------------------------------------------------------
def test_the_cedula_is_never_stored_nor_audited(voting):
    cycle, projects = voting
    staff = make_staff("calderon")
    at_booth, online = new_cedula(), new_cedula()
    booth(cycle, staff, at_booth, [projects[0].pk])
    services.ballot_submit(
        cycle=cycle, user=make_resident("calderon", cedula=online), request_ids=[projects[1].pk]
    )
    with pytest.raises(services.AlreadyVoted):
        booth(cycle, staff, online, [projects[1].pk])
    entry = PageLogEntry.objects.get(action="budgets.booth_vote")
    assert entry.data == {"cycle": cycle.pk, "booth": "Mesa 1"}
    keys = set(Ballot.objects.values_list("voter_key", flat=True))
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            for column in connection.introspection.get_table_description(cursor, table):
                quoted_table = connection.ops.quote_name(table)
                quoted_column = connection.ops.quote_name(column.name)
                for secret in (at_booth, online, *(cedula_hash(n) for n in (at_booth,))):
                    cursor.execute(
                        f"SELECT COUNT(*) FROM {quoted_table} "  # noqa: S608 - introspected names
                        f"WHERE CAST({quoted_column} AS TEXT) LIKE %s",
                        [f"%{secret}%"],
                    )
                    assert cursor.fetchone()[0] == 0, f"found in {table}.{column.name}"
                if table != "budgets_ballot":  # the keys live only on the ballots
                    for key in keys:
                        cursor.execute(
                            f"SELECT COUNT(*) FROM {quoted_table} "  # noqa: S608
                            f"WHERE CAST({quoted_column} AS TEXT) LIKE %s",
                            [f"%{key}%"],
                        )
                        assert cursor.fetchone()[0] == 0, f"key found in {table}.{column.name}"


# --- ballots from before the keys ------------------------------------------------------------
def test_the_data_migration_gives_existing_ballots_their_key(voting):
    cycle, _projects = voting
    with_cedula = make_resident("calderon")
    without = make_resident("calderon", cedula=None)
    for user in (with_cedula, without):
        Ballot.objects.create(cycle=cycle, resident=user.resident, revision=1)
    migration = importlib.import_module("budgets.migrations.0005_fill_ballot_voter_keys")
    migration.fill_voter_keys(apps, None)
    keys = dict(Ballot.objects.values_list("resident__user", "voter_key"))
    assert keys[with_cedula.pk] == cycle_voter_key(with_cedula.resident.cedula_hash, cycle.pk)
    assert keys[without.pk] is None
    assert settings.CEDULA_HASH_KEY


def test_a_legacy_ballot_takes_its_key_when_revised(voting):
    cycle, projects = voting
    number = new_cedula()
    voter = make_resident("calderon", cedula=number)
    legacy = Ballot.objects.create(cycle=cycle, resident=voter.resident, revision=1)
    services.ballot_submit(cycle=cycle, user=voter, request_ids=[projects[2].pk])
    legacy.refresh_from_db()
    assert legacy.voter_key == cycle_voter_key(cedula_hash(number), cycle.pk)
    assert legacy.revision == 2
    with pytest.raises(services.AlreadyVoted):
        booth(cycle, make_staff("calderon"), number, [projects[0].pk])


# --- the race, on PostgreSQL -----------------------------------------------------------------
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="needs PostgreSQL (DATABASE_URL): SQLite serialises writers and its in-memory "
    "test database cannot be shared by the threads' connections, so nothing would race",
)
@pytest.mark.django_db(transaction=True)
def test_online_and_booth_at_the_same_moment_give_exactly_one_vote():
    from territory.services import territory_load
    from tests.budgets.builders import wagtail_base
    from tests.budgets.test_budget_concurrency import run_together

    wagtail_base()  # transactional tests start from an empty database
    territory_load()
    cycle = make_cycle("calderon", total=Decimal("60000.00"), phase="prioritisation")
    first = make_request(cycle, title="Proyecto A", cost=Decimal("10000.00"))
    second = make_request(cycle, title="Proyecto B", cost=Decimal("10000.00"))
    staff = make_staff("calderon")
    for run in range(10):
        number = new_cedula()
        voter = make_resident("calderon", cedula=number)
        key = cycle_voter_key(cedula_hash(number), cycle.pk)
        outcomes = run_together(
            [
                lambda voter=voter: services.ballot_submit(
                    cycle=cycle, user=voter, request_ids=[first.pk]
                ),
                lambda number=number: services.booth_vote(
                    cycle=cycle, actor=staff, cedula=number, request_ids=[second.pk], booth="M"
                ),
            ]
        )
        assert Ballot.objects.filter(cycle=cycle, voter_key=key).count() == 1, run
        won = [o for o in outcomes if isinstance(o, Ballot)]
        lost = [o for o in outcomes if not isinstance(o, Ballot)]
        assert len(won) == 1 and len(lost) == 1, outcomes
        assert isinstance(lost[0], services.AlreadyVoted), repr(lost[0])
        ballot = Ballot.objects.get(cycle=cycle, voter_key=key)
        assert ballot.channel == won[0].channel
        assert ballot.lines.count() == 1


# --- found by the hostile review: the cédula is the voter key, so it is frozen ---------------
def test_a_voter_cannot_swap_cedulas_to_vote_again_at_a_booth(voting):
    """Vote online with A, replace A by B on the profile, revise the ballot, then vote at a
    booth with A: the profile refuses the swap, so the booth says "ya votó en línea"."""
    from accounts import services as account_services

    cycle, projects = voting
    first, other = new_cedula(), new_cedula()
    voter = make_resident("calderon", cedula=first)
    services.ballot_submit(cycle=cycle, user=voter, request_ids=[projects[0].pk])
    resident = voter.resident
    with pytest.raises(Exception) as refused:
        account_services.resident_update_profile(
            resident=resident,
            display_name=resident.display_name,
            zone=resident.zone,
            parish=resident.parish,
            cedula=other,
        )
    assert "cedula" in refused.value.message_dict
    resident.refresh_from_db()
    assert resident.cedula_hash == cedula_hash(first)
    with pytest.raises(services.AlreadyVoted):
        booth(cycle, make_staff("calderon"), first, [projects[1].pk])
    assert Ballot.objects.filter(cycle=cycle).count() == 1


def test_an_unverified_resident_who_never_voted_can_still_correct_a_typo(territory):
    from accounts import services as account_services

    voter = make_resident("calderon", verified=False)
    resident = voter.resident
    corrected = new_cedula()
    account_services.resident_update_profile(
        resident=resident,
        display_name=resident.display_name,
        zone=resident.zone,
        parish=resident.parish,
        cedula=corrected,
    )
    resident.refresh_from_db()
    assert resident.cedula_hash == cedula_hash(corrected)


def test_a_ballot_is_never_rekeyed_to_another_cedula(voting):
    """Even if the profile's cédula changed behind the service's back (staff correction),
    the ballot keeps the key it was cast with and the revision is refused."""
    cycle, projects = voting
    voter = make_resident("calderon")
    ballot = services.ballot_submit(cycle=cycle, user=voter, request_ids=[projects[0].pk])
    key = ballot.voter_key
    Resident.objects.filter(user=voter).update(cedula_hash=cedula_hash(new_cedula()))
    voter.refresh_from_db()
    with pytest.raises(services.AlreadyVoted):
        services.ballot_submit(
            cycle=cycle, user=type(voter).objects.get(pk=voter.pk), request_ids=[projects[1].pk]
        )
    assert Ballot.objects.get(pk=ballot.pk).voter_key == key


def test_a_cedula_used_at_a_booth_is_frozen_even_after_the_verification_ends(voting):
    """Found by the hostile review: booth vote with X, move parish (verification ends),
    switch the profile to Y, get verified again, vote online: two votes."""
    from accounts import services as account_services

    cycle, projects = voting
    number = new_cedula()
    voter = make_resident("calderon", cedula=number)
    booth(cycle, make_staff("calderon"), number, [projects[0].pk])
    resident = voter.resident
    Resident.objects.filter(pk=resident.pk).update(
        verification_status="unverified", verified_at=None
    )
    resident.refresh_from_db()
    with pytest.raises(Exception) as refused:
        account_services.resident_update_profile(
            resident=resident,
            display_name=resident.display_name,
            zone=resident.zone,
            parish=resident.parish,
            cedula=new_cedula(),
        )
    assert "cedula" in refused.value.message_dict
    assert Resident.objects.get(pk=resident.pk).cedula_hash == cedula_hash(number)


def test_registering_a_cedula_keys_an_old_ballot_or_is_refused_if_it_voted_at_a_booth(voting):
    """Ballots from before voter keys: registering the cédula afterwards gives them its key;
    if that key already voted at a booth in the cycle, the registration is refused."""
    from accounts import services as account_services

    cycle, projects = voting
    voter = make_resident("calderon", cedula=None, verified=False)
    resident = voter.resident
    legacy = Ballot.objects.create(cycle=cycle, resident=resident, channel="online")
    number = new_cedula()
    booth(cycle, make_staff("calderon"), number, [projects[0].pk])

    def register(cedula):
        account_services.resident_update_profile(
            resident=Resident.objects.get(pk=resident.pk),
            display_name=resident.display_name,
            zone=resident.zone,
            parish=resident.parish,
            cedula=cedula,
        )

    with pytest.raises(Exception) as refused:
        register(number)
    assert "cedula" in refused.value.message_dict
    assert Ballot.objects.get(pk=legacy.pk).voter_key is None
    other = new_cedula()
    register(other)
    assert Ballot.objects.get(pk=legacy.pk).voter_key == cycle_voter_key(
        cedula_hash(other), cycle.pk
    )
