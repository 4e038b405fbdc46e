"""Admin for the open-government action plans: the open-government team (and the city-wide
team) edit plans, commitments with their milestones inline, and milestones with their
verifiables inline. Who may is the rule book's `opengov.edit` (MFA included); every save
and deletion goes through opengov.services (rule and audit entry)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.views.generic.models import CreateView, DeleteView, EditView, IndexView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from quitodecide import rulebook
from quitodecide.errors import DomainError
from territory.admin_scope import ServiceSaveMixin

from . import services
from .models import ActionPlan, Commitment, Milestone, Verifiable


class OpenGovPolicy(ModelPermissionPolicy):
    """The admin screens ask the rule book (`opengov.edit`), not model permissions."""

    def user_has_permission(self, user, action):
        if action in {"add", "change", "delete", "view"}:
            return rulebook.allowed(user, "opengov.edit", None)
        return False

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


for _model in (ActionPlan, Commitment, Milestone, Verifiable):
    register_permission_policy(_model, OpenGovPolicy(_model))


class OpenGovAdminForm(WagtailAdminModelForm):
    """Saves through opengov.services.record_save (rule, then audit entry)."""

    def _check_documents(self):
        """Only documents the user may choose can be linked as verifiables (they are shown
        in public)."""
        formset = self.formsets.get("verifiables")
        if formset is None or self.for_user is None:
            return
        from wagtail.documents import get_document_model
        from wagtail.permissions import policy_registry

        policy = policy_registry.get_by_type(get_document_model())
        choosable = policy.instances_user_has_any_permission_for(self.for_user, ["choose"])
        for form in formset.forms:
            document = getattr(form, "cleaned_data", {}).get("document")
            if document is not None and not choosable.filter(pk=document.pk).exists():
                raise ValidationError(
                    _("“%(title)s” is not a document you may choose.") % {"title": document.title}
                )

    def save(self, commit=True):
        self._check_documents()
        changed = list(self.changed_data) + [
            name for name, formset in self.formsets.items() if formset.has_changed()
        ]
        try:
            return services.record_save(
                actor=self.for_user,
                record=self.instance,
                write=lambda: super(OpenGovAdminForm, self).save(commit=True),
                changed=changed,
            )
        except DomainError as error:
            raise ValidationError(error.message) from error


class OpenGovCreateView(ServiceSaveMixin, CreateView):
    """Through opengov.services.record_save."""


class OpenGovEditView(ServiceSaveMixin, EditView):
    """Through opengov.services.record_save."""


class OpenGovDeleteView(DeleteView):
    """Through opengov.services.record_delete (rule, audit); a refusal is a message."""

    def delete_action(self):
        services.record_delete(actor=self.request.user, record=self.object)

    def form_valid(self, form):
        from django.contrib import messages
        from django.shortcuts import redirect

        try:
            return super().form_valid(form)
        except DomainError as error:
            messages.error(self.request, error.message)
            return redirect(self.request.get_full_path())


class OpenGovViewSet(ModelViewSet):
    add_view_class = OpenGovCreateView
    edit_view_class = OpenGovEditView
    delete_view_class = OpenGovDeleteView
    inspect_view_enabled = False
    copy_view_enabled = False


class CommitmentIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("plan")


class ActionPlanViewSet(OpenGovViewSet):
    model = ActionPlan
    icon = "list-ol"
    menu_label = _("Action plans")
    list_display = ["title", "period", "number", "slug"]
    search_fields = ["title", "summary"]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("number"), FieldPanel("slug")]),
            FieldPanel("title"),
            FieldRowPanel([FieldPanel("start_year"), FieldPanel("end_year")]),
            FieldPanel("summary"),
            FieldRowPanel([FieldPanel("approved_on"), FieldPanel("launched_on")]),
            MultiFieldPanel(
                [
                    FieldPanel("status_source"),
                    FieldPanel("status_as_of"),
                    FieldPanel("documents_url"),
                ],
                heading=_("Where the statuses and documents come from"),
            ),
        ],
        base_form_class=OpenGovAdminForm,
    )


class CommitmentViewSet(OpenGovViewSet):
    model = Commitment
    icon = "tasks"
    menu_label = _("Commitments")
    list_display = ["number", "title", "plan", "responsible", "counterpart"]
    list_filter = ["plan"]
    index_view_class = CommitmentIndexView
    search_fields = ["title", "responsible", "counterpart"]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("plan"), FieldPanel("number")]),
            FieldPanel("title"),
            FieldPanel("description"),
            FieldRowPanel([FieldPanel("responsible"), FieldPanel("counterpart")]),
            InlinePanel(
                "milestones",
                heading=_("Milestones"),
                label=_("Milestone"),
                panels=[FieldPanel("title"), FieldPanel("status"), FieldPanel("note")],
                help_text=_("Their verifiables are edited under Milestones."),
            ),
        ],
        base_form_class=OpenGovAdminForm,
    )


class MilestoneIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("commitment__plan")


class MilestoneViewSet(OpenGovViewSet):
    model = Milestone
    icon = "date"
    menu_label = _("Milestones")
    list_display = ["title", "commitment", "status"]
    list_filter = ["status", "commitment__plan"]
    search_fields = ["title", "note"]
    edit_handler = ObjectList(
        [
            FieldPanel("commitment"),
            FieldPanel("title"),
            FieldPanel("status"),
            FieldPanel("note"),
            InlinePanel(
                "verifiables",
                heading=_("Verifiables"),
                label=_("Verifiable"),
                panels=[FieldPanel("title"), FieldPanel("document"), FieldPanel("url")],
            ),
        ],
        base_form_class=OpenGovAdminForm,
    )
    index_view_class = MilestoneIndexView


class OpenGovViewSetGroup(ViewSetGroup):
    menu_label = _("Open government")
    menu_icon = "globe"
    menu_order = 270
    items = (
        ActionPlanViewSet("planes-gobierno-abierto"),
        CommitmentViewSet("compromisos-gobierno-abierto"),
        MilestoneViewSet("hitos-gobierno-abierto"),
    )


@hooks.register("register_admin_viewset")
def register_opengov_viewsets():
    return OpenGovViewSetGroup()
