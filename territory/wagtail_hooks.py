"""Admin for the territory: staff move parishes between zones and add barrios here."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic.models import EditView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.models import ModelLogEntry

from . import services
from .admin_scope import ServiceSaveMixin
from .models import Barrio, Parish, Zone, ZoneScopedLogEntry


@hooks.register("register_log_actions", order=100)
def read_the_model_log_through_zone_scopes(actions):
    """After Wagtail's own registration: non-page objects are logged and read through the
    zone-scoped log model, so the site history shows zone staff their zones only."""
    actions.register_model(models.Model, ZoneScopedLogEntry)
    actions.log_entry_models.discard(ModelLogEntry)


class ZoneViewSet(ModelViewSet):
    model = Zone
    icon = "site"
    menu_label = _("Zones")
    list_display = ["name", "official_name", "kind"]
    search_fields = ["name", "official_name"]
    form_fields = ["name", "official_name", "slug", "kind", "lat", "lon", "since", "note"]
    add_to_admin_menu = False


class ParishForm(WagtailAdminModelForm):
    class Meta:
        model = Parish
        fields = list(services.PARISH_FIELDS)

    def save(self, commit=True):
        if self.instance.pk is None:  # a new parish has no residents: Wagtail logs it
            return super().save(commit=commit)
        # The service reads the stored row (the form already changed self.instance).
        values = {name: self.cleaned_data[name] for name in services.PARISH_FIELDS}
        return services.parish_update(parish=self.instance, actor=self.for_user, **values)


class ParishEditView(ServiceSaveMixin, EditView):
    """Edits go through territory.services.parish_update (rule, residents, audit)."""


class ParishViewSet(ModelViewSet):
    model = Parish
    form_class = ParishForm
    edit_view_class = ParishEditView
    icon = "pick"
    menu_label = _("Parishes")
    list_display = ["name", "dpa_code", "type", "zone", "confidence"]
    list_filter = ["zone", "type", "confidence"]
    search_fields = ["name", "dpa_code"]

    def get_form_class(self, for_update=False):
        return ParishForm


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
