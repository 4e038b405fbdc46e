"""Admin of training (menu "Formación"): plans, modules and sessions of the staff's zones,
and per session its registrations and the attendance checklist.

Any admin user may open the screens; each viewset's scope limits staff to their zones'
records and every save goes through training.services (rule book training.manage, audit).
The attendance screen asks training.attendance (from the session's day; MFA via the view
gate).

Attendance is a checklist, not a QR code per registration: a QR needs a camera, light and
a JavaScript reader on the staff's phone, and a registrant without a smartphone or e-mail
at hand; reading names from a list works everywhere (no JavaScript), is quicker for a
group of 20 to 40, and a name checked by mistake is unchecked the same way."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.views.generic.models import CreateView, EditView, IndexView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from quitodecide import rulebook
from quitodecide.errors import DomainError
from territory.admin_scope import ServiceSaveMixin, ZoneScopedViewSet
from territory.models import Zone
from territory.permissions import staff_zones

from . import services
from .models import Module, Registration, TrainingPlan, TrainingSession


def plans_for(user):
    zones = staff_zones(user)
    plans = TrainingPlan.objects.all()
    return plans if zones is None else plans.filter(zone__in=zones)


def modules_for(user):
    return Module.objects.filter(plan__in=plans_for(user))


def sessions_for(user):
    return TrainingSession.objects.filter(plan__in=plans_for(user))


class TrainingPolicy(ModelPermissionPolicy):
    """Zone staff (and the city-wide team) use the screens; the scope limits them to their
    zones and the services check the rule on every write. Nothing is deleted here: a
    session that will not happen is cancelled (its registrants are told)."""

    def user_has_permission(self, user, action):
        if action in {"add", "change", "view"}:
            zones = staff_zones(user)
            return bool(user.is_active and (zones is None or zones))
        return False

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


for _model in (TrainingPlan, Module, TrainingSession):
    register_permission_policy(_model, TrainingPolicy(_model))


class ServiceForm(WagtailAdminModelForm):
    """Saves through a training service; `write(data, stored)` gets the record as stored."""

    def write(self, data, stored):
        raise NotImplementedError

    def save(self, commit=True):
        model = self._meta.model
        stored = model.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        try:
            return self.write(self.cleaned_data, stored)
        except DomainError as error:
            raise ValidationError(error.message) from error


class PlanForm(ServiceForm):
    class Meta:
        model = TrainingPlan
        fields = ["zone", "year", "title", "slug", "description", "is_published"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zones = staff_zones(self.for_user) if self.for_user is not None else []
        self.fields["zone"].queryset = (
            Zone.objects.all()
            if zones is None
            else Zone.objects.filter(pk__in=[z.pk for z in zones])
        )

    def write(self, data, stored):
        return services.plan_save(
            actor=self.for_user,
            plan=stored,
            zone=data["zone"],
            year=data["year"],
            title=data["title"],
            slug=data["slug"],
            description=data.get("description", ""),
            is_published=data.get("is_published", False),
        )


class ModuleForm(ServiceForm):
    class Meta:
        model = Module
        fields = ["plan", "position", "title", "description", "hours"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans_for(self.for_user).select_related("zone")

    def write(self, data, stored):
        return services.module_save(
            actor=self.for_user,
            module=stored,
            plan=data["plan"],
            position=data["position"],
            title=data["title"],
            description=data.get("description", ""),
            hours=data.get("hours"),
        )


class SessionForm(ServiceForm):
    class Meta:
        model = TrainingSession
        fields = [
            "plan",
            "module",
            "title",
            "description",
            "starts_at",
            "ends_at",
            "place",
            "online_url",
            "capacity",
            "facilitator",
            "partner",
            "status",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans_for(self.for_user).select_related("zone")
        self.fields["module"].queryset = modules_for(self.for_user).select_related("plan")

    def write(self, data, stored):
        return services.session_save(
            actor=self.for_user,
            session=stored,
            plan=data["plan"],
            module=data.get("module"),
            title=data["title"],
            description=data.get("description", ""),
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            place=data.get("place", ""),
            online_url=data.get("online_url", ""),
            capacity=data["capacity"],
            facilitator=data["facilitator"],
            partner=data.get("partner", ""),
            status=data["status"],
        )


class TrainingCreateView(ServiceSaveMixin, CreateView):
    """Through training.services."""


class TrainingEditView(ServiceSaveMixin, EditView):
    """Through training.services."""


class SessionIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("plan__zone")

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.append(
            MenuItem(
                _("Registrations"),
                url=reverse("training_registrations", args=[instance.pk]),
                icon_name="group",
                priority=40,
            )
        )
        buttons.append(
            MenuItem(
                _("Attendance"),
                url=reverse("training_attendance", args=[instance.pk]),
                icon_name="tasks",
                priority=41,
            )
        )
        return buttons


class TrainingViewSet(ZoneScopedViewSet):
    add_view_class = TrainingCreateView
    edit_view_class = TrainingEditView
    inspect_view_enabled = False
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return self.form_class

    def scope_queryset(self, user):  # each viewset below gives its own
        return self.model.objects.none()


class PlanViewSet(TrainingViewSet):
    model = TrainingPlan
    form_class = PlanForm
    icon = "folder-open-inverse"
    menu_label = gettext_lazy("Training plans")
    list_display = ["title", "zone", "year", "is_published"]
    list_filter = ["zone", "year", "is_published"]
    search_fields = ["title"]

    def scope_queryset(self, user):
        return plans_for(user)


class ModuleViewSet(TrainingViewSet):
    model = Module
    form_class = ModuleForm
    icon = "list-ol"
    menu_label = gettext_lazy("Modules")
    list_display = ["title", "plan", "position", "hours"]
    list_filter = ["plan__zone"]

    def scope_queryset(self, user):
        return modules_for(user)


class SessionViewSet(TrainingViewSet):
    model = TrainingSession
    form_class = SessionForm
    icon = "date"
    menu_label = gettext_lazy("Sessions")
    url_prefix = "formacion/sesion"
    list_display = ["title", "plan", "starts_at", "capacity", "status"]
    list_filter = ["status", "plan__zone"]
    search_fields = ["title"]
    index_view_class = SessionIndexView

    def scope_queryset(self, user):
        return sessions_for(user)


class TrainingViewSetGroup(ViewSetGroup):
    menu_label = gettext_lazy("Formación")
    menu_icon = "user"
    menu_order = 285
    items = (
        PlanViewSet("formacion-planes", url_prefix="formacion/plan"),
        ModuleViewSet("formacion-modulos", url_prefix="formacion/modulo"),
        SessionViewSet("formacion-sesiones", url_prefix="formacion/sesion"),
    )


@hooks.register("register_admin_viewset")
def register_training_viewsets():
    return TrainingViewSetGroup()


# --- registrations and attendance ---------------------------------------------------------
def _session(pk):
    found = (
        TrainingSession.objects.select_related("plan__zone").filter(pk=pk).first()
        if 0 < pk < 2**31
        else None
    )
    if found is None:
        raise Http404
    return found


def registrations_view(request, pk):
    session = _session(pk)
    gate = rulebook.view_gate(request, services.MANAGE, session.plan)
    if gate is not None:
        return gate
    registrations = session.registrations.select_related("parish").order_by("status", "created_at")
    return TemplateResponse(
        request,
        "training/admin/registrations.html",
        {"session": session, "registrations": registrations},
    )


class AttendanceForm(forms.Form):
    attended = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.registrations = registrations
        self.fields["attended"].choices = [(r.pk, r.name) for r in registrations]
        self.fields["attended"].error_messages["invalid_choice"] = _(
            "Only confirmed registrations of this session can attend."
        )


def attendance_view(request, pk):
    session = _session(pk)
    gate = rulebook.view_gate(request, services.ATTENDANCE, session)
    if gate is not None:
        return gate
    confirmed = list(
        session.registrations.filter(status=Registration.Status.CONFIRMED).order_by("name", "pk")
    )
    form = AttendanceForm(request.POST or None, registrations=confirmed)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.attendance_save(
                actor=request.user, session=session, attended_ids=form.cleaned_data["attended"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Attendance saved: %(attended)s attended; %(sent)s evaluation e-mails sent.")
                % {"attended": result["attended"], "sent": result["evaluations"]},
            )
            return redirect("training_attendance", session.pk)
    return TemplateResponse(
        request,
        "training/admin/attendance.html",
        {"session": session, "form": form, "registrations": confirmed},
        status=400 if form.errors else 200,
    )


@hooks.register("register_admin_urls")
def register_training_urls():
    return [
        path(
            "formacion/sesion/<int:pk>/asistencia/",
            attendance_view,
            name="training_attendance",
        ),
        path(
            "formacion/sesion/<int:pk>/inscripciones/",
            registrations_view,
            name="training_registrations",
        ),
    ]
