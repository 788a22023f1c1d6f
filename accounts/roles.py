"""Staff roles as Django groups with permissions."""

from django.contrib.auth.models import Group, Permission

COUNTER_STAFF = "counter_staff"
DOCUMENT_REVIEWER = "document_reviewer"
SUPERVISOR = "supervisor"

ROLE_PERMISSIONS = {
    COUNTER_STAFF: ["payments.add_payment", "payments.view_payment", "contributions.view_sectorregistration"],
    DOCUMENT_REVIEWER: ["contributions.view_sectorregistration", "contributions.change_sectorregistration"],
    SUPERVISOR: ["payments.view_payment", "payments.change_payment", "contributions.view_sectorregistration"],
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


def has_role(user, role: str) -> bool:
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    return user.is_superuser or user.groups.filter(name=role).exists()
