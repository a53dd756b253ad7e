"""Reconcile: does Trestle agree with the ERP about every record they share? (DESIGN §9)

Reads only, and reaches the ERP only through the connector. The domains' checks (``ReconcileCheck``
in their ``erp.py``) compare the records they link; the engine's own checks look at the exports:
items stuck in Exporting, and writes the ERP holds that Trestle did not record — a failed attempt
whose write landed after all, a late success after the export had ended, an item written twice.
Each disagreement is one ``Difference`` row; an empty list means the two agree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from apps.erp.connector import get_connector
from apps.erp.lifecycle import ErpStatus
from apps.erp.models import ErpTransition, ExportAttempt, ExportTry, TransitionAction
from apps.erp.records import record_from_json
from apps.erp.registry import document_for, documents, reconcile_checks

MISSING = "(missing)"


class Kind:
    MISSING_IN_ERP = "missing in ERP"
    FIELD = "field differs"
    NOT_SYNCED = "linked but not synced"
    COST_CODE = "cost code missing"
    CATEGORY = "cost type missing"
    STUCK = "stuck exporting"
    DUPLICATE_JOB = "duplicate job in ERP"
    DUPLICATE_WRITE = "written twice"
    UNRECORDED_WRITE = "ERP write not recorded"


@dataclass(frozen=True)
class Difference:
    kind: str
    trestle_object: str
    field: str
    trestle_value: str
    erp_value: str


@dataclass
class ReconcileReport:
    differences: list[Difference] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    exports_in_flight: int = 0

    def add(self, kind: str, obj: str, field_name: str, trestle_value: object, erp_value: object) -> None:
        self.differences.append(Difference(kind, obj, field_name, _shown(trestle_value), _shown(erp_value)))

    def count(self, noun: str, number: int = 1) -> None:
        self.counts[noun] = self.counts.get(noun, 0) + number

    def summary(self) -> str:
        """ "3 projects, 1 sub jobs, 12 companies checked" in the registry's order."""
        nouns = [check.noun for check in reconcile_checks() if check.noun]
        return ", ".join(f"{self.counts.get(noun, 0)} {noun}" for noun in nouns) + " checked"


def _shown(value: object) -> str:
    return "" if value is None else str(value)


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def label_of(obj) -> str:
    """How the ERP Integrations tool names an item: "project 26-105 McKinney Fire Station", "company Acme"."""
    doc = document_for(obj)
    return f"{doc.label} {doc.describe(obj)}"


def get_all(read, **kwargs) -> list:
    """Every record of a paged connector read."""
    records, cursor = [], None
    while True:
        page = read(cursor=cursor, **kwargs)
        records.extend(page.records)
        if not page.next_cursor:
            return records
        cursor = page.next_cursor


def reconcile(*, connector=None, now=None) -> ReconcileReport:
    """Compare every linked record with the ERP and look at the exports; list where they differ."""
    connector = connector or get_connector()
    now = now or timezone.now()
    report = ReconcileReport()
    for check in reconcile_checks():
        check.run(report, connector)
    _exporting(report, now)
    _writes_trestle_did_not_record(report, connector)
    return report


# --- exports --------------------------------------------------------------------------------------


def _exporting(report: ReconcileReport, now) -> None:
    """Items in Exporting whose export is not moving: no live attempt, a dead lease, or an overdue wait."""
    overdue = now - timedelta(minutes=10)
    for doc in documents():
        exporting = doc.model.objects.filter(erp_status=ErpStatus.EXPORTING).select_related(*doc.select_related)
        items = {obj.pk: obj for obj in exporting}
        if not items:
            continue
        active = {
            attempt.object_id: attempt
            for attempt in ExportAttempt.objects.filter(
                item_type=doc.item_type, object_id__in=items, status__in=["queued", "running"]
            )
        }
        for pk, obj in sorted(items.items()):
            attempt = active.get(pk)
            if attempt is None:
                state = "no export queued"
            elif attempt.status == ExportAttempt.Status.RUNNING and attempt.lease_expires_at < now:
                state = f"attempt {attempt.pk}: worker lease expired {_when(attempt.lease_expires_at)}"
            elif attempt.status == ExportAttempt.Status.QUEUED and (attempt.not_before or attempt.updated_at) < overdue:
                state = f"attempt {attempt.pk}: queued since {_when(attempt.updated_at)}, not picked up"
            else:
                report.exports_in_flight += 1
                continue
            report.add(Kind.STUCK, label_of(obj), "erp_status", obj.erp_status, state)


def _writes_trestle_did_not_record(report: ReconcileReport, connector) -> None:
    """Records the ERP holds under a Trestle export that Trestle does not account for.

    * a failed attempt whose first record the ERP holds (its write landed, its answer was lost) and
      that the item is not linked to;
    * a try that wrote after its attempt had ended (a late success) for an item not linked to it;
    * an item with two of its attempts' records in the ERP, never unlinked (in the ERP twice).

    One ``find_written`` request for all of them.
    """
    for doc in documents():
        attempts = list(
            ExportAttempt.objects.filter(item_type=doc.item_type)
            .filter(Q(status=ExportAttempt.Status.FAILED) | Q(tries_log__outcome=ExportTry.Outcome.LATE_SUCCESS)
                    | Q(object_id__in=_items_with_several_attempts(doc)))
            .distinct()
            .order_by("pk")
        )
        if not attempts:
            continue
        by_item = defaultdict(list)
        for attempt in attempts:
            if attempt.plan:
                by_item[attempt.object_id].append(attempt)
        objects = doc.model.objects.select_related(*doc.select_related).in_bulk(list(by_item))
        unlinked = set(
            ErpTransition.objects.filter(item_type=doc.item_type, object_id__in=list(by_item),
                                         action=TransitionAction.UNLINK).values_list("object_id", flat=True)
        )
        flat = [attempt for item_attempts in by_item.values() for attempt in item_attempts]
        answers = connector.find_written([record_from_json(attempt.plan[0]["record"]) for attempt in flat])
        found_by_attempt = {attempt.pk: found for attempt, found in zip(flat, answers)}
        for object_id, item_attempts in sorted(by_item.items()):
            obj = objects.get(object_id)
            label = label_of(obj) if obj is not None else f"{doc.label} #{object_id} (deleted)"
            linked_id = getattr(obj, doc.erp_id_field) if obj is not None and obj.erp_status == ErpStatus.SYNCED else None
            written = [
                (attempt, found.erp_id) for attempt in item_attempts
                if (found := found_by_attempt.get(attempt.pk)) is not None and found.same
            ]
            for attempt, erp_id in written:
                if attempt.status != ExportAttempt.Status.SUCCEEDED and erp_id != linked_id:
                    status = obj.erp_status if obj is not None else "deleted"
                    report.add(Kind.UNRECORDED_WRITE, label, "erp_status", status, f"{erp_id} (attempt {attempt.pk})")
            codes = sorted({erp_id for _, erp_id in written})
            if len(codes) > 1 and object_id not in unlinked:
                report.add(Kind.DUPLICATE_WRITE, label, doc.erp_id_field, linked_id, ", ".join(codes))


def _items_with_several_attempts(doc):
    from django.db.models import Count

    return (
        ExportAttempt.objects.filter(item_type=doc.item_type)
        .values("object_id").annotate(count=Count("pk")).filter(count__gt=1).values("object_id")
    )
