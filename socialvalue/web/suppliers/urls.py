from django.urls import path

from socialvalue.web.suppliers import views

app_name = "suppliers"

urlpatterns = [
    path("", views.supplier_list, name="list"),
    path("datasets/<int:dataset_id>/", views.dataset, name="dataset"),
    path("datasets/<int:dataset_id>/review/", views.review, name="review"),
    path("datasets/<int:dataset_id>/review/decide/", views.decide, name="decide"),
    path("datasets/<int:dataset_id>/record/", views.record, name="record"),
    path(
        "datasets/<int:dataset_id>/record/addresses/<int:address_id>/remove/",
        views.remove_address,
        name="remove_address",
    ),
]
