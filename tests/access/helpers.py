"""Small builders for access-control tests: users with templates, memberships and approver flags."""

from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model

from apps.access import services
from apps.access.models import Level, PermissionTemplate

_counter = itertools.count(1)


def company_template(**levels) -> PermissionTemplate:
    template = PermissionTemplate(name=f"company-{next(_counter)}", scope=PermissionTemplate.Scope.COMPANY, **levels)
    return services.permission_template_save(template=template)


def project_template(**levels) -> PermissionTemplate:
    template = PermissionTemplate(name=f"project-{next(_counter)}", scope=PermissionTemplate.Scope.PROJECT, **levels)
    return services.permission_template_save(template=template)


def make_user(
    *,
    erp: Level = Level.NONE,
    can_push: bool = False,
    directory: Level = Level.NONE,
    company_admin: Level = Level.NONE,
    can_create_new_project: bool = False,
    username: str | None = None,
    **access_kwargs,
):
    user = get_user_model().objects.create_user(username=username or f"user{next(_counter)}", password="x", is_staff=True)
    template = company_template(
        erp_integrations=erp,
        directory=directory,
        company_admin=company_admin,
        can_create_new_project=can_create_new_project,
    )
    services.user_access_set(user=user, company_template=template, can_push_to_accounting=can_push, **access_kwargs)
    return user


def join(user, project, **levels):
    return services.project_membership_set(user=user, project=project, template=project_template(**levels))


def api_client(user):
    """A DRF test client that signs in as ``user`` with an API token, the way integrators do."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client
