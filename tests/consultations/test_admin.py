"""The consultation editor: the draft can be uploaded as a file, and bad drafts are field
errors, not crashes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from consultations.demo import ensure_index
from consultations.models import ConsultationPage
from tests.consultations.helpers import ORDINANCE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def editor_form(files, text=""):
    index = ensure_index()
    form_class = ConsultationPage.get_edit_handler().get_form_class()
    data = {
        "title": "Subida",
        "slug": "subida",
        "summary": "s",
        "responsible_body": "Comisión",
        "opens_at": "2026-11-01 08:00",
        "closes_at": "2026-12-01 08:00",
        "draft_text": text,
        "sessions-TOTAL_FORMS": "0",
        "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "1000",
        "documents-count": "0",
    }
    form = form_class(
        data,
        files,
        instance=ConsultationPage(),
        parent_page=index,
        for_user=UserFactory(is_superuser=True),
    )
    form.is_valid()
    return form


def test_uploaded_markdown_becomes_the_draft(territory):
    upload = SimpleUploadedFile("ordenanza.md", ORDINANCE.encode("utf-8"))
    form = editor_form({"draft_upload": upload})
    assert "draft_text" not in form.errors
    assert "draft_upload" not in form.errors
    assert form.instance.draft_text == ORDINANCE


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ", "(.txt)"),
        ("latin1.txt", "Artículo 1.- Año".encode("latin-1"), "UTF-8"),
        ("big.txt", b"a" * 600_000, "500 KB"),
    ],
)
def test_bad_uploads_are_field_errors(territory, name, content, message):
    form = editor_form({"draft_upload": SimpleUploadedFile(name, content)})
    assert message in " ".join(form.errors["draft_upload"])


def test_text_without_articles_is_a_field_error(territory):
    form = editor_form({}, text="Sin estructura alguna")
    assert "No se encontraron artículos" in " ".join(form.errors["draft_text"])


def test_observation_sessions_are_scoped_to_the_staff_zone(territory):
    import datetime

    from django.contrib.auth.models import Group

    from consultations.models import InPersonSession
    from consultations.wagtail_hooks import sessions_for
    from territory.models import Zone, ZonePage
    from territory.services import CITY_GROUP_NAME, zone_group_name
    from tests.consultations.helpers import make_consultation

    def session_for(page):
        return InPersonSession.objects.create(
            consultation=page, held_on=datetime.date(2026, 11, 1), place="Casa", attendees=5
        )

    calderon = session_for(
        make_consultation(ZonePage.objects.get(zone__slug="calderon"), slug="c1")
    )
    tumbaco = session_for(make_consultation(ZonePage.objects.get(zone__slug="tumbaco"), slug="t1"))
    city = session_for(make_consultation(slug="ciudad"))
    staff = UserFactory()
    staff.groups.add(Group.objects.get(name=zone_group_name(Zone.objects.get(slug="calderon"))))
    team = UserFactory()
    team.groups.add(Group.objects.get(name=CITY_GROUP_NAME))
    assert list(sessions_for(staff)) == [calderon]
    assert set(sessions_for(team)) == {calderon, tumbaco, city}
    assert not sessions_for(UserFactory()).exists()
