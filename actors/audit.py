"""Audit log actions for the map of social actors, recorded in Wagtail's log."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

ACTOR_SAVE = "actors.actor_save"
ACTOR_DELETE = "actors.actor_delete"
ACTOR_IMPORT = "actors.import"


@hooks.register("register_log_actions")
def register_actor_actions(actions):
    actions.register_action(ACTOR_SAVE, _("Save social actor"), _("Social actor saved"))
    actions.register_action(ACTOR_DELETE, _("Delete social actor"), _("Social actor deleted"))
    actions.register_action(ACTOR_IMPORT, _("Import social actors"), _("Social actors imported"))
