"""The FPX simulator, mounted at /fpx-simulator/ only when FPX_SIMULATOR_ENABLED is on."""

from django.urls import path

from payments.simulator import views

app_name = "fpx_simulator"

urlpatterns = [
    path("FPXMain/seller2DReceiver.jsp", views.seller_receiver, name="seller_receiver"),
    path("FPXMain/RetrieveBankList", views.retrieve_bank_list, name="bank_list"),
    path("FPXMain/sellerNVPTxnStatus.jsp", views.txn_status, name="txn_status"),
    path("bank/<str:token>/", views.login, name="login"),
    path("bank/<str:token>/tac/", views.tac, name="tac"),
    path("bank/<str:token>/confirm/", views.confirm, name="confirm"),
    path("bank/<str:token>/done/", views.done, name="done"),
    path("", views.console, name="console"),
]
