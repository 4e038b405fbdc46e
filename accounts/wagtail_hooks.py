"""Admin for residents: staff verify residency here (through the verification service)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic.models import EditView
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from territory.admin_scope import ServiceSaveMixin, ZoneScopedViewSet
from territory.permissions import staff_zones

from . import services
from .cedula import cedula_hash
from .models import Resident
from .verification import DocumentKind


class NoValueTextInput(forms.TextInput):
    """Never renders its value: a cédula typed is not echoed back in the page."""

    def format_value(self, value):
        return None


class ResidentAdminForm(WagtailAdminModelForm):
    verified = forms.BooleanField(
        label=_("Residency verified"),
        required=False,
        help_text=_(
            "Tick it once you have seen an identity document of the person; untick it to "
            "withdraw the verification. An expired verification shows unticked: tick it to "
            "renew it."
        ),
    )
    document_kind = forms.ChoiceField(
        label=_("Document seen"),
        required=False,
        choices=[("", "---------"), *DocumentKind.choices],
        help_text=_("Required to verify. Never write down its number."),
    )
    verification_reason = forms.CharField(
        label=_("Reason for verifying or withdrawing"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you verify or withdraw; kept in the audit log."),
    )

    cedula_seen = forms.CharField(
        label=_("Number of the cédula seen"),
        required=False,
        max_length=20,
        widget=NoValueTextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
        help_text=_(
            "When the document is a cédula, type its number: it confirms the cédula of the "
            "profile (online voting needs it) or links it. Compared as a keyed hash, never "
            "stored."
        ),
    )

    class Meta:
        model = Resident
        fields = ["display_name", "zone", "parish"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["verified"].initial = self.instance.is_verified

    def clean(self):
        cleaned = super().clean()
        zone, parish = cleaned.get("zone"), cleaned.get("parish")
        try:
            services.check_residency(zone, parish)
        except ValidationError as error:
            self.add_error(None, error)
        if cleaned.get("verified") and (zone is None or parish is None):
            self.add_error("verified", _("A resident needs a zone and parish to be verified."))
        typed = (cleaned.get("cedula_seen") or "").strip()
        if typed:
            try:
                digest = cedula_hash(typed)
            except ValidationError as error:
                self.add_error("cedula_seen", error)
            else:
                if self.instance.cedula_hash and digest != self.instance.cedula_hash:
                    self.add_error(
                        "cedula_seen",
                        _("This number is not the cédula registered on the profile."),
                    )
            if cleaned.get("document_kind") != "cedula":
                self.add_error("document_kind", _("A cédula number can only come from a cédula."))
            if not cleaned.get("verified"):
                self.add_error(
                    "verified", _("Tick it to confirm the cédula with the verification.")
                )
        changes = bool(cleaned.get("verified")) != self.instance.is_verified or bool(typed)
        if changes and not (cleaned.get("verification_reason") or "").strip():
            self.add_error(
                "verification_reason", _("Write why you verify or withdraw this residency.")
            )
        if changes and cleaned.get("verified") and not cleaned.get("document_kind"):
            self.add_error("document_kind", _("Choose the document you saw."))
        return cleaned

    def save(self, commit=True):
        # Through the services (rule and audit entry each), never the model's save().
        data = self.cleaned_data
        resident = Resident.objects.get(pk=self.instance.pk)  # as stored, not as edited
        resident = services.resident_staff_update(
            resident=resident,
            actor=self.for_user,
            display_name=data.get("display_name", ""),
            zone=data.get("zone"),
            parish=data.get("parish"),
        )
        wants_verified = data.get("verified", False)
        typed = (data.get("cedula_seen") or "").strip()
        if wants_verified != resident.is_verified or (wants_verified and typed):
            reason = data.get("verification_reason", "")
            if wants_verified:
                resident = services.resident_verify(
                    resident=resident,
                    actor=self.for_user,
                    method="staff",
                    document_kind=data.get("document_kind", ""),
                    reason=reason,
                    cedula=typed,
                )
            else:
                resident = services.resident_unverify(
                    resident=resident, actor=self.for_user, reason=reason
                )
        return resident


class ResidentPermissionPolicy(ModelPermissionPolicy):
    """Residents come from sign-up; the admin edits and verifies them but never creates or
    deletes them (account deletion anonymises contributions and belongs to the person)."""

    def user_has_permission(self, user, action):
        if action in {"add", "delete"}:
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(Resident, ResidentPermissionPolicy(Resident))


def residents_for(user):
    """The residents `user` may reach in the admin: those living in their zones (everyone
    for the city-wide team and superusers). The viewset's one scoping point."""
    zones = staff_zones(user)
    residents = Resident.objects.all()
    return residents if zones is None else residents.filter(zone__in=zones)


class ResidentEditView(ServiceSaveMixin, EditView):
    """Edits and verification go through the accounts services (rule and audit)."""


class ResidentViewSet(ZoneScopedViewSet):
    model = Resident
    icon = "user"
    menu_label = _("Residents")
    menu_order = 250
    add_to_admin_menu = True
    form_class = ResidentAdminForm
    list_display = [
        "__str__",
        "zone",
        "parish",
        "verification_status",
        "verification_method",
        "verified_at",
        "verification_expires_at",
    ]
    list_filter = ["verification_status", "zone"]
    search_fields = ["display_name", "user__email"]
    inspect_view_enabled = False
    copy_view_enabled = False
    edit_view_class = ResidentEditView

    def scope_queryset(self, user):
        return residents_for(user)

    def get_form_class(self, for_update=False):
        return ResidentAdminForm


@hooks.register("register_admin_viewset")
def register_resident_viewset():
    return ResidentViewSet("residents")
