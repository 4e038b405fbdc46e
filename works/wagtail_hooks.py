"""Admin for public works: zone staff edit their zone's works (details, committee,
documents) and post dated updates (status, progress, photos). Every write goes through
works.services (rule and audit); staff see only their zone's works."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.views.generic.models import CreateView, EditView, IndexView
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from proposals.images import MAX_IMAGES, reencode
from quitodecide.errors import DomainError
from territory.admin_scope import ServiceSaveMixin, ZoneScopedViewSet
from territory.models import Parish, Zone
from territory.permissions import staff_zones

from . import (
    admin_import,  # noqa: F401  (the monthly matrix screens register their hooks)
    services,
)
from .models import Work, WorkUpdate
from .ruc import validate_ruc
from .status import FINAL

DETAIL_FIELDS = list(services.EDITABLE_FIELDS)


def works_for(user):
    """The works `user` may reach in the admin: their zones' (all for the city-wide team
    and superusers). The viewsets' one scoping point."""
    zones = staff_zones(user)
    works = Work.objects.all()
    return works if zones is None else works.filter(zone__in=zones)


def updates_for(user):
    return WorkUpdate.objects.filter(work__in=works_for(user))


class AdminUsersPolicy(ModelPermissionPolicy):
    """Zone staff manage their zone's works: any admin user may use the screens, the
    viewset's scope limits them to their zones, and the services check the rule on every
    write. `refused` actions do not exist at all (history is never deleted or edited)."""

    refused: frozenset[str] = frozenset()

    def user_has_permission(self, user, action):
        if action in self.refused:
            return False
        if action in {"add", "change", "delete", "view"}:
            return user.is_active and (
                user.is_superuser or user.has_perm("wagtailadmin.access_admin")
            )
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class WorkPolicy(AdminUsersPolicy):
    refused = frozenset({"delete"})  # a work that will not be built is cancelled, not erased


class UpdatePolicy(AdminUsersPolicy):
    refused = frozenset({"change", "delete"})  # a correction is a later update


register_permission_policy(Work, WorkPolicy(Work))
register_permission_policy(WorkUpdate, UpdatePolicy(WorkUpdate))


# --- works --------------------------------------------------------------------------------
class WorkAdminForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zones = staff_zones(self.for_user) if self.for_user is not None else []
        zone_choices = (
            Zone.objects.all()
            if zones is None
            else Zone.objects.filter(pk__in=[zone.pk for zone in zones])
        )
        if "zone" in self.fields:
            self.fields["zone"].queryset = zone_choices
        parishes = Parish.objects.filter(zone__in=zone_choices).select_related("zone")
        if self.instance.pk:
            parishes = Parish.objects.filter(zone_id=self.instance.zone_id)
            for name in ("zone", "code"):
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].required = False
        else:
            self.fields["code"].required = False
            self.fields["code"].help_text = _("Leave it empty for the next free code.")
            self.fields["year"].initial = timezone.localdate().year
        self.fields["parish"].queryset = parishes

    def clean_contractor_ruc(self):
        value = self.cleaned_data.get("contractor_ruc") or ""
        return validate_ruc(value) if value.strip() else ""

    def clean(self):
        cleaned = super().clean()
        zone = self.instance.zone if self.instance.pk else cleaned.get("zone")
        if zone is not None:
            # The services' own checks, as field errors (before the model's constraints,
            # whose messages name no field).
            values = {
                name: cleaned[name]
                for name in (*DETAIL_FIELDS, "code")
                if name in cleaned and name not in self.errors
            }
            if self.instance.pk:
                values.pop("code", None)
            try:
                services.clean_details(values, zone=zone)
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    target = field if field in self.fields else None
                    for message in messages:
                        self.add_error(target, message)
        return cleaned

    def _check_documents(self):
        """Only documents of collections the user may choose from can be attached (the work
        page links them publicly). Raises ValidationError, shown on the form."""
        formset = self.formsets.get("documents")
        if formset is None or self.for_user is None:
            return
        from wagtail.documents import get_document_model
        from wagtail.permissions import policy_registry

        policy = policy_registry.get_by_type(get_document_model())
        allowed = policy.instances_user_has_any_permission_for(self.for_user, ["choose"])
        for form in formset.forms:
            document = getattr(form, "cleaned_data", {}).get("document")
            if document is not None and not allowed.filter(pk=document.pk).exists():
                raise ValidationError(
                    _("“%(title)s” is not a document of your zone's collection.")
                    % {"title": document.title}
                )

    def save(self, commit=True):
        self._check_documents()  # the formsets are validated by now; nothing written yet
        data = self.cleaned_data
        details = {name: data.get(name) for name in DETAIL_FIELDS if name in self.fields}
        try:
            if self.instance.pk:
                stored = Work.objects.get(pk=self.instance.pk)  # as stored, not as edited
                work = services.work_edit(work=stored, actor=self.for_user, **details)
            else:
                work = services.work_create(
                    actor=self.for_user, zone=data["zone"], code=data.get("code") or "", **details
                )
        except DomainError as error:
            raise ValidationError(error.message) from error
        changed = []
        for name, formset in self.formsets.items():
            if formset.has_changed():
                formset.instance = work
                formset.save()
                changed.append(name)
        if changed:
            services.work_related_changed(work=work, actor=self.for_user, parts=changed)
        return work


class WorkIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("zone", "parish")


class WorkCreateView(ServiceSaveMixin, CreateView):
    """Through works.services.work_create (rule, audit, first update)."""


class WorkEditView(ServiceSaveMixin, EditView):
    """Through works.services.work_edit (rule, audit); committee and documents inline."""


class WorkViewSet(ZoneScopedViewSet):
    model = Work
    icon = "site"
    menu_label = _("Public works")
    menu_order = 260
    add_to_admin_menu = True
    list_display = ["code", "title", "zone", "parish", "status", "physical_progress", "year"]
    list_filter = ["status", "zone", "year", "source"]
    search_fields = ["code", "title", "contractor_name", "contract_number"]
    inspect_view_enabled = False
    copy_view_enabled = False
    index_view_class = WorkIndexView
    add_view_class = WorkCreateView
    edit_view_class = WorkEditView
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("code"), FieldPanel("year")]),
                    FieldPanel("title"),
                    FieldPanel("description"),
                ],
                heading=_("The work"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("zone"),
                    FieldPanel("parish"),
                    FieldPanel("barrio_name"),
                    FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
                ],
                heading=_("Where"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("responsible_unit"),
                    FieldRowPanel([FieldPanel("contractor_name"), FieldPanel("contractor_ruc")]),
                    FieldPanel("contract_number"),
                    FieldRowPanel([FieldPanel("amount_assigned"), FieldPanel("amount_contracted")]),
                    FieldRowPanel([FieldPanel("planned_start"), FieldPanel("planned_end")]),
                ],
                heading=_("Contract and money"),
            ),
            InlinePanel("committee", heading=_("Follow-up committee"), label=_("Member")),
            InlinePanel("documents", heading=_("Documents"), label=_("Document")),
        ],
        base_form_class=WorkAdminForm,
    )

    def scope_queryset(self, user):
        return works_for(user)


# --- dated updates ------------------------------------------------------------------------
class UpdateAdminForm(WagtailAdminModelForm):
    """A new dated update. The same checks as the importer (services.check_new_update)."""

    class Meta:
        model = WorkUpdate
        fields = [
            "work",
            "date",
            "status",
            "physical_progress",
            "financial_progress",
            "amount_executed",
            "text",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        open_works = (
            works_for(self.for_user).exclude(status__in=FINAL).order_by("code")
            if self.for_user is not None
            else Work.objects.none()
        )
        self.fields["work"].queryset = open_works
        self.fields["date"].initial = timezone.localdate()
        self.fields["text"].help_text = _(
            "What happened. Required when a progress figure goes down."
        )
        for index in range(1, MAX_IMAGES + 1):
            self.fields[f"photo_{index}"] = forms.ImageField(
                label=_("Photo %(n)s") % {"n": index}, required=False
            )
            self.fields[f"photo_{index}_alt"] = forms.CharField(
                label=_("Description of photo %(n)s") % {"n": index},
                required=False,
                max_length=250,
            )

    def clean(self):
        cleaned = super().clean()
        for index in range(1, MAX_IMAGES + 1):
            upload = cleaned.get(f"photo_{index}")
            if upload:
                try:
                    cleaned[f"photo_{index}"] = reencode(upload)
                except ValidationError as error:
                    self.add_error(f"photo_{index}", error)
                    continue
                if not (cleaned.get(f"photo_{index}_alt") or "").strip():
                    self.add_error(
                        f"photo_{index}_alt",
                        _("Describe the photo for people who cannot see it."),
                    )
        work = cleaned.get("work")
        required = ("date", "status", "physical_progress", "financial_progress")
        if work is not None and all(cleaned.get(name) is not None for name in required):
            problems = services.check_new_update(
                work,
                date=cleaned["date"],
                status=cleaned["status"],
                physical_progress=cleaned["physical_progress"],
                financial_progress=cleaned["financial_progress"],
                text=cleaned.get("text") or "",
                amount_executed=cleaned.get("amount_executed"),
            )
            for field, messages in problems.items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return cleaned

    def save(self, commit=True):
        data = self.cleaned_data
        photos = [
            (data[f"photo_{index}"], data.get(f"photo_{index}_alt", ""))
            for index in range(1, MAX_IMAGES + 1)
            if data.get(f"photo_{index}")
        ]
        try:
            return services.update_post(
                work=data["work"],
                actor=self.for_user,
                date=data["date"],
                status=data["status"],
                physical_progress=data["physical_progress"],
                financial_progress=data["financial_progress"],
                amount_executed=data.get("amount_executed"),
                text=data.get("text") or "",
                photos=photos,
            )
        except DomainError as error:
            raise ValidationError(error.message) from error


class UpdateIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("work")


class UpdateCreateView(ServiceSaveMixin, CreateView):
    """Through works.services.update_post (rule, audit, notifications)."""

    def get_initial(self):
        initial = super().get_initial()
        chosen = self.request.GET.get("work", "")
        work = (
            works_for(self.request.user).filter(pk=int(chosen)).first()
            if chosen.isascii() and chosen.isdigit() and len(chosen) < 19
            else None
        )
        if work is not None:
            initial.update(
                work=work.pk,
                status=work.status,
                physical_progress=work.physical_progress,
                financial_progress=work.financial_progress,
            )
        return initial


class UpdateViewSet(ZoneScopedViewSet):
    model = WorkUpdate
    icon = "date"
    menu_label = _("Work updates")
    menu_order = 261
    add_to_admin_menu = True
    form_class = UpdateAdminForm
    list_display = ["work", "date", "status", "physical_progress", "financial_progress", "origin"]
    list_filter = ["status", "origin"]
    inspect_view_enabled = False
    copy_view_enabled = False
    index_view_class = UpdateIndexView
    add_view_class = UpdateCreateView

    def scope_queryset(self, user):
        return updates_for(user)

    def get_form_class(self, for_update=False):
        return UpdateAdminForm  # editing is refused by UpdatePolicy


@hooks.register("register_admin_viewset")
def register_work_viewsets():
    return [WorkViewSet("obras"), UpdateViewSet("avances-obras")]
