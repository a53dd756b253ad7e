"""Reads of the company directory.

``user`` is accepted now and ignored: per-user scoping arrives with a later issue and will be
applied here, so callers already pass it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet

from apps.companies.models import Company, CompanyInsurance


def company_list(*, filters: Mapping[str, Any] | None = None, user=None) -> QuerySet[Company]:
    """Companies by name. Filters: ``is_archived``, ``erp_linked`` (has an ERP Company ID),
    ``erp_inactive``, ``search`` (name, ERP Company ID, city or e-mail)."""
    filters = filters or {}
    queryset = Company.objects.all()
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
    if company is not None:
        queryset = queryset.filter(company=company)
    if "insurance_type" in filters:
        queryset = queryset.filter(insurance_type=filters["insurance_type"])
    if "imported_from_erp" in filters:
        queryset = queryset.filter(imported_from_erp=filters["imported_from_erp"])
    return queryset.order_by("company__name", "insurance_type")
