from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.erp.admin_views import ErpIntegrationsView, import_target_search, sync_run_progress

admin.site.site_header = "Trestle"
admin.site.site_title = "Trestle"
admin.site.index_title = "Project financials in step with Sage 300 CRE"

handler403 = "apps.core.views.permission_denied"
handler404 = "apps.core.views.page_not_found"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/erp/integrations/", admin.site.admin_view(ErpIntegrationsView.as_view()), name="erp-integrations"),
    path("admin/erp/integrations/targets/", admin.site.admin_view(import_target_search), name="erp-import-targets"),
    path("admin/erp/sync-runs/<int:pk>/progress/", admin.site.admin_view(sync_run_progress), name="erp-sync-progress"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", login_required(SpectacularSwaggerView.as_view(url_name="api-schema")), name="api-docs"),
    path("", include("apps.core.urls")),
]
