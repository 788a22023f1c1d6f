from django.urls import path

from contributions import views

app_name = "contributions"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("register/", views.register, name="register"),
    path("register/<slug:sector_code>/", views.register_form, name="register_form"),
    path("contributions/", views.history, name="history"),
    path("contributions/<int:pk>/", views.view_contribution, name="view"),
    path("renew/", views.renewal, name="renewal"),
    path("renew/<int:registration_id>/", views.renew, name="renew"),
    path("documents/<int:pk>/", views.document_download, name="document"),
]
