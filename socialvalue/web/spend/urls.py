from django.urls import path

from socialvalue.web.spend import views

app_name = "spend"

urlpatterns = [
    path("", views.dataset_list, name="list"),
    path("new/", views.dataset_create, name="create"),
    path("<int:dataset_id>/", views.dashboard, name="dashboard"),
    path("<int:dataset_id>/upload/", views.upload, name="upload"),
    path("<int:dataset_id>/imports/<int:import_id>/columns/", views.import_columns,
         name="import_columns"),
    path("<int:dataset_id>/imports/<int:import_id>/", views.import_detail, name="import_detail"),
    path("<int:dataset_id>/imports/<int:import_id>/again/", views.import_again,
         name="import_again"),
    path("<int:dataset_id>/transactions/", views.transactions, name="transactions"),
    path("<int:dataset_id>/quarantine/", views.quarantine, name="quarantine"),
    path("<int:dataset_id>/quarantine/correct/", views.quarantine_correct,
         name="quarantine_correct"),
    path("<int:dataset_id>/report/", views.report, name="report"),
    path("<int:dataset_id>/supplier-list/", views.supplier_list, name="supplier_list"),
]
