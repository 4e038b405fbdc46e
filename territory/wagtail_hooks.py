"""Admin for the territory: staff move parishes between zones and add barrios here."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from .models import Barrio, Parish, Zone


class ZoneViewSet(ModelViewSet):
    model = Zone
    icon = "site"
    menu_label = _("Zones")
    list_display = ["name", "official_name", "kind"]
    search_fields = ["name", "official_name"]
    form_fields = ["name", "official_name", "slug", "kind", "lat", "lon", "since", "note"]
    add_to_admin_menu = False


class ParishViewSet(ModelViewSet):
    model = Parish
    icon = "pick"
    menu_label = _("Parishes")
    list_display = ["name", "dpa_code", "type", "zone", "confidence"]
    list_filter = ["zone", "type", "confidence"]
    search_fields = ["name", "dpa_code"]
    form_fields = ["name", "dpa_code", "type", "zone", "lat", "lon", "confidence"]


class BarrioViewSet(ModelViewSet):
    model = Barrio
    icon = "home"
    menu_label = _("Barrios")
    list_display = ["name", "parish"]
    list_filter = ["parish__zone"]
    search_fields = ["name"]
    form_fields = ["name", "parish"]


class TerritoryViewSetGroup(ModelViewSetGroup):
    menu_label = _("Territory")
    menu_icon = "globe"
    items = (ZoneViewSet("zones"), ParishViewSet("parishes"), BarrioViewSet("barrios"))


@hooks.register("register_admin_viewset")
def register_territory_viewsets():
    return TerritoryViewSetGroup()
