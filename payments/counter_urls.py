from django.urls import path

from payments import counter_views as views

app_name = "counter"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("office/", views.choose_office, name="office"),
    path("walk-in/", views.walk_in, name="walk_in"),
    path("people/<int:person_id>/", views.person, name="person"),
    path("people/<int:person_id>/register/", views.register, name="register"),
    path("people/<int:person_id>/register/<slug:sector_code>/", views.register_form, name="register_form"),
    path("contributions/<int:contribution_id>/cash/", views.take_cash, name="take_cash"),
    path("registrations/<int:registration_id>/cash/", views.renew_cash, name="renew_cash"),
    path("entries/<int:payment_id>/", views.payment, name="payment"),
    path("entries/<int:payment_id>/void/", views.void, name="void"),
    path("entries/<int:payment_id>/receipt/", views.receipt, name="receipt"),
    path("reconciliation/", views.reconciliation, name="reconciliation"),
    path("reconciliation.csv", views.reconciliation_csv, name="reconciliation_csv"),
]
