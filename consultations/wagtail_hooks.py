"""Admin for observations from in-person sessions (sessions themselves are edited inline on
the consultation page)."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic.models import EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet

from quitodecide.errors import DomainError
from territory.models import ZonePage
from territory.permissions import is_zone_staff, staff_zones

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
        if self.instance.pk:
            return super().save(commit=commit)
        data = self.cleaned_data
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


class ObservationIndexView(IndexView):
    def get_base_queryset(self):
        return SessionObservation.objects.filter(
            session__in=sessions_for(self.request.user)
        ).select_related("session")


class ObservationEditView(EditView):
    def get_object(self, queryset=None):
        observation = super().get_object(queryset)
        if not is_zone_staff(self.request.user, observation.session.consultation.zone):
            raise Http404
        return observation


class ObservationViewSet(ModelViewSet):
    model = SessionObservation
    icon = "group"
    menu_label = _("In-person observations")
    menu_order = 245
    add_to_admin_menu = True
    form_class = ObservationForm
    list_display = ["text", "session", "provision_key", "stance"]
    inspect_view_enabled = False
    index_view_class = ObservationIndexView
    edit_view_class = ObservationEditView

    def get_form_class(self, for_update=False):
        return ObservationForm


@hooks.register("register_admin_viewset")
def register_observation_viewset():
    return ObservationViewSet("observaciones")
