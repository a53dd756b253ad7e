"""The Sage 300 CRE connector: Trestle's side of the hh2-style bridge to the embedded Sage.

Hub code reaches Sage only through this class (via ``apps.erp.connector.get_connector``).
"""

from __future__ import annotations

from apps.erp.connector import ConnectorLimits, FieldLimit

# Limits from the seed's troubleshooting table and DECISIONS A8/A23 (length N accepted, N + 1 refused).
SAGE_LIMITS = ConnectorLimits(
    job={
        "sage_job_id": FieldLimit(12, "Job"),
        "name": FieldLimit(30, "Name"),
        "address": FieldLimit(30, "AddressLine1"),
        "city": FieldLimit(15, "AddressCity"),
        "zip": FieldLimit(10, "AddressZip"),
    },
    sub_job={"code": FieldLimit(10, "Extra"), "name": FieldLimit(30, "Description")},
    vendor={
        "erp_company_id": FieldLimit(10, "Vendor"),
        "name": FieldLimit(30, "Name"),
        "address": FieldLimit(30, "Address1"),
        "city": FieldLimit(15, "City"),
        "zip": FieldLimit(10, "ZIP"),
        "business_phone": FieldLimit(20, "Telephone"),
        "business_fax": FieldLimit(20, "FaxNumber"),
    },
    cost_code={"code": FieldLimit(13, "CostCode"), "description": FieldLimit(30, "Description")},
    cost_type={"code": FieldLimit(3, "Category"), "description": FieldLimit(30, "Description")},
    commitment={"erp_id": FieldLimit(12, "Commitment"), "title": FieldLimit(30, "Description"), "uom": FieldLimit(6, "UnitDescription")},
    commitment_change_order={"erp_id": FieldLimit(5, "CommitmentCO"), "title": FieldLimit(30, "Description")},
    prime_contract_change_order={"number": FieldLimit(20, "ChgMgtRef1"), "title": FieldLimit(255, "Description")},
    invoice={"erp_id": FieldLimit(15, "Invoice"), "description": FieldLimit(30, "Description")},
)


class Sage300Connector:
    name = "Sage 300 CRE"
    limits = SAGE_LIMITS
