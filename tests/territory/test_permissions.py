"""Per-zone editing: each zone's staff group edits and publishes its own subtree only."""

import pytest
from django.contrib.auth.models import Group

from territory.models import NewsPage, Zone, ZonePage
from territory.services import zone_group_name
from tests.factories import UserFactory, login_with_mfa

pytestmark = pytest.mark.django_db


@pytest.fixture
def editors(territory):
    editors = {}
    for zone in Zone.objects.all():
        user = UserFactory()
        user.groups.add(Group.objects.get(name=zone_group_name(zone)))
        editors[zone.slug] = user
    return editors


def test_permission_matrix_zone_by_zone(editors):
    pages = {page.zone.slug: page for page in ZonePage.objects.select_related("zone")}
    for editor_zone, user in editors.items():
        for page_zone, page in pages.items():
            perms = page.permissions_for_user(user)
            own = editor_zone == page_zone
            assert perms.can_edit() is own, (editor_zone, page_zone)
            assert perms.can_publish() is own, (editor_zone, page_zone)
            assert perms.can_add_subpage() is own, (editor_zone, page_zone)


def test_permissions_reach_the_subtree(editors):
    calderon = ZonePage.objects.get(zone__slug="calderon")
    news = calderon.add_child(instance=NewsPage(title="Noticia", slug="noticia", date="2026-11-01"))
    assert news.permissions_for_user(editors["calderon"]).can_edit()
    assert not news.permissions_for_user(editors["tumbaco"]).can_edit()


def test_zone_staff_cannot_edit_the_home_or_index(editors):
    index = ZonePage.objects.get(zone__slug="calderon").get_parent()
    assert not index.permissions_for_user(editors["calderon"]).can_edit()
    assert not index.get_parent().permissions_for_user(editors["calderon"]).can_edit()


def test_admin_edit_view_enforces_it(client, editors):
    """Over HTTP, with MFA satisfied: own zone 200, other zone refused."""
    login_with_mfa(client, editors["calderon"])
    own = ZonePage.objects.get(zone__slug="calderon")
    other = ZonePage.objects.get(zone__slug="tumbaco")
    assert client.get(f"/admin/pages/{own.pk}/edit/").status_code == 200
    response = client.get(f"/admin/pages/{other.pk}/edit/")
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert f"/admin/pages/{other.pk}/edit/" not in response["Location"]
    response = client.post(f"/admin/pages/{other.pk}/edit/", {"title": "Hackeado"})
    assert response.status_code in (302, 403)
    other.refresh_from_db()
    assert other.title != "Hackeado"
