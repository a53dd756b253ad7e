"""The ERP Integrations API: ``/erp/<action>/`` on exportable resources, the queue, and sync runs.

Every exportable resource's body carries a read-only ``erp`` object, and its viewset gets
``POST …/{id}/erp/{send|retrieve|accept|reject|resend|retry|unlink}/``. Senders act through the
project's tools, so they find the item through the resource's scoped queryset (another project's
item is a 404). Approvers act in the company-level ERP Integrations tool, which shows every item.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from apps.access.checks import can, has_tool_level
from apps.access.models import Level, Tool
from apps.core.api.pagination import ChainedQuerysets
from apps.core.api.viewsets import parse_id
from apps.core.exceptions import PermissionRefused
from apps.erp import services
from apps.erp.item_types import ItemType
from apps.erp.lifecycle import ErpStatus
from apps.erp.models import SyncRun
from apps.erp.registry import dataset_choices, document, document_for, documents
from apps.erp.selectors import queue_by_status
from apps.erp.sync import sync_run_summary, sync_start

APPROVER_ACTIONS = {"accept", "reject", "retry", "unlink"}


class ErpStateSerializer(serializers.Serializer):
    """Where an item stands with the ERP (read-only)."""

    status = serializers.ChoiceField(choices=ErpStatus.choices, source="erp_status")
    erp_id = serializers.SerializerMethodField()
    sent_by = serializers.CharField(source="erp_sent_by.username", default=None, allow_null=True)
    sent_at = serializers.DateTimeField(source="erp_sent_at", allow_null=True)
    approved_by = serializers.CharField(source="erp_approved_by.username", default=None, allow_null=True)
    approved_at = serializers.DateTimeField(source="erp_approved_at", allow_null=True)
    synced_at = serializers.DateTimeField(source="erp_synced_at", allow_null=True)
    last_error_code = serializers.CharField(source="erp_error_code")
    last_error_message = serializers.CharField(source="erp_error_message")
    last_error_resolution = serializers.CharField(source="erp_error_resolution")
    rejection_comment = serializers.CharField(source="erp_rejection_comment")

    def get_erp_id(self, obj) -> str | None:
        doc = document(self.context["erp_item_type"]) if "erp_item_type" in self.context else None
        return getattr(obj, doc.erp_id_field) if doc else None


@extend_schema_field(ErpStateSerializer)
class ErpStateField(serializers.Field):
    """Put ``erp = ErpStateField(ItemType.X)`` on an exportable resource's serializer (read-only)."""

    def __init__(self, item_type: ItemType, **kwargs):
        self.item_type = item_type
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, obj):
        return ErpStateSerializer(obj, context={"erp_item_type": self.item_type}).data


class ErpActionInputSerializer(serializers.Serializer):
    erp_id = serializers.CharField(
        required=False, allow_blank=True, max_length=50,
        help_text="accept/retry: the ERP id the approver enters (Sage Job ID, SubJob ID, ERP Company ID …).",
    )
    fields = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=100), required=False,
        help_text="accept/retry: any other approver fields, e.g. {\"vendor_type\": \"Supplier\"}.",
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="reject: required.")
    confirm = serializers.BooleanField(
        required=False, default=False, help_text="unlink: unlink even though the record is still in the ERP."
    )


def _erp_action_view(name: str):
    def view(self, request, pk=None):
        return self.run_erp_action(request, name)

    # The router maps POST to the function's name, so it must be named before @action sees it.
    view.__name__ = view.__qualname__ = f"erp_{name}"
    view = action(detail=True, methods=["post"], url_path=f"erp/{name}", url_name=f"erp-{name}")(view)
    return extend_schema(
        request=ErpActionInputSerializer,
        description=f"ERP lifecycle: {name}. 403 when the permission matrix says no, 404 for an item you cannot "
        "see, 409 when the item's ERP status does not allow it or the ERP refuses, 503 when the ERP does not answer "
        "(try again; nothing was changed), 400 with field messages for bad input.",
    )(view)


class ErpActionsMixin:
    """Mixed into the viewsets of exportable resources; they name ``erp_item_type``."""

    erp_item_type: ItemType

    def get_permissions(self):
        # The ERP actions are decided by the permission matrix in the services (P#1–P#38), not by
        # the resource's own rules; the scoped queryset still hides other projects' items (404).
        if (getattr(self, "action", None) or "").startswith("erp_"):
            return [IsAuthenticated()]
        return super().get_permissions()

    def erp_object(self, name: str):
        """Approvers work the company-wide queue: they reach any item they may act on. Everyone else
        reaches items through the resource's scoped queryset, so another project's item is a 404."""
        doc = document(self.erp_item_type)
        pk = parse_id(self.kwargs["pk"])
        if pk is None:  # "²", "①", 25 digits …: no row has that id
            raise Http404
        approver_action = doc.unlink_action if name == "unlink" else doc.accept_action
        if name in APPROVER_ACTIONS and approver_action and can(self.request.user, approver_action):
            return get_object_or_404(doc.model.objects.all(), pk=pk)
        return self.get_object()

    def run_erp_action(self, request, name: str):
        data = ErpActionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        obj = self.erp_object(name)
        item_type = self.erp_item_type
        fields = dict(values.get("fields") or {})
        if values.get("erp_id"):
            fields[document(item_type).id_field.name] = values["erp_id"]
        actor = request.user
        if name == "send":
            obj = services.erp_send(item_type=item_type, obj=obj, actor=actor)
        elif name == "retrieve":
            obj = services.erp_retrieve(item_type=item_type, obj=obj, actor=actor)
        elif name == "accept":
            obj = services.erp_accept(item_type=item_type, obj=obj, actor=actor, fields=fields)
        elif name == "reject":
            obj = services.erp_reject(item_type=item_type, obj=obj, actor=actor, comment=values.get("comment", ""))
        elif name == "resend":
            obj = services.erp_resend(item_type=item_type, obj=obj, actor=actor)
        elif name == "retry":
            obj = services.erp_retry(item_type=item_type, obj=obj, actor=actor, fields=fields)
        elif name == "unlink":
            obj = services.erp_unlink(item_type=item_type, obj=obj, actor=actor, confirm=values.get("confirm", False))
        obj.refresh_from_db()
        return Response(self.get_serializer(obj).data)

    erp_send = _erp_action_view("send")
    erp_retrieve = _erp_action_view("retrieve")
    erp_accept = _erp_action_view("accept")
    erp_reject = _erp_action_view("reject")
    erp_resend = _erp_action_view("resend")
    erp_retry = _erp_action_view("retry")
    erp_unlink = _erp_action_view("unlink")


# --- the queue and sync runs -----------------------------------------------------------------------


def _require_erp_reader(user) -> None:
    if not has_tool_level(user, Tool.ERP_INTEGRATIONS, Level.READ_ONLY):
        raise PermissionRefused("The ERP Integrations tool needs Read Only or above on ERP Integrations.")


class QueueItemSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.IntegerField()
    label = serializers.CharField()
    erp = ErpStateSerializer()


def _queue_types() -> list[str]:
    return [str(doc.item_type) for doc in documents()]


class ErpQueueViewSet(viewsets.GenericViewSet):
    """The ERP Integrations queue: items by ERP status and type (default: Ready to Export)."""

    permission_classes = [IsAuthenticated]
    serializer_class = QueueItemSerializer
    filter_backends: list = []  # its own two filters, below; the queue mixes item types

    @extend_schema(
        parameters=[
            OpenApiParameter("erp_status", enum=[choice.value for choice in ErpStatus], default="ready_to_export"),
            OpenApiParameter("type", enum=[str(item_type) for item_type in ItemType]),
        ],
        responses=QueueItemSerializer(many=True),
    )
    def list(self, request):
        _require_erp_reader(request.user)
        erp_status = request.query_params.get("erp_status", ErpStatus.READY_TO_EXPORT)
        wanted_type = request.query_params.get("type")
        if erp_status not in ErpStatus.values:
            raise serializers.ValidationError({"erp_status": f"Choose one of: {', '.join(ErpStatus.values)}."})
        queue_types = _queue_types()
        if wanted_type and wanted_type not in queue_types:
            raise serializers.ValidationError({"type": f"Choose one of: {', '.join(queue_types)}."})
        querysets = []
        for item_type in queue_types:
            if wanted_type and wanted_type != item_type:
                continue
            doc = document(item_type)
            if doc.view_synced_action and erp_status == ErpStatus.SYNCED:
                decision = can(request.user, doc.view_synced_action)  # e.g. P#34
                if not decision:
                    if wanted_type:
                        raise PermissionRefused(decision.reason)
                    continue
            # Approvers and company admins see every project's items; anyone else those of their projects.
            querysets.append(queue_by_status(item_type=item_type, erp_status=erp_status, user=request.user))
        items = ChainedQuerysets(querysets)  # paginated in the database, every item reachable
        page = self.paginate_queryset(items)
        rows = []
        for obj in page:
            doc = document_for(obj)
            rows.append({
                "type": str(doc.item_type),
                "id": obj.pk,
                "label": doc.describe(obj),
                "erp": ErpStateSerializer(obj, context={"erp_item_type": doc.item_type}).data,
            })
        return self.get_paginated_response(rows)


class SyncRunSerializer(serializers.ModelSerializer):
    started_by = serializers.CharField(source="started_by.username", default=None, allow_null=True, read_only=True)
    summary = serializers.SerializerMethodField(help_text="What the run did, in words: its counts, then what they "
                                                "mean (records skipped and why, waiting, updated by auto-update).")

    class Meta:
        model = SyncRun
        fields = ["id", "dataset", "trigger", "mode", "status", "started_by", "pages_done", "records_seen", "created",
                  "updated", "unchanged", "skipped", "failed", "gone", "errors", "notes", "explained", "summary",
                  "queued_at", "started_at", "finished_at"]
        read_only_fields = fields

    def get_summary(self, run: SyncRun) -> list[str]:
        return sync_run_summary(run)


class SyncStartSerializer(serializers.Serializer):
    dataset = serializers.ChoiceField(choices=[])
    mode = serializers.ChoiceField(choices=SyncRun.Mode.choices, default=SyncRun.Mode.FULL,
                                   help_text="full: read everything; incremental: only what changed since the last run.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dataset"].choices = dataset_choices()


class ErpSyncViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Sync runs: start one (`POST {"dataset": "vendors"}` → 202), follow its progress."""

    permission_classes = [IsAuthenticated]
    serializer_class = SyncRunSerializer
    filterset_fields = ["dataset", "status", "trigger"]
    ordering_fields = ["queued_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SyncRun.objects.none()
        _require_erp_reader(self.request.user)
        return SyncRun.objects.select_related("started_by").order_by("-queued_at", "-pk")

    def get_object(self):
        if parse_id(self.kwargs.get("pk")) is None:
            raise Http404
        return super().get_object()

    @extend_schema(request=SyncStartSerializer, responses={202: SyncRunSerializer})
    def create(self, request):
        data = SyncStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = sync_start(dataset=data.validated_data["dataset"], trigger=SyncRun.Trigger.API, actor=request.user,
                         mode=data.validated_data["mode"])
        run.refresh_from_db()
        return Response(SyncRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

