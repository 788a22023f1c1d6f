from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("contribution/<int:contribution_id>/pay/", views.pay_now, name="pay_now"),
    path("contribution/<int:contribution_id>/pay/bank/", views.select_bank, name="select_bank"),
    path("<int:payment_id>/", views.details, name="details"),
    path("<int:payment_id>/fpx/", views.to_gateway, name="to_gateway"),
    path("<int:payment_id>/check/", views.check_status, name="check_status"),
    path("fpx/direct/", views.fpx_direct, name="fpx_direct"),
    path("fpx/return/", views.fpx_return, name="fpx_return"),
    path("fpx/return/unconfirmed/", views.return_unconfirmed, name="return_unconfirmed"),
]
