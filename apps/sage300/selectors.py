"""Reads of the embedded Sage, for the connector and the admin.

Every ``*_page`` is keyset-paginated: rows after the key ``after`` in key order, at most
``limit`` of them, and the key to pass for the next page (``None`` on the last page). A page
costs the same few queries whatever its size: related rows come in one extra query per page.

With ``changed_since`` a page holds only rows whose change stamp (``Date_Stamp``) is later, in
stamp order (then key order, so that rows stamped alike are neither skipped nor repeated); its
``after`` is then "stamp|key". ``high_water`` is the newest stamp on the page.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from apps.sage300.models import (
    Category,
    CostCode,
    Extra,
    GLPeriod,
    JCTransaction,
    Job,
    StandardCategory,
    StandardCostCode,
    Vendor,
    VendorInsurance,
)

DEFAULT_PAGE_SIZE = 500
MAX_PAGE_SIZE = 5000

Row = TypeVar("Row")


@dataclass(frozen=True)
class KeysetPage(Generic[Row]):
    rows: list[Row]
    next_after: str | int | None
    high_water: datetime.datetime | None = None
    as_of: datetime.datetime | None = None  # Sage's clock when the page was read


def _high_water(rows) -> datetime.datetime | None:
    return max((row.date_stamp for row in rows), default=None) if rows and hasattr(rows[0], "date_stamp") else None


def _page(
    queryset: QuerySet, *, key: str, after: str | int | None, limit: int, changed_since: datetime.datetime | None = None
) -> KeysetPage:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be between 1 and {MAX_PAGE_SIZE}, not {limit}.")
    as_of = timezone.now()
    page = _rows_page(queryset, key=key, after=after, limit=limit, changed_since=changed_since)
    return KeysetPage(rows=page.rows, next_after=page.next_after, high_water=page.high_water, as_of=as_of)


def _rows_page(queryset, *, key, after, limit, changed_since) -> KeysetPage:
    if changed_since is not None:
        return _changes_page(queryset, key=key, after=after, limit=limit, changed_since=changed_since)
    if after is not None:
        queryset = queryset.filter(**{f"{key}__gt": after})
    # One row more than asked tells whether another page follows, without a COUNT.
    rows = list(queryset.order_by(key)[: limit + 1])
    if len(rows) <= limit:
        return KeysetPage(rows=rows, next_after=None, high_water=_high_water(rows))
    rows = rows[:limit]
    return KeysetPage(rows=rows, next_after=getattr(rows[-1], key), high_water=_high_water(rows))


def _changes_page(queryset: QuerySet, *, key: str, after, limit: int, changed_since: datetime.datetime) -> KeysetPage:
    queryset = queryset.filter(date_stamp__gt=changed_since)
    if after is not None:
        stamp_text, _, last_key = str(after).partition("|")
        stamp = datetime.datetime.fromisoformat(stamp_text)
        last = int(last_key) if key == "id" else last_key
        queryset = queryset.filter(Q(date_stamp__gt=stamp) | Q(date_stamp=stamp, **{f"{key}__gt": last}))
    rows = list(queryset.order_by("date_stamp", key)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_after = f"{rows[-1].date_stamp.isoformat()}|{getattr(rows[-1], key)}" if more else None
    return KeysetPage(rows=rows, next_after=next_after, high_water=_high_water(rows))


def standard_cost_codes_page(
    *, after: str | None = None, limit: int = DEFAULT_PAGE_SIZE, changed_since=None
) -> KeysetPage[StandardCostCode]:
    return _page(StandardCostCode.objects.all(), key="cost_code", after=after, limit=limit, changed_since=changed_since)


def standard_categories_page(
    *, after: str | None = None, limit: int = DEFAULT_PAGE_SIZE, changed_since=None
) -> KeysetPage[StandardCategory]:
    return _page(StandardCategory.objects.all(), key="category", after=after, limit=limit, changed_since=changed_since)


def vendors_page(
    *, after: str | None = None, limit: int = DEFAULT_PAGE_SIZE, active_only: bool = False, changed_since=None
) -> KeysetPage[Vendor]:
    """Vendors by vendor id, each with its insurance in ``vendor.insurance_rows`` (one query per page).

    The page's insurance is read in one query and grouped here: Django's ``prefetch_related`` costs
    a related manager per vendor, which dominates a 50,000-vendor sync.
    """
    queryset = Vendor.objects.defer("created_at")  # the creation stamp is read by nobody; 50,000 of them cost
    if active_only:
        queryset = queryset.filter(inactive=False)
    page = _page(queryset, key="vendor", after=after, limit=limit, changed_since=changed_since)
    by_vendor: dict[str, list[VendorInsurance]] = {}
    if not page.rows:
        return page
    if changed_since is None:
        # The page is a run of consecutive vendor ids: a range reads its insurance without a long IN list.
        insurance = VendorInsurance.objects.filter(vendor_id__gte=page.rows[0].vendor, vendor_id__lte=page.rows[-1].vendor)
    else:
        insurance = VendorInsurance.objects.filter(vendor_id__in=[row.vendor for row in page.rows])
    for row in insurance.order_by("vendor_id", "insurance_type"):
        by_vendor.setdefault(row.vendor_id, []).append(row)
    for vendor in page.rows:
        vendor.insurance_rows = by_vendor.get(vendor.vendor, [])
    return page


def vendor_insurance_page(*, after: int | None = None, limit: int = DEFAULT_PAGE_SIZE) -> KeysetPage[VendorInsurance]:
    return _page(VendorInsurance.objects.all(), key="id", after=after, limit=limit)


def jobs_page(
    *, after: str | None = None, limit: int = DEFAULT_PAGE_SIZE, status: str | None = None, changed_since=None
) -> KeysetPage[Job]:
    queryset = Job.objects.all()
    if status is not None:
        queryset = queryset.filter(status=status)
    return _page(queryset, key="job", after=after, limit=limit, changed_since=changed_since)


def extras_page(
    *, job: str | None = None, after=None, limit: int = DEFAULT_PAGE_SIZE, changed_since=None
) -> KeysetPage[Extra]:
    queryset = Extra.objects.all()
    if job is not None:
        queryset = queryset.filter(job_id=job)
    return _page(queryset, key="id", after=after, limit=limit, changed_since=changed_since)


def job_cost_codes_page(
    *, job: str | None = None, after: int | None = None, limit: int = DEFAULT_PAGE_SIZE
) -> KeysetPage[CostCode]:
    """Job cost codes in row order, each with its extra and its categories (by category code)."""
    queryset = CostCode.objects.select_related("extra").prefetch_related(
        Prefetch("categories", queryset=Category.objects.order_by("category"))
    )
    if job is not None:
        queryset = queryset.filter(job_id=job)
    return _page(queryset, key="id", after=after, limit=limit)


def job_categories_page(
    *, job: str | None = None, after: int | None = None, limit: int = DEFAULT_PAGE_SIZE
) -> KeysetPage[Category]:
    """Job categories in row order with their cost code and extra: the estimate columns of each
    (Original_Estimate, Approved_Estimate_Changes, Total_Estimate, Msc_Cat_Amt_1/2)."""
    queryset = Category.objects.select_related("cost_code__extra")
    if job is not None:
        queryset = queryset.filter(cost_code__job_id=job)
    return _page(queryset, key="id", after=after, limit=limit)


def jc_transactions_by_reference(pairs: set[tuple[str, str]]) -> dict[tuple[str, str], list[JCTransaction]]:
    """The JC entries stamped with each (job, Ref_1), in row order: the evidence of a write of entries."""
    query = Q()
    for job, reference in pairs:
        query |= Q(job_id=job, ref_1=reference)
    found: dict[tuple[str, str], list[JCTransaction]] = {}
    if pairs:
        for row in JCTransaction.objects.filter(query).select_related("batch").order_by("row_id"):
            found.setdefault((row.job_id, row.ref_1), []).append(row)
    return found


def job_get(*, job: str) -> Job | None:
    return Job.objects.filter(job=job).first()


def vendor_get(*, vendor: str) -> Vendor | None:
    return Vendor.objects.filter(vendor=vendor).first()


def gl_period_for_date(day: datetime.date) -> GLPeriod | None:
    """The GL period a date falls in, or ``None`` when the company has not set that year up."""
    return GLPeriod.objects.filter(start_date__lte=day, end_date__gte=day).first()
