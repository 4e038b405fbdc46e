"""Whole-page cache for anonymous visitors (quitodecide.pagecache): hits make no query and
carry fresh per-visitor values; writes and publishing purge; logged-in people, messages,
sessions, restricted pages and errors never meet it."""

import re

import pytest
from django.contrib import messages
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from wagtail.models import PageViewRestriction

from discussions import services as discussion_services
from quitodecide import pagecache
from territory.models import Parish
from tests.consultations.helpers import make_consultation
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

SECRET_MESSAGE = "Mensaje privado de Ana Quishpe"


def add_message_view(request):
    # Only Ana's request (a header, which is no part of the cache key) gets the message.
    if request.headers.get("X-Ana"):
        messages.info(request, SECRET_MESSAGE)
    return HttpResponse("<!doctype html><p>hecho</p>", content_type="text/html")


def message_shown_view(request):
    if request.headers.get("X-Ana"):
        messages.info(request, SECRET_MESSAGE)
    shown = "".join(str(m) for m in messages.get_messages(request))
    return HttpResponse(f"<!doctype html><p>{shown}</p>", content_type="text/html")


urlpatterns = [
    path("prueba/mensaje/", add_message_view),
    path("prueba/mensaje-visto/", message_shown_view),
    path("", include("quitodecide.urls")),
]


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_ENABLED = True
    settings.PAGE_CACHE_SECONDS = 300
    settings.PAGE_CACHE_DEBUG_HEADER = True


@pytest.fixture
def consultation(territory):
    return make_consultation()


@pytest.fixture
def resident(territory):
    parish = Parish.objects.get(name="Llano Chico")
    return ResidentFactory(zone=parish.zone, parish=parish).user


def state(response):
    return response.headers.get(pagecache.HIT_HEADER)


def nonces(response):
    html = response.content.decode()
    return set(re.findall(r'nonce="([^"]+)"', html))


def csrf_tokens(response):
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()))


def test_a_hit_makes_no_database_query(consultation, django_assert_num_queries):
    first = Client().get(consultation.url)
    assert first.status_code == 200 and state(first) == "miss"
    with django_assert_num_queries(0):
        second = Client().get(consultation.url)
    assert second.status_code == 200 and state(second) == "hit"
    assert "Ordenanza de prueba" in second.content.decode()


def test_a_new_comment_shows_on_the_next_anonymous_view(client, consultation, resident):
    url = consultation.url
    assert "Primer comentario del barrio" not in client.get(url).content.decode()
    assert state(client.get(url)) == "hit"
    discussion_services.comment_create(
        thread=consultation.general_thread, author=resident, body="Primer comentario del barrio"
    )
    response = client.get(url)
    assert state(response) == "miss"
    assert "Primer comentario del barrio" in response.content.decode()


def test_a_comment_posted_over_http_shows_on_the_next_anonymous_view(consultation, resident):
    anonymous = Client()
    url = consultation.url + "articulo/art-3/"
    anonymous.get(url)
    assert state(anonymous.get(url)) == "hit"
    author = Client()
    author.force_login(resident)
    posted = author.post(
        consultation.url + "comentar/",
        {"body": "Propongo paridad", "stance": "favor", "provision": "art-3"},
    )
    assert posted.status_code == 302
    assert "Propongo paridad" in anonymous.get(url).content.decode()


def test_publishing_and_unpublishing_purge(client, consultation):
    assert state(client.get(consultation.url)) == "miss"
    assert state(client.get(consultation.url)) == "hit"
    consultation.title = "Ordenanza reformada"
    consultation.save_revision().publish()
    assert "Ordenanza reformada" in client.get(consultation.url).content.decode()
    consultation.unpublish()
    assert client.get(consultation.url).status_code == 404


def test_logged_in_people_never_get_nor_fill_cached_pages(consultation, resident):
    anonymous, member = Client(), Client()
    member.force_login(resident)
    profile = "/cuenta/perfil/"
    # A cached anonymous page is not what a logged-in person gets.
    anonymous.get(consultation.url)
    assert state(anonymous.get(consultation.url)) == "hit"
    mine = member.get(consultation.url)
    assert state(mine) is None
    assert 'action="' + consultation.url + 'comentar/"' in mine.content.decode()
    # A page a logged-in person sees first is not stored for anonymous visitors.
    article = consultation.url + "articulo/art-1/"
    theirs = member.get(article)
    assert state(theirs) is None and profile in theirs.content.decode()
    seen = anonymous.get(article)
    assert state(seen) == "miss"
    html = seen.content.decode()
    assert profile not in html and 'action="' + consultation.url + 'comentar/"' not in html


def test_a_session_cookie_bypasses_the_cache(client, consultation):
    client.get(consultation.url)
    assert state(client.get(consultation.url)) == "hit"
    client.cookies["sessionid"] = "cualquiera"
    assert state(client.get(consultation.url)) is None


@pytest.mark.urls("tests.test_pagecache")
def test_responses_with_messages_are_not_cached_and_never_leak(territory):
    ana, other = Client(), Client()
    # First a message shown in its own response, then one left pending for the next page.
    for url in ("/prueba/mensaje-visto/", "/prueba/mensaje/"):
        assert state(ana.get(url, headers={"X-Ana": "1"})) is None
        assert SECRET_MESSAGE not in other.get(url).content.decode()
        assert state(other.get(url)) == "hit"  # the page itself is cacheable
    # Ana's next page carries her pending message: it is neither served from nor stored in
    # the cache, and nobody else sees it.
    home = ana.get("/")
    assert SECRET_MESSAGE in home.content.decode() and state(home) is None
    assert SECRET_MESSAGE not in other.get("/").content.decode()
    assert SECRET_MESSAGE not in Client().get("/").content.decode()


def test_csrf_post_from_a_cached_page_works(territory):
    Client().get("/")  # someone else fills the cache
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get("/")
    assert state(page) == "hit"
    assert "csrftoken" in page.cookies  # a first-time visitor gets the cookie with the hit
    (token,) = csrf_tokens(page)
    switched = visitor.post(
        "/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token}
    )
    assert switched.status_code == 302
    refused = Client(enforce_csrf_checks=True)
    refused.get("/")
    assert refused.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 403


def test_masked_tokens_are_fresh_on_every_hit(territory):
    Client().get("/")
    first, second = Client().get("/"), Client().get("/")
    assert state(first) == state(second) == "hit"
    assert csrf_tokens(first) and csrf_tokens(first).isdisjoint(csrf_tokens(second))
    assert "<qd-pagecache" not in first.content.decode()


def test_nonces_differ_between_visitors_and_match_the_header(territory):
    Client().get("/obras/")
    seen = []
    for _ in range(2):
        response = Client().get("/obras/")
        assert state(response) == "hit"
        (nonce,) = nonces(response)
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
        seen.append(nonce)
    assert seen[0] != seen[1]


def test_languages_are_cached_apart(territory):
    spanish, english = Client(), Client()
    english.cookies["django_language"] = "en"
    for _ in range(2):
        es_html = spanish.get("/").content.decode()
        en_html = english.get("/").content.decode()
    assert state(spanish.get("/")) == state(english.get("/")) == "hit"
    assert '<html lang="es"' in es_html and '<html lang="en"' in en_html


def test_head_is_served_from_the_cache(client, territory, django_assert_num_queries):
    client.get("/")
    with django_assert_num_queries(0):
        response = client.head("/")
    assert response.status_code == 200 and state(response) == "hit"


def test_query_strings_are_cached_apart(client, territory):
    assert state(client.get("/?zona=a")) == "miss"
    assert state(client.get("/?zona=b")) == "miss"
    assert state(client.get("/?zona=a")) == "hit"


def test_unknown_or_long_query_parameters_are_never_stored(client, territory):
    for url in (
        "/obras/?utm_source=1",
        "/obras/?pagina=1&bogus=2",
        "/obras/?zona=" + "x" * 101,
        "/obras/?zona=a&zona=b",
        "/obras/?" + "&".join(f"{name}=1" for name in sorted(pagecache.KNOWN_PARAMETERS)[:7]),
    ):
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200 and state(response) is None, url


def test_known_parameters_are_stored_in_any_order(client, territory):
    assert state(client.get("/obras/?zona=calderon&pagina=1")) == "miss"
    assert state(client.get("/obras/?pagina=1&zona=calderon")) == "hit"


def test_every_parameter_the_site_reads_is_known():
    from tests.test_public_input import read_parameter_names

    assert read_parameter_names() - {"REDIRECT_FIELD_NAME"} <= pagecache.KNOWN_PARAMETERS


def test_not_found_is_not_cached(client, territory):
    for _ in range(2):
        response = client.get("/no-existe-esta-pagina/")
        assert response.status_code == 404 and state(response) is None


def test_restricted_pages_are_not_cached(client, consultation):
    PageViewRestriction.objects.create(
        page=consultation, restriction_type=PageViewRestriction.PASSWORD, password="clave"
    )
    for _ in range(2):
        response = client.get(consultation.url)
        assert state(response) is None
        assert "Ordenanza de prueba" not in response.content.decode() or response.status_code != 200


def test_admin_and_account_pages_are_never_cached(client, territory):
    for url in ("/cuenta/login/", "/admin/login/"):
        client.get(url)
        assert state(client.get(url)) is None


def test_a_write_bumps_once_now_and_once_after_commit(
    territory, django_capture_on_commit_callbacks
):
    start = pagecache.generation()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        pagecache.purge()
        pagecache.purge()
    assert len([c for c in callbacks if c is pagecache._bump]) == 1
    assert pagecache.generation() == start + 3


def test_models_that_never_show_do_not_purge(resident):
    from privacy.models import DataExport

    assert not pagecache.relevant(DataExport)
    assert pagecache.relevant(type(resident))
    start = pagecache.generation()
    resident.save(update_fields=["last_login"])
    assert pagecache.generation() == start
    resident.save()
    assert pagecache.generation() > start


def test_the_hit_needs_no_query_for_the_visitor_either(consultation):
    """The second hit of a visitor with a csrftoken cookie still makes no query."""
    visitor = Client()
    visitor.get(consultation.url)
    visitor.get(consultation.url)
    with CaptureQueriesContext(connection) as ctx:
        assert state(visitor.get(consultation.url)) == "hit"
    assert len(ctx.captured_queries) == 0


DEAD_REDIS = {
    "default": {
        "BACKEND": "quitodecide.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


def test_the_middleware_and_writes_fail_open_with_the_cache_down(consultation, resident, rf):
    """Wagtail's own Site.get_site_root_paths reads the cache too (not ours to change), so
    the middleware is checked around a view of its own; the navigation header and a write
    through a service are checked for real."""
    from discussions.models import Comment
    from quitodecide import navigation

    page = HttpResponse("<!doctype html><p>página</p>", content_type="text/html")
    with override_settings(CACHES=DEAD_REDIS):
        middleware = pagecache.PageCacheMiddleware(lambda request: page)
        request = rf.get("/obras/")
        request.COOKIES = {}
        assert middleware(request) is page and state(page) is None
        navigation.forget()
        comment = discussion_services.comment_create(
            thread=consultation.general_thread, author=resident, body="Sin caché también"
        )
        pagecache.purge()  # a bump that cannot reach the cache is dropped, not raised
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_a_new_build_never_serves_the_previous_builds_pages(client, territory, settings):
    settings.PAGE_CACHE_BUILD_ID = "release-1"
    assert state(client.get("/")) == "miss"
    assert state(client.get("/")) == "hit"
    settings.PAGE_CACHE_BUILD_ID = "release-2"
    assert state(client.get("/")) == "miss"
    assert state(client.get("/")) == "hit"


def test_the_derived_build_id_follows_the_static_manifest(settings, tmp_path):
    settings.PAGE_CACHE_BUILD_ID = ""
    settings.LOCALE_PATHS = []
    settings.STATIC_ROOT = tmp_path
    ids = []
    for manifest in ('{"paths": {"a.css": "a.1.css"}}', '{"paths": {"a.css": "a.2.css"}}'):
        (tmp_path / "staticfiles.json").write_text(manifest)
        pagecache._derived_build_id.cache_clear()
        ids.append(pagecache.build_id())
    pagecache._derived_build_id.cache_clear()
    assert ids[0] and ids[1] and ids[0] != ids[1]


def test_a_training_cancel_link_is_never_stored(
    client, territory, django_capture_on_commit_callbacks
):
    from tests.training.helpers import make_session
    from tests.training.test_registration import anon, cancel_token

    with django_capture_on_commit_callbacks(execute=True):
        registration = anon(make_session(capacity=5), 1)
    url = f"/formacion/inscripcion/{cancel_token(registration.email)}/cancelar/"
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200 and state(response) is None
        assert "Persona 1" in response.content.decode()


@pytest.fixture
def stored_timeouts(monkeypatch):
    """The timeout of every page the middleware stores, in order."""
    stored = []
    real = pagecache._call

    def spy(method, *args, **kwargs):
        if method == "set":
            stored.append(args[2])
        return real(method, *args, **kwargs)

    monkeypatch.setattr(pagecache, "_call", spy)
    return stored


def test_a_view_can_cap_or_forbid_storing(territory, stored_timeouts):
    page = HttpResponse("<!doctype html><p>x</p>", content_type="text/html")
    middleware = pagecache.PageCacheMiddleware(lambda request: page)
    for seconds, expected in ((0, []), (7, [7])):
        page.page_cache_seconds = seconds
        request = RequestFactory().get(f"/prueba/{seconds}/")
        request.COOKIES = {}
        middleware(request)
        assert stored_timeouts == expected


def test_a_consultation_is_kept_no_longer_than_until_it_closes(territory, stored_timeouts):
    page = make_consultation(opens=-1, closes=5 / 86400)  # closes in 5 seconds
    assert state(Client().get(page.url)) == "miss"
    assert len(stored_timeouts) == 1 and 0 < stored_timeouts[0] <= 5
    later = make_consultation(slug="otra", opens=-1, closes=10)
    Client().get(later.url)
    assert stored_timeouts[-1] == 300  # PAGE_CACHE_SECONDS of the fixture


def test_the_hit_header_is_sent_only_when_asked_for(client, territory, settings):
    settings.PAGE_CACHE_DEBUG_HEADER = False
    client.get("/")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/")
    assert len(ctx.captured_queries) == 0  # still a hit
    assert pagecache.HIT_HEADER not in response.headers


def test_search_results_are_never_stored(client, territory):
    for _ in range(2):
        response = client.get("/buscar/", {"q": "Ana Quishpe"})
        assert response.status_code == 200 and state(response) is None


def test_every_app_of_this_repository_with_models_purges_on_its_writes(settings):
    """An app added to the repository (and to PROJECT_APPS, which INSTALLED_APPS is built
    from) purges cached pages on its writes; an app of ours left out of the list would not."""
    from django.apps import apps

    base = str(settings.BASE_DIR)
    ours = [
        config
        for config in apps.get_app_configs()
        if str(config.path).startswith(base) and "/.venv/" not in str(config.path)
    ]
    assert {config.label for config in ours if list(config.get_models())} <= set(
        settings.PROJECT_APPS
    )
    for config in ours:
        for model in config.get_models():
            label = model._meta.label_lower
            assert pagecache.relevant(model) == (label not in pagecache.EXCLUDED_MODELS), label
