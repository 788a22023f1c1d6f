from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("contribution/<int:contribution_id>/pay/", views.pay_now, name="pay_now"),
]
