"""Admin plumbing shared by the hub apps.

* ``ServiceAdminMixin``: the admin saves through services. Forms validate with the services'
  validators in ``clean()``; if a service still refuses at save time (a race), the form is shown
  again with the service's messages instead of a 500 — the admin's transaction has rolled back.
* ``NoHistoryRevertMixin``: simple-history's history form is view-only. Hiding the Revert button
  (``SIMPLE_HISTORY_REVERT_DISABLED``) does not stop a POST, which would rewrite the row without
  going through services.
* ``run_service_action``: admin actions that call a service per selected object and report.
* ``AllOrNothingImportExportMixin``: CSV/XLSX import and export in the admin (see below).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from import_export.admin import ImportExportMixin

from apps.core.exceptions import ApplicationError, ValidationFailed
from apps.core.imports import ADMIN_FORMATS, ALL_OR_NOTHING, ROW_NUMBERING, import_problems, run_import


def autocomplete_source(request) -> tuple[str, str, str] | None:
    """(app label, model name, field name) of the form field an admin autocomplete request fills, or None.

    The admin's autocomplete view asks the *target* model's admin for results; this says which picker is
    asking, so that admin can offer only what that picker may take (e.g. the project's own sub jobs)."""
    if not request.path.endswith("/autocomplete/"):
        return None
    params = request.GET
    return params.get("app_label", ""), params.get("model_name", ""), params.get("field_name", "")


def autocomplete_id(request, name: str) -> int | None:
    """An id the picker's page sent along with an autocomplete request (``?project=12``), or None."""
    value = request.GET.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def service_errors(exc: ApplicationError) -> dict[str, list[str]]:
    if isinstance(exc, ValidationFailed):
        return exc.errors
    return {exc.field or "__all__": [exc.message]}


def add_service_errors(form, errors: Mapping[str, list[str]]) -> None:
    """Put a validator's messages on the form: on the field when the form has it, else at the top.
    A field that already failed the form's own validation keeps just that message."""
    for field, messages_ in errors.items():
        target = field if field in form.fields else None
        if target is not None and target in form.errors:
            continue
        for message in messages_:
            form.add_error(target, message)


def adopt(target, saved) -> None:
    """Make the admin's form instance the row the service saved (same pk, fields and state)."""
    target.__dict__.update(saved.__dict__)


def fresh(obj):
    """The stored row behind a form instance, locked for the rest of the admin's transaction."""
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


class ServiceAdminMixin:
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as exc:
            if request.method != "POST" or hasattr(request, "_service_refusal"):
                raise
            # The admin's atomic block has rolled back; show the same POST again with the refusal.
            request._service_refusal = exc
            return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_problem(self, obj) -> str | None:
        """Why the service would refuse to delete ``obj``, or None. An admin that says so shows no Delete button
        for it (its ``has_delete_permission``), and its delete page answers with the reason on the object's page."""
        return None

    def _change_page(self, object_id):
        opts = self.model._meta
        return HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id], current_app=self.admin_site.name)
        )

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        problem = self.delete_problem(obj) if obj is not None else None
        if problem:
            self.message_user(request, problem, messages.ERROR)
            return self._change_page(object_id)
        try:
            return super().delete_view(request, object_id, extra_context)
        except ApplicationError as exc:
            # A service refused the delete (and its transaction rolled back): say why, on the object's page.
            self.message_user(request, exc.message, messages.ERROR)
            opts = self.model._meta
            return HttpResponseRedirect(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id], current_app=self.admin_site.name)
            )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, "_service_refusal", None)
        if refusal is None:
            return form_class
        errors = service_errors(refusal)

        class RefusedForm(form_class):
            def clean(self):
                cleaned = super().clean()
                for field, messages_ in errors.items():
                    for message in messages_:
                        self.add_error(field if field in self.fields else None, message)
                return cleaned

        return RefusedForm


class NoHistoryRevertMixin:
    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("History is read-only; change the record through its own form.")
        return super().history_form_view(request, object_id, version_id, extra_context)


def run_service_action(
    model_admin,
    request,
    queryset,
    *,
    service: Callable,
    argument: str,
    done: str,
) -> None:
    """Call ``service(**{argument: obj}, actor=request.user)`` for each object; report what happened.

    ``done`` is a sentence with ``{count}``, e.g. "{count} companies archived."
    """
    succeeded, refusals = 0, []
    for obj in queryset:
        try:
            service(**{argument: obj}, actor=request.user)
        except ApplicationError as exc:
            refusals.append(exc.message)
        else:
            succeeded += 1
    if succeeded:
        model_admin.message_user(request, done.format(count=succeeded), messages.SUCCESS)
    for refusal in refusals:
        model_admin.message_user(request, refusal, messages.WARNING)


def badge(text: str, *, colour: str) -> str:
    return format_html(
        '<span style="background:{};color:#fff;border-radius:3px;padding:1px 6px;font-size:11px;'
        'white-space:nowrap">{}</span>',
        colour,
        text,
    )


class AllOrNothingImportExportMixin(ImportExportMixin):
    """django-import-export in the admin, with Trestle's rules.

    CSV and XLSX only; the library's preview-then-confirm flow. Who may import and export is the
    access rules' call: hub admins put ``apps.access.admin_mixins.RulesAdminMixin`` first in their
    bases, whose ``has_import_permission`` / ``has_export_permission`` ask ``apps.access.rules``
    (the library's default would read ``<app>.import_<model>`` model permissions). The preview and the confirmed import both run all or nothing, and problems are
    listed as row / column / message by ``apps.core.imports`` — the same report the commands print.
    """

    import_formats = ADMIN_FORMATS
    export_formats = ADMIN_FORMATS
    import_template_name = "admin/core/import.html"
    max_problems_in_messages = 20

    def get_import_resource_kwargs(self, request, **kwargs):
        kwargs = super().get_import_resource_kwargs(request, **kwargs)
        kwargs.pop("form", None)
        kwargs["actor"] = request.user
        return kwargs

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.update({key: value for key, value in ALL_OR_NOTHING.items() if key != "raise_errors"})
        return kwargs

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, ApplicationError):
            form.add_error("import_file", e.message)
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def get_import_context_data(self, **kwargs):
        context = super().get_import_context_data(**kwargs)
        context["row_numbering"] = ROW_NUMBERING
        return context

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None)
        if context is not None and context.get("result") is not None:
            resource = self.get_import_resource_classes(request)[0]()
            context["import_problems"] = import_problems(result=context["result"], resource=resource)
        return response

    def process_dataset(self, dataset, form, request, **kwargs):
        file_name = kwargs.pop("file_name", None) or form.cleaned_data.get("original_file_name")
        resource_class = self.choose_import_resource_class(form, request)
        resource = resource_class(**self.get_import_resource_kwargs(request, form=form))
        outcome = run_import(
            resource=resource,
            dataset=dataset,
            dry_run=False,
            user=request.user,
            file_name=file_name,
            retain_instance_in_row_result=True,
        )
        request._import_outcome = outcome
        return outcome.result

    def process_result(self, result, request):
        outcome = getattr(request, "_import_outcome", None)
        if outcome is not None and outcome.problems:
            # The data changed between preview and confirm; the import was rolled back.
            count = len(outcome.problems)
            messages.error(request, f"Nothing was imported: {count} problem{'s' if count != 1 else ''}. {ROW_NUMBERING}")
            for problem in outcome.problems[: self.max_problems_in_messages]:
                messages.error(request, str(problem))
            return HttpResponseRedirect(
                reverse("admin:%s_%s_import" % self.get_model_info(), current_app=self.admin_site.name)
            )
        return super().process_result(result, request)
