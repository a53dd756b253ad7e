"""Companies on the ERP side: Create and Sync Vendors (seed workflow 7), Trestle → Sage direction.

The approver enters the ERP Company ID (the Sage vendor id) at Accept (R59). If Sage already has
that vendor and it is this company (same name), the two are linked instead of failing.
"""

from __future__ import annotations

from typing import Any

from apps.access.matrix import Action
from apps.erp.item_types import ItemType
from apps.companies.models import Company
from apps.core.exceptions import ValidationFailed
from apps.erp.connector import get_connector
from apps.erp.records import VendorExport
from apps.erp.registry import ExportAdapter, ExportResult, register

VENDOR_LIMIT_FIELDS = ("name", "address", "city", "zip", "business_phone", "business_fax")


@register
class CompanyExportAdapter(ExportAdapter):
    item_type = ItemType.COMPANY
    model = Company
    label = "company"
    accept_action = Action.ACCEPT_REJECT_COMPANY
    unlink_action = Action.UNLINK_COMPANY
    erp_id_field = "erp_company_id"
    locked_fields = ("name",)

    def send_problems(self, obj: Company) -> dict[str, str]:
        problems = get_connector().limits.violations("vendor", {name: getattr(obj, name) for name in VENDOR_LIMIT_FIELDS})
        if obj.is_archived:
            problems["is_archived"] = f"{obj.name} is archived; unarchive it before exporting it to Sage."
        if obj.erp_company_id:
            problems["erp_company_id"] = f"{obj.name} is already linked to vendor {obj.erp_company_id}."
        if not obj.name.strip():
            problems["name"] = "Can't be blank. Give the company a name."
        return problems

    def accept_defaults(self, obj: Company) -> dict[str, Any]:
        return {
            "erp_company_id": obj.erp_fields.get("erp_company_id", ""),
            "vendor_type": obj.erp_fields.get("vendor_type") or obj.erp_vendor_type or "Subcontractor",
        }

    def clean_accept_fields(self, obj: Company, fields: dict[str, Any], connector) -> dict[str, Any]:
        vendor_id = str(fields.get("erp_company_id") or "").strip().upper()
        if not vendor_id:
            raise ValidationFailed({"erp_company_id": "Enter the ERP Company ID (the Sage vendor ID) for this company."})
        problems = connector.limits.violations("vendor", {"erp_company_id": vendor_id})
        if problems:
            raise ValidationFailed(problems)
        other = Company.objects.filter(erp_company_id=vendor_id).exclude(pk=obj.pk).first()
        if other is not None:
            raise ValidationFailed({"erp_company_id": f"ERP Company ID {vendor_id} is already linked to {other.name}."})
        existing = connector.vendor(vendor_id)
        if existing is not None and not connector.same_vendor(existing, name=obj.name):
            raise ValidationFailed(
                {
                    "erp_company_id": f"Sage already has vendor {vendor_id} ({existing.name}). Enter an unused ID, or "
                    "link that vendor to this company under ERP Integrations → Vendors."
                },
                code="vendor_id_exists",
            )
        return {"erp_company_id": vendor_id, "vendor_type": str(fields.get("vendor_type") or "Subcontractor")}

    def erp_code(self, obj: Company, fields: dict[str, Any]) -> str:
        return fields["erp_company_id"]

    def export(self, obj: Company, fields: dict[str, Any], *, connector, idempotency_key: str) -> ExportResult:
        export = VendorExport(
            vendor_id=fields["erp_company_id"],
            name=obj.name,
            address=obj.address,
            city=obj.city,
            state=obj.state,
            zip=obj.zip,
            telephone=obj.business_phone,
            fax=obj.business_fax,
            vendor_type=fields.get("vendor_type", ""),
        )
        written = connector.create_vendor(export, idempotency_key=idempotency_key)
        return ExportResult(erp_id=written.erp_id, linked_existing=written.linked_existing, data=written.data)

    def erp_record_exists(self, obj: Company, *, connector) -> bool:
        return bool(obj.erp_company_id) and connector.vendor(obj.erp_company_id) is not None
