"""The item types that pass through the ERP Integrations tool (R182).

The seed's list, as the permission table and the approvers' per-type switches name them. The engine
keeps it because access (the matrix, approver switches) and every declared document share it; a
document type declares which of these it is.
"""

from django.db import models


class ItemType(models.TextChoices):
    """The item types that pass through the ERP Integrations tool (R182)."""

    COST_CODE = "cost_code", "Cost codes"
    OWNER_INVOICE = "owner_invoice", "Owner invoices"
    SUBCONTRACTOR_INVOICE = "subcontractor_invoice", "Subcontractor invoices"
    BUDGET = "budget", "Budgets"
    COMMITMENT_CHANGE_ORDER = "commitment_change_order", "Commitment change orders"
    COMMITMENT = "commitment", "Commitments"
    COMPANY = "company", "Companies"
    PRIME_CONTRACT_CHANGE_ORDER = "prime_contract_change_order", "Prime contract change orders"
    PROJECT = "project", "Projects"
    SUB_JOB = "sub_job", "Sub jobs"
