"""Cross-zone reads in the admin are refused like cross-zone writes.

The test walks every admin URL pattern that names an object of one of our models (whatever
viewset registered it: edit, delete, history, usage, inspect, copy...) and asks it, as staff
of Calderón, for a Calderón object (the route must work: 200, or 302 where the action is not
allowed at all) and for a Tumbaco object (404, exactly as for an object that does not exist).
A new admin route for one of our models without an object here fails the test.
"""

import datetime

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Resident, User
from consultations import services as consultation_services
from consultations.models import InPersonSession, SessionObservation
from discussions import services as discussion_services
from discussions.models import Comment, Thread
from quitodecide.mfa import mark_user
from territory.models import Barrio, Parish, Zone, ZonePage
from territory.services import CITY_GROUP_NAME, zone_group_name
from tests.consultations.helpers import make_consultation
from tests.factories import ResidentFactory, UserFactory, login_with_mfa
from tests.works.builders import make_work
from works.models import Work, WorkUpdate

pytestmark = pytest.mark.django_db

OUR_APPS = {
    "accounts",
    "assemblies",
    "budgets",
    "consultations",
    "discussions",
    "home",
    "proposals",
    "territory",
    "works",
}
# Reference data of the whole city: no zone's staff may open it (only the city-wide team
# with the model permissions, superusers in practice), in their zone or any other.
CITY_ONLY = {Zone, Parish, Barrio, User}
HUGE_ID = 10**22


def admin_object_routes():
    """(url name, model) of every admin route that takes the pk of one of our models."""
    found = []

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern) and route.startswith("admin/"):
                model = getattr(pattern.callback, "view_initkwargs", {}).get("model") or getattr(
                    getattr(pattern.callback, "view_class", None), "model", None
                )
                if isinstance(model, str):
                    model = apps.get_model(model)
                if not (isinstance(model, type) and model._meta.app_label in OUR_APPS):
                    continue
                converters = set(pattern.pattern.converters)
                # An object of ours named any other way would escape this test.
                assert converters <= {"pk"}, f"{route}: name the object <pk> or extend this test"
                if converters and pattern.name:
                    name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                    found.append((name, model))

    walk(get_resolver().url_patterns, "", "")
    return found


def staff_of(slug):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=zone_group_name(Zone.objects.get(slug=slug))))
    return user


def _session(zone_slug):
    page = make_consultation(ZonePage.objects.get(zone__slug=zone_slug), slug=f"c-{zone_slug}")
    return InPersonSession.objects.create(
        consultation=page, held_on=datetime.date(2026, 11, 1), place="Casa barrial", attendees=9
    )


@pytest.fixture
def city_team():
    user = UserFactory()
    user.groups.add(Group.objects.get(name=CITY_GROUP_NAME))
    mark_user(user, True)
    return user


@pytest.fixture
def objects(territory, city_team):
    """One object of each zone-scoped model in Calderón ("own") and in Tumbaco ("other"),
    each with an audit entry, so history pages have something to show."""
    made = {}
    for key, slug in (("own", "calderon"), ("other", "tumbaco")):
        zone = Zone.objects.get(slug=slug)
        thread = Thread.objects.create(zone=zone, title=f"Hilo {slug}")
        comment = discussion_services.comment_create(
            thread=thread, author=UserFactory(), body=f"Texto del comentario de {slug}"
        )
        discussion_services.flag_create(comment=comment, user=UserFactory(), reason="ofensivo")
        discussion_services.flags_dismiss(comment=comment, actor=city_team)
        observation = consultation_services.observation_record(
            session=_session(slug), actor=city_team, text=f"Observación de {slug}"
        )
        parish = zone.parishes.first()
        resident = ResidentFactory(zone=zone, parish=parish)
        work = make_work(slug, staff=city_team, title=f"Obra de {slug}")
        made[key] = {
            Comment: comment,
            SessionObservation: observation,
            Resident: resident,
            User: resident.user,
            Zone: zone,
            Parish: parish,
            Barrio: Barrio.objects.create(name=f"Barrio de {slug}", parish=parish),
            Work: work,
            WorkUpdate: work.updates.get(),
        }
    return made


@pytest.fixture
def staff_client(client, territory):
    staff = staff_of("calderon")
    # The zone's group may edit residents (territory_load grants it): only the zone scope
    # stands between this user and Tumbaco's residents.
    login_with_mfa(client, staff)
    return client


def test_every_admin_object_route_refuses_another_zones_object(staff_client, objects):
    routes = admin_object_routes()
    models = {model for _name, model in routes}
    assert {Comment, SessionObservation, Resident, Work, WorkUpdate} <= models
    missing = models - set(objects["own"])
    assert not missing, f"Admin routes for {missing}: add an object of each zone to this test."
    reached = set()
    for name, model in routes:
        own, other = objects["own"][model].pk, objects["other"][model].pk
        own_status = staff_client.get(reverse(name, args=[own])).status_code
        other_status = staff_client.get(reverse(name, args=[other])).status_code
        if model in CITY_ONLY:
            assert own_status != 200 and other_status != 200, name
            continue
        assert own_status in (200, 302), f"{name}: {own_status} for an object of the zone"
        assert other_status == 404, f"{name}: {other_status} for another zone's object"
        assert staff_client.get(reverse(name, args=[HUGE_ID])).status_code == 404, name
        if own_status == 200:
            reached.add(name.rsplit(":", 1)[-1])
    # The walk reached the read views the hole was found in.
    assert {"edit", "history", "usage", "inspect"} <= reached


def test_other_zones_moderation_history_is_not_readable(staff_client, objects, city_team):
    own, other = objects["own"][Comment], objects["other"][Comment]
    response = staff_client.get(f"/admin/moderacion/history/{own.pk}/")
    assert response.status_code == 200
    assert city_team.email in response.content.decode()  # who dismissed the flags
    for view in ("history", "history-results", "usage", "inspect", "edit"):
        response = staff_client.get(f"/admin/moderacion/{view}/{other.pk}/")
        assert response.status_code == 404
        html = response.content.decode()
        assert "Texto del comentario de tumbaco" not in html
        assert city_team.email not in html


def test_index_lists_only_the_zone(staff_client, objects):
    html = staff_client.get("/admin/observaciones/").content.decode()
    assert "Observación de calderon" in html
    assert "Observación de tumbaco" not in html
    html = staff_client.get("/admin/residents/").content.decode()
    assert objects["own"][Resident].display_name in html
    assert objects["other"][Resident].display_name not in html


def test_site_history_shows_zone_staff_their_zone_only(staff_client, client, objects, city_team):
    html = staff_client.get("/admin/reports/site-history/").content.decode()
    assert "Texto del comentario de calderon" in html
    assert "Observación de calderon" in html
    assert "Texto del comentario de tumbaco" not in html
    assert "Observación de tumbaco" not in html
    export = staff_client.get("/admin/reports/site-history/?export=csv")
    csv = b"".join(export.streaming_content).decode()
    assert "calderon" in csv and "tumbaco" not in csv
    login_with_mfa(client, city_team)
    html = client.get("/admin/reports/site-history/").content.decode()
    assert "Texto del comentario de calderon" in html
    assert "Texto del comentario de tumbaco" in html


def test_a_model_permission_does_not_open_every_zones_log(staff_client, objects):
    """Granted to a zone's staff, Wagtail's rule alone would show every comment's entries."""
    group = Group.objects.get(name=zone_group_name(Zone.objects.get(slug="calderon")))
    group.permissions.add(
        Permission.objects.get(content_type__app_label="discussions", codename="change_comment")
    )
    html = staff_client.get("/admin/reports/site-history/").content.decode()
    assert "Texto del comentario de calderon" in html
    assert "Texto del comentario de tumbaco" not in html


def test_another_zones_page_history_is_not_readable(staff_client, objects):
    own = ZonePage.objects.get(zone__slug="calderon")
    other = ZonePage.objects.get(zone__slug="tumbaco")
    assert staff_client.get(f"/admin/pages/{own.pk}/history/").status_code == 200
    response = staff_client.get(f"/admin/pages/{other.pk}/history/")
    assert response.status_code in (302, 403, 404)


def test_a_scoped_viewset_without_its_scope_is_refused_when_declared():
    from territory.admin_scope import ZoneScopedViewSet

    with pytest.raises(TypeError, match="scope_queryset"):

        class Unscoped(ZoneScopedViewSet):
            model = Zone
