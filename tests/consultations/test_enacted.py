"""The enacted text: staff attach the sanctioned ordinance to a closed consultation (rule
book, MFA, audit, e-mails); its public page shows the diff against the consulted draft and
links each changed article to the contributions taken up for it; the admin form."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone, translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from wagtail.models import ModelLogEntry, PageLogEntry

from consultations import audit, enacted, selectors, services
from consultations.models import (
    ConsultationPage,
    Disposition,
    DraftVersion,
    InPersonSession,
    SessionObservation,
)
from discussions import services as discussion_services
from quitodecide.errors import DomainError, PermissionDenied
from quitodecide.mfa import mark_user
from territory.models import Parish, Zone, ZonePage
from territory.services import zone_group_name
from tests.consultations.helpers import ORDINANCE, make_consultation
from tests.factories import ResidentFactory, UserFactory, login_with_mfa, with_mfa

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    """Messages are read in English (the Spanish catalogue is merged later)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


ENACTED = ORDINANCE.replace("cuatro representantes", "cinco representantes, con paridad") + (
    "Artículo 4.- Rendición de cuentas.- Las asambleas rinden cuentas cada año.\n"
)
# The enacted text inserts an article at the start: every later one is renumbered.
RENUMBERED = (
    ORDINANCE.replace(
        "Artículo 1.- Objeto.",
        "Artículo 1.- Principios.- La participación es un derecho de todos.\nArtículo 2.- Objeto.",
    )
    .replace("Art. 2.- Ámbito", "Artículo 3.- Ámbito")
    .replace("Artículo 3.- Asambleas", "Artículo 4.- Asambleas")
)


def staff_of(zone_slug, mfa=True):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=zone_group_name(Zone.objects.get(slug=zone_slug))))
    mark_user(user, mfa)
    return user


def close(page) -> ConsultationPage:
    now = timezone.now()
    ConsultationPage.objects.filter(pk=page.pk).update(
        opens_at=now - datetime.timedelta(days=30), closes_at=now - datetime.timedelta(days=1)
    )
    return ConsultationPage.objects.get(pk=page.pk)


@pytest.fixture
def people(territory):
    parish = Parish.objects.get(name="Llano Chico")
    return [ResidentFactory(zone=parish.zone, parish=parish).user for _ in range(3)]


@pytest.fixture
def closed(territory, people):
    """A closed consultation of Calderón with comments on articles 1 and 3 and on the whole
    text, and an in-person observation on article 3."""
    page = make_consultation(ZonePage.objects.get(zone__slug="calderon"), slug="arbolado")
    art1, art3 = (page.versions.get().provisions.get(key=key) for key in ("art-1", "art-3"))
    comments = [
        discussion_services.comment_create(
            thread=art3.thread,
            author=people[0],
            body="Pedimos paridad.",
            stance="favor",
            revision=1,
        ),
        discussion_services.comment_create(
            thread=art1.thread,
            author=people[1],
            body="El objeto está bien.",
            stance="favor",
            revision=1,
        ),
    ]
    page = close(page)
    session = InPersonSession.objects.create(
        consultation=page, held_on=timezone.localdate(), place="Casa barrial", attendees=12
    )
    observation = SessionObservation.objects.create(
        session=session,
        text="Que se rinda cuentas.",
        thread=art3.thread,
        provision_key="art-3",
        revision=1,
    )
    comments.append(
        discussion_services.comment_create(
            thread=services._general_thread(page), author=people[2], body="Buena ordenanza."
        )
    )
    page.test_comments = comments
    page.test_observation = observation
    return page


def attach(page, actor, **extra):
    values = {
        "consultation": page,
        "actor": actor,
        "text": ENACTED,
        "enacted_on": timezone.localdate(),
        "ordinance_number": "PMQ-2026-014",
    }
    values.update(extra)
    return enacted.enacted_attach(**values)


# --- the service --------------------------------------------------------------------------
def test_attach_creates_the_final_version_audit_and_emails(
    closed, people, mailoutbox, django_capture_on_commit_callbacks
):
    staff = staff_of("calderon")
    with django_capture_on_commit_callbacks(execute=True):
        version = attach(closed, staff)
    assert version.is_enacted and version.number == 2
    assert version.ordinance_number == "PMQ-2026-014"
    entry = PageLogEntry.objects.get(action=audit.ENACTED_ATTACH)
    assert entry.user == staff and entry.page_id == closed.pk
    assert entry.data["ordinance_number"] == "PMQ-2026-014" and entry.data["version"] == 2
    # One e-mail to each person who commented (articles and the whole text), each alone.
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in people)
    message = mailoutbox[0]
    assert "PMQ-2026-014" in message.body
    assert f"{settings.SITE_BASE_URL.rstrip('/')}{closed.url}texto-sancionado/" in message.body
    # After it no further version is published from the page's draft.
    closed.draft_text = ORDINANCE + "Artículo 9.- Otro.- Texto.\n"
    assert services.version_publish(consultation=closed) is None
    assert closed.versions.count() == 2


def test_emails_respect_the_opt_out_and_skip_hidden_comments(
    closed, people, mailoutbox, django_capture_on_commit_callbacks
):
    people[0].resident.email_notifications = False
    people[0].resident.save()
    moderator = with_mfa(UserFactory(is_superuser=True))
    discussion_services.comment_hide(comment=closed.test_comments[1], actor=moderator, reason="x")
    with django_capture_on_commit_callbacks(execute=True):
        attach(closed, staff_of("calderon"))
    assert [m.to[0] for m in mailoutbox] == [people[2].email]


def test_open_consultation_is_refused(territory):
    page = make_consultation(ZonePage.objects.get(zone__slug="calderon"), slug="abierta")
    with pytest.raises(PermissionDenied):
        attach(page, staff_of("calderon"))
    assert not DraftVersion.objects.filter(consultation=page, is_enacted=True).exists()


@pytest.mark.parametrize(
    ("zone", "mfa"), [("tumbaco", True), ("calderon", False)], ids=["other-zone", "no-mfa"]
)
def test_other_zone_and_no_mfa_are_refused(closed, zone, mfa):
    with pytest.raises(PermissionDenied):
        attach(closed, staff_of(zone, mfa=mfa))
    assert closed.versions.count() == 1
    assert not PageLogEntry.objects.filter(action=audit.ENACTED_ATTACH).exists()


def test_a_resident_is_refused(closed, people):
    with pytest.raises(PermissionDenied):
        attach(closed, people[0])


def test_second_enacted_text_is_refused(closed):
    staff = staff_of("calderon")
    attach(closed, staff)
    with pytest.raises(DomainError, match="already has its enacted text"):
        attach(closed, staff, ordinance_number="PMQ-2026-015")
    assert closed.versions.filter(is_enacted=True).count() == 1


@pytest.mark.parametrize(
    ("days", "message"),
    [(1, "cannot be in the future"), (-40, "before the consultation opened")],
    ids=["future", "before-opening"],
)
def test_bad_sanction_dates_are_refused(closed, days, message):
    with pytest.raises(DomainError, match=message):
        attach(
            closed,
            staff_of("calderon"),
            enacted_on=timezone.localdate() + datetime.timedelta(days=days),
        )
    assert closed.versions.count() == 1


def test_parse_errors_come_with_the_parsers_message(closed):
    with pytest.raises(DomainError, match="No articles were found"):
        attach(closed, staff_of("calderon"), text="Un texto sin artículos.")
    with pytest.raises(DomainError, match="Paste the enacted text"):
        attach(closed, staff_of("calderon"), text="   ")
    with pytest.raises(DomainError, match="ordinance's number"):
        attach(closed, staff_of("calderon"), ordinance_number=" ")
    with pytest.raises(DomainError, match="plain text"):
        attach(closed, staff_of("calderon"), text=ENACTED + "\x00")
    with pytest.raises(DomainError, match="not allowed"):
        attach(closed, staff_of("calderon"), ordinance_number="PMQ\x00")
    assert closed.versions.count() == 1


# --- the page ---------------------------------------------------------------------------
def give(page, outcome, *, comment=None, observation=None, reason="Motivo."):
    return Disposition.objects.create(
        consultation=page, comment=comment, observation=observation, outcome=outcome, reason=reason
    )


def test_page_is_404_until_the_enacted_text_exists(closed, client):
    assert client.get(f"{closed.url}texto-sancionado/").status_code == 404
    body = client.get(closed.url).content.decode()
    assert "texto-sancionado" not in body


def test_page_shows_the_diff_and_the_contributions_taken_up(closed, client):
    art3_comment, art1_comment, general_comment = closed.test_comments
    give(closed, "acogida", comment=art3_comment, reason="")
    give(closed, "parcial", observation=closed.test_observation, reason="En parte.")
    give(closed, "no_acogida", comment=art1_comment, reason="No procede.")
    give(closed, "acogida", comment=general_comment, reason="")
    attach(closed, staff_of("calderon"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(f"{closed.url}texto-sancionado/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "PMQ-2026-014" in body
    assert "<ins>" in body and "cinco" in body and "cuatro" in body  # the word diff
    assert "Rendición de cuentas" in body and "new" in body  # the added article
    # The comment taken up is linked from its article (by thread), on the article's page.
    thread_id = art3_comment.thread_id
    article = closed.versions.get(is_enacted=True).provisions.get(thread_id=thread_id)
    assert f'{closed.url}articulo/{article.key}/#comentario-{art3_comment.pk}"' in body
    assert "Que se rinda cuentas." in body and "Casa barrial" in body  # the observation
    assert "Pedimos paridad." in body
    # Not taken up: not listed; the general comment taken up: with the general discussion.
    assert f"#comentario-{art1_comment.pk}" not in body
    assert f"{closed.url}general/#comentario-{general_comment.pk}" in body
    # The consultation page links to it.
    page_body = client.get(closed.url).content.decode()
    assert f"{closed.url}texto-sancionado/" in page_body and "PMQ-2026-014" in page_body


def test_page_query_count_is_flat(closed, client, django_assert_max_num_queries, people):
    attach(closed, staff_of("calderon"))
    art3 = closed.versions.get(is_enacted=True).provisions.get(key="art-3")
    for number in range(12):
        comment = discussion_services.comment_create(
            thread=art3.thread, author=people[number % 3], body=f"Aporte {number}"
        )
        give(closed, "acogida", comment=comment, reason="")
    with django_assert_max_num_queries(25):
        response = client.get(f"{closed.url}texto-sancionado/")
    assert response.content.decode().count("Aporte ") == 12


def test_renumbered_article_keeps_its_contributions(closed, client):
    art3_comment = closed.test_comments[0]
    give(closed, "acogida", comment=art3_comment, reason="")
    attach(closed, staff_of("calderon"), text=RENUMBERED)
    final = closed.versions.get(is_enacted=True)
    consulted = closed.versions.get(number=1)
    rows = selectors.version_diff(consulted, final)
    assert any(row.get("renumbered") for row in rows)
    # The assemblies article is article 4 now, and still the thread of its comments.
    assemblies = final.provisions.get(thread_id=art3_comment.thread_id)
    assert assemblies.key == "art-4"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(f"{closed.url}texto-sancionado/").content.decode()
    assert "In the consulted draft: Artículo 3." in body
    assert f"{closed.url}articulo/art-4/#comentario-{art3_comment.pk}" in body
    assert "(on version 1, Artículo 3)" in body  # what the comment was about, as then numbered


# --- the admin ------------------------------------------------------------------------------
def admin_url(page):
    return f"/admin/consultas/{page.pk}/texto-sancionado/"


def form_data(**extra):
    data = {
        "action": "preview",
        "text": ENACTED,
        "ordinance_number": "PMQ-2026-014",
        "enacted_on": timezone.localdate().strftime("%d/%m/%Y"),
        "document": "",
    }
    data.update(extra)
    return data


def test_admin_flow_preview_then_confirm(closed, client):
    staff = staff_of("calderon")
    login_with_mfa(client, staff)
    assert client.get(admin_url(closed)).status_code == 200
    preview = client.post(admin_url(closed), form_data())
    assert preview.status_code == 200
    body = preview.content.decode()
    assert 'name="pair-art-4"' in body and 'value="confirm"' in body
    assert not closed.versions.filter(is_enacted=True).exists()  # nothing written yet
    hidden = {
        "action": "confirm",
        "text": preview.context["form"]["text"].value(),
        "ordinance_number": "PMQ-2026-014",
        "enacted_on": preview.context["form"]["enacted_on"].value(),
        "document": "",
        "pair-art-4": "",
    }
    response = client.post(admin_url(closed), hidden)
    assert response.status_code == 302
    version = closed.versions.get(is_enacted=True)
    assert version.ordinance_number == "PMQ-2026-014"
    assert PageLogEntry.objects.filter(action=audit.ENACTED_ATTACH, user=staff).exists()
    # Once attached the form is gone: the page says so and links the public page.
    again = client.get(admin_url(closed)).content.decode()
    assert "texto-sancionado/" in again and 'value="preview"' not in again


def test_admin_correction_in_the_preview_is_applied(closed, client):
    login_with_mfa(client, staff_of("calderon"))
    art1 = closed.versions.get().provisions.get(key="art-1")
    client.post(
        admin_url(closed),
        form_data(action="confirm", **{"pair-art-4": "art-1", "pair-art-1": ""}),
    )
    final = closed.versions.get(is_enacted=True)
    assert final.provisions.get(key="art-4").thread_id == art1.thread_id
    assert final.provisions.get(key="art-1").thread_id != art1.thread_id


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"enacted_on": "31/02/2026"}, "enacted_on", "valid date"),
        ({"enacted_on": "mañana"}, "enacted_on", "valid date"),
        ({"enacted_on": "01/01/2099"}, "enacted_on", "future"),
        ({"text": "Nada que ver"}, "text", "No articles were found"),
        ({"text": ""}, "text", "Paste the enacted text"),
        ({"ordinance_number": "X" * 61}, "ordinance_number", "60"),
        ({"document": "999999"}, "document", "valid choice"),
    ],
)
def test_admin_bad_input_is_a_field_error(closed, client, extra, field, message):
    login_with_mfa(client, staff_of("calderon"))
    response = client.post(admin_url(closed), form_data(**extra))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors
    assert not closed.versions.filter(is_enacted=True).exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("ordenanza.pdf", b"%PDF", "(.txt)"),
        ("latin1.txt", "Artículo 1.- Año".encode("latin-1"), "UTF-8"),
        ("grande.txt", b"a" * 600_000, "500 KB"),
        ("nul.txt", b"Art\x00culo", "plain text"),
    ],
)
def test_admin_bad_uploads_are_field_errors(closed, client, name, content, message):
    login_with_mfa(client, staff_of("calderon"))
    data = form_data(text="")
    data["upload"] = SimpleUploadedFile(name, content)
    response = client.post(admin_url(closed), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["upload"])


def test_admin_upload_becomes_the_text(closed, client):
    login_with_mfa(client, staff_of("calderon"))
    data = form_data(text="")
    data["upload"] = SimpleUploadedFile("sancionada.md", ENACTED.encode("utf-8"))
    response = client.post(admin_url(closed), data)
    assert response.status_code == 200
    assert response.context["form"]["text"].value() == ENACTED


def test_admin_refuses_other_zones_and_open_consultations(closed, client, territory):
    login_with_mfa(client, staff_of("tumbaco"))
    refused = client.get(admin_url(closed))
    assert refused.status_code == 403
    assert "Only staff" in refused.content.decode() or "staff" in refused.content.decode()
    assert client.post(admin_url(closed), form_data(action="confirm")).status_code == 403
    assert not closed.versions.filter(is_enacted=True).exists()
    open_page = make_consultation(ZonePage.objects.get(zone__slug="calderon"), slug="abierta")
    login_with_mfa(client, staff_of("calderon"))
    assert client.get(admin_url(open_page)).status_code == 403
    assert client.get("/admin/consultas/999999/texto-sancionado/").status_code == 404


def test_admin_without_mfa_goes_through_the_gate(closed, client):
    client.force_login(staff_of("calderon", mfa=False))
    response = client.post(admin_url(closed), form_data(action="confirm"))
    assert response.status_code == 302
    assert not closed.versions.filter(is_enacted=True).exists()


def test_admin_header_button(closed):
    from consultations.admin_enacted import enacted_header_button

    staff = staff_of("calderon")
    [button] = enacted_header_button(closed, staff, "edit")
    assert button.url == admin_url(closed)
    assert enacted_header_button(closed, staff_of("tumbaco"), "edit") == []
    attach(closed, staff)
    [button] = enacted_header_button(closed, staff_of("tumbaco"), "edit")
    assert button.url.endswith("texto-sancionado/")


def test_no_audit_entry_on_model_log_for_refusals(closed):
    with pytest.raises(PermissionDenied):
        attach(closed, staff_of("calderon", mfa=False))
    assert not ModelLogEntry.objects.filter(action=audit.ENACTED_ATTACH).exists()


def test_the_consultations_edit_page_links_the_form(closed, client):
    login_with_mfa(client, UserFactory(is_superuser=True, is_staff=True))
    body = client.get(f"/admin/pages/{closed.pk}/edit/").content.decode()
    assert admin_url(closed) in body


def test_a_removed_articles_contributions_link_to_its_last_text(closed, client):
    """The enacted text drops article 1 (the others move up): the comment taken up on it
    links to the article as consulted, not to the new article 1."""
    objeto = closed.test_comments[1]
    give(closed, "parcial", comment=objeto, reason="Se suprime; su contenido pasa al título.")
    without = RENUMBERED.replace(
        "Artículo 2.- Objeto.- Regular la participación ciudadana en el Distrito.\n", ""
    )
    attach(closed, staff_of("calderon"), text=without)
    rows = selectors.version_diff(closed.versions.get(number=1), closed.versions.get(number=2))
    removed = [row for row in rows if row["change"] == "removed"]
    assert removed
    body = client.get(f"{closed.url}texto-sancionado/").content.decode()
    link = f"{closed.url}articulo/art-1/?version=1#comentario-{objeto.pk}"
    assert link in body
    page = client.get(link.split("#")[0])
    assert page.status_code == 200 and "El objeto está bien." in page.content.decode()


def test_the_listing_button_only_for_closed_consultations_of_ones_zone(closed, territory):
    from consultations.admin_enacted import enacted_listing_button

    staff = staff_of("calderon")
    [button] = enacted_listing_button(closed, staff)
    assert button.url == admin_url(closed)
    assert enacted_listing_button(closed, staff_of("tumbaco")) == []
    open_page = make_consultation(ZonePage.objects.get(zone__slug="calderon"), slug="abierta")
    assert enacted_listing_button(open_page, staff) == []


TODAY = datetime.date.today()


@given(
    text=st.one_of(st.text(max_size=300), st.text(max_size=60).map(lambda t: ENACTED + t)),
    number=st.one_of(st.text(max_size=80), st.just("PMQ-2026-014")),
    date=st.one_of(
        st.text(max_size=20),
        st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
        st.dates(
            min_value=TODAY - datetime.timedelta(days=40),
            max_value=TODAY + datetime.timedelta(days=3),
        ).map(lambda d: d.strftime("%d/%m/%Y")),
    ),
    document=st.one_of(st.text(max_size=10), st.just("")),
)
@hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_any_input_is_either_accepted_or_a_field_error(closed, text, number, date, document):
    """Whatever is typed, the form answers with field errors or clean data the service
    accepts; never an exception (no 500)."""
    from consultations.admin_enacted import EnactedForm

    staff = staff_of("calderon")
    data = {"text": text, "ordinance_number": number, "enacted_on": date, "document": document}
    form = EnactedForm(data, consultation=closed, user=staff)
    if not form.is_valid():
        assert form.errors
        return
    with transaction.atomic():
        version = attach(
            closed,
            staff,
            text=form.cleaned_data["text"],
            ordinance_number=form.cleaned_data["ordinance_number"],
            enacted_on=form.cleaned_data["enacted_on"],
        )
        assert version.is_enacted
        transaction.set_rollback(True)
