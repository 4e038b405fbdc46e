"""Writes on the open-government plans: the staff group, and the admin's saves and deletions
(each asks the rule book `opengov.edit`, which includes the MFA gate, and leaves an audit
entry in Wagtail's log)."""

from collections.abc import Callable

from django.contrib.auth.models import Group, Permission
from django.db import models, transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import Collection, GroupCollectionPermission

from quitodecide import rulebook
from quitodecide.errors import DomainError

from . import audit
from .models import ActionPlan, Commitment, Milestone, Verifiable
from .rules import OPENGOV_GROUP_NAME

COLLECTION_NAME = "Gobierno abierto"
DOCUMENT_PERMISSIONS = ("add_document", "change_document", "choose_document")
MODELS = (ActionPlan, Commitment, Milestone, Verifiable)


def plan_of(record) -> ActionPlan | None:
    """The action plan a plan, commitment, milestone or verifiable belongs to (None for one
    not attached yet)."""
    if isinstance(record, ActionPlan):
        return record
    if isinstance(record, Commitment):
        return record.plan if record.plan_id else None
    if isinstance(record, Milestone):
        return plan_of(record.commitment) if record.commitment_id else None
    if isinstance(record, Verifiable):
        return plan_of(record.milestone) if record.milestone_id else None
    raise TypeError(f"{type(record).__name__} is not an open-government record")


def _require(actor, record) -> None:
    rulebook.require(
        actor,
        "opengov.edit",
        plan_of(record),
        message=_("Only the open-government team can edit the action plans."),
    )


@transaction.atomic
def record_save(*, actor, record: models.Model, write: Callable[[], models.Model], changed):
    """Save a plan, commitment or milestone edited by staff: `write()` saves it (the admin
    form's save, with its inline milestones or verifiables); `changed` names what changed.
    Refused (PermissionDenied) unless the rule book allows it; audited."""
    _require(actor, record)
    created = record.pk is None
    saved = write()
    _require(actor, saved)  # a commitment moved to a plan: the rule is asked for it too
    log(
        instance=saved,
        action=audit.CREATE if created else audit.EDIT,
        user=actor,
        data={"fields": sorted(changed)},
    )
    return saved


@transaction.atomic
def record_delete(*, actor, record: models.Model) -> None:
    """Delete a plan, commitment, milestone or verifiable. A plan that still has
    commitments is refused: delete its commitments first (each is audited)."""
    _require(actor, record)
    if isinstance(record, ActionPlan) and record.commitments.exists():
        raise DomainError(_("Delete the plan's commitments before the plan."))
    log(
        instance=record,
        action=audit.DELETE,
        user=actor,
        data={"model": record._meta.model_name, "title": str(record)[:200]},
    )
    record.delete()


@transaction.atomic
def group_ensure() -> Group:
    """The open-government staff group (idempotent): admin access, its document collection
    (for the verifiables) and the open-government models' permissions. Who may edit is
    the rule book's decision (`opengov.edit`: this group, the city-wide team, superusers);
    the model permissions let the group read these records' entries in the site history.
    The city-wide team may act on the plans too, so it gets the collection as well."""
    from territory.services import CITY_GROUP_NAME

    group, _created = Group.objects.get_or_create(name=OPENGOV_GROUP_NAME)
    access_admin = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    model_permissions = Permission.objects.filter(
        content_type__app_label="opengov",
        codename__in=[
            f"{action}_{model._meta.model_name}"
            for model in MODELS
            for action in ("add", "change", "delete", "view")
        ],
    )
    group.permissions.add(access_admin, *model_permissions)
    root = Collection.get_first_root_node()
    collection = root.get_children().filter(name=COLLECTION_NAME).first()
    if collection is None:
        collection = root.add_child(name=COLLECTION_NAME)
    groups = [group, *Group.objects.filter(name=CITY_GROUP_NAME)]
    for codename in DOCUMENT_PERMISSIONS:
        permission = Permission.objects.get(
            content_type__app_label="wagtaildocs", codename=codename
        )
        for holder in groups:
            GroupCollectionPermission.objects.get_or_create(
                group=holder, collection=collection, permission=permission
            )
    return group
