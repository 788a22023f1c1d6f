from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatrixPortalConfig(AppConfig):
    name = "matrix_portal"
    verbose_name = _("Portal")
