"""The council secretariat's group: created after every migrate (and by the demo)."""

from django.contrib.auth.models import Group, Permission

from .rules import SECRETARIAT_GROUP_NAME


def ensure_secretariat_group() -> Group:
    """The group, with access to the admin (and so under the MFA gate)."""
    group, _created = Group.objects.get_or_create(name=SECRETARIAT_GROUP_NAME)
    access_admin = Permission.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    ).first()
    if access_admin is not None:
        group.permissions.add(access_admin)
    return group


def on_post_migrate(sender, **kwargs):
    ensure_secretariat_group()
