from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "Trestle"
admin.site.site_title = "Trestle"
admin.site.index_title = "Project financials in step with Sage 300 CRE"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("", include("apps.core.urls")),
]
