"""Audit log actions for staff actions on works, recorded in Wagtail's log."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

WORK_CREATE = "works.create"
WORK_EDIT = "works.edit"
UPDATE_POST = "works.update_post"
FROM_RESULTS = "works.from_results"
MATRIX_UPLOAD = "works.matrix_upload"
MATRIX_APPLY = "works.matrix_apply"
MATRIX_DISCARD = "works.matrix_discard"


@hooks.register("register_log_actions")
def register_work_actions(actions):
    actions.register_action(WORK_CREATE, _("Create work"), _("Work created"))
    actions.register_action(WORK_EDIT, _("Edit work"), _("Work details edited"))
    actions.register_action(UPDATE_POST, _("Post work update"), _("Dated update posted"))
    actions.register_action(
        FROM_RESULTS, _("Works from budget results"), _("Works created from budget results")
    )
    actions.register_action(
        MATRIX_UPLOAD, _("Upload update matrix"), _("Monthly update matrix uploaded")
    )
    actions.register_action(
        MATRIX_APPLY, _("Apply update matrix"), _("Monthly update matrix applied")
    )
    actions.register_action(
        MATRIX_DISCARD, _("Discard update matrix"), _("Monthly update matrix discarded")
    )
