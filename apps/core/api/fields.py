"""Serializer fields shared by the hub APIs."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet
from rest_framework import serializers


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related row by id, chosen among what the selector returns for the requesting user.

    Another project's row is "does not exist" (a 400 on that field), exactly like a row that
    does not exist at all. ``queryset`` stays the model's empty queryset so the schema knows the type.
    """

    def __init__(self, *, selector: Callable[..., QuerySet], **kwargs):
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self):
        user = self.context.get("user")
        if user is None:
            return self.queryset.none()
        return self.selector(user=user)
