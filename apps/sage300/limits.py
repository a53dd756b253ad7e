"""Sage 300 CRE field lengths, keyed by the embedded Sage's own column (model field) names, with Sage's
label for each field.

These are what the embedded Sage enforces on its tables. The connector (``apps.sage300.connector``)
declares them to the hub under the neutral records' field names; nothing here knows the hub.
Labels marked in the seed's troubleshooting table (Name, AddressCity, AddressZip) are Sage's; the
others are written in the same style and are unconfirmed.

Lengths are inclusive: a field of maximum length N accepts N characters and refuses N + 1.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ColumnLimit:
    max_length: int
    label: str
    # A regular expression the value must contain a match of, and that rule in words.
    pattern: str = ""
    rule: str = ""

    def message(self) -> str:
        # Sage's wording: "[Name] is too long, maximum length is 30 characters."
        return f"[{self.label}] is too long, maximum length is {self.max_length} characters."


JOB_FIELDS: dict[str, ColumnLimit] = {
    # Sage compares job ids without their punctuation ("24-101" is "24101"), so a job id needs at least one
    # letter or digit (the embedded Sage refuses one without: apps/sage300/services/jobs.py).
    "job": ColumnLimit(12, "Job", pattern=r"[0-9A-Za-z]",
                       rule="A Sage Job ID needs at least one letter or digit, e.g. 24-101."),
    "description": ColumnLimit(30, "Name"),
    "address_1": ColumnLimit(30, "AddressLine1"),
    "address_2": ColumnLimit(30, "AddressLine2"),
    "city": ColumnLimit(15, "AddressCity"),
    "state": ColumnLimit(4, "AddressState"),
    "zip_code": ColumnLimit(10, "AddressZip"),
}

EXTRA_FIELDS: dict[str, ColumnLimit] = {
    "extra": ColumnLimit(10, "Extra"),
    "description": ColumnLimit(30, "Description"),
}

COST_CODE_FIELDS: dict[str, ColumnLimit] = {
    "cost_code": ColumnLimit(13, "CostCode"),
    "description": ColumnLimit(30, "Description"),
}

CATEGORY_FIELDS: dict[str, ColumnLimit] = {
    "category": ColumnLimit(3, "Category"),
    "description": ColumnLimit(30, "Description"),
    # Sage Estimating's category record gives the unit description 4 characters.
    "cost_unit_description": ColumnLimit(4, "CostUnitDescription"),
}

VENDOR_FIELDS: dict[str, ColumnLimit] = {
    "vendor": ColumnLimit(10, "Vendor"),
    "name": ColumnLimit(30, "Name"),
    "address_1": ColumnLimit(30, "Address1"),
    "address_2": ColumnLimit(30, "Address2"),
    "city": ColumnLimit(15, "City"),
    "state": ColumnLimit(4, "State"),
    "zip_code": ColumnLimit(10, "ZIP"),
    "telephone": ColumnLimit(20, "Telephone"),
    "fax_number": ColumnLimit(20, "FaxNumber"),
}

VENDOR_INSURANCE_FIELDS: dict[str, ColumnLimit] = {
    "policy_number": ColumnLimit(20, "PolicyNumber"),
    "insurance_company": ColumnLimit(30, "InsuranceCompany"),
}

# JC entries (transactions, misc worksheet lines): the JCTMW file's text fields.
TRANSACTION_FIELDS: dict[str, ColumnLimit] = {
    "description": ColumnLimit(30, "Description"),
    "ref_1": ColumnLimit(60, "Reference1"),
    "chg_mgt_ref_1": ColumnLimit(30, "ChgMgtRef1"),
}

# Labels of fields that have no length limit but can still be blank or invalid.
LABELS: dict[str, str] = {
    "amount": "Amount",
    "units": "Units",
    "transaction_type": "TransactionType",
    "transaction_date": "TransactionDate",
    "accounting_date": "AccountingDate",
    "action": "Action",
    "entries": "Entries",
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
    "cursor": "Cursor",
}
