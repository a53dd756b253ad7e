"""Sage 300 CRE field lengths, with Sage's own label for each field.

``SAGE_LIMITS`` is what the connector declares to the hub (checked at *Send to ERP*); the
per-table dictionaries below are what the embedded Sage enforces on its own columns. Where the
connector declares a field, the table reuses that very ``FieldLimit`` so the hub and the
embedded Sage can never disagree about a length or its message. Labels not in ``SAGE_LIMITS``
are written in the same style and are unconfirmed.

Lengths are inclusive: a field of maximum length N accepts N characters and refuses N + 1.
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

# Column limits of the embedded Sage's tables, keyed by the model's Python field name.
JOB_FIELDS: dict[str, FieldLimit] = {
    "job": SAGE_LIMITS.job["sage_job_id"],
    "description": SAGE_LIMITS.job["name"],
    "address_1": SAGE_LIMITS.job["address"],
    "address_2": FieldLimit(30, "AddressLine2"),
    "city": SAGE_LIMITS.job["city"],
    "state": FieldLimit(4, "AddressState"),
    "zip_code": SAGE_LIMITS.job["zip"],
}

EXTRA_FIELDS: dict[str, FieldLimit] = {
    "extra": SAGE_LIMITS.sub_job["code"],
    "description": SAGE_LIMITS.sub_job["name"],
}

COST_CODE_FIELDS: dict[str, FieldLimit] = {
    "cost_code": SAGE_LIMITS.cost_code["code"],
    "description": SAGE_LIMITS.cost_code["description"],
}

CATEGORY_FIELDS: dict[str, FieldLimit] = {
    "category": SAGE_LIMITS.cost_type["code"],
    "description": SAGE_LIMITS.cost_type["description"],
    # Sage Estimating's category record gives the unit description 4 characters.
    "cost_unit_description": FieldLimit(4, "CostUnitDescription"),
}

VENDOR_FIELDS: dict[str, FieldLimit] = {
    "vendor": SAGE_LIMITS.vendor["erp_company_id"],
    "name": SAGE_LIMITS.vendor["name"],
    "address_1": SAGE_LIMITS.vendor["address"],
    "address_2": FieldLimit(30, "Address2"),
    "city": SAGE_LIMITS.vendor["city"],
    "state": FieldLimit(4, "State"),
    "zip_code": SAGE_LIMITS.vendor["zip"],
    "telephone": SAGE_LIMITS.vendor["business_phone"],
    "fax_number": SAGE_LIMITS.vendor["business_fax"],
}

VENDOR_INSURANCE_FIELDS: dict[str, FieldLimit] = {
    "policy_number": FieldLimit(20, "PolicyNumber"),
    "insurance_company": FieldLimit(30, "InsuranceCompany"),
}

# Labels of fields that have no length limit but can still be blank or invalid.
LABELS: dict[str, str] = {
    "status": "Status",
    "billing_method": "BillingMethod",
    "billing_level": "BillingLevel",
    "original_contract_amount": "OriginalContractAmount",
    "original_estimate": "OriginalEstimate",
    "original_estimate_units": "OriginalEstimateUnits",
    "accumulate_as": "AccumulateAs",
    "vendor_type": "Type",
    "insurance_type": "InsuranceType",
    "limit": "Limit",
    "effective_date": "EffectiveDate",
    "expiration_date": "ExpirationDate",
    "fiscal_year": "FiscalYear",
    "period": "Period",
}
