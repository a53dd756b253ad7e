"""The one Sage company row of the embedded Sage."""

from __future__ import annotations

from django.db import transaction

from apps.sage300.models import SageCompany
from apps.sage300.routers import SAGE_ALIAS


def get_company() -> SageCompany:
    """The company row, created with Sage's defaults the first time anything asks for it."""
    company, _ = SageCompany.objects.using(SAGE_ALIAS).get_or_create(pk=SageCompany.SINGLETON_ID)
    return company


_CONFIGURABLE = (
    "company_name",
    "hourly_request_limit",
    "fault_failure_rate",
    "fault_after_commit_share",
    "fault_slow_ms",
    "fault_seed",
)


def sage_company_configure(**changes: object) -> SageCompany:
    """Change the company's name, request limit or fault-injection dials.

    Deliberately not a Sage API call (no request limit, no injected faults): it is the
    simulator's control panel, and a failure rate of 1 must still be switchable off.
    """
    unknown = set(changes) - set(_CONFIGURABLE)
    if unknown:
        raise TypeError(f"Not a company setting: {', '.join(sorted(unknown))}")
    with transaction.atomic(using=SAGE_ALIAS):
        company = get_company()
        company = SageCompany.objects.using(SAGE_ALIAS).select_for_update().get(pk=company.pk)
        for name, value in changes.items():
            setattr(company, name, value)
        company.full_clean()
        company.save(update_fields=list(changes) or None)
    from apps.sage300.faults import forget_company_dials

    forget_company_dials()
    return company
