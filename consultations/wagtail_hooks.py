"""Admin for observations from in-person sessions (sessions themselves are edited inline on
the consultation page)."""

from django import forms
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic.models import CreateView, DeleteView, EditView, IndexView
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from quitodecide.errors import DomainError
from territory.admin_scope import ServiceSaveMixin, ZoneScopedViewSet
from territory.models import ZonePage
from territory.permissions import staff_zones

from . import services
from .models import InPersonSession, SessionObservation


def sessions_for(user):
    """Sessions of the consultations `user` may manage, in a fixed number of queries."""
    sessions = InPersonSession.objects.select_related("consultation")
    zones = staff_zones(user)
    if zones is None:
        return sessions
    # A consultation belongs to a zone when its page lies under that zone's page.
    under_zone = Q(pk__in=[])
    for path in ZonePage.objects.filter(zone__in=zones).values_list("path", flat=True):
        under_zone |= Q(consultation__path__startswith=path)
    return sessions.filter(under_zone)


class ObservationForm(WagtailAdminModelForm):
    class Meta:
        model = SessionObservation
        fields = ["session", "provision_key", "stance", "text"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None:
            self.fields["session"].queryset = sessions_for(self.for_user)
        self.fields["provision_key"].widget = forms.TextInput(
            attrs={"placeholder": "art-5, disp-transitoria-1"}
        )

    def save(self, commit=True):
        data = self.cleaned_data
        if self.instance.pk:
            stored = SessionObservation.objects.get(pk=self.instance.pk)  # not as edited
            try:
                return services.observation_update(
                    observation=stored,
                    actor=self.for_user,
                    session=data["session"],
                    text=data["text"],
                    provision_key=data.get("provision_key", ""),
                    stance=data.get("stance", ""),
                )
            except DomainError as error:
                raise ValidationError(error.message) from error
        try:
            return services.observation_record(
                session=data["session"],
                actor=self.for_user,
                text=data["text"],
                provision_key=data.get("provision_key", ""),
                stance=data.get("stance", ""),
            )
        except DomainError as error:
            raise ValidationError(error.message) from error


def observations_for(user):
    """The observations `user` may reach in the admin: those of sessions of consultations of
    their zones (all for the city-wide team). The viewset's one scoping point."""
    return SessionObservation.objects.filter(session__in=sessions_for(user))


class ObservationPermissionPolicy(ModelPermissionPolicy):
    """Zone staff record the observations of their zone's sessions: any admin user may use
    the screens, the viewset's scope limits them to their zones, and the services check
    the rule on every write."""

    def user_has_permission(self, user, action):
        if action in {"add", "change", "delete", "view"}:
            return user.is_active and (
                user.is_superuser or user.has_perm("wagtailadmin.access_admin")
            )
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(SessionObservation, ObservationPermissionPolicy(SessionObservation))


class ObservationIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("session")


class ObservationCreateView(ServiceSaveMixin, CreateView):
    """Recording goes through consultations.services.observation_record (rule, audit)."""


class ObservationEditView(ServiceSaveMixin, EditView):
    """Corrections go through consultations.services.observation_update (rule, audit)."""


class ObservationDeleteView(DeleteView):
    """Deletion goes through consultations.services.observation_delete (rule, audit)."""

    def delete_action(self):
        try:
            services.observation_delete(observation=self.object, actor=self.request.user)
        except DomainError as error:
            raise HttpForbidden(error.message) from error


class ObservationViewSet(ZoneScopedViewSet):
    model = SessionObservation
    icon = "group"
    menu_label = _("In-person observations")
    menu_order = 245
    add_to_admin_menu = True
    form_class = ObservationForm
    list_display = ["text", "session", "provision_key", "stance"]
    inspect_view_enabled = False
    copy_view_enabled = False
    index_view_class = ObservationIndexView
    add_view_class = ObservationCreateView
    edit_view_class = ObservationEditView
    delete_view_class = ObservationDeleteView

    def scope_queryset(self, user):
        return observations_for(user)

    def get_form_class(self, for_update=False):
        return ObservationForm


@hooks.register("register_admin_viewset")
def register_observation_viewset():
    return ObservationViewSet("observaciones")


# The admin screens of the article matching, the dispositions and the enacted text register
# their hooks in their own modules.
from . import admin_dispositions, admin_enacted, admin_matching  # noqa: E402, F401
