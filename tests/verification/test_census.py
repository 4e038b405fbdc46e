"""Census files: upload by the city-wide team (row report, hashes only, the file kept
nowhere), and residents verifying themselves against them."""

import datetime
import os
import tempfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.models import ModelLogEntry

from accounts.cedula import cedula_hash
from accounts.models import Resident
from quitodecide.errors import DomainError, PermissionDenied
from territory.models import Zone
from tests.factories import ResidentFactory, UserFactory, login_with_mfa
from verification import hashing, services
from verification.census import parse_census
from verification.models import CensusBatch, CensusEntry, VerificationRecord

from .helpers import (
    assert_no_clear_cedula,
    cedulas,
    census_csv,
    city_staff,
    parish,
    resident_in,
    zone_staff,
)

pytestmark = pytest.mark.django_db

BORN = datetime.date(1980, 12, 31)


@pytest.fixture
def calderon(territory):
    return Zone.objects.get(slug="calderon")


@pytest.fixture
def people():
    return cedulas(3, start=100)


@pytest.fixture
def batch(calderon, people):
    rows = [(number, f"{BORN:%d/%m/%Y}") for number in people]
    made, report = services.census_upload(
        actor=city_staff(), zone=calderon, label="Padrón 2026", content=census_csv(rows)
    )
    assert report.valid and made is not None
    return made


# --- parsing and upload ---------------------------------------------------------------------
def test_upload_stores_only_hashes(batch, people):
    assert batch.rows == 3 and batch.kind == CensusBatch.Kind.BIRTH_DATE
    entry = CensusEntry.objects.get(batch=batch, cedula_hash=cedula_hash(people[0]))
    assert entry.birth_hash == hashing.birth_hash(people[0], BORN)
    assert people[0] not in entry.birth_hash
    entry_log = ModelLogEntry.objects.get(action="verification.census_upload")
    assert entry_log.data == {"zone": batch.zone_id, "kind": "birth_date", "rows": 3}
    assert_no_clear_cedula(people, texts=[str(entry_log.data)])


def test_row_report_names_rows_and_stores_nothing(calderon, people):
    rows = [
        (people[0], "31/12/1980"),
        ("1710034066", "31/12/1980"),  # check digit wrong
        (people[1], "31/02/1980"),  # no such date
        (people[0], "1980-12-31"),  # repeated
        ("", ""),  # empty rows are skipped
        (people[2], "2999-01-01"),  # future
    ]
    made, report = services.census_upload(
        actor=city_staff(), zone=calderon, label="x", content=census_csv(rows)
    )
    assert made is None
    assert not CensusBatch.objects.exists() and not CensusEntry.objects.exists()
    assert [error.row for error in report.errors] == [3, 4, 5, 7]
    assert report.error_count == 4
    assert all(number not in error.message for error in report.errors for number in people)


def test_parish_census_by_name_or_code_in_the_zone(calderon, people):
    own = parish("calderon")
    rows = [(people[0], own.name.upper()), (people[1], own.dpa_code), (people[2], "Nono")]
    parsed = parse_census(census_csv(rows, header=("Cédula", "Parroquia")), zone=calderon)
    assert parsed.kind == CensusBatch.Kind.PARISH
    assert [e.row for e in parsed.errors] == [4]  # Nono is not in Calderón
    assert [row[2] for row in parsed.rows] == [own.pk, own.pk]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"nombre,apellido\nAna,Paz\n",
        b"cedula,fecha_nacimiento,parroquia\n",
        b"cedula,fecha_nacimiento\n",
        b"\x00\x01\x02binary",
        "cédula;fecha de nacimiento\n".encode("cp1252"),
    ],
)
def test_malformed_files_get_a_file_error(calderon, content):
    parsed = parse_census(content, zone=calderon)
    assert not parsed.valid
    assert parsed.errors


def test_semicolons_and_windows_encoding(calderon, people):
    content = census_csv(
        [(people[0], "1980-12-31")], header=("Cédula", "Fecha de nacimiento"), delimiter=";"
    )
    parsed = parse_census(content.decode().encode("cp1252"), zone=calderon)
    assert parsed.valid and len(parsed.rows) == 1


def test_only_city_staff_upload(calderon, people):
    content = census_csv([(people[0], "31/12/1980")])
    for actor in (zone_staff("calderon"), city_staff(mfa=False), UserFactory()):
        with pytest.raises(PermissionDenied):
            services.census_upload(actor=actor, zone=calderon, label="x", content=content)
    assert not CensusBatch.objects.exists()


def _upload(client, zone, content, name="censo.csv"):
    return client.post(
        "/admin/verificacion/censos/",
        {"zone": zone.pk, "label": "Padrón", "file": SimpleUploadedFile(name, content, "text/csv")},
    )


def _files_under(*roots):
    found = set()
    for root in roots:
        for folder, _dirs, files in os.walk(root):
            found.update(os.path.join(folder, name) for name in files)
    return found


def test_admin_upload_keeps_no_file(client, calderon, people, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "tmp")
    os.makedirs(settings.FILE_UPLOAD_TEMP_DIR)
    before = _files_under(tempfile.gettempdir())
    login_with_mfa(client, city_staff())
    rows = [(number, "31/12/1980") for number in people]
    response = _upload(client, calderon, census_csv(rows))
    assert response.status_code == 302
    assert CensusBatch.objects.get().rows == 3
    assert _files_under(settings.MEDIA_ROOT, settings.FILE_UPLOAD_TEMP_DIR) == set()
    assert _files_under(tempfile.gettempdir()) - before == set()
    assert_no_clear_cedula(people)


def test_admin_upload_report_and_too_big(client, calderon, people, settings):
    settings.LANGUAGE_CODE = "en"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    login_with_mfa(client, city_staff())
    response = _upload(client, calderon, census_csv([(people[0], "99/99/1980")]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Row 2:" in html and "not a valid date" in html
    big = census_csv([(people[0], "31/12/1980")]) + b"#" * (2 * 1024 * 1024)
    response = _upload(client, calderon, big)
    assert response.status_code == 200
    assert "larger than 2 MB" in response.content.decode()
    assert not CensusBatch.objects.exists()


def test_zone_staff_and_no_mfa_cannot_reach_the_census_page(client, calderon):
    login_with_mfa(client, zone_staff("calderon"))
    assert client.get("/admin/verificacion/censos/").status_code in (302, 403)
    client.force_login(city_staff())  # no second factor this session
    response = client.get("/admin/verificacion/censos/")
    assert response.status_code == 302 and "censos" not in response["Location"]


def test_withdraw_ends_its_verifications(batch, people, calderon):
    resident = resident_in("calderon")
    match = _match(people[0], BORN, resident.parish)
    services.census_verify_self(user=resident.user, match=match)
    assert Resident.objects.get(pk=resident.pk).is_verified
    # The census row proves the cédula is the person's: online voting may use it.
    assert Resident.objects.get(pk=resident.pk).cedula_confirmed_at is not None
    with pytest.raises(PermissionDenied):
        services.census_withdraw(actor=zone_staff("calderon"), batch=batch)
    assert services.census_withdraw(actor=city_staff(), batch=batch) == 1
    resident.refresh_from_db()
    assert not resident.is_verified
    assert VerificationRecord.objects.get(resident=resident).ended_at is not None
    assert (
        ModelLogEntry.objects.get(action="verification.census_withdraw").data["verifications_ended"]
        == 1
    )
    from verification.selectors import census_match

    assert census_match(cedula=people[0], born_on=BORN, parish=resident.parish) is None
    assert not CensusEntry.objects.filter(batch=batch).exists()
    assert CensusBatch.objects.get(pk=batch.pk).withdrawn_at is not None


# --- self-verification -----------------------------------------------------------------------
def _match(number, born_on, home):
    from verification.selectors import census_match

    return census_match(cedula=number, born_on=born_on, parish=home)


def _post(client, number, born_on, home):
    return client.post(
        "/cuenta/verificacion/",
        {
            "action": "census",
            "censo-cedula": number,
            "censo-born_on": born_on,
            "censo-parish": home.pk,
        },
    )


def test_match_verifies_and_links_the_cedula(client, batch, people):
    resident = resident_in("calderon")
    client.force_login(resident.user)
    response = _post(client, people[0], "31/12/1980", resident.parish)
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.is_verified
    assert resident.verification_method == "census"
    assert resident.verified_by is None
    assert resident.cedula_hash == cedula_hash(people[0])
    expected = resident.verified_at + datetime.timedelta(days=4 * 365 + 1)
    assert resident.verification_expires_at == expected
    record = VerificationRecord.objects.get(resident=resident)
    assert (record.method, record.census_batch_id, record.zone_id) == (
        "census",
        batch.pk,
        batch.zone_id,
    )
    entry = ModelLogEntry.objects.get(action="accounts.resident_verify")
    assert entry.data["method"] == "census" and entry.data["census_batch"] == batch.pk
    assert_no_clear_cedula(people, texts=[str(entry.data)])


def test_wrong_birth_date_and_unknown_cedula_get_the_same_answer(client, batch, people, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    resident = resident_in("calderon")
    client.force_login(resident.user)
    wrong_date = _post(client, people[0], "30/12/1980", resident.parish)
    unknown = _post(client, cedulas(1, start=900)[0], "31/12/1980", resident.parish)
    assert wrong_date.status_code == unknown.status_code == 200
    message = "do not match the census"
    assert message in wrong_date.content.decode() and message in unknown.content.decode()

    def errors(response):
        return str(response.context["census_form"].non_field_errors())

    assert errors(wrong_date) == errors(unknown)
    resident.refresh_from_db()
    assert not resident.is_verified and resident.cedula_hash is None


def test_rate_limit_per_account(client, batch, people, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    resident = resident_in("calderon")
    client.force_login(resident.user)
    for _ in range(5):
        _post(client, people[0], "01/01/1970", resident.parish)
    response = _post(client, people[0], "31/12/1980", resident.parish)  # right, but too late
    assert "Too many attempts" in response.content.decode()
    resident.refresh_from_db()
    assert not resident.is_verified


def test_rate_limit_per_address(client, batch, people):
    for _ in range(4):
        user = resident_in("calderon").user
        client.force_login(user)
        for _ in range(5):
            _post(client, people[0], "01/01/1970", parish("calderon"))
    resident = resident_in("calderon")
    client.force_login(resident.user)
    _post(client, people[0], "31/12/1980", resident.parish)  # the 21st from this address
    resident.refresh_from_db()
    assert not resident.is_verified


def test_cedula_of_another_account_is_refused(client, batch, people, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    ResidentFactory(cedula_hash=cedula_hash(people[0]))
    resident = resident_in("calderon")
    client.force_login(resident.user)
    response = _post(client, people[0], "31/12/1980", resident.parish)
    assert "already linked to another account" in response.content.decode()
    resident.refresh_from_db()
    assert not resident.is_verified and resident.cedula_hash is None


def test_a_different_cedula_in_the_profile_is_refused(batch, people):
    resident = resident_in("calderon", cedula_hash=cedula_hash(people[1]))
    with pytest.raises(DomainError):
        services.census_verify_self(
            user=resident.user, match=_match(people[0], BORN, resident.parish)
        )
    resident.refresh_from_db()
    assert not resident.is_verified


def test_another_zone_asks_to_confirm_the_move(client, batch, people, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    resident = resident_in("tumbaco")
    client.force_login(resident.user)
    response = _post(client, people[0], "31/12/1980", resident.parish)
    assert response.status_code == 200
    assert "verification/census_confirm.html" in [t.name for t in response.templates]
    resident.refresh_from_db()
    assert not resident.is_verified and resident.zone.slug == "tumbaco"
    assert people[0] not in str(dict(client.session))
    home = parish("calderon", 1)
    response = client.post(
        "/cuenta/verificacion/", {"action": "census_confirm", "confirmar-parish": home.pk}
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.is_verified and (resident.zone.slug, resident.parish) == ("calderon", home)
    entry = ModelLogEntry.objects.get(action="accounts.resident_verify")
    assert entry.data["moved_to"] == {"zone": home.zone_id, "parish": home.pk}


def test_confirmation_refuses_a_parish_outside_the_census_zone(client, batch, people):
    resident = resident_in("tumbaco")
    client.force_login(resident.user)
    _post(client, people[0], "31/12/1980", resident.parish)
    response = client.post(
        "/cuenta/verificacion/",
        {"action": "census_confirm", "confirmar-parish": resident.parish.pk},
    )
    assert response.status_code == 200
    resident.refresh_from_db()
    assert not resident.is_verified


def test_confirmation_without_a_lookup_does_nothing(client, batch):
    resident = resident_in("tumbaco")
    client.force_login(resident.user)
    response = client.post(
        "/cuenta/verificacion/",
        {"action": "census_confirm", "confirmar-parish": parish("calderon").pk},
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert not resident.is_verified


def test_parish_census_matches_cedula_and_parish(calderon, people):
    own, other = parish("calderon", 0), parish("calderon", 1)
    services.census_upload(
        actor=city_staff(),
        zone=calderon,
        label="x",
        content=census_csv([(people[0], own.name)], header=("cedula", "parroquia")),
    )
    assert _match(people[0], None, other) is None
    match = _match(people[0], None, own)
    assert match is not None and match.parish == own


def test_malformed_input_is_a_field_error(client, batch):
    resident = resident_in("calderon")
    client.force_login(resident.user)
    for number, born in (("123", "31/12/1980"), ("\x00", "x"), ("9" * 5000, "31/12/1980")):
        response = client.post(
            "/cuenta/verificacion/",
            {
                "action": "census",
                "censo-cedula": number,
                "censo-born_on": born,
                "censo-parish": "x",
            },
        )
        assert response.status_code in (200, 400)


def test_anonymous_is_sent_to_login(client):
    response = client.get("/cuenta/verificacion/")
    assert response.status_code == 302 and "/cuenta/login/" in response["Location"]
