from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("socialvalue.web.accounts.urls")),
    path("audit/", include("socialvalue.web.audit.urls")),
    path("frameworks/", include("socialvalue.web.frameworks.urls")),
    path("tenders/", include("socialvalue.web.tenders.urls")),
    path("spend/", include("socialvalue.web.spend.urls")),
    path("suppliers/", include("socialvalue.web.suppliers.urls")),
    path("contracts/", include("socialvalue.web.contracts.urls")),
    path("admin/", admin.site.urls),
]
