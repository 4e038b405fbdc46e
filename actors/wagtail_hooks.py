"""Admin of the map of social actors ("Actores sociales"): the list of the actors of the
user's zones (all for the city-wide team), their form, and the CSV/XLSX import.

The screens are open to zone staff; the viewset's scope (territory.admin_scope) holds them
to the actors of their zones (another zone's actor is a 404), and every save or deletion
goes through actors.services (rule book actors.manage, MFA included; checks; audit)."""

from django import forms
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.models import CreateView, DeleteView, EditView, IndexView
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from quitodecide.errors import DomainError
from territory.admin_scope import ServiceSaveMixin, ZoneScopedViewSet
from territory.models import Parish, Zone
from territory.permissions import staff_zones

from . import admin_import, selectors, services
from .models import Actor

FORM_FIELDS = [
    "name",
    "kind",
    "zone",
    "parish",
    "barrio",
    "legal_status",
    "registration",
    "members",
    "year_mapped",
    "source",
    "source_name",
    "description",
    "lat",
    "lon",
    "contact_name",
    "contact_email",
    "contact_phone",
    "contact_public",
    "is_active",
]


class ActorPolicy(ModelPermissionPolicy):
    """Zone staff (and the city-wide team) use the screens; the scope and the services
    decide the rest."""

    def user_has_permission(self, user, action):
        if action in {"add", "change", "delete", "view"}:
            return staff_zones(user) != []
        return False

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(Actor, ActorPolicy(Actor))


class ActorForm(WagtailAdminModelForm):
    class Meta:
        model = Actor
        fields = FORM_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zones = staff_zones(self.for_user) if self.for_user is not None else []
        if zones is not None:
            self.fields["zone"].queryset = Zone.objects.filter(pk__in=[z.pk for z in zones])
            codes = [code for z in zones for code in services.EXTRA_PARISHES.get(z.slug, ())]
            self.fields["parish"].queryset = Parish.objects.filter(
                pk__in=Parish.objects.filter(zone__in=zones).values("pk")
            ) | Parish.objects.filter(dpa_code__in=codes)
        self.fields["parish"].queryset = self.fields["parish"].queryset.select_related("zone")
        self.fields["parish"].label_from_instance = lambda p: f"{p.name} ({p.zone.name})"
        self.fields["description"].widget = forms.Textarea(attrs={"rows": 4})

    def validate_unique(self):
        """The service checks the natural key and the year (with messages in Spanish)."""

    def save(self, commit=True):
        stored = Actor.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        data = dict(self.cleaned_data)
        try:
            return services.actor_save(
                actor=self.for_user, zone=data["zone"], data=data, record=stored
            )
        except services.FieldProblem as error:
            field = error.field if error.field in self.fields else None
            if field:
                raise ValidationError({field: error.message}) from error
            raise ValidationError(error.message) from error
        except DomainError as error:
            raise ValidationError(error.message) from error


class ActorIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("zone", "parish")


class ActorCreateView(ServiceSaveMixin, CreateView):
    """Through actors.services.actor_save."""


class ActorEditView(ServiceSaveMixin, EditView):
    """Through actors.services.actor_save."""


class ActorDeleteView(DeleteView):
    """Through actors.services.actor_delete."""

    def delete_action(self):
        try:
            services.actor_delete(actor=self.request.user, record=self.object)
        except DomainError as error:
            raise HttpForbidden(error.message) from error


class ActorViewSet(ZoneScopedViewSet):
    model = Actor
    icon = "group"
    menu_label = _("Actors")
    form_class = ActorForm
    list_display = ["name", "kind", "zone", "parish", "year_mapped", "contact_public"]
    list_filter = ["zone", "kind", "legal_status", "year_mapped", "source"]
    search_fields = ["name", "barrio"]
    inspect_view_enabled = False
    copy_view_enabled = False
    index_view_class = ActorIndexView
    add_view_class = ActorCreateView
    edit_view_class = ActorEditView
    delete_view_class = ActorDeleteView

    def scope_queryset(self, user):
        return selectors.actors_for(user)

    def get_form_class(self, for_update=False):
        return ActorForm


class ImportViewSet(ViewSet):
    """The CSV/XLSX import (actors.admin_import)."""

    icon = "table"
    menu_label = _("Import actors")
    name = "actors_import"
    url_prefix = "actores-importar"

    def get_urlpatterns(self):
        return admin_import.urlpatterns

    @property
    def menu_url(self):
        return reverse("actors_import:index")

    @property
    def menu_item_class(self):
        class ImportMenuItem(MenuItem):
            def is_shown(self, request):
                return staff_zones(request.user) != []

        return ImportMenuItem


class ActorsGroup(ViewSetGroup):
    menu_label = _("Social actors")
    menu_icon = "group"
    menu_order = 278
    items = (ActorViewSet("actores"), ImportViewSet("actors_import"))


@hooks.register("register_admin_viewset")
def register_actor_viewsets():
    return ActorsGroup()
