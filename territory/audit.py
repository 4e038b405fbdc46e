"""Audit log actions for staff actions on the territory, recorded in Wagtail's log."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

PARISH_EDIT = "territory.parish_edit"
PARISH_MOVE = "territory.parish_move"


@hooks.register("register_log_actions")
def register_territory_actions(actions):
    actions.register_action(PARISH_EDIT, _("Edit parish"), _("Parish edited"))
    actions.register_action(
        PARISH_MOVE, _("Move parish to another zone"), _("Parish moved to another zone")
    )
