"""Audit log actions for staff edits of the open-government plans, in Wagtail's log."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

CREATE = "opengov.create"
EDIT = "opengov.edit"
DELETE = "opengov.delete"


@hooks.register("register_log_actions")
def register_opengov_actions(actions):
    actions.register_action(
        CREATE, _("Create open-government record"), _("Open-government record created")
    )
    actions.register_action(
        EDIT, _("Edit open-government record"), _("Open-government record edited")
    )
    actions.register_action(
        DELETE, _("Delete open-government record"), _("Open-government record deleted")
    )
