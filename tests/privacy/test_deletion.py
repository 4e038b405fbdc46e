"""Deleting one's account: the request with the password, the e-mailed link (GET shows,
POST confirms; bad, expired or someone else's links change nothing), the grace period and
its cancellation, the frozen participation meanwhile, the daily purge (due and
never-confirmed accounts; idempotent), and the anonymisation: public pages say
"Anonymous participant" and never the name or e-mail, every count and result unchanged,
nothing personal left (rows, files, sessions, audit labels)."""

import datetime
import io
import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core import signing
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import models
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from wagtail.models import ModelLogEntry

from accounts.models import Consent, Resident
from assemblies import selectors as assembly_selectors
from assemblies.models import Ballot as PollBallot
from assemblies.models import Poll, PollOption, Question, QuestionUpvote
from consultations.models import Provision
from discussions.models import Comment, Flag, Support, Thread
from discussions.services import thread_recount
from privacy import deletion
from privacy.models import AccountDeletion, DataExport, DeletionRecord
from proposals.models import Support as RequestSupport
from quitodecide import rulebook
from territory.models import Zone, ZonePage
from territory.services import zone_group_name
from tests.assemblies.conftest import make_assembly
from tests.budgets.builders import make_cycle, make_request
from tests.consultations.helpers import make_consultation
from tests.factories import PASSWORD, ResidentFactory, UserFactory
from tests.works.builders import make_work
from works.models import Follow, Observation
from works.status import WorkStatus

pytestmark = pytest.mark.django_db

NAME = "Rosa Quishpe Tituaña"
EMAIL = "rosa.quishpe@example.ec"
MY_DATA = "/cuenta/mis-datos/"
ASK = "/cuenta/mis-datos/eliminar/"
CANCEL = "/cuenta/mis-datos/eliminar/cancelar/"
LINK = re.compile(r"http://testserver(/cuenta/mis-datos/eliminar/confirmar/[^/\s]+/)")


def verified(zone_slug="calderon", **extra):
    zone = Zone.objects.get(slug=zone_slug)
    return ResidentFactory(
        zone=zone,
        parish=zone.parishes.order_by("name").first(),
        verification_status="verified",
        verified_at=timezone.now(),
        **extra,
    ).user


@pytest.fixture
def person(territory):
    return verified(user__email=EMAIL, display_name=NAME)


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def ask(client, user, mailoutbox, capture):
    client.force_login(user)
    with capture(execute=True):
        response = client.post(ASK, {"password": PASSWORD})
    assert response.status_code == 302
    return LINK.search(mailoutbox[-1].body).group(1)


def schedule(client, user, mailoutbox, capture):
    link = ask(client, user, mailoutbox, capture)
    with capture(execute=True):
        assert client.post(link).status_code == 302
    return AccountDeletion.objects.get(user=user)


# --- The flow -----------------------------------------------------------------------------


def test_request_email_confirm_schedules_the_deletion(
    english, person, mailoutbox, django_capture_on_commit_callbacks
):
    client = english
    client.force_login(person)
    page = client.get(MY_DATA).content.decode()
    assert "Delete my account" in page and 'name="password"' in page
    assert client.get(ASK).status_code == 200  # the form on its own page: changes nothing
    assert not AccountDeletion.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(ASK, {"password": "not-the-password"})
    assert refused.status_code == 400
    assert "The password is not correct." in refused.content.decode()
    assert not AccountDeletion.objects.exists() and not mailoutbox

    link = ask(client, person, mailoutbox, django_capture_on_commit_callbacks)
    deletion_row = AccountDeletion.objects.get(user=person)
    assert deletion_row.status == AccountDeletion.Status.AWAITING_CONFIRMATION
    (message,) = mailoutbox
    assert message.to == [EMAIL]
    assert "We sent you an e-mail" in client.get(MY_DATA).content.decode()

    shown = client.get(link)  # GET shows the confirmation; nothing changes
    assert shown.status_code == 200 and "<form" in shown.content.decode()
    assert AccountDeletion.objects.get(user=person).status == "awaiting"

    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link)
    assert response.status_code == 302 and response["Location"] == MY_DATA
    deletion_row.refresh_from_db()
    assert deletion_row.status == AccountDeletion.Status.SCHEDULED
    grace = datetime.timedelta(days=settings.ACCOUNT_DELETION_GRACE_DAYS)
    assert before + grace <= deletion_row.due_at <= timezone.now() + grace
    assert deletion_row.confirmed_at is not None
    assert len(mailoutbox) == 2
    assert timezone.localtime(deletion_row.due_at).strftime("%d/%m/%Y") in mailoutbox[1].body
    assert "/cuenta/mis-datos/" in mailoutbox[1].body
    page = client.get(MY_DATA).content.decode()
    assert "Cancel the deletion" in page
    assert 'name="password"' not in page  # no second request while one is scheduled
    # The link is spent: it cannot confirm again.
    assert client.post(link).status_code == 400


def test_the_emails_are_in_spanish(person, client, mailoutbox, django_capture_on_commit_callbacks):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the browser's language is not used
    schedule(client, person, mailoutbox, django_capture_on_commit_callbacks)
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        from django.utils.translation import gettext

        expected = gettext("Confirm the deletion of your account")
    assert mailoutbox[0].subject == expected


def test_bad_links_change_nothing(english, person, mailoutbox, django_capture_on_commit_callbacks):
    client = english
    link = ask(client, person, mailoutbox, django_capture_on_commit_callbacks)
    token = link.rsplit("/", 2)[1]
    base = "/cuenta/mis-datos/eliminar/confirmar/"
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (tampered, "x", "a:b:c", token + "x"):
        for method in (client.get, client.post):
            response = method(f"{base}{bad}/")
            assert response.status_code == 400, bad
            assert "This link is not valid" in response.content.decode()
    # Someone else's link, followed while logged in as another account.
    other = verified()
    client.force_login(other)
    for method in (client.get, client.post):
        response = method(link)
        assert response.status_code == 400
        assert "belongs to another account" in response.content.decode()
    # An expired one.
    client.force_login(person)
    later = timezone.now() + deletion.TOKEN_MAX_AGE + datetime.timedelta(minutes=1)
    import time

    real_time = time.time
    try:
        time.time = lambda: later.timestamp()
        response = client.post(link)
    finally:
        time.time = real_time
    assert response.status_code == 400 and "expired" in response.content.decode()
    # A replaced request: the first link no longer works once a new one was asked.
    second = ask(client, person, mailoutbox, django_capture_on_commit_callbacks)
    assert second != link
    assert client.post(link).status_code == 400
    assert AccountDeletion.objects.get(user=person).status == "awaiting"
    # Logged out: sent to log in, nothing changes.
    client.logout()
    response = client.post(second)
    assert response.status_code == 302 and "/cuenta/login/" in response["Location"]
    assert AccountDeletion.objects.get(user=person).status == "awaiting"


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(noise=st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789-_:", max_size=80))
def test_no_forged_token_confirms(person, noise):
    AccountDeletion.objects.update_or_create(
        user=person, defaults={"status": "awaiting", "requested_at": timezone.now()}
    )
    genuine = deletion.confirmation_token(AccountDeletion.objects.get(user=person))
    forged = {noise, genuine[: len(genuine) // 2] + noise, noise + genuine}
    forged.discard(genuine)
    for token in forged:
        with pytest.raises(deletion.DomainError):
            deletion.deletion_for_token(person, token)
    # Signed with the right key but for another account or another request: refused too.
    for payload in ({"u": person.pk + 1, "r": "x"}, {"u": person.pk, "r": noise}, noise):
        token = signing.dumps(payload, salt=deletion.TOKEN_SALT)
        with pytest.raises(deletion.DomainError):
            deletion.deletion_for_token(person, token)
    assert AccountDeletion.objects.get(user=person).status == "awaiting"


def test_cancel_during_the_grace_period(
    english, person, mailoutbox, django_capture_on_commit_callbacks
):
    client = english
    schedule(client, person, mailoutbox, django_capture_on_commit_callbacks)
    assert client.get(CANCEL).status_code == 405  # only a POST cancels
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CANCEL)
    assert response.status_code == 302
    row = AccountDeletion.objects.get(user=person)
    assert row.status == AccountDeletion.Status.CANCELLED and row.due_at is None
    assert len(mailoutbox) == 3 and mailoutbox[2].to == [EMAIL]
    call_command("purge_accounts", stdout=io.StringIO())
    assert get_user_model().objects.filter(pk=person.pk).exists()
    # Cancelling twice says so, changes nothing.
    client.post(CANCEL)
    assert AccountDeletion.objects.get(user=person).cancelled_at == row.cancelled_at
    # A new request is possible afterwards.
    ask(client, person, mailoutbox, django_capture_on_commit_callbacks)
    assert AccountDeletion.objects.get(user=person).status == "awaiting"


def test_participation_is_frozen_during_the_grace_period(
    client, person, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = make_consultation()
    thread = Provision.objects.get(version__consultation=consultation, key="art-1").thread
    comment = Comment.objects.create(thread=thread, author=verified(), body="Hola")
    assert rulebook.allowed(person, "discussions.support", comment)
    schedule(client, person, mailoutbox, django_capture_on_commit_callbacks)
    person = get_user_model().objects.get(pk=person.pk)
    assert not rulebook.allowed(person, "discussions.support", comment)
    refusal = rulebook.explain(person, "discussions.support", comment)
    assert refusal.url == MY_DATA
    assert client.get(MY_DATA).status_code == 200  # still logs in and reads
    client.post(CANCEL)
    person = get_user_model().objects.get(pk=person.pk)
    assert rulebook.allowed(person, "discussions.support", comment)


# --- The purge ----------------------------------------------------------------------------


def purge(now=None):
    return deletion.purge(now)


def test_purge_deletes_only_what_is_due(
    client, person, mailoutbox, django_capture_on_commit_callbacks
):
    row = schedule(client, person, mailoutbox, django_capture_on_commit_callbacks)
    assert purge(row.due_at - datetime.timedelta(minutes=1))["requested"] == 0
    assert get_user_model().objects.filter(pk=person.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = purge(row.due_at + datetime.timedelta(seconds=1))
    assert done["requested"] == 1
    assert not get_user_model().objects.filter(pk=person.pk).exists()
    assert mailoutbox[-1].to == [EMAIL]  # the last e-mail: the account is gone
    record = DeletionRecord.objects.get()
    assert record.reason == "request" and record.requested_at == row.requested_at
    # Idempotent: nothing more to do.
    assert purge(row.due_at + datetime.timedelta(days=1)) == {
        "requested": 0,
        "unconfirmed": 0,
        "exports": 0,
    }
    assert DeletionRecord.objects.count() == 1


def test_unconfirmed_accounts_go_after_30_days(territory):
    now = timezone.now()
    days = datetime.timedelta(days=settings.UNCONFIRMED_ACCOUNT_DAYS)
    User = get_user_model()

    def joined(delta, **extra):
        user = UserFactory(**extra)
        User.objects.filter(pk=user.pk).update(date_joined=now - delta)
        return user

    old_unconfirmed = joined(days + datetime.timedelta(hours=1), verified_email=False)
    old_no_address = joined(days + datetime.timedelta(days=3), verified_email=False)
    EmailAddress.objects.filter(user=old_no_address).delete()
    recent_unconfirmed = joined(days - datetime.timedelta(hours=1), verified_email=False)
    old_confirmed = joined(days * 3)
    old_staff = joined(days * 3, verified_email=False, is_staff=True)
    # Zone staff are group members (is_staff unset): created in the admin, never confirmed.
    old_zone_staff = joined(days * 3, verified_email=False)
    old_zone_staff.groups.add(Group.objects.get(name=zone_group_name(Zone.objects.first())))
    # One who somehow wrote a comment: it stays, anonymised.
    thread = Thread.objects.create(title="Hilo")
    kept = Comment.objects.create(thread=thread, author=old_unconfirmed, body="Algo")

    call_command("purge_accounts", stdout=io.StringIO())
    remaining = set(User.objects.values_list("pk", flat=True))
    assert old_unconfirmed.pk not in remaining and old_no_address.pk not in remaining
    assert {recent_unconfirmed.pk, old_confirmed.pk, old_staff.pk, old_zone_staff.pk} <= remaining
    kept.refresh_from_db()
    assert kept.author_id is None and kept.body == "Algo"
    assert sorted(DeletionRecord.objects.values_list("reason", flat=True)) == [
        "unconfirmed",
        "unconfirmed",
    ]
    # Idempotent.
    call_command("purge_accounts", stdout=io.StringIO())
    assert set(User.objects.values_list("pk", flat=True)) == remaining
    assert DeletionRecord.objects.count() == 2


def test_the_command_calls_the_exports_purge_when_there_is_one(monkeypatch, db):
    from privacy import exports

    seen = []
    monkeypatch.setattr(exports, "purge_expired", lambda now: seen.append(now) or 3, raising=False)
    assert purge()["exports"] == 3 and len(seen) == 1


# --- Anonymisation ------------------------------------------------------------------------


@pytest.fixture
def world(person, tmp_path):
    """The person takes part everywhere, and others answer and support them."""
    others = [verified() for _ in range(3)]
    consultation = make_consultation()
    thread = Provision.objects.filter(version__consultation=consultation, key="art-1").get().thread
    mine = Comment.objects.create(thread=thread, author=person, body="Propongo paridad")
    theirs = Comment.objects.create(thread=thread, author=others[0], body="Yo no")
    Comment.objects.create(
        thread=thread, author=others[1], body="Respuesta a Rosa", parent=mine, depth=2
    )
    Comment.objects.create(
        thread=thread, author=person, body="Mi respuesta", parent=theirs, depth=2
    )
    for user, comment in ((others[0], mine), (others[1], mine), (person, theirs)):
        Support.objects.create(user=user, comment=comment)
        Comment.objects.filter(pk=comment.pk).update(support_count=models.F("support_count") + 1)
    Flag.objects.create(user=person, comment=theirs, reason="spam")
    thread_recount(thread=thread)

    cycle = make_cycle("calderon")
    item = make_request(cycle, author=person)
    for user in (person, others[0]):
        RequestSupport.objects.create(request=item, resident=user.resident)
    request_thread = Thread.objects.create(title="Solicitud", zone=cycle.zone)
    type(item).objects.filter(pk=item.pk).update(thread=request_thread)
    Comment.objects.create(thread=request_thread, author=person, body="Urge el adoquinado")

    assembly = make_assembly(ZonePage.objects.get(zone__slug="calderon"))
    question = Question.objects.create(
        assembly=assembly, author=person, text="¿Cuándo empieza la obra?", status="approved"
    )
    other_question = Question.objects.create(
        assembly=assembly, author=others[2], text="¿Y el agua?", status="approved"
    )
    QuestionUpvote.objects.create(question=other_question, user=person)
    QuestionUpvote.objects.create(question=question, user=others[2])
    Question.objects.filter(pk__in=[question.pk, other_question.pk]).update(upvote_count=1)
    poll = Poll.objects.create(assembly=assembly, question="¿Aprueba?", mode="online")
    yes = PollOption.objects.create(poll=poll, label="Sí", position=0)
    no = PollOption.objects.create(poll=poll, label="No", position=1)
    PollBallot.objects.create(poll=poll, option=yes, voter=person)
    PollBallot.objects.create(poll=poll, option=no, voter=others[0])

    work = make_work("calderon", status=WorkStatus.UNDER_WAY)
    observed = Comment.objects.create(
        thread=work.thread, author=person, body="Hoy no trabajaban en la vereda"
    )
    Observation.objects.create(work=work, comment=observed, assessment="detenida")
    Follow.objects.create(work=work, user=person)

    # Everything personal.
    Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP, data={"secret": "x"})
    EmailAddress.objects.create(user=person, email="otra.rosa@example.ec", verified=False)
    export = DataExport(user=person, status="ready")
    export.file.save("x.zip", ContentFile(b"PK personal"), save=True)
    return {
        "others": others,
        "consultation": consultation,
        "thread": thread,
        "mine": mine,
        "cycle": cycle,
        "item": item,
        "assembly": assembly,
        "poll": poll,
        "question": question,
        "work": work,
        "export": export,
        "pages": [
            consultation.url + "articulo/art-1/",
            cycle.url + f"solicitudes/{item.pk}/",
            assembly.url,
            f"/obras/{work.code}/",
        ],
    }


def public_counts(world) -> dict:
    thread = Thread.objects.get(pk=world["thread"].pk)
    item = world["item"]
    return {
        "thread": thread.counts,
        "comments": Comment.objects.count(),
        "comment_supports": dict(Comment.objects.values_list("pk", "support_count")),
        "support_rows": Support.objects.count(),
        "flags": Flag.objects.count(),
        "request_supports": RequestSupport.objects.filter(request=item).count(),
        "poll": assembly_selectors.poll_data(Poll.objects.get(pk=world["poll"].pk)),
        "upvotes": dict(Question.objects.values_list("pk", "upvote_count")),
        "upvote_rows": QuestionUpvote.objects.count(),
        "observations": Observation.objects.filter(work=world["work"]).count(),
    }


@pytest.fixture
def media(tmp_path):
    """Files on disk, as in production: public media, and the private storage of exports."""
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(MEDIA_ROOT=str(tmp_path / "media"), STORAGES=storages):
        yield tmp_path


def test_public_pages_say_anonymous_participant_and_counts_do_not_change(
    english, person, media, world, django_capture_on_commit_callbacks
):
    client = english
    for url in world["pages"]:
        assert client.get(url).status_code == 200, url
    for url in (world["pages"][0], world["pages"][1], world["pages"][3]):
        assert NAME in client.get(url).content.decode(), url
    before = public_counts(world)
    # The export's own storage (the private one: no URL, outside MEDIA_ROOT).
    storage, export_name = world["export"].file.storage, world["export"].file.name
    assert storage.exists(export_name)

    with django_capture_on_commit_callbacks(execute=True):
        record = deletion.account_delete(user=person, reason="request")

    after = public_counts(world)
    assert after == before
    for url in world["pages"]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert NAME not in html and EMAIL not in html, url
        assert "rosa.quishpe" not in html, url
    for url in (world["pages"][0], world["pages"][1], world["pages"][3]):
        assert "Anonymous participant" in client.get(url).content.decode(), url
    assert "¿Cuándo empieza la obra?" in client.get(world["pages"][2]).content.decode()
    # The contributions are there, pointing to no one.
    assert Comment.objects.filter(author__isnull=True).count() == 4
    assert Comment.objects.get(pk=world["mine"].pk).body == "Propongo paridad"
    assert Question.objects.get(pk=world["question"].pk).author_id is None
    assert type(world["item"]).objects.get(pk=world["item"].pk).author_id is None
    # Nothing personal remains.
    assert not get_user_model().objects.filter(pk=person.pk).exists()
    assert not Resident.objects.filter(display_name=NAME).exists()
    assert not EmailAddress.objects.filter(email__in=[EMAIL, "otra.rosa@example.ec"]).exists()
    assert not Consent.objects.filter(user_id=person.pk).exists()
    assert not Authenticator.objects.filter(user_id=person.pk).exists()
    assert not Follow.objects.filter(user_id=person.pk).exists()
    assert not DataExport.objects.filter(pk=world["export"].pk).exists()
    assert not storage.exists(export_name)
    assert record.anonymised == {
        "comments": 4,
        "comment_supports": 1,
        "comment_flags": 1,
        "assembly_questions": 1,
        "question_upvotes": 1,
        "assembly_votes": 1,
        "requests": 1,
        "request_supports": 1,
        "budget_ballots": 0,
    }
    # The record: dates, a reason and counts; no relation, nothing of the person.
    (stored,) = DeletionRecord.objects.values()
    assert set(stored) == {"id", "deleted_at", "requested_at", "reason", "anonymised"}
    assert not any(f.is_relation for f in DeletionRecord._meta.get_fields())
    assert all(isinstance(n, int) for n in stored["anonymised"].values())
    for personal in (NAME, EMAIL, "rosa"):
        assert personal not in str(stored)


def test_replies_to_a_deleted_author_notify_no_one(
    person, world, mailoutbox, django_capture_on_commit_callbacks
):
    from discussions.tasks import notify_answer

    deletion.account_delete(user=person, reason="request")
    reply = Comment.objects.create(
        thread=world["thread"],
        author=world["others"][2],
        body="Otra respuesta",
        parent=world["mine"],
        depth=2,
    )
    assert notify_answer.call(reply.pk) is False
    assert not mailoutbox


def test_consultation_report_shows_anonymous_participant(english, person, world):
    from consultations import report

    deletion.account_delete(user=person, reason="request")
    rows = report.report_rows(world["consultation"])
    authors = {row["author"] for row in rows}
    assert "Anonymous participant" in authors or "Participante anónimo" in authors
    assert NAME not in str(rows) and EMAIL not in str(rows)


def test_sessions_and_audit_labels_forget_the_person(
    client, person, world, django_capture_on_commit_callbacks
):
    from django.contrib.contenttypes.models import ContentType

    client.force_login(person)
    other_client = type(client)()
    other_client.force_login(world["others"][0])
    assert Session.objects.count() == 2
    resident = person.resident
    ModelLogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Resident),
        object_id=str(resident.pk),
        label=str(resident),
        action="accounts.resident_verify",
        timestamp=timezone.now(),
    )
    ModelLogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Comment),
        object_id=str(world["mine"].pk),
        label=str(world["mine"]),
        action="discussions.comment_hide",
        timestamp=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        deletion.account_delete(user=person, reason="request")
    assert Session.objects.count() == 1  # the other person's session stays
    labels = " ".join(ModelLogEntry.objects.values_list("label", flat=True))
    assert NAME not in labels and EMAIL not in labels
    assert f"{person.pk}:" not in labels
    assert client.get(MY_DATA).status_code == 302  # logged out


# --- Every link to a person is classified ---------------------------------------------------

# Deleted with the account: the person's own data.
PERSONAL = {
    "accounts.Resident.user",
    "accounts.Consent.user",
    "account.EmailAddress.user",
    "mfa.Authenticator.user",
    "works.Follow.user",
    "privacy.DataExport.user",
    "privacy.AccountDeletion.user",
    "wagtailusers.UserProfile.user",
    "wagtailadmin.EditingSession.user",
    "wagtailadmin.FormState.user",
    "wagtailcore.APIToken.user",
    "wagtailcore.Comment.user",  # editors' comments on page drafts
    "wagtailcore.CommentReply.user",
    "wagtailcore.PageSubscription.user",
    "verification.VerificationRequest.resident",  # a request to be verified
    "verification.VerificationRecord.resident",  # how and when the person was verified
}


def test_every_link_to_a_person_is_classified():
    """A new foreign key to the user or the resident must be declared: kept (a public
    contribution or a counted vote: privacy.deletion.KEPT, nullable SET_NULL), personal
    (CASCADE, listed above), or bookkeeping that survives (SET_NULL or Wagtail's
    DO_NOTHING without a constraint). Nothing PROTECTs a person from deletion."""
    kept = {f"{k.model}.{k.field}" for k in deletion.KEPT}
    targets = (get_user_model(), Resident)
    problems = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not (field.is_relation and field.related_model in targets):
                continue
            name = f"{model._meta.label}.{field.name}"
            on_delete = field.remote_field.on_delete
            if name in kept:
                ok = field.null and on_delete is models.SET_NULL
            elif on_delete is models.CASCADE:
                ok = name in PERSONAL
            elif on_delete is models.DO_NOTHING:
                ok = not field.db_constraint and field.null
            else:
                ok = on_delete is models.SET_NULL and field.null
            if not ok:
                problems.append(name)
    assert problems == []


def test_a_deleted_then_re_registered_person_cannot_vote_twice_in_a_cycle(territory):
    """One person one vote survives the deletion: the ballot keeps its per-cycle voter key
    (budgets), the account and its cédula hash go, the same cédula registered again gets
    the same key in that cycle."""
    from decimal import Decimal

    from budgets import services as budget_services
    from budgets.models import Ballot as BudgetBallot
    from tests.budgets.builders import make_resident, new_cedula

    cycle = make_cycle("calderon", total=Decimal("50000.00"), phase="prioritisation")
    project = make_request(cycle, title="Proyecto", cost=Decimal("20000.00"))
    cedula = new_cedula()
    first = make_resident("calderon", cedula=cedula)
    budget_services.ballot_submit(cycle=cycle, user=first, request_ids=[project.pk])
    record = deletion.account_delete(user=first, reason="request")
    assert record.anonymised["budget_ballots"] == 1
    ballot = BudgetBallot.objects.get(cycle=cycle)
    assert ballot.resident_id is None and ballot.voter_key  # counted, linked to nobody

    again = make_resident("calderon", cedula=cedula)  # the hash is free again: a new account
    with pytest.raises(budget_services.AlreadyVoted):
        budget_services.ballot_submit(cycle=cycle, user=again, request_ids=[project.pk])
    assert BudgetBallot.objects.filter(cycle=cycle).count() == 1
    # Someone else still votes.
    budget_services.ballot_submit(
        cycle=cycle, user=make_resident("calderon"), request_ids=[project.pk]
    )
    assert BudgetBallot.objects.filter(cycle=cycle).count() == 2
