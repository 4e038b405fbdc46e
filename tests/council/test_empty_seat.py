"""The silla vacía: who may apply, withdraw, accredit and reject (secretariat with MFA only,
before the deadline), one live application per organisation and item, one accredited
organisation per item, e-mails at each step, the public form via the test client, and the
listing on the agenda item and the consultation pages with flat query counts."""

import datetime

import pytest
from django import forms
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from wagtail.models import ModelLogEntry

from council import audit, empty_seat
from council.demo_empty_seat import demo_pdf
from council.models import EmptySeatApplication, EmptySeatDocument
from council.services import item_save
from quitodecide.errors import DomainError, PermissionDenied
from quitodecide.mfa import mark_user
from territory.models import Zone
from territory.services import CITY_GROUP_NAME, zone_group_name
from tests.consultations.helpers import make_consultation
from tests.council.helpers import make_session, secretariat
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def pdf(name="registro.pdf", title="Registro"):
    return SimpleUploadedFile(name, demo_pdf(title), content_type="application/pdf")


def fields(**overrides):
    data = {
        "organisation": "Federación de Barrios del Noroccidente",
        "legal_registration": "mies-2019-0457",
        "legal_representative": "Rosa Tituaña",
        "delegate": "Marco Guamán",
        "delegate_email": "marco@example.ec",
        "alternate": "Lucía Morocho",
        "alternate_email": "lucia@example.ec",
        "contact_email": "fbn@example.ec",
    }
    data.update(overrides)
    return data


def make_item(*, days=10, empty_seat_days=3, consultation=None, position=1, session=None):
    actor = secretariat()
    session = session or make_session(actor, days=days, empty_seat_days=empty_seat_days)
    return item_save(
        actor=actor,
        session=session,
        position=position,
        title="Ordenanza de participación ciudadana",
        consultation=consultation,
    )


def submit(item, applicant=None, **overrides):
    files = overrides.pop("files") if "files" in overrides else [pdf()]
    return empty_seat.application_submit(
        item=item, applicant=applicant or UserFactory(), files=files, **fields(**overrides)
    )


def stored_names(storage, folder="silla-vacia"):
    try:
        dirs, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = [f"{folder}/{name}" for name in files]
    for sub in dirs:
        names += stored_names(storage, f"{folder}/{sub}")
    return names


def storage():
    return EmptySeatDocument._meta.get_field("file").storage


@pytest.fixture(autouse=True)
def _empty_private_storage():
    """The private storage is in memory in tests and outlives each test's transaction:
    every test starts with no supporting documents in it."""
    for name in stored_names(storage()):
        storage().delete(name)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what the services schedule on commit (the e-mails) when the block ends."""
    return django_capture_on_commit_callbacks


# --- applying -----------------------------------------------------------------------------
def test_an_organisation_applies_with_its_documents(mailoutbox, commit):
    item = make_item()
    applicant = UserFactory(email="vecina@example.ec")
    with commit(execute=True):
        application = submit(item, applicant, files=[pdf("../../Registro legal.PDF"), pdf("b.pdf")])
    assert application.status == EmptySeatApplication.Status.RECEIVED
    assert application.legal_registration == "MIES-2019-0457"  # normalised
    documents = list(application.documents.all())
    assert [d.original_name for d in documents] == ["Registro legal.pdf", "b.pdf"]
    for document in documents:
        assert document.file.name.startswith("silla-vacia/")
        assert "Registro" not in document.file.name  # stored under a random name
        with document.file.open("rb") as handle:
            assert handle.read().startswith(b"%PDF-")
    # The contact e-mail and the applicant, in Spanish.
    assert sorted(m.to[0] for m in mailoutbox) == ["fbn@example.ec", "vecina@example.ec"]
    assert "Silla vacía: solicitud recibida" in mailoutbox[0].subject
    assert "http://testserver/concejo/silla-vacia/mis-solicitudes/" in mailoutbox[0].body


@pytest.mark.parametrize("who", ["anonymous", "unverified", "no_consent"])
def test_applying_needs_an_account_with_a_verified_email_and_consent(who):
    from django.contrib.auth.models import AnonymousUser

    item = make_item()
    user = {
        "anonymous": lambda: AnonymousUser(),
        "unverified": lambda: UserFactory(verified_email=False),
        "no_consent": lambda: UserFactory(consented=False),
    }[who]()
    with pytest.raises(PermissionDenied):
        submit(item, user)
    assert not EmptySeatApplication.objects.exists()
    assert stored_names(storage()) == []


def test_applying_after_the_deadline_is_refused_with_the_date():
    item = make_item(days=2, empty_seat_days=3)  # deadline one day ago
    with translation.override("en"), pytest.raises(PermissionDenied) as refused:
        submit(item)
    assert "Applications closed on" in str(refused.value.message)
    assert not EmptySeatApplication.objects.exists()


def test_an_item_that_takes_no_applications_refuses_them():
    item = make_item()
    item.empty_seat = False
    item.save()
    with pytest.raises(PermissionDenied):
        submit(item)


def test_one_live_application_per_organisation_and_item():
    item = make_item()
    first = submit(item)
    with translation.override("en"), pytest.raises(DomainError) as refused:
        submit(item, legal_registration="  MIES-2019-0457 ", organisation="Otra")
    assert "already has an application" in str(refused.value.message)
    assert EmptySeatApplication.objects.count() == 1
    assert EmptySeatDocument.objects.count() == 1
    assert len(stored_names(storage())) == 1
    # Withdrawn, it may apply again; another item is another application.
    empty_seat.application_withdraw(application=first, actor=first.applicant)
    submit(item, first.applicant)
    submit(make_item(position=2, session=item.session))
    assert EmptySeatApplication.objects.filter(status="recibida").count() == 2


def test_field_errors_are_given_by_field_in_spanish():
    item = make_item()
    with pytest.raises(ValidationError) as refused:
        submit(
            item,
            organisation="  ",
            delegate_email="no-es-correo",
            alternate="",
            alternate_email="x@example.ec",
            files=[],
        )
    errors = refused.value.message_dict
    with translation.override("es"):
        required = str(forms.Field.default_error_messages["required"])
    assert required != "This field is required."
    assert errors["organisation"] == [required]
    assert errors["delegate_email"] and "correo" in errors["delegate_email"][0]
    assert "alternate" in errors
    assert errors["documents"] == ["Adjunte al menos un documento de respaldo (PDF)."]


# --- withdrawing --------------------------------------------------------------------------
def test_only_the_applicant_withdraws_before_the_deadline(mailoutbox, commit):
    item = make_item()
    application = submit(item)
    with pytest.raises(PermissionDenied):
        empty_seat.application_withdraw(application=application, actor=UserFactory())
    with commit(execute=True):
        empty_seat.application_withdraw(application=application, actor=application.applicant)
    application.refresh_from_db()
    assert application.status == EmptySeatApplication.Status.WITHDRAWN
    assert all("retirada" in m.subject for m in mailoutbox) and mailoutbox
    with pytest.raises(DomainError):
        empty_seat.application_withdraw(application=application, actor=application.applicant)


def test_withdrawing_after_the_deadline_is_refused():
    item = make_item()
    application = submit(item)
    session = item.session
    session.starts_at = timezone.now() + datetime.timedelta(days=1)
    session.save()
    with pytest.raises(PermissionDenied):
        empty_seat.application_withdraw(application=application, actor=application.applicant)
    application.refresh_from_db()
    assert application.status == EmptySeatApplication.Status.RECEIVED


# --- deciding -----------------------------------------------------------------------------
def zone_staff(territory, *, city=False):
    user = UserFactory()
    zone = Zone.objects.order_by("pk").first()
    name = CITY_GROUP_NAME if city else zone_group_name(zone)
    user.groups.add(Group.objects.get(name=name))
    mark_user(user, True)
    return user


@pytest.mark.parametrize("who", ["applicant", "zone_staff", "city_staff", "no_mfa", "superuser"])
def test_only_the_secretariat_with_mfa_decides(territory, who):
    item = make_item()
    application = submit(item)
    actor = {
        "applicant": lambda: application.applicant,
        "zone_staff": lambda: zone_staff(territory),
        "city_staff": lambda: zone_staff(territory, city=True),
        "no_mfa": lambda: secretariat(),
        "superuser": lambda: UserFactory(is_superuser=True, is_staff=True),
    }[who]()
    if who == "no_mfa":
        mark_user(actor, False)
    if who == "superuser":
        mark_user(actor, True)
    with pytest.raises(PermissionDenied):
        empty_seat.application_decide(application=application, actor=actor, accredit=True)
    application.refresh_from_db()
    assert application.status == EmptySeatApplication.Status.RECEIVED
    assert not ModelLogEntry.objects.filter(action=audit.EMPTY_SEAT_DECIDE).exists()


def test_the_secretariat_accredits_with_an_audit_entry_and_an_email(mailoutbox, commit):
    item = make_item()
    application = submit(item)
    secretary = secretariat()
    with commit(execute=True):
        empty_seat.application_decide(
            application=application, actor=secretary, accredit=True, reason=""
        )
    application.refresh_from_db()
    assert application.status == EmptySeatApplication.Status.ACCREDITED
    assert application.decided_by == secretary and application.decided_at
    entry = ModelLogEntry.objects.get(action=audit.EMPTY_SEAT_DECIDE)
    assert entry.user_id == secretary.pk and entry.data["status"] == "acreditada"
    assert mailoutbox and "acreditada" in mailoutbox[0].subject


def test_rejecting_needs_a_reason_which_is_sent(mailoutbox, commit):
    item = make_item()
    application = submit(item)
    secretary = secretariat()
    with pytest.raises(ValidationError) as refused:
        empty_seat.application_decide(
            application=application, actor=secretary, accredit=False, reason="   "
        )
    assert refused.value.message_dict["reason"] == ["Indique el motivo del rechazo."]
    application.refresh_from_db()
    assert application.status == EmptySeatApplication.Status.RECEIVED
    with commit(execute=True):
        empty_seat.application_decide(
            application=application,
            actor=secretary,
            accredit=False,
            reason="Nombramiento caducado.",
        )
    application.refresh_from_db()
    assert application.status == EmptySeatApplication.Status.REJECTED
    assert "Nombramiento caducado." in mailoutbox[0].body
    assert "rechazada" in mailoutbox[0].subject


def test_deciding_after_the_deadline_is_refused():
    item = make_item()
    application = submit(item)
    session = item.session
    session.starts_at = timezone.now() + datetime.timedelta(hours=30)
    session.save()
    for accredit, reason in ((True, ""), (False, "Tarde.")):
        with pytest.raises(PermissionDenied):
            empty_seat.application_decide(
                application=application, actor=secretariat(), accredit=accredit, reason=reason
            )
    application.refresh_from_db()
    assert application.status == EmptySeatApplication.Status.RECEIVED


def test_one_accredited_organisation_per_item():
    item = make_item()
    first = submit(item)
    second = submit(item, legal_registration="1792345678001", organisation="Colectivo")
    secretary = secretariat()
    empty_seat.application_decide(application=first, actor=secretary, accredit=True)
    with translation.override("en"), pytest.raises(DomainError) as refused:
        empty_seat.application_decide(application=second, actor=secretary, accredit=True)
    assert "already accredited" in str(refused.value.message)
    # Revoking the first (with a reason) frees the seat.
    empty_seat.application_decide(
        application=first, actor=secretary, accredit=False, reason="Desistió."
    )
    empty_seat.application_decide(application=second, actor=secretary, accredit=True)
    assert list(
        EmptySeatApplication.objects.filter(status="acreditada").values_list("pk", flat=True)
    ) == [second.pk]


def test_withdrawn_and_rejected_applications_are_not_decided_again():
    item = make_item()
    application = submit(item)
    empty_seat.application_withdraw(application=application, actor=application.applicant)
    with pytest.raises(DomainError):
        empty_seat.application_decide(application=application, actor=secretariat(), accredit=True)
    with pytest.raises(DomainError):
        empty_seat.application_decide(
            application=application, actor=secretariat(), accredit=False, reason="x"
        )


# --- the public form ----------------------------------------------------------------------
@pytest.fixture
def item():
    return make_item()


def test_the_form_shows_the_deadline_and_asks_anonymous_visitors_to_log_in(client, item):
    response = client.get(f"/concejo/silla-vacia/punto/{item.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-refusal="login"' in html
    assert f"/cuenta/login/?next=%2Fconcejo%2Fsilla-vacia%2Fpunto%2F{item.pk}%2F" in html or (
        "next=%2Fconcejo%2Fsilla-vacia%2Fpunto" in html
    )
    assert 'id="empty-seat-deadline"' in html
    assert 'enctype="multipart/form-data"' not in html  # no form for them


def test_the_form_explains_an_unverified_email(client, item):
    client.force_login(UserFactory(verified_email=False))
    html = client.get(f"/concejo/silla-vacia/punto/{item.pk}/").content.decode()
    assert 'data-refusal="email"' in html
    assert "Confirme su dirección de correo" in html


def test_the_form_says_when_it_closed(client):
    item = make_item(days=1, empty_seat_days=3)
    client.force_login(UserFactory())
    response = client.get(f"/concejo/silla-vacia/punto/{item.pk}/")
    html = response.content.decode()
    assert 'data-refusal="phase"' in html and "Las solicitudes se cerraron" in html
    response = client.post(f"/concejo/silla-vacia/punto/{item.pk}/", {**fields()})
    assert response.status_code == 403
    assert not EmptySeatApplication.objects.exists()


def test_unknown_items_are_404(client):
    assert client.get("/concejo/silla-vacia/punto/999999/").status_code == 404


def test_the_form_flow_applies_confirms_and_lists_mine(client, item, mailoutbox, commit):
    user = UserFactory(email="presidenta@example.ec")
    client.force_login(user)
    url = f"/concejo/silla-vacia/punto/{item.pk}/"
    page = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in page and "csrfmiddlewaretoken" in page
    with commit(execute=True):
        response = client.post(url, {**fields(), "documents": [pdf("a.pdf"), pdf("b.pdf")]})
    application = EmptySeatApplication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/concejo/silla-vacia/solicitud/{application.pk}/"
    done = client.get(response["Location"]).content.decode()
    assert "Solicitud recibida" in done and "a.pdf" in done
    assert {m.to[0] for m in mailoutbox} == {"fbn@example.ec", "presidenta@example.ec"}
    assert all(m.subject.startswith("Silla vacía: solicitud recibida") for m in mailoutbox)
    # Mis solicitudes: status and withdraw; another person sees none of it.
    mine = client.get("/concejo/silla-vacia/mis-solicitudes/").content.decode()
    assert "Federación de Barrios del Noroccidente" in mine and "Recibida" in mine
    withdraw = f"/concejo/silla-vacia/solicitud/{application.pk}/retirar/"
    assert withdraw in mine
    other = client_for(UserFactory())
    assert other.get(response["Location"]).status_code == 404
    assert other.post(withdraw).status_code == 404
    assert client.post(withdraw).status_code == 302
    application.refresh_from_db()
    assert application.status == EmptySeatApplication.Status.WITHDRAWN


def client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_the_rejection_reason_shows_in_mis_solicitudes(client, item):
    application = submit(item)
    empty_seat.application_decide(
        application=application, actor=secretariat(), accredit=False, reason="Falta el RUC."
    )
    client.force_login(application.applicant)
    html = client.get("/concejo/silla-vacia/mis-solicitudes/").content.decode()
    assert "Rechazada" in html and "Falta el RUC." in html
    assert "retirar" not in html


def test_mis_solicitudes_asks_to_log_in(client):
    response = client.get("/concejo/silla-vacia/mis-solicitudes/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_submissions_are_rate_limited_per_account(client, item):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(UserFactory())
    url = f"/concejo/silla-vacia/punto/{item.pk}/"
    for n in range(5):
        data = {**fields(legal_registration=f"REG-{n}"), "documents": [pdf()]}
        assert client.post(url, data).status_code == 302
    data = {**fields(legal_registration="REG-6"), "documents": [pdf()]}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Too many attempts" in response.content.decode()
    assert EmptySeatApplication.objects.count() == 5


# --- the public listing -------------------------------------------------------------------
def test_the_item_page_lists_the_accredited_organisation_without_emails(client):
    consultation = make_consultation(slug="ordenanza-silla")
    item = make_item(consultation=consultation)
    accredited = submit(item)
    submit(item, legal_registration="OTRA-1", organisation="Comité Pendiente")
    empty_seat.application_decide(application=accredited, actor=secretariat(), accredit=True)
    html = client.get(f"/concejo/sesion/{item.session_id}/punto/{item.position}/").content.decode()
    assert "Federación de Barrios del Noroccidente" in html
    assert "Marco Guamán" in html and "Lucía Morocho" in html
    assert "MIES-2019-0457" in html  # the registration is public record
    assert "marco@example.ec" not in html and "fbn@example.ec" not in html
    assert "Comité Pendiente" not in html
    assert f"/concejo/silla-vacia/punto/{item.pk}/" in html  # still taking applications


def _consultation_with_items(count):
    consultation = make_consultation(slug=f"consulta-{count}")
    actor = secretariat()
    session = make_session(actor, days=10)
    for position in range(1, count + 1):
        item = item_save(
            actor=actor,
            session=session,
            position=position,
            title=f"Punto {position}",
            consultation=consultation,
        )
        for n in range(2):
            application = submit(item, legal_registration=f"R-{position}-{n}")
            if n == 0:
                empty_seat.application_decide(application=application, actor=actor, accredit=True)
    return consultation


def test_the_consultation_page_lists_its_items_in_two_queries(django_assert_num_queries):
    from django.template import Context, Template

    template = Template(
        "{% load empty_seat %}{% empty_seat_of_consultation page as items %}"
        "{% for i in items %}{% for a in i.accredited %}{{ a.organisation }}"
        "{% endfor %}{% endfor %}"
    )
    for count in (1, 6):
        consultation = _consultation_with_items(count)
        with django_assert_num_queries(2):
            html = template.render(Context({"page": consultation}))
        assert html.count("Federación") == count


def test_the_consultation_page_links_the_form_and_shows_nothing_without_items(client):
    consultation = _consultation_with_items(1)
    html = client.get(consultation.url).content.decode()
    item = consultation.agenda_items.get()
    assert 'id="concejo"' in html
    assert f"/concejo/silla-vacia/punto/{item.pk}/" in html
    assert "Federación de Barrios del Noroccidente" in html
    lonely = make_consultation(slug="sin-concejo")
    assert 'id="concejo"' not in client.get(lonely.url).content.decode()


# --- the demo -----------------------------------------------------------------------------
def test_the_demo_has_an_accredited_a_rejected_and_a_pending_application(territory):
    from council.demo import load_demo_council
    from council.demo_empty_seat import load_demo_empty_seat

    make_consultation(slug="ordenanza-participacion-ciudadana")
    load_demo_council()
    load_demo_empty_seat()
    load_demo_empty_seat()  # idempotent
    by_status = {a.status: a for a in EmptySeatApplication.objects.all()}
    assert EmptySeatApplication.objects.count() == 3
    accredited = by_status["acreditada"]
    assert accredited.organisation == "Federación de Barrios del Noroccidente"
    assert accredited.alternate and accredited.delegate
    assert accredited.item.consultation_id is not None
    for document in accredited.documents.all():
        with document.file.open("rb") as handle:
            assert handle.read().startswith(b"%PDF-")
    assert by_status["rechazada"].decision_reason
    assert "recibida" in by_status
