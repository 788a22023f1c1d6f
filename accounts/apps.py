from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _create_role_groups(sender, **kwargs):
    from accounts.roles import ensure_role_groups

    ensure_role_groups()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # The staff roles exist as groups, with their permissions, after every `migrate`. Permissions of the
        # other apps come with their own post_migrate calls, so this runs after each app (idempotent).
        post_migrate.connect(_create_role_groups, dispatch_uid="accounts.role_groups")
