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


# --- Staff writes in the admin go through the services and leave an audit entry ---------


def _calderon_staff():
    from django.contrib.auth.models import Group

    from territory.models import Zone
    from territory.services import zone_group_name

    staff = UserFactory()
    staff.groups.add(Group.objects.get(name=zone_group_name(Zone.objects.get(slug="calderon"))))
    return staff


def _session(zone_slug, slug):
    import datetime

    from consultations.models import InPersonSession
    from territory.models import ZonePage
    from tests.consultations.helpers import make_consultation

    page = make_consultation(ZonePage.objects.get(zone__slug=zone_slug), slug=slug)
    return InPersonSession.objects.create(
        consultation=page, held_on=datetime.date(2026, 11, 1), place="Casa barrial", attendees=30
    )


def _entries(instance, action):
    from wagtail.models import ModelLogEntry

    return ModelLogEntry.objects.filter(action=action, object_id=str(instance.pk))


def test_observations_written_in_the_admin_are_audited(client, territory):
    from consultations import audit
    from consultations.models import SessionObservation
    from tests.factories import login_with_mfa

    staff = _calderon_staff()
    login_with_mfa(client, staff)
    session = _session("calderon", "c1")
    other_session = _session("tumbaco", "t1")

    response = client.post(
        "/admin/observaciones/new/",
        {"session": session.pk, "provision_key": "art-1", "stance": "favor", "text": "De acuerdo"},
    )
    assert response.status_code == 302
    observation = SessionObservation.objects.get()
    assert observation.recorded_by == staff
    entry = _entries(observation, audit.OBSERVATION_RECORD).get()
    assert (entry.user, entry.data["provision_key"]) == (staff, "art-1")
    assert not _entries(observation, "wagtail.create").exists()  # one entry, the service's

    url = f"/admin/observaciones/edit/{observation.pk}/"
    response = client.post(
        url, {"session": session.pk, "provision_key": "art-2", "stance": "contra", "text": "No"}
    )
    assert response.status_code == 302
    observation.refresh_from_db()
    assert (observation.provision_key, observation.stance) == ("art-2", "contra")
    assert observation.text == "No"
    entry = _entries(observation, audit.OBSERVATION_UPDATE).get()
    assert entry.user == staff
    assert entry.data == {"fields": ["provision_key", "stance", "text", "thread"]}

    # Moving it to another zone's session is refused on the form, and nothing is written.
    response = client.post(
        url, {"session": other_session.pk, "provision_key": "", "stance": "", "text": "Otra"}
    )
    assert response.status_code == 200
    assert "session" in response.context["form"].errors
    observation.refresh_from_db()
    assert observation.session == session
    # An article the current version does not have is a Spanish form error, not a 500.
    response = client.post(
        url, {"session": session.pk, "provision_key": "art-99", "stance": "", "text": "Otra"}
    )
    assert response.status_code == 200
    assert "no forma parte de la versión actual" in response.content.decode()
    assert _entries(observation, audit.OBSERVATION_UPDATE).count() == 1

    response = client.post(f"/admin/observaciones/delete/{observation.pk}/")
    assert response.status_code == 302
    assert not SessionObservation.objects.exists()
    entry = _entries(observation, audit.OBSERVATION_DELETE).get()
    assert (entry.user, entry.deleted) == (staff, True)


def test_observation_services_refuse_another_zones_session(territory):
    from django.contrib.auth.models import Group

    from consultations import services
    from quitodecide.errors import PermissionDenied
    from quitodecide.mfa import mark_user
    from territory.services import CITY_GROUP_NAME

    staff = _calderon_staff()
    mark_user(staff, True)
    own, other = _session("calderon", "c1"), _session("tumbaco", "t1")
    observation = services.observation_record(session=own, actor=staff, text="Bien")
    with pytest.raises(PermissionDenied):
        services.observation_update(observation=observation, actor=staff, session=other, text="x")
    city_team = UserFactory()
    city_team.groups.add(Group.objects.get(name=CITY_GROUP_NAME))
    mark_user(city_team, True)
    foreign = services.observation_record(session=other, actor=city_team, text="Tumbaco")
    with pytest.raises(PermissionDenied):
        services.observation_delete(observation=foreign, actor=staff)
    with pytest.raises(PermissionDenied):
        services.observation_update(observation=foreign, actor=staff, session=own, text="mía")


def _editor_post(page, **changes):
    data = {
        "title": page.title,
        "slug": page.slug,
        "summary": page.summary,
        "responsible_body": page.responsible_body,
        "opens_at": page.opens_at.strftime("%Y-%m-%d %H:%M"),
        "closes_at": page.closes_at.strftime("%Y-%m-%d %H:%M"),
        "draft_text": page.draft_text,
        "sessions-TOTAL_FORMS": "0",
        "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "1000",
        "documents-count": "0",
        "action-publish": "action-publish",
    }
    data.update(changes)
    return data


def test_publishing_a_changed_draft_in_the_admin_audits_the_new_version(client, territory):
    from wagtail.models import PageLogEntry

    from consultations import audit
    from territory.models import ZonePage
    from tests.consultations.helpers import ORDINANCE, make_consultation
    from tests.factories import login_with_mfa

    staff = _calderon_staff()
    login_with_mfa(client, staff)
    page = make_consultation(ZonePage.objects.get(zone__slug="calderon"), slug="c1")
    assert page.versions.count() == 1
    changed = ORDINANCE + "\nArtículo 4.- Vigencia.- Rige desde su publicación.\n"
    response = client.post(f"/admin/pages/{page.pk}/edit/", _editor_post(page, draft_text=changed))
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert page.versions.count() == 2
    entry = PageLogEntry.objects.get(page=page, action=audit.VERSION_PUBLISH, user=staff)
    assert entry.data["version"] == 2
    # Publishing the same text again creates no version and no entry.
    client.post(f"/admin/pages/{page.pk}/edit/", _editor_post(page, draft_text=changed))
    assert page.versions.count() == 2
    assert PageLogEntry.objects.filter(page=page, action=audit.VERSION_PUBLISH).count() == 2


def test_sessions_edited_inline_are_in_the_pages_audited_revision(client, territory):
    from wagtail.models import PageLogEntry

    from consultations.models import InPersonSession
    from territory.models import Parish, ZonePage
    from tests.consultations.helpers import make_consultation
    from tests.factories import login_with_mfa

    staff = _calderon_staff()
    login_with_mfa(client, staff)
    page = make_consultation(ZonePage.objects.get(zone__slug="calderon"), slug="c1")
    parish = Parish.objects.get(name="Llano Chico")
    data = _editor_post(
        page,
        **{
            "sessions-TOTAL_FORMS": "1",
            "sessions-0-held_on": "2026-11-05",
            "sessions-0-place": "Casa comunal de Llano Chico",
            "sessions-0-parish": str(parish.pk),
            "sessions-0-attendees": "42",
            "sessions-0-id": "",
            "sessions-0-ORDER": "1",
            "sessions-0-DELETE": "",
        },
    )
    response = client.post(f"/admin/pages/{page.pk}/edit/", data)
    assert response.status_code == 302
    session = InPersonSession.objects.get(consultation=page)
    assert (session.place, session.attendees) == ("Casa comunal de Llano Chico", 42)
    entry = PageLogEntry.objects.get(page=page, action="wagtail.publish", user=staff)
    sessions = entry.revision.content["sessions"]
    assert [(s["place"], s["attendees"]) for s in sessions] == [("Casa comunal de Llano Chico", 42)]
