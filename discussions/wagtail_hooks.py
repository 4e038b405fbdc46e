"""The moderation queue in the Wagtail admin: flagged comments of the moderator's zone."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic.models import EditView, IndexView
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from quitodecide.errors import DomainError
from territory.admin_scope import ServiceSaveMixin, ZoneScopedViewSet
from territory.permissions import staff_zones

from . import services
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


def comments_for(user):
    """The comments `user` may reach in the admin: those of threads of their zones (every
    comment for the city-wide team and superusers). The viewset's one scoping point."""
    zones = staff_zones(user)
    comments = Comment.objects.all()
    return comments if zones is None else comments.filter(thread__zone__in=zones)


class ModerationEditView(ServiceSaveMixin, EditView):
    """Moderate a comment: the form calls the moderation services (rule and audit)."""


class ModerationViewSet(ZoneScopedViewSet):
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
    copy_view_enabled = False
    index_view_class = ModerationIndexView
    edit_view_class = ModerationEditView
    ordering = ["-open_flag_count", "-created_at"]

    def scope_queryset(self, user):
        return comments_for(user)

    def get_form_class(self, for_update=False):
        return ModerationForm


@hooks.register("register_admin_viewset")
def register_moderation_viewset():
    return ModerationViewSet("moderacion")
