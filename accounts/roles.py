"""Staff roles as Django groups with permissions."""

from django.contrib.auth.models import Group, Permission

COUNTER_STAFF = "counter_staff"
DOCUMENT_REVIEWER = "document_reviewer"
SUPERVISOR = "supervisor"

ROLE_PERMISSIONS = {
    COUNTER_STAFF: ["payments.add_payment", "payments.view_payment", "contributions.view_sectorregistration"],
    DOCUMENT_REVIEWER: [
        "contributions.view_sectorregistration",
        "contributions.change_sectorregistration",
        "contributions.view_registrationdocument",
    ],
    SUPERVISOR: [
        "payments.view_payment",
        "payments.change_payment",
        "contributions.view_sectorregistration",
        "matrix_portal.view_auditevent",
    ],
}


def ensure_role_groups() -> dict[str, Group]:
    groups = {}
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for dotted in perms:
            app_label, codename = dotted.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission:
                group.permissions.add(permission)
        groups[role] = group
    return groups


def acts_as_superuser(user) -> bool:
    """Superuser powers need a verified second factor in this session (as the admin does); without one a
    superuser holds only the roles of their groups."""
    is_verified = getattr(user, "is_verified", None)
    return bool(user.is_superuser and callable(is_verified) and is_verified())


def has_role(user, role: str) -> bool:
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    return acts_as_superuser(user) or user.groups.filter(name=role).exists()


def has_any_role(user, *roles: str) -> bool:
    """True for active staff in at least one of `roles` (verified superusers hold every role)."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    return acts_as_superuser(user) or user.groups.filter(name__in=roles).exists()


def role_names(user) -> set[str]:
    """The roles a member of staff holds; every role for a verified superuser, none for anyone else."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return set()
    if acts_as_superuser(user):
        return set(ROLE_PERMISSIONS)
    return set(user.groups.filter(name__in=list(ROLE_PERMISSIONS)).values_list("name", flat=True))


def needs_second_factor(user) -> bool:
    """Staff and superusers prove a second factor after the password before any page but the log-in's own.

    A role group on an account without the staff flag opens nothing (see has_role), so it needs no check.
    """
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser))
