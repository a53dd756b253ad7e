"""The sender's admin: one mixin that every registered document's ModelAdmin uses (issue 8, Build 1).

``ErpAdminMixin`` reads the item's ``ErpDocument`` (``apps.erp.registry.document_for``) and adds,
from its declarations alone — so a new document type gets it by registration:

* on the change page, an ERP panel: the status in words, the ERP id under its label, who sent and
  approved it and when, when it synced, the last error with its resolution, the rejection comment
  and the ERP history in words (``apps.erp.history``);
* the buttons Send to ERP / Retrieve / Resend, Unlink on a synced item (when the document can be
  unlinked) and the document's own ``item_actions`` (Refresh Cost Codes on a synced project),
  each shown only when the item's state allows it and the permission matrix lets the user. They
  post to ``<pk>/erp/<operation>/``, which calls ``apps.erp.services`` (the services stay the
  enforcement) and reports with a message, back on the item's page: never a 500;
* on the change list, an ERP status column and filter;
* on the History page, who (a name, never "None") and values in words (choice labels, names).

Put it before ``RulesAdminMixin`` in the bases: the item is found through the admin's own scoped
queryset, so another project's item is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.admin.utils import unquote
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django_fsm import can_proceed

from apps.access.checks import can
from apps.core.admin_mixins import badge
from apps.core.exceptions import ApplicationError, ValidationFailed
from apps.erp import services
from apps.erp.errors import ErpError
from apps.erp.history import AUTOMATIC, person, transition_history
from apps.erp.lifecycle import ErpStatus
from apps.erp.registry import ErpDocument, document_for

STATUS_COLOURS = {
    ErpStatus.NOT_IN_ERP: "#6b7280",
    ErpStatus.READY_TO_EXPORT: "#b45309",
    ErpStatus.EXPORTING: "#1d4ed8",
    ErpStatus.SYNCED: "#15803d",
    ErpStatus.FAILED_TO_EXPORT: "#b91c1c",
    ErpStatus.REJECTED: "#9f1239",
}

STATUS_WORDS = {
    ErpStatus.NOT_IN_ERP: "Not in Sage 300 CRE yet. Press Send to ERP when it is ready for an accounting approver.",
    ErpStatus.READY_TO_EXPORT: "Waiting for an accounting approver in ERP Integrations. Retrieve it to change it.",
    ErpStatus.EXPORTING: "Accepted; Trestle is writing it to Sage 300 CRE now. This page shows the outcome when you "
                         "reload it.",
    ErpStatus.SYNCED: "In Sage 300 CRE and kept in step with it.",
    ErpStatus.FAILED_TO_EXPORT: "The export to Sage 300 CRE failed. An accounting approver retries it in ERP "
                                "Integrations once the cause below is fixed.",
    ErpStatus.REJECTED: "Rejected by the accounting approver. Fix what the comment says, then press Resend.",
}

TRANSIENT = "Sage 300 CRE did not answer, so nothing was changed. Try again in a moment."


@dataclass(frozen=True)
class Operation:
    """A button of the ERP panel."""

    key: str
    label: str
    allowed: Callable  # (request, doc, obj) -> Decision-like (truthy when the user may)
    run: Callable  # (request, doc, obj) -> success message
    available: Callable  # (doc, obj) -> bool: the item's state allows it
    primary: bool = False
    confirm: str = ""  # a checkbox the user ticks to confirm (unlink while the ERP record still exists)
    help_text: str = ""


def _sender(request, doc, obj):
    return can(request.user, doc.send_action, project=doc.project_of(obj), item_type=doc.item_type)


def _unlinker(request, doc, obj):
    return can(request.user, doc.unlink_action, project=doc.project_of(obj), item_type=doc.item_type)


def _send(request, doc, obj) -> str:
    obj = services.erp_send(item_type=doc.item_type, obj=obj, actor=request.user)
    if obj.erp_status == ErpStatus.EXPORTING:
        return f"{doc.label.capitalize()} {doc.describe(obj)} is being exported to Sage 300 CRE (Direct Export)."
    return (f"{doc.label.capitalize()} {doc.describe(obj)} was sent to ERP Integrations; an accounting approver "
            "accepts or rejects it there.")


def _retrieve(request, doc, obj) -> str:
    services.erp_retrieve(item_type=doc.item_type, obj=obj, actor=request.user)
    return f"{doc.label.capitalize()} {doc.describe(obj)} was taken back from ERP Integrations; you can change it now."


def _resend(request, doc, obj) -> str:
    services.erp_resend(item_type=doc.item_type, obj=obj, actor=request.user)
    return f"{doc.label.capitalize()} {doc.describe(obj)} was sent to ERP Integrations again."


def _unlink(request, doc, obj) -> str:
    erp_id = getattr(obj, doc.erp_id_field)
    services.erp_unlink(item_type=doc.item_type, obj=obj, actor=request.user,
                        confirm=request.POST.get("confirm") == "yes")
    return (f"{doc.label.capitalize()} {doc.describe(obj)} is no longer linked to {doc.erp_id_label} {erp_id}; "
            "Trestle no longer keeps the two in step.")


def _state(method_name: str):
    def available(doc, obj) -> bool:
        return can_proceed(getattr(obj, method_name))

    return available


LIFECYCLE_OPERATIONS = (
    Operation("send", "Send to ERP", _sender, _send, lambda doc, obj: obj.erp_status == ErpStatus.NOT_IN_ERP,
              primary=True),
    Operation("retrieve", "Retrieve", _sender, _retrieve, _state("erp_retrieve")),
    Operation("resend", "Resend", _sender, _resend, _state("erp_resend"), primary=True),
    Operation("unlink", "Unlink", _unlinker, _unlink,
              lambda doc, obj: doc.unlink_action is not None and obj.erp_status == ErpStatus.SYNCED,
              confirm="Unlink even if it is still in Sage 300 CRE"),
)


def _item_operation(item_action) -> Operation:
    def allowed(request, doc, obj):
        return can(request.user, item_action.action, project=doc.project_of(obj), item_type=doc.item_type)

    def run(request, doc, obj) -> str:
        return item_action.run(obj=obj, actor=request.user)

    return Operation(item_action.key, item_action.label, allowed, run, lambda doc, obj: item_action.available(obj),
                     help_text=item_action.help_text)


def erp_operations(doc: ErpDocument) -> dict[str, Operation]:
    operations = {op.key: op for op in LIFECYCLE_OPERATIONS}
    operations.update({action.key: _item_operation(action) for action in doc.item_actions})
    return operations


def refusal_message(error: ApplicationError) -> str:
    """A refusal in sentences: each field's message, the ERP's message and its resolution."""
    if isinstance(error, ErpError):
        if error.transient and "nothing was changed" not in error.resolution:
            return f"{error.message} {TRANSIENT}"
        return f"{error.message} {error.resolution}"
    if isinstance(error, ValidationFailed):
        return " ".join(message for messages_ in error.errors.values() for message in messages_)
    return error.message


class ErpHistoryContextMixin:
    """simple-history's History page in words: choice labels, related objects by name, empty as a dash."""

    def get_historical_record_context_helper(self, request, historical_record):
        helper = super().get_historical_record_context_helper(request, historical_record)
        model = self.model
        prepare = helper.prepare_delta_change_value

        def prepare_in_words(change, value):
            field = model._meta.get_field(change.field)
            if value in (None, ""):
                return "—"
            if getattr(field, "choices", None):
                return dict(field.flatchoices).get(value, value)
            if field.is_relation and field.many_to_one:
                related = field.related_model._default_manager.filter(pk=value).first()
                if related is None:
                    return f"#{value} (deleted)"
                if field.related_model is get_user_model():
                    return person(related)
                return str(related)
            if value is True:
                return "yes"
            if value is False:
                return "no"
            return prepare(change, value)

        helper.prepare_delta_change_value = prepare_in_words
        return helper

    def history_view(self, request, object_id, extra_context=None):
        extra_context = {**(extra_context or {}), "erp_nobody": AUTOMATIC}
        return super().history_view(request, object_id, extra_context)


class ErpAdminMixin(ErpHistoryContextMixin):
    change_form_template = "admin/erp/erp_change_form.html"
    object_history_list_template = "admin/erp/object_history_list.html"

    @property
    def erp_document(self) -> ErpDocument:
        return document_for(self.model)

    # --- the change list ----------------------------------------------------------------------------

    def get_list_display(self, request):
        return (*super().get_list_display(request), "erp_status_badge")

    def get_list_filter(self, request):
        return ("erp_status", *super().get_list_filter(request))

    @admin.display(description="ERP status", ordering="erp_status")
    def erp_status_badge(self, obj):
        return badge(obj.get_erp_status_display(), colour=STATUS_COLOURS.get(obj.erp_status, "#6b7280"))

    # --- the change page ----------------------------------------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        base = getattr(super(ErpAdminMixin, self), "change_form_template", None) or "admin/change_form.html"
        context["erp_base_change_form"] = base
        if obj is not None and obj.pk:
            context["erp_panel"] = self.erp_panel(request, obj)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def erp_panel(self, request, obj) -> dict:
        doc = self.erp_document
        status = ErpStatus(obj.erp_status)
        opts = self.model._meta
        send_problems = self.erp_send_problems(request, doc, obj)
        buttons = []
        for operation in erp_operations(doc).values():
            if operation.key in ("send", "resend") and send_problems:
                continue  # it would only refuse: the panel lists what to fix instead
            if operation.available(doc, obj) and operation.allowed(request, doc, obj):
                buttons.append({
                    "key": operation.key, "label": operation.label, "primary": operation.primary,
                    "confirm": operation.confirm, "help_text": operation.help_text,
                    "url": reverse(f"admin:{opts.app_label}_{opts.model_name}_erp", args=[obj.pk, operation.key],
                                   current_app=self.admin_site.name),
                })
        approver_link = None
        if status in (ErpStatus.READY_TO_EXPORT, ErpStatus.FAILED_TO_EXPORT) and can(request.user, doc.accept_action):
            view = "ready_to_export" if status == ErpStatus.READY_TO_EXPORT else "failed_to_export"
            approver_link = f"{reverse('erp-integrations')}?tab={doc.tab_key}&view={view}"
        return {
            "label": doc.label,
            "status": status.label,
            "status_key": status.value,
            "status_colour": STATUS_COLOURS.get(status, "#6b7280"),
            "status_words": STATUS_WORDS.get(status, ""),
            "erp_id_label": doc.erp_id_label,
            "erp_id": getattr(obj, doc.erp_id_field) or "",
            "sent_by": person(obj.erp_sent_by) if obj.erp_sent_by_id else "",
            "sent_at": obj.erp_sent_at,
            "approved_by": person(obj.erp_approved_by) if obj.erp_approved_by_id else "",
            "approved_at": obj.erp_approved_at,
            "synced_at": obj.erp_synced_at,
            "error_message": obj.erp_error_message,
            "error_resolution": obj.erp_error_resolution,
            "rejection_comment": obj.erp_rejection_comment,
            "send_problems": send_problems,
            "history": transition_history(doc, obj),
            "buttons": buttons,
            "approver_link": approver_link,
        }

    def erp_send_problems(self, request, doc, obj) -> list[str]:
        """What Send to ERP (or Resend) would refuse now, for a user who may press it: fix these first."""
        if obj.erp_status not in (ErpStatus.NOT_IN_ERP, ErpStatus.REJECTED) or not _sender(request, doc, obj):
            return []
        try:
            problems = services.send_problems(doc, obj)
        except ApplicationError:
            return []  # the service says it at Send
        return list(dict.fromkeys(problems.values()))

    # --- the buttons --------------------------------------------------------------------------------

    def get_urls(self):
        opts = self.model._meta
        return [
            path("<path:object_id>/erp/<str:operation>/", self.admin_site.admin_view(self.erp_operation_view),
                 name=f"{opts.app_label}_{opts.model_name}_erp"),
            *super().get_urls(),
        ]

    def erp_operation_view(self, request, object_id, operation):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        doc = self.erp_document
        chosen = erp_operations(doc).get(operation)
        obj = self.get_object(request, unquote(object_id))  # the admin's scoped queryset: others' items are a 404
        if obj is None or chosen is None or not self.has_view_permission(request, obj):
            raise Http404
        opts = self.model._meta
        back = HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk],
                                            current_app=self.admin_site.name))
        decision = chosen.allowed(request, doc, obj)
        if not decision:
            self.message_user(request, f"You may not use {chosen.label} on this {doc.label}. {decision.reason}".strip(),
                              messages.ERROR)
            return back
        try:
            done = chosen.run(request, doc, obj)
        except ApplicationError as error:
            self.message_user(request, f"{chosen.label}: {refusal_message(error)}", messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return back
