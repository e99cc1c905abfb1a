from django.urls import path

from socialvalue.web.frameworks import views

app_name = "frameworks"

urlpatterns = [
    path("", views.framework_list, name="list"),
    path("adopt/", views.adopt, name="adopt"),
    path("upload/", views.upload, name="upload"),
    path("<int:framework_id>/", views.detail, name="detail"),
    path("<int:framework_id>/measures/add/", views.measure_add, name="measure_add"),
    path("<int:framework_id>/measures/<str:measure_id>/", views.measure_edit, name="measure_edit"),
    path("<int:framework_id>/defaults/", views.defaults_edit, name="defaults_edit"),
    path("<int:framework_id>/compare/", views.compare, name="compare"),
    path("<int:framework_id>/export/", views.export, name="export"),
]
