"""REST API v1. Each domain registers its viewsets on the one router here."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from apps.budgets import api as budgets_api
from apps.companies import api as companies_api
from apps.access.api import MeView
from apps.core.api.views import TokenObtainView
from apps.erp.api import ErpQueueViewSet, ErpSyncViewSet
from apps.projects import api as projects_api
from apps.wbs import api as wbs_api

router = DefaultRouter()
for domain in (wbs_api, companies_api, projects_api, budgets_api):
    domain.register(router)
router.register("erp/queue", ErpQueueViewSet, basename="erp-queue")
router.register("erp/syncs", ErpSyncViewSet, basename="erp-sync")

urlpatterns = [
    path("auth/token/", TokenObtainView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("", include(router.urls)),
]
