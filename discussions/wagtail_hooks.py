"""The moderation queue in the Wagtail admin: flagged comments of the moderator's zone."""

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic.models import EditView, IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from quitodecide.errors import DomainError

from . import permissions, services
from .models import Comment
from .selectors import moderation_queue


class ModerationForm(WagtailAdminModelForm):
    ACTIONS = [
        ("", _("— choose —")),
        ("hide", _("Hide, with a public reason")),
        ("restore", _("Restore")),
        ("dismiss", _("Dismiss the flags (the comment is fine)")),
    ]
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    reason = forms.CharField(
        label=_("Public reason"),
        required=False,
        max_length=300,
        help_text=_("Shown instead of the comment: “ocultado por moderación: …”."),
    )

    class Meta:
        model = Comment
        fields: list[str] = []

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "hide" and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("State the reason: it is shown publicly."))
        return cleaned

    def save(self, commit=True):
        comment = self.instance
        action = self.cleaned_data["action"]
        try:
            if action == "hide":
                comment = services.comment_hide(
                    comment=comment, actor=self.for_user, reason=self.cleaned_data["reason"]
                )
            elif action == "restore":
                comment = services.comment_restore(comment=comment, actor=self.for_user)
            elif action == "dismiss":
                services.flags_dismiss(comment=comment, actor=self.for_user)
        except DomainError as error:
            raise ValidationError(error.message) from error
        return comment


class CommentPermissionPolicy(ModelPermissionPolicy):
    """Comments are written by residents: the admin only moderates them."""

    def user_has_permission(self, user, action):
        if action in {"add", "delete"}:
            return False
        if action in {"change", "view"}:
            return user.is_active and (
                user.is_superuser or user.has_perm("wagtailadmin.access_admin")
            )
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(Comment, CommentPermissionPolicy(Comment))


class ModerationIndexView(IndexView):
    def get_base_queryset(self):
        return moderation_queue(self.request.user)


class ZoneScopedObjectMixin:
    """Moderators reach only comments of threads they may moderate (404 otherwise)."""

    def get_object(self, queryset=None):
        comment = super().get_object(queryset)
        if not permissions.can_moderate(self.request.user, comment.thread):
            raise Http404
        return comment


class ModerationEditView(ZoneScopedObjectMixin, EditView):
    """Edit (moderate) a comment of the moderator's zone."""


class ModerationInspectView(ZoneScopedObjectMixin, InspectView):
    """Read a comment of the moderator's zone."""


class ModerationViewSet(ModelViewSet):
    model = Comment
    icon = "warning"
    menu_label = _("Moderation")
    menu_order = 240
    add_to_admin_menu = True
    form_class = ModerationForm
    list_display = ["body", "thread", "open_flag_count", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["body"]
    inspect_view_enabled = True
    index_view_class = ModerationIndexView
    edit_view_class = ModerationEditView
    inspect_view_class = ModerationInspectView
    ordering = ["-open_flag_count", "-created_at"]

    def get_form_class(self, for_update=False):
        return ModerationForm


@hooks.register("register_admin_viewset")
def register_moderation_viewset():
    return ModerationViewSet("moderacion")
