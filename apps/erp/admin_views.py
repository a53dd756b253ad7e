"""The ERP Integrations tool in the admin: one page, a tab per item type, a view per queue.

Every button posts here and calls a service; the services ask the permission matrix. Buttons a
user may not use are not shown.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views import View as DjangoView

from apps.access.checks import can, has_tool_level
from apps.access.matrix import Action
from apps.access.models import Level, Tool
from apps.erp.item_types import ItemType
from apps.companies.models import Company
from apps.core.exceptions import ApplicationError, ValidationFailed
from apps.erp import imports, services
from apps.erp.models import StagedRecord, SyncRun
from apps.erp.registry import get_adapter
from apps.erp.selectors import TABS, TABS_BY_KEY, View, last_sync_run, queue_items, staged_records, view_counts
from apps.erp.sync import dataset_spec, sync_start

PAGE_SIZE = 50


def _accept_field_names(item_type: str) -> list[tuple[str, str]]:
    return {
        ItemType.PROJECT: [("sage_job_id", "Sage Job ID")],
        ItemType.SUB_JOB: [("sub_job_id", "SubJob ID")],
        ItemType.COMPANY: [("erp_company_id", "ERP Company ID"), ("vendor_type", "Vendor type")],
    }.get(ItemType(item_type), [])


class ErpIntegrationsView(DjangoView):
    template_name = "admin/erp/integrations.html"

    def dispatch(self, request, *args, **kwargs):
        if not has_tool_level(request.user, Tool.ERP_INTEGRATIONS, Level.READ_ONLY):
            raise PermissionDenied("The ERP Integrations tool needs Read Only or above on ERP Integrations.")
        return super().dispatch(request, *args, **kwargs)

    # --- reading ------------------------------------------------------------------------------------

    def get(self, request):
        tab = TABS_BY_KEY.get(request.GET.get("tab", ""), TABS[0])
        view = request.GET.get("view") or (tab.views[0] if tab.views else "")
        search = request.GET.get("q", "").strip()
        context = {
            **admin.site.each_context(request),
            "title": "ERP Integrations",
            "tabs": TABS,
            "tab": tab,
            "view": view,
            "view_labels": View.LABELS,
            "search": search,
            "last_run": last_sync_run(tab.dataset) if tab.dataset else None,
            "can_sync": bool(tab.dataset and can(request.user, dataset_spec(tab.dataset).action)),
        }
        if tab.views and tab.key == "sub-jobs" and view == View.SYNCED and not can(request.user, Action.VIEW_SYNCED_SUB_JOBS):
            # P#34: the list of synced sub jobs also needs the company Directory.
            context["counts"] = view_counts(tab)
            context["refused"] = can(request.user, Action.VIEW_SYNCED_SUB_JOBS).reason
        elif tab.views:
            context["counts"] = view_counts(tab)
            context.update(self._rows(request, tab, view, search))
        else:
            context.update(self._cost_codes(request))
        return render(request, self.template_name, context)

    def _rows(self, request, tab, view, search) -> dict:
        user = request.user
        if view in (View.READY_TO_IMPORT, View.ARCHIVED):
            page = Paginator(staged_records(kind=tab.staged_kind, view=view, search=search), PAGE_SIZE).get_page(
                request.GET.get("page")
            )
            rows = []
            for staged in page:
                row = {"staged": staged}
                if tab.staged_kind == StagedRecord.Kind.VENDOR and view == View.READY_TO_IMPORT:
                    row["matches"] = imports.vendor_suggested_matches(staged=staged)
                rows.append(row)
            return {
                "page": page,
                "rows": rows,
                "staged": True,
                "can_add": can(user, {"vendor": Action.ADD_ERP_COMPANY, "job": Action.ADD_ERP_JOB,
                                      "extra": Action.IMPORT_ERP_SUB_JOB}[tab.staged_kind]),
                "can_link": tab.staged_kind == StagedRecord.Kind.VENDOR and can(user, Action.LINK_ERP_COMPANIES),
                "can_archive": can(user, Action.ARCHIVE_ERP_COMPANY if tab.staged_kind == "vendor" else Action.ADD_ERP_JOB),
            }
        adapter = get_adapter(tab.item_type)
        page = Paginator(queue_items(item_type=tab.item_type, view=view, search=search), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        field_names = _accept_field_names(tab.item_type)
        rows = []
        for obj in page:
            values = {**adapter.accept_defaults(obj), **obj.erp_fields}
            rows.append(
                {
                    "obj": obj,
                    "label": adapter.describe(obj),
                    "erp_id": getattr(obj, adapter.erp_id_field),
                    "fields": [(name, label, values.get(name, "")) for name, label in field_names],
                }
            )
        return {
            "page": page,
            "rows": rows,
            "staged": False,
            "field_names": field_names,
            "can_accept": can(user, adapter.accept_action),
            "can_unlink": bool(adapter.unlink_action and can(user, adapter.unlink_action)),
        }

    def _cost_codes(self, request) -> dict:
        from apps.wbs.models import CostType, StandardCostCode

        codes = StandardCostCode.objects.filter(cost_code_list__source="erp").prefetch_related("default_cost_types")
        page = Paginator(codes.order_by("code"), PAGE_SIZE).get_page(request.GET.get("page"))
        return {"page": page, "cost_types": CostType.objects.order_by("code"), "code_rows": page}

    # --- acting -------------------------------------------------------------------------------------

    def post(self, request):
        tab = TABS_BY_KEY.get(request.POST.get("tab", ""), TABS[0])
        view = request.POST.get("view", "")
        operation = request.POST.get("op", "")
        ids = [int(pk) for pk in request.POST.getlist("ids") if pk.isdigit()]
        handler = getattr(self, f"op_{operation}", None)
        if handler is None:
            messages.error(request, f"Unknown action {operation!r}.")
        elif operation != "sync" and not ids:
            messages.warning(request, "Select at least one row first.")
        else:
            handler(request, tab, ids)
        query = {"tab": tab.key, "view": view}
        return HttpResponseRedirect(f"{reverse('erp-integrations')}?{urlencode(query)}")

    def _each(self, request, objects, action_label, call):
        done, failed = [], []
        for obj in objects:
            try:
                call(obj)
                done.append(str(obj))
            except ValidationFailed as error:
                details = "; ".join(message for messages_ in error.errors.values() for message in messages_)
                failed.append(f"{obj}: {details}")
            except ApplicationError as error:
                failed.append(f"{obj}: {error.message}")
        if done:
            messages.success(request, f"{action_label}: {len(done)} item(s) — {', '.join(done[:10])}.")
        for failure in failed:
            messages.error(request, failure)

    def _items(self, tab, ids):
        adapter = get_adapter(tab.item_type)
        return adapter.model.objects.filter(pk__in=ids).select_related(*adapter.select_related()).order_by("pk")

    def _fields(self, request, tab, obj) -> dict:
        return {
            name: request.POST.get(f"field-{obj.pk}-{name}", "").strip()
            for name, _ in _accept_field_names(tab.item_type)
        }

    def op_accept(self, request, tab, ids):
        self._each(request, self._items(tab, ids), "Accepted for export", lambda obj: services.erp_accept(
            item_type=tab.item_type, obj=obj, actor=request.user, fields=self._fields(request, tab, obj)))

    def op_reject(self, request, tab, ids):
        comment = request.POST.get("comment", "")
        self._each(request, self._items(tab, ids), "Rejected", lambda obj: services.erp_reject(
            item_type=tab.item_type, obj=obj, actor=request.user, comment=comment))

    def op_retry(self, request, tab, ids):
        self._each(request, self._items(tab, ids), "Retrying", lambda obj: services.erp_retry(
            item_type=tab.item_type, obj=obj, actor=request.user, fields=self._fields(request, tab, obj)))

    def op_unlink(self, request, tab, ids):
        confirm = request.POST.get("confirm") == "yes"
        self._each(request, self._items(tab, ids), "Unlinked", lambda obj: services.erp_unlink(
            item_type=tab.item_type, obj=obj, actor=request.user, confirm=confirm))

    def _staged(self, ids):
        return StagedRecord.objects.filter(pk__in=ids).order_by("pk")

    def op_add(self, request, tab, ids):
        call = {
            StagedRecord.Kind.VENDOR: lambda s: imports.vendor_add_as_company(staged=s, actor=request.user),
            StagedRecord.Kind.JOB: lambda s: imports.job_add_as_project(staged=s, actor=request.user),
            StagedRecord.Kind.EXTRA: lambda s: imports.extra_import_as_sub_job(staged=s, actor=request.user),
        }[tab.staged_kind]
        self._each(request, self._staged(ids), "Added to Trestle", call)

    def op_link(self, request, tab, ids):
        def link(staged):
            company_id = request.POST.get(f"link-{staged.pk}", "")
            if not company_id.isdigit():
                raise ValidationFailed({"company": "Choose the company to link this vendor to."})
            company = Company.objects.filter(pk=int(company_id)).first()
            if company is None:
                raise ValidationFailed({"company": "That company no longer exists."})
            imports.vendor_link_to_company(staged=staged, company=company, actor=request.user)

        self._each(request, self._staged(ids), "Linked", link)

    def op_archive(self, request, tab, ids):
        self._each(request, self._staged(ids), "Archived",
                   lambda s: imports.staged_record_archive(staged=s, actor=request.user))

    def op_unarchive(self, request, tab, ids):
        self._each(request, self._staged(ids), "Back in Ready to Import",
                   lambda s: imports.staged_record_archive(staged=s, actor=request.user, archived=False))

    def op_sync(self, request, tab, ids):
        try:
            run = sync_start(dataset=tab.dataset, trigger=SyncRun.Trigger.MANUAL, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
            return
        messages.success(request, f"{run.get_dataset_display()} sync #{run.pk} started; this page shows its progress.")
