from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from matrix_portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("help/", views.help_page, name="help"),
    path("benefits/", views.benefits, name="benefits"),
    path("terms/", views.terms, name="terms"),
    path("language/", views.set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("self-employed/", include("contributions.urls")),
    path("payments/", include("payments.urls")),
    path("receipts/", include("receipts.urls")),
    path("staff/", include("matrix_portal.backoffice_urls")),
    path("admin/", admin.site.urls),
]

if settings.DEV_OUTBOX_ENABLED:
    urlpatterns.append(path("dev/outbox/", views.dev_outbox, name="dev_outbox"))

if settings.FPX_SIMULATOR_ENABLED:
    urlpatterns.append(path("fpx-simulator/", include("payments.simulator.urls")))

handler400 = "matrix_portal.views.bad_request"
handler403 = "matrix_portal.views.permission_denied"
handler404 = "matrix_portal.views.page_not_found"
handler500 = "matrix_portal.views.server_error"
