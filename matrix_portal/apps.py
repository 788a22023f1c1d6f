from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatrixPortalConfig(AppConfig):
    name = "matrix_portal"
    verbose_name = _("Portal")

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save

        from matrix_portal import audit, page_cache

        page_cache.connect_receivers()
        user_logged_in.connect(audit.on_user_logged_in, dispatch_uid="audit_staff_login")
        pre_save.connect(audit.on_pre_save, dispatch_uid="audit_admin_pre_save")
        post_save.connect(audit.on_post_save, dispatch_uid="audit_admin_post_save")
        pre_delete.connect(audit.on_pre_delete, dispatch_uid="audit_admin_pre_delete")
        m2m_changed.connect(
            audit.on_user_groups_changed,
            sender=get_user_model().groups.through,
            dispatch_uid="audit_user_groups",
        )
