"""Dispositions (consultations.dispositions): zone staff, after MFA, give the citizen
contributions of a closed consultation a disposition in bulk; the reason is required unless
taken up; one audit entry per call; every author is told by e-mail (again when it changes);
the consultation page counts what was taken up."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from wagtail.models import PageLogEntry

from consultations import audit, services
from consultations.dispositions import (
    article_of,
    clean_reason,
    consultation_contributions,
    decided,
    disposition_set,
    pending,
    taken_up_by_thread,
    taken_up_count,
)
from consultations.models import ConsultationPage, Disposition, InPersonSession
from discussions import services as discussion_services
from quitodecide.errors import DomainError, PermissionDenied
from territory.models import ZonePage
from tests.consultations.helpers import make_consultation
from tests.factories import ResidentFactory, UserFactory, with_mfa
from tests.verification.helpers import city_staff, zone_staff

pytestmark = pytest.mark.django_db

A = Disposition.Outcome


def close(page) -> ConsultationPage:
    """Move the closing date into the past (the consultation opened a day ago)."""
    ConsultationPage.objects.filter(pk=page.pk).update(
        closes_at=page.opens_at + datetime.timedelta(seconds=1)
    )
    return ConsultationPage.objects.get(pk=page.pk)


def say(page, body, *, key="art-1", parent=None, author=None, **extra):
    author = author or ResidentFactory(display_name=f"Autor de {body[:10]}").user
    return services.consultation_comment(
        consultation=page,
        user=author,
        body=body,
        stance="" if parent else "favor",
        provision_key="" if parent else key,
        parent=parent,
        **extra,
    )


@pytest.fixture
def world(territory):
    """A Calderón consultation with comments on art-1 (one with proposed wording, a reply),
    one on the whole text, an official answer, a hidden comment, an in-person observation;
    then closed."""
    page = make_consultation(ZonePage.objects.get(zone__slug="calderon"), slug="disp")
    first = say(page, "Que se amplíe el plazo", proposed_wording="El plazo será de un año.")
    reply = say(page, "Estoy de acuerdo", parent=first)
    general = say(page, "La ordenanza en general está bien", key="")
    other = say(page, "Sobre el artículo dos", key="art-2")
    hidden = say(page, "Texto ofensivo")
    staff = zone_staff("calderon")
    discussion_services.comment_hide(comment=hidden, actor=staff, reason="Insultos")
    official = discussion_services.official_answer_create(
        parent=first, author=with_mfa(UserFactory(is_superuser=True)), body="Se revisará"
    )
    session = InPersonSession.objects.create(
        consultation=page, held_on=datetime.date(2026, 11, 2), place="Casa barrial", attendees=20
    )
    observation = services.observation_record(
        session=session, actor=staff, text="Pedimos más plazo", provision_key="art-1"
    )
    whole = services.observation_record(session=session, actor=staff, text="En general, sí")
    return {
        "page": close(page),
        "staff": staff,
        "first": first,
        "reply": reply,
        "general": general,
        "other": other,
        "hidden": hidden,
        "official": official,
        "observation": observation,
        "whole": whole,
    }


def test_bulk_disposition_creates_audits_and_tells_each_author(
    world, django_capture_on_commit_callbacks
):
    page, staff = world["page"], world["staff"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        changed = disposition_set(
            consultation=page,
            actor=staff,
            outcome=A.PARTIAL,
            reason="  Se acoge la ampliación, no el año completo.  ",
            comments=[world["first"], world["reply"].pk],
            observations=[world["observation"]],
        )
    assert len(changed) == 3
    stored = Disposition.objects.get(comment=world["first"])
    assert (stored.outcome, stored.reason, stored.decided_by) == (
        A.PARTIAL,
        "Se acoge la ampliación, no el año completo.",
        staff,
    )
    assert stored.consultation_id == page.pk and stored.notified_at is not None
    # The observation has no account: nobody to tell, notified_at stays empty.
    assert Disposition.objects.get(observation=world["observation"]).notified_at is None
    entry = PageLogEntry.objects.get(action=audit.DISPOSITION_SET)
    assert entry.page_id == page.pk and entry.user_id == staff.pk
    assert entry.data["created"] == 3 and entry.data["updated"] == 0
    assert entry.data["comments"] == sorted([world["first"].pk, world["reply"].pk])
    assert entry.data["observations"] == [world["observation"].pk]
    # One e-mail per author, in Spanish, with the outcome and the reason.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world["first"].author.email, world["reply"].author.email]
    )
    message = next(m for m in mail.outbox if m.to == [world["first"].author.email])
    assert "Acogida parcialmente" in message.body
    assert "Se acoge la ampliación, no el año completo." in message.body
    assert f"{settings.SITE_BASE_URL.rstrip('/')}{page.url}informe/" in message.body
    assert f"#comentario-{world['first'].pk}" in message.body
    assert page.title in message.subject


def test_one_email_per_author_lists_all_their_contributions(
    world, django_capture_on_commit_callbacks
):
    author = world["first"].author
    page = world["page"]
    ConsultationPage.objects.filter(pk=page.pk).update(
        closes_at=page.opens_at + datetime.timedelta(days=5)
    )
    page = ConsultationPage.objects.get(pk=page.pk)  # open again for a while
    second = say(page, "Otra idea mía sobre el dos", key="art-2", author=author)
    page = close(page)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        disposition_set(
            consultation=page,
            actor=world["staff"],
            outcome=A.ACCEPTED,
            comments=[world["first"], second],
        )
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Que se amplíe el plazo" in body and "Otra idea mía sobre el dos" in body
    assert body.count("Acogida") == 2


def test_changing_a_disposition_notifies_again_and_unchanged_does_not(
    world, django_capture_on_commit_callbacks
):
    page, staff, first = world["page"], world["staff"], world["first"]
    with django_capture_on_commit_callbacks(execute=True):
        disposition_set(consultation=page, actor=staff, outcome=A.ACCEPTED, comments=[first])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            disposition_set(consultation=page, actor=staff, outcome=A.ACCEPTED, comments=[first])
            == []
        )
    assert mail.outbox == []
    other_staff = zone_staff("calderon")
    with django_capture_on_commit_callbacks(execute=True):
        changed = disposition_set(
            consultation=page,
            actor=other_staff,
            outcome=A.REJECTED,
            reason="La competencia es del Concejo, no de la administración zonal.",
            comments=[first],
        )
    assert len(changed) == 1
    stored = Disposition.objects.get(comment=first)
    assert stored.outcome == A.REJECTED and stored.decided_by == other_staff
    assert len(mail.outbox) == 1 and "No acogida" in mail.outbox[0].body
    assert Disposition.objects.filter(comment=first).count() == 1
    entries = list(PageLogEntry.objects.filter(action=audit.DISPOSITION_SET).order_by("pk"))
    assert [e.data["updated"] for e in entries] == [0, 0, 1]


def test_authors_who_opted_out_or_left_get_no_email(world, django_capture_on_commit_callbacks):
    first, reply = world["first"], world["reply"]
    resident = first.author.resident
    resident.email_notifications = False
    resident.save(update_fields=["email_notifications"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        disposition_set(
            consultation=world["page"],
            actor=world["staff"],
            outcome=A.OUT_OF_SCOPE,
            reason="Trata de otra ordenanza.",
            comments=[first, reply],
        )
    assert [m.to for m in mail.outbox] == [[reply.author.email]]
    assert Disposition.objects.get(comment=first).notified_at is None


def test_an_open_consultation_is_refused(territory):
    page = make_consultation(ZonePage.objects.get(zone__slug="calderon"), slug="abierta")
    comment = say(page, "Todavía abierta")
    with pytest.raises(PermissionDenied):
        disposition_set(
            consultation=page,
            actor=zone_staff("calderon"),
            outcome=A.ACCEPTED,
            comments=[comment],
        )
    assert not Disposition.objects.exists()
    assert not PageLogEntry.objects.filter(action=audit.DISPOSITION_SET).exists()


@pytest.mark.parametrize("who", ["resident", "other_zone", "no_mfa", "anonymous"])
def test_only_this_zones_staff_after_mfa(world, who):
    from django.contrib.auth.models import AnonymousUser

    actor = {
        "resident": lambda: world["first"].author,
        "other_zone": lambda: zone_staff("tumbaco"),
        "no_mfa": lambda: zone_staff("calderon", mfa=False),
        "anonymous": AnonymousUser,
    }[who]()
    with pytest.raises(PermissionDenied):
        disposition_set(
            consultation=world["page"], actor=actor, outcome=A.ACCEPTED, comments=[world["first"]]
        )
    assert not Disposition.objects.exists()


def test_city_staff_may_act_on_a_zones_consultation(world):
    disposition_set(
        consultation=world["page"],
        actor=city_staff(),
        outcome=A.ACCEPTED,
        comments=[world["first"]],
    )
    assert Disposition.objects.count() == 1


@pytest.mark.parametrize("outcome", [A.PARTIAL, A.REJECTED, A.OUT_OF_SCOPE])
@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_the_reason_is_required_unless_taken_up(world, outcome, reason):
    with translation.override("en"), pytest.raises(DomainError, match="reason"):
        disposition_set(
            consultation=world["page"],
            actor=world["staff"],
            outcome=outcome,
            reason=reason,
            comments=[world["first"]],
        )
    assert not Disposition.objects.exists()
    disposition_set(
        consultation=world["page"],
        actor=world["staff"],
        outcome=A.ACCEPTED,
        comments=[world["first"]],
    )
    assert Disposition.objects.get().reason == ""


@pytest.mark.parametrize("which", ["official", "hidden"])
def test_official_answers_and_hidden_comments_are_no_contributions(world, which):
    with pytest.raises(DomainError):
        disposition_set(
            consultation=world["page"],
            actor=world["staff"],
            outcome=A.ACCEPTED,
            comments=[world["first"], world[which]],
        )
    assert not Disposition.objects.exists()  # all or nothing


def test_another_consultations_contributions_are_refused(world):
    foreign_page = make_consultation(ZonePage.objects.get(zone__slug="calderon"), slug="otra")
    foreign = say(foreign_page, "De otra consulta")
    foreign_observation = services.observation_record(
        session=InPersonSession.objects.create(
            consultation=foreign_page, held_on=datetime.date(2026, 11, 3), place="X", attendees=3
        ),
        actor=world["staff"],
        text="Otra sesión",
    )
    for extra in ({"comments": [foreign]}, {"observations": [foreign_observation]}):
        with pytest.raises(DomainError):
            disposition_set(
                consultation=world["page"], actor=world["staff"], outcome=A.ACCEPTED, **extra
            )
    with pytest.raises(DomainError):
        disposition_set(
            consultation=world["page"], actor=world["staff"], outcome=A.ACCEPTED, comments=["x"]
        )
    with pytest.raises(DomainError):  # nothing selected
        disposition_set(consultation=world["page"], actor=world["staff"], outcome=A.ACCEPTED)
    with pytest.raises(DomainError):  # not an outcome
        disposition_set(
            consultation=world["page"],
            actor=world["staff"],
            outcome="maybe",
            reason="x",
            comments=[world["first"]],
        )
    assert not Disposition.objects.exists()


@given(st.text(max_size=2100))
def test_clean_reason_keeps_any_text_or_refuses_with_a_message(text):
    for outcome in A.values:
        try:
            kept = clean_reason(outcome, text)
        except DomainError as error:
            assert str(error.message)
            stripped = text.replace("\x00", "").strip()
            assert len(stripped) > 2000 or (not stripped and outcome != A.ACCEPTED)
        else:
            assert kept == text.replace("\x00", "").strip() and len(kept) <= 2000
            assert kept or outcome == A.ACCEPTED


def test_selectors_group_by_article_and_count(world, django_assert_max_num_queries):
    page, staff = world["page"], world["staff"]
    disposition_set(consultation=page, actor=staff, outcome=A.ACCEPTED, comments=[world["first"]])
    disposition_set(
        consultation=page,
        actor=staff,
        outcome=A.PARTIAL,
        reason="En parte.",
        observations=[world["observation"]],
    )
    disposition_set(
        consultation=page,
        actor=staff,
        outcome=A.REJECTED,
        reason="No procede.",
        comments=[world["general"]],
        observations=[world["whole"]],
    )
    with django_assert_max_num_queries(3):
        articles = consultation_contributions(page)
    by_label = {a.label: a for a in articles}
    art1 = by_label["Artículo 1"]
    assert [c.pk for c in art1.comments] == [world["first"].pk, world["reply"].pk]
    assert [o.pk for o in art1.observations] == [world["observation"].pk]
    assert [c.pk for c in pending(art1)] == [world["reply"].pk]
    assert {c.pk for c in decided(art1)} == {world["first"].pk, world["observation"].pk}
    assert art1.summary == {
        "acogida": 1,
        "parcial": 1,
        "no_acogida": 0,
        "fuera_ambito": 0,
        "total": 3,
        "decided": 2,
        "pending": 1,
        "taken_up": 2,
    }
    general = articles[-1]
    assert general.is_general
    assert [c.pk for c in general.comments] == [world["general"].pk]
    assert [o.pk for o in general.observations] == [world["whole"].pk]
    with django_assert_max_num_queries(3):
        only = article_of(page, art1.slug)
    assert [c.pk for c in only.contributions] == [c.pk for c in art1.contributions]
    assert article_of(page, "999999") is None
    with django_assert_max_num_queries(1):
        counts = taken_up_count(page)
    # first, reply, general, other (the hidden and the official are not contributions) + 2
    assert counts == {
        "total": 6,
        "decided": 4,
        "pending": 2,
        "accepted": 1,
        "partial": 1,
        "taken_up": 2,
    }
    with django_assert_max_num_queries(1):
        by_thread = taken_up_by_thread(page)
    assert {key: [d.pk for d in items] for key, items in by_thread.items()} == {
        world["first"].thread_id: [
            Disposition.objects.get(comment=world["first"]).pk,
            Disposition.objects.get(observation=world["observation"]).pk,
        ]
    }


def test_a_comment_hidden_after_its_disposition_no_longer_counts(world):
    disposition_set(
        consultation=world["page"],
        actor=world["staff"],
        outcome=A.ACCEPTED,
        comments=[world["other"]],
    )
    assert taken_up_count(world["page"])["taken_up"] == 1
    discussion_services.comment_hide(comment=world["other"], actor=world["staff"], reason="Spam")
    counts = taken_up_count(world["page"])
    assert counts["taken_up"] == 0 and counts["total"] == 5
    assert taken_up_by_thread(world["page"]) == {}


def test_an_article_dropped_from_the_text_keeps_its_contributions(world):
    """Threads are the articles' identity: an article a new version dropped keeps its
    contributions (to be disposed of) under the label of the last version that had it."""
    page = ConsultationPage.objects.get(pk=world["page"].pk)
    page.draft_text = page.draft_text.replace(
        "Art. 2.- Ámbito.- Se aplica en las 65 parroquias.\n", ""
    )
    page.save_revision().publish()
    assert page.versions.count() == 2
    articles = consultation_contributions(page)
    holder = next(a for a in articles if world["other"] in a.comments)
    assert (holder.current, holder.revision) == (False, 1)
    assert holder.thread_id == world["other"].thread_id
    first = next(a for a in articles if world["first"] in a.comments)
    assert (first.current, first.revision) == (True, 2)
    assert world["reply"] in first.comments and world["observation"] in first.observations


def test_the_demo_gives_varied_dispositions_once(world, django_capture_on_commit_callbacks):
    from consultations.demo_dispositions import load_demo_dispositions

    page = world["page"]
    with django_capture_on_commit_callbacks(execute=True):
        given = load_demo_dispositions(page, leave_pending=1)
    assert given == 5  # six contributions, one left without a disposition
    stored = list(Disposition.objects.all())
    assert all(d.reason or d.outcome == A.ACCEPTED for d in stored)
    assert taken_up_count(page)["pending"] == 1
    assert load_demo_dispositions(page, leave_pending=1) == 0  # idempotent
    assert Disposition.objects.count() == 5


class ChangingBackend:
    """An e-mail backend that, while an e-mail is being sent, lets a test act (as another
    staff member would at that moment), then keeps the message in `mail.outbox`."""

    during_send = None

    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        if ChangingBackend.during_send is not None:
            action, ChangingBackend.during_send = ChangingBackend.during_send, None
            action()
        mail.outbox.extend(messages)
        return len(messages)


def test_a_disposition_changed_while_its_email_is_sent_stays_unnotified(
    world, settings, django_capture_on_commit_callbacks
):
    """The race: the task reads the dispositions, sends, then marks them notified. One
    changed while the e-mail is out (which told the old outcome) must stay unnotified, so
    the e-mail its change scheduled tells the new one; the unchanged one is marked."""
    from consultations.tasks import notify_dispositions

    page, staff, first, reply = world["page"], world["staff"], world["first"], world["reply"]
    second = say_again(page, first.author)
    with django_capture_on_commit_callbacks(execute=False) as first_action:
        disposition_set(
            consultation=page, actor=staff, outcome=A.ACCEPTED, comments=[first, second, reply]
        )
    ids = list(Disposition.objects.filter(comment__in=[first, second]).values_list("pk", flat=True))
    assert first_action  # its e-mails were scheduled; we run the task by hand below
    later = []

    def change_first():
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            disposition_set(
                consultation=page,
                actor=zone_staff("calderon"),
                outcome=A.REJECTED,
                reason="Lo impide la ley orgánica.",
                comments=[first],
            )
        later.extend(callbacks)

    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.ChangingBackend"}}
    ChangingBackend.during_send = change_first
    mail.outbox.clear()
    assert notify_dispositions.call(first.author_id, ids) is True
    assert len(mail.outbox) == 1 and "Acogida" in mail.outbox[0].body  # the old outcome
    changed = Disposition.objects.get(comment=first)
    assert changed.outcome == A.REJECTED and changed.notified_at is None
    assert Disposition.objects.get(comment=second).notified_at is not None
    # The change's own task tells the new outcome, and marks it.
    for callback in later:  # its after-commit work, the e-mail task among it
        callback()
    assert len(mail.outbox) == 2 and "No acogida" in mail.outbox[1].body
    assert Disposition.objects.get(comment=first).notified_at is not None


def say_again(page, author):
    """A second comment by `author` on art-2 (the consultation opened again for it)."""
    ConsultationPage.objects.filter(pk=page.pk).update(
        closes_at=page.opens_at + datetime.timedelta(days=5)
    )
    comment = say(ConsultationPage.objects.get(pk=page.pk), "Otra mía", key="art-2", author=author)
    close(page)
    return comment


def test_the_email_task_queries_stay_flat(
    world, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    """The links to each comment are found in one query for all of them, not one each."""
    from consultations.tasks import notify_dispositions

    page, first = world["page"], world["first"]
    author = first.author
    ConsultationPage.objects.filter(pk=page.pk).update(
        closes_at=page.opens_at + datetime.timedelta(days=5)
    )
    opened = ConsultationPage.objects.get(pk=page.pk)
    comments = [first]
    for n in range(8):
        comments.append(say(opened, f"Idea {n}", key="art-2" if n % 2 else "", author=author))
    close(page)
    with django_capture_on_commit_callbacks(execute=False):
        disposition_set(
            consultation=page, actor=world["staff"], outcome=A.ACCEPTED, comments=comments
        )
    ids = list(Disposition.objects.values_list("pk", flat=True))

    def run():
        Disposition.objects.update(notified_at=None)
        mail.outbox.clear()
        assert notify_dispositions.call(author.pk, ids) is True
        return mail.outbox[0].body

    body = run()
    assert all(f"#comentario-{c.pk}" in body for c in comments)
    assert f"{page.url}general/#comentario-{comments[1].pk}" in body
    with django_assert_max_num_queries(25) as few:
        run()
    # Per-row marking is the only part that grows (one UPDATE per contribution).
    per_row = len(comments)
    assert len(few.captured_queries) - per_row <= 12, [q["sql"] for q in few.captured_queries]
