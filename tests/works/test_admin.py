"""The works admin: zone staff create and edit their zone's works and post dated updates
through the services; history is never edited or deleted; nothing leaks across zones."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image
from wagtail.models import ModelLogEntry

from territory.models import Zone
from tests.budgets.builders import make_staff
from tests.factories import login_with_mfa
from tests.works.builders import make_work
from works import audit
from works.models import CommitteeMember, Work, WorkPhoto, WorkUpdate
from works.status import WorkStatus

pytestmark = pytest.mark.django_db


def inline(prefix, rows=()):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
        data[f"{prefix}-{index}-ORDER"] = str(index + 1)
        data[f"{prefix}-{index}-DELETE"] = ""
        data[f"{prefix}-{index}-id"] = ""
    return data


def work_form(zone, parish, **overrides):
    data = {
        "code": "",
        "year": "2026",
        "title": "Muro de contención en La Capilla",
        "description": "Muro de 40 m.",
        "zone": str(zone.pk),
        "parish": str(parish.pk),
        "barrio_name": "La Capilla",
        "latitude": "-0.05",
        "longitude": "-78.42",
        "responsible_unit": "Administración Zonal Calderón",
        "contractor_name": "Constructora Andina S.A.",
        "contractor_ruc": "1790012345001",
        "contract_number": "AZC-2026-014",
        "amount_assigned": "45000.00",
        "amount_contracted": "",
        "planned_start": "2026-03-01",
        "planned_end": "2026-09-30",
        **inline(
            "committee",
            [
                {
                    "display_name": "María Quishpe",
                    "role": "presidencia",
                    "consents_to_publish_name": "on",
                    "phone": "0991234567",
                    "email": "maria@example.org",
                }
            ],
        ),
        **inline("documents"),
    }
    data.update(overrides)
    return data


def jpeg(size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "orange").save(buffer, format="JPEG")
    return SimpleUploadedFile("foto.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def media(tmp_path):
    """A real media folder, to see which files are written."""
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(MEDIA_ROOT=str(tmp_path), STORAGES=storages):
        yield tmp_path


def files_in(root):
    return sorted(str(path) for path in root.rglob("*") if path.is_file())


@pytest.fixture
def staff_client(client, territory):
    staff = make_staff("calderon")
    login_with_mfa(client, staff)
    client.staff = staff
    return client


def test_staff_create_a_work_with_its_committee_through_the_service(staff_client):
    zone = Zone.objects.get(slug="calderon")
    response = staff_client.post("/admin/obras/new/", work_form(zone, zone.parishes.first()))
    assert response.status_code == 302, response.content.decode()[:3000]
    work = Work.objects.get()
    assert work.code == "OB-2026-00001" and work.status == WorkStatus.PLANNED
    assert list(CommitteeMember.objects.values_list("display_name", "phone")) == [
        ("María Quishpe", "0991234567")
    ]
    assert work.updates.count() == 1
    assert ModelLogEntry.objects.filter(action=audit.WORK_CREATE, object_id=str(work.pk)).exists()


def test_bad_details_are_field_errors_in_the_form(staff_client):
    zone = Zone.objects.get(slug="calderon")
    other_parish = Zone.objects.get(slug="tumbaco").parishes.first()
    response = staff_client.post(
        "/admin/obras/new/",
        work_form(
            zone,
            other_parish,
            contractor_ruc="1790012345000",
            planned_end="2026-01-01",
            amount_assigned="mucho",
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"contractor_ruc", "amount_assigned", "parish"} <= set(errors)
    assert not Work.objects.exists()


def test_a_zone_cannot_be_chosen_outside_ones_own(staff_client):
    tumbaco = Zone.objects.get(slug="tumbaco")
    response = staff_client.post("/admin/obras/new/", work_form(tumbaco, tumbaco.parishes.first()))
    assert response.status_code == 200 and "zone" in response.context["form"].errors
    assert not Work.objects.exists()


def test_editing_keeps_status_and_progress_and_lists_only_the_zone(staff_client):
    work = make_work("calderon", status=WorkStatus.UNDER_WAY, staff=staff_client.staff)
    other = make_work("tumbaco", title="Obra de Tumbaco")
    listing = staff_client.get("/admin/obras/").content.decode()
    assert work.code in listing and other.code not in listing
    data = work_form(work.zone, work.parish, title="Título corregido", code="OTRO-CODIGO")
    data["status"] = WorkStatus.FINISHED  # not a field: ignored
    response = staff_client.post(f"/admin/obras/edit/{work.pk}/", data)
    assert response.status_code == 302
    work.refresh_from_db()
    assert work.title == "Título corregido" and work.code.startswith("OB-")
    assert work.status == WorkStatus.UNDER_WAY
    assert staff_client.get(f"/admin/obras/edit/{other.pk}/").status_code == 404
    assert staff_client.post(f"/admin/obras/delete/{work.pk}/").status_code in (302, 403)
    assert Work.objects.filter(pk=work.pk).exists()


def update_form(work, **overrides):
    data = {
        "work": str(work.pk),
        "date": work.last_update_on.isoformat(),
        "status": WorkStatus.UNDER_WAY,
        "physical_progress": "45",
        "financial_progress": "50",
        "amount_executed": "20000",
        "text": "Se terminó la cimentación.",
        "photo_1_alt": "",
        "photo_2_alt": "",
        "photo_3_alt": "",
    }
    data.update(overrides)
    return data


def test_staff_post_an_update_with_a_reencoded_photo(staff_client, media):
    work = make_work("calderon", status=WorkStatus.UNDER_WAY, staff=staff_client.staff)
    data = update_form(work, photo_1=jpeg(), photo_1_alt="La cimentación terminada")
    response = staff_client.post("/admin/avances-obras/new/", data)
    assert response.status_code == 302, response.context["form"].errors
    work.refresh_from_db()
    assert work.physical_progress == Decimal(45) and work.amount_executed == Decimal(20000)
    photo = WorkPhoto.objects.get()
    assert photo.update.work == work and photo.image.name.endswith(".jpg")
    assert "foto" not in photo.image.name  # the uploader's file name is not kept
    assert files_in(media) == [photo.image.path]
    with Image.open(photo.image.path) as stored:
        assert stored.format == "JPEG" and not stored.getexif()


def test_a_broken_update_is_a_field_error_and_leaves_no_file(staff_client, media):
    work = make_work("calderon", status=WorkStatus.UNDER_WAY, staff=staff_client.staff)
    cases = [
        ({"physical_progress": "10"}, "physical_progress"),  # down, with... no reason
        ({"status": WorkStatus.FINISHED, "physical_progress": "80"}, "physical_progress"),
        ({"status": WorkStatus.PLANNED, "physical_progress": "0"}, "status"),
        ({"date": "2999-01-01"}, "date"),
        ({"physical_progress": "٤٥"}, "physical_progress"),  # Arabic-Indic digits
        ({"photo_1": SimpleUploadedFile("x.jpg", b"not an image")}, "photo_1"),
        ({"photo_1": jpeg()}, "photo_1_alt"),
    ]
    for overrides, field in cases:
        data = update_form(work, **overrides)
        if field == "physical_progress" and overrides.get("physical_progress") == "10":
            data["text"] = ""
        response = staff_client.post("/admin/avances-obras/new/", data)
        assert response.status_code == 200, (overrides, response.status_code)
        assert field in response.context["form"].errors, (
            overrides,
            response.context["form"].errors,
        )
    assert work.updates.count() == 3
    assert files_in(media) == []


def test_updates_are_never_edited_or_deleted_and_other_zones_works_are_not_offered(staff_client):
    work = make_work("calderon", status=WorkStatus.UNDER_WAY, staff=staff_client.staff)
    other = make_work("tumbaco", status=WorkStatus.UNDER_WAY)
    update = work.updates.last()
    assert staff_client.get(f"/admin/avances-obras/edit/{update.pk}/").status_code in (302, 403)
    assert staff_client.post(f"/admin/avances-obras/delete/{update.pk}/").status_code in (302, 403)
    assert WorkUpdate.objects.filter(pk=update.pk).exists()
    response = staff_client.post("/admin/avances-obras/new/", update_form(other))
    assert response.status_code == 200 and "work" in response.context["form"].errors
    assert other.updates.count() == 3


def test_staff_without_mfa_in_the_session_cannot_post(client, territory):
    staff = make_staff("calderon")
    work = make_work("calderon", status=WorkStatus.UNDER_WAY, staff=staff)
    client.force_login(staff)  # password only
    response = client.post("/admin/avances-obras/new/", update_form(work))
    assert response.status_code in (302, 403)
    assert work.updates.count() == 3


def test_position_dates_and_year_errors_sit_on_their_fields(staff_client):
    zone = Zone.objects.get(slug="calderon")
    cases = [
        ({"latitude": "91"}, "latitude"),
        ({"planned_start": "2026-09-01", "planned_end": "2026-01-01"}, "planned_end"),
        ({"year": "99999"}, "year"),
        ({"code": "PP-2026-00099"}, "code"),
    ]
    for overrides, field in cases:
        response = staff_client.post(
            "/admin/obras/new/", work_form(zone, zone.parishes.first(), **overrides)
        )
        assert response.status_code == 200, overrides
        assert field in response.context["form"].errors, (
            overrides,
            response.context["form"].errors,
        )
    assert not Work.objects.exists()


def test_a_bad_work_parameter_on_the_new_update_page_is_ignored(staff_client):
    for value in ("abc", "٤", "99999999999999999999999", "-1"):
        assert staff_client.get(f"/admin/avances-obras/new/?work={value}").status_code == 200


def test_documents_of_another_zones_collection_cannot_be_attached(staff_client):
    from wagtail.documents.models import Document
    from wagtail.models import Collection

    other = Collection.objects.exclude(depth=1).exclude(name__icontains="Calder").first()
    document = Document.objects.create(
        title="Contrato ajeno",
        file=SimpleUploadedFile("contrato.pdf", b"%PDF-1.4"),
        collection=other,
    )
    zone = Zone.objects.get(slug="calderon")
    data = work_form(zone, zone.parishes.first())
    data.update(inline("documents", [{"document": str(document.pk), "title": "Contrato"}]))
    response = staff_client.post("/admin/obras/new/", data)
    assert response.status_code == 200
    assert not Work.objects.exists()
