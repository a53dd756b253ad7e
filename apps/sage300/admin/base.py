"""What every "Sage 300 CRE" admin page shares.

The admin is the Sage *desktop*: a person playing the company's accountant. Everything it
writes goes through the services, inside ``at_sage_desktop()`` (the accountant is not subject
to the API bridge's request limit or injected faults). Forms ask the services' validators in
``clean()``, so Sage's refusal shows on the form in Sage's words, never as a server error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxLengthValidator
from django.db import models
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from apps.sage300.errors import SageError
from apps.sage300.faults import at_sage_desktop


def adopt(obj: models.Model, saved: models.Model) -> None:
    """Make the admin's unsaved ``obj`` the row a service saved, so the admin's redirects and log use it."""
    obj.__dict__.update(saved.__dict__)


class SageForm(forms.ModelForm):
    """A model form validated by Sage: ``validate_with_sage`` raises ``SageError``, shown on its field.

    Length and required checks are left to Sage, so a 31-character name reads
    "[Name] is too long, maximum length is 30 characters." as it would from Sage.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.required = False
                field.max_length = None
                field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
                field.widget.attrs.pop("maxlength", None)

    def validate_with_sage(self, cleaned_data: dict) -> None:
        raise NotImplementedError(f"{type(self).__name__} must say how Sage validates it.")

    def clean(self) -> dict:
        cleaned_data = super().clean()
        if self.errors:
            return cleaned_data  # a value Django could not even parse; Sage never sees it
        try:
            with at_sage_desktop():
                self.validate_with_sage(cleaned_data)
        except SageError as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
        return cleaned_data


def at_the_sage_desk(request: HttpRequest) -> bool:
    """Who may play the Sage-side accountant: company admins (Admin on the company Admin tool)."""
    from apps.access.checks import has_tool_level
    from apps.access.models import Level, Tool

    return has_tool_level(request.user, Tool.COMPANY_ADMIN, Level.ADMIN)


SAGE_DESK_ONLY = (
    "The Sage 300 CRE section is the embedded Sage company itself, where a company admin plays the accountant. "
    "It is open to users with Admin on the Company Admin tool; everyone else works with Sage through "
    "ERP Integrations."
)


class SageModelAdmin(admin.ModelAdmin):
    list_per_page = 100
    show_full_result_count = False  # no COUNT(*) of a whole big table on every page
    section_refusal = SAGE_DESK_ONLY  # why /admin/sage300/ refuses someone who is not at the desk

    def _desk_only(self, request) -> None:
        if not at_the_sage_desk(request):
            raise PermissionDenied(SAGE_DESK_ONLY)

    def changelist_view(self, request, extra_context=None):
        self._desk_only(request)
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        self._desk_only(request)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._desk_only(request)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._desk_only(request)
        return super().history_view(request, object_id, extra_context)

    # The embedded Sage is another system: Trestle's tool levels don't reach it, only the desk does.
    def has_module_permission(self, request):
        return at_the_sage_desk(request)

    def has_view_permission(self, request, obj=None):
        return at_the_sage_desk(request)

    def has_add_permission(self, request):
        return at_the_sage_desk(request)

    def has_change_permission(self, request, obj=None):
        return at_the_sage_desk(request)

    def has_delete_permission(self, request, obj=None):
        return at_the_sage_desk(request)

    def run_for_each(
        self,
        request: HttpRequest,
        queryset: Iterable[models.Model],
        *,
        service: Callable[[models.Model], object],
        label: Callable[[models.Model], str],
        done: tuple[str, str],
    ) -> None:
        """Call ``service`` for each selected row; report successes together and each refusal on its own.

        ``done`` is the success sentence for one row and for several, with ``{count}`` and ``{labels}``.
        """
        succeeded = []
        for obj in queryset:
            try:
                with at_sage_desktop():
                    service(obj)
            except SageError as error:
                self.message_user(request, f"{label(obj)}: {error.message}", messages.ERROR)
            else:
                succeeded.append(label(obj))
        if succeeded:
            sentence = done[0] if len(succeeded) == 1 else done[1]
            self.message_user(
                request, sentence.format(count=len(succeeded), labels=", ".join(succeeded)), messages.SUCCESS
            )


class ReadOnlyInline(admin.TabularInline):
    """Related rows shown on their parent; they are added and removed on their own pages, via services."""

    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ServiceDeleteMixin:
    """Deletion through a service; Sage's refusal is shown as a message on the object's page.

    Subclasses give ``delete_check(obj)`` (raises ``SageError`` when Sage refuses) and
    ``delete_with_service(obj)``. Bulk deletion is off: each refusal deserves its own message.
    """

    def delete_check(self, obj) -> None:
        raise NotImplementedError

    def delete_with_service(self, obj) -> None:
        raise NotImplementedError

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None:
            try:
                with at_sage_desktop():
                    self.delete_check(obj)
            except SageError as error:
                self.message_user(request, error.message, messages.ERROR)
                opts = self.model._meta
                return HttpResponseRedirect(
                    reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
                )
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj) -> None:
        with at_sage_desktop():
            self.delete_with_service(obj)


class ReadOnlyAdmin(SageModelAdmin):
    """A Sage file you look at, not type into (the bridge's own books, the JC transactions and batches)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
