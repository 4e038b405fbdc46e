"""Downloading one's data (/cuenta/mis-datos/): what the ZIP holds (one of every kind of
contribution, nothing of anyone else, no cédula hash, no MFA secret), who may download it,
the daily limit, one export at a time, expiry, failure, the e-mail, flat query counts, and
that every foreign key to a person is either exported or excluded on purpose."""

import csv
import datetime
import io
import json
import zipfile
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.cedula import cycle_voter_key
from accounts.models import Consent
from assemblies.models import Ballot as PollBallot
from assemblies.models import Poll, PollOption, Question, QuestionUpvote
from budgets.models import Ballot, BallotLine
from consultations.models import Provision
from discussions.models import Comment, Flag, Thread
from discussions.models import Support as CommentSupport
from privacy import export_coverage, export_data, exports
from privacy.models import DataExport
from proposals.models import RequestImage
from proposals.models import Support as RequestSupport
from quitodecide import exports as export_module
from tests.assemblies.conftest import make_assembly
from tests.budgets.builders import make_cycle, make_request, make_resident
from tests.consultations.helpers import make_consultation
from tests.works.builders import make_work
from verification.models import VerificationRecord, VerificationRequest
from works.models import Follow, Observation

CEDULA_HASH = "c0ffee" * 10 + "beef"
MFA_SECRET = "JBSWY3DPEHPK3PXPSECRETO"
MINE = "MIO"
THEIRS = "AJENO-no-debe-salir"
URL = "/cuenta/mis-datos/"


def contributions(user, marker: str, *, zone_slug="calderon"):
    """One of every kind of contribution by `user`, each text carrying `marker`."""
    from territory.models import ZonePage

    resident = user.resident
    Consent.objects.get_or_create(user=user, purpose="privacy_policy", policy_version="2026-11")
    EmailAddress.objects.create(user=user, email=f"otro-{marker.lower()}@example.ec")
    # A comment on a public work, with its observation; the work is followed.
    work = make_work(zone_slug, title=f"Obra {marker}")
    on_work = Comment.objects.create(thread=work.thread, author=user, body=f"Obra va {marker}")
    Observation.objects.create(work=work, comment=on_work, assessment="avanza")
    Follow.objects.create(work=work, user=user)
    # A comment on an article of a consultation.
    consultation = make_consultation(slug=f"consulta-{marker.lower()}")
    provision = Provision.objects.filter(
        version__consultation=consultation, thread__isnull=False
    ).first()
    Comment.objects.create(
        thread=provision.thread, author=user, body=f'=HYPERLINK("x") {marker}', stance="favor"
    )
    # Support and flag someone else's comment.
    stranger = make_resident(zone_slug)
    theirs = Comment.objects.create(thread=work.thread, author=stranger, body="ajeno")
    CommentSupport.objects.create(comment=theirs, user=user)
    Flag.objects.create(comment=theirs, user=user, reason="spam")
    # A budget request with a photo, a support and a ballot.
    cycle = make_cycle(zone_slug, year=2026 if marker == MINE else 2027)
    request = make_request(cycle, author=user, title=f"Solicitud {marker}")
    RequestImage.objects.create(
        request=request, image="presupuestos/x.jpg", width=8, height=6, alt_text=f"Foto {marker}"
    )
    other_request = make_request(cycle, title="Otra solicitud")
    RequestSupport.objects.create(request=other_request, resident=resident)
    ballot = Ballot.objects.create(cycle=cycle, resident=resident, total_cost=Decimal("10000.00"))
    BallotLine.objects.create(ballot=ballot, request=other_request, cost=Decimal("10000.00"))
    # A ballot registered for the person at a booth, in another cycle: no account on it.
    booth_cycle = make_cycle(zone_slug, year=2030 if marker == MINE else 2031)
    booth_request = make_request(booth_cycle, title=f"Proyecto en mesa {marker}")
    booth = Ballot.objects.create(
        cycle=booth_cycle,
        channel="booth",
        booth=f"Mesa {marker}",
        voter_key=cycle_voter_key(resident.cedula_hash, booth_cycle.pk),
        total_cost=Decimal("10000.00"),
    )
    BallotLine.objects.create(ballot=booth, request=booth_request, cost=Decimal("10000.00"))
    # Verification: a record and a request.
    VerificationRecord.objects.create(
        resident=resident,
        method="census",
        zone=resident.zone,
        verified_at=timezone.now(),
        expires_at=timezone.now() + datetime.timedelta(days=365),
        reason=f"Padrón {marker}",
    )
    VerificationRequest.objects.create(
        resident=resident, zone=resident.zone, message=f"Por favor {marker}", status="verified"
    )
    # An assembly: a vote, a question, an upvote.
    zone_page = ZonePage.objects.get(zone__slug=zone_slug)
    assembly = make_assembly(zone_page, slug=f"asamblea-{marker.lower()}")
    poll = Poll.objects.create(assembly=assembly, question=f"¿Votación {marker}?", mode="online")
    option = PollOption.objects.create(poll=poll, label=f"Sí {marker}")
    PollBallot.objects.create(poll=poll, option=option, voter=user)
    Question.objects.create(assembly=assembly, author=user, text=f"Pregunta {marker}")
    public = Question.objects.create(
        assembly=assembly, author=stranger, text="Pregunta pública", status="approved"
    )
    QuestionUpvote.objects.create(question=public, user=user)
    return {"work": work, "request": request, "cycle": cycle}


@pytest.fixture
def person(territory):
    user = make_resident("calderon")
    type(user.resident).objects.filter(pk=user.resident.pk).update(
        cedula_hash=CEDULA_HASH, display_name=f"Vecina {MINE}"
    )
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": MFA_SECRET}
    )
    user.refresh_from_db()
    return user


def build_for(user, django_capture_on_commit_callbacks) -> DataExport:
    with django_capture_on_commit_callbacks(execute=True):
        export = exports.export_request(user=user)
    export.refresh_from_db()
    return export


def members(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def csv_rows(data: bytes) -> list[dict]:
    text = data.decode("utf-8")
    assert text.startswith(export_module.BOM)
    return list(csv.DictReader(io.StringIO(text.removeprefix(export_module.BOM), newline="")))


def download(client, export):
    return client.get(reverse("privacy:export_download", args=[export.pk]))


# --- contents ----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_zip_holds_one_of_every_contribution_and_nothing_of_anyone_else(
    client, person, django_capture_on_commit_callbacks
):
    mine = contributions(person, MINE)
    other = make_resident("calderon")
    contributions(other, THEIRS)
    export = build_for(person, django_capture_on_commit_callbacks)
    assert export.status == "ready" and export.size > 0

    client.force_login(person)
    response = download(client, export)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="mis-datos-')
    assert response["Cache-Control"] == "private, no-store"
    files = members(response.content)
    expected = {"datos.json", "cuenta.csv", "leeme.txt"} | {
        f"{section}.csv" for section in export_data.LIST_SECTIONS
    }
    assert set(files) == expected

    everything = b"".join(files.values()).decode("utf-8")
    assert THEIRS not in everything and other.email not in everything
    assert CEDULA_HASH not in everything and MFA_SECRET not in everything
    assert "ajeno" not in everything  # the text of someone else's comment we supported

    data = json.loads(files["datos.json"])
    assert data["cuenta"]["correo"] == person.email
    assert data["cuenta"]["doble_factor_activo"] is True
    assert data["perfil"]["cedula_registrada"] is True
    assert data["perfil"]["nombre_publico"] == f"Vecina {MINE}"
    assert {e["correo"] for e in data["correos"]} == {person.email, "otro-mio@example.ec"}
    assert [c["version_politica"] for c in data["consentimientos"]] == ["2026-11"]
    bodies = {c["texto"] for c in data["comentarios"]}
    assert bodies == {f"Obra va {MINE}", f'=HYPERLINK("x") {MINE}'}  # JSON: text as typed
    work_comment = next(c for c in data["comentarios"] if c["texto"].startswith("Obra"))
    work_url = reverse("works:detail", args=[mine["work"].code])
    assert work_comment["enlace"].startswith(settings.SITE_BASE_URL + work_url + "#comentario-")
    assert work_comment["sobre"] == f"Obra {MINE}"
    article = next(c for c in data["comentarios"] if c["texto"].startswith("="))
    assert "/consulta-mio/" in article["enlace"] and article["postura"]
    assert len(data["apoyos_comentarios"]) == len(data["reportes_comentarios"]) == 1
    assert data["observaciones_obras"][0]["obra"] == f"Obra {MINE}"
    assert data["obras_seguidas"][0]["codigo"] == mine["work"].code
    [request] = data["solicitudes"]
    assert request["titulo"] == f"Solicitud {MINE}" and request["estado"]
    assert request["imagenes"][0]["descripcion"] == f"Foto {MINE}"
    assert data["imagenes_solicitudes"][0]["solicitud"] == request["referencia"]
    assert data["apoyos_solicitudes"][0]["titulo"] == "Otra solicitud"
    # Only the online ballot: a booth ballot carries no account, and whoever registers a
    # cédula would otherwise read how its owner voted at a booth (secret ballot).
    [online] = data["votos_presupuesto"]
    assert online["costo_total_usd"] == "10000.00"
    assert [p["titulo"] for p in online["proyectos"]] == ["Otra solicitud"]
    assert f"Proyecto en mesa {MINE}" not in json.dumps(data, ensure_ascii=False)
    assert data["verificaciones"][0]["motivo"] == f"Padrón {MINE}"
    assert data["solicitudes_verificacion"][0]["mensaje"] == f"Por favor {MINE}"
    assert data["votos_asambleas"][0]["opcion"] == f"Sí {MINE}"
    assert data["preguntas_asambleas"][0]["pregunta"] == f"Pregunta {MINE}"
    assert data["votos_preguntas"][0]["pregunta"] == "Pregunta pública"
    assert data["solicitudes_derechos"][0]["tipo"] == "exportacion"
    assert data["actividad_personal"] == []

    # The CSVs say the same, formula-safe.
    comments = csv_rows(files["comentarios.csv"])
    assert {row["texto"] for row in comments} == {f"Obra va {MINE}", f'\'=HYPERLINK("x") {MINE}'}
    account = {row["campo"]: row["valor"] for row in csv_rows(files["cuenta.csv"])}
    assert account["perfil_cedula_registrada"] in {"yes", "sí"}
    assert account["correo"] == person.email
    lines = csv_rows(files["votos_presupuesto.csv"])
    assert [row["proyecto_titulo"] for row in lines] == ["Otra solicitud"]
    assert len(csv_rows(files["votos_asambleas.csv"])) == 1
    assert "datos.json" in files["leeme.txt"].decode("utf-8")


@pytest.mark.django_db
def test_staff_get_counts_of_their_official_acts_not_the_rows(
    person, django_capture_on_commit_callbacks
):
    from tests.budgets.builders import make_staff

    staff = make_staff("calderon")
    resident = person.resident
    type(resident).objects.filter(pk=resident.pk).update(verified_by=staff)
    export = build_for(staff, django_capture_on_commit_callbacks)
    data = json.loads(members(export.file.open("rb").read())["datos.json"])
    assert {"actividad": "residentes_verificados", "cantidad": 1} in data["actividad_personal"]
    assert person.email not in json.dumps(data)
    assert data["perfil"] is None  # staff without a resident profile


# --- who may download ------------------------------------------------------------------------
@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(client, person, django_capture_on_commit_callbacks):
    export = build_for(person, django_capture_on_commit_callbacks)
    for response in (
        client.get(URL),
        client.post(reverse("privacy:export_request")),
        download(client, export),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert DataExport.objects.count() == 1


@pytest.mark.django_db
def test_another_persons_export_is_not_found(client, person, django_capture_on_commit_callbacks):
    export = build_for(person, django_capture_on_commit_callbacks)
    client.force_login(make_resident("calderon"))
    response = download(client, export)
    assert response.status_code == 404
    assert not hasattr(response, "export")


@pytest.mark.django_db
def test_the_file_is_not_under_a_public_address(client, person, django_capture_on_commit_callbacks):
    export = build_for(person, django_capture_on_commit_callbacks)
    assert export.file.name.startswith("privado/exportaciones/")
    client.force_login(person)
    assert client.get(settings.MEDIA_URL + export.file.name).status_code == 404


@pytest.mark.django_db
def test_a_download_not_ready_yet_is_not_found(client, person):
    export = DataExport.objects.create(user=person)
    client.force_login(person)
    assert download(client, export).status_code == 404


# --- requesting: POST, one at a time, daily limit ------------------------------------------
@pytest.mark.django_db
def test_requesting_from_the_page_builds_it_and_the_page_offers_it(
    client, person, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(person)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get(reverse("privacy:export_request")).status_code == 405  # POST only
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:export_request"))
    assert response.status_code == 302 and response["Location"].endswith("#descargar")
    export = DataExport.objects.get(user=person)
    assert export.status == "ready"
    page = client.get(URL).content.decode()
    link = reverse("privacy:export_download", args=[export.pk])
    assert f'href="{link}"' in page
    assert export.expires_at - export.finished_at == datetime.timedelta(
        days=settings.DATA_EXPORT_DAYS
    )
    [message] = mailoutbox
    assert message.to == [person.email]
    assert settings.SITE_BASE_URL + URL + "#descargar" in message.body
    assert "Quito Decide" in message.subject


@pytest.mark.django_db
def test_the_post_needs_the_csrf_token(person):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    assert client.post(reverse("privacy:export_request")).status_code == 403
    assert not DataExport.objects.exists()


@pytest.mark.django_db
def test_no_new_export_while_one_is_waiting_or_running(client, person):
    client.force_login(person)
    for status in ("pending", "running"):
        DataExport.objects.all().delete()
        DataExport.objects.create(user=person, status=status)
        response = client.post(reverse("privacy:export_request"))
        assert response.status_code == 302
        assert DataExport.objects.filter(user=person).count() == 1
    from quitodecide.errors import DomainError

    with pytest.raises(DomainError):
        exports.export_request(user=person)


@pytest.mark.django_db
def test_an_export_whose_build_died_does_not_block_forever(
    client, person, django_capture_on_commit_callbacks
):
    stale = DataExport.objects.create(user=person, status="running")
    DataExport.objects.filter(pk=stale.pk).update(
        requested_at=timezone.now() - exports.STALE_AFTER - datetime.timedelta(minutes=1)
    )
    client.force_login(person)
    assert b'action="/cuenta/mis-datos/descargar/"' in client.get(URL).content  # offered
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("privacy:export_request"))
    stale.refresh_from_db()
    assert stale.status == "failed" and stale.error
    assert DataExport.objects.filter(user=person, status="ready").count() == 1


@pytest.mark.django_db
def test_three_requests_a_day_then_a_message(client, person, django_capture_on_commit_callbacks):
    client.force_login(person)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("privacy:export_request"))
    assert DataExport.objects.filter(user=person, status="ready").count() == 3
    response = client.post(reverse("privacy:export_request"), follow=True)
    assert DataExport.objects.filter(user=person).count() == 3
    assert "several times today" in response.content.decode()
    # Someone else's counter is their own.
    other = make_resident("calderon")
    client.force_login(other)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("privacy:export_request"))
    assert DataExport.objects.filter(user=other).count() == 1


# --- expiry and failure ----------------------------------------------------------------------
@pytest.mark.django_db
def test_expired_exports_lose_their_file(client, person, django_capture_on_commit_callbacks):
    export = build_for(person, django_capture_on_commit_callbacks)
    name, storage = export.file.name, export.file.storage
    assert storage.exists(name)
    assert exports.purge_expired(timezone.now()) == 0  # not yet
    later = export.expires_at + datetime.timedelta(seconds=1)
    assert exports.purge_expired(later) == 1
    export.refresh_from_db()
    assert export.status == "expired" and not export.file and not storage.exists(name)
    assert exports.purge_expired(later) == 0  # idempotent
    client.force_login(person)
    response = download(client, export)
    assert response.status_code == 302 and not hasattr(response, "export")


@pytest.mark.django_db
def test_past_its_date_it_is_not_served_even_before_the_purge(
    client, person, django_capture_on_commit_callbacks
):
    export = build_for(person, django_capture_on_commit_callbacks)
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now())
    client.force_login(person)
    response = download(client, export)
    assert response.status_code == 302 and not hasattr(response, "export")


@pytest.mark.django_db
def test_the_purge_command(person, django_capture_on_commit_callbacks):
    export = build_for(person, django_capture_on_commit_callbacks)
    DataExport.objects.filter(pk=export.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    out = io.StringIO()
    call_command("purge_data_exports", stdout=out)
    assert out.getvalue().startswith("1 ")
    assert DataExport.objects.get(pk=export.pk).status == "expired"


@pytest.mark.django_db
def test_a_failed_build_leaves_no_file_and_says_so_in_spanish(
    client, person, mailoutbox, monkeypatch
):
    """The ZIP was written to storage, then saving the row failed: the file is deleted."""
    export = DataExport.objects.create(user=person)
    storage = DataExport._meta.get_field("file").storage
    folder = "privado/exportaciones"
    before = set(storage.listdir(folder)[1]) if storage.exists(folder) else set()
    original_save = DataExport.save

    def failing_save(self, *args, **kwargs):
        if "file" in (kwargs.get("update_fields") or ()):
            raise RuntimeError("database went away")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(DataExport, "save", failing_save)
    assert exports.build(export.pk) == "failed"
    monkeypatch.undo()
    export.refresh_from_db()
    assert export.status == "failed" and not export.file and export.size == 0
    assert export.error.startswith("No pudimos preparar") or "could not be prepared" in export.error
    assert mailoutbox == []
    after = set(storage.listdir(folder)[1])
    assert after == before  # the ZIP written before the failure was deleted
    client.force_login(person)
    assert download(client, export).status_code == 404


@pytest.mark.django_db
def test_a_failure_while_collecting_marks_it_failed(person, monkeypatch):
    def boom(user):
        raise RuntimeError("database went away")

    monkeypatch.setattr(export_data, "collect", boom)
    export = DataExport.objects.create(user=person)
    assert exports.build(export.pk) == "failed"
    export.refresh_from_db()
    assert export.status == "failed" and export.error and not export.file


# --- query count -------------------------------------------------------------------------------
def _queries_for(user, comments: int) -> int:
    for number in range(comments):
        thread = Thread.objects.create(title=f"Hilo {number}")
        comment = Comment.objects.create(thread=thread, author=user, body=f"Comentario {number}")
        CommentSupport.objects.create(comment=comment, user=user)
    with CaptureQueriesContext(connection) as queries:
        exports.archive_files(user)
    return len(queries)


@pytest.mark.django_db
def test_the_query_count_does_not_grow_with_the_comments(person):
    other = make_resident("calderon")
    assert _queries_for(person, 5) == _queries_for(other, 50)


# --- every foreign key to a person is exported or excluded on purpose ------------------------
def test_every_relation_to_a_person_is_exported_or_excluded_on_purpose():
    found = export_coverage.person_foreign_keys()
    missing = [
        (label, field)
        for label, field, is_page in found
        if (label, field) not in export_coverage.COVERED
        and (label, field) not in export_coverage.EXCLUDED
        and not (is_page and field in export_coverage.EXCLUDED_PAGE_FIELDS)
    ]
    assert missing == [], "export them (privacy/export_data.py, COVERED) or add to EXCLUDED"
    known = {(label, field) for label, field, _page in found}
    stale = (set(export_coverage.COVERED) | set(export_coverage.EXCLUDED)) - known
    assert stale == set(), "these relations no longer exist"
    assert all(reason for reason in export_coverage.EXCLUDED.values())


# --- the page ----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_page_sections_come_in_order(client, person):
    client.force_login(person)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    anchors = [
        'id="descargar"',
        'id="corregir"',
        'id="verificacion"',
        'id="consentimiento"',
        'id="eliminar"',
        'href="/privacidad/registro/"',
    ]
    positions = [page.index(anchor) for anchor in anchors]
    assert positions == sorted(positions)
    assert 'action="/cuenta/mis-datos/descargar/"' in page
    assert f'href="{reverse("accounts:profile")}"' in page
    assert f'href="{reverse("account_email")}"' in page
    assert 'href="/cuenta/verificacion/"' in page and 'href="/privacidad/registro/"' in page
    assert f"Vecina {MINE}" in page  # the profile, read-only
    assert CEDULA_HASH not in page


@pytest.mark.django_db
def test_the_page_works_for_an_account_without_a_resident_profile(client, territory):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(URL).status_code == 200


# --- the export module's corpus (tests/test_exports.py runs it) ---------------------------
def exercise_my_data(client):
    """Residents' formulas typed as comments reach the ZIP's CSV escaped and its JSON as
    typed."""
    from tests.test_exports import CORPUS, assert_corpus_escaped, assert_formula_safe

    user = make_resident("calderon")
    thread = Thread.objects.create(title="=1+1")
    for formula in CORPUS:
        Comment.objects.create(thread=thread, author=user, body=formula)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.db.transaction.on_commit", lambda fn, robust=False: fn())
        export = exports.export_request(user=user)
    export.refresh_from_db()
    client.force_login(user)
    response = download(client, export)
    files = members(response.content)
    numeric = {"id", "respuesta_a", "version_comentada", "apoyos_recibidos", "comentario_id"}
    for name, content in files.items():
        if name.endswith(".csv"):
            text = content.decode("utf-8").removeprefix(export_module.BOM)
            assert_formula_safe(list(csv.reader(io.StringIO(text, newline=""))), numeric)
    text = files["comentarios.csv"].decode("utf-8").removeprefix(export_module.BOM)
    assert_corpus_escaped(list(csv.reader(io.StringIO(text, newline=""))))
    bodies = {c["texto"] for c in json.loads(files["datos.json"])["comentarios"]}
    assert set(CORPUS) <= bodies
    return [response]


@pytest.mark.django_db
def test_the_exerciser_runs_the_corpus_through_the_zip(client, territory):
    [response] = exercise_my_data(client)
    assert response.export == "privacy.my_data" and response.export_format == "zip"


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    bodies=st.lists(
        st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")),
        max_size=3,
    )
)
def test_any_text_comes_out_exact_in_json_and_formula_safe_in_csv(person, bodies):
    Comment.objects.filter(author=person).delete()
    thread = Thread.objects.get_or_create(title="Hilo")[0]
    for body in bodies:
        Comment.objects.create(thread=thread, author=person, body=body)
    files = exports.archive_files(person)
    data = json.loads(files["datos.json"])
    assert sorted(c["texto"] for c in data["comentarios"]) == sorted(bodies)
    text = files["comentarios.csv"].decode("utf-8").removeprefix(export_module.BOM)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == len(bodies)
    for row in rows:
        assert not row["texto"].startswith(export_module.FORMULA_PREFIXES)
        assert row["texto"] in {export_module.safe_cell(body) for body in bodies}


@pytest.mark.django_db
@pytest.mark.parametrize("broken", ["missing", "not a zip"])
def test_a_lost_or_corrupt_file_is_a_message_not_an_error(
    client, person, broken, django_capture_on_commit_callbacks
):
    export = build_for(person, django_capture_on_commit_callbacks)
    storage = export.file.storage
    storage.delete(export.file.name)
    if broken == "not a zip":
        from django.core.files.base import ContentFile

        storage.save(export.file.name, ContentFile(b"esto no es un zip"))
    client.force_login(person)
    response = download(client, export)
    assert response.status_code == 302 and not hasattr(response, "export")


@pytest.mark.django_db
def test_the_page_names_the_verification_method(client, person):
    type(person.resident).objects.filter(pk=person.resident.pk).update(verification_method="staff")
    client.force_login(person)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(URL).content.decode()
    from accounts.verification import method_label

    assert f"<dd>{method_label('staff')}</dd>" in page
