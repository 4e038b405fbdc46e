"""The public state as JSON (`<assembly page>/estado/`): what a poller or the page without
WebSocket reads. Public snapshot only, cached by (assembly, seq), 304 on an unchanged ETag,
never a 500, limited per address (configurable)."""

import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from assemblies import selectors, services
from assemblies.models import Announcement, Poll, Question
from assemblies.views import state_url

from .conftest import make_assembly, pass_mfa, verified_resident

pytestmark = pytest.mark.django_db
# Tables of the assembly's state (the page's own row is read by Wagtail's routing).
STATE_TABLES = re.compile(r'FROM "assemblies_(?!assemblypage")')


@pytest.fixture(autouse=True)
def _clean(sent):
    cache.clear()  # LocMemCache outlives a test; ids may repeat
    yield
    cache.clear()


@pytest.fixture
def running(assembly, staff, zone_page):
    services.assembly_start(assembly=assembly, actor=staff)
    services.announcement_post(assembly=assembly, actor=staff, text="Bienvenidos")
    services.poll_open(
        assembly=assembly,
        actor=staff,
        question="¿Aprueba el plan?",
        options=["Sí", "No"],
        mode=Poll.Mode.BOTH,
    )
    author = verified_resident(zone_page)
    shown = services.question_submit(assembly=assembly, author=author, text="Pregunta aprobada")
    services.question_moderate(question=shown, actor=staff, action="approve")
    services.question_submit(assembly=assembly, author=author, text="Pregunta en espera")
    hidden = services.question_submit(assembly=assembly, author=author, text="Pregunta oculta")
    services.question_moderate(question=hidden, actor=staff, action="hide")
    return assembly


def get_state(client, assembly, **headers):
    return client.get(state_url(assembly), **headers)


def test_anonymous_poller_gets_the_public_snapshot(client, running):
    response = get_state(client, running)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-cache"
    assert "Cookie" in response["Vary"]
    data = json.loads(response.content)
    seq, public = selectors.assembly_state(running, staff=False)
    assert data == {"assembly": running.pk, "seq": seq, "state": public}
    assert seq == selectors.current_seq(running.pk) and seq > 0
    assert data["state"]["announcements"][0]["text"] == "Bienvenidos"
    assert data["state"]["polls"][0]["question"] == "¿Aprueba el plan?"
    assert [q["text"] for q in data["state"]["questions"]] == ["Pregunta aprobada"]


def test_no_staff_data_even_for_staff(client, running, staff):
    pass_mfa(client, staff)
    body = get_state(client, running).content.decode()
    assert "Pregunta aprobada" in body
    assert "Pregunta en espera" not in body
    assert "Pregunta oculta" not in body
    assert '"pending"' not in body and '"hidden"' not in body
    # The staff snapshot of the same assembly does hold them: the endpoint chose the public one.
    _seq, staff_state = selectors.assembly_state(running, staff=True)
    assert "Pregunta oculta" in json.dumps(staff_state, ensure_ascii=False)


def test_unchanged_seq_answers_304_and_a_new_event_moves_the_etag(client, running, staff):
    first = get_state(client, running)
    etag = first["ETag"]
    again = get_state(client, running, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    assert get_state(client, running, HTTP_IF_NONE_MATCH='"other", W/' + etag).status_code == 304
    services.announcement_post(assembly=running, actor=staff, text="Receso de diez minutos")
    after = get_state(client, running, HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200 and after["ETag"] != etag
    data = json.loads(after.content)
    assert data["seq"] == json.loads(first.content)["seq"] + 1
    assert data["state"]["announcements"][0]["text"] == "Receso de diez minutos"


def test_a_cached_poll_reads_only_the_last_seq(client, running):
    get_state(client, running)  # fills the cache
    with CaptureQueriesContext(connection) as miss_free:
        response = get_state(client, running)
    assert response.status_code == 200
    own = [q["sql"] for q in miss_free.captured_queries if STATE_TABLES.search(q["sql"])]
    assert len(own) == 1 and 'FROM "assemblies_livestate"' in own[0] and "last_seq" in own[0]
    # The rest is Wagtail finding the page (site, tree walk); it does not grow with the
    # assembly's size: the state itself comes from the cache.
    cache.clear()
    with CaptureQueriesContext(connection) as miss:
        get_state(client, running)
    assert len(miss) > len(miss_free)
    assert len([q for q in miss.captured_queries if STATE_TABLES.search(q["sql"])]) > 1


def test_the_body_comes_from_the_cache_until_seq_moves(client, running, staff):
    before = json.loads(get_state(client, running).content)
    # A change that sends no event (so no new seq) is not seen: proof the body is cached.
    Announcement.objects.filter(assembly=running).update(text="Cambiado sin evento")
    assert json.loads(get_state(client, running).content) == before
    services.announcement_post(assembly=running, actor=staff, text="Nuevo aviso")
    texts = [
        a["text"] for a in json.loads(get_state(client, running).content)["state"]["announcements"]
    ]
    assert "Cambiado sin evento" in texts and "Nuevo aviso" in texts


def test_each_language_has_its_own_cached_body(client, running):
    spanish = json.loads(get_state(client, running).content)
    client.cookies["django_language"] = "en"
    english = json.loads(get_state(client, running).content)
    assert (
        spanish["state"]["assembly"]["status_label"] != english["state"]["assembly"]["status_label"]
    )
    assert english["state"]["assembly"]["status_label"] == "In progress"


def test_draft_unpublished_and_unknown_pages_are_404(client, zone_page, running):
    draft = make_assembly(zone_page, slug="asamblea-borrador")
    url = state_url(draft)
    draft.unpublish()
    assert client.get(url).status_code == 404
    assert client.get(state_url(running) + "otra/").status_code == 404
    assert client.get(running.url + "estado").status_code in (301, 404)  # never a 500


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_other_methods_are_405(client, running, method):
    response = getattr(client, method)(state_url(running))
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_a_post_without_csrf_token_is_refused_before_the_view(running):
    response = Client(enforce_csrf_checks=True).post(state_url(running))
    assert response.status_code == 403


def test_head_is_answered(client, running):
    assert client.head(state_url(running)).status_code == 200


@override_settings(ASSEMBLY_STATE_RATE="3/h")
def test_polls_are_limited_per_address(client, running):
    for _ in range(3):
        assert get_state(client, running).status_code == 200
    refused = get_state(client, running)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert json.loads(refused.content)["code"] == "rate"
    other = get_state(client, running, REMOTE_ADDR="10.0.0.7")
    assert other.status_code == 200


def test_the_default_limit_applies_without_the_setting(client, running, monkeypatch):
    from django.conf import settings

    from assemblies import views

    assert not hasattr(settings, "ASSEMBLY_STATE_RATE")
    monkeypatch.setattr(views, "STATE_RATE", "2/h")
    assert [get_state(client, running).status_code for _ in range(3)] == [200, 200, 429]


@override_settings(ASSEMBLY_STATE_RATE=None)
def test_the_limit_can_be_turned_off_for_the_bench(client, running, monkeypatch):
    from assemblies import views

    monkeypatch.setattr(views, "STATE_RATE", "2/h")
    assert [get_state(client, running).status_code for _ in range(5)] == [200] * 5


def test_an_unknown_question_status_never_leaks(client, running):
    Question.objects.filter(text="Pregunta en espera").update(status=Question.Status.PENDING)
    assert "Pregunta en espera" not in get_state(client, running).content.decode()
