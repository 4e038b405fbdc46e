"""Veeduría ciudadana on a work's page: verified residents of the zone post observations
(others are refused), photos are checked and never left behind, the per-address rate
limit, moderation (hidden ones disappear, flags reach the engine) and the contradiction
flag with its rule written on the page."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from discussions import services as discussion_services
from discussions.models import Comment, Flag
from quitodecide.mfa import mark_user
from tests.budgets.builders import make_resident
from tests.factories import UserFactory
from tests.works.builders import make_work
from works import services
from works.models import Observation
from works.status import WorkStatus
from works.veeduria import THRESHOLD, WINDOW_DAYS

pytestmark = pytest.mark.django_db


def png(name="foto.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "orange").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def post(client, work, **data):
    values = {"assessment": "avanza", "text": "Hoy trabajaban en la vereda."} | data
    return client.post(f"/obras/{work.code}/observar/", values)


@pytest.fixture
def media(tmp_path):
    root = tmp_path / "media"
    root.mkdir()
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(MEDIA_ROOT=str(root), STORAGES=storages):
        yield root


def files_in(root) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


# --- who may post -------------------------------------------------------------------------
def test_a_verified_resident_of_the_zone_posts_an_observation_with_a_photo(
    client, territory, media
):
    work = make_work("calderon", status=WorkStatus.UNDER_WAY)
    client.force_login(make_resident("calderon"))
    response = post(
        client, work, assessment="con_problemas", photo=png(), photo_alt="Un hueco en la vía"
    )
    assert response.status_code == 302
    observation = Observation.objects.get(work=work)
    assert response["Location"] == f"/obras/{work.code}/#comentario-{observation.comment_id}"
    assert observation.assessment == "con_problemas"
    assert observation.comment.thread_id == work.thread_id
    assert len(files_in(media)) == 1
    page = client.get(f"/obras/{work.code}/").content.decode()
    assert "Hoy trabajaban en la vereda." in page
    assert 'alt="Un hueco en la vía"' in page
    assert f'id="comentario-{observation.comment_id}"' in page


@pytest.mark.parametrize(
    "who",
    ["other zone", "unverified", "email unverified", "no residence"],
)
def test_others_are_refused(client, territory, who):
    work = make_work("calderon", status=WorkStatus.UNDER_WAY)
    user = {
        "other zone": lambda: make_resident("eloy-alfaro"),
        "unverified": lambda: make_resident("calderon", verified=False),
        "email unverified": lambda: make_resident("calderon", email_verified=False),
        "no residence": lambda: UserFactory(),
    }[who]()
    client.force_login(user)
    page = client.get(f"/obras/{work.code}/").content.decode()
    assert f'action="/obras/{work.code}/observar/"' not in page  # no form offered
    response = post(client, work)
    assert response.status_code == 403
    assert "residentes verificados" in response.content.decode() or response.context["form"].errors
    assert not Observation.objects.exists()
    assert not Comment.objects.filter(thread_id=work.thread_id).exists()


def test_anonymous_is_sent_to_log_in(client, territory):
    work = make_work()
    response = post(client, work)
    assert response.status_code == 302 and response["Location"].startswith("/cuenta/login/")
    assert client.get(f"/obras/{work.code}/observar/").status_code == 405
    assert not Observation.objects.exists()


def test_a_cancelled_work_takes_no_observations(client, territory):
    work = make_work(status=WorkStatus.CANCELLED)
    client.force_login(make_resident("calderon"))
    assert post(client, work).status_code == 403
    assert not Observation.objects.exists()


# --- the form -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("upload", "field"),
    [
        (
            SimpleUploadedFile("foto.jpg", b"not an image at all", content_type="image/jpeg"),
            "photo",
        ),
        (None, "photo_alt"),  # a good photo without its description
    ],
)
def test_a_bad_photo_is_a_field_error_and_leaves_no_file(client, territory, media, upload, field):
    work = make_work(status=WorkStatus.UNDER_WAY)
    client.force_login(make_resident("calderon"))
    response = post(client, work, photo=upload or png(), photo_alt="")
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Observation.objects.exists()
    assert files_in(media) == []


def test_a_truncated_photo_is_refused_and_leaves_no_file(client, territory, media):
    buffer = io.BytesIO()
    Image.new("RGB", (300, 300), "blue").save(buffer, format="JPEG")
    broken = SimpleUploadedFile("corta.jpg", buffer.getvalue()[:400], content_type="image/jpeg")
    work = make_work(status=WorkStatus.UNDER_WAY)
    client.force_login(make_resident("calderon"))
    response = post(client, work, photo=broken, photo_alt="Foto cortada")
    assert response.status_code == 400 and "photo" in response.context["form"].errors
    assert files_in(media) == [] and not Observation.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"assessment": "genial"}, "assessment"),
        ({"text": ""}, "text"),
        ({"text": "x" * 3001}, "text"),
    ],
)
def test_missing_or_bad_fields_are_field_errors(client, territory, data, field):
    work = make_work(status=WorkStatus.UNDER_WAY)
    client.force_login(make_resident("calderon"))
    response = post(client, work, **data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Observation.objects.exists()


def test_the_services_own_daily_limit_is_a_form_error(client, territory):
    work = make_work(status=WorkStatus.UNDER_WAY)
    client.force_login(make_resident("calderon"))
    for _ in range(services.OBSERVATIONS_PER_WORK_PER_DAY):
        assert post(client, work).status_code == 302
    response = post(client, work)
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert Observation.objects.count() == services.OBSERVATIONS_PER_WORK_PER_DAY


def test_over_the_per_address_rate_limit_is_a_message(client, territory):
    """Twenty observations an hour from one address (a shared phone, a community centre);
    the next is refused with a message and nothing is written."""
    work = make_work(status=WorkStatus.UNDER_WAY)
    for _ in range(20):
        client.force_login(make_resident("calderon"))
        assert post(client, work).status_code == 302
    client.force_login(make_resident("calderon"))
    response = post(client, work)
    assert response.status_code == 429  # Too Many Requests, with the page and its message
    errors = " ".join(response.context["form"].non_field_errors())
    assert "hora" in errors
    assert Observation.objects.count() == 20


# --- moderation ---------------------------------------------------------------------------
def _observe(work, assessment, *, zone="calderon"):
    return services.observation_post(
        work=work, user=make_resident(zone), assessment=assessment, text=f"Está {assessment}."
    )


def test_hidden_observations_are_not_shown(client, territory):
    work = make_work(status=WorkStatus.UNDER_WAY)
    kept = _observe(work, "avanza")
    hidden = _observe(work, "detenida")
    hidden.comment.body = "Texto que la moderación ocultó"
    hidden.comment.save()
    moderator = UserFactory(is_superuser=True)
    mark_user(moderator, True)
    discussion_services.comment_hide(comment=hidden.comment, actor=moderator, reason="Insultos")
    response = client.get(f"/obras/{work.code}/")
    page = response.content.decode()
    assert "Texto que la moderación ocultó" not in page
    assert f'id="comentario-{kept.comment_id}"' in page
    summary = {row["value"]: row["count"] for row in response.context["observation_summary"]}
    assert summary["detenida"] == 0 and summary["avanza"] == 1


def test_residents_flag_an_observation_through_the_discussion_engine(client, territory):
    work = make_work(status=WorkStatus.UNDER_WAY)
    observation = _observe(work, "avanza")
    reader = UserFactory()
    client.force_login(reader)
    page = client.get(f"/obras/{work.code}/").content.decode()
    action = f"/obras/{work.code}/comentario/{observation.comment_id}/reportar/"
    assert f'action="{action}"' in page
    response = client.post(action, {"reason": "spam", "next": f"/obras/{work.code}/"})
    assert response.status_code == 302
    assert Flag.objects.filter(comment=observation.comment, user=reader).exists()
    # Only this work's comments, only the offered actions.
    other = make_work()
    assert (
        client.post(
            f"/obras/{other.code}/comentario/{observation.comment_id}/reportar/", {"reason": "spam"}
        ).status_code
        == 404
    )
    assert (
        client.post(f"/obras/{work.code}/comentario/{observation.comment_id}/apoyar/").status_code
        == 404
    )


def test_anonymous_flag_is_sent_to_log_in(client, territory):
    work = make_work(status=WorkStatus.UNDER_WAY)
    observation = _observe(work, "avanza")
    response = client.post(
        f"/obras/{work.code}/comentario/{observation.comment_id}/reportar/", {"reason": "spam"}
    )
    assert response.status_code == 302 and "/cuenta/login/" in response["Location"]
    assert not Flag.objects.exists()


# --- the contradiction flag ---------------------------------------------------------------
def test_the_rule_is_written_on_the_page(client, territory):
    work = make_work(status=WorkStatus.UNDER_WAY)
    page = client.get(f"/obras/{work.code}/").content.decode()
    assert f"{WINDOW_DAYS} días" in page or f"{WINDOW_DAYS} days" in page
    assert f" {THRESHOLD} " in page
    assert 'id="contradiction-alert"' not in page


def test_a_work_contradicted_by_enough_residents_is_flagged(client, territory):
    work = make_work(status=WorkStatus.UNDER_WAY)
    for _ in range(THRESHOLD - 1):
        _observe(work, "detenida")
    _observe(work, "avanza")  # agrees with the status: does not count
    assert 'id="contradiction-alert"' not in client.get(f"/obras/{work.code}/").content.decode()
    _observe(work, "detenida")
    page = client.get(f"/obras/{work.code}/").content.decode()
    assert 'id="contradiction-alert"' in page
    # The list flags it too.
    listing = client.get("/obras/").content.decode()
    assert "alert-badge" in listing


def test_hiding_a_contradicting_observation_lowers_the_flag(client, territory):
    work = make_work(status=WorkStatus.UNDER_WAY)
    observations = [_observe(work, "detenida") for _ in range(THRESHOLD)]
    assert 'id="contradiction-alert"' in client.get(f"/obras/{work.code}/").content.decode()
    moderator = UserFactory(is_superuser=True)
    mark_user(moderator, True)
    discussion_services.comment_hide(comment=observations[0].comment, actor=moderator, reason="x")
    assert 'id="contradiction-alert"' not in client.get(f"/obras/{work.code}/").content.decode()
