"""REST API v1. Each domain registers its viewsets on the one router here."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from apps.core.api.views import MeView, TokenObtainView

router = DefaultRouter()

urlpatterns = [
    path("auth/token/", TokenObtainView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("", include(router.urls)),
]
