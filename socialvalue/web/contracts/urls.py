from django.urls import path

from socialvalue.web.contracts import views

app_name = "contracts"

urlpatterns = [
    path("", views.contract_list, name="list"),
]
