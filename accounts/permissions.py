"""Permission predicates for account actions, one per action."""


def can_verify_residents(user) -> bool:
    return bool(user and user.is_active and user.has_perm("accounts.change_resident"))


def can_enter_admin(user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_perm("wagtailadmin.access_admin"))
    )
