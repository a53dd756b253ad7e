"""Reads of the company directory.

The directory is company-wide: with ``user`` the rows are all there, or none for a user who may
not see the directory (``apps.access.rules``). ``user=None`` is an internal read and is not scoped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet

from apps.access.rules import Operation, Resource, allowed
from apps.companies.models import Company, CompanyInsurance


def company_list(*, filters: Mapping[str, Any] | None = None, user=None) -> QuerySet[Company]:
    """Companies by name. Filters: ``is_archived``, ``erp_linked`` (has an ERP Company ID),
    ``erp_inactive``, ``search`` (name, ERP Company ID, city or e-mail)."""
    filters = filters or {}
    queryset = Company.objects.select_related("erp_sent_by", "erp_approved_by")  # the API's erp object shows both
    if user is not None and not allowed(user, Resource.COMPANY, Operation.VIEW):
        queryset = queryset.none()
    if "is_archived" in filters:
        queryset = queryset.filter(is_archived=filters["is_archived"])
    if "erp_linked" in filters:
        queryset = queryset.filter(erp_company_id__isnull=not filters["erp_linked"])
    if "erp_inactive" in filters:
        queryset = queryset.filter(erp_inactive=filters["erp_inactive"])
    if filters.get("search"):
        term = filters["search"]
        queryset = queryset.filter(
            Q(name__icontains=term) | Q(erp_company_id__iexact=term) | Q(city__icontains=term) | Q(email__icontains=term)
        )
    return queryset.order_by("name", "pk")


def company_insurance_list(
    *, company: Company | None = None, filters: Mapping[str, Any] | None = None, user=None
) -> QuerySet[CompanyInsurance]:
    filters = filters or {}
    queryset = CompanyInsurance.objects.select_related("company")
    if user is not None and not allowed(user, Resource.COMPANY_INSURANCE, Operation.VIEW):
        queryset = queryset.none()
    if company is not None:
        queryset = queryset.filter(company=company)
    if "insurance_type" in filters:
        queryset = queryset.filter(insurance_type=filters["insurance_type"])
    if "imported_from_erp" in filters:
        queryset = queryset.filter(imported_from_erp=filters["imported_from_erp"])
    return queryset.order_by("company__name", "insurance_type")
