"""Admin of the council's records (sessions, agenda, attendance, roll-call votes).

Only the council secretariat may open or write these screens: the permission policy asks
the rule book (`council.manage`, MFA included) and every save or deletion goes through
council.services (rule, validation, audit entry). The group "Concejo" holds councillors,
commissions, sessions, agenda items, and the phone-friendly screens for a session's
attendance and an item's roll call."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.models import CreateView, DeleteView, EditView, IndexView
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from council import services
from quitodecide import rulebook
from quitodecide.errors import DomainError
from territory.admin_scope import ServiceSaveMixin

# The secretariat's empty-seat screens register their hooks in their own module.
from . import admin_empty_seat  # noqa: F401
from .models import (
    AgendaItem,
    Attendance,
    Commission,
    Councillor,
    CouncilSession,
    EmptySeatApplication,
    RollCallVote,
)

MANAGE = services.MANAGE


class CouncilPolicy(ModelPermissionPolicy):
    """The screens ask the rule book (`council.manage`), not model permissions."""

    def user_has_permission(self, user, action):
        if action in {"add", "change", "delete", "view"}:
            return rulebook.allowed(user, MANAGE, None)
        return False

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


for _model in (Commission, Councillor, CouncilSession, AgendaItem):
    register_permission_policy(_model, CouncilPolicy(_model))


class CouncilForm(WagtailAdminModelForm):
    """Saves through a council service (rule, validation, audit); `write(data, stored)`
    calls it with the record as stored (None when new), never as the form edited it."""

    def write(self, data, stored):
        raise NotImplementedError

    def save(self, commit=True):
        model = self._meta.model
        stored = model.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        try:
            return self.write(self.cleaned_data, stored)
        except DomainError as error:
            raise ValidationError(error.message) from error


class CommissionForm(CouncilForm):
    class Meta:
        model = Commission
        fields = ["name", "slug"]

    def write(self, data, stored):
        return services.commission_save(
            actor=self.for_user, commission=stored, name=data["name"], slug=data["slug"]
        )


class CouncillorForm(CouncilForm):
    class Meta:
        model = Councillor
        fields = ["name", "party", "constituency", "is_active"]

    def write(self, data, stored):
        return services.councillor_save(
            actor=self.for_user,
            councillor=stored,
            name=data["name"],
            party=data.get("party", ""),
            constituency=data.get("constituency", ""),
            is_active=data.get("is_active", False),
        )


class SessionForm(CouncilForm):
    class Meta:
        model = CouncilSession
        fields = [
            "kind",
            "commission",
            "number",
            "starts_at",
            "place",
            "status",
            "video_url",
            "minutes_url",
            "empty_seat_days",
        ]

    def write(self, data, stored):
        return services.session_save(
            actor=self.for_user,
            session=stored,
            kind=data["kind"],
            commission=data.get("commission"),
            number=data["number"],
            starts_at=data["starts_at"],
            place=data["place"],
            status=data["status"],
            video_url=data.get("video_url", ""),
            minutes_url=data.get("minutes_url", ""),
            empty_seat_days=data.get("empty_seat_days"),
        )


class AgendaItemForm(CouncilForm):
    class Meta:
        model = AgendaItem
        fields = [
            "session",
            "position",
            "title",
            "summary",
            "consultation",
            "empty_seat",
            "outcome",
        ]

    def write(self, data, stored):
        return services.item_save(
            actor=self.for_user,
            item=stored,
            session=data["session"],
            position=data["position"],
            title=data["title"],
            summary=data.get("summary", ""),
            consultation=data.get("consultation"),
            empty_seat=data.get("empty_seat", False),
            outcome=data.get("outcome", ""),
        )


class CouncilCreateView(ServiceSaveMixin, CreateView):
    """Through council.services."""


class CouncilEditView(ServiceSaveMixin, EditView):
    """Through council.services."""


class CouncilDeleteView(DeleteView):
    """Through council.services (session_delete or record_delete); a refusal is a message."""

    def delete_action(self):
        if isinstance(self.object, CouncilSession):
            services.session_delete(actor=self.request.user, session=self.object)
        else:
            services.record_delete(actor=self.request.user, record=self.object)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except DomainError as error:
            messages.error(self.request, error.message)
            return redirect(self.request.get_full_path())


class CouncilViewSet(ModelViewSet):
    add_view_class = CouncilCreateView
    edit_view_class = CouncilEditView
    delete_view_class = CouncilDeleteView
    inspect_view_enabled = False
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return self.form_class


class SessionIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("commission")


class ItemIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("session", "session__commission")


class CouncillorViewSet(CouncilViewSet):
    model = Councillor
    form_class = CouncillorForm
    icon = "user"
    menu_label = gettext_lazy("Councillors")
    list_display = ["name", "party", "constituency", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "party"]


class CommissionViewSet(CouncilViewSet):
    model = Commission
    form_class = CommissionForm
    icon = "group"
    menu_label = gettext_lazy("Commissions")
    list_display = ["name", "slug"]


class SessionViewSet(CouncilViewSet):
    model = CouncilSession
    form_class = SessionForm
    icon = "date"
    menu_label = gettext_lazy("Sessions")
    list_display = ["__str__", "commission", "starts_at", "status"]
    list_filter = ["kind", "status", "commission"]
    index_view_class = SessionIndexView


class AgendaItemViewSet(CouncilViewSet):
    model = AgendaItem
    form_class = AgendaItemForm
    icon = "list-ol"
    menu_label = gettext_lazy("Agenda items")
    list_display = ["title", "session", "position", "outcome"]
    list_filter = ["outcome", "session__kind"]
    search_fields = ["title"]
    index_view_class = ItemIndexView


# --- attendance and roll call -------------------------------------------------------------
def _gate(request):
    return rulebook.view_gate(request, MANAGE, None)


def _object(model, pk):
    found = model.objects.filter(pk=pk).first() if 0 < pk < 2**31 else None
    if found is None:
        raise Http404
    return found


NOT_IN_SESSION = "fuera"


class AttendanceForm(forms.Form):
    """One radio group per councillor (active ones, and any already on the record). A
    row left unfilled records nothing (the councillor was not part of the session: a
    commission has only its members); "not in this session" deletes a row on record.
    Nothing is preselected for a councillor without a record."""

    def __init__(self, *args, councillors, initial_presence, **kwargs):
        super().__init__(*args, **kwargs)
        self.councillors = councillors
        for councillor in councillors:
            self.fields[f"c{councillor.pk}"] = forms.ChoiceField(
                label=councillor.name,
                choices=[
                    *Attendance.Presence.choices,
                    (NOT_IN_SESSION, gettext_lazy("— not in this session —")),
                ],
                widget=forms.RadioSelect,
                required=False,
                initial=initial_presence.get(councillor.pk),
            )

    def rows(self):
        return [(c, self[f"c{c.pk}"]) for c in self.councillors]

    def presence(self) -> dict:
        """{councillor id: presence} for the rows filled with a presence."""
        return {
            c.pk: self.cleaned_data[f"c{c.pk}"]
            for c in self.councillors
            if self.cleaned_data.get(f"c{c.pk}") not in ("", NOT_IN_SESSION)
        }

    def removed(self, recorded) -> list:
        """The councillors on record whose row was set to "not in this session"."""
        return [
            c.pk
            for c in self.councillors
            if c.pk in recorded and self.cleaned_data.get(f"c{c.pk}") == NOT_IN_SESSION
        ]


class RollCallForm(forms.Form):
    """One radio group per councillor on the attendance (only "absent" for one who did not
    attend), one per organisation accredited for the empty seat, and the outcome."""

    def __init__(self, *args, voters, seats, initial_votes, initial_seats, item, **kwargs):
        super().__init__(*args, **kwargs)
        self.voters, self.seats = voters, seats
        for councillor, presence in voters:
            attended = presence in services.VOTERS
            choices = (
                RollCallVote.Choice.choices
                if attended
                else [(RollCallVote.Choice.ABSENT, RollCallVote.Choice.ABSENT.label)]
            )
            self.fields[f"c{councillor.pk}"] = forms.ChoiceField(
                label=councillor.name,
                choices=choices,
                widget=forms.RadioSelect,
                initial=initial_votes.get(
                    councillor.pk, None if attended else RollCallVote.Choice.ABSENT
                ),
                help_text="" if attended else Attendance.Presence(presence).label,
            )
        for application in seats:
            self.fields[f"s{application.pk}"] = forms.ChoiceField(
                label=_("Empty seat: %(organisation)s")
                % {"organisation": application.organisation},
                choices=RollCallVote.Choice.choices,
                widget=forms.RadioSelect,
                initial=initial_seats.get(application.pk),
            )
        self.fields["outcome"] = forms.ChoiceField(
            label=_("Outcome"),
            choices=AgendaItem.Outcome.choices,
            required=False,
            initial=item.outcome,
        )

    def rows(self):
        return [self[f"c{c.pk}"] for c, _p in self.voters] + [self[f"s{a.pk}"] for a in self.seats]


def attendance_view(request, session_pk):
    gate = _gate(request)
    if gate is not None:
        return gate
    session = _object(CouncilSession, session_pk)
    recorded = {a.councillor_id: a.presence for a in session.attendance.all()}
    councillors = list(
        Councillor.objects.filter(is_active=True) | Councillor.objects.filter(pk__in=list(recorded))
    )
    councillors = sorted(set(councillors), key=lambda c: c.name)
    form = AttendanceForm(request.POST or None, councillors=councillors, initial_presence=recorded)
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_record(
                actor=request.user,
                session=session,
                presence=form.presence(),
                remove=form.removed(recorded),
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Attendance recorded."))
            return redirect("council_roll_call:index")
    return render(
        request,
        "council/admin/attendance.html",
        {"session": session, "form": form, "held": session.status == CouncilSession.Status.HELD},
    )


def roll_call_view(request, item_pk):
    gate = _gate(request)
    if gate is not None:
        return gate
    item = _object(AgendaItem, item_pk)
    session = item.session
    voters = [
        (a.councillor, a.presence)
        for a in session.attendance.select_related("councillor").order_by("councillor__name")
    ]
    seats = list(item.empty_seat_applications.filter(status=EmptySeatApplication.Status.ACCREDITED))
    votes = list(item.votes.all())
    form = RollCallForm(
        request.POST or None,
        voters=voters,
        seats=seats,
        item=item,
        initial_votes={v.councillor_id: v.choice for v in votes if v.councillor_id},
        initial_seats={v.empty_seat_id: v.choice for v in votes if v.empty_seat_id},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.roll_call_record(
                actor=request.user,
                item=item,
                votes={c.pk: data[f"c{c.pk}"] for c, _p in voters},
                empty_seat_votes={a.pk: data[f"s{a.pk}"] for a in seats},
                outcome=data.get("outcome", ""),
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Roll-call vote recorded."))
            return redirect("council_roll_call:index")
    return render(
        request,
        "council/admin/roll_call.html",
        {
            "item": item,
            "session": session,
            "form": form,
            "held": session.status == CouncilSession.Status.HELD,
            "public_url": reverse("council:item", args=(session.pk, item.position)),
        },
    )


def roll_call_index(request):
    gate = _gate(request)
    if gate is not None:
        return gate
    sessions = (
        CouncilSession.objects.select_related("commission")
        .prefetch_related("items")
        .order_by("-starts_at")[:60]
    )
    return render(request, "council/admin/roll_call_index.html", {"sessions": sessions})


class RollCallViewSet(ViewSet):
    """The secretariat's screens for a session's attendance and an item's roll call."""

    icon = "tasks"
    menu_label = gettext_lazy("Attendance and roll calls")
    name = "council_roll_call"
    url_prefix = "concejo/votaciones"

    def get_urlpatterns(self):
        return [
            path("", roll_call_index, name="index"),
            path("asistencia/<int:session_pk>/", attendance_view, name="attendance"),
            path("punto/<int:item_pk>/", roll_call_view, name="item"),
        ]

    @property
    def menu_url(self):
        return reverse("council_roll_call:index")

    @property
    def menu_item_class(self):
        class RollCallMenuItem(MenuItem):
            def is_shown(self, request):
                return rulebook.allowed(request.user, MANAGE, None)

        return RollCallMenuItem


class CouncilViewSetGroup(ViewSetGroup):
    menu_label = gettext_lazy("Concejo")
    menu_icon = "date"
    menu_order = 275
    items = (
        SessionViewSet("concejo-sesiones"),
        AgendaItemViewSet("concejo-puntos"),
        RollCallViewSet("council_roll_call"),
        CouncillorViewSet("concejo-concejales"),
        CommissionViewSet("concejo-comisiones"),
    )


@hooks.register("register_admin_viewset")
def register_council_viewsets():
    return CouncilViewSetGroup()
