"""The ERP Integrations tool in the admin: one page, a tab per registered document (and per dataset
that stands alone), a view per queue.

Every button posts here and calls a service; the services ask the permission matrix. Buttons a
user may not use are not shown. When Sage does not answer, the page says so and nothing of the
batch after the failure is attempted — never a 500.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.views import View as DjangoView

from apps.access.checks import can, has_tool_level
from apps.access.models import Level, Tool
from apps.core.api.viewsets import parse_id
from apps.core.exceptions import ApplicationError, ValidationFailed
from apps.erp import services
from apps.erp.errors import ErpError
from apps.erp.models import StagedRecord, SyncRun
from apps.erp.selectors import View, last_sync_run, queue_items, staged_records, tab, tabs, view_action, view_counts
from apps.erp.staging import staged_record_archive
from apps.erp.sync import dataset_spec, sync_run_summary, sync_start

PAGE_SIZE = 50
ACTIVE_RUN = (SyncRun.Status.QUEUED, SyncRun.Status.RUNNING)
TARGET_SEARCH_LIMIT = 20


def _listing(labels: list[str], *, shown: int = 10) -> str:
    """"2 items: A, B." / "12 items: A, … and 2 more." — one sentence, one full stop (names may end in one)."""
    count = len(labels)
    text = ", ".join(labels[:shown])
    if count > shown:
        text += f" and {count - shown} more"
    return f"{count} item{'s' if count != 1 else ''}: {text}{'' if text.endswith('.') else '.'}"


def _messages_of(error: ApplicationError) -> str:
    if isinstance(error, ValidationFailed):
        return "; ".join(message for messages_ in error.errors.values() for message in messages_)
    if isinstance(error, ErpError):
        return f"{error.message} {error.resolution}"
    return error.message


def _item_url(request, model):
    """A row's link to its item's admin page, for the items the user may open there (else None)."""
    model_admin = admin.site._registry.get(model)
    if model_admin is None:
        return lambda obj: None
    opts = model._meta

    def url(obj):
        if not model_admin.has_view_permission(request, obj):
            return None
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])

    return url


class ErpIntegrationsView(DjangoView):
    template_name = "admin/erp/integrations.html"

    def dispatch(self, request, *args, **kwargs):
        if not has_tool_level(request.user, Tool.ERP_INTEGRATIONS, Level.READ_ONLY):
            raise PermissionDenied("The ERP Integrations tool needs Read Only or above on ERP Integrations.")
        return super().dispatch(request, *args, **kwargs)

    # --- reading ------------------------------------------------------------------------------------

    def get(self, request):
        current = tab(request.GET.get("tab", ""))
        view = request.GET.get("view") or (current.views[0] if current.views else "")
        if current.views and view not in current.views:
            view = current.views[0]
        search = request.GET.get("q", "").strip()
        last_run = last_sync_run(current.dataset) if current.dataset else None
        context = {
            **admin.site.each_context(request),
            "title": "ERP Integrations",
            "tabs": tabs(),
            "tab": current,
            "view": view,
            "view_labels": View.LABELS,
            "search": search,
            "last_run": last_run,
            "last_run_summary": sync_run_summary(last_run) if last_run else [],
            "last_run_active": bool(last_run and last_run.status in ACTIVE_RUN),
            "can_sync": bool(current.dataset and can(request.user, dataset_spec(current.dataset).action)),
        }
        doc = current.doc
        if doc is not None:
            context["counts"] = view_counts(current, request.user)
            # Some lists need one more permission (the synced sub jobs also need the Directory, P#34; the
            # archived vendors Standard on ERP Integrations, P#38).
            needed = view_action(doc, view)
            decision = can(request.user, needed) if needed else None
            if decision is not None and not decision:
                context["refused"] = decision.reason
            else:
                context.update(self._rows(request, current, view, search))
        else:
            template, panel_context = current.panel.panel(request)
            context.update(panel_context, panel_template=template)
        return render(request, self.template_name, context)

    def _rows(self, request, current, view, search) -> dict:
        user = request.user
        doc = current.doc
        if view in (View.READY_TO_IMPORT, View.ARCHIVED):
            page = Paginator(staged_records(kind=doc.staged_kind, view=view, search=search), PAGE_SIZE).get_page(
                request.GET.get("page")
            )
            actions = [action for action in doc.import_actions if can(user, action.action)]
            target_action = next((action for action in actions if action.targets), None)
            staged_rows = list(page)
            # Suggestions for the whole page at once (not a query per row).
            suggested = (
                target_action.targets(staged_rows) if target_action is not None and view == View.READY_TO_IMPORT else {}
            )
            rows = []
            for staged in staged_rows:
                row = {"staged": staged, "details": doc.staged_details(staged)}
                if target_action is not None and view == View.READY_TO_IMPORT:
                    row["targets"] = suggested.get(staged.pk, [])
                rows.append(row)
            return {
                "page": page,
                "rows": rows,
                "staged": True,
                "import_actions": actions if view == View.READY_TO_IMPORT else [],
                "target_action": target_action if view == View.READY_TO_IMPORT else None,
                "waiting": doc.waiting_to_import() if view == View.READY_TO_IMPORT else "",
                "has_parent": any(row["staged"].parent_origin_id for row in rows),
                "can_archive": bool(doc.archive_action and can(user, doc.archive_action)),
            }
        page = Paginator(queue_items(item_type=doc.item_type, view=view, search=search, user=user), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        fields = doc.accept_fields
        entered = request.session.pop(f"erp-entered-{current.key}", {})
        item_url = _item_url(request, doc.model)
        rows = []
        for obj in page:
            values = {**doc.accept_defaults(obj), **{k: v for k, v in entered.get(str(obj.pk), {}).items() if v}}
            rows.append({
                "obj": obj,
                "label": doc.describe(obj),
                "url": item_url(obj),
                "erp_id": getattr(obj, doc.erp_id_field),
                "fields": [(f.name, f.label, values.get(f.name, ""), f.choices) for f in fields],
            })
        return {
            "page": page,
            "rows": rows,
            "staged": False,
            "field_names": [(f.name, f.label) for f in fields],
            "can_accept": bool(can(user, doc.accept_action)),
            "can_unlink": bool(doc.unlink_action and can(user, doc.unlink_action)),
        }

    # --- acting -------------------------------------------------------------------------------------

    def post(self, request):
        current = tab(request.POST.get("tab", ""))
        view = request.POST.get("view", "")
        operation = request.POST.get("op", "")
        posted = request.POST.getlist("ids")
        ids = [pk for pk in map(parse_id, posted) if pk is not None]
        handler = getattr(self, f"op_{operation}", None) if operation.isidentifier() else None
        if operation.startswith("import:") and current.doc is not None:
            handler = self._import_handler(operation.removeprefix("import:"))
        if handler is None:
            messages.error(request, f"Unknown action {operation!r}.")
        elif len(ids) != len(posted):
            messages.error(request, "Nothing was done: the selection holds values that are not rows of this list. "
                                    "Reload the page, tick the rows again and try once more.")
        elif operation != "sync" and not ids:
            messages.warning(request, "Select at least one row first.")
        else:
            handler(request, current, ids)
        query = {"tab": current.key, "view": view}
        return HttpResponseRedirect(f"{reverse('erp-integrations')}?{urlencode(query)}")

    def _each(self, request, objects, action_label, call):
        """Run ``call`` on each object; a refusal is reported and the batch goes on, but when Sage does not
        answer the batch stops there and says which items were not attempted."""
        done, failed = [], []
        objects = list(objects)
        for index, obj in enumerate(objects):
            try:
                call(obj)
                done.append(str(obj))
            except ErpError as error:
                failed.append(f"{obj}: {_messages_of(error)}")
                if error.transient:
                    rest = objects[index + 1:]
                    if rest:
                        failed.append(
                            f"Stopped there: Sage 300 CRE did not answer, so {len(rest)} more item(s) were not "
                            f"attempted ({', '.join(map(str, rest[:5]))}{' …' if len(rest) > 5 else ''}). Try again "
                            "in a moment."
                        )
                    break
            except ApplicationError as error:
                failed.append(f"{obj}: {_messages_of(error)}")
        if done:
            messages.success(request, f"{action_label}: {_listing(done)}")
        for failure in failed:
            messages.error(request, failure)

    def _items(self, current, ids):
        doc = current.doc
        return list(doc.model.objects.filter(pk__in=ids).select_related(*doc.select_related).order_by("pk"))

    def _fields(self, request, current, obj) -> dict:
        return {f.name: request.POST.get(f"field-{obj.pk}-{f.name}", "").strip() for f in current.doc.accept_fields}

    def op_accept(self, request, current, ids):
        items = self._items(current, ids)
        try:
            outcome = services.erp_accept_many(
                item_type=current.item_type, items=[(obj, self._fields(request, current, obj)) for obj in items],
                actor=request.user,
            )
        except ErpError as error:
            self._keep_entered(request, current, items)
            messages.error(request, f"Nothing was accepted: {_messages_of(error)}")
            return
        except ApplicationError as error:
            messages.error(request, _messages_of(error))
            return
        if outcome.accepted:
            messages.success(request, f"Accepted for export: {_listing(list(map(str, outcome.accepted)))} They "
                                      "show under Failed to Export only if the export fails.")
        by_pk = {obj.pk: obj for obj in items}
        self._keep_entered(request, current, [by_pk[pk] for pk in outcome.refused])
        for pk, error in outcome.refused.items():
            messages.error(request, f"{by_pk[pk]}: {_messages_of(error)}")

    def _keep_entered(self, request, current, objects) -> None:
        """What the approver typed for items that were not accepted is in the form again after the redirect."""
        entered = {str(obj.pk): self._fields(request, current, obj) for obj in objects}
        request.session[f"erp-entered-{current.key}"] = entered

    def op_reject(self, request, current, ids):
        comment = request.POST.get("comment", "")
        self._each(request, self._items(current, ids), "Rejected", lambda obj: services.erp_reject(
            item_type=current.item_type, obj=obj, actor=request.user, comment=comment))

    def op_retry(self, request, current, ids):
        self._each(request, self._items(current, ids), "Retrying", lambda obj: services.erp_retry(
            item_type=current.item_type, obj=obj, actor=request.user, fields=self._fields(request, current, obj)))

    def op_unlink(self, request, current, ids):
        confirm = request.POST.get("confirm") == "yes"
        self._each(request, self._items(current, ids), "Unlinked", lambda obj: services.erp_unlink(
            item_type=current.item_type, obj=obj, actor=request.user, confirm=confirm))

    def _staged(self, ids):
        return StagedRecord.objects.filter(pk__in=ids).order_by("pk")

    def _import_handler(self, key: str):
        def handler(request, current, ids):
            action = next((a for a in current.doc.import_actions if a.key == key), None)
            if action is None:
                messages.error(request, f"Unknown action {key!r}.")
                return

            notes, imported_objects = [], []

            def run(staged):
                target = None
                if action.targets is not None:
                    target_id = request.POST.get(f"target-{staged.pk}", "")
                    target_pk = parse_id(target_id)
                    target = current.doc.model.objects.filter(pk=target_pk).first() if target_pk else None
                    if target is None:
                        raise ValidationFailed({"target": f"Choose the {current.doc.label} to link {staged} to."})
                imported = action.run(staged=staged, actor=request.user, target=target)
                note = current.doc.imported_note(imported, request.user) if imported is not None else ""
                if note:
                    notes.append(note)
                if imported is not None:
                    imported_objects.append(imported)

            self._each(request, self._staged(ids), action.label, run)
            links = _links_to(request, imported_objects[:10])
            if links:
                messages.info(request, format_html("Open: {}", format_html_join(", ", '<a href="{}">{}</a>', links)))
            for note in notes:
                messages.warning(request, note)

        return handler

    def op_archive(self, request, current, ids):
        self._each(request, self._staged(ids), "Archived",
                   lambda s: staged_record_archive(staged=s, actor=request.user))

    def op_unarchive(self, request, current, ids):
        self._each(request, self._staged(ids), "Back in Ready to Import",
                   lambda s: staged_record_archive(staged=s, actor=request.user, archived=False))

    def op_sync(self, request, current, ids):
        try:
            run = sync_start(dataset=current.dataset, trigger=SyncRun.Trigger.MANUAL, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
            return
        messages.success(request, f"{run.get_dataset_display()} sync #{run.pk} started; this page shows its progress.")


def _links_to(request, objects) -> list[tuple[str, str]]:
    """(admin page, label) of each object the user may open in the admin."""
    links = []
    for obj in objects:
        model_admin = admin.site._registry.get(type(obj))
        if model_admin is not None and model_admin.has_view_permission(request, obj):
            meta = obj._meta
            links.append((reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk]), str(obj)))
    return links


# --- small JSON reads for the page's scripts ---------------------------------------------------------


def _json_refused(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def sync_run_progress(request, pk: int) -> JsonResponse:
    """A sync run's progress, polled by the ERP Integrations page while the run is queued or running.

    Whoever may open ERP Integrations may read it (the page shows the same line).
    """
    if not has_tool_level(request.user, Tool.ERP_INTEGRATIONS, Level.READ_ONLY):
        return _json_refused("Sync progress needs Read Only or above on ERP Integrations.", 403)
    run = SyncRun.objects.filter(pk=pk).first()
    if run is None:
        return _json_refused(f"There is no sync run #{pk}.", 404)
    return JsonResponse({
        "id": run.pk,
        "dataset": run.dataset,
        "status": run.status,
        "status_label": run.get_status_display(),
        "finished": run.status not in ACTIVE_RUN,
        "pages_done": run.pages_done,
        "records_seen": run.records_seen,
        "summary": sync_run_summary(run),
    })


def import_target_search(request) -> JsonResponse:
    """Search every object a Ready to Import action can link to (``?tab=…&action=…&q=…``), for the row's search box.

    Answers only to whoever may use the action; at most ``TARGET_SEARCH_LIMIT`` results, searched in the database.
    """
    current = tab(request.GET.get("tab", ""))
    doc = current.doc
    key = request.GET.get("action", "")
    action = next((a for a in doc.import_actions if a.key == key and a.search), None) if doc else None
    if action is None:
        return _json_refused("This tab has no search for a record to link to.", 404)
    decision = can(request.user, action.action)
    if not decision:
        return _json_refused(decision.reason or "You may not link these records.", 403)
    text = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    results = action.search(text, TARGET_SEARCH_LIMIT)
    return JsonResponse({"results": [{"id": value, "label": label} for value, label in results],
                         "more": len(results) >= TARGET_SEARCH_LIMIT})
