from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _create_role_groups(sender, **kwargs):
    from django.apps import apps

    from accounts.roles import ensure_role_groups

    # post_migrate fires once per app, after that app's permissions are created: wait for the last one.
    if sender.label == list(apps.get_app_configs())[-1].label:
        ensure_role_groups()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # The staff roles exist as groups, with their permissions, after every `migrate`.
        post_migrate.connect(_create_role_groups, dispatch_uid="accounts.role_groups")
