"""Turn Trestle's errors into API responses: 400 with field messages, 403, 404, 409 — never a 500.

A unique key refused by the database (two requests creating the same project number at the same moment)
is a 400 on that field, like the services' own check (``apps.core.api.integrity``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from apps.core.api.integrity import unique_violation
from apps.core.exceptions import ApplicationError, ValidationFailed


def _django_validation_detail(error: DjangoValidationError) -> dict | list:
    if hasattr(error, "message_dict"):
        return {("non_field_errors" if key == "__all__" else key): value for key, value in error.message_dict.items()}
    return {"non_field_errors": error.messages}


def exception_handler(exc, context):
    if isinstance(exc, ValidationFailed):
        body = {"code": exc.code, "message": exc.message, "errors": exc.errors}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, IntegrityError):
        request = context.get("request")
        data = getattr(request, "data", None) if request is not None else None
        violation = unique_violation(exc, data if hasattr(data, "get") else None)
        if violation is None:
            return None  # not a unique key a person entered: a real fault, reported as one
        set_rollback()
        body = {"code": "unique", "message": violation.message, "errors": {violation.field: [violation.message]}}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=_django_validation_detail(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)
