"""JC entries, the unposted batch, and posting ("Post Entries").

Sage keeps estimate changes apart from the estimate itself until a person posts them:

* ``jc_entries_add`` is one request of the API bridge (a Job Cost import file): it checks every entry and
  adds them all to the company's one unposted batch, or refuses and adds none. Nothing on the category
  moves yet.
* ``jc_batch_post`` is the accountant's "Post Entries" at the Sage desktop: in one transaction it checks
  every entry of the batch against Sage's rules (job closed, category no longer on the job, GL period of the
  accounting date closed) and, only when all pass, applies each to its category:

  ============================  ==============================================================
  transaction type              posting changes on ``JCM_MASTER__CATEGORY``
  ============================  ==============================================================
  Original estimate             Original_Estimate (+ amount), Original_Estimate_Units (+ units)
  Approved estimate change      Approved_Estimate_Changes (+ amount), Approved_Est_Unit_Changes
  Misc worksheet 1 / 2          Msc_Cat_Amt_1 / Msc_Cat_Amt_2 (Add: + amount; Replace: = amount)
  ============================  ==============================================================

  and Total_Estimate = Original_Estimate + Approved_Estimate_Changes after each. These are the only
  writes of those columns besides the job import's original estimate (a Category record of a Job Cost
  import file, ``job_import`` / ``job_add_cost_codes``).

Every entry of one request carries the writer's reference in ``Ref_1``; a second request with the same
reference on the same job is refused (``reference_exists``), so a retried write never lands twice.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from apps.sage300.errors import SageError, not_found_in_where_clause
from apps.sage300.faults import sage_call
from apps.sage300.limits import LABELS, TRANSACTION_FIELDS
from apps.sage300.models import (
    ESTIMATE_TYPES,
    MISC_WORKSHEET_TYPES,
    BatchStatus,
    Category,
    GLPeriod,
    JCBatch,
    JCTransaction,
    Job,
    TransactionType,
    WorksheetAction,
)
from apps.sage300.routers import SAGE_ALIAS
from apps.sage300.rules import check_amount, check_length, text
from apps.sage300.services.common import assert_job_writable, atomic_write, lock_job, locked

# The types a Job Cost import of estimates and misc worksheets may enter (the others come from AP, PR, CM …).
ENTERABLE_TYPES = (*ESTIMATE_TYPES, *MISC_WORKSHEET_TYPES)
AMOUNT_DIGITS = 11  # 9.2 in the import file
UNITS_DIGITS = 12  # 8.4


@dataclass(frozen=True)
class JcEntry:
    """One line of a Job Cost import of estimate or misc worksheet entries."""

    transaction_type: str
    cost_code: str
    category: str
    amount: Decimal | str | int
    extra: str = ""
    units: Decimal | str | int = Decimal("0")
    description: str = ""
    action: str = WorksheetAction.ADD
    chg_mgt_ref_1: str = ""


@dataclass(frozen=True)
class EntriesAdded:
    batch: JCBatch
    transactions: list[JCTransaction] = field(default_factory=list)


@dataclass(frozen=True)
class BatchPosted:
    """What "Post Entries" posted: the batch, its entries, and the total amount per transaction type."""

    batch: JCBatch
    transactions: list[JCTransaction]
    totals: dict[str, Decimal]

    def summary(self) -> str:
        parts = [f"{TransactionType(kind).label} {amount:,.2f}" for kind, amount in sorted(self.totals.items())]
        count = len(self.transactions)
        return f"{count} entr{'y' if count == 1 else 'ies'} posted ({'; '.join(parts)})."


def sage_date(day: datetime.date) -> str:
    """Dates as Sage's messages print them (MM\\DD\\YYYY)."""
    return day.strftime("%m\\%d\\%Y")


def _check_period_open(day: datetime.date, *, periods: dict[tuple[int, int], GLPeriod] | None = None) -> None:
    """Sage refuses entries dated in a closed GL period (R205). A month with no period set up is open."""
    if periods is None:
        period = GLPeriod.objects.filter(fiscal_year=day.year, period=day.month).first()
    else:
        period = periods.get((day.year, day.month))
    if period is not None and period.is_closed:
        raise SageError("gl_period_closed", field="accounting_date", date=sage_date(day))


def _check_date(value: object, *, field: str) -> datetime.date:
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise SageError("invalid_value", field=field, label=LABELS[field], value=value)
    return value


def _categories_of(job: Job, *, lock: bool = False) -> dict[tuple[str, str, str], Category]:
    """Every category on the job, by (extra, cost code, category); locked (the categories' rows only) for posting."""
    query = Category.objects.filter(cost_code__job=job).select_related("cost_code__extra")
    if lock and transaction.get_connection(SAGE_ALIAS).in_atomic_block:
        query = query.select_for_update(of=("self",))
    return {
        (category.cost_code.extra.extra if category.cost_code.extra_id else "", category.cost_code.cost_code,
         category.category): category
        for category in query
    }


def open_batch() -> JCBatch:
    """The company's unposted JC batch, started when the first entry after a posting needs one."""
    batch = locked(JCBatch.objects.filter(status=BatchStatus.UNPOSTED)).first()
    if batch is None:
        number = (JCBatch.objects.aggregate(last=Max("batch"))["last"] or 0) + 1
        batch = JCBatch.objects.create(batch=number)
    return batch


def validate_jc_entries(
    *,
    job: str,
    entries: Sequence[JcEntry],
    reference: str,
    transaction_date: datetime.date,
    accounting_date: datetime.date | None = None,
) -> tuple[Job, list[JCTransaction]]:
    """Everything ``jc_entries_add`` checks, without writing; the unsaved rows (batch not yet set)."""
    found = lock_job(job, referenced=True)
    assert_job_writable(found)
    reference = text(reference)
    check_length(reference, TRANSACTION_FIELDS["ref_1"], field="ref_1")
    transaction_date = _check_date(transaction_date, field="transaction_date")
    accounting_date = _check_date(accounting_date or transaction_date, field="accounting_date")
    if not entries:
        raise SageError("blank", field="entries")
    _check_period_open(accounting_date)
    if reference:
        earlier = JCTransaction.objects.filter(job=found, ref_1=reference).values_list("batch_id", flat=True).first()
        if earlier is not None:
            raise SageError("reference_exists", field="ref_1", reference=reference, job=found.job, batch=earlier)
    categories = _categories_of(found)
    extras = set(found.extras.values_list("extra", flat=True))
    rows = []
    for row, entry in enumerate(entries, start=1):
        kind = text(entry.transaction_type)
        if kind not in ENTERABLE_TYPES:
            raise SageError("transaction_type_not_allowed", field="transaction_type", row=row, transaction_type=kind)
        action = text(entry.action) or WorksheetAction.ADD
        if action not in WorksheetAction.values or (action == WorksheetAction.REPLACE and kind not in MISC_WORKSHEET_TYPES):
            raise SageError("invalid_value", field="action", row=row, label="Action", value=action)
        key = (text(entry.extra), text(entry.cost_code), text(entry.category))
        if key[0] and key[0] not in extras:
            raise not_found_in_where_clause("Extra", field="extra", row=row)
        if key not in categories:
            raise not_found_in_where_clause("Category", field="category", row=row)
        description = text(entry.description)
        check_length(description, TRANSACTION_FIELDS["description"], field="description", row=row)
        chg_mgt_ref = text(entry.chg_mgt_ref_1)
        check_length(chg_mgt_ref, TRANSACTION_FIELDS["chg_mgt_ref_1"], field="chg_mgt_ref_1", row=row)
        rows.append(JCTransaction(
            transaction_type=kind,
            job=found,
            extra=key[0],
            cost_code=key[1],
            category=key[2],
            amount=check_amount(entry.amount, field="amount", max_digits=AMOUNT_DIGITS, row=row),
            units=check_amount(entry.units, field="units", places=4, max_digits=UNITS_DIGITS, row=row),
            action=action,
            accounting_date=accounting_date,
            transaction_date=transaction_date,
            description=description,
            ref_1=reference,
            chg_mgt_ref_1=chg_mgt_ref,
        ))
    return found, rows


@sage_call("jc_entries_add")
def jc_entries_add(
    *,
    job: str,
    entries: Sequence[JcEntry],
    reference: str,
    transaction_date: datetime.date,
    accounting_date: datetime.date | None = None,
) -> EntriesAdded:
    """Add estimate / misc worksheet entries for one job to the unposted batch, all or none.

    ``reference`` goes into every entry's ``Ref_1``; it must not be on the job already. The accounting date
    defaults to the transaction date and must not fall in a closed GL period.
    """
    entries = list(entries)

    def write() -> EntriesAdded:
        _, rows = validate_jc_entries(job=job, entries=entries, reference=reference,
                                      transaction_date=transaction_date, accounting_date=accounting_date)
        batch = open_batch()
        for transaction_row in rows:
            transaction_row.batch = batch
        return EntriesAdded(batch=batch, transactions=JCTransaction.objects.bulk_create(rows))

    return atomic_write(write)


# --- Post Entries --------------------------------------------------------------------------------


def _refusal(entry: JCTransaction, error: SageError) -> SageError:
    """Sage's refusal of one entry, naming it, keeping the rule's code in ``params['rule']``."""
    refusal = SageError("entry_not_postable", field=error.field, row_id=entry.row_id, job=entry.job_id,
                        cost_code=entry.cost_code, category=entry.category, reason=error.message,
                        rule=error.code, **{k: v for k, v in error.params.items() if k not in {"job", "cost_code",
                                                                                            "category"}})
    return refusal


def _apply(category: Category, entry: JCTransaction) -> None:
    if entry.transaction_type == TransactionType.ORIGINAL_ESTIMATE:
        category.original_estimate += entry.amount
        category.original_estimate_units += entry.units
    elif entry.transaction_type == TransactionType.APPROVED_ESTIMATE_CHANGE:
        category.approved_estimate_changes += entry.amount
        category.approved_est_unit_changes += entry.units
    else:
        column = "msc_cat_amt_1" if entry.transaction_type == TransactionType.MISC_WORKSHEET_1 else "msc_cat_amt_2"
        current = getattr(category, column)
        setattr(category, column, entry.amount if entry.action == WorksheetAction.REPLACE else current + entry.amount)
    category.total_estimate = category.original_estimate + category.approved_estimate_changes


def validate_jc_batch_post(batch: int | None = None) -> tuple[JCBatch, list[JCTransaction], dict]:
    """Check every entry of the batch (the unposted one when ``batch`` is None) as posting does."""
    query = JCBatch.objects.filter(batch=batch) if batch is not None else JCBatch.objects.filter(
        status=BatchStatus.UNPOSTED)
    found = locked(query).first()
    if found is None:
        if batch is not None:
            raise SageError("entity_not_found", field="batch", entity="Batch", entity_id=batch)
        raise SageError("no_entries", field="batch")
    if found.is_posted:
        raise SageError("batch_posted", field="batch", batch=found.batch)
    entries = list(locked(JCTransaction.objects.filter(batch=found, posted=False)).order_by("row_id"))
    if not entries:
        raise SageError("no_entries", field="batch")
    jobs = {job.job: job for job in locked(Job.objects.filter(job__in={entry.job_id for entry in entries}))}
    periods = {(p.fiscal_year, p.period): p for p in GLPeriod.objects.filter(
        fiscal_year__in={entry.accounting_date.year for entry in entries})}
    categories: dict = {}
    for job in jobs.values():
        for key, category in _categories_of(job, lock=True).items():
            categories[(job.job, *key)] = category
    for entry in entries:
        try:
            assert_job_writable(jobs[entry.job_id])
            if (entry.job_id, entry.extra, entry.cost_code, entry.category) not in categories:
                raise not_found_in_where_clause("Category", field="category")
            _check_period_open(entry.accounting_date, periods=periods)
        except SageError as error:
            raise _refusal(entry, error) from error
    return found, entries, categories


@sage_call("jc_batch_post")
def jc_batch_post(*, batch: int | None = None) -> BatchPosted:
    """Post the batch: apply every entry to its category's totals, all in one transaction, or refuse.

    A refusal names the first entry Sage cannot post (``entry_not_postable``, with the rule broken in
    ``params['rule']``: ``job_closed``, ``not_in_where_clause`` for a category no longer on the job,
    ``gl_period_closed``) and posts nothing.
    """

    def write() -> BatchPosted:
        found, entries, categories = validate_jc_batch_post(batch)
        touched: dict[int, Category] = {}
        totals: dict[str, Decimal] = {}
        for entry in entries:
            category = categories[(entry.job_id, entry.extra, entry.cost_code, entry.category)]
            _apply(category, entry)
            touched[category.pk] = category
            totals[entry.transaction_type] = totals.get(entry.transaction_type, Decimal("0.00")) + entry.amount
        now = timezone.now()
        Category.objects.bulk_update(
            [*touched.values()],
            ["original_estimate", "original_estimate_units", "approved_estimate_changes", "approved_est_unit_changes",
             "total_estimate", "msc_cat_amt_1", "msc_cat_amt_2"],
        )
        # bulk_update skips auto_now: move the categories' change stamps so incremental reads see them.
        Category.objects.filter(pk__in=touched).update(date_stamp=now)
        JCTransaction.objects.filter(pk__in=[entry.pk for entry in entries]).update(posted=True, posted_at=now,
                                                                                   date_stamp=now)
        for entry in entries:
            entry.posted, entry.posted_at = True, now
        found.status, found.posted_at = BatchStatus.POSTED, now
        found.save(update_fields=["status", "posted_at"])
        return BatchPosted(batch=found, transactions=entries, totals=totals)

    return atomic_write(write)


__all__ = [
    "SAGE_ALIAS",
    "BatchPosted",
    "EntriesAdded",
    "JcEntry",
    "jc_batch_post",
    "jc_entries_add",
    "open_batch",
    "validate_jc_batch_post",
    "validate_jc_entries",
]
