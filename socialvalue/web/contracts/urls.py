from django.urls import path

from socialvalue.web.contracts import views

app_name = "contracts"

urlpatterns = [
    path("", views.contract_list, name="list"),
    path("<int:contract_id>/", views.contract_detail, name="detail"),
    path("<int:contract_id>/change/", views.contract_edit, name="edit"),
    # Suppliers' own contracts, read-only (reached with the bidding permission they hold).
    path("won/", views.supplier_contract_list, name="supplier_list"),
    path("won/<int:contract_id>/", views.supplier_contract_detail, name="supplier_detail"),
]
