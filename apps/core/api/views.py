"""API views that belong to no single domain: token login and the caller's own permissions."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from apps.access.matrix import Action
from apps.access.models import COMPANY_TOOLS, PROJECT_TOOLS
from apps.access.checks import can
from apps.access.profiles import access_profile
from apps.access.selectors import visible_projects


class TokenLoginThrottle(AnonRateThrottle):
    rate = "20/minute"


class TokenObtainView(APIView):
    """Exchange a username and password for an API token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenLoginThrottle]
    serializer_class = AuthTokenSerializer

    @extend_schema(
        request=AuthTokenSerializer,
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
        auth=[],
    )
    def post(self, request):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})


class ProjectLevelsSerializer(serializers.Serializer):
    project_id = serializers.IntegerField()
    project_number = serializers.CharField()
    levels = serializers.DictField(child=serializers.CharField())
    view_direct_cost_details = serializers.BooleanField()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    is_accounting_approver = serializers.BooleanField()
    company_levels = serializers.DictField(child=serializers.CharField())
    company_actions = serializers.ListField(child=serializers.CharField())
    projects = ProjectLevelsSerializer(many=True)


class MeView(APIView):
    """The caller's own tool levels, approver status and the company-level actions they may take."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        profile = access_profile(request.user)
        projects = visible_projects(request.user).order_by("number")[:500]
        body = {
            "username": request.user.get_username(),
            "is_accounting_approver": profile.is_superuser or profile.is_accounting_approver,
            "company_levels": {str(tool): profile.level(tool).label for tool in COMPANY_TOOLS},
            "company_actions": [str(action) for action in Action if can(request.user, action)],
            "projects": [
                {
                    "project_id": project.pk,
                    "project_number": project.number,
                    "levels": {str(tool): profile.level(tool, project).label for tool in PROJECT_TOOLS},
                    "view_direct_cost_details": profile.view_direct_cost_details(project),
                }
                for project in projects
            ],
        }
        return Response(MeSerializer(body).data)
