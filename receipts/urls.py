from django.urls import path

from receipts import views

app_name = "receipts"

urlpatterns = [
    path("<int:pk>/download/", views.download, name="download"),
    path("verify/<str:number>/<str:token>/", views.verify, name="verify"),
]
