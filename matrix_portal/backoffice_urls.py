from django.urls import path

from contributions import review_views
from matrix_portal import backoffice_views

app_name = "backoffice"

urlpatterns = [
    path("", backoffice_views.home, name="home"),
    path("review/", review_views.review_queue, name="review_queue"),
    path("review/<int:pk>/", review_views.review, name="review"),
    path("documents/<int:pk>/", review_views.document, name="document"),
    path("refunds/", backoffice_views.refunds, name="refunds"),
    path("refunds.csv", backoffice_views.refunds_csv, name="refunds_csv"),
    path("audit/", backoffice_views.audit, name="audit"),
    path("audit.csv", backoffice_views.audit_csv, name="audit_csv"),
    path("operations/", backoffice_views.ops, name="ops"),
]
