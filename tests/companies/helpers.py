"""Companies for tests: one already linked to a Sage vendor, the way Trestle links them (through the engine)."""

from __future__ import annotations

from apps.companies.models import Company
from apps.companies.services import company_create
from apps.erp.item_types import ItemType
from apps.erp.services import erp_link


def linked_company(*, erp_company_id: str, **fields) -> Company:
    """A company linked to vendor ``erp_company_id`` (as "Link ERP Companies" leaves it), without asking Sage."""
    company = company_create(**fields)
    erp_link(item_type=ItemType.COMPANY, obj=company, erp_id=erp_company_id)
    return Company.objects.get(pk=company.pk)
